import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isKvError, type ErrorCode } from '../../engines/errors.js';
import { parseWorkloadConfig } from '../../workloads/config.js';
import { STANDARD_WORKLOADS, workloadFile } from '../../workloads/files.js';
import { loadProperties, parseOverrides, parseProperties } from '../../workloads/properties.js';
import { tmpDir } from '../support/tmp.js';

function expectCode(f: () => unknown, code: ErrorCode, message?: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(isKvError(err, code), String(err)).toBe(true);
  if (message) expect((err as Error).message).toMatch(message);
}

describe('Java-properties parsing', () => {
  it('handles comments, blank lines, = : and whitespace separators, surrounding whitespace, continuations, escapes', () => {
    const p = parseProperties(
      [
        '# comment',
        '! also a comment',
        '',
        '   recordcount = 500  ',
        'operationcount:700',
        'fieldcount 3',
        'long=a\\',
        '   b',
        'esc\\=key=tab\\tnew\\u0041',
        'empty=',
      ].join('\r\n'),
    );
    expect(p).toEqual({ recordcount: '500', operationcount: '700', fieldcount: '3', long: 'ab', 'esc=key': 'tab\tnewA', empty: '' });
  });
  it('applies -P files in order and -p overrides last', () => {
    const d = tmpDir();
    writeFileSync(join(d, 'one'), 'recordcount=10\nfieldcount=2\n');
    writeFileSync(join(d, 'two'), 'recordcount=20\n');
    const p = loadProperties([join(d, 'one'), join(d, 'two')], { fieldcount: '5' });
    expect(p).toEqual({ recordcount: '20', fieldcount: '5' });
    expect(parseOverrides(['a=b', 'c = d=e'])).toEqual({ a: 'b', c: 'd=e' });
    expectCode(() => parseOverrides(['novalue']), 'INVALID_ARGUMENT');
  });
  it('reports a missing file as NOT_FOUND with the file', () => {
    expectCode(() => loadProperties(['/nonexistent/workloadz'], {}), 'NOT_FOUND', /workloadz/);
  });
});

describe('the shipped workload files carry YCSB’s values', () => {
  const load = (w: string) => parseWorkloadConfig(loadProperties([workloadFile(w)], {}));
  it('A..F', () => {
    const mix = (w: string) => load(w).proportions;
    expect(mix('workloada')).toEqual({ read: 0.5, update: 0.5, insert: 0, scan: 0, readmodifywrite: 0 });
    expect(mix('workloadb')).toEqual({ read: 0.95, update: 0.05, insert: 0, scan: 0, readmodifywrite: 0 });
    expect(mix('workloadc')).toEqual({ read: 1, update: 0, insert: 0, scan: 0, readmodifywrite: 0 });
    expect(mix('workloadd')).toEqual({ read: 0.95, update: 0, insert: 0.05, scan: 0, readmodifywrite: 0 });
    expect(mix('workloade')).toEqual({ read: 0, update: 0, insert: 0.05, scan: 0.95, readmodifywrite: 0 });
    expect(mix('workloadf')).toEqual({ read: 0.5, update: 0, insert: 0, scan: 0, readmodifywrite: 0.5 });
    for (const w of ['workloada', 'workloadb', 'workloadc', 'workloade', 'workloadf']) expect(load(w).requestdistribution).toBe('zipfian');
    expect(load('workloadd').requestdistribution).toBe('latest');
    const e = load('workloade');
    expect([e.minscanlength, e.maxscanlength, e.scanlengthdistribution]).toEqual([1, 100, 'uniform']);
    for (const w of STANDARD_WORKLOADS.slice(0, 6)) {
      const c = load(w);
      expect([c.recordcount, c.operationcount, c.readallfields]).toEqual([1000, 1000, true]);
    }
  });
  it('workload_template', () => {
    const t = load('workload_template');
    expect([t.recordcount, t.operationcount, t.insertstart, t.fieldcount, t.fieldlength]).toEqual([1_000_000, 3_000_000, 0, 10, 100]);
    expect([t.readallfields, t.writeallfields, t.fieldlengthdistribution, t.maxscanlength, t.hashedKeys, t.requestdistribution]).toEqual([
      true, false, 'constant', 1000, true, 'zipfian',
    ]);
    expect([t.hotspotdatafraction, t.hotspotopnfraction, t.table]).toEqual([0.2, 0.8, 'usertable']);
  });
  it('CoreWorkload defaults for properties a file does not set', () => {
    const c = parseWorkloadConfig({ recordcount: '100' });
    expect(c).toMatchObject({
      fieldcount: 10, fieldlength: 100, minfieldlength: 1, readallfields: true, writeallfields: false, hashedKeys: true,
      zeropadding: 1, requestdistribution: 'uniform', hotspotdatafraction: 0.2, hotspotopnfraction: 0.8,
      minscanlength: 1, maxscanlength: 1000, scanlengthdistribution: 'uniform', insertstart: 0, insertcount: 100,
      dataintegrity: false, fieldnameprefix: 'field', table: 'usertable', valuemode: 'ycsb', rawvaluelength: 1000,
      exponentialPercentile: 95, exponentialFrac: 0.8571428571,
      proportions: { read: 0.95, update: 0.05, insert: 0, scan: 0, readmodifywrite: 0 },
    });
    expect(c.fieldnames).toEqual(Array.from({ length: 10 }, (_, i) => `field${i}`));
    expect(parseWorkloadConfig({}).recordcount).toBe(2147483647); // YCSB: 0 means Integer.MAX_VALUE
    expect(parseWorkloadConfig({ insertorder: 'ordered' }).hashedKeys).toBe(false);
  });
});

describe('configuration errors', () => {
  const bad = (props: Record<string, string>, msg: RegExp) => expectCode(() => parseWorkloadConfig(props), 'INVALID_ARGUMENT', msg);
  it('unknown distributions', () => {
    bad({ requestdistribution: 'pareto' }, /unknown request distribution "pareto"/);
    bad({ scanlengthdistribution: 'latest' }, /scan length distribution/);
    bad({ fieldlengthdistribution: 'histogram' }, /histogram/);
    bad({ valuemode: 'json' }, /value mode/);
  });
  it('negative or malformed counts', () => {
    bad({ recordcount: '-5' }, /recordcount.*negative/);
    bad({ operationcount: '-1' }, /operationcount/);
    bad({ fieldcount: '0' }, /fieldcount/);
    bad({ recordcount: '1e3' }, /not an integer/);
    bad({ readproportion: 'half' }, /not a number/);
    bad({ readproportion: '-0.5' }, /negative/);
  });
  it('proportions that sum to zero', () => {
    bad({ readproportion: '0', updateproportion: '0' }, /sum to zero/);
  });
  it('insertstart + insertcount beyond recordcount', () => {
    bad({ recordcount: '100', insertstart: '50', insertcount: '51' }, /beyond recordcount/);
    expect(parseWorkloadConfig({ recordcount: '100', insertstart: '50' }).insertcount).toBe(50);
  });
  it('dataintegrity with a non-constant field length', () => {
    bad({ dataintegrity: 'true', fieldlengthdistribution: 'uniform' }, /constant/);
  });
});

describe('the property table', () => {
  it('workloads/README.md names every property the code accepts', async () => {
    const { KNOWN_PROPERTIES } = await import('../../workloads/properties.js');
    const fs = await import('node:fs');
    const readme = fs.readFileSync(new URL('../../workloads/README.md', import.meta.url), 'utf8');
    const missing = [...KNOWN_PROPERTIES].filter((k) => !readme.includes(`\`${k}\``));
    expect(missing).toEqual([]);
  });
});
