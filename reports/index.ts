/**
 * Public API of kvlab reports (stable: the harness's `matrix` command and CI use it). Reports
 * are built only from results JSON files (harness/results.ts); nothing is ever re-run.
 */
export { renderHtmlReport, writeHtmlReport, type HtmlReportOptions } from './html-report.js';
export { renderMarkdownSummary, markdownTable, type MarkdownSummaryOptions } from './markdown.js';
export { compareResults, methodText, type Comparison, type CompareOptions, type MetricComparison, type Verdict } from './compare.js';
export { renderComparisonHtml, renderComparisonMarkdown } from './compare-render.js';
export { toCsv, toYcsbText, toHgrm, writeHgrm, CSV_COLUMNS, type HgrmFile } from './exports.js';
export { loadResults, resultsFilesIn } from './load.js';
export { escapeHtml, escapeMarkdown, escapePlotlyText, escapeScriptContent, jsonForHtmlScript, csvField } from './escape.js';
