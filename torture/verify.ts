/**
 * Verification of a recovered state against what was acknowledged (the crash-torture oracle).
 *
 * The model: `baseline` is the per-key state the previous recovery showed (every key: `-` or a
 * value id `c.o`), then operations 0..acked-1 of `cycle` were acknowledged, operation `acked`
 * may have been in flight, and the first `durable` of them were acknowledged as durable. A
 * recovered state is correct iff for every key:
 * - its state is the one the last durable operation touching it left (or the baseline's),
 *   or the effect of a later operation (acknowledged or in flight): nothing durable is lost;
 * - it is never a value no operation wrote (`!` states): no wrong data;
 * and, for an engine with atomic batches, no batch is visible in part: some of its keys show
 * its values while others still show older ones.
 */
import { effects, workloadOp, type WorkloadOp } from './workload.js';

/** The kinds of violation, each a failed promise of the engine. */
export type ViolationKind =
  /** A durable-acknowledged write (or a state an earlier recovery showed) is gone. */
  | 'lost'
  /** A value that no operation wrote to that key (wrong bytes, or another key's value). */
  | 'wrong-value'
  /** An atomic batch is visible in part. */
  | 'torn-batch'
  /** A scan returned a key never written, or disagrees with get. */
  | 'scan'
  /** The store failed to open or read after a crash. */
  | 'open-failed'
  /** A valid write was rejected, or the child died of something other than SIGKILL. */
  | 'engine-error'
  /** Sequence numbers broke the contract (not +1 per write, durable lagging under `always`). */
  | 'contract'
  /** The child did not make progress within the time limit. */
  | 'hang';

/** One violation, precise enough to reproduce: engine, seed and cycle are added by the driver. */
export interface Violation {
  readonly kind: ViolationKind;
  /** Workload key number, when the violation is about one key. */
  readonly key?: number;
  readonly detail: string;
}

/** The operations of one cycle that a later recovery must reflect. */
export interface PendingOps {
  readonly cycle: number;
  /** Operations 0..acked-1 were acknowledged. */
  readonly acked: number;
  /** Operations 0..durable-1 were acknowledged as durable (durable <= acked). */
  readonly durable: number;
  /** Operation `acked` may have been applied (the child died during it). */
  readonly inFlight: boolean;
}

/** Value id order: is `id` (a `c.o` state) strictly older than operation (cycle, op)? */
function olderThan(id: string, cycle: number, op: number): boolean {
  const dot = id.indexOf('.');
  if (dot < 0) return false;
  const c = Number(id.slice(0, dot));
  const o = Number(id.slice(dot + 1));
  return c < cycle || (c === cycle && o < op);
}

/** The state an operation leaves on key k (its value id, or `-` for a delete). */
function stateAfter(cycle: number, op: number, put: boolean): string {
  return put ? `${cycle}.${op}` : '-';
}

/**
 * Checks a recovered state. `ops` (optional, for tests) replaces the workload generator.
 * Returns every violation found (empty: the state is correct).
 */
export function verifyRecovered(
  seed: number,
  baseline: readonly string[],
  pending: PendingOps | undefined,
  recovered: readonly string[],
  atomicBatch: boolean,
  ops?: (cycle: number, op: number) => WorkloadOp,
): Violation[] {
  const gen = ops ?? ((c: number, o: number) => workloadOp(seed, c, o));
  const out: Violation[] = [];
  const n = baseline.length;
  if (recovered.length !== n) return [{ kind: 'engine-error', detail: `recovered state has ${recovered.length} keys, want ${n}` }];
  const durableState = [...baseline];
  const durableBy: Array<string | undefined> = new Array(n).fill(undefined);
  const allowed: Array<Set<string>> = [];
  const last = pending ? pending.acked + (pending.inFlight ? 1 : 0) : 0;
  const opList: WorkloadOp[] = [];
  for (let o = 0; o < last; o++) opList.push(gen(pending!.cycle, o));
  if (pending) {
    for (let o = 0; o < pending.durable; o++)
      for (const e of effects(opList[o]!)) {
        durableState[e.k] = stateAfter(pending.cycle, o, e.put);
        durableBy[e.k] = `op ${pending.cycle}.${o}`;
      }
  }
  for (let k = 0; k < n; k++) allowed.push(new Set([durableState[k]!]));
  if (pending)
    for (let o = pending.durable; o < last; o++)
      for (const e of effects(opList[o]!)) allowed[e.k]!.add(stateAfter(pending.cycle, o, e.put));

  for (let k = 0; k < n; k++) {
    const got = recovered[k]!;
    if (allowed[k]!.has(got)) continue;
    if (got.startsWith('!')) {
      out.push({ kind: 'wrong-value', key: k, detail: `key ${k}: value never written (bytes ${got.slice(1)}), expected one of ${[...allowed[k]!].join(',')}` });
      continue;
    }
    const [c, o] = got.split('.').map(Number) as [number, number];
    const cur = pending?.cycle ?? 0;
    if (got !== '-' && (c > cur || (c === cur && o >= last))) {
      out.push({ kind: 'wrong-value', key: k, detail: `key ${k}: found ${got}, written by an operation never issued (expected one of ${[...allowed[k]!].join(',')})` });
      continue;
    }
    const by = durableBy[k] ?? 'the previous recovery';
    out.push({
      kind: 'lost',
      key: k,
      detail: `key ${k}: found ${got}, but ${by} made it ${durableState[k]} durably (allowed: ${[...allowed[k]!].join(',')})`,
    });
  }

  if (pending && atomicBatch) {
    for (let o = pending.durable; o < last; o++) {
      const w = opList[o]!;
      if (w.type !== 'batch') continue;
      const eff = effects(w);
      let applied: number | undefined;
      let notApplied: number | undefined;
      for (const e of eff) {
        const got = recovered[e.k]!;
        const laterDeletes = () => {
          for (let o2 = o + 1; o2 < last; o2++) if (effects(opList[o2]!).some((x) => x.k === e.k && !x.put)) return true;
          return false;
        };
        if (e.put && got === `${pending.cycle}.${o}`) applied = e.k;
        else if (got !== '-' && !got.startsWith('!') && olderThan(got, pending.cycle, o)) notApplied = e.k;
        else if (e.put && got === '-' && !laterDeletes()) notApplied = e.k;
      }
      if (applied !== undefined && notApplied !== undefined)
        out.push({
          kind: 'torn-batch',
          key: notApplied,
          detail: `batch ${pending.cycle}.${o} is visible in part: key ${applied} has its value, key ${notApplied} shows ${recovered[notApplied]} from before it`,
        });
    }
  }
  return out;
}
