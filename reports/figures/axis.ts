/**
 * A run figure over one axis (record count, client processes): per engine series, the cell's
 * median run throughput (top) and median p99 of all ops in µs (bottom, log), points ordered by
 * the axis value. One definition for figures/scale.ts and figures/clients.ts.
 */
import { escapePlotlyText } from '../escape.js';
import { contextLine, formatNs, type Cell, type ReportModel } from '../model.js';
import { baseLayout, seriesColor, type Figure, type SectionId, type Trace } from './figure.js';

/** What an axis figure varies. */
export interface AxisSpec {
  /** The axis value of a cell. */
  x: (c: Cell) => number;
  /** Hover text of a point (escaped here). */
  hover: (c: Cell) => string;
  /** The x axis settings (title, type, ticks). */
  xaxis: Record<string, unknown>;
  yTitle: string;
  section: SectionId;
  note: string;
}

/** The figure of `cells` (run cells of one workload) against `a.x`. */
export function axisFigure(model: ReportModel, cells: readonly Cell[], title: string, a: AxisSpec): Figure {
  const data: Trace[] = [];
  model.series.forEach((series, si) => {
    const pts = cells.filter((c) => c.series === series).sort((p, q) => a.x(p) - a.x(q));
    if (pts.length === 0) return;
    const name = escapePlotlyText(series);
    const x = pts.map(a.x);
    const hover = pts.map((c) => escapePlotlyText(a.hover(c)));
    const color = seriesColor(si);
    data.push({ type: 'scatter', mode: 'lines+markers', name, legendgroup: name, x, y: pts.map((c) => c.run!.summary.throughput.median),
      line: { color }, hovertext: hover, hoverinfo: 'x+y+text+name', xaxis: 'x', yaxis: 'y' });
    data.push({ type: 'scatter', mode: 'lines+markers', name, legendgroup: name, showlegend: false, x,
      y: pts.map((c) => c.run!.summary.overall.p99.median / 1000), line: { color, dash: 'dot' },
      hovertext: pts.map((c, i) => `${hover[i]} · p99 ${formatNs(c.run!.summary.overall.p99.median)}`), hoverinfo: 'x+text+name', xaxis: 'x', yaxis: 'y2' });
  });
  return {
    id: '', section: a.section, title, height: 560, data,
    layout: baseLayout(title, contextLine(cells), {
      grid: { rows: 2, columns: 1, shared_xaxes: true },
      xaxis: { ...a.xaxis, anchor: 'y2' },
      yaxis: { title: { text: a.yTitle }, domain: [0.55, 1], rangemode: 'tozero' },
      yaxis2: { title: { text: 'p99, all ops (µs, log)' }, domain: [0, 0.45], type: 'log' },
    }),
    notes: [a.note],
  };
}
