/**
 * Throughput and p99 over time per workload: two stacked panels sharing the time axis, one
 * line per engine series, from the run-phase trial with the median throughput (the trial
 * shown is named in the legend). Intended-start p99 (coordinated omission corrected) is drawn
 * dashed when the run had a target rate.
 */
import type { PhaseResult, PhaseTrial } from '../../harness/results.js';
import { escapePlotlyText } from '../escape.js';
import { contextLine, type ReportModel } from '../model.js';
import { baseLayout, seriesColor, type Figure, type Trace } from './figure.js';

/** The trial whose throughput is the median (lower median for an even count). */
export function medianTrial(phase: PhaseResult): PhaseTrial {
  const sorted = [...phase.trials].sort((a, b) => a.throughput - b.throughput);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** One time-series figure per workload that has run phases with intervals. */
export function timelineFigures(model: ReportModel): Figure[] {
  const out: Figure[] = [];
  for (const w of model.workloads) {
    const cells = model.cells.filter((c) => c.workload === w && c.run && c.run.trials.some((t) => t.intervals.length > 0));
    if (cells.length === 0) continue;
    const data: Trace[] = [];
    for (const c of cells) {
      const t = medianTrial(c.run!);
      const si = model.series.indexOf(c.series);
      const name = escapePlotlyText(`${c.series} (trial ${t.trial})`);
      const x = t.intervals.map((p) => p.tMs / 1000);
      const color = seriesColor(si);
      data.push({ type: 'scatter', mode: 'lines+markers', name, legendgroup: name, x, y: t.intervals.map((p) => p.throughput),
        line: { color, width: 1.5 }, marker: { size: 4 }, xaxis: 'x', yaxis: 'y' });
      data.push({ type: 'scatter', mode: 'lines+markers', name, legendgroup: name, showlegend: false, x,
        y: t.intervals.map((p) => (p.p99 === null ? null : p.p99 / 1000)), line: { color, width: 1.5 }, marker: { size: 4 }, xaxis: 'x', yaxis: 'y2' });
      if (t.intervals.some((p) => p.intendedP99 !== null)) {
        data.push({ type: 'scatter', mode: 'lines', name: `${name} intended-start p99`, legendgroup: name, x,
          y: t.intervals.map((p) => (p.intendedP99 === null ? null : p.intendedP99 / 1000)), line: { color, width: 1, dash: 'dash' }, xaxis: 'x', yaxis: 'y2' });
      }
    }
    const title = `${w}: throughput and p99 latency over time (run, median trial)`;
    out.push({
      id: '', section: 'timeline', title, height: 520, data,
      layout: baseLayout(title, contextLine(cells), {
        grid: { rows: 2, columns: 1, shared_xaxes: true },
        xaxis: { title: { text: 'seconds since measured start' }, anchor: 'y2' },
        yaxis: { title: { text: 'ops/s per interval' }, domain: [0.55, 1], rangemode: 'tozero' },
        yaxis2: { title: { text: 'p99 (µs, log)' }, domain: [0, 0.45], type: 'log' },
      }),
    });
  }
  return out;
}
