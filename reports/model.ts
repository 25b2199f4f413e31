/**
 * Groups results files into report cells (one per engine label × durability × workload) and
 * derives the context every chart must state (durability, dataset size, seed). The only
 * module that decides how files combine; everything else reads {@link ReportModel}.
 */
import type { HarnessSettings, PhaseResult, ResultsFile } from '../harness/results.js';
import { durabilityLabel } from '../harness/results.js';

/** How a scale-out run's clients ran (`results.harness.clients`). */
export type ClientsSetting = NonNullable<HarnessSettings['clients']>;

/** One engine (label + durability) × workload (× client count), merged from the files that describe it. */
export interface Cell {
  /** Stable key: `label|durability|workload` (the workload as shown, so it carries record and client counts when they vary). */
  key: string;
  /** Engine label as results show it (name + options). */
  engine: string;
  durability: string;
  /** `label [durability]`: the series name every chart uses, so durability is always visible. */
  series: string;
  /**
   * The workload as reports show it: its name, with the record count appended (`workloada @
   * 1,000,000`) when the results hold a scale series (several record counts of one workload), and
   * the client count (`workloada × 4 clients`) when they hold several client counts of it.
   */
  workload: string;
  /** The workload's own name (without the record count). */
  workloadBase: string;
  /** The files merged into this cell, in input order. */
  files: ResultsFile[];
  load: PhaseResult | null;
  run: PhaseResult | null;
  /** Why the pair was not run, when it was not. */
  notApplicable: string | null;
  /** recordcount property, when set. */
  recordcount: number | null;
  seed: number;
  datasetBytes: number;
  ratioToRam: number;
  /** The memory the run had: its --memory-limit (cgroup), or the machine's RAM. */
  memoryBytes: number;
  memoryLimited: boolean;
  /** datasetBytes / memoryBytes. */
  ratioToMemory: number;
  /** Why the run is partial (an op timed out, OOM), or null when complete. */
  partial: string | null;
  /** Client processes that ran each trial together (`harness.clients.count`); 1 for a one-process run. */
  clients: number;
  /** The scale-out setting of the cell's first file, or null for a one-process run. */
  clientsSetting: ClientsSetting | null;
}

/** Everything a report renders. */
export interface ReportModel {
  files: ResultsFile[];
  cells: Cell[];
  /** Distinct engine series and workloads, in first-seen order. */
  series: string[];
  workloads: string[];
  /** Problems the reader must know (mixed durability, duplicate phases, ...). */
  warnings: string[];
}

/** The series name of an engine at a durability (`lsm:bloomBits=0 [always]`). */
export function seriesName(label: string, durability: string): string {
  return `${label} [${durability}]`;
}

/** Builds the model. Files are used as given (validate them first); order is preserved. */
export function buildModel(files: readonly ResultsFile[]): ReportModel {
  const cells = new Map<string, Cell>();
  const warnings: string[] = [];
  const rcOf = (f: ResultsFile): number | null => {
    const rc = Number(f.workload.properties['recordcount']);
    return Number.isFinite(rc) ? rc : null;
  };
  // a scale series: one workload at several record counts (kvlab matrix -p recordcount=a,b,c)
  const sizes = new Map<string, Set<number | null>>();
  for (const f of files) sizes.set(f.workload.name, (sizes.get(f.workload.name) ?? new Set()).add(rcOf(f)));
  // client counts are kept apart like record counts: N clients' merged figures are not trials of one client
  const clientCounts = new Map<string, Set<number>>();
  for (const f of files) clientCounts.set(f.workload.name, (clientCounts.get(f.workload.name) ?? new Set()).add(clientsOf(f)));
  for (const f of files) {
    const rc = rcOf(f);
    const n = clientsOf(f);
    const scaled = (sizes.get(f.workload.name)?.size ?? 0) > 1;
    const multi = (clientCounts.get(f.workload.name)?.size ?? 0) > 1;
    const workload = (scaled ? `${f.workload.name} @ ${rc === null ? '?' : rc.toLocaleString('en-US')}` : f.workload.name) +
      (multi ? ` × ${n} client${n === 1 ? '' : 's'}` : '');
    const key = `${f.engine.label}|${f.engine.durability}|${workload}`;
    let c = cells.get(key);
    if (!c) {
      const ds = f.environment.dataset;
      const limit = f.harness.memoryLimit ?? null;
      const memoryBytes = limit?.bytes ?? ds.ramBytes;
      c = {
        key, engine: f.engine.label, durability: f.engine.durability, series: seriesName(f.engine.label, durabilityLabel(f.engine)),
        workload, workloadBase: f.workload.name, files: [], load: null, run: null, notApplicable: null,
        recordcount: rc, seed: f.workload.seed,
        datasetBytes: ds.estimatedBytes, ratioToRam: ds.ratioToRam,
        memoryBytes, memoryLimited: limit !== null, ratioToMemory: memoryBytes > 0 ? ds.estimatedBytes / memoryBytes : 0,
        partial: null, clients: n, clientsSetting: f.harness.clients ?? null,
      };
      cells.set(key, c);
    }
    if (c.files.length > 0 && clientsStatement(c) !== clientsStatement({ clients: n, clientsSetting: f.harness.clients ?? null }))
      warnings.push(`${c.series} × ${c.workload}: its files ran clients differently (${clientsStatement(c) ?? 'one process'} vs ${clientsStatement({ clients: n, clientsSetting: f.harness.clients ?? null }) ?? 'one process'}); the first file's setting is stated`);
    c.files.push(f);
    if (f.partial) {
      c.partial = f.partial.reason;
      warnings.push(`${c.series} × ${c.workload} is PARTIAL (${f.partial.code}): ${f.partial.reason}`);
    }
    if (f.notApplicable) c.notApplicable = f.notApplicable.reason;
    for (const ph of f.phases) {
      if (c[ph.phase]) warnings.push(`${c.series} × ${c.workload}: more than one ${ph.phase} phase; the last file given is shown`);
      c[ph.phase] = ph;
    }
  }
  const list = [...cells.values()];
  const durabilities = new Set(list.map((c) => c.durability));
  if (durabilities.size > 1)
    warnings.push(`results mix durability modes (${[...durabilities].join(', ')}): compare engines only at the same durability`);
  for (const w of new Set(list.map((c) => c.workload))) {
    const inW = list.filter((c) => c.workload === w);
    const rcs = new Set(inW.map((c) => c.recordcount));
    const seeds = new Set(inW.map((c) => c.seed));
    if (rcs.size > 1) warnings.push(`${w}: engines ran with different recordcount (${[...rcs].join(', ')})`);
    if (seeds.size > 1) warnings.push(`${w}: engines ran with different seeds (${[...seeds].join(', ')})`);
  }
  warnings.unshift(memoryStatement(list));
  return {
    files: [...files], cells: list, warnings,
    series: [...new Set(list.map((c) => c.series))],
    workloads: [...new Set(list.map((c) => c.workload))],
  };
}

/** Client processes of a results file: `harness.clients.count`, 1 when absent. */
export function clientsOf(f: ResultsFile): number {
  return f.harness.clients?.count ?? 1;
}

/**
 * How a cell's figures were obtained from its clients, in the report's wording: `4 client
 * processes (processes), merged exactly` (`, own stores` when every client had its own store;
 * the agents when they ran under `kvlab agent`), or null for a one-process run.
 */
export function clientsStatement(c: Pick<Cell, 'clients' | 'clientsSetting'>): string | null {
  const s = c.clientsSetting;
  if (!s) return null;
  const agents = s.mode === 'agents' && s.agents?.length
    ? `: ${s.agents.length} agent${s.agents.length === 1 ? '' : 's'}${s.clientsPerAgent ? ` × ${s.clientsPerAgent} each` : ''}` : '';
  return `${c.clients} client process${c.clients === 1 ? '' : 'es'} (${s.mode}${agents}), merged exactly${s.ownStores ? ', own stores' : ''}`;
}

/**
 * The report's first line: whether the runs had a memory limit and how the data compares with
 * the memory they had (without a limit every read can come from the page cache, so designs
 * are compared in cache, whatever the data set's size on disk).
 */
export function memoryStatement(cells: readonly Cell[]): string {
  if (cells.length === 0) return 'no results';
  const max = Math.max(...cells.map((c) => c.ratioToMemory));
  const limited = cells.filter((c) => c.memoryLimited);
  if (limited.length === 0) {
    const ram = Math.max(...cells.map((c) => c.memoryBytes));
    const refused = cells.flatMap((c) => c.files).map((f) => f.harness.memoryLimitNotApplied).find((x) => x !== undefined);
    return `No memory limit${refused ? ` (${refused})` : ''}: every run had the machine's ${formatBytes(ram)} of RAM and the largest data set is ${formatNumber(max)}× of it, so reads are served from the page cache; designs are compared in cache (kvlab --memory-limit bounds a run's memory).`;
  }
  const limits = [...new Set(limited.map((c) => formatBytes(c.memoryBytes)))];
  const unlimited = cells.length - limited.length;
  return `Memory-bounded: each trial's process ran in a memory cgroup of ${limits.join(' / ')} (engine, heap and the page cache it causes); the data set is up to ${formatNumber(max)}× the memory${unlimited > 0 ? `; ${unlimited} cell(s) ran without a limit` : ''}.`;
}

/** Human bytes: `1.5 MiB`. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** A number with 3 significant digits and thousands separators where large (`12,300`, `0.0123`). */
export function formatNumber(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return 'n/a';
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  return Number(n.toPrecision(3)).toString();
}

/** Nanoseconds as a readable latency: `850 ns`, `12.3 µs`, `4.5 ms`, `1.2 s`. */
export function formatNs(ns: number | null): string {
  if (ns === null || !Number.isFinite(ns)) return 'n/a';
  if (ns < 1e3) return `${formatNumber(ns)} ns`;
  if (ns < 1e6) return `${formatNumber(ns / 1e3)} µs`;
  if (ns < 1e9) return `${formatNumber(ns / 1e6)} ms`;
  return `${formatNumber(ns / 1e9)} s`;
}

/**
 * The context line every chart states for the cells it shows: dataset size (records, bytes,
 * ratio to the memory the run had: its limit, or RAM), seed(s) and durability mode(s), and for
 * scale-out runs how many client processes ran and that their figures are merged exactly
 * ({@link clientsStatement}; `one process` beside them for one-process cells). Distinct values are listed when they differ.
 */
export function contextLine(cells: readonly Cell[]): string {
  const uniq = <T>(xs: T[]) => [...new Set(xs)];
  const rc = uniq(cells.map((c) => (c.recordcount === null ? '?' : c.recordcount.toLocaleString('en-US'))));
  const bytes = uniq(cells.map((c) => `${formatBytes(c.datasetBytes)} = ${formatNumber(c.ratioToMemory)}× ${c.memoryLimited ? `the ${formatBytes(c.memoryBytes)} memory limit` : `RAM (${formatBytes(c.memoryBytes)}, no memory limit)`}`));
  const seeds = uniq(cells.map((c) => String(c.seed)));
  const dur = uniq(cells.map((c) => c.durability));
  const clients = cells.some((c) => c.clientsSetting) ? uniq(cells.map((c) => clientsStatement(c) ?? 'one process')) : [];
  const traces = uniq(cells.flatMap((c) => c.files.flatMap((f) => (f.workload.traceReplay ? [traceStatement(f.workload.traceReplay)] : []))));
  return `records ${rc.join('/')} (${bytes.join('; ')}) · seed ${seeds.join('/')} · durability ${dur.join('/')}` +
    (clients.length ? ` · ${clients.join(' / ')}` : '') + (traces.length ? ` · ${traces.join(' / ')}` : '');
}

/** What a trace replay ran, for the context line: `trace F (twitter, recorded ×2, preload none; skipped delete 295)`. */
export function traceStatement(t: NonNullable<ResultsFile['workload']['traceReplay']>): string {
  const name = t.file.split('/').pop() ?? t.file;
  const skipped = Object.entries(t.skipped).map(([k, n]) => `${k} ${n}`).join(', ');
  return `trace ${name} (${t.format}, ${t.timing}${t.timing === 'recorded' ? ` ×${t.speed}` : ''}, preload ${t.preload}${skipped ? `; skipped ${skipped}` : ''})`;
}
