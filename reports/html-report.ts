/**
 * The HTML report: one self-contained file (plotly inlined, data embedded, no network) with
 * throughput, latency spectra, time series, load throughput, the RUM view, harness cost, the
 * tables behind them, the environment manifest and every note. Built only from results files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateResults, type ResultsFile } from '../harness/results.js';
import { clientsTables } from './clients.js';
import { escapeHtml } from './escape.js';
import { clientsFigures } from './figures/clients.js';
import { numberFigures, type Figure, type MatrixSectionId } from './figures/figure.js';
import { harnessCostFigure } from './figures/harness-cost.js';
import { rumFigure } from './figures/rum.js';
import { scaleFigures } from './figures/scale.js';
import { spectrumFigures } from './figures/spectrum.js';
import { throughputFigure } from './figures/throughput.js';
import { timelineFigures } from './figures/timeline.js';
import { htmlTable } from './html-table.js';
import { loadResults } from './load.js';
import { loadTortureResults, reliabilityTable } from './reliability.js';
import type { TortureResults } from '../torture/results.js';
import { environmentTable, enginesTable, notesTable, workloadsTable } from './manifest.js';
import { buildModel, type ReportModel } from './model.js';
import { renderPage, type PageSection } from './page.js';
import { loadPlotlyBundle } from './plotly-bundle.js';
import { harnessTable, latencyTable, rumTable, throughputTable, type TableData } from './tables.js';
import { levelsTable, memoryTable } from './levels.js';

/** Options of {@link renderHtmlReport}. */
export interface HtmlReportOptions {
  /** Page title (plain text). Default `kvlab report`. */
  title?: string;
  /** Shown as the generation time; default now. */
  generatedAt?: Date;
  /** Torture results (`kind: "kvlab-torture"`) for the reliability section; none: no section. */
  reliability?: readonly TortureResults[];
}

function table(t: TableData): string {
  return htmlTable(t.head, t.rows, { caption: t.caption, numericFrom: t.numericFrom });
}

/** All figures of a model, numbered in page order. */
export function reportFigures(model: ReportModel): Figure[] {
  const figs = [throughputFigure(model, 'run'), ...scaleFigures(model), ...clientsFigures(model), ...spectrumFigures(model), ...timelineFigures(model),
    throughputFigure(model, 'load'), rumFigure(model), harnessCostFigure(model)].filter((f): f is Figure => f !== null);
  return numberFigures(figs);
}

const INTRO: Record<MatrixSectionId, string> = {
  throughput: 'Bars are the mean over trials with its 95% confidence interval; the table quotes the median. Series names carry the durability mode: compare engines only at the same durability.',
  clients: 'Scale-out runs (kvlab run --clients N): each multi-client figure is the exact merge of its client processes (operations summed, latency histograms added bucket by bucket). The tables give each client of the run phase; a straggler (throughput below 0.8× the median client’s) is marked.',
  latency: 'Percentile spectrum on a log “nines” axis (HdrHistogram plotter style), all trials merged, service time (from call to return).',
  timeline: 'One point per interval of the trial with the median throughput.',
  load: 'Load phase (inserting recordcount records).',
  rum: 'Read, update and memory amplification: ratios of the engine’s own byte counts to the user bytes the harness passed; n/a means unknown, never 0.',
  harness: 'The harness’s own cost per operation, measured with the null engine. A figure close to it measures the harness, not the engine.',
};

const HEADINGS: Record<MatrixSectionId, string> = {
  throughput: 'Run throughput', clients: 'Clients (scale-out runs)', latency: 'Latency percentile spectra', timeline: 'Throughput and p99 over time',
  load: 'Load throughput', rum: 'RUM view (amplification and memory)', harness: 'Harness cost',
};

/**
 * Renders the report for already-read results files (each is validated again; an invalid one
 * throws the validator's KvError). Needs the plotly bundle built (NOT_FOUND otherwise).
 */
export function renderHtmlReport(results: ResultsFile[], opts: HtmlReportOptions = {}): string {
  results.forEach((r, i) => validateResults(r, `results[${i}]`));
  const model = buildModel(results);
  const figures = reportFigures(model);
  const tablesFor: Record<MatrixSectionId, TableData[]> = {
    throughput: [throughputTable(model, 'run')], clients: clientsTables(model), latency: [latencyTable(model)], timeline: [],
    load: [throughputTable(model, 'load')], rum: [rumTable(model), memoryTable(model), levelsTable(model)], harness: [harnessTable(model)],
  };
  const order: MatrixSectionId[] = ['throughput', 'clients', 'latency', 'timeline', 'load', 'rum', 'harness'];
  const sections: PageSection[] = order
    .map((id) => ({
      id: `s-${id}`, heading: HEADINGS[id], intro: `<p>${escapeHtml(INTRO[id])}</p>`,
      figures: figures.filter((f) => f.section === id),
      tables: tablesFor[id].filter((t) => t.rows.length > 0).map(table).join('\n'),
    }))
    .filter((s) => s.figures.length > 0 || s.tables.length > 0);
  if (opts.reliability && opts.reliability.length > 0) {
    sections.push({
      id: 's-reliability', heading: 'Reliability (crash and corruption torture)', figures: [],
      intro: `<p>${escapeHtml('From kvlab crash / bench/torture.ts results files. "lost" must be 0: a durable-acknowledged write missing after a crash. Corruption outcomes: detected = a CORRUPTION error; intact or bounded loss = no wrong data; stale = an older version of the key; the last column counts the failures that must never happen.')}</p>`,
      tables: table(reliabilityTable(opts.reliability)),
    });
  }
  sections.push({
    id: 's-environment', heading: 'Environment and settings', intro: '', figures: [],
    tables: [environmentTable(model), enginesTable(model), workloadsTable(model), notesTable(model)].map(table).join('\n'),
  });
  const runIds = [...new Set(results.map((r) => r.run.matrix?.id ?? r.run.id))];
  const subtitle = `${results.length} results file(s) · ${model.series.length} engine series × ${model.workloads.length} workload(s) · run(s) ${runIds.join(', ')} · generated ${(opts.generatedAt ?? new Date()).toISOString()}`;
  return renderPage({ title: opts.title ?? 'kvlab report', subtitle, warnings: model.warnings, sections, plotly: loadPlotlyBundle() });
}

/** Reads the results files (or directories) in `paths` and writes the report to `outFile`. */
export function writeHtmlReport(paths: string[], outFile: string, opts: HtmlReportOptions = {}): void {
  const html = renderHtmlReport(loadResults(paths), { reliability: loadTortureResults(paths), ...opts });
  fs.mkdirSync(path.dirname(path.resolve(outFile)), { recursive: true });
  fs.writeFileSync(outFile, html);
}
