/**
 * The store's state file (`hashlog.state`, FORMAT.md "State file"): the newest segment id and a
 * length of it that is known durable, kept outside the segment so a truncation of the segment
 * cannot erase it. Recovery treats every byte below that length as data that must be intact
 * (CORRUPTION otherwise) and only the bytes beyond it as a tail that may be torn.
 *
 * Two 36-byte slots, written alternately in place (generation g goes to slot g % 2) with one
 * pwrite and no fsync of its own: a slot is written only after the segment bytes it covers were
 * fdatasynced, so whichever slot versions a power loss keeps, each one states a length that was
 * durable when it was written (a lower bound; never a false CORRUPTION). A torn slot fails its
 * CRC and the other one is used. The file is created atomically (tmp, fsync, rename, fsync dir)
 * after the first segment exists, and is fsynced at close.
 */
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { corruption } from '../errors.js';
import type { Fd, Fs } from '../fs.js';
import { readFileIfExists, writeFileAtomic } from '../fs.js';
import { FORMAT_VERSION, writeU64 } from './format.js';

/** on-disk: never change without a version bump. The state file's name. */
export const STATE_FILE = 'hashlog.state';
/** on-disk: never change without a version bump. Bytes "KVHS" read as a LE u32. */
export const STATE_MAGIC = 0x5348564b;
/** on-disk: never change without a version bump. One slot: magic u32, version u16, 0 u16, generation u64, activeId u64, durableLength u64, crc u32. */
export const STATE_SLOT_BYTES = 36;
/** on-disk: the file is exactly two slots. */
export const STATE_FILE_BYTES = 2 * STATE_SLOT_BYTES;

/** What the state file records. */
export interface StoreState {
  /** Generation of the slot it came from (grows by one per write). */
  generation: number;
  /** The newest segment id when it was written (the active log segment). */
  activeId: number;
  /** A length of segment `activeId` that was durable (fdatasynced) when it was written. */
  durableLength: number;
}

function encodeSlot(s: StoreState): Buffer {
  const b = Buffer.alloc(STATE_SLOT_BYTES);
  b.writeUInt32LE(STATE_MAGIC, 0);
  b.writeUInt16LE(FORMAT_VERSION, 4);
  writeU64(b, 8, s.generation);
  writeU64(b, 16, s.activeId);
  writeU64(b, 24, s.durableLength);
  b.writeUInt32LE(crc32(b.subarray(0, 32)), 32);
  return b;
}

function u64(b: Buffer, at: number): number {
  const hi = b.readUInt32LE(at + 4);
  return hi > 0x1fffff ? -1 : hi * 0x1_0000_0000 + b.readUInt32LE(at);
}

function decodeSlot(b: Buffer): StoreState | undefined {
  if (b.readUInt32LE(0) !== STATE_MAGIC || b.readUInt16LE(4) !== FORMAT_VERSION || b.readUInt16LE(6) !== 0) return undefined;
  if (b.readUInt32LE(32) !== crc32(b.subarray(0, 32))) return undefined;
  const s = { generation: u64(b, 8), activeId: u64(b, 16), durableLength: u64(b, 24) };
  return s.generation < 0 || s.activeId < 1 || s.durableLength < 0 ? undefined : s;
}

/**
 * Decodes a whole state file: the valid slot with the higher generation. CORRUPTION (file,
 * offset) when the file has the wrong size or no valid slot (it is created whole, atomically).
 */
export function decodeState(b: Buffer, file: string): StoreState {
  if (b.length !== STATE_FILE_BYTES) throw corruption(`state file is ${b.length} bytes, not ${STATE_FILE_BYTES}`, file, Math.min(b.length, STATE_FILE_BYTES));
  const a = decodeSlot(b.subarray(0, STATE_SLOT_BYTES));
  const c = decodeSlot(b.subarray(STATE_SLOT_BYTES));
  if (a === undefined && c === undefined) throw corruption('state file: no valid slot', file, 0);
  if (a === undefined) return c!;
  if (c === undefined) return a;
  return c.generation > a.generation ? c : a;
}

/** Reads `dir`'s state file; undefined when it does not exist. CORRUPTION when it is damaged. */
export function readState(fs: Fs, dir: string): StoreState | undefined {
  const file = path.join(dir, STATE_FILE);
  const data = readFileIfExists(fs, file);
  if (data === undefined) return undefined;
  return decodeState(Buffer.from(data.buffer, data.byteOffset, data.length), file);
}

/** The open state file of a store: records (segment id, durable length) pairs in place. */
export class StateFile {
  private gen: number;
  private last: StoreState;
  private unsynced = false;

  private constructor(private readonly fs: Fs, private readonly fd: Fd, s: StoreState) {
    this.gen = s.generation;
    this.last = s;
  }

  /**
   * Opens `dir`'s state file (`found` is what recovery read), or creates it atomically recording
   * `activeId` at `durableLength` when there is none. The caller guarantees those bytes are durable.
   */
  static open(fs: Fs, dir: string, found: StoreState | undefined, activeId: number, durableLength: number): StateFile {
    const file = path.join(dir, STATE_FILE);
    if (found === undefined) {
      const s0 = { generation: 0, activeId, durableLength };
      writeFileAtomic(fs, file, Buffer.concat([encodeSlot(s0), encodeSlot({ ...s0, generation: 1 })]));
      found = { ...s0, generation: 1 };
    }
    const sf = new StateFile(fs, fs.open(file, 'rw'), found);
    sf.record(activeId, durableLength);
    return sf;
  }

  /**
   * Records that segment `activeId` is durable up to `durableLength`. Call only after those bytes
   * were fdatasynced (and, for a new segment, its directory entry). A no-op when nothing changed.
   */
  record(activeId: number, durableLength: number): void {
    if (activeId === this.last.activeId && durableLength === this.last.durableLength) return;
    const s = { generation: this.gen + 1, activeId, durableLength };
    const slot = encodeSlot(s);
    this.fs.write(this.fd, slot, 0, slot.length, (s.generation % 2) * STATE_SLOT_BYTES);
    this.gen = s.generation;
    this.last = s;
    this.unsynced = true;
  }

  /** fdatasyncs the file if a slot was written since the last call, then closes it. */
  close(): void {
    try {
      if (this.unsynced) this.fs.fdatasync(this.fd);
    } finally {
      this.fs.close(this.fd);
    }
  }
}
