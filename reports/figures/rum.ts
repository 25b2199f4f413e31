/**
 * The RUM view per engine: write amplification (load and run), read amplification, space
 * amplification and memory per key, as a grid of small bar panels (workloads on x, one bar
 * per engine series). Each value is the median over trials of the harness's per-trial figure;
 * an unknown figure (null) draws no bar and its hover says n/a (never 0).
 */
import type { Amplification, PhaseResult } from '../../harness/results.js';
import { escapePlotlyText } from '../escape.js';
import { contextLine, formatNumber, type Cell, type ReportModel } from '../model.js';
import { baseLayout, seriesColor, type Figure, type Trace } from './figure.js';

/** A RUM panel: which phase, which amplification field, its axis title. */
export interface RumMetric {
  phase: 'load' | 'run';
  field: Exclude<keyof Amplification, 'notes' | 'heapDeltaBytes'>;
  title: string;
}

/** The panels, in grid order (also the columns of the RUM table). */
export const RUM_METRICS: readonly RumMetric[] = [
  { phase: 'load', field: 'writeEngine', title: 'write amp. (load, engine bytes)' },
  { phase: 'run', field: 'writeEngine', title: 'write amp. (run, engine bytes)' },
  { phase: 'run', field: 'readEngine', title: 'read amp. (run, engine bytes)' },
  { phase: 'run', field: 'space', title: 'space amp. (after run)' },
  { phase: 'run', field: 'indexBytesPerKey', title: 'index memory (bytes/key)' },
  { phase: 'run', field: 'rssBytesPerKey', title: 'process RSS (bytes/key)' },
  { phase: 'run', field: 'rssAnonBytesPerKey', title: 'process anon. RSS (bytes/key)' },
];

/** Median of the non-null per-trial values of `field` in `phase`, or null when none is known. */
export function medianAmplification(phase: PhaseResult | null, field: RumMetric['field']): number | null {
  if (!phase) return null;
  const xs = phase.trials.map((t) => t.amplification[field]).filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const m = xs.length >> 1;
  return xs.length % 2 ? xs[m]! : (xs[m - 1]! + xs[m]!) / 2;
}

/** The RUM grid figure, or null when no cell has a phase. */
export function rumFigure(model: ReportModel): Figure | null {
  const cells = model.cells.filter((c) => c.load || c.run);
  if (cells.length === 0) return null;
  const workloads = model.workloads.filter((w) => cells.some((c) => c.workload === w));
  const cols = 3;
  const data: Trace[] = [];
  const axes: Record<string, unknown> = {};
  RUM_METRICS.forEach((m, mi) => {
    const ax = mi === 0 ? '' : String(mi + 1);
    model.series.forEach((series, si) => {
      const row = workloads.map((w) => cells.find((c) => c.series === series && c.workload === w));
      if (!row.some((c) => c)) return;
      const y = row.map((c) => (c ? medianAmplification(c[m.phase], m.field) : null));
      data.push({
        type: 'bar', name: escapePlotlyText(series), legendgroup: escapePlotlyText(series), showlegend: mi === 0,
        x: workloads.map(escapePlotlyText), y, marker: { color: seriesColor(si) }, xaxis: `x${ax}`, yaxis: `y${ax}`,
        hovertext: row.map((c, i) => (c?.notApplicable ? 'n/a: not applicable' : y[i] === null ? 'n/a: not measured' : formatNumber(y[i]!))),
        hoverinfo: 'x+text+name',
      });
    });
    axes[`xaxis${ax}`] = { type: 'category', tickfont: { size: 10 } };
    axes[`yaxis${ax}`] = { title: { text: m.title, font: { size: 11 } }, rangemode: 'tozero' };
  });
  const title = 'RUM view: read, update (write) and memory amplification per engine';
  return {
    id: '', section: 'rum', title, height: 120 + 250 * Math.ceil(RUM_METRICS.length / cols), data,
    layout: baseLayout(title, contextLine(cells as Cell[]), {
      barmode: 'group',
      grid: { rows: Math.ceil(RUM_METRICS.length / cols), columns: cols, pattern: 'independent', ygap: 0.35, xgap: 0.25 },
      ...axes,
    }),
  };
}
