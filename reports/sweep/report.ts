/**
 * The sweep report: each metric against the varied parameter (one series per combination of the
 * other varied parameters), the cost models drawn over the points with their residuals
 * (measured / predicted), every disagreement beyond a model's stated factor named at the top,
 * and how every figure was obtained (engine settings, durability, dataset against memory, seed,
 * machine, trials). HTML (self-contained, plotly inlined) and Markdown, from the manifest and
 * the points' results files only.
 */
import type { ResultsFile } from '../../harness/results.js';
import { modelChecks, pointFacts as pointFactsOf, type ModelCheck } from '../cost-models/index.js';
import { escapeHtml, escapePlotlyText } from '../escape.js';
import { baseLayout, numberFigures, seriesColor, type Figure, type Trace } from '../figures/figure.js';
import { htmlTable } from '../html-table.js';
import { enginesTable, environmentTable, notesTable, workloadsTable } from '../manifest.js';
import { markdownTable } from '../markdown.js';
import { buildModel, contextLine } from '../model.js';
import { renderPage, type PageSection } from '../page.js';
import { loadPlotlyBundle } from '../plotly-bundle.js';
import type { TableData } from '../tables.js';
import { fmt } from '../cost-models/check.js';
import type { SweepManifest, SweepPoint } from './manifest.js';
import { metricValues, sweepMetrics } from './metrics.js';

/** A point with its results (null when the point failed). */
export interface SweepPointResult {
  point: SweepPoint;
  results: ResultsFile | null;
}

/** A point's label: `bloomBits=4, recordcount=100000`. */
export function pointLabel(m: SweepManifest, p: SweepPoint): string {
  return m.parameters.map((q) => `${q.name}=${p.values[q.name]}`).join(', ');
}

/** Every model check of every point that ran. */
export function sweepChecks(m: SweepManifest, pts: readonly SweepPointResult[]): Array<{ label: string; check: ModelCheck }> {
  return pts.flatMap((p) => (p.results === null ? [] : modelChecks(p.results).map((check) => ({ label: pointLabel(m, p.point), check }))));
}

/** One line per check that disagrees with its model beyond the stated factor, and per point that failed. */
export function sweepWarnings(m: SweepManifest, pts: readonly SweepPointResult[]): string[] {
  const failed = pts.filter((p) => p.results === null).map((p) => `point ${pointLabel(m, p.point)} failed: no results (see the sweep's stderr)`);
  const partial = pts.filter((p) => p.results?.partial).map((p) => `point ${pointLabel(m, p.point)} is partial: ${p.results!.partial!.reason}`);
  const off = sweepChecks(m, pts).filter((c) => c.check.verdict === 'disagrees').map(({ label, check: c }) =>
    `point ${label}: ${c.model} disagrees with the measurement: measured ${fmt(c.measured!)}, ${c.kind === 'bound' ? 'bound' : 'predicted'} ${fmt(c.predicted)} (measured/predicted ${fmt(c.residual!)}, stated factor ${c.factor}${c.kind === 'bound' ? ', above the bound' : ''}): look at the model or the engine`);
  return [...failed, ...partial, ...off];
}

const numeric = (vs: readonly string[]) => vs.every((v) => v.trim() !== '' && Number.isFinite(Number(v)));

/** The figures: one per metric that has at least one value. */
export function sweepFigures(m: SweepManifest, pts: readonly SweepPointResult[]): Figure[] {
  const ran = pts.filter((p): p is SweepPointResult & { results: ResultsFile } => p.results !== null);
  if (ran.length === 0) return [];
  const results = ran.map((p) => p.results);
  const [xp, ...others] = m.parameters;
  const xNumeric = numeric(xp!.values);
  const xv = (p: SweepPoint) => (xNumeric ? Number(p.values[xp!.name]) : p.values[xp!.name]!);
  const xs = xp!.values.map(Number);
  const xLog = xNumeric && xs.every((x) => x > 0) && Math.max(...xs) / Math.min(...xs) >= 100;
  const groupOf = (p: SweepPoint) => others.map((q) => `${q.name}=${p.values[q.name]}`).join(', ') || m.engine;
  const groups = [...new Set(ran.map((p) => groupOf(p.point)))];
  const checks = ran.map((p) => modelChecks(p.results));
  const context = `${m.engine} · ${contextLine(buildModel(results).cells)} · ${m.trials} trial(s) per point, median shown`;
  const figures: Figure[] = [];
  for (const metric of sweepMetrics(results)) {
    const values = metricValues(metric, results);
    if (values.every((v) => v === null)) continue;
    const data: Trace[] = [];
    groups.forEach((g, gi) => {
      const idx = ran.map((p, i) => (groupOf(p.point) === g ? i : -1)).filter((i) => i >= 0).sort((a, b) => (xNumeric ? (xv(ran[a]!.point) as number) - (xv(ran[b]!.point) as number) : 0));
      const color = seriesColor(gi);
      const name = escapePlotlyText(g);
      data.push({ type: 'scatter', mode: 'lines+markers', name: `${name} (measured)`, legendgroup: name, x: idx.map((i) => xv(ran[i]!.point)), y: idx.map((i) => values[i]), line: { color }, hoverinfo: 'x+y+name' });
      const model = idx.map((i) => checks[i]!.find((c) => c.metric === metric.id) ?? null);
      if (model.some((c) => c !== null)) {
        const label = escapePlotlyText(model.find((c) => c !== null)!.model);
        data.push({ type: 'scatter', mode: 'lines+markers', name: `${name}: ${label}`, legendgroup: name, x: idx.map((i) => xv(ran[i]!.point)),
          y: model.map((c) => c?.predicted ?? null), line: { color, dash: 'dash' }, marker: { symbol: 'x', size: 9 },
          hovertext: model.map((c) => (c === null ? '' : escapePlotlyText(`${c.formula}; measured/predicted ${c.residual === null ? 'n/a' : fmt(c.residual)} (${c.verdict})`))), hoverinfo: 'x+y+text' });
      }
    });
    figures.push({
      id: '', section: 'sweep', title: `${metric.label} against ${xp!.name}`, height: 460, data,
      layout: baseLayout(`${metric.label} against ${xp!.name}`, context, {
        xaxis: { title: { text: escapePlotlyText(xp!.name) }, type: xLog ? 'log' : xNumeric ? 'linear' : 'category' },
        yaxis: { title: { text: escapePlotlyText(metric.unit || 'ratio') }, type: metric.log && values.every((v) => v === null || v > 0) ? 'log' : 'linear', rangemode: 'tozero' },
      }),
      notes: data.some((d) => String(d.name).includes(':')) ? ['Dashed: the cost model named in the legend, evaluated at each point (its source and formula are in the model table below).'] : [],
    });
  }
  return numberFigures(figures);
}

/** The model table: one row per check. */
export function modelTable(m: SweepManifest, pts: readonly SweepPointResult[]): TableData {
  return {
    caption: 'Cost models against the measurements (residual = measured / predicted; an estimate agrees within [1/factor, factor], a worst-case bound when the measurement stays under bound × factor)',
    head: ['point', 'metric', 'model', 'formula at this point', 'kind', 'predicted', 'measured', 'residual', 'factor', 'verdict'],
    numericFrom: 5,
    rows: sweepChecks(m, pts).map(({ label, check: c }) => [label, c.metric, c.model, c.formula, c.kind, fmt(c.predicted), c.measured === null ? null : fmt(c.measured),
      c.residual === null ? null : fmt(c.residual), c.factor, c.verdict]),
  };
}

/** The points table: each point's main figures. */
export function pointsTable(m: SweepManifest, pts: readonly SweepPointResult[]): TableData {
  const ran = pts.filter((p) => p.results !== null).map((p) => p.results!);
  const metrics = sweepMetrics(ran);
  return {
    caption: 'Every point (medians over trials; n/a = the engine cannot say)',
    head: [...m.parameters.map((q) => q.name), 'results file', ...metrics.map((x) => (x.unit ? `${x.label} [${x.unit}]` : x.label))],
    numericFrom: m.parameters.length + 1,
    rows: pts.map((p) => {
      const facts = p.results === null ? null : pointFactsOf(p.results);
      return [...m.parameters.map((q) => p.point.values[q.name]!), p.point.file ?? 'FAILED',
        ...metrics.map((x) => {
          const v = facts === null ? null : x.get(p.results!, facts);
          return v === null ? null : fmt(v);
        })];
    }),
  };
}

const table = (t: TableData) => htmlTable(t.head, t.rows, { caption: t.caption, numericFrom: t.numericFrom });

/** The model sources, one line each, deduplicated. */
export function modelSources(m: SweepManifest, pts: readonly SweepPointResult[]): string[] {
  return [...new Set(sweepChecks(m, pts).map((c) => `${c.check.model}: ${c.check.source}`))];
}

/** The complete HTML report of a sweep. */
export function renderSweepReport(m: SweepManifest, pts: readonly SweepPointResult[], generatedAt = new Date()): string {
  const results = pts.filter((p) => p.results !== null).map((p) => p.results!);
  const figures = sweepFigures(m, pts);
  const sources = modelSources(m, pts);
  const sections: PageSection[] = [{
    id: 's-sweep', heading: `Metrics against ${m.parameters[0]!.name}`,
    intro: `<p>${escapeHtml(`Each point is one engine configuration, loaded and run ${m.trials} time(s) in a fresh directory (kvlab matrix's forked, interleaved trials); the charts show the median. Varied: ${m.parameters.map((q) => `${q.name} ∈ {${q.values.join(', ')}}`).join(' × ')}.`)}</p>`,
    figures, tables: table(pointsTable(m, pts)),
  }];
  sections.push({
    id: 's-models', heading: 'Cost models', figures: [],
    intro: sources.length ? `<p>Sources:</p><ul>${sources.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>` : `<p>${escapeHtml(`No cost model covers engine ${m.engine} (models exist for lsm, btree and hashlog).`)}</p>`,
    tables: sources.length ? table(modelTable(m, pts)) : '',
  });
  if (results.length > 0) {
    const model = buildModel(results);
    sections.push({ id: 's-environment', heading: 'Environment and settings', intro: '', figures: [],
      tables: [environmentTable(model), enginesTable(model), workloadsTable(model), notesTable(model)].map(table).join('\n') });
  }
  const subtitle = `kvlab sweep of ${m.engine} over ${m.parameters.map((q) => q.name).join(' × ')} · ${pts.length} point(s), ${m.trials} trial(s) each · generated ${generatedAt.toISOString()}`;
  return renderPage({ title: `kvlab sweep: ${m.engine}`, subtitle, warnings: sweepWarnings(m, pts), sections, plotly: loadPlotlyBundle() });
}

/** The Markdown summary: the points table, the model table and the warnings. */
export function renderSweepMarkdown(m: SweepManifest, pts: readonly SweepPointResult[]): string {
  const w = sweepWarnings(m, pts);
  const parts = [`# kvlab sweep: ${m.engine}`, '', `Varied: ${m.parameters.map((q) => `${q.name} ∈ {${q.values.join(', ')}}`).join(' × ')}; ${m.trials} trial(s) per point.`, ''];
  if (w.length) parts.push('**Read first:**', '', ...w.map((x) => `- ${x}`), '');
  parts.push(markdownTable(pointsTable(m, pts)), '');
  if (sweepChecks(m, pts).length) parts.push('## Cost models', '', ...modelSources(m, pts).map((s) => `- ${s}`), '', markdownTable(modelTable(m, pts)), '');
  return parts.join('\n');
}
