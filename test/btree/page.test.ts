import { describe, expect, it } from 'vitest';
import { Layout, Node, OverflowRef, childIndex, keyBytes, keyOf } from '../../engines/btree/node.js';
import { decodeNode } from '../../engines/btree/view.js';
import { PAGE_HEADER, PageType, checksumOk, verifyPage } from '../../engines/btree/page.js';
import { decodeMeta, decodeSlot, encodeMeta, pickMeta } from '../../engines/btree/meta.js';
import { crc32 } from 'node:zlib';
import type { Meta } from '../../engines/btree/meta.js';
import { encodeFreelist } from '../../engines/btree/freelist.js';
import { isKvError } from '../../engines/errors.js';
import { b } from './helpers.js';

const PS = 512;

function roundTrip(n: Node): Node {
  const page = Buffer.alloc(PS);
  n.encode(page);
  verifyPage(page, n.pgid, 'f', n.leaf ? PageType.leaf : PageType.branch);
  return decodeNode(page, n.pgid, 'f');
}

describe('btree page encoding', () => {
  it('round-trips a leaf with inline, empty and overflow values', () => {
    const n = new Node(7, true, ['a', 'bb', 'ccc'], [b('x'), Buffer.alloc(0), new OverflowRef(42, 100000)], []);
    const d = roundTrip(n);
    expect(d.leaf).toBe(true);
    expect(d.keys.map(String)).toEqual(['a', 'bb', 'ccc']);
    expect(String(d.values[0])).toBe('x');
    expect((d.values[1] as Buffer).length).toBe(0);
    expect(d.values[2]).toEqual(new OverflowRef(42, 100000));
    expect(d.bytes()).toBe(n.bytes());
  });

  it('round-trips a branch (entry 0 key implicit) and routes keys', () => {
    const n = new Node(9, false, ['', 'm', 't'], [], [3, 4, 5]);
    const d = roundTrip(n);
    expect(d.children).toEqual([3, 4, 5]);
    expect(d.keys.map(String)).toEqual(['', 'm', 't']);
    expect(childIndex(d, 'a')).toBe(0);
    expect(childIndex(d, 'm')).toBe(1);
    expect(childIndex(d, 's')).toBe(1);
    expect(childIndex(d, 't')).toBe(2);
    expect(childIndex(d, 'zz')).toBe(2);
  });

  it('detects a flipped byte anywhere in a page and a page stored under the wrong id', () => {
    const page = Buffer.alloc(PS);
    new Node(5, true, ['k'], [b('v')], []).encode(page);
    expect(checksumOk(page)).toBe(true);
    for (const at of [4, 8, PAGE_HEADER, PAGE_HEADER + 3, PS - 1]) {
      const bad = Buffer.from(page);
      bad[at]! ^= 0x10;
      expect(checksumOk(bad)).toBe(false);
      let err: unknown;
      try {
        verifyPage(bad, 5, 'file.btree');
      } catch (e) {
        err = e;
      }
      expect(isKvError(err, 'CORRUPTION')).toBe(true);
      expect((err as { file?: string }).file).toBe('file.btree');
      expect((err as { offset?: number }).offset).toBe(5 * PS);
    }
    expect(() => verifyPage(page, 6, 'f')).toThrow(/names page 5/);
    expect(() => verifyPage(Buffer.alloc(PS), 6, 'f')).toThrow(/checksum/);
  });

  it('rejects a page whose used length disagrees with its entries', () => {
    const page = Buffer.alloc(PS);
    new Node(5, true, ['k'], [b('v')], []).encode(page);
    page.writeUInt32LE(page.readUInt32LE(16) + 1, 16);
    expect(() => decodeNode(page, 5, 'f')).toThrow(/do not match|past the end/);
  });

  it('keeps every byte value of a key and orders keys as unsigned bytes', () => {
    const raw = Buffer.from([0x00, 0x7f, 0x80, 0xff]);
    const k = keyOf(raw);
    expect(k.length).toBe(4);
    expect(keyBytes(k)).toEqual(raw);
    expect(keyOf(new Uint8Array([0xff])) > keyOf(new Uint8Array([0x7f, 0xff]))).toBe(true);
    expect(keyOf(b('ab')) < keyOf(b('abc'))).toBe(true);
    const d = roundTrip(new Node(3, true, [k], [b('v')], []));
    expect(keyBytes(d.keys[0]!)).toEqual(raw);
  });

  it('derives limits from the page size', () => {
    const l = new Layout(4096);
    expect(l.body).toBe(4096 - PAGE_HEADER);
    expect(l.maxInlineEntry).toBe(Math.floor(l.body / 2));
    expect(l.minFill).toBe(Math.floor(l.body / 4));
    expect(l.inline(23, 1024)).toBe(true);
    expect(l.inline(23, 3000)).toBe(false);
  });

  it('encodes freelist pages as a chain', () => {
    const ids = Array.from({ length: 300 }, (_, i) => i + 10);
    const per = new Layout(PS).freelistPerPage;
    expect(per * 2).toBeLessThan(300);
    const pages = encodeFreelist(ids, [3, 4, 8], PS, per);
    expect(pages.map((p) => p.readUInt16LE(6))).toEqual([per, per, 300 - 2 * per]);
    expect(pages.map((p) => p.readUInt32LE(12))).toEqual([4, 8, 0]);
    expect(pages.every(checksumOk)).toBe(true);
  });
});

describe('btree meta pages', () => {
  const m: Meta = { pageSize: PS, root: 5, freelist: 9, pageCount: 20, freeCount: 3, height: 2, txid: 7, sequence: 2 ** 40 + 5, liveKeys: 11, liveBytes: 999 };

  it('round-trips into slot txid % 2 and rejects the other slot', () => {
    const page = encodeMeta(m);
    expect(decodeMeta(page, 1)).toEqual(m);
    expect(typeof decodeMeta(page, 0)).toBe('string');
  });

  it('a torn write leaves a valid copy: old before the tear point, new after the first copy', () => {
    const newer = encodeMeta({ ...m, txid: 9, root: 6 });
    const older = encodeMeta(m);
    // bytes up to the tear are new, the rest still old (the write stopped there)
    const tornEarly = Buffer.concat([newer.subarray(0, 30), older.subarray(30)]); // new crc, old root and txid
    const early = decodeSlot(tornEarly, 1);
    expect((early.meta as Meta).txid).toBe(7);
    expect(early.note).toMatch(/copy 1 invalid/);
    const tornLate = Buffer.concat([newer.subarray(0, PS / 2 + 30), older.subarray(PS / 2 + 30)]);
    const late = decodeSlot(tornLate, 1);
    expect((late.meta as Meta).txid).toBe(9);
    expect(late.note).toMatch(/copy 2 invalid/);
    const sectorMix = Buffer.concat([newer.subarray(0, PS / 2), older.subarray(PS / 2)]);
    expect(decodeSlot(sectorMix, 1).note).toMatch(/torn write/);
    expect((decodeSlot(sectorMix, 1).meta as Meta).txid).toBe(9);
  });

  it('a damaged copy is read from the other; both copies damaged is no meta; pickMeta refuses to fall back', () => {
    const page = encodeMeta(m);
    const one = Buffer.from(page);
    one.fill(0, 40, 100);
    expect(decodeMeta(one, 1)).toEqual(m);
    const both = Buffer.from(one);
    both[PS / 2 + 50]! ^= 0x10;
    const gone = decodeMeta(both, 1);
    expect(typeof gone).toBe('string');
    const other = encodeMeta({ ...m, txid: 6 });
    expect(pickMeta(decodeMeta(other, 0), decodeMeta(page, 1), 'f').txid).toBe(7);
    expect(() => pickMeta(decodeMeta(other, 0), gone, 'f', PS)).toThrow(/meta 1 is damaged in both copies/);
    expect(() => pickMeta('bad', 'bad', 'f')).toThrow(/no valid meta/);
  });

  it('reads a format-2 meta (one copy under the page checksum)', () => {
    const page = encodeMeta(m);
    page.writeUInt32LE(2, PAGE_HEADER + 4);
    page.fill(0, PS / 2);
    page.writeUInt32LE(crc32(page.subarray(4)) >>> 0, 0);
    expect(decodeMeta(page, 1)).toEqual(m);
  });
});
