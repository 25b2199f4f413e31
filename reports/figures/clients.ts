/**
 * Clients as an axis: for a workload run with several client counts (`kvlab run --clients N` at
 * several N), run throughput (median of trials) and p99 against the number of client processes,
 * one line per engine series, like scale.ts does for record counts. Where adding clients stops
 * adding throughput (the store, not the clients, is the limit) shows as a flat line.
 */
import { clientsStatement, type Cell, type ReportModel } from '../model.js';
import { axisFigure } from './axis.js';
import type { Figure } from './figure.js';

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
    const at = sizesOf(first.workloadBase) > 1 && first.recordcount !== null ? ` @ ${first.recordcount.toLocaleString('en-US')}` : '';
    out.push(axisFigure(model, cells, `${first.workloadBase}${at}: run throughput and p99 against client processes`, {
      x: (c) => c.clients,
      hover: (c) => `${clientsStatement(c) ?? 'one process'}${c.partial ? ' · PARTIAL' : ''}`,
      xaxis: { title: { text: 'client processes' }, type: 'linear', tickvals: [...new Set(cells.map((c) => c.clients))].sort((a, b) => a - b), rangemode: 'tozero' },
      yTitle: 'ops/s (median of trials, all clients merged)', section: 'clients',
      note: 'Each point is one cell (median over its trials); a multi-client figure is the exact merge of its clients (operations summed, histograms added bucket by bucket).',
    }));
  }
  return out;
}
