/**
 * The environment manifest and the settings behind every figure, as tables: machine and
 * software (one column per distinct environment), engines with every setting, workloads with
 * every property and the seed, harness settings, and the notes the results carry.
 */
import type { ResultsFile } from '../harness/results.js';
import { durabilityLabel } from '../harness/results.js';
import type { CellContent } from './html-table.js';
import { formatBytes, formatNumber, type ReportModel } from './model.js';
import type { TableData } from './tables.js';

function distinctBy<T>(xs: readonly T[], key: (x: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const x of xs) if (!seen.has(key(x))) seen.set(key(x), x);
  return [...seen.values()];
}

/** Machine and software, one column per distinct environment (free memory ignored). */
export function environmentTable(model: ReportModel): TableData {
  // the data directory and free memory differ per cell on one machine: not a different environment
  const envs = distinctBy(model.files, (f) => JSON.stringify({ ...f.environment, freeMemoryBytes: 0, filesystem: { ...f.environment.filesystem, dir: '' } })).map((f) => f.environment);
  const libs = [...new Set(envs.flatMap((e) => Object.keys(e.libraryVersions)))].sort();
  const row = (name: string, f: (e: ResultsFile['environment']) => CellContent): CellContent[] => [name, ...envs.map(f)];
  return {
    caption: 'Environment manifest',
    head: ['field', ...envs.map((_, i) => `environment ${i + 1}`)],
    numericFrom: 99,
    rows: [
      row('hostname', (e) => e.hostname),
      row('platform / arch', (e) => `${e.platform} / ${e.arch}`),
      row('kernel', (e) => e.kernel),
      row('CPU', (e) => `${e.cpuModel} (${e.cores} logical cores)`),
      row('memory', (e) => `${formatBytes(e.totalMemoryBytes)} total, ${formatBytes(e.freeMemoryBytes)} free at start`),
      row('filesystem', (e) => `${e.filesystem.type ?? 'unknown'} on ${e.filesystem.device ?? '?'} at ${e.filesystem.mountPoint ?? '?'} (e.g. ${e.filesystem.dir})`),
      row('dataset vs RAM', (e) => `${formatBytes(e.dataset.estimatedBytes)} estimated, ${formatNumber(e.dataset.ratioToRam)}× of ${formatBytes(e.dataset.ramBytes)}`),
      row('Node / V8', (e) => `${e.node} / ${e.v8}`),
      row('kvlab', (e) => `${e.kvlabVersion} @ ${e.gitRevision ?? 'unknown revision'}${e.gitDirty ? ' (uncommitted changes)' : ''}`),
      ...libs.map((l) => row(`library ${l}`, (e) => e.libraryVersions[l] ?? null)),
    ],
  };
}

/** Engines as they ran: one row per series. */
export function enginesTable(model: ReportModel): TableData {
  const files = distinctBy(model.files, (f) => `${f.engine.label}|${f.engine.durability}`);
  return {
    caption: 'Engines (every setting in effect)',
    head: ['engine [durability]', 'design', 'version', 'kind', 'capabilities', 'group commit', 'settings'],
    numericFrom: 99,
    rows: files.map((f) => {
      const e = f.engine;
      const caps = Object.entries(e.capabilities).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('/') : String(v)}`).join(', ');
      return [`${e.label} [${durabilityLabel(e)}]`, e.design, e.version, e.kind, caps,
        e.groupCommit ? `${e.groupCommit.ms} ms / ${formatBytes(e.groupCommit.bytes)}` : null,
        Object.entries(e.settings).map(([k, v]) => `${k}=${String(v)}`).join(', ') || '(none)'];
    }),
  };
}

/** How an async engine's threads were chosen: ` (best of the ladder 1: 900/s, 4: 2100/s, ...)`. */
function threadsHow(h: ResultsFile['harness']): string {
  const c = h.threadsChosen;
  if (!c) return '';
  if (c.by === 'given') return ' (given)';
  return ` (best of the ladder ${c.ladder.map((l) => `${l.threads}: ${formatNumber(l.throughput)} ops/s`).join(', ')})`;
}

/** Workloads: seed, files, the properties that shape the figures, then all properties. */
export function workloadsTable(model: ReportModel): TableData {
  const files = distinctBy(model.files, (f) => JSON.stringify([f.workload, f.harness]));
  const key = ['recordcount', 'operationcount', 'requestdistribution', 'readproportion', 'updateproportion', 'insertproportion',
    'scanproportion', 'readmodifywriteproportion', 'fieldcount', 'fieldlength'];
  return {
    caption: 'Workloads and harness settings',
    head: ['workload', 'seed', 'property files', 'key properties', 'harness', 'all properties'],
    numericFrom: 99,
    rows: files.map((f) => {
      const w = f.workload;
      const h = f.harness;
      return [w.name, w.seed, w.propertyFiles.join(', ') || '(none)',
        key.filter((k) => k in w.properties).map((k) => `${k}=${w.properties[k]}`).join(', '),
        `threads=${h.threads}${threadsHow(h)}, ${h.targetOpsPerSec === null ? 'closed loop' : `target ${h.targetOpsPerSec} ops/s`}, warmup=${h.warmupOps}, trials=${h.trials}${h.forked ? ' (each in a fresh process, engines interleaved)' : h.trials > 1 ? ' (in one process)' : ''}, interval=${h.intervalMs} ms, values=${h.valueMode}${w.trace ? `, trace ${w.trace}` : ''}${w.ignoredProperties?.length ? `; ignored properties: ${w.ignoredProperties.join(', ')}` : ''}`,
        Object.entries(w.properties).map(([k, v]) => `${k}=${v}`).join(', ')];
    }),
  };
}

/** Runs (ids, commands, times) and every note, not-applicable reason and error sample, each text once with the cells it applies to. */
export function notesTable(model: ReportModel): TableData {
  const rows: CellContent[][] = model.warnings.map((w) => ['warning', w, '(all)']);
  const grouped = new Map<string, { kind: string; text: string; cells: string[] }>();
  const add = (kind: string, text: string, who: string) => {
    const key = JSON.stringify([kind, text]);
    const g = grouped.get(key) ?? { kind, text, cells: [] };
    if (!g.cells.includes(who)) g.cells.push(who);
    grouped.set(key, g);
  };
  for (const f of model.files) {
    const who = `${f.engine.label} [${durabilityLabel(f.engine)}] × ${f.workload.name}`;
    rows.push(['run', `${f.run.id}: kvlab ${f.run.argv.join(' ')} (${f.run.startedAt} – ${f.run.finishedAt})`, who]);
    if (f.notApplicable) add('not applicable', f.notApplicable.reason, who);
    for (const n of f.notes) add('note', n, who);
    for (const p of f.phases) {
      for (const n of new Set(p.trials.flatMap((t) => t.amplification.notes))) add(`${p.phase} amplification`, n, who);
      for (const e of new Set(p.trials.flatMap((t) => t.errorSamples))) add(`${p.phase} error`, e, who);
    }
  }
  for (const g of grouped.values()) rows.push([g.kind, g.text, g.cells.join('; ')]);
  return { caption: 'Runs, notes and warnings', head: ['kind', 'text', 'engine × workload'], rows, numericFrom: 99 };
}
