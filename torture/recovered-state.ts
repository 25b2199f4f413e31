/**
 * Reading back a recovered store: the state of every workload key, as the verifier expects it
 * (`-` absent, `c.o` the operation that wrote it, `!<hex>` bytes no operation wrote to that key),
 * plus, for engines with ordered scan, every way a full scan disagrees with the gets.
 */
import type { AnyEngine } from '../engines/engine.js';
import { decodeValue, formatId, KEYSPACE, keyBytes, keyIndex } from './workload.js';

/** The state of key k as the journal and the verifier spell it. */
export function describeState(seed: number, k: number, v: Uint8Array | undefined): string {
  if (v === undefined) return '-';
  const id = decodeValue(seed, k, v);
  return id ? formatId(id) : `!${Buffer.from(v.buffer, v.byteOffset, Math.min(v.length, 48)).toString('hex')}`;
}

/** What a full read of a recovered store found. */
export interface RecoveredState {
  /** Per workload key (index = key number). */
  states: string[];
  /** Keys (hex) a scan returned that the workload never writes. */
  extraKeys: string[];
  /** Scan/get disagreements, one line each (`<k> <detail>`, k = -1 for order errors). */
  mismatches: string[];
}

/** Reads every workload key (and scans in full, when ordered). Engine errors propagate. */
export async function readRecoveredState(e: AnyEngine, seed: number): Promise<RecoveredState> {
  const states: string[] = [];
  const extraKeys: string[] = [];
  const mismatches: string[] = [];
  for (let k = 0; k < KEYSPACE; k++) states.push(describeState(seed, k, await e.get(keyBytes(k))));
  if (e.info.capabilities.orderedScan) {
    const rows = await e.scan(Uint8Array.of(0), KEYSPACE + 64);
    const seen = new Set<number>();
    let prev: Buffer | undefined;
    for (const [key, value] of rows) {
      const kb = Buffer.from(key.buffer, key.byteOffset, key.length);
      if (prev && Buffer.compare(prev, kb) >= 0) mismatches.push(`-1 scan-out-of-order at ${kb.toString('hex')}`);
      prev = kb;
      const k = keyIndex(key);
      if (k < 0) {
        extraKeys.push(kb.toString('hex'));
        continue;
      }
      seen.add(k);
      const s = describeState(seed, k, value);
      if (s !== states[k]) mismatches.push(`${k} scan=${s} get=${states[k]}`);
    }
    for (let k = 0; k < KEYSPACE; k++) if (states[k] !== '-' && !seen.has(k)) mismatches.push(`${k} scan=- get=${states[k]}`);
  }
  return { states, extraKeys, mismatches };
}
