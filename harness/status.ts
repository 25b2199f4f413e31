/**
 * The stderr status line: progress, throughput, p99 and ETA, rewritten in place every interval.
 * Quiet when stderr is not a TTY or with --quiet (so logs and CI output stay clean).
 */
import type { Measurement } from './measurement.js';
import type { IntervalPoint } from './results.js';

/** A status callback for the driver, or undefined when quiet. */
export type TickFn = (p: IntervalPoint, m: Measurement, elapsedMs: number) => void;

/** Formats ns as a short human latency (`850ns`, `12.3µs`, `4.56ms`). */
export function formatNs(ns: number | null): string {
  if (ns === null) return '-';
  if (ns < 1000) return `${Math.round(ns)}ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(1)}µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(2)}ms`;
  return `${(ns / 1e9).toFixed(2)}s`;
}

/** `auto`: only when stderr is a TTY; `on`: always (YCSB's -s); `off`: never (--quiet). */
export type StatusMode = 'auto' | 'on' | 'off';

function enabled(mode: StatusMode): boolean {
  return mode === 'on' || (mode === 'auto' && process.stderr.isTTY === true);
}

/**
 * Returns a tick callback printing `[label phase] done/total ops, rate, p99, ETA` to stderr, at
 * most once per `everyMs` (YCSB's status.interval; default: every interval tick).
 */
export function statusLine(label: string, total: number, maxExecutionMs: number, mode: StatusMode, everyMs = 0): TickFn | undefined {
  if (!enabled(mode)) return undefined;
  const tty = process.stderr.isTTY === true;
  let last = -Infinity;
  return (p, m, elapsedMs) => {
    if (elapsedMs - last < everyMs) return;
    last = elapsedMs;
    const rate = elapsedMs > 0 ? (m.done * 1000) / elapsedMs : 0;
    let etaMs = rate > 0 && Number.isFinite(total) ? ((total - m.done) * 1000) / rate : Infinity;
    if (maxExecutionMs > 0) etaMs = Math.min(etaMs, maxExecutionMs - elapsedMs);
    const pct = Number.isFinite(total) && total > 0 ? `${((100 * m.done) / total).toFixed(0)}%` : '';
    const eta = Number.isFinite(etaMs) ? `ETA ${Math.max(0, etaMs / 1000).toFixed(0)}s` : '';
    const fails = m.totalFailures() > 0 ? ` ${m.totalFailures()} failed` : '';
    process.stderr.write(
      `${tty ? '\r\x1b[K' : ''}[${label}] ${pct} ${m.done} ops, ${Math.round(p.throughput)} ops/s, p50 ${formatNs(p.p50)} p99 ${formatNs(p.p99)}${fails} ${eta}${tty ? '' : '\n'}`,
    );
  };
}

/** Clears the status line (call when a phase ends). */
export function clearStatus(mode: StatusMode): void {
  if (enabled(mode) && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
}
