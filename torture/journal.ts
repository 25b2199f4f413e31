/**
 * The journal a crash-torture child writes and its parent reads after the child died.
 *
 * It is a plain file appended with one synchronous write(2) per line: a line the child wrote
 * before SIGKILL is in the page cache and survives the kill (this is a process crash, not a
 * power loss). A line is complete iff it ends in '\n'; a torn last line is ignored.
 *
 * Lines (space-separated):
 * - `R <recoveryMs> <lastSeq> <durableSeq>`: the store opened (recovered) in recoveryMs.
 * - `D <s0> <s1> ...`: the recovered state of every workload key: `-` absent, `c.o` the
 *   operation that wrote it, `!<hex>` bytes no operation ever wrote to that key.
 * - `X <hexkey>`: a scan returned a key the workload never wrote.
 * - `M <k> <detail>`: scan and get disagree about key k.
 * - `A <op> <seq> <durableSeq>`: operation `op` was acknowledged with sequence `seq`.
 * - `S <durableSeq>`: sync() returned.
 * - `C`: the child closed the store cleanly (every acknowledged write is durable).
 * - `F <stage> <error>`: open, read or a write failed with `error` (`KvError:CODE msg` or `Name msg`).
 */
import * as nodefs from 'node:fs';
import { isKvError } from '../engines/errors.js';

/** Appends journal lines with one write(2) each (see module doc). */
export class JournalWriter {
  private readonly fd: number;
  constructor(file: string) {
    this.fd = nodefs.openSync(file, 'a');
  }
  line(text: string): void {
    nodefs.writeSync(this.fd, `${text}\n`);
  }
  close(): void {
    nodefs.closeSync(this.fd);
  }
}

/** One line describing an error: `KvError:CODE message` or `Name message` (newlines removed). */
export function describeError(e: unknown): string {
  const msg = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').slice(0, 300);
  if (isKvError(e)) return `KvError:${e.code} ${msg}`;
  const name = e instanceof Error ? e.constructor.name || e.name : typeof e;
  return `${name} ${msg}`;
}

/** An acknowledged operation. */
export interface Ack {
  readonly op: number;
  readonly seq: number;
  readonly durable: number;
}

/** Everything a child reported in one cycle. */
export interface Journal {
  /** The store opened; absent when the child died (or failed) before that. */
  ready?: { recoveryMs: number; lastSeq: number; durableSeq: number };
  /** Per-key recovered state (see module doc), present once the store opened and was read. */
  dump?: string[];
  extraKeys: string[];
  scanMismatches: string[];
  acks: Ack[];
  /** Highest durable sequence the child reported (acks and syncs). */
  maxDurable: number;
  closedCleanly: boolean;
  failure?: { stage: string; error: string };
}

/** Parses a journal file's text (a missing file is an empty journal). */
export function parseJournal(text: string): Journal {
  const j: Journal = { extraKeys: [], scanMismatches: [], acks: [], maxDurable: 0, closedCleanly: false };
  const lines = text.split('\n');
  lines.pop(); // the part after the last '\n': empty, or a torn line
  for (const line of lines) {
    const sp = line.indexOf(' ');
    const tag = sp < 0 ? line : line.slice(0, sp);
    const rest = sp < 0 ? '' : line.slice(sp + 1);
    const f = rest.split(' ');
    switch (tag) {
      case 'R':
        j.ready = { recoveryMs: Number(f[0]), lastSeq: Number(f[1]), durableSeq: Number(f[2]) };
        j.maxDurable = Math.max(j.maxDurable, Number(f[2]));
        break;
      case 'D':
        j.dump = f;
        break;
      case 'X':
        j.extraKeys.push(rest);
        break;
      case 'M':
        j.scanMismatches.push(rest);
        break;
      case 'A': {
        const a = { op: Number(f[0]), seq: Number(f[1]), durable: Number(f[2]) };
        j.acks.push(a);
        j.maxDurable = Math.max(j.maxDurable, a.durable);
        break;
      }
      case 'S':
        j.maxDurable = Math.max(j.maxDurable, Number(f[0]));
        break;
      case 'C':
        j.closedCleanly = true;
        break;
      case 'F': {
        const s2 = rest.indexOf(' ');
        j.failure = { stage: s2 < 0 ? rest : rest.slice(0, s2), error: s2 < 0 ? '' : rest.slice(s2 + 1) };
        break;
      }
      default:
        break;
    }
  }
  return j;
}
