/** The Twitter cache-trace reader: every column, every malformed line a typed error naming its line, never a skip. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isKvError, type ErrorCode } from '../../engines/errors.js';
import { TwitterTraceReader, newRequest, type TwitterReaderOptions } from '../../workloads/traces/twitter.js';
import { tmpDir } from '../support/tmp.js';
import { naiveCounts, sample } from './helpers.js';

function readAll(file: string, opts?: TwitterReaderOptions): Array<ReturnType<typeof newRequest>> {
  const r = new TwitterTraceReader(file, opts);
  const out = [];
  try {
    const q = newRequest();
    while (r.next(q)) out.push({ ...q });
  } finally {
    r.close();
  }
  return out;
}

function write(text: string, name = 't.csv'): string {
  const f = path.join(tmpDir(), name);
  fs.writeFileSync(f, text);
  return f;
}

function expectError(fn: () => unknown, code: ErrorCode, re: RegExp): { file?: string; offset?: number } {
  try {
    fn();
  } catch (e) {
    expect(isKvError(e, code), String(e)).toBe(true);
    expect((e as Error).message).toMatch(re);
    return e as { file?: string; offset?: number };
  }
  throw new Error('expected an error');
}

const GOOD = '0,nz:u:eeW511W3dcH3de3d15ec,24,0,12,get,0\n0,nz:u:abc,10,300,7,set,3600\n1,k,1,0,7,delete,0\n';

describe('Twitter trace reader', () => {
  it('reads every column of every line of a shipped sample (which spans several read chunks)', () => {
    const f = sample('twitter-theta0.9');
    const got = readAll(f);
    const naive = naiveCounts(f);
    expect(got.length).toBe(naive.lines.length);
    for (const i of [0, 1, 5000, 8738, got.length - 1]) {
      const c = naive.lines[i]!;
      expect(got[i]).toEqual({ timestamp: Number(c[0]), key: c[1], keySize: Number(c[2]), valueSize: Number(c[3]), clientId: c[4], op: c[5], ttl: Number(c[6]), line: i + 1 });
    }
    const ops: Record<string, number> = {};
    for (const q of got) ops[q.op] = (ops[q.op] ?? 0) + 1;
    expect(ops).toEqual(naive.ops);
  });

  it('accepts CRLF line endings and a last line without a newline', () => {
    const got = readAll(write(GOOD.replace(/\n/g, '\r\n').trimEnd()));
    expect(got.map((q) => [q.op, q.key, q.ttl])).toEqual([['get', 'nz:u:eeW511W3dcH3de3d15ec', 0], ['set', 'nz:u:abc', 3600], ['delete', 'k', 0]]);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['six columns', '0,k,1,0,7,get\n', /:3: expected 7 comma-separated columns.*got 6/],
    ['eight columns', '0,k,1,0,7,get,0,extra\n', /:3: expected 7.*got 8/],
    ['a blank line', '\n', /:3: expected 7.*got 1/],
    ['a non-numeric value size', '0,k,1,12x,7,set,0\n', /:3: value size '12x' is not a non-negative integer/],
    ['a negative key size', '0,k,-1,0,7,get,0\n', /:3: key size '-1'/],
    ['a non-numeric timestamp', 'noon,k,1,0,7,get,0\n', /:3: timestamp 'noon'/],
    ['a non-numeric TTL', '0,k,1,0,7,set,forever\n', /:3: TTL 'forever'/],
    ['an empty key', '0,,1,0,7,get,0\n', /:3: empty key/],
    ['a timestamp going back', '0,k,1,0,7,get,0\n', /:3: timestamp 0 is earlier than the line before \(1\)/],
    ['an unknown operation', '2,k,1,0,7,touch,0\n', /:3: unknown operation 'touch'/],
  ];
  for (const [what, line, re] of bad) {
    it(`${what}: INVALID_ARGUMENT naming the file and line 3, with its byte offset`, () => {
      const head = '0,a,1,0,1,get,0\n1,b,1,5,1,set,0\n';
      const text = `${head}${line}2,c,1,0,1,get,0\n`;
      const f = write(text);
      const e = expectError(() => readAll(f), 'INVALID_ARGUMENT', re);
      expect((e as Error & { message: string }).message.startsWith(`${f}:3:`)).toBe(true);
      expect(e.file).toBe(f);
      expect(e.offset).toBe(head.length);
    });
  }

  it('skips unknown operations only when asked, and counts each', () => {
    const f = write('0,a,1,0,1,get,0\n0,b,1,0,1,touch,0\n0,c,1,0,1,touch,0\n0,d,1,0,1,gat,0\n1,e,1,0,1,get,0\n');
    const r = new TwitterTraceReader(f, { unknownOps: 'skip' });
    const q = newRequest();
    const keys = [];
    while (r.next(q)) keys.push(q.key);
    r.close();
    expect(keys).toEqual(['a', 'e']);
    expect(Object.fromEntries(r.unknown)).toEqual({ touch: 2, gat: 1 });
  });

  it('a key over the engine limit is TOO_LARGE naming the line, never truncated', () => {
    const f = write(`0,a,1,0,1,get,0\n0,${'k'.repeat(300)},300,0,1,get,0\n`);
    expectError(() => readAll(f, { maxKeyBytes: 255 }), 'TOO_LARGE', /:2: key of 300 bytes is over the engine's limit of 255/);
    expect(readAll(f).length).toBe(2);
  });

  it('gzip input (by magic bytes, multi-member too) reads exactly as the plain file; truncated gzip is CORRUPTION', () => {
    const plain = sample('twitter-theta1.1');
    const text = fs.readFileSync(plain);
    const gz = write('', 't.gz');
    // two members: the first half and the rest, cut at a line boundary
    const cut = text.indexOf('\n', text.length >> 1) + 1;
    fs.writeFileSync(gz, Buffer.concat([gzipSync(text.subarray(0, cut)), gzipSync(text.subarray(cut))]));
    expect(readAll(gz)).toEqual(readAll(plain));
    const cutShort = write('', 'cut.csv.gz');
    fs.writeFileSync(cutShort, gzipSync(text).subarray(0, 40_000));
    expectError(() => readAll(cutShort), 'CORRUPTION', /cut\.csv\.gz: gzip: unexpected end of file/);
  });

  it('zstd input is NOT_SUPPORTED with the way out; a missing file NOT_FOUND', () => {
    const zst = write('', 'noext');
    fs.writeFileSync(zst, Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0]));
    expectError(() => readAll(zst), 'NOT_SUPPORTED', /zstd/);
    expectError(() => readAll(path.join(tmpDir(), 'absent.csv')), 'NOT_FOUND', /trace not found/);
  });
});
