/**
 * `map`: the in-memory baseline. A JS Map from latin1 key strings to value copies plus a sorted
 * key array for scans. Not persistent: it shows the ceiling of an engine that does no I/O,
 * and what the harness costs a very fast engine. Durability modes are accepted and trivially
 * kept within the process lifetime (capabilities.persistent is false).
 */
import type { BatchOp, Capabilities, EngineDescriptor, EngineStats, Limits } from '../engine.js';
import type { SyncCore } from '../shell.js';

const LIMITS: Limits = { maxKeyBytes: 64 * 1024, maxValueBytes: 64 * 1024 * 1024 };
const CAPABILITIES: Capabilities = {
  orderedScan: true,
  atomicBatch: true,
  persistent: false,
  durability: ['none', 'group', 'always'],
};

/** Index of the first element >= k in sorted `a`. */
function lowerBound(a: string[], k: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The map core (the engine shell owns checks, sequence numbers and counters). */
class MapCore implements SyncCore {
  readonly recoveredSequence = 0;
  readonly unknownStats = ['deviceBytesWritten', 'deviceBytesRead', 'diskBytes', 'syncs'];
  readonly version = process.version;
  private readonly map = new Map<string, Buffer>();
  private sorted: string[] = [];
  private liveBytes = 0;

  get(key: Uint8Array): Uint8Array | undefined {
    const v = this.map.get(Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1'));
    return v === undefined ? undefined : Buffer.from(v);
  }

  put(key: Uint8Array, value: Uint8Array): void {
    this.applyPut(key, value);
  }

  del(key: Uint8Array): void {
    this.applyDelete(key);
  }

  write(batch: readonly BatchOp[]): void {
    for (const op of batch) {
      if (op.type === 'put') this.applyPut(op.key, op.value);
      else this.applyDelete(op.key);
    }
  }

  private applyPut(key: Uint8Array, value: Uint8Array): void {
    const m = this.map;
    const k = Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1');
    const old = m.get(k);
    if (old === undefined) {
      this.sorted.splice(lowerBound(this.sorted, k), 0, k);
      this.liveBytes += key.length;
    } else this.liveBytes -= old.length;
    m.set(k, Buffer.from(value));
    this.liveBytes += value.length;
  }

  private applyDelete(key: Uint8Array): void {
    const m = this.map;
    const k = Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1');
    const old = m.get(k);
    if (old === undefined) return;
    m.delete(k);
    this.sorted.splice(lowerBound(this.sorted, k), 1);
    this.liveBytes -= key.length + old.length;
  }

  scan(start: Uint8Array, limit: number): Array<[Uint8Array, Uint8Array]> {
    const m = this.map;
    const out: Array<[Uint8Array, Uint8Array]> = [];
    const st = Buffer.from(start.buffer, start.byteOffset, start.length).toString('latin1');
    for (let i = lowerBound(this.sorted, st); i < this.sorted.length && out.length < limit; i++) {
      const k = this.sorted[i]!;
      out.push([Buffer.from(k, 'latin1'), Buffer.from(m.get(k)!)]);
    }
    return out;
  }

  /** Nothing to make durable: the map is not persistent. */
  sync(): void {}

  fillStats(s: EngineStats): void {
    s.liveBytes = this.liveBytes;
    s.liveKeys = this.map.size;
    // Rough: V8 Map entry (~40 B) + string header (~16 B) + sorted-array slot (8 B) + Buffer object (~100 B).
    s.indexMemoryBytes = this.map.size * 164 + this.liveBytes;
  }

  close(): void {
    this.map.clear();
    this.sorted = [];
  }
}

/** Registry entry for the in-memory baseline. */
export const mapDescriptor: EngineDescriptor = {
  name: 'map',
  design: 'in-memory JS Map baseline (not persistent)',
  role: 'instrument',
  version: process.version,
  fsSeam: 'none',
  kind: 'sync',
  capabilities: CAPABILITIES,
  limits: LIMITS,
  options: {},
  openCore: () => new MapCore(),
};
