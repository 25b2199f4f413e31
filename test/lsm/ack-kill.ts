/**
 * Shared by the lsm and btree "SIGKILL right after an acknowledgement" tests: runs
 * ack-kill-child.mjs (compiled code in dist/) and computes the state its writes must leave.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Oracle } from '../support/oracle.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The child script. */
export const ACK_KILL_CHILD = path.join(here, 'ack-kill-child.mjs');
/** The compiled registry the child imports. */
export const DIST_REGISTRY = path.join(here, '..', '..', 'dist', 'engines', 'registry.js');

/** The oracle after the child's first `n` writes (the same history as ack-kill-child.mjs). */
export function expectedAfter(n: number): Oracle {
  const o = new Oracle();
  const key = (i: number) => Buffer.from(`key${String(i % 700).padStart(4, '0')}`);
  const val = (i: number) => Buffer.alloc(10 + ((i * 37) % 300), i & 255);
  for (let i = 0; i < n; i++) {
    if (i % 11 === 10) o.delete(key(i * 3));
    else if (i % 17 === 16) o.write([{ type: 'put', key: key(i + 5), value: val(i) }, { type: 'del', key: key(i + 6) }]);
    else o.put(key(i), val(i));
  }
  return o;
}

/** Runs the child to its self-SIGKILL; returns what it reported (`ACKED count last durable`). */
export function runAckKill(spec: string, dir: string, count: number): { signal: NodeJS.Signals | null; acked: number; last: number; durable: number; stderr: string } {
  const env = { ...process.env };
  delete env.KVLAB_KILL_POINT;
  const r = spawnSync(process.execPath, [ACK_KILL_CHILD, spec, dir, String(count)], { env, encoding: 'utf8', timeout: 120_000 });
  const m = /ACKED (\d+) (\d+) (\d+)/.exec(r.stdout);
  return { signal: r.signal, acked: m ? Number(m[1]) : -1, last: m ? Number(m[2]) : -1, durable: m ? Number(m[3]) : -1, stderr: r.stderr };
}

/** Rows as comparable strings. */
export const dumpRows = (rows: Array<[Uint8Array, Uint8Array]>): string[] =>
  rows.map(([k, v]) => `${Buffer.from(k).toString('hex')}=${Buffer.from(v).toString('hex')}`);
