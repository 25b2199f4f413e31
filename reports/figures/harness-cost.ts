/**
 * Harness cost: per engine × workload, the measured time per operation (1 / median run
 * throughput) beside the harness's own cost per operation of the loop that engine was driven
 * with (sync, async at its threads, open), measured with the null engine, so a figure that is
 * mostly harness shows as such.
 */
import type { HarnessCost } from '../../harness/results.js';
import { escapePlotlyText } from '../escape.js';
import { contextLine, type Cell, type ReportModel } from '../model.js';
import { baseLayout, seriesColor, type Figure, type Trace } from './figure.js';

/** ns per operation of a cell's run phase (1e9 / median throughput), or null. */
export function nsPerOp(c: Cell): number | null {
  const t = c.run?.summary.throughput.median;
  return t && t > 0 ? 1e9 / t : null;
}

/** The harness cost recorded with the cell's run (the cost of the loop that run used), or null when not measured. */
export function harnessCostOf(c: Cell): HarnessCost | null {
  for (const f of [...c.files].reverse()) if (f.harnessCost && f.phases.some((p) => p.phase === 'run')) return f.harnessCost;
  for (const f of c.files) if (f.harnessCost) return f.harnessCost;
  return null;
}

/** Harness cost in ns/op of the cell's loop, or null. */
export function harnessNsPerOp(c: Cell): number | null {
  return harnessCostOf(c)?.nsPerOp ?? null;
}

/** The loop a cost is for, in words (`sync loop`, `async loop, 4 in flight`); older results: the sync loop. */
export function loopLabel(h: HarnessCost): string {
  const loop = h.loop ?? 'sync';
  const base = loop === 'sync' ? 'sync loop' : loop === 'open-sync' ? 'open sync loop' : loop === 'async' ? 'async loop' : 'open async loop';
  return h.threads !== undefined && !loop.endsWith('sync') ? `${base}, ${h.threads} in flight` : base;
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
  // each series' own loop cost (a sync engine's loop and an async engine's differ)
  model.series.forEach((series, si) => {
    const row = workloads.map((w) => cells.find((c) => c.series === series && c.workload === w));
    const ys = row.map((c) => (c ? harnessNsPerOp(c) : null));
    if (!ys.some((v) => v !== null)) return;
    const h = row.map((c) => (c ? harnessCostOf(c) : null)).find((x) => x !== null)!;
    data.push({ type: 'scatter', mode: 'markers', name: escapePlotlyText(`${series}: harness alone (${loopLabel(h)})`), x: workloads.map(escapePlotlyText), y: ys,
      marker: { symbol: 'line-ew-open', size: 30, line: { width: 3, color: seriesColor(si) }, color: seriesColor(si) } });
  });
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
