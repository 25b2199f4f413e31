import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { parseWorkloadConfig } from '../../workloads/config.js';
import { newOperation, type Operation } from '../../workloads/operation.js';
import { RecordCodec } from '../../workloads/record.js';
import { OperationStream } from '../../workloads/stream.js';
import { deterministicValue } from '../../workloads/values.js';

/** Java String.hashCode, independently. */
function javaHashCode(s: string): number {
  let h = 0;
  for (const ch of s) h = (h * 31 + ch.charCodeAt(0)) % 2 ** 32;
  return h >= 2 ** 31 ? h - 2 ** 32 : h;
}

/** CoreWorkload.buildDeterministicValue, independently (rebuilding the string each round). */
function ycsbDeterministic(key: string, field: string, size: number): string {
  let sb = key + ':' + field;
  while (sb.length < size) {
    sb += ':';
    sb += String(javaHashCode(sb));
  }
  return sb.slice(0, size);
}

function opFor(props: Record<string, string>, seed = 1): { codec: RecordCodec; op: Operation; stream: OperationStream; packr: Packr } {
  const cfg = parseWorkloadConfig({ recordcount: '100', ...props });
  const stream = new OperationStream(cfg, seed);
  const op = newOperation();
  stream.nextLoad(op);
  return { codec: new RecordCodec(cfg, seed), op, stream, packr: new Packr({ structures: [cfg.fieldnames.slice()] }) };
}

describe('record codec (ycsb mode)', () => {
  it('writes exactly the bytes msgpackr packs for a record of fieldcount printable fields', () => {
    const variants: Record<string, string>[] = [{}, { fieldcount: '3', fieldlength: '20' }, { fieldlength: '300' }, { fieldlengthdistribution: 'uniform', fieldlength: '70000', fieldcount: '2' }];
    for (const props of variants) {
      const { codec, op, packr } = opFor(props);
      const v = codec.insertValue(op);
      const rec = packr.unpack(v) as Record<string, string>;
      expect(Object.keys(rec)).toEqual(codec.config.fieldnames);
      expect(Buffer.from(packr.pack(rec)).equals(Buffer.from(v))).toBe(true);
      for (const s of Object.values(rec)) {
        // YCSB's alphabet: ' ' + (0..95), i.e. 0x20..0x7f
        expect(/^[\x20-\x7f]*$/.test(s)).toBe(true);
        if (codec.config.fieldlengthdistribution === 'constant') expect(s.length).toBe(codec.config.fieldlength);
      }
    }
  });
  it('uses YCSB’s six-characters-per-int printable alphabet', () => {
    const { codec, op } = opFor({ fieldcount: '1', fieldlength: '60000' });
    const s = codec.decode(codec.insertValue(op))['field0']!;
    const seen = new Set(s);
    // position 0 of each group of 6 uses mask 31: only ' '..'?'
    for (let i = 0; i < s.length; i += 6) expect(s.charCodeAt(i)).toBeLessThan(32 + 32);
    expect(Math.max(...[...seen].map((c) => c.charCodeAt(0)))).toBe(32 + 95);
  });
  it('an update replaces one field and keeps the others (read-merge-write)', () => {
    const { codec, op, stream } = opFor({ readproportion: '0', updateproportion: '1' });
    const before = codec.insertValue(op);
    stream.nextRun(op);
    expect(op.type).toBe('UPDATE');
    expect(op.writeField).toBeGreaterThanOrEqual(0);
    const after = codec.updateValue(op, before);
    const a = codec.decode(before);
    const b = codec.decode(after);
    for (const f of codec.config.fieldnames) {
      if (f === `field${op.writeField}`) expect(b[f]).not.toBe(a[f]);
      else expect(b[f]).toBe(a[f]);
    }
    // a value msgpackr wrote (not kvlab's own bytes), also as a plain map, is merged too
    const other = `field${(op.writeField + 1) % 10}`;
    expect(codec.decode(codec.updateValue(op, codec.encode(a)))[other]).toBe(a[other]);
    const asMap = new Packr({ useRecords: false }).pack(a);
    const merged = codec.decode(codec.updateValue(op, asMap));
    expect(Object.keys(merged)).toEqual(codec.config.fieldnames);
    expect(merged[other]).toBe(a[other]);
    expect(merged[`field${op.writeField}`]).not.toBe(a[`field${op.writeField}`]);
    // garbage is replaced by a full record, never an exception
    expect(Object.keys(codec.decode(codec.updateValue(op, Buffer.from([0xc1, 0xc1]))))).toEqual(codec.config.fieldnames);
  });
  it('writeallfields replaces every field; a missing current value yields a full record', () => {
    const { codec, op, stream } = opFor({ readproportion: '0', updateproportion: '1', writeallfields: 'true' });
    const before = codec.insertValue(op);
    stream.nextRun(op);
    expect(op.writeField).toBe(-1);
    const a = codec.decode(before);
    const b = codec.decode(codec.updateValue(op, before));
    for (const f of codec.config.fieldnames) expect(b[f]).not.toBe(a[f]);
    expect(Object.keys(codec.decode(codec.updateValue(op, undefined)))).toEqual(codec.config.fieldnames);
  });
  it('dataintegrity: values are YCSB’s deterministic values and verify() catches mismatches', () => {
    for (const size of [5, 100, 257]) expect(deterministicValue('user123', 'field3', size)).toBe(ycsbDeterministic('user123', 'field3', size));
    const { codec, op, stream } = opFor({ dataintegrity: 'true', readproportion: '0.5', updateproportion: '0.5' });
    const key = op.key.toString('latin1');
    const v = codec.insertValue(op);
    const rec = codec.decode(v);
    for (const f of codec.config.fieldnames) expect(rec[f]).toBe(ycsbDeterministic(key, f, 100));
    expect(codec.verify(op, v)).toBe(true);
    const tampered = codec.encode({ ...rec, field4: 'x'.repeat(100) });
    expect(codec.verify(op, tampered)).toBe(false);
    expect(codec.verify(op, undefined)).toBe(false);
    expect(codec.verify(op, Buffer.from([0xc1]))).toBe(false);
    // an update keeps the record verifiable
    const keynum = op.keynum;
    for (let i = 0; i < 50; i++) {
      stream.nextRun(op);
      if (op.keynum === keynum && op.type === 'UPDATE') expect(codec.verify(op, codec.updateValue(op, v))).toBe(true);
    }
  });
});

describe('record codec (raw mode)', () => {
  it('builds opaque blobs of rawvaluelength, fresh on update; deterministic per key with dataintegrity', () => {
    const { codec, op } = opFor({ valuemode: 'raw', rawvaluelength: '37' });
    const a = codec.insertValue(op);
    const b = codec.updateValue(op, a);
    expect([a.length, b.length]).toEqual([37, 37]);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    const di = opFor({ valuemode: 'raw', dataintegrity: 'true' });
    const v = di.codec.insertValue(di.op);
    expect(v.length).toBe(1000);
    expect(di.codec.verify(di.op, v)).toBe(true);
    expect(di.codec.verify(di.op, Buffer.alloc(1000))).toBe(false);
  });
});
