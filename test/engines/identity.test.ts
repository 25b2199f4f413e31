/**
 * Engine identity (engines/identity.ts): every persistent registered engine's store, opened with
 * every other persistent engine, is refused with WRONG_ENGINE naming both, and the directory's
 * files and bytes are unchanged afterwards (nothing deleted, nothing written). Also without the
 * marker (a store from before markers): refused naming the foreign files, except hashlog <->
 * native, which share one format and adopt each other's marker-less store (the documented
 * decision). A marker-less store of the engine's own files is adopted; a damaged marker is
 * CORRUPTION.
 */
import * as nodefs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnyEngine, EngineDescriptor } from '../../engines/engine.js';
import { isKvError, KvError } from '../../engines/errors.js';
import { lsmDescriptor } from '../../engines/lsm/index.js';
import { openDescriptor } from '../../engines/open.js';
import { decodeMarker, encodeMarker, ENGINE_MARKER, readMarker } from '../../engines/identity.js';
import { NodeFs } from '../../engines/fs.js';
import { listEngines, openEngine } from '../../engines/registry.js';
import { tmpDir } from '../support/tmp.js';

const persistent = listEngines().filter((d) => d.capabilities.persistent && d.role !== 'network');
const SAME_FORMAT = new Set(['hashlog:native', 'native:hashlog']);
const KEYS = 20;
const key = (i: number) => Buffer.from(`key${i}`);

/** Engines that open here (the native addon is required by every persistent engine's lock). */
const usable: EngineDescriptor[] = [];
for (const d of persistent) {
  try {
    const e = await openEngine(d.name, { dir: tmpDir() });
    await e.close();
    usable.push(d);
  } catch (e) {
    console.log(`identity: ${d.name} cannot open here, skipped: ${(e as Error).message.split('\n')[0]}`);
  }
}

async function makeStore(d: EngineDescriptor): Promise<string> {
  const dir = tmpDir();
  const e = await openEngine(d.name, { dir });
  for (let i = 0; i < KEYS; i++) await e.put(key(i), Buffer.from(`${d.name}-${i}`));
  await e.close();
  return dir;
}

/** Every file (recursively) with its bytes. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const ent of nodefs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = path.join(rel, ent.name);
      if (ent.isDirectory()) walk(r);
      else out.set(r, nodefs.readFileSync(path.join(dir, r)).toString('base64'));
    }
  };
  walk('');
  return out;
}

async function openErr(name: string, dir: string): Promise<{ code?: string; message?: string; engine?: AnyEngine }> {
  try {
    const e = await openEngine(name, { dir });
    return { engine: e };
  } catch (e) {
    if (isKvError(e)) return { code: e.code, message: e.message };
    throw e;
  }
}

async function readsBack(d: EngineDescriptor, dir: string, writer = d.name): Promise<void> {
  const e = await openEngine(d.name, { dir });
  try {
    for (let i = 0; i < KEYS; i++) expect(Buffer.from((await e.get(key(i)))!).toString(), `${d.name} key${i}`).toBe(`${writer}-${i}`);
  } finally {
    await e.close();
  }
}

describe('engine identity', () => {
  it('lists the eight persistent embedded engines, each declaring its files', () => {
    expect(persistent.map((d) => d.name).sort()).toEqual(['btree', 'classic-level', 'hashlog', 'lmdb', 'lsm', 'native', 'rocksdb', 'sqlite']);
    for (const d of persistent) expect(d.files?.length, d.name).toBeGreaterThan(0);
  });

  it('every store opened with every other persistent engine is refused with WRONG_ENGINE, and its files are unchanged', async () => {
    let total = 0;
    let refused = 0;
    let deleted = 0;
    let changed = 0;
    for (const owner of usable) {
      const dir = await makeStore(owner);
      const before = snapshot(dir);
      for (const other of usable) {
        if (other === owner) continue;
        total++;
        const r = await openErr(other.name, dir);
        if (r.engine) await r.engine.close();
        if (r.code === 'WRONG_ENGINE') refused++;
        expect(r.code, `${other.name} opening ${owner.name}'s store`).toBe('WRONG_ENGINE');
        expect(r.message).toContain(`'${owner.name}'`);
        expect(r.message).toContain(`'${other.name}'`);
        const after = snapshot(dir);
        for (const f of before.keys()) if (!after.has(f)) deleted++;
        for (const [f, bytes] of after) if (before.get(f) !== bytes) changed++;
      }
      expect(snapshot(dir)).toEqual(before);
      await readsBack(owner, dir);
    }
    console.log(`identity: ${refused} / ${total} cross-engine opens refused (marker), ${deleted} files deleted, ${changed} files changed or added`);
    expect(total).toBe(usable.length * (usable.length - 1));
    expect(refused).toBe(total);
    expect(deleted).toBe(0);
    expect(changed).toBe(0);
  });

  it('without a marker (a store from before markers): another engine is refused naming the files, the owner adopts it', async () => {
    let total = 0;
    let refused = 0;
    let deleted = 0;
    for (const owner of usable) {
      const dir = await makeStore(owner);
      nodefs.unlinkSync(path.join(dir, ENGINE_MARKER));
      const before = snapshot(dir);
      for (const other of usable) {
        if (other === owner || SAME_FORMAT.has(`${owner.name}:${other.name}`)) continue;
        total++;
        const r = await openErr(other.name, dir);
        if (r.engine) await r.engine.close();
        if (r.code === 'WRONG_ENGINE') refused++;
        expect(r.code, `${other.name} opening ${owner.name}'s marker-less store`).toBe('WRONG_ENGINE');
        expect(r.message).toMatch(/not engine '.*''s: /);
        const after = snapshot(dir);
        for (const f of before.keys()) if (!after.has(f)) deleted++;
        expect(after).toEqual(before);
      }
      await readsBack(owner, dir);
      expect(readMarker(new NodeFs(), dir)?.engine).toBe(owner.name);
    }
    console.log(`identity: ${refused} / ${total} cross-engine opens of marker-less stores refused, ${deleted} files deleted`);
    expect(refused).toBe(total);
    expect(deleted).toBe(0);
  });

  it('hashlog and native: a marker-less store is adopted by either (one format); once marked, the other is refused', async () => {
    const byName = new Map(usable.map((d) => [d.name, d]));
    if (!byName.has('hashlog') || !byName.has('native')) return;
    const dir = await makeStore(byName.get('hashlog')!);
    expect((await openErr('native', dir)).code).toBe('WRONG_ENGINE');
    nodefs.unlinkSync(path.join(dir, ENGINE_MARKER)); // the explicit step that moves a store
    await readsBack(byName.get('native')!, dir, 'hashlog');
    expect(readMarker(new NodeFs(), dir)?.engine).toBe('native');
    expect((await openErr('hashlog', dir)).code).toBe('WRONG_ENGINE');
  });

  it('a new store gets its marker; a directory holding a stray file is refused and left alone', async () => {
    for (const d of usable) {
      const dir = tmpDir();
      const e = await openEngine(d.name, { dir });
      await e.close();
      expect(readMarker(new NodeFs(), dir)).toEqual({ engine: d.name, format: d.version });
      const stray = tmpDir();
      nodefs.writeFileSync(path.join(stray, 'notes.txt'), 'mine');
      expect((await openErr(d.name, stray)).code, d.name).toBe('WRONG_ENGINE');
      expect(nodefs.readdirSync(stray).sort()).toEqual(['kvlab.lock', 'notes.txt']);
    }
  });

  it('a damaged marker is CORRUPTION for every engine, and nothing in the directory changes', async () => {
    for (const d of usable) {
      const dir = await makeStore(d);
      const file = path.join(dir, ENGINE_MARKER);
      const good = nodefs.readFileSync(file);
      for (const bad of [Buffer.alloc(0), good.subarray(0, good.length - 3), Buffer.from(good).fill(0, 0, 4), flip(good, 20)]) {
        nodefs.writeFileSync(file, bad);
        const before = snapshot(dir);
        const r = await openErr(d.name, dir);
        if (r.engine) await r.engine.close();
        expect(r.code, `${d.name} with a damaged marker`).toBe('CORRUPTION');
        expect(snapshot(dir)).toEqual(before);
      }
      nodefs.writeFileSync(file, good);
      await readsBack(d, dir);
    }
  });

  it('the marker is written before a new store is created and removed if the core fails; an adopted store is marked only once it opened', async () => {
    const failing: EngineDescriptor = { ...lsmDescriptor, name: 'failing', openCore: () => { throw new KvError('IO', 'boom'); } };
    const dir = tmpDir();
    expect(() => openDescriptor(failing, 'failing', { dir })).toThrow(/boom/);
    expect(nodefs.readdirSync(dir)).toEqual(['kvlab.lock']);
    const adopt = await makeStore(lsmDescriptor);
    nodefs.unlinkSync(path.join(adopt, ENGINE_MARKER));
    nodefs.writeFileSync(path.join(adopt, 'MANIFEST'), 'damaged');
    expect((await openErr('lsm', adopt)).code).toBe('CORRUPTION');
    expect(nodefs.existsSync(path.join(adopt, ENGINE_MARKER))).toBe(false);
  });

  it('marker codec: round-trips, and any changed byte fails', () => {
    const m = encodeMarker({ engine: 'classic-level', format: 'classic-level 1.4.1' });
    expect(decodeMarker(m, 'f')).toEqual({ engine: 'classic-level', format: 'classic-level 1.4.1' });
    for (let i = 0; i < m.length; i++) {
      let err: unknown;
      try {
        decodeMarker(flip(m, i), 'f');
      } catch (e) {
        err = e;
      }
      expect(isKvError(err, 'CORRUPTION'), `byte ${i}`).toBe(true);
    }
  });
});

function flip(b: Buffer, i: number): Buffer {
  const c = Buffer.from(b);
  c[i] = c[i]! ^ 0x04;
  return c;
}
