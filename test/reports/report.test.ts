import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isKvError } from '../../engines/errors.js';
import { readResults, writeResults, type ResultsFile } from '../../harness/results.js';
import { compareCommand, reportCommand } from '../../cli/commands/report.js';
import { compareResults, renderComparisonMarkdown, renderHtmlReport, renderMarkdownSummary, toCsv, toHgrm, toYcsbText, CSV_COLUMNS } from '../../reports/index.js';
import { BUNDLED_TRACE_TYPES } from '../../reports/figures/figure.js';
import { firstTrials, HOSTILE, matrixFixtures, withRunThroughputs, type FixtureSet } from './fixtures.js';

let fx: FixtureSet;
let tmp: string;
beforeAll(async () => {
  fx = await matrixFixtures();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlab-reports-out-'));
}, 300_000); // generating fixtures with the real harness: slow on a loaded machine
afterAll(() => {
  fs.rmSync(fx.dir, { recursive: true, force: true });
  fs.rmSync(tmp, { recursive: true, force: true });
});

function embeddedFigures(html: string): Array<{ id: string; data: Array<Record<string, unknown>>; layout: { title: { text: string } } }> {
  const m = /<script type="application\/json" id="kvlab-data">([^<]*)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]!).figures;
}

describe('HTML report', () => {
  it('is one self-contained page: three scripts, no external references, under 6 MB', () => {
    const html = renderHtmlReport(fx.results);
    expect(Buffer.byteLength(html)).toBeLessThan(6 * 1024 * 1024);
    expect(html.match(/<script/gi)).toHaveLength(3);
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+href=/i);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;sha256-/);
  });

  it('escapes every results-file string: the hostile label never appears raw', () => {
    const html = renderHtmlReport(fx.results, { title: HOSTILE });
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain(HOSTILE);
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    // in the figures the label is entity-escaped for plotly, inside JSON escaped for HTML
    const figs = embeddedFigures(html);
    const names = figs.flatMap((f) => f.data.map((t) => String(t['name'] ?? '')));
    expect(names.some((n) => n.includes('&lt;/script&gt;&lt;script&gt;alert(1)'))).toBe(true);
    expect(names.some((n) => n.includes('<script'))).toBe(false);
  });

  it('has a chart with traces for every section and states durability, dataset and seed in every title', () => {
    const html = renderHtmlReport(fx.results);
    const figs = embeddedFigures(html);
    for (const f of figs) {
      expect(html).toContain(`<div class="chart" id="${f.id}"`);
      expect(f.data.length).toBeGreaterThan(0);
      expect(f.layout.title.text).toMatch(/durability none/);
      expect(f.layout.title.text).toMatch(/seed 7/);
      expect(f.layout.title.text).toMatch(/records 2,000 \(/);
    }
    // only trace types the partial plotly bundle registers (scripts/build-plotly.mjs)
    for (const f of figs) for (const t of f.data) expect(BUNDLED_TRACE_TYPES).toContain(t['type']);
    const titles = figs.map((f) => f.layout.title.text);
    for (const want of [/Run throughput/, /READ latency percentile spectrum/, /SCAN latency percentile spectrum/, /over time/, /Load-phase throughput/, /RUM view/, /Harness cost/])
      expect(titles.some((t) => want.test(t))).toBe(true);
    // the nines axis
    const spectrum = figs.find((f) => /READ latency/.test(f.layout.title.text))!;
    expect((spectrum.layout as unknown as { xaxis: { ticktext: string[] } }).xaxis.ticktext.slice(0, 4)).toEqual(['0%', '50%', '90%', '99%']);
  });

  it('shows not-applicable pairs as n/a with the reason, never as 0', () => {
    const html = renderHtmlReport(fx.results);
    expect(html).toMatch(/n\/a: workloade has scans \(scanproportion=0\.95\); hashlog has no ordered scan/);
    expect(html).toContain('n/a (not applicable, not 0): hashlog [none] × workloade');
    const bars = embeddedFigures(html).find((f) => /^Run throughput/.test(f.layout.title.text))!;
    const hashlog = bars.data.find((t) => t['name'] === 'hashlog [none]')!;
    expect((hashlog['y'] as (number | null)[])[1]).toBeNull();
  });

  it('rejects an invalid results object with the validator error', () => {
    const bad = structuredClone(fx.results[0]!) as unknown as { engine: { durability: string } };
    bad.engine.durability = 'sometimes';
    try {
      renderHtmlReport([bad as unknown as ResultsFile]);
      expect.unreachable();
    } catch (e) {
      expect(isKvError(e, 'INVALID_ARGUMENT')).toBe(true);
      expect((e as Error).message).toMatch(/engine\.durability/);
    }
  });

  it('merges a load-only file and a run-only file of the same engine × workload into one cell', () => {
    const loadOnly = structuredClone(fx.results[1]!);
    loadOnly.phases = loadOnly.phases.filter((p) => p.phase === 'load');
    const runOnly = structuredClone(fx.results[1]!);
    runOnly.phases = runOnly.phases.filter((p) => p.phase === 'run');
    const figs = embeddedFigures(renderHtmlReport([loadOnly, runOnly]));
    for (const want of [/^Run throughput/, /^Load-phase throughput/]) {
      const f = figs.find((x) => want.test(x.layout.title.text))!;
      expect(f.data.map((t) => t['name'])).toEqual(['hashlog [none]']);
    }
    expect(figs.filter((f) => /^Run throughput/.test(f.layout.title.text))).toHaveLength(1);
  });

  it('a histogram that does not decode is a CORRUPTION error naming the cell', () => {
    const bad = structuredClone(fx.results[0]!);
    bad.phases.find((p) => p.phase === 'run')!.trials[0]!.ops.READ!.latency.hdrBase64 = 'AAAA';
    try {
      renderHtmlReport([bad]);
      expect.unreachable();
    } catch (e) {
      expect(isKvError(e, 'CORRUPTION')).toBe(true);
      expect((e as Error).message).toMatch(/^map \[none\] × workloada run READ latency: hdrBase64 does not decode/);
    }
  });

  it('warns when results mix durability modes', () => {
    const always = structuredClone(fx.results[1]!);
    always.engine.durability = 'always';
    expect(renderHtmlReport([fx.results[0]!, always])).toContain('results mix durability modes (none, always)');
  });
});

describe('Markdown summary and exports', () => {
  it('Markdown: tables with n/a, escaped hostile label, context line', () => {
    const md = renderMarkdownSummary(fx.results);
    expect(md).toContain('| workload | engine \\[durability\\] | median |');
    expect(md).toMatch(/n\/a: workloade has scans/);
    expect(md).not.toContain('<script');
    expect(md).toContain('&lt;/script&gt;');
    expect(md).toMatch(/workloada: records 2,000 \(.*\) · seed 7 · durability none/);
  });

  it('CSV: header, one row per trial (ALL) and per op type, n/a row', () => {
    const csv = toCsv(fx.results).trimEnd().split('\n');
    expect(csv[0]).toBe(CSV_COLUMNS.join(','));
    let want = 1;
    for (const r of fx.results) {
      if (r.notApplicable) want += 1;
      for (const p of r.phases) for (const t of p.trials) want += 1 + Object.keys(t.ops).length;
    }
    expect(csv).toHaveLength(want);
    const na = csv.find((l) => l.startsWith('hashlog,none,workloade'))!;
    expect(na.endsWith('hashlog has no ordered scan')).toBe(true);
    const row = csv.find((l) => l.startsWith('map,none,workloada,7,2000,1,run,0,') && l.includes(',READ,'))!.split(',');
    const t = fx.results[0]!.phases.find((p) => p.phase === 'run')!.trials[0]!;
    expect(Number(row[CSV_COLUMNS.indexOf('count')])).toBe(t.ops.READ!.count);
    expect(Number(row[CSV_COLUMNS.indexOf('p99_ns')])).toBe(t.ops.READ!.latency.percentiles.p99);
  });

  it('YCSB text and .hgrm distributions per op type', () => {
    const y = toYcsbText(fx.results);
    expect(y).toMatch(/\[OVERALL\], Throughput\(ops\/sec\), \d/);
    expect(y).toMatch(/\[READ\], 99thPercentileLatency\(us\), \d/);
    expect(y).toMatch(/NOT APPLICABLE: workloade has scans/);
    const h = toHgrm(fx.results);
    const names = h.map((f) => f.name);
    expect(names).toContain('map_none_workloada_run_READ.hgrm');
    expect(names).toContain('map_none_workloade_run_SCAN.hgrm');
    expect(names.every((n) => /^[A-Za-z0-9._=-]+\.hgrm$/.test(n))).toBe(true);
    const read = h.find((f) => f.name === 'map_none_workloada_run_READ.hgrm')!.text;
    expect(read).toMatch(/Value\s+Percentile\s+TotalCount/);
    const total = fx.results[0]!.phases.find((p) => p.phase === 'run')!.trials.reduce((s, t) => s + t.ops.READ!.count, 0);
    expect(read).toMatch(new RegExp(`Total count\\s+=\\s+${total}]`));
  });
});

describe('comparison', () => {
  const base = () => withRunThroughputs(fx.results[0]!, [1000, 1010, 990]);

  it('identical results: nothing regresses', () => {
    const c = compareResults(fx.results, fx.results);
    expect(c.regressions).toBe(0);
    expect(c.improvements).toBe(0);
    expect(c.rows.filter((r) => r.verdict === 'within-noise').length).toBeGreaterThan(0);
    expect(c.rows.find((r) => r.workload === 'workloade' && r.engine === 'hashlog')!.verdict).toBe('not-applicable');
  });

  it('a significant drop beyond the minimum effect is a regression; a rise an improvement', () => {
    const drop = compareResults([base()], [withRunThroughputs(fx.results[0]!, [800, 810, 790])]);
    const row = drop.rows.find((r) => r.metric === 'run throughput')!;
    expect(row.verdict).toBe('regression');
    expect(row.change).toBeCloseTo(-0.2, 9);
    expect(row.p!).toBeLessThan(0.05);
    expect(drop.regressions).toBe(1);
    const rise = compareResults([base()], [withRunThroughputs(fx.results[0]!, [1200, 1210, 1190])]);
    expect(rise.rows.find((r) => r.metric === 'run throughput')!.verdict).toBe('improvement');
    // latency metrics are unchanged: within noise
    expect(rise.rows.find((r) => r.metric === 'run p99 (all ops)')!.verdict).toBe('within-noise');
  });

  it('a significant but tiny change, or a large but noisy one, is within noise', () => {
    const tiny = compareResults([base()], [withRunThroughputs(fx.results[0]!, [1020, 1030, 1010])]);
    expect(tiny.rows.find((r) => r.metric === 'run throughput')!.verdict).toBe('within-noise');
    const noisy = compareResults([base()], [withRunThroughputs(fx.results[0]!, [400, 1600, 700])]);
    const r = noisy.rows.find((x) => x.metric === 'run throughput')!;
    expect(r.verdict).toBe('within-noise');
    expect(r.p!).toBeGreaterThan(0.05);
  });

  it('a single trial gives "insufficient trials", not a verdict', () => {
    const one = firstTrials(withRunThroughputs(fx.results[0]!, [500, 500, 500]), 1);
    const c = compareResults([base()], [one]);
    const r = c.rows.find((x) => x.metric === 'run throughput')!;
    expect(r.verdict).toBe('insufficient-trials');
    expect(r.change).toBeCloseTo(-0.5, 9);
    expect(c.regressions).toBe(0);
    expect(renderComparisonMarkdown(c)).toContain('insufficient trials');
  });

  it('missing cells are reported as such', () => {
    const c = compareResults([fx.results[0]!, fx.results[1]!], [fx.results[0]!]);
    expect(c.rows.filter((r) => r.engine === 'hashlog').every((r) => r.verdict === 'missing-candidate')).toBe(true);
  });

  it('Markdown comparison escapes labels and states the test', () => {
    const c = compareResults([fx.results[4]!], [fx.results[4]!]);
    const md = renderComparisonMarkdown(c);
    expect(md).toContain("Welch's two-sided t-test");
    expect(md).not.toContain('<script');
  });
});

describe('CLI', () => {
  function run(fn: (a: string[]) => number, args: string[]): { code: number; out: string; err: string } {
    let out = '';
    let err = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    try {
      return { code: fn(args), out, err };
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
  }

  it('report writes the HTML and every requested export', () => {
    const out = path.join(tmp, 'r', 'report.html');
    const r = run(reportCommand, [fx.dir, '-o', out, '--markdown', path.join(tmp, 'r.md'), '--csv', path.join(tmp, 'r.csv'), '--ycsb', path.join(tmp, 'r.txt'), '--hgrm', path.join(tmp, 'hgrm')]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^kvlab report: 5 results file\(s\) -> /);
    expect(fs.readFileSync(out, 'utf8')).toMatch(/^<!doctype html>/);
    for (const f of ['r.md', 'r.csv', 'r.txt']) expect(fs.statSync(path.join(tmp, f)).size).toBeGreaterThan(0);
    expect(fs.readdirSync(path.join(tmp, 'hgrm')).length).toBeGreaterThan(3);
  });

  it('report errors are one typed line and exit 2', () => {
    for (const [args, code] of [
      [[fx.files[0]!], /INVALID_ARGUMENT: missing -o/],
      [['-o', path.join(tmp, 'x.html')], /INVALID_ARGUMENT: no results files/],
      [[path.join(tmp, 'nope.json'), '-o', path.join(tmp, 'x.html')], /NOT_FOUND: /],
      [[fx.files[0]!, '-o', path.join(tmp, 'x.html'), '--bogus'], /INVALID_ARGUMENT: unknown option --bogus/],
    ] as const) {
      const r = run(reportCommand, [...args]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(new RegExp(`^kvlab report: ${code.source}`));
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    }
    const bad = path.join(tmp, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ ...readResults(fx.files[0]!), schemaVersion: 99 }));
    expect(run(reportCommand, [bad, '-o', path.join(tmp, 'x.html')]).err).toMatch(/NOT_SUPPORTED: .*schemaVersion 99/);
    expect(run(reportCommand, ['--help']).out).toMatch(/^Usage: kvlab report/);
  });

  it('compare: --fail-on-regression sets the exit status; Markdown to a file or stdout', () => {
    const b = path.join(tmp, 'base.json');
    const c = path.join(tmp, 'cand.json');
    writeResults(b, withRunThroughputs(fx.results[0]!, [1000, 1010, 990]));
    writeResults(c, withRunThroughputs(fx.results[0]!, [800, 810, 790]));
    const md = path.join(tmp, 'cmp.md');
    const r = run(compareCommand, [b, c, '--fail-on-regression', '--markdown', md, '--html', path.join(tmp, 'cmp.html')]);
    expect(r.code).toBe(1);
    expect(fs.readFileSync(md, 'utf8')).toMatch(/REGRESSION \| workloada \| map \\\[none\\\] \| run throughput/);
    expect(fs.readFileSync(path.join(tmp, 'cmp.html'), 'utf8')).toContain('REGRESSION');
    expect(run(compareCommand, [b, c]).code).toBe(0);
    const same = run(compareCommand, [b, b, '--fail-on-regression']);
    expect(same.code).toBe(0);
    expect(same.out).toContain('0 regression(s)');
    expect(run(compareCommand, [b]).err).toMatch(/^kvlab compare: INVALID_ARGUMENT: want BASELINE and CANDIDATE/);
    expect(run(compareCommand, [b, c, '--alpha', '2']).code).toBe(2);
    expect(run(compareCommand, ['-h']).out).toMatch(/Welch/);
  });
});
