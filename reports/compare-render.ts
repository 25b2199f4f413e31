/**
 * Renders a {@link Comparison}: Markdown for CI summaries and PR comments, and an HTML view
 * (self-contained page, same shell as the report) with a change chart and the full table.
 */
import { methodText, type Comparison, type MetricComparison, type Verdict } from './compare.js';
import { escapeHtml, escapeMarkdown, escapePlotlyText } from './escape.js';
import { baseLayout, numberFigures, type Figure } from './figures/figure.js';
import { htmlTable, type CellContent } from './html-table.js';
import { markdownTable } from './markdown.js';
import { formatNs, formatNumber, seriesName } from './model.js';
import { ciText } from './noise.js';
import { renderPage } from './page.js';
import { loadPlotlyBundle } from './plotly-bundle.js';
import type { TableData } from './tables.js';

const VERDICT_TEXT: Record<Verdict, string> = {
  regression: 'REGRESSION', improvement: 'improvement', 'within-noise': 'within noise', 'insufficient-trials': 'insufficient trials',
  'not-applicable': 'n/a (not applicable)', 'missing-baseline': 'new (no baseline)', 'missing-candidate': 'missing in candidate',
};

function fmt(r: MetricComparison, v: number): string {
  return r.unit === 'ns' ? formatNs(v) : `${formatNumber(v)} ops/s`;
}

/** The comparison as table data (absolute figures beside the change), optionally only some verdicts. */
export function comparisonTable(c: Comparison, only?: (v: Verdict) => boolean, caption = 'Baseline → candidate per engine × workload × metric'): TableData {
  const order: Verdict[] = ['regression', 'improvement', 'insufficient-trials', 'within-noise', 'missing-baseline', 'missing-candidate', 'not-applicable'];
  const rows = c.rows.filter((r) => !only || only(r.verdict)).sort((a, b) => order.indexOf(a.verdict) - order.indexOf(b.verdict));
  return {
    caption,
    head: ['verdict', 'workload', 'engine [durability]', 'metric', 'why', 'baseline (median, 95% CI, n)', 'candidate (median, 95% CI, n)', 'change of means', 'p (Welch)'],
    numericFrom: 5,
    rows: rows.map((r): CellContent[] => [
      VERDICT_TEXT[r.verdict], r.workload, seriesName(r.engine, r.durability), r.metric, r.why,
      r.baseline ? `${fmt(r, r.baseline.median)} (${ciText(r.baseline, (v) => fmt(r, v))}, n=${r.baseline.n})` : null,
      r.candidate ? `${fmt(r, r.candidate.median)} (${ciText(r.candidate, (v) => fmt(r, v))}, n=${r.candidate.n})` : null,
      r.change === null ? null : `${r.change >= 0 ? '+' : ''}${(r.change * 100).toFixed(1)}%`,
      r.p === null ? null : r.p.toPrecision(2),
    ]),
  };
}

function headline(c: Comparison): string {
  const insufficient = c.rows.filter((r) => r.verdict === 'insufficient-trials').length;
  return `${c.regressions} regression(s), ${c.improvements} improvement(s), ${c.rows.filter((r) => r.verdict === 'within-noise').length} within noise` +
    (insufficient ? `, ${insufficient} with insufficient trials (no verdict)` : '');
}

/** Markdown: headline, setup warnings, the statistical test, and the table. */
export function renderComparisonMarkdown(c: Comparison, title = 'kvlab comparison'): string {
  const out = [`## ${escapeMarkdown(title)}`, '', `**${c.regressions > 0 ? '❌' : '✅'} ${escapeMarkdown(headline(c))}**`, ''];
  for (const w of c.warnings) out.push(`> **Warning:** ${escapeMarkdown(w)}`, '');
  out.push(`Test: ${escapeMarkdown(methodText(c.alpha, c.minEffect))}`, '');
  const flagged = comparisonTable(c, (v) => v !== 'within-noise', 'Verdicts other than within noise');
  out.push(flagged.rows.length ? markdownTable(flagged) : '_Every compared metric is within noise._', '');
  const quiet = comparisonTable(c, (v) => v === 'within-noise', 'Within noise');
  if (quiet.rows.length) out.push(`<details><summary>${quiet.rows.length} metric(s) within noise</summary>`, '', markdownTable(quiet), '', '</details>', '');
  return out.join('\n');
}

/** The change chart: one bar per compared metric with a verdict, coloured by verdict. */
function changeFigure(c: Comparison): Figure | null {
  const rows = c.rows.filter((r) => r.change !== null && r.verdict !== 'not-applicable');
  if (rows.length === 0) return null;
  const colors: Record<Verdict, string> = { regression: '#D55E00', improvement: '#009E73', 'within-noise': '#999999', 'insufficient-trials': '#E69F00',
    'not-applicable': '#cccccc', 'missing-baseline': '#cccccc', 'missing-candidate': '#cccccc' };
  const durs = [...new Set(rows.map((r) => r.durability))].join('/');
  return {
    id: '', section: 'throughput', title: 'Change of means, candidate vs baseline', height: Math.max(320, 60 + rows.length * 22),
    data: [{
      type: 'bar', orientation: 'h', name: 'change (%)',
      y: rows.map((r) => escapePlotlyText(`${seriesName(r.engine, r.durability)} · ${r.workload} · ${r.metric}`)),
      x: rows.map((r) => r.change! * 100), marker: { color: rows.map((r) => colors[r.verdict]) },
      hovertext: rows.map((r) => escapePlotlyText(`${VERDICT_TEXT[r.verdict]}: ${r.why}`)), hoverinfo: 'x+y+text',
    }],
    layout: baseLayout('Change of means, candidate vs baseline (red regression, green improvement, grey within noise, orange insufficient trials)',
      `durability ${durs} · Welch t-test, α=${c.alpha}, minimum effect ${(c.minEffect * 100).toFixed(1)}% (see the table)`, { margin: { l: 380, r: 20, t: 90, b: 50 }, xaxis: { title: { text: 'change of the mean (%)' }, zeroline: true }, yaxis: { automargin: true } }),
  };
}

/** A self-contained HTML comparison page. */
export function renderComparisonHtml(c: Comparison, title = 'kvlab comparison'): string {
  const t = comparisonTable(c);
  const fig = changeFigure(c);
  return renderPage({
    title, subtitle: headline(c), warnings: c.warnings, plotly: loadPlotlyBundle(),
    sections: [{
      id: 's-compare', heading: 'Verdicts', intro: `<p>${escapeHtml(c.method)}</p>`, figures: fig ? numberFigures([fig]) : [],
      tables: htmlTable(t.head, t.rows, { caption: t.caption, numericFrom: t.numericFrom }),
    }],
  });
}
