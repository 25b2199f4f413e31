/**
 * Markdown for CI job summaries ($GITHUB_STEP_SUMMARY) and PR comments: the run throughput
 * table (median, CI, noise, ratio beside the absolute numbers), latency per op type, load
 * throughput, the RUM figures, harness cost, the context (durability, dataset size, seed, client processes), the
 * per-client breakdown of scale-out runs and a short environment manifest.
 * Every results-file string is escaped for Markdown.
 */
import type { ResultsFile } from '../harness/results.js';
import { clientsTables, STRAGGLER_FRACTION } from './clients.js';
import { validateResults } from '../harness/results.js';
import { escapeMarkdown } from './escape.js';
import type { CellContent } from './html-table.js';
import { environmentTable } from './manifest.js';
import { buildModel, contextLine } from './model.js';
import { harnessTable, latencyTable, rumTable, throughputTable, type TableData } from './tables.js';

function mdCell(c: CellContent): string {
  if (c === null) return '_n/a_';
  if (typeof c === 'number') return String(c);
  if (typeof c === 'string') return escapeMarkdown(c);
  return c.html.replace(/[\r\n|]/g, ' ');
}

/** A GitHub-flavoured Markdown table (caption as a bold line above it). */
export function markdownTable(t: TableData): string {
  const head = `| ${t.head.map(mdCell).join(' | ')} |`;
  const sep = `| ${t.head.map((_, i) => (i >= t.numericFrom ? '---:' : '---')).join(' | ')} |`;
  const rows = t.rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`);
  return [`**${escapeMarkdown(t.caption)}**`, '', head, sep, ...rows].join('\n');
}

/** Options of {@link renderMarkdownSummary}. */
export interface MarkdownSummaryOptions {
  title?: string;
  /** Link to the full HTML report, if published. */
  reportUrl?: string;
}

/** The Markdown summary of a set of results files (validated). */
export function renderMarkdownSummary(results: ResultsFile[], opts: MarkdownSummaryOptions = {}): string {
  results.forEach((r, i) => validateResults(r, `results[${i}]`));
  const model = buildModel(results);
  const out: string[] = [`## ${escapeMarkdown(opts.title ?? 'kvlab results')}`, ''];
  if (opts.reportUrl) out.push(`Full report: ${escapeMarkdown(opts.reportUrl)}`, '');
  for (const w of model.warnings) out.push(`> **Warning:** ${escapeMarkdown(w)}`, '');
  out.push('**Context per workload**', '');
  for (const w of model.workloads) out.push(`- ${escapeMarkdown(w)}: ${escapeMarkdown(contextLine(model.cells.filter((c) => c.workload === w)))}`);
  out.push('');
  for (const t of [throughputTable(model, 'run'), latencyTable(model), throughputTable(model, 'load'), rumTable(model), harnessTable(model)]) if (t.rows.length) out.push(markdownTable(t), '');
  const perClient = clientsTables(model);
  if (perClient.length > 0) {
    out.push('### Clients (scale-out runs)', '', escapeMarkdown(`Each multi-client figure above is the exact merge of its client processes; a straggler (throughput below ${STRAGGLER_FRACTION}× the median client's) is marked.`), '');
    for (const t of perClient) out.push(markdownTable(t), '');
  }
  out.push('<details><summary>Environment manifest</summary>', '', markdownTable(environmentTable(model)), '', '</details>', '');
  return out.join('\n');
}
