/**
 * Field values as YCSB builds them: random printable bytes (RandomByteIterator: six characters
 * from each 32-bit random int, masks 31/63/95/31/63/95 added to ' ') and, with dataintegrity,
 * CoreWorkload.buildDeterministicValue (key ':' field, then ':' + Java String.hashCode of
 * everything so far until long enough, cut to size).
 */
import type { WorkloadConfig } from './config.js';
import type { NumberGenerator } from './generators/types.js';
import { ConstantGenerator, UniformLongGenerator } from './generators/uniform.js';
import { ZipfianGenerator } from './generators/zipfian.js';
import type { Random } from './random.js';

/** Writes `len` YCSB "printable" bytes (0x20..0x7f) into `buf` at `off`, YCSB's RandomByteIterator way. */
export function fillPrintable(rng: Random, buf: Uint8Array, off: number, len: number): void {
  const end = off + len;
  let i = off;
  while (i + 6 <= end) {
    const bytes = rng.nextU32();
    buf[i] = (bytes & 31) + 32;
    buf[i + 1] = ((bytes >>> 5) & 63) + 32;
    buf[i + 2] = ((bytes >>> 10) & 95) + 32;
    buf[i + 3] = ((bytes >>> 15) & 31) + 32;
    buf[i + 4] = ((bytes >>> 20) & 63) + 32;
    buf[i + 5] = ((bytes >>> 25) & 95) + 32;
    i += 6;
  }
  if (i < end) {
    const bytes = rng.nextU32();
    const shifts = [0, 5, 10, 15, 20, 25];
    const masks = [31, 63, 95, 31, 63, 95];
    for (let j = 0; i < end; j++, i++) buf[i] = ((bytes >>> shifts[j]!) & masks[j]!) + 32;
  }
}

/** Java's String.hashCode of an ASCII string, continued from `h` over `s`. */
function javaHash(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** YCSB's buildDeterministicValue(key, fieldkey) for a field of `size` characters. */
export function deterministicValue(key: string, fieldkey: string, size: number): string {
  let s = key + ':' + fieldkey;
  let h = javaHash(0, s);
  while (s.length < size) {
    s += ':';
    h = javaHash(h, ':');
    const t = String(h);
    s += t;
    h = javaHash(h, t);
  }
  return s.length > size ? s.slice(0, size) : s;
}

/** YCSB's field length generator (constant, uniform or zipfian between minfieldlength and fieldlength). */
export function createFieldLengthGenerator(config: WorkloadConfig, rng: Random): NumberGenerator {
  switch (config.fieldlengthdistribution) {
    case 'constant':
      return new ConstantGenerator(config.fieldlength);
    case 'uniform':
      return new UniformLongGenerator(rng, config.minfieldlength, config.fieldlength);
    case 'zipfian':
      return new ZipfianGenerator(rng, config.minfieldlength, config.fieldlength);
  }
}
