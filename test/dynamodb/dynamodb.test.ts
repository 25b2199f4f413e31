/**
 * The DynamoDB engines beyond the conformance suite (which runs both against dynalite):
 * - on an endpoint without TransactWriteItems (dynalite) the store opens with atomicBatch false
 *   and says so in its settings; behind a shim that adds TransactWriteItems (checking AWS's rules:
 *   at most 100 items, each item once) batches go through it, folded to one op per key, and a
 *   batch over maxBatchItems is TOO_LARGE and writes nothing;
 * - a table with another key schema is INVALID_ARGUMENT; ordered scans stay in their namespace;
 * - an endpoint that does not answer is IO on open, in bounded time.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine } from '../../engines/registry.js';
import { errorCode } from '../support/engine-io.js';
import { tmpDir } from '../support/tmp.js';

const s = (x: string) => Buffer.from(x);
const endpoint = () => process.env.KVLAB_DYNAMODB_ENDPOINT!;
const str = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).toString());

/** Forwards to dynalite; answers TransactWriteItems itself by forwarding each item (enough to check the requests kvlab sends). */
function transactShim(target: string): Promise<{ url: string; calls: number[]; close(): Promise<void> }> {
  const calls: number[] = [];
  const forward = (target_: string, op: string, body: string) =>
    fetch(target, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${op}`, authorization: 'AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0', 'x-amz-date': '20260101T000000Z' }, body });
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', async () => {
      const op = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      if (op !== 'TransactWriteItems') {
        const r = await forward(target, op, body);
        res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/x-amz-json-1.0' });
        return res.end(await r.text());
      }
      const items = (JSON.parse(body) as { TransactItems: Array<{ Put?: { TableName: string; Item: unknown }; Delete?: { TableName: string; Key: unknown } }> }).TransactItems;
      const fail = (msg: string) => {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: 'com.amazon.coral.validate#ValidationException', message: msg }));
      };
      if (items.length < 1 || items.length > 100) return fail('Member must have length less than or equal to 100');
      const seen = new Set(items.map((i) => JSON.stringify(i.Put ? (i.Put.Item as Record<string, unknown>).k : i.Delete!.Key)));
      if (seen.size !== items.length) return fail('Transaction request cannot include multiple operations on one item');
      calls.push(items.length);
      for (const i of items) {
        const r = i.Put ? await forward(target, 'PutItem', JSON.stringify(i.Put)) : await forward(target, 'DeleteItem', JSON.stringify(i.Delete));
        if (r.status !== 200) return fail(await r.text());
      }
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end('{}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, close: () => new Promise<void>((r) => server.close(() => r())),
  })));
}

describe('dynamodb engines', () => {
  let shim: Awaited<ReturnType<typeof transactShim>>;
  beforeAll(async () => {
    shim = await transactShim(endpoint());
  });
  afterAll(async () => {
    await shim.close();
  });

  it('on dynalite (no TransactWriteItems) opens with atomicBatch false and says which API batches use', async () => {
    const e = await openEngine('dynamodb', { dir: tmpDir() });
    expect(e.info.capabilities.atomicBatch).toBe(false);
    expect(String(e.info.settings.batchApi)).toMatch(/^BatchWriteItem/);
    await e.write(Array.from({ length: 60 }, (_, i) => ({ type: 'put' as const, key: s(`b${i}`), value: s(`v${i}`) })));
    expect(str(await e.get(s('b59')))).toBe('v59');
    await e.close();
  });

  it('with TransactWriteItems: one call per batch, folded to one op per key; over maxBatchItems is TOO_LARGE and writes nothing', async () => {
    const e = await openEngine(`dynamodb-ordered:endpoint=${shim.url},maxBatchItems=25`, { dir: tmpDir() });
    expect(e.info.capabilities.atomicBatch).toBe(true);
    expect(e.info.settings.batchApi).toBe('TransactWriteItems');
    await e.write([{ type: 'put', key: s('x'), value: s('1') }, { type: 'put', key: s('y'), value: s('2') }, { type: 'del', key: s('x') }, { type: 'put', key: s('x'), value: s('3') }]);
    expect(shim.calls).toEqual([2]);
    expect(str(await e.get(s('x')))).toBe('3');
    expect(str(await e.get(s('y')))).toBe('2');
    expect(await errorCode(() => e.write(Array.from({ length: 26 }, (_, i) => ({ type: 'put' as const, key: s(`t${i}`), value: s('v') }))))).toBe('TOO_LARGE');
    expect(await e.get(s('t0'))).toBeUndefined();
    await e.close();
  });

  it('refuses a table whose key schema is the other layout', async () => {
    const first = await openEngine('dynamodb-ordered:table=kvlab-schema-t', { dir: tmpDir() });
    await first.close();
    expect(await errorCode(() => openEngine('dynamodb:table=kvlab-schema-t', { dir: tmpDir() }))).toBe('INVALID_ARGUMENT');
  });

  it('scans only its own namespace, in unsigned byte order', async () => {
    const a = await openEngine('dynamodb-ordered:namespace=na', { dir: tmpDir() });
    const b = await openEngine('dynamodb-ordered:namespace=nb', { dir: tmpDir() });
    for (const k of ['\x00', 'a', '\xff', 'b']) await a.put(Buffer.from(k, 'latin1'), s('A'));
    await b.put(s('a0'), s('B'));
    const got = (await a.scan(new Uint8Array([0]), 100)).map(([k, v]) => `${Buffer.from(k).toString('hex')}=${str(v)}`);
    expect(got).toEqual(['00=A', '61=A', '62=A', 'ff=A']);
    await a.close();
    await b.close();
  });

  it('an endpoint that does not answer is IO on open, in bounded time', async () => {
    const dead = http.createServer(() => undefined); // accepts, never replies
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', () => r()));
    const t0 = Date.now();
    expect(await errorCode(() => openEngine(`dynamodb:endpoint=http://127.0.0.1:${(dead.address() as AddressInfo).port},timeoutMs=300`, { dir: tmpDir() }))).toBe('IO');
    expect(Date.now() - t0).toBeLessThan(30_000);
    dead.closeAllConnections();
    dead.close();
  });
});
