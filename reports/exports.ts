/**
 * Exports of results files to other tools: CSV (one row per file × phase × trial × op type),
 * YCSB's text output (the harness's own `resultsText`, so both stay identical), and
 * HdrHistogram percentile distributions (`.hgrm`, values in µs) per file × phase × op type.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OP_TYPES, PERCENTILE_KEYS, type HistogramRecord, type ResultsFile } from '../harness/results.js';
import { resultsText } from '../harness/text.js';
import { csvField } from './escape.js';
import { percentileDistribution } from './histograms.js';

/** CSV columns, in order. Latencies are ns; `clients` = client processes merged into the row (1: one process). */
export const CSV_COLUMNS = [
  'engine', 'durability', 'workload', 'seed', 'recordcount', 'clients', 'phase', 'trial', 'throughput_ops_s', 'duration_ms', 'op',
  'count', 'failures', 'not_found', 'mean_ns', 'min_ns', ...PERCENTILE_KEYS.map(([k]) => `${k}_ns`), 'max_ns', 'not_applicable',
] as const;

function histCols(h: HistogramRecord): (number | null)[] {
  return [h.mean, h.min, ...PERCENTILE_KEYS.map(([k]) => h.percentiles[k]), h.max];
}

/** CSV (RFC 4180, header line) of the results: op `ALL` rows carry the trial's overall latency. */
export function toCsv(results: readonly ResultsFile[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of results) {
    const id = [r.engine.label, r.engine.durability, r.workload.name, r.workload.seed, r.workload.properties['recordcount'] ?? null, r.harness.clients?.count ?? 1];
    if (r.notApplicable) {
      lines.push([...id, null, null, null, null, null, null, null, null, ...PERCENTILE_KEYS.map(() => null), null, null, null, r.notApplicable.reason].map(csvField).join(','));
      continue;
    }
    for (const p of r.phases) {
      for (const t of p.trials) {
        const head = [...id, p.phase, t.trial, t.throughput, t.durationMs];
        lines.push([...head, 'ALL', t.overall.latency.count, Object.values(t.ops).reduce((s, o) => s + (o?.failures ?? 0), 0),
          Object.values(t.ops).reduce((s, o) => s + (o?.notFound ?? 0), 0), ...histCols(t.overall.latency), null].map(csvField).join(','));
        for (const op of OP_TYPES) {
          const o = t.ops[op];
          if (o) lines.push([...head, op, o.count, o.failures, o.notFound, ...histCols(o.latency), null].map(csvField).join(','));
        }
      }
    }
  }
  return lines.join('\n') + '\n';
}

/** YCSB-style text of every results file (the harness's format), separated by blank lines. */
export function toYcsbText(results: readonly ResultsFile[]): string {
  return results.map(resultsText).join('\n\n') + '\n';
}

/** One `.hgrm` file: a safe file name and its content. */
export interface HgrmFile {
  name: string;
  text: string;
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._=-]+/g, '_').slice(0, 80);
}

/** HdrHistogram percentile distributions (µs) per file × phase × op type, trials merged. */
export function toHgrm(results: readonly ResultsFile[]): HgrmFile[] {
  const out: HgrmFile[] = [];
  const used = new Set<string>();
  for (const r of results) {
    for (const p of r.phases) {
      for (const op of OP_TYPES) {
        const recs = p.trials.map((t) => t.ops[op]?.latency).filter((h): h is HistogramRecord => h !== undefined && h.count > 0);
        if (recs.length === 0) continue;
        let name = safeName(`${r.engine.label}_${r.engine.durability}_${r.workload.name}_${p.phase}_${op}`);
        for (let i = 2; used.has(name); i++) name = `${safeName(`${r.engine.label}_${r.engine.durability}_${r.workload.name}_${p.phase}_${op}`)}_${i}`;
        used.add(name);
        out.push({ name: `${name}.hgrm`, text: percentileDistribution(recs, 1000, `${r.engine.label} × ${r.workload.name} ${p.phase} ${op} latency`) });
      }
    }
  }
  return out;
}

/** Writes {@link toHgrm}'s files into `dir` (created); returns their paths. */
export function writeHgrm(results: readonly ResultsFile[], dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return toHgrm(results).map((f) => {
    const p = path.join(dir, f.name);
    fs.writeFileSync(p, f.text);
    return p;
  });
}
