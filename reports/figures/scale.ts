/**
 * Scale as an axis: for a workload run at several record counts (`kvlab matrix -p
 * recordcount=100000,1000000,...`), run throughput and p99 against the record count, one line
 * per engine series (log x axis), with the data-to-memory ratio of each point in its hover text.
 * The point where a design falls out of memory shows as a knee.
 */
import { escapePlotlyText } from '../escape.js';
import { contextLine, formatBytes, formatNs, formatNumber, type ReportModel } from '../model.js';
import { baseLayout, seriesColor, type Figure, type Trace } from './figure.js';

/** One figure per workload (and client count, when it ran with several) that has more than one record count; none otherwise. */
export function scaleFigures(model: ReportModel): Figure[] {
  const out: Figure[] = [];
  for (const base of [...new Set(model.cells.map((c) => c.workloadBase))]) {
    // a workload run with several client counts too: one figure per client count
    const counts = [...new Set(model.cells.filter((c) => c.workloadBase === base).map((c) => c.clients))];
    for (const n of counts) {
      const cells = model.cells.filter((c) => c.workloadBase === base && c.clients === n && c.run && c.recordcount !== null);
      if (new Set(cells.map((c) => c.recordcount)).size < 2) continue;
      const data: Trace[] = [];
      model.series.forEach((series, si) => {
        const pts = cells.filter((c) => c.series === series).sort((a, b) => a.recordcount! - b.recordcount!);
        if (pts.length === 0) return;
        const name = escapePlotlyText(series);
        const x = pts.map((c) => c.recordcount!);
        const hover = pts.map((c) => `${c.recordcount!.toLocaleString('en-US')} records, ${formatBytes(c.datasetBytes)} = ${formatNumber(c.ratioToMemory)}× ${c.memoryLimited ? 'the memory limit' : 'RAM'}${c.partial ? ' · PARTIAL' : ''}`);
        const color = seriesColor(si);
        data.push({ type: 'scatter', mode: 'lines+markers', name, legendgroup: name, x, y: pts.map((c) => c.run!.summary.throughput.median),
          line: { color }, hovertext: hover, hoverinfo: 'x+y+text+name', xaxis: 'x', yaxis: 'y' });
        data.push({ type: 'scatter', mode: 'lines+markers', name, legendgroup: name, showlegend: false, x,
          y: pts.map((c) => c.run!.summary.overall.p99.median / 1000), line: { color, dash: 'dot' },
          hovertext: pts.map((c, i) => `${hover[i]} · p99 ${formatNs(c.run!.summary.overall.p99.median)}`), hoverinfo: 'x+text+name', xaxis: 'x', yaxis: 'y2' });
      });
      const title = `${base}${counts.length > 1 ? ` × ${n} client${n === 1 ? '' : 's'}` : ''}: run throughput and p99 against record count`;
      out.push({
        id: '', section: 'throughput', title, height: 560, data,
        layout: baseLayout(title, contextLine(cells), {
          grid: { rows: 2, columns: 1, shared_xaxes: true },
          xaxis: { title: { text: 'records (log)' }, type: 'log', anchor: 'y2' },
          yaxis: { title: { text: 'ops/s (median of trials)' }, domain: [0.55, 1], rangemode: 'tozero' },
          yaxis2: { title: { text: 'p99, all ops (µs, log)' }, domain: [0, 0.45], type: 'log' },
        }),
        notes: ['Each point is one cell of the matrix (median over its trials); the hover text gives its data-to-memory ratio.'],
      });
    }
  }
  return out;
}
