/**
 * Pieces the engine shell (shell.ts) uses so that every engine behaves identically at the
 * contract's edges: argument checks ({@link checkKey}, {@link checkValue},
 * {@link checkBatchOnce}, {@link checkLimit}) and the data-directory lock ({@link DirLock}).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { BatchOp, Limits } from './engine.js';
import { KvError, invalidArgument } from './errors.js';
import type { Fs } from './fs.js';
import { fromNative, loadBinding } from './native/binding.js';

/** Throws INVALID_ARGUMENT unless `key` is a non-empty Uint8Array, TOO_LARGE past the limit. */
export function checkKey(key: unknown, limits: Limits): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array)) throw invalidArgument(`key must be a Uint8Array, got ${describe(key)}`);
  if (key.length === 0) throw invalidArgument('key must not be empty');
  if (key.length > limits.maxKeyBytes)
    throw new KvError('TOO_LARGE', `key of ${key.length} bytes exceeds the limit of ${limits.maxKeyBytes}`);
}

/** Throws INVALID_ARGUMENT unless `value` is a Uint8Array, TOO_LARGE past the limit. */
export function checkValue(value: unknown, limits: Limits): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalidArgument(`value must be a Uint8Array, got ${describe(value)}`);
  if (value.length > limits.maxValueBytes)
    throw new KvError('TOO_LARGE', `value of ${value.length} bytes exceeds the limit of ${limits.maxValueBytes}`);
}

/**
 * Checks a batch and reads it exactly once: returns a fresh array of plain ops holding the
 * key and value read during the check (so a getter that answers differently later changes
 * nothing), and the batch's user bytes. A bad op rejects the whole batch before any is applied.
 */
export function checkBatchOnce(batch: unknown, limits: Limits): { ops: BatchOp[]; bytes: number } {
  if (!Array.isArray(batch)) throw invalidArgument(`batch must be an array, got ${describe(batch)}`);
  const n = (batch as unknown[]).length;
  const ops: BatchOp[] = new Array(n);
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const op = (batch as unknown[])[i];
    if (op === null || typeof op !== 'object') throw invalidArgument(`batch op must be an object, got ${describe(op)}`);
    const o = op as { type?: unknown; key?: unknown; value?: unknown };
    const type = o.type;
    const key = o.key;
    checkKey(key, limits);
    if (type === 'put') {
      const value = o.value;
      checkValue(value, limits);
      ops[i] = { type: 'put', key, value };
      bytes += key.length + value.length;
    } else if (type === 'del') {
      ops[i] = { type: 'del', key };
      bytes += key.length;
    } else throw invalidArgument(`batch op type must be 'put' or 'del', got ${describe(type)}`);
  }
  return { ops, bytes };
}

/** Throws INVALID_ARGUMENT unless `limit` is a non-negative integer. */
export function checkLimit(limit: unknown): asserts limit is number {
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0)
    throw invalidArgument(`scan limit must be a non-negative integer, got ${describe(limit)}`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}

/** Unsigned lexicographic byte comparison (the contract's key order). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}


const heldLocks = new Set<string>();

/** The lock file's name in every engine directory (never deleted; see {@link DirLock}). */
export const LOCK_FILE = 'kvlab.lock';

/**
 * Exclusive ownership of a data directory: a kernel lock (flock(2), exclusive, non-blocking)
 * on `kvlab.lock`, taken through the Rust addon (native/src/dirlock.rs). The kernel releases
 * it when its holder closes it or dies, SIGKILL and power loss included, so there is no stale
 * lock to judge and two processes opening at the same instant cannot both win: the loser gets
 * LOCKED. A second open in the same process also gets LOCKED. The file holds the holder's pid
 * for people reading it; nothing decides on its content. It is never deleted (deleting a
 * locked file would let a later opener lock a new inode while the holder keeps the old one).
 * Needs the native addon (`npm run build:native`, part of `npm install`); without it every
 * persistent engine fails to open with NOT_SUPPORTED saying so.
 */
export class DirLock {
  private released = false;
  private constructor(private readonly dir: string, private readonly id: number) {}

  static acquire(_fs: Fs, dir: string): DirLock {
    const abs = path.resolve(dir);
    if (heldLocks.has(abs)) throw new KvError('LOCKED', `${dir} is already open in this process`, { file: dir });
    const file = path.join(abs, LOCK_FILE);
    const binding = loadBinding();
    let id: number;
    try {
      id = binding.lockFile(file);
    } catch (e) {
      throw fromNative(e);
    }
    if (id === 0) throw new KvError('LOCKED', `${dir} is held by another process${holderOf(file)}`, { file });
    heldLocks.add(abs);
    try {
      writeFileSync(file, `${process.pid}\n`);
    } catch {
      /* the pid is for people only */
    }
    return new DirLock(abs, id);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    heldLocks.delete(this.dir);
    loadBinding().unlockFile(this.id);
  }
}

function holderOf(file: string): string {
  try {
    const pid = readFileSync(file, 'latin1').trim();
    return /^\d+$/.test(pid) ? ` (pid ${pid})` : '';
  } catch {
    return '';
  }
}
