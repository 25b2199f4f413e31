/**
 * Scale-out runs (`kvlab run --clients N`): the per-client breakdown of a cell's run phase, so a
 * merged figure can be checked against the clients it was merged from, and a straggler (a client
 * much slower than the others, which drags the merged tail) is visible.
 */
import type { ClientTrial, PhaseTrial } from '../harness/results.js';
import { escapeHtml } from './escape.js';
import { markup, type CellContent } from './html-table.js';
import { clientsStatement, formatNs, formatNumber, type Cell, type ReportModel } from './model.js';
import { median } from '../harness/stats.js';
import type { TableData } from './tables.js';

/** A client whose throughput is below this fraction of the median client's is a straggler. */
export const STRAGGLER_FRACTION = 0.8;

/**
 * The stragglers of one trial: indexes (into `clients`) of the clients whose throughput is below
 * {@link STRAGGLER_FRACTION} × the median client throughput of that trial. None with fewer than
 * two clients.
 */
export function stragglers(clients: readonly ClientTrial[]): Set<number> {
  if (clients.length < 2) return new Set();
  const m = median(clients.map((c) => c.throughput));
  return new Set(clients.flatMap((c, i) => (c.throughput < STRAGGLER_FRACTION * m ? [i] : [])));
}

function ms(v: number): string {
  return `${formatNumber(v)} ms`;
}

function clientRow(t: PhaseTrial, c: ClientTrial, straggler: boolean, med: number): CellContent[] {
  // built from numbers only: the trusted markup never holds a results-file string
  const mark: CellContent = straggler
    ? markup(`<strong class="straggler">${escapeHtml(`STRAGGLER: ${formatNumber(c.throughput / med)}× the median client's ${formatNumber(med)} ops/s`)}</strong>`)
    : '';
  return [t.trial, c.index, c.host, c.agent ?? 'local', c.pid, formatNumber(c.operations), `${formatNumber(c.throughput)} ops/s`,
    formatNs(c.latency.percentiles.p99), c.failures, ms(c.clockOffsetMs), ms(c.startSkewMs), mark,
    c.failed ? `${c.failed.code}: ${c.failed.message}` : ''];
}

/**
 * One table per cell whose run phase has per-client figures: a row per client of every run trial
 * (trial, index, host, agent or `local`, pid, operations, throughput, p99, failures, clock
 * offset, start skew), a column marking stragglers ({@link stragglers}) and one with a failed
 * client's error. Cells without clients give no table.
 */
export function clientsTables(model: ReportModel): TableData[] {
  return model.cells.flatMap((c) => {
    const t = clientsTable(c);
    return t ? [t] : [];
  });
}

/** The breakdown table of one cell (see {@link clientsTables}), or null when its run trials have no clients. */
export function clientsTable(cell: Cell): TableData | null {
  const trials = (cell.run?.trials ?? []).filter((t) => t.clients && t.clients.length > 0);
  if (trials.length === 0) return null;
  const rows = trials.flatMap((t) => {
    const cs = t.clients!;
    const slow = stragglers(cs);
    const med = median(cs.map((c) => c.throughput));
    return cs.map((c, i) => clientRow(t, c, slow.has(i), med));
  });
  return {
    caption: `${cell.series} × ${cell.workload}: run phase per client (${clientsStatement(cell) ?? `${cell.clients} client(s)`}); straggler = below ${STRAGGLER_FRACTION}× the median client's throughput in its trial`,
    head: ['trial', 'client', 'host', 'agent', 'pid', 'operations', 'throughput', 'p99', 'failures', 'clock offset', 'start skew', 'straggler', 'failed'],
    rows, numericFrom: 4,
  };
}
