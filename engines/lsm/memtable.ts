/**
 * The memtable: the newest writes, in memory, ordered. A skiplist (ordered by key, for flushes
 * and scans) plus a hash map (for point gets and in-place overwrite). Keys are held as latin1
 * strings, whose code-unit order equals unsigned byte order, and as Buffers.
 *
 * Each entry keeps the newest version of its key with that version's sequence number; a delete
 * is an entry with `value === undefined` (a tombstone) that shadows older data in sstables.
 * Older versions are not kept: kvlab has no snapshots, and a scan runs synchronously, so no
 * reader can observe an older version. Once full, a memtable is frozen (immutable) and flushed.
 */

const MAX_HEIGHT = 12;
/** Estimated bytes of memory per entry beyond key and value (node, map slot, string). */
const ENTRY_OVERHEAD = 96;

/** One memtable entry. `value === undefined` is a deletion marker. */
export class MemEntry {
  readonly next: Array<MemEntry | null>;
  constructor(
    readonly keyStr: string,
    readonly key: Buffer,
    public value: Buffer | undefined,
    public seq: number,
    height: number,
  ) {
    this.next = new Array<MemEntry | null>(height).fill(null);
  }
}

/** Converts key bytes to the latin1 string the memtable indexes by. */
export function keyString(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1');
}

export class Memtable {
  private readonly head = new MemEntry('', Buffer.alloc(0), undefined, 0, MAX_HEIGHT);
  private readonly map = new Map<string, MemEntry>();
  private height = 1;
  private readonly prev: MemEntry[] = new Array<MemEntry>(MAX_HEIGHT);
  /** Estimated memory held (keys + values + per-entry overhead). */
  approximateBytes = 0;
  /** Highest sequence number inserted. */
  maxSeq = 0;
  /** True once frozen for flushing; inserts then throw (a bug, never user-visible). */
  immutable = false;

  get count(): number {
    return this.map.size;
  }

  /** Inserts or overwrites. `key` and `value` must be buffers the memtable may keep. */
  add(keyStr: string, key: Buffer, value: Buffer | undefined, seq: number): void {
    if (this.immutable) throw new Error('insert into an immutable memtable');
    if (seq > this.maxSeq) this.maxSeq = seq;
    const old = this.map.get(keyStr);
    if (old !== undefined) {
      this.approximateBytes += (value?.length ?? 0) - (old.value?.length ?? 0);
      old.value = value;
      old.seq = seq;
      return;
    }
    const h = randomHeight();
    const e = new MemEntry(keyStr, key, value, seq, h);
    this.findPrev(keyStr);
    if (h > this.height) {
      for (let i = this.height; i < h; i++) this.prev[i] = this.head;
      this.height = h;
    }
    for (let i = 0; i < h; i++) {
      const p = this.prev[i]!;
      e.next[i] = p.next[i]!;
      p.next[i] = e;
    }
    this.map.set(keyStr, e);
    this.approximateBytes += key.length + (value?.length ?? 0) + ENTRY_OVERHEAD;
  }

  /** The entry for a key (a tombstone has `value === undefined`), or undefined if absent. */
  get(keyStr: string): MemEntry | undefined {
    return this.map.get(keyStr);
  }

  /** Fills `prev[i]` with the last node at level i whose key is < keyStr. */
  private findPrev(keyStr: string): void {
    let x = this.head;
    for (let i = this.height - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n !== null && n !== undefined && n.keyStr < keyStr) {
        x = n;
        n = x.next[i];
      }
      this.prev[i] = x;
    }
  }

  /** The first entry with key >= keyStr, or null. */
  seek(keyStr: string): MemEntry | null {
    let x = this.head;
    for (let i = this.height - 1; i >= 0; i--) {
      let n = x.next[i];
      while (n !== null && n !== undefined && n.keyStr < keyStr) {
        x = n;
        n = x.next[i];
      }
    }
    return x.next[0] ?? null;
  }

  /** The smallest entry, or null when empty. */
  first(): MemEntry | null {
    return this.head.next[0] ?? null;
  }
}

function randomHeight(): number {
  let h = 1;
  while (h < MAX_HEIGHT && Math.random() < 0.25) h++;
  return h;
}
