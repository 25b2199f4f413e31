/**
 * Reads the HDR histograms of a results file (`hdrBase64`, V2 compressed) to build full
 * latency spectra. Histograms are decoded with hdr-histogram-js (pure JS build) and destroyed
 * after use; callers get plain arrays.
 */
import hdr from 'hdr-histogram-js';
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

/**
 * Merges the histograms (e.g. one per trial) and samples their spectrum on the nines axis.
 * An empty input (or all counts 0) gives an empty spectrum. A histogram that does not decode
 * throws (the validator only checks base64 syntax).
 */
export function mergedSpectrum(records: readonly HistogramRecord[], perNine = 10): Spectrum {
  const withData = records.filter((r) => r.count > 0 && r.hdrBase64 !== '');
  if (withData.length === 0) return { percentiles: [], x: [], valuesNs: [], maxNs: 0, count: 0 };
  const decoded = withData.map((r) => hdr.decodeFromCompressedBase64(r.hdrBase64, 32, false));
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
export function percentileDistribution(records: readonly HistogramRecord[], unitRatio = 1000): string {
  const withData = records.filter((r) => r.count > 0 && r.hdrBase64 !== '');
  if (withData.length === 0) return '';
  const decoded = withData.map((r) => hdr.decodeFromCompressedBase64(r.hdrBase64, 32, false));
  try {
    for (const h of decoded.slice(1)) decoded[0]!.add(h);
    return decoded[0]!.outputPercentileDistribution(5, unitRatio);
  } finally {
    for (const h of decoded) h.destroy();
  }
}
