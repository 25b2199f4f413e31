/**
 * Clients as an axis: for a workload run with several client counts (`kvlab run --clients N` at
 * several N), run throughput (median of trials) and p99 against the number of client processes,
 * one line per engine series, like scale.ts does for record counts. Where adding clients stops
 * adding throughput (the store, not the clients, is the limit) shows as a flat line.
 */
import { escapePlotlyText } from '../escape.js';
import { clientsStatement, contextLine, formatNs, type Cell, type ReportModel } from '../model.js';
import { baseLayout, seriesColor, type Figure, type Trace } from './figure.js';

/** The cells of a workload at one record count: the group a clients figure is drawn for. */
function groups(model: ReportModel): Map<string, Cell[]> {
  const out = new Map<string, Cell[]>();
  for (const c of model.cells) {
    if (!c.run) continue;
    const k = `${c.workloadBase}|${c.recordcount ?? '?'}`;
    out.set(k, [...(out.get(k) ?? []), c]);
  }
  return out;
}

/**
 * One figure per workload (and record count, in a scale series) whose run cells have more than
 * one client count; none otherwise. x = client processes (1 for a one-process run), y = the
 * cell's median run throughput (top) and median p99 of all ops in µs (bottom, log).
 */
export function clientsFigures(model: ReportModel): Figure[] {
  const out: Figure[] = [];
  const sizesOf = (base: string) => new Set(model.cells.filter((c) => c.workloadBase === base).map((c) => c.recordcount)).size;
  for (const cells of groups(model).values()) {
    if (new Set(cells.map((c) => c.clients)).size < 2) continue;
    const first = cells[0]!;
    const data: Trace[] = [];
    model.series.forEach((series, si) => {
      const pts = cells.filter((c) => c.series === series).sort((a, b) => a.clients - b.clients);
      if (pts.length === 0) return;
      const name = escapePlotlyText(series);
      const x = pts.map((c) => c.clients);
      const hover = pts.map((c) => escapePlotlyText(`${clientsStatement(c) ?? 'one process'}${c.partial ? ' · PARTIAL' : ''}`));
      const color = seriesColor(si);
      data.push({ type: 'scatter', mode: 'lines+markers', name, legendgroup: name, x, y: pts.map((c) => c.run!.summary.throughput.median),
        line: { color }, hovertext: hover, hoverinfo: 'x+y+text+name', xaxis: 'x', yaxis: 'y' });
      data.push({ type: 'scatter', mode: 'lines+markers', name, legendgroup: name, showlegend: false, x,
        y: pts.map((c) => c.run!.summary.overall.p99.median / 1000), line: { color, dash: 'dot' },
        hovertext: pts.map((c, i) => `${hover[i]} · p99 ${formatNs(c.run!.summary.overall.p99.median)}`), hoverinfo: 'x+text+name', xaxis: 'x', yaxis: 'y2' });
    });
    const at = sizesOf(first.workloadBase) > 1 && first.recordcount !== null ? ` @ ${first.recordcount.toLocaleString('en-US')}` : '';
    const title = `${first.workloadBase}${at}: run throughput and p99 against client processes`;
    out.push({
      id: '', section: 'clients', title, height: 560, data,
      layout: baseLayout(title, contextLine(cells), {
        grid: { rows: 2, columns: 1, shared_xaxes: true },
        xaxis: { title: { text: 'client processes' }, type: 'linear', tickvals: [...new Set(cells.map((c) => c.clients))].sort((a, b) => a - b), anchor: 'y2', rangemode: 'tozero' },
        yaxis: { title: { text: 'ops/s (median of trials, all clients merged)' }, domain: [0.55, 1], rangemode: 'tozero' },
        yaxis2: { title: { text: 'p99, all ops (µs, log)' }, domain: [0, 0.45], type: 'log' },
      }),
      notes: ['Each point is one cell (median over its trials); a multi-client figure is the exact merge of its clients (operations summed, histograms added bucket by bucket).'],
    });
  }
  return out;
}
