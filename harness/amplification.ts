/**
 * Write, read and space amplification and memory per key for one phase, from three sources:
 * the engine's own counters (EngineStats deltas), the process's /proc/self/io deltas, and the
 * data directory's size. Ratios divide by the user bytes the harness itself counted, so the
 * denominator is the same for every engine. Any unknown input gives null plus a note, never 0.
 */
import type { EngineStats } from '../engines/engine.js';
import type { Amplification, ProcIo } from './results.js';

/** Inputs of {@link amplification}. */
export interface AmplificationInput {
  before: EngineStats;
  after: EngineStats;
  io: ProcIo | null;
  userBytesWritten: number;
  userBytesRead: number;
  reads: number;
  dirBytesAfter: number | null;
  /** Live user bytes when the engine does not know them (records × (key + value) estimate). */
  liveBytesEstimate: number;
  liveKeysEstimate: number;
  rssAfter: number;
  /** Anonymous RSS after the phase (no mapped file pages), when known. */
  rssAnonAfter?: number;
  heapDeltaBytes: number;
}

const ratio = (a: number, b: number): number | null => (b > 0 && Number.isFinite(a) ? a / b : null);

/** Computes the figures; see {@link Amplification} for each one's definition. */
export function amplification(x: AmplificationInput): Amplification {
  const notes: string[] = [];
  const unknown = new Set(x.after.unknown);
  const known = (k: string): boolean => !unknown.has(k);
  const d = (k: 'deviceBytesWritten' | 'deviceBytesRead'): number => x.after[k] - x.before[k];

  let writeEngine: number | null = null;
  if (!known('deviceBytesWritten')) notes.push('engine does not count device bytes written');
  else writeEngine = ratio(d('deviceBytesWritten'), x.userBytesWritten);
  let readEngine: number | null = null;
  let deviceBytesPerRead: number | null = null;
  if (!known('deviceBytesRead')) notes.push('engine does not count device bytes read');
  else {
    readEngine = ratio(d('deviceBytesRead'), x.userBytesRead);
    deviceBytesPerRead = ratio(d('deviceBytesRead'), x.reads);
  }
  if (x.io === null) notes.push('/proc/self/io unavailable');
  else notes.push('/proc/self/io figures include the harness process\'s own I/O');
  const liveFromEngine = known('liveBytes') && x.after.liveBytes > 0;
  const live = liveFromEngine ? x.after.liveBytes : x.liveBytesEstimate;
  if (!liveFromEngine) notes.push('live bytes estimated by the harness (records × key+value size)');
  const keys = known('liveKeys') && x.after.liveKeys > 0 ? x.after.liveKeys : x.liveKeysEstimate;
  let space: number | null = null;
  if (x.dirBytesAfter === null) notes.push('no data directory (not persistent)');
  else space = ratio(x.dirBytesAfter, live);
  let indexBytesPerKey: number | null = null;
  if (known('indexMemoryBytes') && x.after.indexMemoryBytes > 0) indexBytesPerKey = ratio(x.after.indexMemoryBytes, keys);
  else notes.push('engine does not report index memory');
  return {
    writeEngine,
    writeOs: x.io ? ratio(x.io.write_bytes, x.userBytesWritten) : null,
    writeSyscall: x.io ? ratio(x.io.wchar, x.userBytesWritten) : null,
    readEngine,
    readSyscall: x.io ? ratio(x.io.rchar, x.userBytesRead) : null,
    deviceBytesPerRead,
    space,
    indexBytesPerKey,
    rssBytesPerKey: ratio(x.rssAfter, keys),
    ...(x.rssAnonAfter !== undefined ? { rssAnonBytesPerKey: ratio(x.rssAnonAfter, keys) } : {}),
    heapDeltaBytes: x.heapDeltaBytes,
    notes,
  };
}
