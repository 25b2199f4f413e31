/**
 * Latency percentile spectrum per workload × operation type, HdrHistogram-plotter style: the
 * x axis is the log "nines" axis (50%, 90%, 99%, 99.9% ...), the y axis is latency (µs, log),
 * engines overlaid. Each curve merges the HDR histograms of all trials of the run phase; with a
 * target rate the intended-start latency (coordinated omission corrected) is drawn dashed.
 */
import { OP_TYPES, type ResultOpType } from '../../harness/results.js';
import { escapePlotlyText } from '../escape.js';
import { mergedSpectrum } from '../histograms.js';
import { contextLine, formatNs, type ReportModel } from '../model.js';
import { ninesTicks, percentileLabel } from '../nines.js';
import { baseLayout, seriesColor, type Figure, type Trace } from './figure.js';

/** One spectrum figure per workload and operation type that occurred in a run phase. */
export function spectrumFigures(model: ReportModel): Figure[] {
  const out: Figure[] = [];
  for (const w of model.workloads) {
    const cells = model.cells.filter((c) => c.workload === w && c.run);
    for (const op of OP_TYPES) {
      const data: Trace[] = [];
      let maxNines = 1;
      for (const c of cells) {
        const records = c.run!.trials.map((t) => t.ops[op as ResultOpType]?.latency).filter((r) => r !== undefined);
        const s = mergedSpectrum(records, 10, `${c.series} × ${c.workload} run ${op} latency`);
        if (s.count === 0) continue;
        maxNines = Math.max(maxNines, Math.log10(s.count));
        const si = model.series.indexOf(c.series);
        const intended = mergedSpectrum(c.run!.trials.map((t) => t.ops[op as ResultOpType]?.intendedLatency).filter((r) => r !== undefined && r !== null),
          10, `${c.series} × ${c.workload} run ${op} intended latency`);
        if (intended.count > 0)
          data.push({
            type: 'scatter', mode: 'lines', name: escapePlotlyText(`${c.series} intended start (coordinated omission corrected)`),
            x: intended.x, y: intended.valuesNs.map((v) => v / 1000), hoverinfo: 'x+y+name', line: { color: seriesColor(si), width: 1.5, dash: 'dash' },
          });
        data.push({
          type: 'scatter', mode: 'lines', name: escapePlotlyText(c.series),
          x: s.x, y: s.valuesNs.map((v) => v / 1000),
          text: s.percentiles.map((p, i) => `${percentileLabel(Number(p.toFixed(4)))}: ${formatNs(s.valuesNs[i]!)} (max ${formatNs(s.maxNs)}, n=${s.count})`),
          hoverinfo: 'text+name', line: { color: seriesColor(si), width: 2 },
        });
      }
      if (data.length === 0) continue;
      const ticks = ninesTicks(maxNines);
      const title = `${w}: ${op} latency percentile spectrum (run, all trials merged)`;
      out.push({
        id: '', section: 'latency', title, height: 420, data,
        layout: baseLayout(title, contextLine(cells), {
          xaxis: { type: 'log', title: { text: 'percentile (log nines axis)' }, tickvals: ticks.tickvals, ticktext: ticks.ticktext },
          yaxis: { type: 'log', title: { text: 'latency (µs, service time)' } },
        }),
      });
    }
  }
  return out;
}
