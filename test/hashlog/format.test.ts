/** Round trips and validation of the hashlog on-disk format (records, segment header, hints, names). */
import { describe, expect, it } from 'vitest';
import { isKvError } from '../../engines/errors.js';
import {
  decodeHint, decodeSegmentHeader, encodeSegmentHeader, fileName, FLAG_BATCH, FLAG_COMMIT, FLAG_TOMBSTONE, HintBuilder,
  KIND_LOG, KIND_MERGED, parseFileName, parseRecordHeader, RECORD_HEADER_BYTES, recordCrc, recordCrcOk, sealRecord,
  SEGMENT_HEADER_BYTES, writeRecordHeader,
} from '../../engines/hashlog/format.js';

function record(flags: number, key: Buffer, value: Buffer, seq: number): Buffer {
  const len = RECORD_HEADER_BYTES + key.length + value.length;
  const r = Buffer.alloc(len);
  writeRecordHeader(r, 0, flags, key.length, value.length, seq);
  key.copy(r, RECORD_HEADER_BYTES);
  value.copy(r, RECORD_HEADER_BYTES + key.length);
  sealRecord(r, 0, len);
  return r;
}

describe('hashlog format: records', () => {
  it('round-trips header fields, including sequences above 2^32', () => {
    for (const seq of [0, 1, 0xffffffff, 2 ** 32 + 5, 2 ** 53 - 1]) {
      const r = record(FLAG_BATCH | FLAG_COMMIT, Buffer.from('key'), Buffer.from('value!'), seq);
      const h = parseRecordHeader(r, 0)!;
      expect(h).toMatchObject({ flags: FLAG_BATCH | FLAG_COMMIT, keyLen: 3, valueLen: 6, seq });
      expect(recordCrcOk(r, 0, r.length)).toBe(true);
      expect(r.subarray(RECORD_HEADER_BYTES, RECORD_HEADER_BYTES + 3).toString()).toBe('key');
    }
  });

  it('lays the header out little-endian as FORMAT.md says', () => {
    const r = record(FLAG_TOMBSTONE, Buffer.from([0xaa, 0xbb]), Buffer.alloc(0), 0x0102030405);
    expect([...r.subarray(4, 20)]).toEqual([1, 0, 2, 0, 0, 0, 0, 0, 0x05, 0x04, 0x03, 0x02, 0x01, 0, 0, 0]);
    expect(r.readUInt32LE(0)).toBe(recordCrc(r.subarray(4, 20), r.subarray(20, 22), Buffer.alloc(0)));
  });

  it('detects any single flipped byte by CRC or structure', () => {
    const r = record(0, Buffer.from('some-key'), Buffer.from('some value bytes'), 42);
    for (let i = 0; i < r.length; i++) {
      const c = Buffer.from(r);
      c[i] = c[i]! ^ 0x10;
      const h = parseRecordHeader(c, 0);
      const ok = h !== undefined && RECORD_HEADER_BYTES + h.keyLen + h.valueLen === c.length && recordCrcOk(c, 0, c.length);
      expect(ok, `flip at ${i}`).toBe(false);
    }
  });

  it('rejects structurally impossible headers', () => {
    const base = record(0, Buffer.from('k'), Buffer.from('v'), 1);
    const bad = (mut: (x: Buffer) => void) => {
      const c = Buffer.from(base);
      mut(c);
      return parseRecordHeader(c, 0);
    };
    expect(bad((c) => (c[4] = 0x80))).toBeUndefined(); // unknown flag
    expect(bad((c) => (c[4] = FLAG_COMMIT))).toBeUndefined(); // commit without batch
    expect(bad((c) => (c[5] = 1))).toBeUndefined(); // reserved byte
    expect(bad((c) => c.writeUInt16LE(0, 6))).toBeUndefined(); // empty key
    expect(bad((c) => ((c[4] = FLAG_TOMBSTONE), c.writeUInt32LE(1, 8)))).toBeUndefined(); // tombstone with value
    expect(bad((c) => c.writeUInt32LE(0xffffffff, 8))).toBeUndefined(); // value over the cap
    expect(bad((c) => c.writeUInt32LE(0x00200000, 16))).toBeUndefined(); // seq >= 2^53
  });
});

describe('hashlog format: segment header', () => {
  it('round-trips and validates', () => {
    const h = encodeSegmentHeader({ kind: KIND_MERGED, id: 9, minId: 3, seqFloor: 2 ** 40, prevLength: 0 });
    expect(h.length).toBe(SEGMENT_HEADER_BYTES);
    expect(h.subarray(0, 4).toString('latin1')).toBe('KVHL');
    expect(decodeSegmentHeader(h, 'f', 9)).toEqual({ kind: KIND_MERGED, id: 9, minId: 3, seqFloor: 2 ** 40, prevLength: 0 });
    const next = encodeSegmentHeader({ kind: KIND_LOG, id: 10, minId: 10, seqFloor: 0, prevLength: 2 ** 35 + 7 });
    expect(decodeSegmentHeader(next, 'f', 10).prevLength).toBe(2 ** 35 + 7);
    expect(() => decodeSegmentHeader(h, 'f', 8)).toThrow(/does not match/);
    for (let i = 0; i < h.length; i++) {
      const c = Buffer.from(h);
      c[i] = c[i]! ^ 1;
      try {
        decodeSegmentHeader(c, 'f', 9);
        expect.unreachable(`flip at ${i} accepted`);
      } catch (e) {
        expect(isKvError(e, 'CORRUPTION')).toBe(true);
      }
    }
    const log = encodeSegmentHeader({ kind: KIND_LOG, id: 4, minId: 3, seqFloor: 0, prevLength: 0 });
    expect(() => decodeSegmentHeader(log, 'f', 4)).toThrow(/minId/);
  });
});

describe('hashlog format: hint files', () => {
  it('round-trips entries and rejects stale or damaged hints', () => {
    const hb = new HintBuilder();
    const entries = Array.from({ length: 300 }, (_, i) => ({ key: Buffer.from(`key-${i}`), off: 36 + i * 50, seq: i * 3 + 2 ** 33, vlen: i }));
    for (const e of entries) hb.add(e.key, e.off, e.seq, e.vlen, 0);
    const data = Buffer.from(hb.finish(7, 100_000));
    const seen: typeof entries = [];
    expect(decodeHint(data, 7, 100_000, (key, off, seq, vlen) => seen.push({ key: Buffer.from(key), off, seq, vlen }))).toBe(true);
    expect(seen).toEqual(entries);
    const none = () => expect.unreachable('visited a bad hint');
    expect(decodeHint(data, 8, 100_000, none)).toBe(false); // other segment
    expect(decodeHint(data, 7, 99_999, none)).toBe(false); // data file changed
    expect(decodeHint(data.subarray(0, data.length - 1), 7, 100_000, none)).toBe(false);
    for (const i of [0, 5, 12, 40, 200, data.length - 2]) {
      const c = Buffer.from(data);
      c[i] = c[i]! ^ 4;
      expect(decodeHint(c, 7, 100_000, none)).toBe(false);
    }
  });
});

describe('hashlog format: file names', () => {
  it('uses 16 hex digits and parses back', () => {
    expect(fileName(255, '.data')).toBe('00000000000000ff.data');
    expect(parseFileName('00000000000000ff.hint')).toEqual({ id: 255, suffix: '.hint' });
    expect(parseFileName('LOCK')).toBeUndefined();
    expect(parseFileName('00000000000000ff.data.bak')).toBeUndefined();
  });
});
