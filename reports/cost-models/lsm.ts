/**
 * LSM-tree cost models (Monkey / Dostoevsky's leveling and tiering terms) held against an
 * `lsm` point: the number of levels, write amplification, space amplification, the runs a
 * lookup probes, zero-result lookup cost and blocks read per get, plus the bloom filter's
 * false-positive rate.
 *
 * kvlab's lsm sizes level 1 at M = memtableSize × l0Trigger and each level below T =
 * sizeRatio times the one above (engines/lsm/compaction.ts), so with N records of E bytes the
 * tree has L = ⌈log_T(N·E / M)⌉ levels below level 0 (at least 1).
 */
import { check, fmt, type ModelCheck } from './check.js';
import { BLOOM_SOURCE, bloomFalsePositiveRate, bloomProbes, MONKEY_SOURCE } from './bloom.js';
import { sortedRuns, type PointFacts } from './facts.js';

/** Source of the level count and the leveling / tiering terms. */
export const DOSTOEVSKY_SOURCE = 'Dayan, Idreos, "Dostoevsky: Better Space-Time Trade-Offs for LSM-Tree Based Key-Value Stores", SIGMOD 2018 (and Monkey, SIGMOD 2017): L = ⌈log_T(N·E/M)⌉; leveling merges an entry (T−1)/2 times per level, tiering about once; space amplification at most 1 + 1/T (leveling) and T (tiering)';

/**
 * Levels below level 0 that kvlab's sizing needs for `dataBytes` of data: the smallest L ≥ 1 with
 * Σ_{i=1..L} M·T^(i−1) ≥ N·E (level 1 holds M = `bufferBytes`, each level T times the one above).
 * Monkey and Dostoevsky write it ⌈log_T(N·E/M)⌉, which counts one level fewer when the last
 * level is not yet T times the one above it.
 */
export function lsmLevels(dataBytes: number, bufferBytes: number, T: number): number {
  let L = 1;
  let capacity = bufferBytes;
  let level = bufferBytes;
  while (capacity < dataBytes && L < 64) {
    level *= T;
    capacity += level;
    L++;
  }
  return L;
}

/** Monkey / Dostoevsky's level count ⌈log_T(N·E/M)⌉ (at least 1). */
export function monkeyLevels(dataBytes: number, bufferBytes: number, T: number): number {
  return dataBytes <= bufferBytes ? 1 : Math.max(1, Math.ceil(Math.log(dataBytes / bufferBytes) / Math.log(T) - 1e-9));
}

/**
 * Write amplification (device bytes / user bytes) of loading: 1 (WAL) + 1 (flush to level 0) +
 * the compaction term: leveling, each entry written once into each of the L levels and rewritten
 * (T−1)/2 more times there on average, L·(T+1)/2; tiering, written once per level, L.
 */
export function lsmWriteAmp(style: 'leveled' | 'tiered', levels: number, T: number): number {
  return 2 + (style === 'leveled' ? (levels * (T + 1)) / 2 : levels);
}

/**
 * The format's own overhead over key + value bytes (engines/lsm/FORMAT.md): per entry an 8-byte
 * sequence/type tag and about 3 bytes of lengths, bitsPerKey/8 bytes of filter, and per data
 * block one index entry (a key and a handle, about k + 16 bytes).
 */
export function lsmFormatFactor(keyBytes: number, recordBytes: number, bitsPerKey: number, blockSize: number): number {
  return 1 + (11 + bitsPerKey / 8) / recordBytes + (keyBytes + 16) / blockSize;
}

/** Worst-case space amplification: leveling f·(1 + 1/T), tiering f·T, plus up to two memtables' WAL over the data. */
export function lsmSpaceBound(style: 'leveled' | 'tiered', T: number, format: number, walBytes: number, dataBytes: number): number {
  return format * (style === 'leveled' ? 1 + 1 / T : T) + walBytes / dataBytes;
}

/** The models' checks for one lsm point. */
export function lsmChecks(p: PointFacts): ModelCheck[] {
  const s = p.settings;
  const T = Number(s.sizeRatio);
  const style = s.compaction === 'tiered' ? 'tiered' : 'leveled';
  const b = Number(s.bloomBits);
  const memtable = Number(s.memtableSize);
  const l0 = Number(s.l0Trigger);
  const out: ModelCheck[] = [];
  if (p.recordBytes === null || !(T >= 2)) return out;
  const dataBytes = p.records * p.recordBytes;
  const M = memtable * l0;
  const L = lsmLevels(dataBytes, M, T);
  const Lf = `L = ${L} levels for ${fmt(p.records)}·${fmt(p.recordBytes)} B over level 1 = ${fmt(M)} B, T = ${T} (⌈log_T(N·E/M)⌉ = ${monkeyLevels(dataBytes, M, T)})`;
  if (p.load) {
    out.push(check({
      metric: 'writeAmp', model: `${style} write amplification (every level full)`, source: DOSTOEVSKY_SOURCE, kind: 'bound', factor: 1,
      formula: `${Lf}; 2 + ${style === 'leveled' ? `L·(T+1)/2` : 'L'} = ${fmt(lsmWriteAmp(style, L, T))} (load phase)`,
      predicted: lsmWriteAmp(style, L, T), measured: p.load.amp('writeEngine'),
    }));
    const f = lsmFormatFactor(p.keyBytes, p.recordBytes, b, Number(s.blockSize));
    out.push(check({
      metric: 'spaceAmp', model: `${style} space amplification (worst case)`, source: DOSTOEVSKY_SOURCE, kind: 'bound', factor: 1,
      formula: `format f = ${fmt(f)}; f·${style === 'leveled' ? '(1 + 1/T)' : 'T'} + 2·memtable/data = ${fmt(lsmSpaceBound(style, T, f, 2 * memtable, dataBytes))} (end of load)`,
      predicted: lsmSpaceBound(style, T, f, 2 * memtable, dataBytes), measured: p.load.amp('space'),
    }));
  }
  const r = p.run;
  if (r === null) return out;
  const stop = Number(s.l0StopTrigger);
  const runBound = style === 'leveled' ? stop + L : stop + T * L;
  out.push(check({
    metric: 'runs', model: 'runs a lookup may probe (worst case)', source: DOSTOEVSKY_SOURCE, kind: 'bound', factor: 1,
    formula: style === 'leveled' ? `l0StopTrigger + L = ${stop} + ${L}` : `l0StopTrigger + T·L = ${stop} + ${T}·${L}`,
    predicted: runBound, measured: sortedRuns(r),
  }));
  const fp = bloomFalsePositiveRate(b);
  if (b > 0) {
    const fpPos = r.delta('bloomFalsePositives');
    const neg = r.delta('bloomNegatives');
    out.push(check({
      metric: 'bloomFpRate', model: 'bloom false-positive rate', source: BLOOM_SOURCE, kind: 'estimate', factor: 1.5,
      formula: `(1 − e^(−k/b))^k, b = ${b}, k = ${bloomProbes(b)}: ${fmt(fp)}`,
      predicted: fp, measured: fpPos !== null && neg !== null && fpPos + neg > 0 ? fpPos / (fpPos + neg) : null,
      ...(fpPos !== null && neg !== null ? { expectedEvents: fp * (fpPos + neg) } : {}),
    }));
  }
  // the runs each get probed are measured (tableProbes), so these two hold the filter model against the engine in place
  const zg = r.delta('zeroResultGets');
  const zp = r.delta('zeroResultTableProbes');
  const zb = r.delta('zeroResultBlockReads');
  if (zg !== null && zp !== null && zg > 0) {
    const R = zp / zg;
    out.push(check({
      metric: 'zeroResultCost', model: 'zero-result lookup cost Σ fpᵢ', source: MONKEY_SOURCE, kind: 'estimate', factor: 1.5,
      formula: `R·fp = ${fmt(R)} tables probed per get that found nothing (measured) × ${fmt(fp)} = ${fmt(R * fp)} blocks`,
      predicted: R * fp, measured: zb === null ? null : zb / zg, ...(b > 0 ? { expectedEvents: zp * fp } : {}),
    }));
  }
  // every get the engine served (a YCSB update reads its record too), and the ones a table answered
  const gets = r.delta('gets');
  const finds = r.delta('tableFinds');
  const probes = r.delta('tableProbes');
  const blocks = r.delta('getBlockReads');
  if (gets !== null && finds !== null && probes !== null && blocks !== null && gets > 0) {
    const predicted = (finds + Math.max(0, probes - finds) * fp) / gets;
    out.push(check({
      metric: 'blocksPerGet', model: 'data blocks read per get', source: MONKEY_SOURCE, kind: 'estimate', factor: 1.5,
      formula: `(found in a table + (tables probed − found)·fp) / gets = (${fmt(finds)} + ${fmt(Math.max(0, probes - finds))}·${fmt(fp)}) / ${fmt(gets)} = ${fmt(predicted)}`,
      predicted, measured: blocks / gets,
    }));
  }
  return out;
}
