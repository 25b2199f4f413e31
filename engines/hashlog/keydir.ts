/**
 * The keydir: the in-memory hash index from key to the location of its latest record.
 *
 * Layout (compact, no object per key): an open-addressing table (linear probing, backward-shift
 * deletion) of u32 entry numbers, and dense parallel typed arrays per entry: key hash, key
 * offset + length in a key arena (one Buffer), segment id, record offset, value length. About
 * 30 bytes per entry + 4-8 per table slot + arena slack; {@link Keydir.memoryBytes} reports the
 * exact bytes allocated. Keys are copied into the arena (callers may reuse their buffers).
 */

const EMPTY = 0;
const MIN_TABLE = 1024;
const MAX_LOAD = 0.75;

/** 32-bit FNV-1a over the key bytes with a murmur3 finaliser (the table uses the low bits). */
export function hashKey(key: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key[i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class Keydir {
  /** Slot -> entry number + 1 (0 = empty). */
  private table = new Uint32Array(MIN_TABLE);
  private mask = MIN_TABLE - 1;
  private count = 0;
  private hashes = new Uint32Array(MIN_TABLE);
  private keyOff = new Uint32Array(MIN_TABLE);
  /** Entry fields, readable by the engine (index = entry number from {@link find}). */
  keyLen = new Uint16Array(MIN_TABLE);
  seg = new Uint32Array(MIN_TABLE);
  off = new Float64Array(MIN_TABLE);
  valueLen = new Uint32Array(MIN_TABLE);
  private arena = Buffer.allocUnsafe(64 * 1024);
  private arenaUsed = 0;
  private arenaGarbage = 0;

  /** Number of keys. */
  get size(): number {
    return this.count;
  }

  /** Entry number of `key` (hash `h` = hashKey(key)), or -1. Valid until the next mutation. */
  find(key: Uint8Array, h: number): number {
    const table = this.table;
    const mask = this.mask;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const t = table[s]!;
      if (t === EMPTY) return -1;
      const e = t - 1;
      if (this.hashes[e] === h && this.keyEquals(e, key)) return e;
    }
  }

  private keyEquals(e: number, key: Uint8Array): boolean {
    const len = key.length;
    if (this.keyLen[e] !== len) return false;
    const a = this.arena;
    const o = this.keyOff[e]!;
    if (len > 32) return a.compare(key, 0, len, o, o + len) === 0;
    for (let i = 0; i < len; i++) if (a[o + i] !== key[i]) return false;
    return true;
  }

  /** Points existing entry `e` at a new record location. */
  update(e: number, seg: number, off: number, valueLen: number): void {
    this.seg[e] = seg;
    this.off[e] = off;
    this.valueLen[e] = valueLen;
  }

  /** Adds `key` (absent; hash `h`), copying its bytes. Returns the new entry number. */
  insert(key: Uint8Array, h: number, seg: number, off: number, valueLen: number): number {
    if (this.count + 1 > this.table.length * MAX_LOAD) this.growTable();
    if (this.count === this.hashes.length) this.growEntries();
    const ko = this.arenaAlloc(key.length);
    this.arena.set(key, ko);
    const e = this.count++;
    this.hashes[e] = h;
    this.keyOff[e] = ko;
    this.keyLen[e] = key.length;
    this.seg[e] = seg;
    this.off[e] = off;
    this.valueLen[e] = valueLen;
    let s = h & this.mask;
    while (this.table[s] !== EMPTY) s = (s + 1) & this.mask;
    this.table[s] = e + 1;
    return e;
  }

  /** Removes entry `e`. Entry numbers of other entries may change (the last one moves into `e`). */
  remove(e: number): void {
    const mask = this.mask;
    const table = this.table;
    let i = this.slotOf(e);
    // Backward-shift deletion: pull later members of the probe run into the hole.
    for (let j = (i + 1) & mask; table[j] !== EMPTY; j = (j + 1) & mask) {
      const home = this.hashes[table[j]! - 1]! & mask;
      const between = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!between) {
        table[i] = table[j]!;
        i = j;
      }
    }
    table[i] = EMPTY;
    this.arenaGarbage += this.keyLen[e]!;
    const last = this.count - 1;
    if (e !== last) {
      table[this.slotOf(last)] = e + 1;
      this.hashes[e] = this.hashes[last]!;
      this.keyOff[e] = this.keyOff[last]!;
      this.keyLen[e] = this.keyLen[last]!;
      this.seg[e] = this.seg[last]!;
      this.off[e] = this.off[last]!;
      this.valueLen[e] = this.valueLen[last]!;
    }
    this.count = last;
  }

  /** A copy of entry `e`'s key. */
  keyOf(e: number): Buffer {
    const o = this.keyOff[e]!;
    return Buffer.from(this.arena.subarray(o, o + this.keyLen[e]!));
  }

  /** Bytes allocated by the index: table, entry arrays, key arena (capacity, not use). */
  memoryBytes(): number {
    return (
      this.table.byteLength + this.hashes.byteLength + this.keyOff.byteLength + this.keyLen.byteLength +
      this.seg.byteLength + this.off.byteLength + this.valueLen.byteLength + this.arena.length
    );
  }

  /** Bytes of key data stored (live keys only). */
  keyBytes(): number {
    return this.arenaUsed - this.arenaGarbage;
  }

  private slotOf(e: number): number {
    const mask = this.mask;
    for (let s = this.hashes[e]! & mask; ; s = (s + 1) & mask) if (this.table[s] === e + 1) return s;
  }

  private growTable(): void {
    const cap = this.table.length * 2;
    const table = new Uint32Array(cap);
    const mask = cap - 1;
    for (let e = 0; e < this.count; e++) {
      let s = this.hashes[e]! & mask;
      while (table[s] !== EMPTY) s = (s + 1) & mask;
      table[s] = e + 1;
    }
    this.table = table;
    this.mask = mask;
  }

  private growEntries(): void {
    const cap = Math.ceil(this.hashes.length * 1.5);
    const grow = <T extends Uint32Array | Uint16Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.hashes = grow(this.hashes, (n) => new Uint32Array(n));
    this.keyOff = grow(this.keyOff, (n) => new Uint32Array(n));
    this.keyLen = grow(this.keyLen, (n) => new Uint16Array(n));
    this.seg = grow(this.seg, (n) => new Uint32Array(n));
    this.off = grow(this.off, (n) => new Float64Array(n));
    this.valueLen = grow(this.valueLen, (n) => new Uint32Array(n));
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
      let at = 0;
      for (let e = 0; e < this.count; e++) {
        const o = this.keyOff[e]!;
        const l = this.keyLen[e]!;
        this.arena.copy(next, at, o, o + l);
        this.keyOff[e] = at;
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
    const oldV = kd.valueLen[e]!;
    segs.get(kd.seg[e]!)!.live -= recordBytes(key.length, oldV);
    totals.liveBytes -= key.length + oldV;
    if (tombstone) kd.remove(e);
    else kd.update(e, segId, off, valueLen);
  } else if (!tombstone) kd.insert(key, h, segId, off, valueLen);
  if (!tombstone) {
    segs.get(segId)!.live += recordBytes(key.length, valueLen);
    totals.liveBytes += key.length + valueLen;
  }
}
