/**
 * The shell (engines/shell.ts) around a core: group commit closes its window inside a loop
 * that never yields; a failed sync is sticky and never followed by a claim of durability
 * (the fsyncgate pattern); a batch is read once.
 */
import { describe, expect, it } from 'vitest';
import type { BatchOp, EngineDescriptor, EngineStats } from '../../engines/engine.js';
import { openDescriptor, openSyncEngine } from '../../engines/registry.js';
import type { SyncCore } from '../../engines/shell.js';
import { errorCode } from '../support/engine-io.js';
import { tmpDir } from '../support/tmp.js';

/** A core in memory whose sync fails when told to. */
class FlakyCore implements SyncCore {
  readonly recoveredSequence = 0;
  readonly unknownStats = [];
  readonly data = new Map<string, Uint8Array>();
  syncs = 0;
  failNextSync = false;
  get(k: Uint8Array) {
    return this.data.get(Buffer.from(k).toString('hex'));
  }
  put(k: Uint8Array, v: Uint8Array) {
    this.data.set(Buffer.from(k).toString('hex'), Buffer.from(v));
  }
  del(k: Uint8Array) {
    this.data.delete(Buffer.from(k).toString('hex'));
  }
  write(ops: readonly BatchOp[]) {
    for (const o of ops) if (o.type === 'put') this.put(o.key, o.value);
    else this.del(o.key);
  }
  sync() {
    if (this.failNextSync) {
      this.failNextSync = false;
      throw Object.assign(new Error('EIO: injected'), { code: 'EIO' });
    }
    this.syncs++;
  }
  fillStats(_s: EngineStats) {}
  close() {}
}

function flaky(): { d: EngineDescriptor; core: FlakyCore } {
  const core = new FlakyCore();
  const d: EngineDescriptor = {
    name: 'flaky', design: 'test core', role: 'instrument', version: '1', kind: 'sync', fsSeam: 'none',
    capabilities: { orderedScan: false, atomicBatch: true, persistent: false, durability: ['none', 'group', 'always'] },
    limits: { maxKeyBytes: 100, maxValueBytes: 1000 }, options: {}, openCore: () => core,
  };
  return { d, core };
}

describe('the engine shell', () => {
  it('group: a write is durable within groupCommitMs inside a synchronous read loop that never yields', () => {
    const e = openSyncEngine('hashlog', { dir: tmpDir(), durability: 'group', groupCommitMs: 2 });
    e.put(Buffer.from('k'), Buffer.from('v'));
    expect(e.durableSequence()).toBe(0);
    const syncsBefore = e.stats().syncs;
    const until = performance.now() + 200;
    let gets = 0;
    while (performance.now() < until) {
      e.get(Buffer.from('k'));
      gets++;
    }
    // no await, no timer could run: only the clock check on each call can have synced
    expect(gets).toBeGreaterThan(100);
    expect(e.durableSequence()).toBe(1);
    expect(e.stats().syncs).toBeGreaterThan(syncsBefore);
    e.close();
  });

  it('a failed sync fails the engine for good and never claims durability (fsyncgate)', () => {
    const { d, core } = flaky();
    const e = openDescriptor(d, 'flaky', { dir: tmpDir(), durability: 'none' }) as ReturnType<typeof openSyncEngine>;
    e.put(Buffer.from('a'), Buffer.from('1'));
    e.sync();
    expect(e.durableSequence()).toBe(1);
    e.put(Buffer.from('b'), Buffer.from('2'));
    core.failNextSync = true;
    expect(() => e.sync()).toThrow(expect.objectContaining({ code: 'IO' }));
    // the next sync would succeed at the OS level, but the lost write must not be called durable
    return (async () => {
      expect(await errorCode(() => e.sync())).toBe('FAILED');
      expect(await errorCode(() => e.put(Buffer.from('c'), Buffer.from('3')))).toBe('FAILED');
      expect(await errorCode(() => e.get(Buffer.from('a')))).toBe('FAILED');
      expect(e.durableSequence()).toBe(1);
      expect(e.lastSequence()).toBe(2);
      expect(core.syncs).toBe(1);
      e.close(); // releases without syncing
      expect(core.syncs).toBe(1);
      expect(await errorCode(() => e.get(Buffer.from('a')))).toBe('CLOSED');
    })();
  });

  it('under always, a failed sync is reported by the write and nothing after it is acknowledged', async () => {
    const { d, core } = flaky();
    const e = openDescriptor(d, 'flaky', { dir: tmpDir(), durability: 'always' }) as ReturnType<typeof openSyncEngine>;
    e.put(Buffer.from('a'), Buffer.from('1'));
    core.failNextSync = true;
    expect(await errorCode(() => e.put(Buffer.from('b'), Buffer.from('2')))).toBe('IO');
    expect(e.durableSequence()).toBe(1);
    expect(await errorCode(() => e.put(Buffer.from('c'), Buffer.from('3')))).toBe('FAILED');
    e.close();
  });

  it('reads a batch once: what is checked is what is applied', () => {
    const { d, core } = flaky();
    const e = openDescriptor(d, 'flaky', { dir: tmpDir() }) as ReturnType<typeof openSyncEngine>;
    let reads = 0;
    const op = {
      type: 'put' as const,
      get key() {
        return ++reads === 1 ? Buffer.from('ok') : Buffer.alloc(5000); // oversize on a second read
      },
      value: Buffer.from('v'),
    };
    e.write([op]);
    expect(reads).toBe(1);
    expect([...core.data.keys()]).toEqual([Buffer.from('ok').toString('hex')]);
    e.close();
  });
});
