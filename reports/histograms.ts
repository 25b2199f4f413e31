/**
 * Reads the HDR histograms of a results file (`hdrBase64`, V2 compressed) to build full
 * latency spectra. Histograms are decoded with hdr-histogram-js (pure JS build) and destroyed
 * after use; callers get plain arrays.
 */
import hdr from 'hdr-histogram-js';
import { KvError } from '../engines/errors.js';
import type { HistogramRecord } from '../harness/results.js';
import { ninesX, spectrumPercentiles } from './nines.js';

/** A latency spectrum: percentile, its nines-axis x, and the value in ns at that percentile. */
export interface Spectrum {
  percentiles: number[];
  x: number[];
  valuesNs: number[];
  /** Largest value recorded (ns), plotted after the last percentile. */
  maxNs: number;
  count: number;
}

/** Decodes one record; a histogram that does not decode is a CORRUPTION KvError naming `where`. */
function decode(r: HistogramRecord, where: string): hdr.Histogram {
  try {
    return hdr.decodeFromCompressedBase64(r.hdrBase64, 32, false);
  } catch (e) {
    throw new KvError('CORRUPTION', `${where}: hdrBase64 does not decode as an HdrHistogram (${(e as Error).message})`);
  }
}

/** Decodes all records, destroying the ones already decoded if one fails. */
function decodeAll(records: readonly HistogramRecord[], where: string): hdr.Histogram[] {
  const out: hdr.Histogram[] = [];
  try {
    for (const r of records) out.push(decode(r, where));
    return out;
  } catch (e) {
    for (const h of out) h.destroy();
    throw e;
  }
}

/**
 * Merges the histograms (e.g. one per trial) and samples their spectrum on the nines axis.
 * An empty input (or all counts 0) gives an empty spectrum. A histogram that does not decode
 * throws CORRUPTION naming `where` (the validator only checks base64 syntax).
 */
export function mergedSpectrum(records: readonly HistogramRecord[], perNine = 10, where = 'histogram'): Spectrum {
  const withData = records.filter((r) => r.count > 0 && r.hdrBase64 !== '');
  if (withData.length === 0) return { percentiles: [], x: [], valuesNs: [], maxNs: 0, count: 0 };
  const decoded = decodeAll(withData, where);
  const [first, ...rest] = decoded;
  try {
    for (const h of rest) first!.add(h);
    const count = first!.totalCount;
    const percentiles = spectrumPercentiles(count, perNine);
    return {
      percentiles,
      x: percentiles.map(ninesX),
      valuesNs: percentiles.map((p) => first!.getValueAtPercentile(p)),
      maxNs: first!.maxValue,
      count,
    };
  } finally {
    for (const h of decoded) h.destroy();
  }
}

/**
 * HdrHistogram's percentile distribution text (`.hgrm`, the format HdrHistogram's plotter
 * reads) of the merged histograms, values scaled from ns by `unitRatio` (1000 → µs).
 */
export function percentileDistribution(records: readonly HistogramRecord[], unitRatio = 1000, where = 'histogram'): string {
  const withData = records.filter((r) => r.count > 0 && r.hdrBase64 !== '');
  if (withData.length === 0) return '';
  const decoded = decodeAll(withData, where);
  try {
    for (const h of decoded.slice(1)) decoded[0]!.add(h);
    return decoded[0]!.outputPercentileDistribution(5, unitRatio);
  } finally {
    for (const h of decoded) h.destroy();
  }
}
