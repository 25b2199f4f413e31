/**
 * `null`: the harness's measuring instrument, not a store. Every call validates its arguments
 * like a real engine and then does nothing: get always returns undefined, put/delete/write
 * are discarded, scan returns nothing. Driving it through a workload measures what the harness
 * itself costs per operation (op generation, timing, histogram recording), which every result
 * records next to its figures.
 *
 * It deliberately breaks the storage contract (a put is not readable), so it is NOT in the
 * engine registry and the conformance suite; the harness resolves the name `null` itself.
 */
import { checkBatch, checkKey, checkLimit, checkValue } from '../common.js';
import type { BatchOp, Capabilities, Engine, EngineDescriptor, EngineInfo, EngineStats, Limits } from '../engine.js';
import { emptyStats } from '../engine.js';
import { closedError } from '../errors.js';

const LIMITS: Limits = { maxKeyBytes: 64 * 1024, maxValueBytes: 64 * 1024 * 1024 };
const CAPABILITIES: Capabilities = { orderedScan: true, atomicBatch: true, persistent: false, durability: ['none', 'group', 'always'] };

class NullEngine implements Engine {
  readonly info: EngineInfo & { kind: 'sync' };
  private closed = false;
  private seq = 0;
  private written = 0;

  constructor(durability: EngineInfo['durability'], label: string) {
    this.info = {
      name: 'null', label, design: 'discards every write, finds nothing (measures harness cost)',
      version: '1', kind: 'sync', capabilities: CAPABILITIES, limits: LIMITS, durability, settings: {},
    };
  }

  get(key: Uint8Array): Uint8Array | undefined {
    if (this.closed) throw closedError();
    checkKey(key, LIMITS);
    return undefined;
  }

  put(key: Uint8Array, value: Uint8Array): void {
    if (this.closed) throw closedError();
    checkKey(key, LIMITS);
    checkValue(value, LIMITS);
    this.written += key.length + value.length;
    this.seq++;
  }

  delete(key: Uint8Array): void {
    if (this.closed) throw closedError();
    checkKey(key, LIMITS);
    this.written += key.length;
    this.seq++;
  }

  write(batch: readonly BatchOp[]): void {
    if (this.closed) throw closedError();
    checkBatch(batch, LIMITS);
    this.seq++;
  }

  scan(start: Uint8Array, limit: number): Array<[Uint8Array, Uint8Array]> {
    if (this.closed) throw closedError();
    checkKey(start, LIMITS);
    checkLimit(limit);
    return [];
  }

  sync(): void {
    if (this.closed) throw closedError();
  }

  lastSequence(): number {
    return this.seq;
  }

  durableSequence(): number {
    return this.seq;
  }

  stats(): EngineStats {
    if (this.closed) throw closedError();
    const s = emptyStats(['deviceBytesWritten', 'deviceBytesRead', 'diskBytes', 'syncs']);
    s.userBytesWritten = this.written;
    return s;
  }

  close(): void {
    this.closed = true;
  }
}

/** Descriptor of the null engine (resolved by the harness, not listed in the registry). */
export const nullDescriptor: EngineDescriptor = {
  name: 'null',
  design: 'discards every write, finds nothing (measures harness cost; not a store)',
  kind: 'sync',
  capabilities: CAPABILITIES,
  limits: LIMITS,
  options: {},
  open: (opts) => new NullEngine(opts.durability, opts.label),
};
