/**
 * `kvlab search` end to end on hashlog (tiny store, 1 s steps, forked steps as by default): the
 * file validates, the steps follow the doubling/bisection rules whatever the machine measured,
 * the HTML renders with the figure, --from re-renders, and usage mistakes are one line, exit 2.
 * No timing is asserted: which steps pass depends on the (shared, noisy) machine.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
/* eslint-disable @typescript-eslint/no-explicit-any */
import { describe, expect, it } from 'vitest';
import { readSearch } from '../../harness/search-results.js';
import { validateResults } from '../../harness/results.js';
import { tmpDir } from '../support/tmp.js';
import { cli } from '../harness/helpers.js';

const oneLine = (s: string) => s.trim().split('\n').length === 1;
const base = ['-P', 'workloads/workloada', '-p', 'recordcount=500', '--engine', 'hashlog', '--step-seconds', '1', '--warmup-seconds', '0', '--cooldown', '0', '--no-harness-cost'];

describe('kvlab search', () => {
  it('searches, writes a valid file, renders the report; the steps double then stay inside the bracket', async () => {
    const d = tmpDir();
    const out = path.join(d, 's.json');
    const html = path.join(d, 's.html');
    const r = await cli(['search', ...base, '--dir', path.join(d, 'store'), '--slo', 'p99<2s', '--slo', 'read.p50<1s,update.p50<1s', '--start-rate', '300', '--max-steps', '4', '--precision', '20', '--out', out, '--report', html]);
    expect(r.code, r.err).toBe(0);
    const s = readSearch(out); // validated on read
    expect(s.kind).toBe('kvlab-search');
    expect(s.slo.clauses.map((c) => c.text)).toEqual(['p99<2s', 'READ.p50<1s', 'UPDATE.p50<1s']);
    expect(s.harness).toMatchObject({ stepSeconds: 1, forked: true, loaded: true, latency: 'intended', startRate: 300, maxSteps: 4, precision: 0.2 });
    expect(s.load?.operations).toBe(500);
    expect(s.steps.length).toBeGreaterThanOrEqual(1);
    expect(s.steps.length).toBeLessThanOrEqual(4);
    let pass = -Infinity;
    let fail = Infinity;
    s.steps.forEach((st, i) => {
      expect(st.index).toBe(i);
      if (i === 0) expect(st.target).toBe(300);
      else if (st.stage === 'double') expect(st.target).toBe(s.steps[i - 1]!.target * 2);
      else if (st.stage === 'halve') expect(st.target).toBe(s.steps[i - 1]!.target / 2);
      else {
        expect(st.target).toBeGreaterThan(pass);
        expect(st.target).toBeLessThan(fail);
      }
      if (st.pass) pass = Math.max(pass, st.target);
      else fail = Math.min(fail, st.target);
      expect(st.clauses).toHaveLength(3);
      expect(Object.keys(st.latency).sort()).toEqual(['READ', 'UPDATE', 'overall']);
      // each step is a complete run results file at its own target, on the store the search loaded
      const res = validateResults(st.results);
      expect(res.harness.targetOpsPerSec).toBe(st.target);
      expect(res.phases.map((p) => p.phase)).toEqual(['run']);
      expect(st.achieved).toBe(res.phases[0]!.trials[0]!.throughput);
    });
    expect(s.result.highestPassingRate).toBe(pass === -Infinity ? null : pass);
    expect(s.knee.definition).toMatch(/2x its value at the lowest tried rate/);
    // the final stdout line is the highest rate that met the SLO
    expect(r.out.trim().split('\n').at(-1)).toMatch(/^highest rate meeting p99<2s, READ.p50<1s, UPDATE.p50<1s on hashlog: /);
    expect(r.err).toMatch(/search step 1 \(double\): target 300 ops\/s/);
    const page = fs.readFileSync(html, 'utf8');
    expect(page).toContain('Latency against the offered rate');
    expect(page).toContain('"type":"scatter"');
    expect(page).toMatch(/Knee: the lowest tried rate/);
    // validated on read: a damaged file names the JSON path, a result no passing step supports is refused
    const bad = (mutate: (x: Record<string, any>) => void) => {
      const x = JSON.parse(fs.readFileSync(out, 'utf8'));
      mutate(x);
      const f = path.join(d, 'bad.json');
      fs.writeFileSync(f, JSON.stringify(x));
      return () => readSearch(f);
    };
    expect(bad((x) => delete x.steps[0].achieved)).toThrow(/steps\[0\]\.achieved/);
    expect(bad((x) => { x.result.highestPassingRate = 123.5; })).toThrow(/no passing step has target 123.5/);
    expect(bad((x) => { x.steps[0].clauses.pop(); })).toThrow(/steps\[0\]\.clauses: expected 3 verdicts/);
    expect(bad((x) => { x.schemaVersion = 9; })).toThrow(/schemaVersion 9 is not supported/);
    // --from re-renders from the file alone
    const md = path.join(d, 's.md');
    const again = await cli(['search', '--from', out, '--markdown', md]);
    expect(again.code, again.err).toBe(0);
    expect(fs.readFileSync(md, 'utf8')).toMatch(/\| step \| stage \| verdict \|/);
    // the store is kept and not empty: a second search on it needs --reuse-data
    const refused = await cli(['search', ...base, '--dir', path.join(d, 'store'), '--slo', 'p99<1s']);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/not empty: pass --reuse-data/);
  });

  const usage: Array<[string, string[], RegExp]> = [
    ['bad SLO', ['--slo', 'p99<<1ms'], /INVALID_ARGUMENT: --slo 'p99<<1ms': not a clause/],
    ['bad unit', ['--slo', 'p99<1min'], /unknown unit 'min'/],
    ['no SLO', [], /--slo is required/],
    ['op the workload never runs', ['--slo', 'insert.p99<1ms'], /has no INSERT operations/],
    ['--target', ['--slo', 'p99<1ms', '--target', '100'], /--target is not a search option/],
    ['bad precision', ['--slo', 'p99<1ms', '--precision', 'x'], /--precision must be a percentage/],
  ];
  for (const [name, extra, re] of usage) {
    it(`${name}: one line on stderr, exit 2`, async () => {
      const r = await cli(['search', ...base, '--dir', path.join(tmpDir(), 'store'), ...extra]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(re);
      expect(oneLine(r.err)).toBe(true);
    });
  }

  it('--help prints usage and exits 0; help lists search', async () => {
    const r = await cli(['search', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/usage: kvlab search/);
    expect((await cli(['help'])).out).toContain('  search ');
  });
});
