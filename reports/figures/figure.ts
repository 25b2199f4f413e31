/**
 * A chart as plotly JSON (traces + layout) plus where it goes in the report. Figures are built
 * in Node from the {@link ReportModel}; the page only calls `Plotly.newPlot` on them. Every text
 * field that can hold a results-file string is escaped with `escapePlotlyText` by the builders.
 */
import { escapePlotlyText } from '../escape.js';

/**
 * The only plotly trace types figures may use: scripts/build-plotly.mjs builds a partial plotly
 * bundle that registers just these (scatter is plotly's core trace, bar is added). Adding a
 * type here means adding its module to TRACE_REQUIRES there.
 */
export const BUNDLED_TRACE_TYPES: readonly string[] = ['scatter', 'bar'];

/** One plotly trace (plotly's JSON schema; kept loose on purpose). */
export type Trace = Record<string, unknown>;

/** A chart of the report. */
export interface Figure {
  /** DOM id of the chart's container (generated, never from a results file). */
  id: string;
  /** Report section the chart belongs to. */
  section: SectionId;
  /** Plain-text title (escaped when rendered as HTML; already escaped inside `layout`). */
  title: string;
  data: Trace[];
  layout: Record<string, unknown>;
  /** Height in px of the container. */
  height: number;
  /** Plain-text notes shown under the chart (not applicable pairs, noise); escaped when rendered. */
  notes?: string[];
}

/** The matrix report's sections, in page order. */
export type MatrixSectionId = 'throughput' | 'clients' | 'latency' | 'timeline' | 'load' | 'rum' | 'harness';
/** Every section a figure can belong to: the matrix report's, and the sweep report's. */
export type SectionId = MatrixSectionId | 'sweep';

/** A stable color per series index (colour-blind-friendly Okabe–Ito, then Tableau). */
export function seriesColor(i: number): string {
  const palette = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000',
    '#4E79A7', '#F28E2B', '#59A14F', '#B07AA1', '#9C755F', '#BAB0AC'];
  return palette[i % palette.length]!;
}

/**
 * Base layout: the title (escaped) with the context line (durability, dataset, seed) under it,
 * legend on top, compact margins.
 */
export function baseLayout(title: string, context: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: {
      text: `${escapePlotlyText(title)}<br><span style="font-size:11px">${escapePlotlyText(context)}</span>`,
      font: { size: 15 },
      x: 0,
      xanchor: 'left',
    },
    margin: { l: 70, r: 20, t: 90, b: 60 },
    legend: { orientation: 'h', y: -0.18 },
    font: { family: 'system-ui, sans-serif', size: 12 },
    paper_bgcolor: '#ffffff',
    plot_bgcolor: '#ffffff',
    ...extra,
  };
}

/** Gives figures sequential DOM ids `fig-0`, `fig-1`, ... in page order. */
export function numberFigures(figures: Figure[]): Figure[] {
  return figures.map((f, i) => ({ ...f, id: `fig-${i}` }));
}
