/**
 * Hash log (Bitcask) space amplification from its merge threshold: immutable segments merge
 * when their dead bytes reach `mergeRatio` of their bytes (checked at each rollover), so at most
 * that fraction of them is dead; the active segment (up to segmentBytes) is never counted.
 */
import { check, fmt, type ModelCheck } from './check.js';
import type { PointFacts } from './facts.js';

/** Source of the model. */
export const HASHLOG_SOURCE = 'Sheehy, Smith, "Bitcask: A Log-Structured Hash Table for Fast Key/Value Data" (Basho, 2010): merge on a dead-bytes trigger; record and hint sizes from engines/hashlog/FORMAT.md (20-byte record header, 24-byte hint entry + key)';
/** Record header bytes (engines/hashlog/FORMAT.md). */
const RECORD_HEADER = 20;
/** Hint entry bytes besides the key (engines/hashlog/FORMAT.md). */
const HINT_ENTRY = 24;

/** Format factor of live data: (20 + k + v) / (k + v). */
export function hashlogFormatFactor(recordBytes: number): number {
  return (RECORD_HEADER + recordBytes) / recordBytes;
}

/** Worst-case space amplification: f / (1 − mergeRatio) + hints + one active segment over the data. */
export function hashlogSpaceBound(recordBytes: number, keyBytes: number, mergeRatio: number, segmentBytes: number, dataBytes: number): number {
  const f = hashlogFormatFactor(recordBytes);
  return (mergeRatio >= 1 ? Infinity : f / (1 - mergeRatio)) + (HINT_ENTRY + keyBytes) / recordBytes + segmentBytes / dataBytes;
}

/** The model's checks for one hashlog point: after load (no dead bytes: f) and after the run (the bound). */
export function hashlogChecks(p: PointFacts): ModelCheck[] {
  if (p.recordBytes === null) return [];
  const s = p.settings;
  const r = Number(s.mergeRatio);
  const seg = Number(s.segmentBytes);
  const data = p.records * p.recordBytes;
  const f = hashlogFormatFactor(p.recordBytes);
  const out: ModelCheck[] = [];
  if (p.load) out.push(check({
    metric: 'spaceAmp', model: 'hash log space amplification after load (no dead bytes)', source: HASHLOG_SOURCE, kind: 'estimate', factor: 1.25,
    formula: `f = (20 + ${fmt(p.recordBytes)}) / ${fmt(p.recordBytes)} = ${fmt(f)}`, predicted: f, measured: p.load.amp('space'),
  }));
  if (p.run) {
    const bound = hashlogSpaceBound(p.recordBytes, p.keyBytes, r, seg, data);
    out.push(check({
      metric: 'runSpaceAmp', model: 'hash log space amplification under updates (worst case)', source: HASHLOG_SOURCE, kind: 'bound', factor: 1,
      formula: `f/(1 − mergeRatio) + hints + segmentBytes/data = ${fmt(f)}/(1 − ${r}) + … = ${fmt(bound)}`, predicted: bound, measured: p.run.amp('space'),
    }));
  }
  return out;
}
