import { describe, expect, it } from 'vitest';
import { fnvhash64BigInt, fnvhash64Into, hashRemainder } from '../../workloads/fnv.js';
import { KeyNamer } from '../../workloads/keyname.js';
import { Random } from '../../workloads/random.js';
import { fnvBigInt } from './stats.js';

/** CoreWorkload.buildKeyName computed independently with BigInt. */
function expectedName(keynum: number, zeropadding: number, hashed: boolean): string {
  const v = hashed ? fnvBigInt(BigInt(keynum)) : BigInt(keynum);
  const digits = v.toString();
  return 'user' + '0'.repeat(Math.max(0, zeropadding - digits.length)) + digits;
}

const SAMPLE: number[] = [0, 1, 2, 9, 10, 255, 256, 65535, 65536, 999_999, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 5, 1e10, 2 ** 40 + 3, 2 ** 53 - 1];

describe('key names', () => {
  it('hashed names equal "user" + |fnvhash64(keynum)| for many key numbers (BigInt reference)', () => {
    const k = new KeyNamer(1, true);
    const rng = new Random(123);
    const nums = [...SAMPLE];
    for (let i = 0; i < 20_000; i++) nums.push(i, rng.nextBelow(2 ** 53), rng.nextBelow(1e9));
    const bad = nums.filter((n) => k.name(n) !== expectedName(n, 1, true));
    expect(bad).toEqual([]);
  });
  it('keynum 0 is YCSB’s well-known first key', () => {
    expect(new KeyNamer(1, true).name(0)).toBe('user6284781860667377211');
  });
  it('ordered names are the plain number, zero-padded to zeropadding (hashed ones too)', () => {
    for (const pad of [1, 8, 12, 25]) {
      const ordered = new KeyNamer(pad, false);
      const hashed = new KeyNamer(pad, true);
      for (const n of SAMPLE) {
        expect(ordered.name(n)).toBe(expectedName(n, pad, false));
        expect(hashed.name(n)).toBe(expectedName(n, pad, true));
      }
    }
    expect(new KeyNamer(8, false).name(5)).toBe('user00000005');
  });
  it('write() returns a view of the right length into a reused buffer', () => {
    const k = new KeyNamer(1, false);
    const a = k.write(7);
    expect(a.toString()).toBe('user7');
    const b = k.write(123456);
    expect(b.toString()).toBe('user123456');
    expect(b.buffer).toBe(a.buffer);
  });
  it('fnvhash64 halves, BigInt and remainder agree with the reference', () => {
    const h = { hi: 0, lo: 0 };
    for (const n of SAMPLE) {
      const ref = fnvBigInt(BigInt(n));
      expect(fnvhash64BigInt(n)).toBe(ref);
      fnvhash64Into(n, h);
      for (const m of [1, 7, 1000, 2 ** 31 - 1, 1e10 + 1, 2 ** 37 + 11, 2 ** 50])
        expect(hashRemainder(h, m)).toBe(Number(ref % BigInt(m)));
    }
  });
  it('Java Math.abs semantics: Long.MIN_VALUE stays negative in names and remainders', () => {
    // no key number below 2^53 is known to hash to Long.MIN_VALUE; the name path is checked directly
    const named = (pad: number) => (new KeyNamer(pad, true) as unknown as { longMin(): Buffer }).longMin().toString('latin1');
    expect(named(1)).toBe('user' + (-(2n ** 63n)).toString());
    expect(named(22)).toBe('user00' + (-(2n ** 63n)).toString()); // YCSB pads by string length, sign included
    const min = { hi: 0x80000000, lo: 0 };
    expect(hashRemainder(min, 1000)).toBe(Number(-(2n ** 63n) % 1000n));
    expect(hashRemainder(min, 2 ** 40)).toBe(Number(-(2n ** 63n) % 2n ** 40n));
  });
});
