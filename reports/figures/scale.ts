/**
 * Scale as an axis: for a workload run at several record counts (`kvlab matrix -p
 * recordcount=100000,1000000,...`), run throughput and p99 against the record count, one line
 * per engine series (log x axis), with the data-to-memory ratio of each point in its hover text.
 * The point where a design falls out of memory shows as a knee.
 */
import { formatBytes, formatNumber, type ReportModel } from '../model.js';
import { axisFigure } from './axis.js';
import type { Figure } from './figure.js';

/** One figure per workload (and client count, when it ran with several) that has more than one record count; none otherwise. */
export function scaleFigures(model: ReportModel): Figure[] {
  const out: Figure[] = [];
  for (const base of [...new Set(model.cells.map((c) => c.workloadBase))]) {
    // a workload run with several client counts too: one figure per client count
    const counts = [...new Set(model.cells.filter((c) => c.workloadBase === base).map((c) => c.clients))];
    for (const n of counts) {
      const cells = model.cells.filter((c) => c.workloadBase === base && c.clients === n && c.run && c.recordcount !== null);
      if (new Set(cells.map((c) => c.recordcount)).size < 2) continue;
      const title = `${base}${counts.length > 1 ? ` × ${n} client${n === 1 ? '' : 's'}` : ''}: run throughput and p99 against record count`;
      out.push(axisFigure(model, cells, title, {
        x: (c) => c.recordcount!,
        hover: (c) => `${c.recordcount!.toLocaleString('en-US')} records, ${formatBytes(c.datasetBytes)} = ${formatNumber(c.ratioToMemory)}× ${c.memoryLimited ? 'the memory limit' : 'RAM'}${c.partial ? ' · PARTIAL' : ''}`,
        xaxis: { title: { text: 'records (log)' }, type: 'log' },
        yTitle: 'ops/s (median of trials)', section: 'throughput',
        note: 'Each point is one cell of the matrix (median over its trials); the hover text gives its data-to-memory ratio.',
      }));
    }
  }
  return out;
}
