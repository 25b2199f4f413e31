/**
 * Bloom filters, as LevelDB builds them: `bitsPerKey` bits per key, k = round(bitsPerKey × ln 2)
 * probes (1..30) by double hashing one 32-bit hash (h, then h += delta with delta = h rotated by
 * 17). A filter answers "definitely absent" or "maybe present"; with 10 bits per key the false
 * positive rate is about 0.8% (theory: (1 - e^(-k/b))^k).
 *
 * Serialized form (on-disk: never change without a version bump): the bit array, then one byte
 * holding k. Bit i is byte i >> 3, bit i & 7.
 */

/** LevelDB's Hash (a Murmur-like 32-bit hash) with the bloom seed. */
export function bloomHash(key: Uint8Array): number {
  const m = 0xc6a4a793;
  const n = key.length;
  let h = (0xbc9f1d34 ^ Math.imul(n, m)) >>> 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const w = (key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24)) >>> 0;
    h = (h + w) >>> 0;
    h = Math.imul(h, m) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  const rest = n - i;
  if (rest > 0) {
    if (rest === 3) h = (h + (key[i + 2]! << 16)) >>> 0;
    if (rest >= 2) h = (h + (key[i + 1]! << 8)) >>> 0;
    h = (h + key[i]!) >>> 0;
    h = Math.imul(h, m) >>> 0;
    h = (h ^ (h >>> 24)) >>> 0;
  }
  return h;
}

/** Number of probes for a bits-per-key setting. */
export function probesFor(bitsPerKey: number): number {
  return Math.max(1, Math.min(30, Math.round(bitsPerKey * 0.69)));
}

/** Builds the serialized filter for the given key hashes (see module doc). */
export function buildFilter(hashes: readonly number[], bitsPerKey: number): Buffer {
  const k = probesFor(bitsPerKey);
  const bits = Math.max(64, hashes.length * bitsPerKey);
  const bytes = Math.ceil(bits / 8);
  const nbits = bytes * 8;
  const out = Buffer.alloc(bytes + 1);
  out[bytes] = k;
  for (let h of hashes) {
    const delta = ((h >>> 17) | (h << 15)) >>> 0;
    for (let j = 0; j < k; j++) {
      const bit = h % nbits;
      out[bit >>> 3]! |= 1 << (bit & 7);
      h = (h + delta) >>> 0;
    }
  }
  return out;
}

/**
 * False when the key is definitely not in the set the filter was built from; true = maybe.
 * A filter that is too short, or has k > 30 (a newer encoding), answers maybe.
 */
export function filterMayContain(filter: Uint8Array, hash: number): boolean {
  const len = filter.length;
  if (len < 2) return true;
  const k = filter[len - 1]!;
  if (k > 30) return true;
  const nbits = (len - 1) * 8;
  let h = hash;
  const delta = ((h >>> 17) | (h << 15)) >>> 0;
  for (let j = 0; j < k; j++) {
    const bit = h % nbits;
    if ((filter[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
    h = (h + delta) >>> 0;
  }
  return true;
}
