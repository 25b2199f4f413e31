/**
 * The scale-out wire protocol between a coordinator (`kvlab load|run --clients N | --agents`) and
 * its client processes: one JSON object per line, in both directions, over the child's
 * stdin/stdout (local clients) or a TCP connection that a `kvlab agent` pipes to such a child.
 *
 * A client's life: coordinator sends `job`; the client says `hello`, opens its engine, warms up
 * and says `ready` (the barrier); the coordinator sends `ping`s (the client answers each with its
 * clock: the offset between the clocks comes from the round trip) and then one `start` naming the
 * instant on the client's own clock; the client waits for it, says `started` when its loop begins,
 * streams one `interval` per closed interval (that interval's own histogram), and ends with
 * `result` (its whole results file) or `error`. Clocks are `performance.timeOrigin +
 * performance.now()`: ms since the epoch with µs resolution.
 */
import type { Readable, Writable } from 'node:stream';
import type { ResultsFile } from '../results.js';
import type { TrialJob } from '../fork.js';

/** on-wire: the protocol version a job carries; a client refuses another. Bump on any message change. */
export const PROTOCOL_VERSION = 1;

/** What one client runs: a forked trial's job plus its place in the run. */
export interface ClientJob {
  protocol: typeof PROTOCOL_VERSION;
  index: number;
  count: number;
  /** The benchmark, with this client's share already in `workload.overrides` and its own seed. */
  trial: Omit<TrialJob, 'out'>;
  /** Open as a joining client (`OpenOptions.shared`): every client but the store's owner, client 0. */
  shared: boolean;
  /** A shared network store's namespace, for a client whose dir is not the run's (an agent's): written as the marker in its dir before it opens (engines/reference/namespace.ts). */
  namespace: string | null;
  /** Run in a fresh temporary directory the client removes at exit (clients under an agent: the coordinator's paths mean nothing there). */
  tempDir: boolean;
  /** Write every successful op's service time (ns, float64 little-endian) to `<dir>/client-<index>.f64` on the client's host (`--raw-latencies`), or null. */
  rawLatenciesDir: string | null;
}

/** Coordinator → client. */
export type ToClient =
  | { t: 'job'; job: ClientJob }
  | { t: 'ping'; id: number }
  /** Begin when the client's own clock reads `atMs`. */
  | { t: 'start'; atMs: number };

/** Client → coordinator. */
export type FromClient =
  | { t: 'hello'; pid: number; host: string; node: string }
  | { t: 'ready'; phase: 'load' | 'run' }
  | { t: 'pong'; id: number; clientMs: number }
  | { t: 'started'; epochMs: number }
  /** One closed interval: `tMs` since the client's loop start; `hist` = that interval's histogram (all op types), HdrHistogram compressed base64. */
  | { t: 'interval'; tMs: number; operations: number; failures: number; hist: string; intendedHist: string | null }
  | { t: 'result'; results: ResultsFile }
  | { t: 'error'; code: string; message: string };

/** The clock every side uses: ms since the epoch, µs resolution. */
export function clockMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Writes one message as a line. Pipes and sockets are written synchronously on Linux, so a line sent from a sync loop leaves at once. */
export function sendLine(out: Writable, msg: ToClient | FromClient): void {
  out.write(`${JSON.stringify(msg)}\n`);
}

/** Calls `onMessage` for each complete line of `input` (parsed), `onBad` for a line that is not JSON. */
export function readLines<T>(input: Readable, onMessage: (m: T) => void, onBad: (line: string) => void): void {
  let buf = '';
  input.setEncoding('utf8');
  input.on('data', (chunk: string) => {
    buf += chunk;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim() === '') continue;
      let m: T;
      try {
        m = JSON.parse(line) as T;
      } catch {
        onBad(line);
        continue;
      }
      onMessage(m);
    }
  });
}

/**
 * Client `i`'s seed of a run seeded `seed`: client 0 keeps the run's seed (so one client is the
 * one-process run), the others get distinct seeds from a fixed odd multiplier (a safe integer).
 */
export function clientSeed(seed: number, i: number): number {
  if (i === 0) return seed;
  return (seed + i * 0x9e3779b1) % Number.MAX_SAFE_INTEGER;
}

/** Splits `total` into `n` shares differing by at most one (the first ones larger): [start, count] each. */
export function shares(total: number, n: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const base = Math.floor(total / n);
  const extra = total - base * n;
  let at = 0;
  for (let i = 0; i < n; i++) {
    const c = base + (i < extra ? 1 : 0);
    out.push([at, c]);
    at += c;
  }
  return out;
}
