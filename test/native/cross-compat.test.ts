/**
 * Cross-compatibility: native and hashlog share one on-disk format. A store written (and merged)
 * by either opens and reads correctly with the other, both ways, several times over, including
 * merged segments with hint files, atomic batches and tombstones.
 */
import * as fs from 'node:fs';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../engines/engine.js';
import { ENGINE_MARKER } from '../../engines/identity.js';
import { openSyncEngine } from '../../engines/registry.js';
import { tmpDir } from '../support/tmp.js';
import { history, mismatches, type Model } from './helpers.js';

const KEYS = 300;
type Name = 'hashlog' | 'native';
/**
 * Opens `dir` with `name`. The store's engine marker names the last engine that opened it, and
 * a marker naming the other engine is refused (engines/identity.ts); deleting the marker is the
 * one explicit step that moves a store between these two engines of one format.
 */
const open = (name: Name, dir: string): Engine => {
  fs.rmSync(`${dir}/${ENGINE_MARKER}`, { force: true });
  return openSyncEngine(`${name}:segmentBytes=8192`, { dir, durability: 'none' }) as Engine;
};

describe('native <-> hashlog on-disk compatibility', () => {
  for (const [first, second] of [['hashlog', 'native'], ['native', 'hashlog']] as Array<[Name, Name]>) {
    it(`a store written and merged by ${first} reads correctly with ${second}, and back again`, () => {
      const dir = tmpDir();
      const model: Model = new Map();
      let writer: Name = first;
      for (let round = 0; round < 4; round++) {
        const e = open(writer, dir);
        expect(mismatches(e, model, KEYS), `${writer} reading round ${round - 1}'s store`).toEqual([]);
        history(e, model, `${writer}${round}`, 100 + round, 1500, KEYS, () => e.compact(), 700);
        expect(mismatches(e, model, KEYS)).toEqual([]);
        e.close();
        writer = writer === first ? second : first;
      }
      const names = fs.readdirSync(dir);
      expect(names.some((n) => n.endsWith('.hint'))).toBe(true);
      const e = open(second, dir);
      expect(mismatches(e, model, KEYS)).toEqual([]);
      let liveBytes = 0;
      for (const [k, v] of model) liveBytes += Buffer.byteLength(k) + Buffer.byteLength(v);
      expect(e.stats().liveKeys).toBe(model.size);
      expect(e.stats().liveBytes).toBe(liveBytes);
      e.close();
    });

    it(`${second} loads the hint files ${first} wrote and continues the sequence numbers`, () => {
      const dir = tmpDir();
      const model: Model = new Map();
      const a = open(first, dir);
      history(a, model, 'h', 7, 2000, KEYS);
      a.compact();
      const seq = a.lastSequence();
      a.close();
      const b = open(second, dir);
      expect(b.stats().extra.hintsLoadedAtOpen).toBe(1);
      expect(b.lastSequence()).toBe(seq);
      expect(mismatches(b, model, KEYS)).toEqual([]);
      b.close();
    });
  }

  it('an unfinished batch at the tail written by native is cut by hashlog, and the reverse', () => {
    for (const [w, r] of [['native', 'hashlog'], ['hashlog', 'native']] as Array<[Name, Name]>) {
      const dir = tmpDir();
      const e = open(w, dir);
      e.put(Buffer.from('kept'), Buffer.from('yes'));
      e.close();
      // Append the first record of a two-record batch by hand: no commit record follows.
      const seg = fs.readdirSync(dir).filter((n) => n.endsWith('.data')).sort().pop()!;
      const rec = Buffer.alloc(20 + 4 + 3);
      rec[4] = 2; // FLAG_BATCH
      rec.writeUInt16LE(4, 6);
      rec.writeUInt32LE(3, 8);
      rec.writeUInt32LE(99, 12);
      rec.write('lost', 20);
      rec.write('val', 24);
      rec.writeUInt32LE(crc32(rec.subarray(4)), 0);
      fs.appendFileSync(`${dir}/${seg}`, rec);
      const size = fs.statSync(`${dir}/${seg}`).size;
      const o = open(r, dir);
      expect(o.get(Buffer.from('lost'))).toBeUndefined();
      expect(Buffer.from(o.get(Buffer.from('kept'))!).toString()).toBe('yes');
      expect(o.stats().extra.tornBytesTruncatedAtOpen).toBe(rec.length);
      o.close();
      expect(fs.statSync(`${dir}/${seg}`).size).toBe(size - rec.length);
    }
  });
});
