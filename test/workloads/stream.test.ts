import { describe, expect, it } from 'vitest';
import { loadProperties } from '../../workloads/properties.js';
import { parseWorkloadConfig } from '../../workloads/config.js';
import { workloadFile } from '../../workloads/files.js';
import { newOperation, type Operation } from '../../workloads/operation.js';
import { Random } from '../../workloads/random.js';
import { createKeyChooser, OperationStream } from '../../workloads/stream.js';
import { AcknowledgedCounterGenerator } from '../../workloads/generators/counters.js';
import { ScrambledZipfianGenerator } from '../../workloads/generators/scrambled-zipfian.js';
import { withinBinomial } from './stats.js';

function config(w: string, over: Record<string, string> = {}) {
  return parseWorkloadConfig(loadProperties([workloadFile(w)], { recordcount: '10000', operationcount: '100000', ...over }));
}

function take(s: OperationStream, n: number, ack = true): string[] {
  const op = newOperation();
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    s.nextRun(op);
    out.push(`${op.type} ${op.keynum} ${op.key.toString('latin1')} ${op.scanLength} ${op.readField} ${op.writeField}`);
    if (ack && op.type === 'INSERT') s.acknowledge(op.keynum);
  }
  return out;
}

/** Independent xoshiro128** over a splitmix32-seeded state (the documented algorithm). */
function referenceXoshiro(seed: number, stream: number, n: number): number[] {
  const sm = (x: number): number => {
    x = (x + 0x9e3779b9) | 0;
    let z = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let x = sm((seed >>> 0) ^ sm(Math.floor(seed / 2 ** 32) ^ Math.imul(stream + 1, 0x27d4eb2d)));
  const s = new Uint32Array(4);
  for (let i = 0; i < 4; i++) s[i] = x = sm(x);
  const rotl = (v: number, k: number) => ((v << k) | (v >>> (32 - k))) >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    out.push(Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0);
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
  }
  return out;
}

describe('seeded determinism', () => {
  it('the PRNG is xoshiro128** as documented (independent implementation)', () => {
    for (const [seed, stream] of [[0, 0], [42, 1], [2 ** 40 + 7, 3]] as const) {
      const r = new Random(seed, stream);
      expect(Array.from({ length: 100 }, () => r.nextU32())).toEqual(referenceXoshiro(seed, stream, 100));
    }
    const below = new Random(10);
    for (const n of [1, 2, 7, 0x200000, 0x200001, 2 ** 40]) {
      for (let i = 0; i < 2000; i++) {
        const v = below.nextBelow(n);
        expect(Number.isInteger(v) && v >= 0 && v < n).toBe(true);
      }
    }
    const d = new Random(9);
    for (let i = 0; i < 1000; i++) {
      const v = d.nextDouble();
      expect(v >= 0 && v < 1).toBe(true);
    }
  });
  it('the same seed and properties give the same operation stream; another seed another one', () => {
    for (const w of ['workloada', 'workloadd', 'workloade', 'workloadf']) {
      const a = take(new OperationStream(config(w), 7), 5000);
      const b = take(new OperationStream(config(w), 7), 5000);
      const c = take(new OperationStream(config(w), 8), 5000);
      expect(a).toEqual(b);
      expect(a).not.toEqual(c);
    }
  });
  it('load inserts insertstart .. insertstart+insertcount-1 in order, then stops', () => {
    const s = new OperationStream(parseWorkloadConfig({ recordcount: '100', insertstart: '40', insertcount: '30' }), 1);
    const op = newOperation();
    const keys: number[] = [];
    while (s.nextLoad(op)) {
      expect(op.type).toBe('INSERT');
      keys.push(op.keynum);
    }
    expect(keys).toEqual(Array.from({ length: 30 }, (_, i) => 40 + i));
    expect(s.nextLoad(op)).toBe(false);
  });
});

describe('operation mix and fields follow the workload', () => {
  const N = 100_000;
  function mix(w: string, over: Record<string, string> = {}): { counts: Record<string, number>; ops: Operation[] } {
    const s = new OperationStream(config(w, over), 3);
    const op = newOperation();
    const counts: Record<string, number> = {};
    const ops: Operation[] = [];
    for (let i = 0; i < N; i++) {
      s.nextRun(op);
      counts[op.type] = (counts[op.type] ?? 0) + 1;
      if (i < 2000) ops.push({ ...op, key: Buffer.from(op.key) });
      if (op.type === 'INSERT') s.acknowledge(op.keynum);
    }
    return { counts, ops };
  }
  it('workload A is 50/50 read/update, one field written per update', () => {
    const { counts, ops } = mix('workloada');
    expect(withinBinomial(counts['READ']!, N, 0.5)).toBe(true);
    expect(counts['READ']! + counts['UPDATE']!).toBe(N);
    for (const o of ops) {
      if (o.type === 'UPDATE') expect(o.writeField >= 0 && o.writeField < 10).toBe(true);
      else expect(o.readField).toBe(-1);
    }
  });
  it('workload E scans 1..100 records uniformly, 5% inserts with fresh key numbers', () => {
    const { counts, ops } = mix('workloade');
    expect(withinBinomial(counts['SCAN']!, N, 0.95)).toBe(true);
    const scans = ops.filter((o) => o.type === 'SCAN').map((o) => o.scanLength);
    expect(Math.min(...scans)).toBe(1);
    expect(Math.max(...scans)).toBe(100);
    const inserts = ops.filter((o) => o.type === 'INSERT').map((o) => o.keynum);
    expect(inserts).toEqual(Array.from({ length: inserts.length }, (_, i) => 10000 + i));
  });
  it('workload F: read-modify-write reads all fields and writes one; readallfields=false picks one', () => {
    const { counts, ops } = mix('workloadf', { readallfields: 'false' });
    expect(withinBinomial(counts['READMODIFYWRITE']!, N, 0.5)).toBe(true);
    for (const o of ops) {
      expect(o.readField >= 0 && o.readField < 10).toBe(true);
      if (o.type === 'READMODIFYWRITE') expect(o.writeField >= 0).toBe(true);
    }
  });
  it('the scrambled zipfian key space includes YCSB’s expected new keys (operationcount x insertproportion x 2)', () => {
    const cfg = parseWorkloadConfig(loadProperties([workloadFile('workloade')], {}));
    const g = createKeyChooser(cfg, new Random(1), new AcknowledgedCounterGenerator(cfg.recordcount));
    expect(g).toBeInstanceOf(ScrambledZipfianGenerator);
    // insertstart .. insertstart + insertcount + expectednewkeys inclusive: 0 .. 1000 + 100
    expect([(g as ScrambledZipfianGenerator).min, (g as ScrambledZipfianGenerator).itemcount]).toEqual([0, 1101]);
  });
  it('zipfian requests stay within the loaded keys (new keys only once acknowledged)', () => {
    const s = new OperationStream(config('workloada', { recordcount: '500' }), 4);
    const op = newOperation();
    for (let i = 0; i < 20_000; i++) {
      s.nextRun(op);
      expect(op.keynum >= 0 && op.keynum < 500).toBe(true);
    }
  });
  it('exponential and hotspot and sequential request distributions run through the stream', () => {
    for (const d of ['exponential', 'hotspot', 'sequential', 'uniform']) {
      const s = new OperationStream(config('workloadc', { requestdistribution: d, recordcount: '1000' }), 5);
      const op = newOperation();
      for (let i = 0; i < 5000; i++) {
        s.nextRun(op);
        expect(op.keynum >= 0 && op.keynum < 1000).toBe(true);
      }
    }
  });
});
