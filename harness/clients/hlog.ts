/**
 * Interval histograms of a scale-out trial in HdrHistogram's interval log format (version 1.3,
 * `.hlog`): what HdrHistogram's HistogramLogReader, HdrLogProcessing and hdr-histogram-js read.
 * Untagged lines are the merged intervals; `Tag=client-<i>` lines are client i's own. Timestamps
 * are seconds since the barrier (`#[StartTime]` and `#[BaseTime]` give it as an epoch time, on
 * the coordinator's clock); values are ns, so Interval_Max is in ms (max value unit ratio 10^6).
 */
import * as fs from 'node:fs';
import { HistogramLogWriter } from 'hdr-histogram-js';
import { decodeHdrBase64 } from '../histogram.js';
import type { ClientOutcome, MergedInterval } from './merge.js';

/** The tag of client `i`'s lines. */
export function clientTag(i: number): string {
  return `client-${i}`;
}

/** Writes the interval log of one trial's phase to `file` (replaced if present). */
export function writeIntervalLog(file: string, barrierMs: number, merged: readonly MergedInterval[], outs: readonly ClientOutcome[], comment: string): void {
  let text = '';
  const w = new HistogramLogWriter((s: string) => void (text += s));
  w.outputLogFormatVersion();
  w.outputComment(comment.replace(/\n/g, ' '));
  w.outputStartTime(barrierMs);
  w.outputComment(`[BaseTime: ${(barrierMs / 1000).toFixed(3)} (seconds since epoch)]`);
  w.outputLegend();
  for (const m of merged) w.outputIntervalHistogram(m.hist, m.startMs / 1000, m.endMs / 1000, 1e6);
  for (const c of outs) {
    if (c.startedClientMs === null) continue;
    const start = c.startedClientMs - c.clockOffsetMs - barrierMs;
    let prev = 0;
    for (const iv of c.intervals) {
      const h = decodeHdrBase64(iv.hist);
      h.tag = clientTag(c.index);
      w.outputIntervalHistogram(h, (start + prev) / 1000, (start + iv.tMs) / 1000, 1e6);
      prev = iv.tMs;
    }
  }
  fs.writeFileSync(file, text);
}
