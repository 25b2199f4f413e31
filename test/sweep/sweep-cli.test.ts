/**
 * `kvlab sweep` end to end on small grids: one results file per point, the manifest, the report
 * with the models drawn; the lsm models held against the engine's own counters; the usage errors.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResults } from '../../harness/results.js';
import { modelChecks } from '../../reports/cost-models/index.js';
import { readSweepManifest } from '../../reports/sweep/manifest.js';
import { sweepWarnings } from '../../reports/sweep/report.js';
import { tmpDir } from '../support/tmp.js';
import { cli } from '../harness/helpers.js';

const small = ['-p', 'recordcount=3000', '-p', 'operationcount=3000', '--no-harness-cost', '--quiet'];

describe('kvlab sweep', () => {
  it('runs an lsm grid (bloomBits × compaction) with zero-result gets, and the bloom models agree with the engine', async () => {
    const out = path.join(tmpDir(), 'sweep');
    const r = await cli(['sweep', '--engine', 'lsm:memtableSize=65536,targetFileSize=65536', '--vary', 'bloomBits=0,4,8', '--vary', 'compaction=leveled,tiered',
      '-P', 'workloads/workloadc', '-p', 'recordcount=3000', '-p', 'operationcount=6000', '--no-harness-cost', '--quiet', '-p', 'requestdistribution=uniform', '-p', 'missingreadproportion=0.5', '--out', out]);
    expect(r.code, r.err).toBe(0);
    const { manifest } = readSweepManifest(out);
    expect(manifest.points).toHaveLength(6);
    expect(manifest.parameters.map((q) => q.name)).toEqual(['bloomBits', 'compaction']);
    const seen = new Set<string>();
    for (const p of manifest.points) {
      expect(p.file).not.toBeNull();
      seen.add(p.file!);
      const res = readResults(path.join(out, p.file!));
      // the file is the point: its resolved settings carry the point's values
      expect(String(res.engine.settings.bloomBits)).toBe(p.values.bloomBits);
      expect(res.engine.settings.compaction).toBe(p.values.compaction);
      const run = res.phases.find((x) => x.phase === 'run')!;
      const reads = run.trials[0]!.ops.READ!;
      // half the gets were sent to keys never loaded
      expect(reads.notFound / reads.count).toBeGreaterThan(0.4);
      expect(reads.notFound / reads.count).toBeLessThan(0.6);
      const checks = modelChecks(res);
      const fp = checks.find((c) => c.metric === 'bloomFpRate');
      if (p.values.bloomBits === '0') expect(fp).toBeUndefined();
      else {
        expect(fp!.measured).not.toBeNull();
        expect(fp!.verdict).toBe('agrees');
      }
      expect(checks.find((c) => c.metric === 'zeroResultCost')!.verdict).toBe('agrees');
      expect(checks.find((c) => c.metric === 'blocksPerGet')!.verdict).toBe('agrees');
      expect(checks.find((c) => c.metric === 'writeAmp')!.measured).toBeGreaterThan(1);
    }
    expect(seen.size).toBe(6);
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('bloom false-positive rate');
    expect(html).toContain('Monkey');
    expect(html).toContain('Dostoevsky');
    expect(fs.readFileSync(path.join(out, 'sweep.md'), 'utf8')).toMatch(/\| bloomBits=4, compaction=tiered \| bloomFpRate \|/);
  });

  it('holds the read models to every get the engine served: workload A\'s updates read their records too', async () => {
    const out = path.join(tmpDir(), 'sweep-a');
    const r = await cli(['sweep', '--engine', 'lsm:memtableSize=65536,targetFileSize=65536', '--vary', 'sizeRatio=4,10', '-P', 'workloads/workloada', ...small, '--out', out]);
    expect(r.code, r.err).toBe(0);
    const { manifest } = readSweepManifest(out);
    for (const p of manifest.points) {
      const res = readResults(path.join(out, p.file!));
      const run = res.phases.find((x) => x.phase === 'run')!.trials[0]!;
      const gets = run.engineStats.after.extra.gets! - run.engineStats.before.extra.gets!;
      expect(gets).toBeGreaterThan(run.ops.READ!.count); // the updates' reads are gets too
      const c = modelChecks(res).find((x) => x.metric === 'blocksPerGet')!;
      expect(c.verdict, c.formula).toBe('agrees');
      expect(modelChecks(res).find((x) => x.metric === 'writeAmp')!.verdict).toBe('agrees');
    }
  });

  it('varies recordcount and a btree option; the B+tree height model holds; --render rewrites the report', async () => {
    const out = path.join(tmpDir(), 'sweep-btree');
    const r = await cli(['sweep', '--engine', 'btree', '--vary', 'pageSize=1024,8192', '--vary', 'recordcount=500,4000', '-P', 'workloads/workloada',
      '-p', 'operationcount=1000', '--no-harness-cost', '--quiet', '--out', out]);
    expect(r.code, r.err).toBe(0);
    const { manifest } = readSweepManifest(out);
    expect(manifest.points.map((p) => `${p.values.pageSize}/${p.recordcount}`)).toEqual(['1024/500', '1024/4000', '8192/500', '8192/4000']);
    for (const p of manifest.points) {
      const res = readResults(path.join(out, p.file!));
      expect(res.workload.properties.recordcount).toBe(String(p.recordcount));
      const h = modelChecks(res).find((c) => c.metric === 'btreeHeight')!;
      expect(h.measured).not.toBeNull();
      expect(Math.abs(h.measured! - h.predicted)).toBeLessThanOrEqual(1);
    }
    fs.rmSync(path.join(out, 'report.html'));
    const again = await cli(['sweep', '--render', out]);
    expect(again.code, again.err).toBe(0);
    expect(fs.existsSync(path.join(out, 'report.html'))).toBe(true);
  });

  it('names a point that disagrees with its model at the top of the report', async () => {
    const out = path.join(tmpDir(), 'sweep-hashlog');
    const r = await cli(['sweep', '--engine', 'hashlog', '--vary', 'mergeRatio=0.3,0.7', '-P', 'workloads/workloada', ...small, '--out', out]);
    expect(r.code, r.err).toBe(0);
    const { manifest } = readSweepManifest(out);
    const pts = manifest.points.map((point) => ({ point, results: readResults(path.join(out, point.file!)) }));
    expect(sweepWarnings(manifest, pts)).toEqual([]);
    // the same results held against a model that is off by 10×: the report must say so
    const res = pts[0]!.results;
    const load = res.phases.find((x) => x.phase === 'load')!;
    const doctored = { ...res, phases: res.phases.map((ph) => (ph !== load ? ph : { ...ph, trials: ph.trials.map((t) => ({ ...t, amplification: { ...t.amplification, space: 10 * (t.amplification.space ?? 1) } })) })) };
    const w = sweepWarnings(manifest, [{ point: pts[0]!.point, results: doctored }]);
    expect(w.join('\n')).toMatch(/point mergeRatio=0.3: hash log space amplification after load .* disagrees/);
  });

  const errors: Array<[string, string[], RegExp]> = [
    ['no --engine', ['sweep', '--vary', 'bloomBits=0,1', '-P', 'workloads/workloadc'], /--engine SPEC is required/],
    ['no --vary', ['sweep', '--engine', 'lsm', '-P', 'workloads/workloadc'], /at least one --vary/],
    ['unknown option', ['sweep', '--engine', 'lsm', '--vary', 'blomBits=0,1', '-P', 'workloads/workloadc'], /blomBits: not an option of engine lsm \(its options: .*bloomBits/],
    ['bad value', ['sweep', '--engine', 'lsm', '--vary', 'bloomBits=0,many', '-P', 'workloads/workloadc'], /bloomBits=many/],
    ['bad record count', ['sweep', '--engine', 'lsm', '--vary', 'recordcount=10,ten', '-P', 'workloads/workloadc'], /positive integer, got 'ten'/],
    ['no workload', ['sweep', '--engine', 'lsm', '--vary', 'bloomBits=0,1'], /-P WORKLOAD is required/],
    ['fixed and varied', ['sweep', '--engine', 'lsm:bloomBits=4', '--vary', 'bloomBits=0,1', '-P', 'workloads/workloadc'], /already fixes it/],
    ['varied twice', ['sweep', '--engine', 'lsm', '--vary', 'bloomBits=0,1', '--vary', 'bloomBits=2', '-P', 'workloads/workloadc'], /twice/],
    ['recordcount twice', ['sweep', '--engine', 'lsm', '--vary', 'recordcount=10,20', '-p', 'recordcount=5', '-P', 'workloads/workloadc'], /drop -p recordcount/],
    ['not a sweep', ['sweep', '--render', '/nonexistent/sweep'], /NOT_FOUND/],
  ];
  for (const [name, argv, re] of errors) {
    it(`${name}: one line, exit 2`, async () => {
      const r = await cli(argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(re);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    });
  }
});
