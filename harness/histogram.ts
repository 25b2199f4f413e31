/**
 * Latency recording for the hot path. {@link LatencyRecorder} is an HdrHistogram with the exact
 * bucket layout of hdr-histogram-js (lowest discernible value 1 ns, 3 significant digits) whose
 * `record` is a few integer operations on a Float64Array: cheaper than hdr-histogram-js's JS
 * build (~140 ns here) and its WebAssembly build (~30 ns here, plus a wasm call boundary).
 * At the end it converts, bucket for bucket, to an hdr-histogram-js histogram for percentiles
 * and the standard compressed V2 encoding, so no precision is lost in the conversion.
 */
import * as hdr from 'hdr-histogram-js';
import type { HistogramRecord, Percentiles } from './results.js';
import { PERCENTILE_KEYS } from './results.js';

/** Histogram parameters recorded in every results file (`harness.histogram`). */
export const HISTOGRAM_SETTINGS = {
  unit: 'ns' as const,
  lowestDiscernibleValue: 1,
  /** 2^42 ns ≈ 73 minutes; larger values are clamped (and counted in `clamped`). */
  highestTrackableValue: 2 ** 42,
  significantDigits: 3,
};

// 3 significant digits with lowest value 1: sub-bucket count 2048 (magnitude 11), half 1024.
const SUB_HALF_MAG = 10;
const SUB_HALF = 1 << SUB_HALF_MAG;
const MAX_BUCKET = 42 - (SUB_HALF_MAG + 1);
const COUNTS_LEN = (MAX_BUCKET + 2) << SUB_HALF_MAG;
const MAX_VALUE = HISTOGRAM_SETTINGS.highestTrackableValue - 1;

/** Index in the counts array of an integer value (same layout as HdrHistogram). */
function indexOf(v: number): number {
  if (v < 4294967296) {
    const b = 21 - Math.clz32(v | 2047);
    return ((b + 1) << SUB_HALF_MAG) + ((v >>> b) - SUB_HALF);
  }
  if (v > MAX_VALUE) v = MAX_VALUE;
  const b = Math.floor(Math.log2(v)) - SUB_HALF_MAG;
  return ((b + 1) << SUB_HALF_MAG) + (Math.floor(v / 2 ** b) - SUB_HALF);
}

/** The lowest value that lands in counts slot `i`. */
export function lowestEquivalent(i: number): number {
  let b = (i >> SUB_HALF_MAG) - 1;
  let sub = (i & (SUB_HALF - 1)) + SUB_HALF;
  if (b < 0) {
    sub -= SUB_HALF;
    b = 0;
  }
  return sub * 2 ** b;
}

/** A mutable latency histogram in integer nanoseconds. Not thread-shared; reuse with reset(). */
export class LatencyRecorder {
  readonly counts = new Float64Array(COUNTS_LEN);
  count = 0;
  /** Values above the trackable maximum (recorded at the maximum). */
  clamped = 0;

  /** Records one latency in ns (rounded; negative values record as 0). Hot path: no allocation. */
  record(ns: number): void {
    let v = Math.round(ns);
    if (v < 0) v = 0;
    if (v < 4294967296) {
      const b = 21 - Math.clz32(v | 2047);
      this.counts[((b + 1) << SUB_HALF_MAG) + ((v >>> b) - SUB_HALF)]++;
    } else {
      if (v > MAX_VALUE) this.clamped++;
      this.counts[indexOf(v)]++;
    }
    this.count++;
  }

  /** Adds every count of `other` into this one. */
  add(other: LatencyRecorder): void {
    const a = this.counts;
    const o = other.counts;
    for (let i = 0; i < a.length; i++) if (o[i] !== 0) a[i] += o[i]!;
    this.count += other.count;
    this.clamped += other.clamped;
  }

  /** Copies `other`'s counts into this one (a snapshot for interval deltas). */
  copyFrom(other: LatencyRecorder): void {
    this.counts.set(other.counts);
    this.count = other.count;
    this.clamped = other.clamped;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.clamped = 0;
  }

  /** The value at `percentile` (0..100), as HdrHistogram reports it (highest equivalent value). */
  valueAtPercentile(percentile: number): number {
    if (this.count === 0) return 0;
    const want = Math.max(1, Math.ceil((percentile / 100) * this.count));
    let seen = 0;
    const c = this.counts;
    for (let i = 0; i < c.length; i++) {
      seen += c[i]!;
      if (seen >= want) return highestEquivalent(i);
    }
    return highestEquivalent(c.length - 1);
  }

  /** Converts to an hdr-histogram-js histogram (the caller must destroy() it if WebAssembly). */
  toHdr(): hdr.Histogram {
    const h = emptyHdrHistogram();
    const c = this.counts;
    for (let i = 0; i < c.length; i++) if (c[i] !== 0) h.recordValueWithCount(lowestEquivalent(i), c[i]!);
    return h;
  }

  /** The serialized form stored in results files. */
  toRecord(): HistogramRecord {
    return histogramRecord(this.toHdr());
  }
}

/** The highest value that lands in counts slot `i` (what HdrHistogram reports for a percentile there). */
export function highestEquivalent(i: number): number {
  const lo = lowestEquivalent(i);
  const b = Math.max(0, (i >> SUB_HALF_MAG) - 1);
  return lo + 2 ** b - 1;
}

/** Summary + compressed base64 encoding of an hdr-histogram-js histogram. */
export function histogramRecord(h: hdr.Histogram): HistogramRecord {
  const count = h.totalCount;
  const percentiles = {} as Percentiles;
  for (const [k, p] of PERCENTILE_KEYS) percentiles[k] = count === 0 ? 0 : h.getValueAtPercentile(p);
  return {
    count,
    min: count === 0 ? 0 : h.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : Math.min(h.minNonZeroValue, h.getValueAtPercentile(0)),
    max: count === 0 ? 0 : h.maxValue,
    mean: count === 0 ? 0 : h.mean,
    stdDev: count === 0 ? 0 : h.stdDeviation,
    percentiles,
    hdrBase64: hdr.encodeIntoCompressedBase64(h),
  };
}

/** An empty hdr-histogram-js histogram with kvlab's layout ({@link HISTOGRAM_SETTINGS}; JS, 64-bit counts): what records are converted to and merged into. */
export function emptyHdrHistogram(): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: HISTOGRAM_SETTINGS.lowestDiscernibleValue,
    highestTrackableValue: HISTOGRAM_SETTINGS.highestTrackableValue,
    numberOfSignificantValueDigits: 3, // HISTOGRAM_SETTINGS.significantDigits (the layout of LatencyRecorder)
    bitBucketSize: 64,
    useWebAssembly: false,
  });
}

/** Decodes a compressed base64 histogram (a record's `hdrBase64`, an interval a client streamed). */
export function decodeHdrBase64(b64: string): hdr.Histogram {
  return hdr.decodeFromCompressedBase64(b64, 64, false);
}

/** Decodes a stored histogram (for reports, comparisons and tests). */
export function decodeHistogram(rec: HistogramRecord): hdr.Histogram {
  return decodeHdrBase64(rec.hdrBase64);
}

/** Merges several records' histograms into one record (e.g. all op types). */
export function mergeRecorders(recs: LatencyRecorder[]): LatencyRecorder {
  const out = new LatencyRecorder();
  for (const r of recs) out.add(r);
  return out;
}
