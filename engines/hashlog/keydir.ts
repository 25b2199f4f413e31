/**
 * The keydir: the in-memory hash index from key to the location of its latest record.
 *
 * Layout (compact, no object per key, few cache misses per lookup):
 * - an open-addressing table (linear probing, backward-shift deletion) of slot pairs
 *   [key hash, entry number + 1] (8 bytes per slot, load factor <= 0.75), so a probe compares
 *   hashes without touching the entries;
 * - entries in one ArrayBuffer, 24 bytes each: record offset (f64), key offset in the key
 *   arena (u32), segment id (u32), value length (u32), key length (u32);
 * - a key arena (one Buffer) holding every key's bytes, compacted when half garbage.
 * {@link Keydir.memoryBytes} reports the exact bytes allocated. Keys are copied in (callers may
 * reuse their buffers). The hash is in-memory only (never on disk).
 */

const MIN_SLOTS = 1024;
const MAX_LOAD = 0.75;
/** Entry stride in bytes / in u32 / in f64 units. */
const STRIDE = 24;
const S32 = 6;
const S64 = 3;

/** MurmurHash3 (x86, 32-bit, seed 0) of the key bytes. */
export function hashKey(key: Uint8Array): number {
  const n = key.length;
  const end = n & ~3;
  let h = 0;
  let i = 0;
  for (; i < end; i += 4) {
    let k = key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rest = n & 3;
  if (rest !== 0) {
    let k = key[i]!;
    if (rest > 1) k |= key[i + 1]! << 8;
    if (rest > 2) k |= key[i + 2]! << 16;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Key -> (segment id, record offset, value length) for every live key; see the module doc for
 * the layout. Not thread-safe; entry numbers are only valid until the next insert/remove.
 */
export class Keydir {
  /** Slot pairs: [2s] = key hash, [2s + 1] = entry number + 1 (0 = empty slot). */
  private table = new Uint32Array(2 * MIN_SLOTS);
  private mask = MIN_SLOTS - 1;
  private count = 0;
  private cap = MIN_SLOTS;
  private u32 = new Uint32Array(MIN_SLOTS * S32);
  private f64 = new Float64Array(this.u32.buffer);
  private arena = Buffer.allocUnsafe(64 * 1024);
  private arenaUsed = 0;
  private arenaGarbage = 0;

  /** Number of keys. */
  get size(): number {
    return this.count;
  }

  /** Entry number of `key` (hash `h` = hashKey(key)), or -1. Valid until the next insert/remove. */
  find(key: Uint8Array, h: number): number {
    const table = this.table;
    const mask = this.mask;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const t = table[2 * s + 1]!;
      if (t === 0) return -1;
      if (table[2 * s] === h && this.keyEquals(t - 1, key)) return t - 1;
    }
  }

  private keyEquals(e: number, key: Uint8Array): boolean {
    const len = key.length;
    const u = this.u32;
    if (u[e * S32 + 5] !== len) return false;
    const a = this.arena;
    const o = u[e * S32 + 2]!;
    if (len > 32) return a.compare(key, 0, len, o, o + len) === 0;
    for (let i = 0; i < len; i++) if (a[o + i] !== key[i]) return false;
    return true;
  }

  /** Record offset of entry `e`. */
  offOf(e: number): number {
    return this.f64[e * S64]!;
  }
  /** Segment id of entry `e`. */
  segOf(e: number): number {
    return this.u32[e * S32 + 3]!;
  }
  /** Value length of entry `e`. */
  valueLenOf(e: number): number {
    return this.u32[e * S32 + 4]!;
  }
  /** Key length of entry `e`. */
  keyLenOf(e: number): number {
    return this.u32[e * S32 + 5]!;
  }

  /** Points existing entry `e` at a new record location. */
  update(e: number, seg: number, off: number, valueLen: number): void {
    this.f64[e * S64] = off;
    this.u32[e * S32 + 3] = seg;
    this.u32[e * S32 + 4] = valueLen;
  }

  /** Moves entry `e` to a new location in segment `seg` (same value length). */
  relocate(e: number, seg: number, off: number): void {
    this.f64[e * S64] = off;
    this.u32[e * S32 + 3] = seg;
  }

  /** Adds `key` (absent; hash `h`), copying its bytes. Returns the new entry number. */
  insert(key: Uint8Array, h: number, seg: number, off: number, valueLen: number): number {
    if (this.count + 1 > (this.mask + 1) * MAX_LOAD) this.growTable();
    if (this.count === this.cap) this.growEntries();
    const ko = this.arenaAlloc(key.length);
    this.arena.set(key, ko);
    const e = this.count++;
    const u = this.u32;
    this.f64[e * S64] = off;
    u[e * S32 + 2] = ko;
    u[e * S32 + 3] = seg;
    u[e * S32 + 4] = valueLen;
    u[e * S32 + 5] = key.length;
    this.place(h, e);
    return e;
  }

  private place(h: number, e: number): void {
    const table = this.table;
    const mask = this.mask;
    let s = h & mask;
    while (table[2 * s + 1] !== 0) s = (s + 1) & mask;
    table[2 * s] = h;
    table[2 * s + 1] = e + 1;
  }

  /** Removes entry `e`. Entry numbers of other entries may change (the last one moves into `e`). */
  remove(e: number): void {
    const mask = this.mask;
    const table = this.table;
    let i = this.slotOf(e, this.hashOf(e));
    // Backward-shift deletion: pull later members of the probe run into the hole.
    for (let j = (i + 1) & mask; table[2 * j + 1] !== 0; j = (j + 1) & mask) {
      const home = table[2 * j]! & mask;
      const between = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!between) {
        table[2 * i] = table[2 * j]!;
        table[2 * i + 1] = table[2 * j + 1]!;
        i = j;
      }
    }
    table[2 * i] = 0;
    table[2 * i + 1] = 0;
    const u = this.u32;
    this.arenaGarbage += u[e * S32 + 5]!;
    const last = this.count - 1;
    if (e !== last) {
      table[2 * this.slotOf(last, this.hashOf(last)) + 1] = e + 1;
      u.copyWithin(e * S32, last * S32, last * S32 + S32);
    }
    this.count = last;
  }

  /** A copy of entry `e`'s key. */
  keyOf(e: number): Buffer {
    const o = this.u32[e * S32 + 2]!;
    return Buffer.from(this.arena.subarray(o, o + this.keyLenOf(e)));
  }

  /** Bytes allocated by the index: table, entries, key arena (capacity, not use). */
  memoryBytes(): number {
    return this.table.byteLength + this.u32.byteLength + this.arena.length;
  }

  /** Bytes of key data stored (live keys only). */
  keyBytes(): number {
    return this.arenaUsed - this.arenaGarbage;
  }

  private hashOf(e: number): number {
    const o = this.u32[e * S32 + 2]!;
    return hashKey(this.arena.subarray(o, o + this.keyLenOf(e)));
  }

  private slotOf(e: number, h: number): number {
    const mask = this.mask;
    for (let s = h & mask; ; s = (s + 1) & mask) if (this.table[2 * s + 1] === e + 1) return s;
  }

  private growTable(): void {
    const old = this.table;
    const slots = (this.mask + 1) * 2;
    this.table = new Uint32Array(2 * slots);
    this.mask = slots - 1;
    for (let s = 0; s < old.length; s += 2) if (old[s + 1] !== 0) this.place(old[s]!, old[s + 1]! - 1);
  }

  private growEntries(): void {
    this.cap = Math.ceil(this.cap * 1.5);
    const u = new Uint32Array(this.cap * S32);
    u.set(this.u32);
    this.u32 = u;
    this.f64 = new Float64Array(u.buffer);
  }

  /** Reserves `len` arena bytes, compacting away deleted keys or growing as needed. */
  private arenaAlloc(len: number): number {
    if (this.arenaUsed + len > this.arena.length) {
      const live = this.arenaUsed - this.arenaGarbage;
      const need = live + len;
      let cap = this.arena.length;
      if (need > cap / 2) cap = Math.max(Math.ceil(cap * 1.5), need);
      if (cap > 0xffffffff) throw new RangeError('keydir key arena over 4 GiB');
      const next = Buffer.allocUnsafe(cap);
      const u = this.u32;
      let at = 0;
      for (let e = 0; e < this.count; e++) {
        const o = u[e * S32 + 2]!;
        const l = u[e * S32 + 5]!;
        this.arena.copy(next, at, o, o + l);
        u[e * S32 + 2] = at;
        at += l;
      }
      this.arena = next;
      this.arenaUsed = at;
      this.arenaGarbage = 0;
    }
    const o = this.arenaUsed;
    this.arenaUsed += len;
    return o;
  }
}

/** Anything that counts the live record bytes it holds (a segment). */
export interface LiveCounter {
  live: number;
}

/**
 * Applies one record to the keydir with space accounting: the record of `key` at `off` in
 * segment `segId` (a put of `valueLen` bytes, or a tombstone) becomes the key's latest state.
 * The superseded record's bytes become dead in its segment; `totals.liveBytes` tracks live key
 * + value bytes. `recordBytes(keyLen, valueLen)` is the on-disk size of a record.
 */
export function applyRecord(
  kd: Keydir, segs: Map<number, LiveCounter>, totals: { liveBytes: number }, recordBytes: (k: number, v: number) => number,
  segId: number, key: Uint8Array, h: number, tombstone: boolean, off: number, valueLen: number,
): void {
  const e = kd.find(key, h);
  if (e >= 0) {
    const oldV = kd.valueLenOf(e);
    segs.get(kd.segOf(e))!.live -= recordBytes(key.length, oldV);
    totals.liveBytes -= key.length + oldV;
    if (tombstone) kd.remove(e);
    else kd.update(e, segId, off, valueLen);
  } else if (!tombstone) kd.insert(key, h, segId, off, valueLen);
  if (!tombstone) {
    segs.get(segId)!.live += recordBytes(key.length, valueLen);
    totals.liveBytes += key.length + valueLen;
  }
}
