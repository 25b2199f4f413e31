/**
 * The report's tables, as data (header + rows of {@link CellContent}) so the HTML and the
 * Markdown renderers show the same numbers. Every ratio sits beside the absolute figures it
 * comes from; not-applicable pairs read `n/a` with the reason; noisy figures are flagged.
 */
import { OP_TYPES } from '../harness/results.js';
import { harnessCostOf, loopLabel, nsPerOp } from './figures/harness-cost.js';
import { medianAmplification, RUM_METRICS } from './figures/rum.js';
import type { CellContent } from './html-table.js';
import { clientsStatement, formatBytes, formatNs, formatNumber, type Cell, type ReportModel } from './model.js';
import { ciText, isNoisy, relativeCiHalfWidth } from './noise.js';

/** A table as data. */
export interface TableData {
  caption: string;
  head: string[];
  rows: CellContent[][];
  /** Columns from this index on are numeric (right-aligned). */
  numericFrom: number;
}

/**
 * A `clients` column (how the figures were obtained: `4 client processes (processes), merged
 * exactly` or `one process`) appended to `t`, only when some cell of the model ran clients.
 * `cellOf` gives the cell each row describes, in row order.
 */
function withClientsColumn(model: ReportModel, t: TableData, cellOf: readonly Cell[]): TableData {
  if (!model.cells.some((c) => c.clientsSetting)) return t;
  return { ...t, head: [...t.head, 'clients'], rows: t.rows.map((r, i) => [...r, clientsStatement(cellOf[i]!) ?? 'one process']) };
}

/** Run (or load) throughput: median, 95% CI, n, ratio to the best series of the workload; the clients column for scale-out runs. */
export function throughputTable(model: ReportModel, phase: 'load' | 'run'): TableData {
  const rows: CellContent[][] = [];
  const of: Cell[] = [];
  for (const w of model.workloads) {
    const cells = model.cells.filter((c) => c.workload === w);
    const best = Math.max(0, ...cells.map((c) => c[phase]?.summary.throughput.median ?? 0));
    const bestCell = cells.find((c) => c[phase]?.summary.throughput.median === best);
    for (const c of cells) {
      of.push(c);
      const s = c[phase]?.summary.throughput;
      const mem = `${formatNumber(c.ratioToMemory)}× ${c.memoryLimited ? `${formatBytes(c.memoryBytes)} limit` : 'RAM'}`;
      if (!s) {
        rows.push([w, c.series, null, null, null, null, mem, c.notApplicable ? `n/a: ${c.notApplicable}` : `no ${phase} phase`]);
        continue;
      }
      const rel = relativeCiHalfWidth(s);
      const busy = c[phase]!.trials.filter((t) => t.machine?.busy).length;
      const noise = (rel === null ? 'single trial: no CI' : `±${(rel * 100).toFixed(1)}%${isNoisy(s) ? ' NOISY' : ''}`) +
        (busy > 0 ? ` · ${busy} of ${s.n} trial(s) ran on a busy machine` : '');
      const ratio = best > 0 ? `${(s.median / best).toFixed(2)}× of ${formatNumber(best)} (${bestCell!.series})` : null;
      rows.push([w, c.series, `${formatNumber(s.median)} ops/s${c.partial ? ' (PARTIAL)' : ''}`, ciText(s, formatNumber), s.n, noise, mem, ratio]);
    }
  }
  return withClientsColumn(model, {
    caption: `${phase === 'run' ? 'Run' : 'Load'} throughput (median of trials; ratio = median / best median in the workload)`,
    head: ['workload', 'engine [durability]', 'median', '95% CI of mean', 'trials', 'noise (busy: other processes used over 25% of a core, or CPU steal over 5%, during the trial)', 'data : memory', 'ratio to best'],
    rows, numericFrom: 2,
  }, of);
}

/** Latency per op type (run): median over trials of p50/p99/p99.9, counts, failures, not-found; the clients column for scale-out runs. */
export function latencyTable(model: ReportModel): TableData {
  const rows: CellContent[][] = [];
  const of: Cell[] = [];
  for (const c of model.cells) {
    if (!c.run) {
      if (c.notApplicable) {
        of.push(c);
        rows.push([c.workload, c.series, 'n/a', `n/a: ${c.notApplicable}`, null, null, null, null, null]);
      }
      continue;
    }
    for (const op of OP_TYPES) {
      const st = c.run.summary.ops[op];
      if (!st) continue;
      const count = c.run.trials.reduce((s, t) => s + (t.ops[op]?.count ?? 0), 0);
      const notFound = c.run.trials.reduce((s, t) => s + (t.ops[op]?.notFound ?? 0), 0);
      of.push(c);
      rows.push([c.workload, c.series, op, formatNs(st.p50.median), formatNs(st.p99.median), formatNs(st.p99_9.median),
        count, st.failures.values.reduce((a, b) => a + b, 0), notFound]);
    }
  }
  return withClientsColumn(model, {
    caption: 'Run-phase latency per operation type (service time; median over trials)',
    head: ['workload', 'engine [durability]', 'op', 'p50', 'p99', 'p99.9', 'ops (all trials)', 'failures', 'not found'],
    rows, numericFrom: 3,
  }, of);
}

function ampWithAbsolute(c: Cell, phase: 'load' | 'run', field: (typeof RUM_METRICS)[number]['field']): string {
  const ph = c[phase];
  const v = medianAmplification(ph, field);
  if (!ph || v === null) return 'n/a';
  const t = ph.trials[0]!;
  const es = t.engineStats;
  const abs: Record<string, string> = {
    writeEngine: `${formatBytes(es.after.deviceBytesWritten - es.before.deviceBytesWritten)} / ${formatBytes(t.userBytes.written)} user`,
    readEngine: `${formatBytes(es.after.deviceBytesRead - es.before.deviceBytesRead)} / ${formatBytes(t.userBytes.read)} user`,
    space: `${t.dirBytes.after === null ? 'n/a' : formatBytes(t.dirBytes.after)} / ${formatBytes(es.after.liveBytes)} live`,
    indexBytesPerKey: `${formatBytes(es.after.indexMemoryBytes)} / ${formatNumber(es.after.liveKeys)} keys`,
    rssBytesPerKey: `${formatBytes(t.memory.rssAfter)} / ${formatNumber(es.after.liveKeys)} keys`,
  };
  return `${formatNumber(v)} (${abs[field] ?? ''}, trial 0)`;
}

/** The RUM figures with the absolute byte counts they are ratios of. */
export function rumTable(model: ReportModel): TableData {
  const rows: CellContent[][] = model.cells.map((c) =>
    c.notApplicable && !c.load && !c.run
      ? [c.workload, c.series, ...RUM_METRICS.map(() => null)]
      : [c.workload, c.series, ...RUM_METRICS.map((m) => ampWithAbsolute(c, m.phase, m.field))],
  );
  return {
    caption: 'RUM figures: median over trials (absolute bytes of trial 0 in parentheses); n/a = unknown or not applicable, never 0',
    head: ['workload', 'engine [durability]', ...RUM_METRICS.map((m) => m.title)],
    rows, numericFrom: 2,
  };
}

/** Measured ns/op next to the harness's own ns/op and its share. */
export function harnessTable(model: ReportModel): TableData {
  const rows: CellContent[][] = model.cells.filter((c) => c.run).map((c) => {
    const m = nsPerOp(c);
    const hc = harnessCostOf(c);
    const h = hc?.nsPerOp ?? null;
    const floor = c.files.find((f) => f.bindingFloor)?.bindingFloor;
    const loop = hc === null ? null : `${loopLabel(hc)}${floor ? `; binding's bare loop (${floor.threads} in flight): put ${formatNs(floor.putNsPerOp)}, get ${formatNs(floor.getNsPerOp)} per call` : ''}`;
    return [c.workload, c.series, m === null ? null : `${formatNumber(m)} ns`, loop, h === null ? null : `${formatNumber(h)} ns`,
      m !== null && h !== null ? `${((100 * h) / m).toFixed(1)}% (${formatNumber(h)} of ${formatNumber(m)} ns)` : null];
  });
  return {
    caption: 'Harness cost of the loop each engine was driven with (null engine, same process, same loop and threads) against the measured time per operation',
    head: ['workload', 'engine [durability]', 'measured ns/op (1e9 / median ops/s)', 'loop', 'harness ns/op', 'harness share'],
    rows, numericFrom: 2,
  };
}
