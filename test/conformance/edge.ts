/**
 * Edge cases every engine must handle identically (gated by capabilities): empty and 1 MiB
 * values, binary keys, the key-size limit and one byte more, overwrite, deleting a missing
 * key, scan boundaries, use after close, wrong argument types, durability settings.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnyEngine } from '../../engines/engine.js';
import { errorCode } from '../support/engine-io.js';
import { openSpec, openTarget, outlivesClose, type ConformanceTarget } from './target.js';
import { tmpDir } from '../support/tmp.js';

const b = (...a: number[]) => new Uint8Array(a);
const s = (x: string) => Buffer.from(x);
const hex = (v: Uint8Array | undefined) => (v === undefined ? 'absent' : Buffer.from(v).toString('hex'));

/** Registers the conformance edge cases tests for `t`. */
export function edgeSuite(t: ConformanceTarget): void {
  const { name: spec, descriptor } = t;
  describe(`conformance edge cases: ${spec}`, () => {
  const caps = descriptor.capabilities;
  let dir: string;
  let e: AnyEngine;
  beforeEach(async () => {
    dir = tmpDir();
    e = await openTarget(t, dir);
  });
  afterEach(async () => {
    await e.close();
  });
  const reopen = async () => {
    if (!outlivesClose(descriptor)) return;
    await e.close();
    e = await openTarget(t, dir);
  };

  it('stores an empty value, distinct from absent', async () => {
    await e.put(s('empty'), new Uint8Array(0));
    expect(hex(await e.get(s('empty')))).toBe('');
    await reopen();
    expect(hex(await e.get(s('empty')))).toBe('');
    expect(await e.get(s('other'))).toBeUndefined();
  });

  it('stores a 1 MiB value (or, where the store allows less, refuses it with TOO_LARGE)', async () => {
    const v = new Uint8Array(1 << 20);
    for (let i = 0; i < v.length; i++) v[i] = (i * 7 + (i >> 12)) & 255;
    if (e.info.limits.maxValueBytes < v.length) {
      expect(await errorCode(() => e.put(s('big'), v))).toBe('TOO_LARGE');
      expect(await e.get(s('big'))).toBeUndefined();
      return;
    }
    await e.put(s('big'), v);
    expect(Buffer.compare(Buffer.from((await e.get(s('big')))!), v)).toBe(0);
    await reopen();
    expect(Buffer.compare(Buffer.from((await e.get(s('big')))!), v)).toBe(0);
  });

  it('keeps binary keys with 0x00 and 0xff apart', async () => {
    const keys = [b(0), b(0, 0), b(0xff), b(0xff, 0), b(0x61, 0, 0x62), b(0x61, 0xff, 0x62), b(0x61)];
    for (const [i, k] of keys.entries()) await e.put(k, b(i));
    await reopen();
    for (const [i, k] of keys.entries()) expect(hex(await e.get(k))).toBe(hex(b(i)));
    if (caps.orderedScan) {
      const got = (await e.scan(b(0), 100)).map(([k]) => hex(k));
      expect(got).toEqual([...keys].sort(Buffer.compare).map(hex));
    }
  });

  it('accepts the largest allowed key and rejects one byte more with TOO_LARGE', async () => {
    const max = e.info.limits.maxKeyBytes; // this store's (a namespace prefix or a page size may narrow the descriptor's)
    const k = new Uint8Array(max).fill(0x6b);
    await e.put(k, s('v'));
    expect(hex(await e.get(k))).toBe(hex(s('v')));
    const over = new Uint8Array(max + 1).fill(0x6b);
    expect(await errorCode(() => e.put(over, s('v')))).toBe('TOO_LARGE');
    expect(await errorCode(() => e.write([{ type: 'put', key: over, value: s('v') }]))).toBe('TOO_LARGE');
    await reopen();
    expect(hex(await e.get(k))).toBe(hex(s('v')));
  });

  it('rejects a value over the limit with TOO_LARGE when the limit is testable', async () => {
    const max = e.info.limits.maxValueBytes;
    if (max > 256 * 1024 * 1024) {
      expect(max).toBeGreaterThan(1 << 20); // documented limit beyond what a test allocates
      return;
    }
    expect(await errorCode(() => e.put(s('k'), new Uint8Array(max + 1)))).toBe('TOO_LARGE');
    expect(await e.get(s('k'))).toBeUndefined();
    if (max <= 4 << 20) {
      // a small stated limit must be the real one: a value of exactly that size is stored
      await e.put(s('k'), new Uint8Array(max).fill(7));
      expect((await e.get(s('k')))?.length).toBe(max);
    }
  });

  it('overwrites, deletes, and ignores deleting a missing key', async () => {
    await e.put(s('k'), s('1'));
    await e.put(s('k'), s('2'));
    expect(hex(await e.get(s('k')))).toBe(hex(s('2')));
    await e.delete(s('missing'));
    await e.delete(s('k'));
    expect(await e.get(s('k'))).toBeUndefined();
    await reopen();
    expect(await e.get(s('k'))).toBeUndefined();
    await e.put(s('k'), s('3'));
    await reopen();
    expect(hex(await e.get(s('k')))).toBe(hex(s('3')));
  });

  it('applies a batch as one sequence number, later ops winning', async () => {
    const before = e.lastSequence();
    await e.write([
      { type: 'put', key: s('a'), value: s('1') },
      { type: 'put', key: s('b'), value: s('2') },
      { type: 'del', key: s('a') },
      { type: 'put', key: s('c'), value: s('3') },
      { type: 'put', key: s('c'), value: s('4') },
    ]);
    expect(e.lastSequence()).toBe(before + 1);
    await reopen();
    expect(await e.get(s('a'))).toBeUndefined();
    expect(hex(await e.get(s('b')))).toBe(hex(s('2')));
    expect(hex(await e.get(s('c')))).toBe(hex(s('4')));
  });

  it('rejects a batch with one bad op without applying any of it', async () => {
    const code = await errorCode(() => e.write([{ type: 'put', key: s('x'), value: s('1') }, { type: 'put', key: 'y', value: s('2') } as never]));
    expect(code).toBe('INVALID_ARGUMENT');
    expect(await e.get(s('x'))).toBeUndefined();
  });

  it('scans from a start key with limits, or says NOT_SUPPORTED', async () => {
    if (!caps.orderedScan) {
      expect(await errorCode(() => e.scan(s('a'), 10))).toBe('NOT_SUPPORTED');
      return;
    }
    for (const k of ['b', 'd', 'f', 'h']) await e.put(s(k), s(k.toUpperCase()));
    const keys = async (start: string, limit: number) => (await e.scan(s(start), limit)).map(([k]) => Buffer.from(k).toString());
    expect(await keys('a', 10)).toEqual(['b', 'd', 'f', 'h']);
    expect(await keys('d', 10)).toEqual(['d', 'f', 'h']); // start is inclusive
    expect(await keys('e', 2)).toEqual(['f', 'h']);
    expect(await keys('b', 1)).toEqual(['b']);
    expect(await keys('b', 0)).toEqual([]);
    expect(await keys('i', 10)).toEqual([]);
    const [[k, v]] = (await e.scan(s('h'), 1)) as Array<[Uint8Array, Uint8Array]>;
    expect(Buffer.from(k!).toString() + Buffer.from(v!).toString()).toBe('hH');
    expect(await errorCode(() => e.scan(s('a'), -1))).toBe('INVALID_ARGUMENT');
  });

  it('does not alias caller buffers', async () => {
    const k = s('alias');
    const v = s('value');
    await e.put(k, v);
    v.fill(0x21);
    expect(Buffer.from((await e.get(s('alias')))!).toString()).toBe('value');
    const got = (await e.get(s('alias')))!;
    got.fill(0x3f);
    expect(Buffer.from((await e.get(s('alias')))!).toString()).toBe('value');
  });

  it('rejects wrong argument types with INVALID_ARGUMENT', async () => {
    const bad: unknown[] = ['string', 42, null, undefined, {}, [1, 2]];
    for (const x of bad) {
      expect(await errorCode(() => e.get(x as Uint8Array)), `get(${String(x)})`).toBe('INVALID_ARGUMENT');
      expect(await errorCode(() => e.put(x as Uint8Array, s('v'))), `put key ${String(x)}`).toBe('INVALID_ARGUMENT');
      expect(await errorCode(() => e.put(s('k'), x as Uint8Array)), `put value ${String(x)}`).toBe('INVALID_ARGUMENT');
      expect(await errorCode(() => e.delete(x as Uint8Array)), `delete(${String(x)})`).toBe('INVALID_ARGUMENT');
    }
    expect(await errorCode(() => e.get(new Uint8Array(0)))).toBe('INVALID_ARGUMENT');
    expect(await errorCode(() => e.write('nope' as never))).toBe('INVALID_ARGUMENT');
    expect(await e.get(s('k'))).toBeUndefined();
  });

  it('throws CLOSED after close, and close twice is a no-op', async () => {
    await e.put(s('k'), s('v'));
    await e.close();
    await e.close();
    expect(await errorCode(() => e.get(s('k')))).toBe('CLOSED');
    expect(await errorCode(() => e.put(s('k'), s('v')))).toBe('CLOSED');
    expect(await errorCode(() => e.delete(s('k')))).toBe('CLOSED');
    expect(await errorCode(() => e.write([]))).toBe('CLOSED');
    expect(await errorCode(() => e.sync())).toBe('CLOSED');
    if (caps.orderedScan) expect(await errorCode(() => e.scan(s('a'), 1))).toBe('CLOSED');
    e = await openTarget(t, dir); // for afterEach
  });

  it('refuses a second open of the same directory while open (LOCKED) when its data outlives close', async () => {
    if (!outlivesClose(descriptor)) return;
    expect(await errorCode(() => openTarget(t, dir))).toBe('LOCKED');
  });

  it('honours every durability mode it claims, and refuses others with NOT_SUPPORTED', async () => {
    for (const d of ['none', 'group', 'always'] as const) {
      const dir2 = tmpDir();
      if (!caps.durability.includes(d)) {
        expect(await errorCode(() => openSpec(t, spec, { dir: dir2, durability: d }))).toBe('NOT_SUPPORTED');
        continue;
      }
      const x = await openSpec(t, spec, { dir: dir2, durability: d, groupCommitMs: 1 });
      expect(x.info.durability).toBe(d);
      for (let i = 0; i < 20; i++) await x.put(s(`k${i}`), s(`v${i}`));
      expect(x.lastSequence()).toBe(20);
      if (d === 'always') expect(x.durableSequence()).toBe(20);
      await x.sync();
      expect(x.durableSequence()).toBe(20);
      await x.close();
    }
  });

  it('reports an unknown engine option as a typed error', async () => {
    expect(await errorCode(() => openSpec(t, `${descriptor.name}:noSuchOption=1`, { dir: tmpDir() }))).toBe('UNKNOWN_ENGINE');
  });

  it('reports stats with the RUM counters', async () => {
    for (let i = 0; i < 50; i++) await e.put(s(`key${i}`), new Uint8Array(100));
    await e.get(s('key1'));
    const st = await e.stats();
    expect(st.userBytesWritten).toBeGreaterThanOrEqual(50 * 104);
    if (!st.unknown.includes('liveKeys')) expect(st.liveKeys).toBe(50);
    if (!st.unknown.includes('userBytesRead')) expect(st.userBytesRead).toBeGreaterThanOrEqual(104);
    if (caps.persistent && !st.unknown.includes('deviceBytesWritten')) {
      await e.sync();
      expect((await e.stats()).deviceBytesWritten).toBeGreaterThanOrEqual(50 * 100);
    }
  });
});
}
