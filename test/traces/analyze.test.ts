/**
 * `kvlab trace analyze`: the shipped samples are the generator's output for their known
 * parameters; the fit recovers the known theta; the op mix is the trace's exactly; the printed
 * property file runs with `kvlab run -P`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProperties } from '../../workloads/properties.js';
import { parseWorkloadConfig } from '../../workloads/config.js';
import { workloadFile } from '../../workloads/files.js';
import { newOperation } from '../../workloads/operation.js';
import { OperationStream } from '../../workloads/stream.js';
import { TraceWriter } from '../../workloads/trace.js';
import { analyzeKvlab, analyzeTwitter, fitValueSizes, propertiesFor } from '../../workloads/traces/analyze.js';
import { fitZipf } from '../../workloads/traces/fit.js';
import { generateSample, SAMPLES } from '../../workloads/traces/generate-sample.js';
import { parseProperties } from '../../workloads/properties.js';
import { cli } from '../harness/helpers.js';
import { tmpDir } from '../support/tmp.js';
import { naiveCounts, READ_OPS, sample, sum, WRITE_OPS } from './helpers.js';

/** The fit's tolerance on the shipped samples (12,000 requests over 1,000 keys; measured errors 0.0066 and 0.0116; six other seeds of each ≤ 0.011). */
const THETA_TOLERANCE = 0.03;

describe('shipped samples', () => {
  for (const [name, spec] of Object.entries(SAMPLES)) {
    it(`${name}.csv is generateSample(SAMPLES['${name}']) byte for byte, well under 1 MB`, () => {
      const text = fs.readFileSync(sample(name), 'latin1');
      expect(text).toBe(generateSample(spec));
      expect(text.length).toBeLessThan(600_000);
    });
  }
});

describe('zipf fit', () => {
  it('recovers theta from exact expected counts (no sampling noise) to 0.002', () => {
    for (const theta of [0.5, 0.9, 0.99, 1.1, 1.5]) {
      const n = 2000;
      let h = 0;
      for (let r = 1; r <= n; r++) h += r ** -theta;
      const counts = Array.from({ length: n }, (_, i) => (1e9 * (i + 1) ** -theta) / h);
      const f = fitZipf(counts);
      expect(Math.abs(f.theta - theta), `theta ${theta}: fitted ${f.theta}`).toBeLessThan(0.002);
      expect(f.r2).toBeGreaterThan(0.999);
    }
  });

  it('uniform popularity fits theta 0; unsorted counts are refused', () => {
    expect(fitZipf([5, 5, 5, 5]).theta).toBe(0);
    expect(() => fitZipf([1, 2])).toThrow(/descending/);
  });

  for (const [name, spec] of Object.entries(SAMPLES)) {
    it(`${name}: theta within ${THETA_TOLERANCE} of ${spec.theta}, op mix exactly the trace's`, () => {
      const f = sample(name);
      const stats = analyzeTwitter(f);
      const { text, fit } = propertiesFor(stats);
      expect(Math.abs(fit.theta - spec.theta), `fitted ${fit.theta}`).toBeLessThan(THETA_TOLERANCE);
      const naive = naiveCounts(f);
      expect(stats.ops).toEqual(naive.ops);
      const reads = sum(naive.ops, READ_OPS);
      const writes = sum(naive.ops, WRITE_OPS);
      const props = parseProperties(text);
      expect(props.recordcount).toBe(String(naive.keys.size));
      expect(props.operationcount).toBe(String(reads + writes));
      expect(Number(props.readproportion)).toBeCloseTo(reads / (reads + writes), 5);
      expect(Number(props.updateproportion)).toBeCloseTo(writes / (reads + writes), 5);
      expect(Number(props.zipfianconstant)).toBeCloseTo(fit.theta, 4);
      expect(text).toMatch(new RegExp(`# deletes: ${naive.ops.delete} `));
      // and the trace's mix is the generator's within sampling error (4 sigma)
      const total = naive.lines.length;
      const w = Object.values(spec.mix).reduce((a, x) => a + x!, 0);
      for (const [op, x] of Object.entries(spec.mix)) {
        const p = x! / w;
        expect(Math.abs((naive.ops[op] ?? 0) / total - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / total));
      }
      // value sizes: one field within the generator's bounds
      expect(Number(props.fieldcount)).toBe(1);
      expect(Number(props.minfieldlength)).toBeGreaterThanOrEqual(spec.valueMin);
      expect(Number(props.fieldlength)).toBeLessThanOrEqual(spec.valueMax);
      expect(props.fieldlengthdistribution).toBe('uniform');
    });
  }

  it('value sizes: constant when all equal, zipfian when most are the minimum', () => {
    expect(fitValueSizes(new Map([[100, 50]]))).toMatchObject({ fieldlengthdistribution: 'constant', fieldlength: 100 });
    expect(fitValueSizes(new Map([[10, 900], [11, 50], [500, 1]]))).toMatchObject({ fieldlengthdistribution: 'zipfian', minfieldlength: 10, fieldlength: 500 });
    expect(fitValueSizes(new Map([[10, 10], [255, 10], [500, 10]]))).toMatchObject({ fieldlengthdistribution: 'uniform' });
  });
});

describe('the printed property file', () => {
  it('is accepted by kvlab run -P and runs with the fitted zipfianconstant', async () => {
    const dir = tmpDir();
    const props = path.join(dir, 'trace.props');
    const out = path.join(dir, 'r.json');
    const a = await cli(['trace', 'analyze', sample('twitter-theta1.1'), '--out', props]);
    expect(a.code, a.err).toBe(0);
    expect(a.out).toBe(fs.readFileSync(props, 'utf8'));
    const r = await cli(['run', '-P', props, '-p', 'operationcount=300', '--engine', 'map', '--no-harness-cost', '-q', '--out', out]);
    expect(r.code, r.err).toBe(0);
    const res = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(res.workload.properties.zipfianconstant).toBe(parseProperties(a.out).zipfianconstant);
    expect(res.phases[0].trials[0].operations).toBe(300);
  });

  it('of a kvlab trace keeps its YCSB operation types and value properties', () => {
    const f = path.join(tmpDir(), 'a.trace');
    const props = loadProperties([workloadFile('workloada')], { recordcount: '500', operationcount: '4000' });
    const s = new OperationStream(parseWorkloadConfig(props), 3);
    const w = new TraceWriter(f, { seed: 3, props });
    const op = newOperation();
    for (let i = 0; i < 4000; i++) {
      s.nextRun(op);
      w.append(op);
    }
    w.close();
    const stats = analyzeKvlab(f);
    const p = parseProperties(propertiesFor(stats).text);
    expect(Number(p.readproportion) + Number(p.updateproportion)).toBeCloseTo(1, 5);
    expect(Math.abs(Number(p.readproportion) - 0.5)).toBeLessThan(0.04);
    expect(p.fieldlength).toBe('100');
    expect(p.fieldcount).toBe('10');
    expect(() => parseWorkloadConfig(p)).not.toThrow();
  });
});
