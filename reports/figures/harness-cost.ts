/**
 * Harness cost: per engine × workload, the measured time per operation (1 / median run
 * throughput) beside the harness's own cost per operation measured with the null engine, so a
 * figure that is mostly harness shows as such.
 */
import { escapePlotlyText } from '../escape.js';
import { contextLine, type Cell, type ReportModel } from '../model.js';
import { baseLayout, seriesColor, type Figure, type Trace } from './figure.js';

/** ns per operation of a cell's run phase (1e9 / median throughput), or null. */
export function nsPerOp(c: Cell): number | null {
  const t = c.run?.summary.throughput.median;
  return t && t > 0 ? 1e9 / t : null;
}

/** Harness cost (ns/op, null engine) recorded with the cell's run, or null when not measured. */
export function harnessNsPerOp(c: Cell): number | null {
  for (const f of [...c.files].reverse()) if (f.harnessCost && f.phases.some((p) => p.phase === 'run')) return f.harnessCost.nsPerOp;
  for (const f of c.files) if (f.harnessCost) return f.harnessCost.nsPerOp;
  return null;
}

/** The harness-cost figure, or null when no run phase exists. */
export function harnessCostFigure(model: ReportModel): Figure | null {
  const cells = model.cells.filter((c) => c.run);
  if (cells.length === 0) return null;
  const workloads = model.workloads.filter((w) => cells.some((c) => c.workload === w));
  const data: Trace[] = [];
  model.series.forEach((series, si) => {
    const row = workloads.map((w) => cells.find((c) => c.series === series && c.workload === w));
    if (!row.some((c) => c)) return;
    data.push({ type: 'bar', name: escapePlotlyText(`${series}: measured ns/op`), x: workloads.map(escapePlotlyText),
      y: row.map((c) => (c ? nsPerOp(c) : null)), marker: { color: seriesColor(si) } });
  });
  const harness = workloads.map((w) => {
    const xs = cells.filter((c) => c.workload === w).map(harnessNsPerOp).filter((v): v is number => v !== null);
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
  });
  if (harness.some((v) => v !== null))
    data.push({ type: 'scatter', mode: 'markers', name: 'harness only (null engine), ns/op', x: workloads.map(escapePlotlyText), y: harness,
      marker: { symbol: 'line-ew-open', size: 40, line: { width: 3, color: '#b00' }, color: '#b00' } });
  const title = 'Harness cost: measured time per operation vs the harness alone';
  return {
    id: '', section: 'harness', title, height: 420, data,
    layout: baseLayout(title, contextLine(cells), {
      barmode: 'group',
      xaxis: { type: 'category', title: { text: 'workload' } },
      yaxis: { type: 'log', title: { text: 'ns per operation (log)' } },
    }),
  };
}
