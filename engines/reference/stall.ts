/**
 * `stall` and `stall-sync`: instruments that answer like the map engine until their `after`-th
 * operation, which never completes: `stall` returns a promise that never settles (an async
 * binding or server that stops answering), `stall-sync` blocks its thread (an engine call that
 * never returns). They exist to prove that no kvlab run waits forever (harness `--op-timeout`);
 * registered as probes, so listings, the default matrix and the conformance suite leave them out.
 */
import type { Capabilities, EngineDescriptor, EngineStats, Limits, OptionSpec } from '../engine.js';
import type { AsyncCore, SyncCore } from '../shell.js';

const LIMITS: Limits = { maxKeyBytes: 64 * 1024, maxValueBytes: 64 * 1024 * 1024 };
const CAPABILITIES: Capabilities = { orderedScan: false, atomicBatch: true, persistent: false, durability: ['none'] };
const OPTIONS: Readonly<Record<string, OptionSpec>> = {
  after: { type: 'int', default: 1000, min: 1, max: Number.MAX_SAFE_INTEGER, doc: 'the operation (1-based, gets and writes counted together) that never completes' },
};

/** The store both share: a Map of latin1 keys, and the operation count. */
class Counting {
  private readonly m = new Map<string, Uint8Array>();
  private n = 0;
  constructor(private readonly after: number) {}
  /** True when this operation is the one that must never complete. */
  stalls(): boolean {
    return ++this.n >= this.after;
  }
  get(k: Uint8Array): Uint8Array | undefined {
    const v = this.m.get(Buffer.from(k).toString('latin1'));
    return v && Buffer.from(v);
  }
  put(k: Uint8Array, v: Uint8Array | undefined): void {
    const ks = Buffer.from(k).toString('latin1');
    if (v === undefined) this.m.delete(ks);
    else this.m.set(ks, Buffer.from(v));
  }
}

const never = new Promise<never>(() => {});
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

class StallAsyncCore implements AsyncCore {
  readonly recoveredSequence = 0;
  readonly unknownStats = ['deviceBytesWritten', 'deviceBytesRead', 'diskBytes', 'syncs'];
  constructor(private readonly c: Counting) {}
  async get(k: Uint8Array): Promise<Uint8Array | undefined> {
    return this.c.stalls() ? never : this.c.get(k);
  }
  async put(k: Uint8Array, v: Uint8Array): Promise<void> {
    return this.c.stalls() ? never : this.c.put(k, v);
  }
  async del(k: Uint8Array): Promise<void> {
    return this.c.stalls() ? never : this.c.put(k, undefined);
  }
  async write(): Promise<void> {
    return this.c.stalls() ? never : undefined;
  }
  async sync(): Promise<void> {}
  async fillStats(_s: EngineStats): Promise<void> {}
  async close(): Promise<void> {}
}

class StallSyncCore implements SyncCore {
  readonly recoveredSequence = 0;
  readonly unknownStats = ['deviceBytesWritten', 'deviceBytesRead', 'diskBytes', 'syncs'];
  constructor(private readonly c: Counting) {}
  private block(): never {
    for (;;) Atomics.wait(sleepCell, 0, 0); // the thread never returns
  }
  get(k: Uint8Array): Uint8Array | undefined {
    return this.c.stalls() ? this.block() : this.c.get(k);
  }
  put(k: Uint8Array, v: Uint8Array): void {
    if (this.c.stalls()) this.block();
    this.c.put(k, v);
  }
  del(k: Uint8Array): void {
    if (this.c.stalls()) this.block();
    this.c.put(k, undefined);
  }
  write(): void {
    if (this.c.stalls()) this.block();
  }
  sync(): void {}
  fillStats(): void {}
  close(): void {}
}

const common = {
  role: 'instrument', probe: true, version: '1', fsSeam: 'none', capabilities: CAPABILITIES, limits: LIMITS, options: OPTIONS,
} as const;

/** The async stall instrument: its `after`-th operation's promise never settles. */
export const stallDescriptor: EngineDescriptor = {
  ...common,
  name: 'stall',
  design: 'in-memory map whose after-th operation never settles (tests the harness op timeout; not a store)',
  kind: 'async',
  openCore: (o) => new StallAsyncCore(new Counting(Number(o.options.after))),
};

/** The sync stall instrument: its `after`-th operation blocks the thread forever. */
export const stallSyncDescriptor: EngineDescriptor = {
  ...common,
  name: 'stall-sync',
  design: 'in-memory map whose after-th operation blocks forever (tests the harness op timeout; not a store)',
  kind: 'sync',
  openCore: (o) => new StallSyncCore(new Counting(Number(o.options.after))),
};
