/** Shared helpers for the hashlog tests: open by spec, list files, flip bytes. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Durability, Engine } from '../../engines/engine.js';
import { hashlogDescriptor, openHashlog as open, type HashlogSettings } from '../../engines/hashlog/index.js';

/**
 * Opens hashlog with `opts` as engine options in spec syntax (e.g. `segmentBytes=4096,autoMerge=false`).
 * Goes straight to the engine (not the registry), so these tests do not depend on other engines.
 */
export function openHashlog(dir: string, opts = '', durability: Durability = 'none', extra: { groupCommitMs?: number; groupCommitBytes?: number } = {}): Engine {
  const settings: Record<string, number | boolean> = {};
  for (const kv of opts.split(',').filter(Boolean)) {
    const [k, v] = kv.split('=') as [keyof HashlogSettings, string];
    const spec = hashlogDescriptor.options[k];
    if (!spec) throw new Error(`no option ${k}`);
    settings[k] = spec.type === 'bool' ? v === 'true' : Number(v);
  }
  return open({ dir, durability, ...extra }, settings as Partial<HashlogSettings>);
}

export const b = (s: string): Buffer => Buffer.from(s);
export const str = (v: Uint8Array | undefined): string | undefined => (v === undefined ? undefined : Buffer.from(v).toString());

/** Data file names in `dir`, ascending. */
export function dataFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.data')).sort();
}

/** Hint file names in `dir`, ascending. */
export function hintFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.hint')).sort();
}

/** XORs the byte at `offset` of `file` with `mask`. */
export function flipByte(file: string, offset: number, mask = 0xff): void {
  const fd = fs.openSync(file, 'r+');
  const one = Buffer.alloc(1);
  fs.readSync(fd, one, 0, 1, offset);
  one[0] = one[0]! ^ mask;
  fs.writeSync(fd, one, 0, 1, offset);
  fs.closeSync(fd);
}

/** Copies every file of `from` into a fresh `to`. */
export function copyDir(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const f of fs.readdirSync(from)) fs.copyFileSync(path.join(from, f), path.join(to, f));
}
