/**
 * The in-place page search (view.ts) against the in-memory node path (node.ts): on random
 * leaf and branch pages, every query key routes, finds and returns exactly what the node the
 * page was encoded from does, and decoding the page gives that node back.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Node, OverflowRef, childIndex, keyBytes, keyOf, lowerBound } from '../../engines/btree/node.js';
import type { LeafValue } from '../../engines/btree/node.js';
import { PAGE_HEADER } from '../../engines/btree/page.js';
import { PageView, decodeNode } from '../../engines/btree/view.js';

const PAGE_SIZES = [256, 512, 4096];

/** Sorted unique non-empty keys (latin1 strings) over a small alphabet, so prefixes and ties occur. */
const keysArb = fc
  .uniqueArray(fc.uint8Array({ minLength: 1, maxLength: 12 }).map((k) => keyOf(k.map((x) => [0, 1, 0x61, 0x62, 0x7f, 0x80, 0xff][x % 7]!))), { maxLength: 40 })
  .map((ks) => ks.sort());

const valueArb: fc.Arbitrary<LeafValue> = fc.oneof(
  fc.uint8Array({ maxLength: 20 }).map((v) => Buffer.from(v)),
  fc.tuple(fc.integer({ min: 2, max: 2 ** 31 }), fc.integer({ min: 1, max: 2 ** 24 })).map(([p, l]) => new OverflowRef(p, l)),
);

/** Query keys: random bytes, plus every stored key and its neighbours (prefix, extension). */
const queries = (keys: string[], extra: Uint8Array[]): Uint8Array[] => {
  const out = extra.slice();
  for (const k of keys) {
    const b = keyBytes(k);
    out.push(b, b.subarray(0, b.length - 1), Buffer.concat([b, Buffer.from([0])]), Buffer.concat([b, Buffer.from([0xff])]));
  }
  return out;
};

function encode(n: Node, ps: number): Buffer | undefined {
  if (n.bytes() > ps - PAGE_HEADER) return undefined;
  const page = Buffer.alloc(ps);
  n.encode(page);
  return page;
}

describe('btree in-place page search', () => {
  it('leaf pages: find, lowerBound, value and keys agree with the node path', () => {
    fc.assert(
      fc.property(keysArb, fc.array(valueArb, { minLength: 40, maxLength: 40 }), fc.array(fc.uint8Array({ maxLength: 6 })), fc.constantFrom(...PAGE_SIZES), (keys, vals, extra, ps) => {
        const n = new Node(9, true, keys, vals.slice(0, keys.length), []);
        const page = encode(n, ps);
        if (page === undefined) return;
        const v = PageView.parse(page, 9, 'f');
        expect(v.leaf).toBe(true);
        expect(v.count).toBe(keys.length);
        for (const q of queries(keys, extra)) {
          const lb = lowerBound(n, keyOf(q));
          expect(v.lowerBound(q)).toBe(lb);
          expect(v.find(q)).toBe(lb < keys.length && keys[lb] === keyOf(q) ? lb : -1);
        }
        for (let i = 0; i < keys.length; i++) {
          expect(v.keyCopy(i).equals(keyBytes(keys[i]!))).toBe(true);
          expect(v.value(i)).toEqual(n.values[i]);
        }
        const d = decodeNode(page, 9, 'f');
        expect(d.keys).toEqual(keys);
        expect(d.values).toEqual(n.values);
      }),
      { numRuns: 300 },
    );
  });

  it('branch pages: childIndex and child ids agree with the node path', () => {
    fc.assert(
      fc.property(keysArb, fc.array(fc.uint8Array({ maxLength: 6 })), fc.constantFrom(...PAGE_SIZES), (ks, extra, ps) => {
        const keys = ['', ...ks];
        const n = new Node(4, false, keys, [], keys.map((_, i) => 100 + i * 7));
        const page = encode(n, ps);
        if (page === undefined) return;
        const v = PageView.parse(page, 4, 'f');
        expect(v.leaf).toBe(false);
        for (const q of queries(ks, [new Uint8Array(0), ...extra])) expect(v.childIndex(q)).toBe(childIndex(n, keyOf(q)));
        for (let i = 0; i < keys.length; i++) expect(v.child(i)).toBe(n.children[i]);
        const d = decodeNode(page, 4, 'f');
        expect(d.keys).toEqual(keys);
        expect(d.children).toEqual(n.children);
      }),
      { numRuns: 300 },
    );
  });

  it('a branch decoded from a page encodes exactly as a fresh node after child and key edits', () => {
    const editArb = fc.array(fc.tuple(fc.constantFrom('child', 'child', 'insert', 'remove', 'replace'), fc.nat(), fc.nat()), { maxLength: 4 });
    fc.assert(
      fc.property(keysArb, editArb, fc.constantFrom(...PAGE_SIZES), (ks, edits, ps) => {
        const keys = ['', ...ks];
        const page = encode(new Node(4, false, keys, [], keys.map((_, i) => 100 + i)), ps);
        if (page === undefined) return;
        const n = decodeNode(page, 4, 'f'); // fast path armed: keys as decoded
        for (const [kind, a, c] of edits) {
          const i = 1 + (a % Math.max(1, n.keys.length - 1));
          if (kind === 'child') n.children[a % n.children.length] = 5000 + c;
          else if (kind === 'insert' && i < n.keys.length) {
            const k = n.keys[i]! + '\x00';
            if (i + 1 < n.keys.length && k >= n.keys[i + 1]!) continue;
            n.keys.splice(i + 1, 0, k);
            n.children.splice(i + 1, 0, 7000 + c);
          } else if (kind === 'remove' && n.keys.length > 2) {
            n.keys.splice(i, 1);
            n.children.splice(i, 1);
          } else if (kind === 'replace' && i < n.keys.length) {
            // same order, different bytes: the key's last byte lowered when still above its left neighbour
            const k = n.keys[i]!;
            const lower = k.slice(0, -1) + String.fromCharCode(Math.max(0, k.charCodeAt(k.length - 1) - 1));
            if (lower.length > 0 && (i === 1 || lower > n.keys[i - 1]!) && lower !== k) n.keys[i] = lower;
          }
        }
        const fresh = new Node(4, false, n.keys.slice(), [], n.children.slice());
        const want = encode(fresh, ps);
        if (want === undefined) return;
        const got = Buffer.alloc(ps);
        const offs = n.encode(got);
        expect(got.equals(want)).toBe(true);
        expect([...offs]).toEqual([...PageView.parse(want, 4, 'f').offsets]);
      }),
      { numRuns: 400 },
    );
  });

  it('rejects an entry running past the used bytes', () => {
    const page = Buffer.alloc(512);
    new Node(5, true, ['abc'], [Buffer.from('xyz')], []).encode(page);
    page.writeUInt16LE(200, PAGE_HEADER); // key length past the end
    expect(() => PageView.parse(page, 5, 'f')).toThrow(/past the end/);
  });
});
