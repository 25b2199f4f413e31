/**
 * `map`: the in-memory baseline. A JS Map from latin1 key strings to value copies plus a sorted
 * key array for scans. Not persistent: it shows the ceiling of an engine that does no I/O,
 * and what the harness costs a very fast engine. Durability modes are accepted and trivially
 * kept within the process lifetime (capabilities.persistent is false).
 */
import { checkBatch, checkKey, checkLimit, checkValue } from '../common.js';
import type { BatchOp, Capabilities, Engine, EngineDescriptor, EngineInfo, EngineStats, Limits } from '../engine.js';
import { emptyStats } from '../engine.js';
import { closedError } from '../errors.js';

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

class MapEngine implements Engine {
  readonly info: EngineInfo & { kind: 'sync' };
  private map: Map<string, Buffer> | undefined = new Map();
  private sorted: string[] = [];
  private seq = 0;
  private liveBytes = 0;
  private userBytesWritten = 0;
  private userBytesRead = 0;

  constructor(durability: EngineInfo['durability'], label: string) {
    this.info = {
      name: 'map', label, design: 'in-memory JS Map + sorted key array (baseline, not persistent)',
      version: process.version, kind: 'sync', capabilities: CAPABILITIES, limits: LIMITS, durability, settings: {},
    };
  }

  private live(): Map<string, Buffer> {
    if (this.map === undefined) throw closedError();
    return this.map;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const m = this.live();
    checkKey(key, LIMITS);
    const v = m.get(Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1'));
    if (v === undefined) return undefined;
    this.userBytesRead += key.length + v.length;
    return Buffer.from(v);
  }

  put(key: Uint8Array, value: Uint8Array): void {
    this.live();
    checkKey(key, LIMITS);
    checkValue(value, LIMITS);
    this.applyPut(key, value);
    this.seq++;
  }

  delete(key: Uint8Array): void {
    this.live();
    checkKey(key, LIMITS);
    this.applyDelete(key);
    this.seq++;
  }

  write(batch: readonly BatchOp[]): void {
    this.live();
    checkBatch(batch, LIMITS);
    for (const op of batch) {
      if (op.type === 'put') this.applyPut(op.key, op.value);
      else this.applyDelete(op.key);
    }
    this.seq++;
  }

  private applyPut(key: Uint8Array, value: Uint8Array): void {
    const m = this.map!;
    const k = Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1');
    const old = m.get(k);
    if (old === undefined) {
      this.sorted.splice(lowerBound(this.sorted, k), 0, k);
      this.liveBytes += key.length;
    } else this.liveBytes -= old.length;
    m.set(k, Buffer.from(value));
    this.liveBytes += value.length;
    this.userBytesWritten += key.length + value.length;
  }

  private applyDelete(key: Uint8Array): void {
    const m = this.map!;
    const k = Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1');
    const old = m.get(k);
    this.userBytesWritten += key.length;
    if (old === undefined) return;
    m.delete(k);
    this.sorted.splice(lowerBound(this.sorted, k), 1);
    this.liveBytes -= key.length + old.length;
  }

  scan(start: Uint8Array, limit: number): Array<[Uint8Array, Uint8Array]> {
    const m = this.live();
    checkKey(start, LIMITS);
    checkLimit(limit);
    const out: Array<[Uint8Array, Uint8Array]> = [];
    const s = Buffer.from(start.buffer, start.byteOffset, start.length).toString('latin1');
    for (let i = lowerBound(this.sorted, s); i < this.sorted.length && out.length < limit; i++) {
      const k = this.sorted[i]!;
      const v = m.get(k)!;
      out.push([Buffer.from(k, 'latin1'), Buffer.from(v)]);
      this.userBytesRead += k.length + v.length;
    }
    return out;
  }

  sync(): void {
    this.live();
  }

  lastSequence(): number {
    return this.seq;
  }

  durableSequence(): number {
    return this.seq;
  }

  stats(): EngineStats {
    const m = this.live();
    const s = emptyStats(['deviceBytesWritten', 'deviceBytesRead', 'diskBytes', 'syncs']);
    s.userBytesWritten = this.userBytesWritten;
    s.userBytesRead = this.userBytesRead;
    s.liveBytes = this.liveBytes;
    s.liveKeys = m.size;
    // Rough: V8 Map entry (~40 B) + string header (~16 B) + sorted-array slot (8 B) + Buffer object (~100 B).
    s.indexMemoryBytes = m.size * 164 + this.liveBytes;
    return s;
  }

  close(): void {
    this.map = undefined;
    this.sorted = [];
  }
}

/** Registry entry for the in-memory baseline. */
export const mapDescriptor: EngineDescriptor = {
  name: 'map',
  design: 'in-memory JS Map baseline (not persistent)',
  kind: 'sync',
  capabilities: CAPABILITIES,
  limits: LIMITS,
  options: {},
  open: (opts) => new MapEngine(opts.durability, opts.label),
};
