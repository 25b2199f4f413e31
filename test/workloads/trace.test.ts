import { openSync, readFileSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isKvError, type ErrorCode } from '../../engines/errors.js';
import { loadProperties } from '../../workloads/properties.js';
import { parseWorkloadConfig } from '../../workloads/config.js';
import { workloadFile } from '../../workloads/files.js';
import { newOperation, type Operation } from '../../workloads/operation.js';
import { OperationStream } from '../../workloads/stream.js';
import { TRACE_CHUNK_OPS, TraceReader, TraceWriter } from '../../workloads/trace.js';
import { tmpDir } from '../support/tmp.js';

const sig = (o: Operation) => `${o.type}|${o.keynum}|${o.key.toString('latin1')}|${o.scanLength}|${o.readField}|${o.writeField}`;

function record(path: string, w: string, ops: number, seed = 21): { props: Record<string, string>; expected: string[] } {
  const props = loadProperties([workloadFile(w)], { recordcount: '1000', operationcount: String(ops), readallfields: 'false' });
  const s = new OperationStream(parseWorkloadConfig(props), seed);
  const writer = new TraceWriter(path, { seed, props, meta: { phases: 'load+run' } });
  const op = newOperation();
  const expected: string[] = [];
  while (s.nextLoad(op)) {
    writer.append(op);
    expected.push(sig(op));
  }
  for (let i = 0; i < ops; i++) {
    s.nextRun(op);
    writer.append(op);
    expected.push(sig(op));
    if (op.type === 'INSERT') s.acknowledge(op.keynum);
  }
  writer.close();
  return { props, expected };
}

function expectCode(f: () => unknown, code: ErrorCode): KvErrorLike {
  try {
    f();
  } catch (e) {
    expect(isKvError(e, code), String(e)).toBe(true);
    return e as KvErrorLike;
  }
  throw new Error('expected an error');
}
type KvErrorLike = { file?: string; offset?: number };

function replayAll(path: string): string[] {
  const r = new TraceReader(path);
  const op = newOperation();
  const out: string[] = [];
  while (r.next(op)) out.push(sig(op));
  r.close();
  return out;
}

describe('traces', () => {
  it('replay reproduces the recorded sequence exactly, header included', () => {
    const d = tmpDir();
    for (const w of ['workloada', 'workloadd', 'workloade', 'workloadf']) {
      const path = join(d, `${w}.trace`);
      const { props, expected } = record(path, w, 5000);
      const r = new TraceReader(path);
      expect(r.header).toMatchObject({ format: 'kvlab-trace', version: 1, seed: 21, props, meta: { phases: 'load+run' } });
      expect(r.config.requestdistribution).toBe(parseWorkloadConfig(props).requestdistribution);
      r.close();
      expect(replayAll(path)).toEqual(expected);
    }
  });
  it('streams a multi-chunk trace without holding it (bounded by one chunk)', () => {
    const d = tmpDir();
    const path = join(d, 'big.trace');
    const n = TRACE_CHUNK_OPS * 4 + 123;
    const { expected } = record(path, 'workloada', n - 1000);
    expect(expected.length).toBe(n);
    const r = new TraceReader(path);
    const op = newOperation();
    let i = 0;
    let mismatches = 0;
    while (r.next(op)) if (sig(op) !== expected[i++]) mismatches++;
    expect([i, mismatches, r.count]).toEqual([n, 0, n]);
    expect(r.next(op)).toBe(false);
    r.close();
  });
  it('the writer streams: chunks reach the file while appending, not at close', () => {
    const path = join(tmpDir(), 'stream.trace');
    const w = new TraceWriter(path, { seed: 1, props: { recordcount: '10' } });
    const op = newOperation();
    const sizes: number[] = [];
    for (let i = 0; i < 3 * TRACE_CHUNK_OPS; i++) {
      op.keynum = i;
      w.append(op);
      if ((i + 1) % TRACE_CHUNK_OPS === 0) sizes.push(statSync(path).size);
    }
    // each chunk frame holds 21 bytes of columns per operation and is on disk once the chunk fills
    expect(sizes[0]!).toBeGreaterThan(21 * TRACE_CHUNK_OPS);
    expect(sizes[2]! - sizes[1]!).toBeGreaterThan(21 * TRACE_CHUNK_OPS);
    w.close();
  });
  it('an empty trace replays nothing', () => {
    const path = join(tmpDir(), 'empty.trace');
    new TraceWriter(path, { seed: 1, props: { recordcount: '10' } }).close();
    expect(replayAll(path)).toEqual([]);
  });
  it('reports a missing trace as NOT_FOUND, bad magic and flipped bytes as CORRUPTION with file and offset', () => {
    const d = tmpDir();
    expectCode(() => new TraceReader(join(d, 'none')), 'NOT_FOUND');
    const junk = join(d, 'junk');
    writeFileSync(junk, 'hello world, not a trace');
    expect(expectCode(() => new TraceReader(junk), 'CORRUPTION')).toMatchObject({ file: junk, offset: 0 });
    const path = join(d, 't.trace');
    record(path, 'workloada', 100_000);
    const size = statSync(path).size;
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.from([0x5a]), 0, 1, Math.floor(size / 2));
    closeSync(fd);
    const e = expectCode(() => replayAll(path), 'CORRUPTION');
    expect(e.file).toBe(path);
    expect(typeof e.offset).toBe('number');
  });
  it('a trace cut short (no end frame, or mid-frame) is CORRUPTION, never a silent short replay', () => {
    const d = tmpDir();
    const path = join(d, 't.trace');
    record(path, 'workloadb', 3 * TRACE_CHUNK_OPS);
    const bytes = readFileSync(path);
    for (const cut of [bytes.length - 3, bytes.length - 20, Math.floor(bytes.length * 0.7)]) {
      const p = join(d, `cut${cut}`);
      writeFileSync(p, bytes.subarray(0, cut));
      expectCode(() => replayAll(p), 'CORRUPTION');
    }
  });
  it('appending after close is CLOSED', () => {
    const path = join(tmpDir(), 'c.trace');
    const w = new TraceWriter(path, { seed: 1, props: {} });
    w.close();
    expectCode(() => w.append(newOperation()), 'CLOSED');
  });
});
