/**
 * Reports of a search file (`kind: "kvlab-search"`, harness/search-results.ts): the steps table
 * (HTML and Markdown from one {@link searchStepsTable}), the context line saying how the result
 * was obtained, the one-line summary, and the self-contained HTML page (reports/page.ts) with
 * the latency-vs-rate figure (reports/figures/search.ts). Built only from the file.
 */
import { durabilityLabel } from '../harness/results.js';
import { validateSearch, type SearchFile } from '../harness/search-results.js';
import { escapeHtml } from './escape.js';
import { numberFigures } from './figures/figure.js';
import { searchFigure } from './figures/search.js';
import { htmlTable } from './html-table.js';
import { environmentTable, enginesTable } from './manifest.js';
import { markdownTable } from './markdown.js';
import { buildModel, formatBytes, formatNs, formatNumber } from './model.js';
import { renderPage } from './page.js';
import { loadPlotlyBundle } from './plotly-bundle.js';
import type { TableData } from './tables.js';

const rate = (r: number | null) => (r === null ? 'none' : `${formatNumber(r)} ops/s`);

/** One row per step in the order run: target, achieved, each clause's measured value and verdict, the step's verdict and why. */
export function searchStepsTable(s: SearchFile): TableData {
  return {
    caption: `Steps of the search (${s.slo.clauses.map((c) => c.text).join(', ')}; intended-start latency)`,
    head: ['step', 'stage', 'verdict', 'why it failed', 'target ops/s', 'achieved ops/s', 'achieved %', ...s.slo.clauses.map((c) => c.text), 'failed ops'],
    numericFrom: 4,
    rows: s.steps.map((st) => [
      st.index + 1, st.stage, st.pass ? 'pass' : 'FAIL', st.reasons.join('; '), formatNumber(st.target), formatNumber(st.achieved),
      `${formatNumber((100 * st.achieved) / st.target)}%`,
      ...st.clauses.map((c) => `${formatNs(c.measuredNs)} ${c.pass ? 'ok' : 'FAIL'}`), st.failures,
    ]),
  };
}

/** How the result was obtained: engine and settings, durability, dataset vs memory, seed, machine, step length, warm-up, cool-down, processes. */
export function searchContextLine(s: SearchFile): string {
  const e = s.environment;
  const settings = Object.entries(s.engine.settings).map(([k, v]) => `${k}=${String(v)}`).join(',');
  const mem = e.dataset.memoryIs === 'limit' ? `the ${formatBytes(e.dataset.memoryBytes ?? 0)} memory limit` : `RAM (${formatBytes(e.totalMemoryBytes)})`;
  return [
    `${s.engine.label} ${s.engine.version} (${settings || 'defaults'})`, `durability ${durabilityLabel(s.engine)}`,
    `${s.workload.name}, ${s.workload.properties.recordcount ?? '?'} records ≈ ${formatBytes(e.dataset.estimatedBytes)} = ${formatNumber(e.dataset.ratioToMemory ?? e.dataset.ratioToRam)}× ${mem}`,
    `seed ${s.workload.seed}`, `${e.cpuModel}, ${e.cores} cores, ${e.hostname}`,
    `${s.harness.stepSeconds} s per step after ${s.harness.warmupSeconds} s warm-up, ${s.harness.cooldownSeconds} s idle cool-down`,
    s.harness.forked ? 'each step a fresh process on the same store' : 'all steps in one process on the same store',
    s.harness.loaded ? 'store loaded by the search' : s.harness.reloadEachStep ? 'store loaded again in every step' : 'existing store (--reuse-data)',
    `a step passes at >= ${formatNumber(s.harness.minAchievedFraction * 100)}% of its target`,
  ].join(' · ');
}

/** The final line: the highest rate that met the SLO, its bracket and how the search ended. */
export function searchSummaryLine(s: SearchFile): string {
  const slo = s.slo.clauses.map((c) => c.text).join(', ');
  const r = s.result;
  const how = r.converged ? `bracket ${rate(r.bracket.pass)} pass – ${rate(r.bracket.fail)} fail, within ${formatNumber(s.harness.precision * 100)}%`
    : r.stoppedBy === 'max-steps' ? `not converged: --max-steps ${s.harness.maxSteps} reached, bracket ${rate(r.bracket.pass)} – ${rate(r.bracket.fail)}`
      : r.stoppedBy === 'min-rate' ? 'no tried rate met it, down to 1 op/s' : `stopped: ${r.stoppedBy}`;
  const knee = s.knee.rate === null ? 'no knee within the tried rates' : `knee at ${rate(s.knee.rate)}`;
  return `highest rate meeting ${slo} on ${s.engine.label}: ${rate(r.highestPassingRate)} (${how}; ${s.steps.length} steps; ${knee})`;
}

/** The steps table and summary as GitHub Markdown (every file string escaped). */
export function searchMarkdown(s: SearchFile): string {
  validateSearch(s, 'search results');
  return [markdownTable(searchStepsTable(s)), '', searchSummaryLine(s)].join('\n');
}

/** The complete self-contained HTML page of one search. Needs the plotly bundle built (NOT_FOUND otherwise). */
export function renderSearchHtml(s: SearchFile, opts: { title?: string; generatedAt?: Date } = {}): string {
  validateSearch(s, 'search results');
  const figures = numberFigures([searchFigure(s)]);
  const embedded = s.steps.flatMap((st) => (st.results ? [st.results] : []));
  const model = embedded.length > 0 ? buildModel([embedded[0]!]) : null;
  const kv = (pairs: Array<[string, string]>) => htmlTable(['', ''], pairs, { caption: 'Result' });
  const intro = [
    `<p><strong>${escapeHtml(searchSummaryLine(s))}</strong></p>`,
    `<p class="meta">${escapeHtml(searchContextLine(s))}</p>`,
    `<p>${escapeHtml(`Each step is one open-loop run phase at its target rate on the same store (write workloads keep modifying it); latency is measured from each operation's intended start (coordinated omission corrected). Doubling from ${formatNumber(s.harness.startRate)} ops/s while the SLO holds, then bisection between the last pass and the first fail. Knee: ${s.knee.definition}.`)}</p>`,
  ].join('\n');
  const result = kv([
    ['SLO', s.slo.clauses.map((c) => c.text).join(', ')], ['highest passing rate', rate(s.result.highestPassingRate)],
    ['bracket', `${rate(s.result.bracket.pass)} pass – ${rate(s.result.bracket.fail)} fail`], ['converged', s.result.converged ? `yes (within ${formatNumber(s.harness.precision * 100)}%)` : `no (${s.result.stoppedBy})`],
    ['knee', s.knee.rate === null ? 'none within the tried rates' : `${rate(s.knee.rate)}: ${s.knee.clause.replace(/[<].*$/, '')} ${formatNs(s.knee.valueNs)} vs ${formatNs(s.knee.baselineNs)} at the lowest rate`],
    ['load', s.load === null ? 'not loaded by this search' : `${formatNumber(s.load.operations)} records in ${formatNumber(s.load.durationMs / 1000)} s (${rate(s.load.throughput)})`],
  ]);
  const steps = searchStepsTable(s);
  const sections = [
    { id: 's-search', heading: 'Latency against the offered rate', intro, figures, tables: [result, htmlTable(steps.head, steps.rows, { caption: steps.caption, numericFrom: steps.numericFrom })].join('\n') },
    {
      id: 's-environment', heading: 'Environment and settings', intro: '', figures: [],
      tables: [...(model ? [environmentTable(model), enginesTable(model)].map((t) => htmlTable(t.head, t.rows, { caption: t.caption, numericFrom: t.numericFrom })) : []),
        htmlTable(['note'], s.notes.map((n) => [n]), { caption: 'Notes' })].join('\n'),
    },
  ];
  const warnings = [...(s.result.converged ? [] : [`The search did not converge (${s.result.stoppedBy}): the rate is a lower bound of the bracket, not within ${formatNumber(s.harness.precision * 100)}%.`]),
    ...(s.steps.some((st) => st.machineBusy) ? ['The machine was busy during at least one step (other processes or steal): those latencies may be the neighbours\'.'] : [])];
  return renderPage({
    title: opts.title ?? `kvlab search: ${s.engine.label}`, warnings, sections, plotly: loadPlotlyBundle(),
    subtitle: `search ${s.run.id} · ${s.steps.length} steps · generated ${(opts.generatedAt ?? new Date()).toISOString()}`,
  });
}
