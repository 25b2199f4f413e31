/**
 * Scale-out runs in reports (issue 18): cells keep client counts apart, merged figures say how
 * many client processes they merge, each multi-client cell gets a per-client table with
 * stragglers marked, and a throughput-against-clients figure appears for ≥ 2 client counts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ResultsFile } from '../../harness/results.js';
import { clientsTables, STRAGGLER_FRACTION } from '../../reports/clients.js';
import { clientsFigures } from '../../reports/figures/clients.js';
import { scaleFigures } from '../../reports/figures/scale.js';
import { compareResults, renderHtmlReport, renderMarkdownSummary } from '../../reports/index.js';
import { buildModel, contextLine, formatNs, formatNumber } from '../../reports/model.js';
import { latencyTable, throughputTable } from '../../reports/tables.js';
import { withClients } from './clients-fixtures.js';
import { HOSTILE, realResults, withRunThroughputs } from './fixtures.js';

const EVEN = [1, 1, 1, 1];
const STRAGGLING = [1, 1, 1, 0.5]; // client 3 at 0.5× the median client: a straggler
let map1: ResultsFile;
let hash1: ResultsFile;
let map4: ResultsFile;
let hash4: ResultsFile;

/** The same file with every run trial's throughput multiplied by `k` (a different cell median). */
function scaled(r: ResultsFile, k: number): ResultsFile {
  return withRunThroughputs(r, r.phases.find((p) => p.phase === 'run')!.trials.map((t) => t.throughput * k));
}

const runMedian = (r: ResultsFile) => r.phases.find((p) => p.phase === 'run')!.summary.throughput.median;

beforeAll(async () => {
  map1 = await realResults('map', 'workloada');
  hash1 = await realResults('hashlog', 'workloada');
  map4 = withClients(scaled(map1, 3), { weights: STRAGGLING });
  hash4 = withClients(scaled(hash1, 2), { weights: EVEN, ownStores: true });
}, 300_000);

describe('cells and client counts', () => {
  it('keeps a 4-client file and a one-process file of the same engine and workload apart', () => {
    const m = buildModel([map1, map4, hash1, hash4]);
    expect(m.cells).toHaveLength(4);
    expect(m.workloads).toEqual(['workloada × 1 client', 'workloada × 4 clients']);
    expect(m.cells.map((c) => c.clients)).toEqual([1, 4, 1, 4]);
    expect(m.cells.map((c) => c.workloadBase)).toEqual(['workloada', 'workloada', 'workloada', 'workloada']);
    const c4 = m.cells.find((c) => c.engine === map4.engine.label && c.clients === 4)!;
    expect(c4.files).toEqual([map4]);
    expect(c4.run!.summary.throughput.median).toBe(runMedian(map4));
    // one client count only: names unchanged, the count still on the cell
    const only4 = buildModel([map4, hash4]);
    expect(only4.workloads).toEqual(['workloada']);
    expect(only4.cells.map((c) => c.clients)).toEqual([4, 4]);
    expect(buildModel([map1]).cells[0]!.clients).toBe(1);
  });

  it('states the client processes wherever it states how a figure was obtained', () => {
    const m = buildModel([map1, map4, hash1, hash4]);
    const ctx = (eng: string, n: number) => contextLine(m.cells.filter((c) => c.engine === eng && c.clients === n));
    expect(ctx(map4.engine.label, 4)).toMatch(/ · 4 client processes \(processes\), merged exactly$/);
    expect(ctx(hash4.engine.label, 4)).toMatch(/ · 4 client processes \(processes\), merged exactly, own stores$/);
    expect(contextLine(m.cells)).toMatch(/one process \/ 4 client processes/);
    expect(contextLine(buildModel([map1]).cells)).not.toMatch(/client|process/);
    const tt = throughputTable(m, 'run');
    expect(tt.head.at(-1)).toBe('clients');
    for (const r of tt.rows) expect(r.at(-1)).toMatch(String(r[0]).endsWith('× 1 client') ? /^one process$/ : /^4 client processes \(processes\), merged exactly/);
    const lt = latencyTable(m);
    expect(lt.head.at(-1)).toBe('clients');
    expect(lt.rows.filter((r) => String(r.at(-1)).startsWith('4 client processes')).length).toBeGreaterThan(0);
    // no scale-out cell: the tables are unchanged
    expect(throughputTable(buildModel([map1, hash1]), 'run').head).not.toContain('clients');
  });


  it('names agents, warns when one cell merges files run differently, and when a comparison crosses client counts', () => {
    const agents = withClients(map1, { weights: EVEN, agents: ['10.0.0.1:7070', '10.0.0.2:7070'] });
    const a = buildModel([agents]).cells[0]!;
    expect(contextLine([a])).toMatch(/ · 4 client processes \(agents: 2 agents × 2 each\), merged exactly$/);
    const agentCol = clientsTables(buildModel([agents]))[0]!;
    expect(agentCol.rows.map((r) => r[agentCol.head.indexOf('agent')])).toContain('10.0.0.2:7070');
    // --clients 1 is one client count with a one-process run, but not the same setting: said, not hidden
    const one = withClients(map1, { weights: [1] });
    const m = buildModel([map1, one]);
    expect(m.cells).toHaveLength(1);
    expect(m.warnings.some((w) => /its files ran clients differently \(one process vs 1 client process \(processes\), merged exactly\)/.test(w))).toBe(true);
    expect(compareResults([map1], [map4]).warnings.some((w) => /one process \(baseline\) vs 4 client processes \(processes\), merged exactly \(candidate\)/.test(w))).toBe(true);
    expect(compareResults([map1], [map1]).warnings.some((w) => /client/.test(w))).toBe(false);
  });
});

describe('per-client breakdown', () => {
  it('lists every client of every run trial and marks the planted straggler only', () => {
    const tables = clientsTables(buildModel([map1, map4, hash1, hash4]));
    expect(tables).toHaveLength(2); // the one-process cells have none
    const [t] = tables;
    const head = t!.head;
    const col = (name: string) => head.indexOf(name);
    const run = map4.phases.find((p) => p.phase === 'run')!;
    expect(t!.rows).toHaveLength(run.trials.length * STRAGGLING.length);
    for (const tr of run.trials) {
      const rows = t!.rows.filter((r) => r[col('trial')] === tr.trial);
      expect(rows.map((r) => r[col('client')])).toEqual(tr.clients!.map((c) => c.index));
      expect(rows.map((r) => r[col('host')])).toEqual(tr.clients!.map((c) => c.host));
      expect(rows.map((r) => r[col('pid')])).toEqual(tr.clients!.map((c) => c.pid));
      expect(rows.map((r) => r[col('operations')])).toEqual(tr.clients!.map((c) => formatNumber(c.operations)));
      expect(rows.map((r) => r[col('p99')])).toEqual(tr.clients!.map((c) => formatNs(c.latency.percentiles.p99)));
      const marked = rows.map((r) => typeof r[col('straggler')] === 'object' && /STRAGGLER/.test((r[col('straggler')] as { html: string }).html));
      expect(marked).toEqual(STRAGGLING.map((w) => w < STRAGGLER_FRACTION));
    }
    // even clients: no straggler
    expect(tables[1]!.rows.every((r) => r[tables[1]!.head.indexOf('straggler')] === '')).toBe(true);
  });

  it('appears in the HTML report (escaped, straggler visible) and in the Markdown summary', () => {
    const hostileHost = withClients(scaled(map1, 3), { weights: STRAGGLING, host: HOSTILE });
    const html = renderHtmlReport([map1, hostileHost, hash1, hash4]);
    expect(html).toContain('<section id="s-clients"><h2>Clients (scale-out runs)</h2>');
    expect(html).toMatch(/<strong class="straggler">STRAGGLER: /);
    expect(html).not.toContain(HOSTILE);
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    const md = renderMarkdownSummary([map1, map4, hash1, hash4]);
    expect(md).toContain('### Clients (scale-out runs)');
    expect(md).toMatch(/\*\*.*workloada × 4 clients: run phase per client/);
    expect(md.match(/STRAGGLER: /g)).toHaveLength(map4.phases.find((p) => p.phase === 'run')!.trials.length);
    expect(renderMarkdownSummary([map1, hash1])).not.toContain('### Clients');
  });
});

describe('throughput against clients', () => {
  it('draws one figure for ≥ 2 client counts, y = the cells\' medians, and none otherwise', () => {
    const m = buildModel([map1, map4, hash1, hash4]);
    const figs = clientsFigures(m);
    expect(figs).toHaveLength(1);
    expect(figs[0]!.section).toBe('clients');
    const tp = figs[0]!.data.filter((t) => t.yaxis === 'y');
    expect(tp.map((t) => t.name)).toEqual(m.series);
    expect(tp.map((t) => t.x)).toEqual([[1, 4], [1, 4]]);
    expect(tp.map((t) => t.y)).toEqual([[runMedian(map1), runMedian(map4)], [runMedian(hash1), runMedian(hash4)]]);
    const p99 = figs[0]!.data.filter((t) => t.yaxis === 'y2');
    expect(p99[0]!.y).toEqual([map1, map4].map((r) => r.phases.find((p) => p.phase === 'run')!.summary.overall.p99.median / 1000));
    expect(clientsFigures(buildModel([map4, hash4]))).toEqual([]);
    expect(clientsFigures(buildModel([map1, hash1]))).toEqual([]);
    // no record-count series here: the scale figure stays out
    expect(scaleFigures(m)).toEqual([]);
  });
});
