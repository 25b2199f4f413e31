/**
 * Ketama consistent hashing (last.fm's libketama, the scheme of libmemcached's
 * MEMCACHED_DISTRIBUTION_CONSISTENT_KETAMA and spymemcached's KETAMA locator): each server
 * `host:port` gets 160 points on a 32-bit ring, four per MD5 digest of `host:port-i`
 * (i = 0..39, each 4 digest bytes read little-endian); a key goes to the first point at or after
 * the first 4 bytes (little-endian) of its own MD5, wrapping around. Removing one of N servers
 * moves only about 1/N of the keys, which is why cache clients use it instead of `hash % N`
 * (memjs's default).
 */
import { createHash } from 'node:crypto';

const POINTS_PER_DIGEST = 4;
const DIGESTS_PER_SERVER = 40;

/** A ring over `servers`; {@link serverOf} returns an index into that list. */
export class KetamaRing {
  private readonly points: Uint32Array;
  private readonly owners: Uint16Array;

  /** `servers` as `host:port` strings (the names hashed); at least one, at most 65535. */
  constructor(readonly servers: readonly string[]) {
    if (servers.length === 0 || servers.length > 0xffff) throw new RangeError(`a ketama ring needs 1..65535 servers, got ${servers.length}`);
    const pts: Array<[number, number]> = [];
    servers.forEach((s, owner) => {
      for (let i = 0; i < DIGESTS_PER_SERVER; i++) {
        const d = createHash('md5').update(`${s}-${i}`).digest();
        for (let j = 0; j < POINTS_PER_DIGEST; j++) pts.push([d.readUInt32LE(j * 4), owner]);
      }
    });
    pts.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    this.points = Uint32Array.from(pts, (p) => p[0]);
    this.owners = Uint16Array.from(pts, (p) => p[1]);
  }

  /** The index (into `servers`) of the server that owns `key`. */
  serverOf(key: Uint8Array): number {
    if (this.servers.length === 1) return 0;
    const h = createHash('md5').update(key).digest().readUInt32LE(0);
    let lo = 0;
    let hi = this.points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.points[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    return this.owners[lo === this.points.length ? 0 : lo]!;
  }
}
