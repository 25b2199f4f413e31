/**
 * Throughput per engine × workload: grouped bars (one trace per engine series, workloads on
 * the x axis) of the mean over trials with 95% confidence-interval error bars. Used for the run
 * phase and for the load phase. Not-applicable pairs draw no bar and are listed in an annotation
 * (never shown as 0). A figure whose CI is wide says so.
 */
import { escapePlotlyText } from '../escape.js';
import { contextLine, formatNumber, type Cell, type ReportModel } from '../model.js';
import { isNoisy, relativeCiHalfWidth } from '../noise.js';
import { baseLayout, seriesColor, type Figure, type Trace } from './figure.js';

/** Grouped throughput bars for `phase`; null when no cell has that phase. */
export function throughputFigure(model: ReportModel, phase: 'load' | 'run'): Figure | null {
  const withPhase = model.cells.filter((c) => c[phase]);
  if (withPhase.length === 0) return null;
  const workloads = model.workloads.filter((w) => model.cells.some((c) => c.workload === w && (c[phase] || c.notApplicable)));
  const data: Trace[] = [];
  const noisy: string[] = [];
  model.series.forEach((series, si) => {
    const cells = workloads.map((w) => model.cells.find((c) => c.series === series && c.workload === w));
    if (!cells.some((c) => c?.[phase])) return;
    const y: (number | null)[] = [];
    const plus: number[] = [];
    const minus: number[] = [];
    const hover: string[] = [];
    for (const c of cells) {
      const s = c?.[phase]?.summary.throughput;
      if (!c || !s) {
        y.push(null);
        plus.push(0);
        minus.push(0);
        hover.push(c?.notApplicable ? `n/a: ${escapePlotlyText(c.notApplicable)}` : 'not run');
        continue;
      }
      y.push(s.mean);
      plus.push(s.ci95 ? Math.max(0, s.ci95[1] - s.mean) : 0);
      minus.push(s.ci95 ? Math.min(s.mean, Math.max(0, s.mean - s.ci95[0])) : 0); // drawn down to 0 at most; the table gives the CI as computed
      const rel = relativeCiHalfWidth(s);
      hover.push(`mean ${formatNumber(s.mean)} ops/s, median ${formatNumber(s.median)}, n=${s.n}` + (rel === null ? ', no CI' : `, 95% CI ±${(rel * 100).toFixed(1)}%`));
      if (isNoisy(s)) noisy.push(`${c.series} × ${c.workload} ±${((rel ?? 0) * 100).toFixed(0)}%`);
    }
    data.push({
      type: 'bar', name: escapePlotlyText(series), x: workloads.map(escapePlotlyText), y,
      marker: { color: seriesColor(si) },
      error_y: { type: 'data', symmetric: false, array: plus, arrayminus: minus, visible: true, thickness: 1.5 },
      hovertext: hover, hoverinfo: 'x+y+text+name',
    });
  });
  const na = model.cells.filter((c) => c.notApplicable && workloads.includes(c.workload));
  const notes: string[] = [];
  if (na.length) notes.push(`n/a (not applicable, not 0): ${na.map((c) => `${c.series} × ${c.workload}`).join('; ')}`);
  if (noisy.length) notes.push(`High run-to-run noise (95% CI wider than ±10% of the mean): ${noisy.join('; ')}. Differences smaller than the CI are not evidence; run more trials or a quieter machine.`);
  const title = phase === 'run' ? 'Run throughput per engine × workload' : 'Load-phase throughput per engine × workload';
  return {
    id: '', section: phase === 'run' ? 'throughput' : 'load', title, height: 460,
    data,
    layout: baseLayout(title, contextLine(withPhase as Cell[]), {
      barmode: 'group',
      yaxis: { title: { text: 'ops/s (mean of trials, 95% CI)' }, rangemode: 'tozero' },
      xaxis: { title: { text: 'workload' }, type: 'category' },
    }),
    notes,
  };
}
