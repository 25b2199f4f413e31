/**
 * YCSB's client properties through the CLI (issue 14 item 4) and bad input refused before any
 * work with exit 2 and one short line (issue 15 item 4): -P files are held to the same rules as -p.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResults } from '../../harness/results.js';
import { tmpDir } from '../support/tmp.js';
import { cli } from './helpers.js';

const base = (dir: string) => ['-P', 'c', '-p', 'recordcount=200', '-p', 'operationcount=300', '--engine', 'map', '--dir', path.join(dir, 's'), '--no-harness-cost', '-q'];

describe('YCSB client properties', () => {
  it('threadcount and target from -p, and from a -P file, act as -threads / -target', async () => {
    const dir = tmpDir();
    const r1 = await cli(['run', ...base(dir), '-p', 'target=2000', '--out', path.join(dir, 'a.json')]);
    expect(r1.code, r1.err).toBe(0);
    expect(readResults(path.join(dir, 'a.json')).harness.targetOpsPerSec).toBe(2000);
    const file = path.join(dir, 'client.properties');
    fs.writeFileSync(file, 'target=1500\ntimeseries.granularity=50\nmeasurementtype=timeseries\n');
    const r2 = await cli(['run', ...base(dir), '-P', file, '--out', path.join(dir, 'b.json')]);
    expect(r2.code, r2.err).toBe(0);
    const b = readResults(path.join(dir, 'b.json'));
    expect(b.harness.targetOpsPerSec).toBe(1500);
    expect(b.harness.intervalMs).toBe(50);
    const r3 = await cli(['run', ...base(dir).map((a) => (a === 'map' ? 'classic-level' : a)), '-p', 'threadcount=4', '--out', path.join(dir, 'c.json')]);
    expect(r3.code, r3.err).toBe(0);
    expect(readResults(path.join(dir, 'c.json')).harness.threads).toBe(4);
  });

  it('exportfile writes YCSB text or JSON-array exporter output with hdrhistogram.percentiles', async () => {
    const dir = tmpDir();
    const txt = path.join(dir, 'x.txt');
    expect((await cli(['run', ...base(dir), '-p', `exportfile=${txt}`, '-p', 'hdrhistogram.percentiles=90,99.9'])).code).toBe(0);
    const t = fs.readFileSync(txt, 'utf8');
    expect(t).toMatch(/^\[OVERALL\], RunTime\(ms\), \d+$/m);
    expect(t).toMatch(/^\[READ\], Operations, 300$/m);
    expect(t).toMatch(/^\[READ\], 90thPercentileLatency\(us\), [\d.]+$/m);
    expect(t).toMatch(/^\[READ\], 99.9PercentileLatency\(us\), [\d.]+$/m);
    const js = path.join(dir, 'x.json');
    expect((await cli(['run', ...base(dir), '-p', `exportfile=${js}`, '-p', 'exporter=site.ycsb.measurements.exporter.JSONArrayMeasurementsExporter'])).code).toBe(0);
    const rows = JSON.parse(fs.readFileSync(js, 'utf8')) as Array<{ metric: string; measurement: string; value: number }>;
    expect(rows).toContainEqual({ metric: 'READ', measurement: 'Operations', value: 300 });
    expect(rows.find((r) => r.measurement === '95thPercentileLatency(us)')).toBeDefined();
  });

  it('a binding property is accepted and listed as ignored in the result', async () => {
    const dir = tmpDir();
    expect((await cli(['run', ...base(dir), '-p', 'rocksdb.dir=/x', '-p', 'table=usertable', '--out', path.join(dir, 'i.json')])).code).toBe(0);
    expect(readResults(path.join(dir, 'i.json')).workload.ignoredProperties).toEqual(['table', 'rocksdb.dir']);
  });
});

describe('bad input: exit 2, one short line, before any work', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['TimeSeriesWorkload', ['-p', 'workload=site.ycsb.workloads.TimeSeriesWorkload'], /workload=.*CoreWorkload/],
    ['an empty value', ['-p', 'readproportion='], /readproportion has an empty value/],
    ['an unknown measurement type', ['-p', 'measurementtype=raw'], /measurementtype=raw/],
    ['an unknown exporter', ['-p', 'exporter=x.Y'], /exporter=x\.Y/],
    ['insertion retries', ['-p', 'core_workload_insertion_retry_limit=3'], /insertion retries are not implemented/],
    ['recordcount=0', ['-p', 'recordcount=0'], /recordcount: must be >= 1/],
    ['overflowing proportions', ['-p', 'readproportion=1e308', '-p', 'updateproportion=1e308'], /proportions sum to Infinity/],
    ['a huge field', ['-p', 'fieldlength=1000000000'], /fieldlength/],
    ['a typo', ['-p', 'recordcont=5'], /unknown property 'recordcont'/],
    ['bad percentiles', ['-p', 'hdrhistogram.percentiles=50,101'], /'101' is not a percentile/],
  ];
  for (const [what, extra, msg] of cases)
    it(what, async () => {
      const dir = tmpDir();
      const r = await cli(['run', ...base(dir), ...extra, '--out', path.join(dir, 'r.json')]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(fs.existsSync(path.join(dir, 'r.json'))).toBe(false);
    });

  it('a -P file of binary junk, an unknown property in a file, a 10 MB line', async () => {
    const dir = tmpDir();
    const junk = path.join(dir, 'junk');
    fs.writeFileSync(junk, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
    const unknown = path.join(dir, 'unknown');
    fs.writeFileSync(unknown, 'recordcount=10\nrecordcont=10\n');
    const long = path.join(dir, 'long');
    fs.writeFileSync(long, `recordcount=10\nfieldnameprefix=${'x'.repeat(10 << 20)}\n`);
    for (const [f, msg] of [[junk, /is not a property name/], [unknown, /unknown:2: unknown property 'recordcont'/], [long, /long:2: property fieldnameprefix: value of 10485760 characters/]] as const) {
      const r = await cli(['run', ...base(dir), '-P', f]);
      expect(r.code, f).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err.length).toBeLessThan(600); // never the 10 MB value echoed back
    }
  });

  it('--out a directory, --out under a file, --dir a file: exit 2 before any work, nothing left behind', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'plain');
    fs.writeFileSync(file, 'x');
    const outDir = path.join(dir, 'outdir');
    fs.mkdirSync(outDir);
    for (const [extra, msg] of [
      [['--out', outDir], /--out .* is a directory/],
      [['--out', path.join(file, 'r.json')], /cannot write there/],
      [['--dir', file], /--dir .* is not a directory/],
    ] as const) {
      const r = await cli(['run', ...base(dir).filter((a, i, all) => !(a === '--dir' || all[i - 1] === '--dir')), '--engine', 'hashlog', ...(extra.includes('--dir') ? [] : ['--dir', path.join(dir, 's')]), ...extra]);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err).not.toMatch(/ops\/s|\[OVERALL\]/); // refused before the benchmark ran
    }
    expect(fs.readdirSync(outDir)).toEqual([]);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('compare of results that share nothing is exit 2, even without --fail-on-regression', async () => {
    const dir = tmpDir();
    const a = path.join(dir, 'a.json');
    const b = path.join(dir, 'b.json');
    expect((await cli(['load', ...base(dir), '--out', a])).code).toBe(0);
    expect((await cli(['load', ...base(dir).map((x) => (x === 'map' ? 'hashlog' : x)), '--dir', path.join(dir, 'h'), '--out', b])).code).toBe(0);
    const r = await cli(['compare', a, b]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/share no engine × workload × metric/);
  });

  it('inspect of a missing path, a file, a directory without a btree store: one line, exit 2', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'f');
    fs.writeFileSync(file, 'x');
    for (const [p, msg] of [[path.join(dir, 'none'), /no such directory/], [file, /is not a directory/], [dir, /holds no data\.btree/]] as const) {
      const r = await cli(['inspect', p]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
  });
});

