/**
 * `toy`: a deliberately small persistent engine for testing the torture itself, NOT registered
 * in the registry. One append-only log (`toy.log`) of checksummed records replayed into a Map
 * at open; a torn or corrupt tail is cut off (bounded loss of unsynced writes).
 *
 * It is a core (`SyncCore`) inside the engine shell (engines/shell.ts), like every engine: the
 * shell checks arguments, numbers writes, decides when to sync and holds the lock; the core
 * appends each write to the log with one `write` before returning and fdatasyncs in sync().
 *
 * Its `bug` option plants one known defect, so tests can prove the torture catches each kind:
 * - `none`: correct.
 * - `lose-buffered`: keeps up to 8 records in user space before writing them (without the
 *   `bufferWrites` option, so it still says process-crash-safe), and its sync() does not write
 *   them, yet returns, so the shell reports them durable: a SIGKILL loses acknowledged durable
 *   writes.
 * - `torn-batch`: writes a batch as one record per op (a crash between them tears the batch).
 * - `no-checksum`: replays records without checking their CRC (corruption yields wrong data).
 * - `no-dirsync`: never fsyncs the directory after creating the log (power loss loses it all).
 * - `no-sync`: its sync() never fdatasyncs, yet returns, so the shell reports writes durable
 *   (a power loss loses acknowledged durable writes).
 *
 * On-disk record (little endian): u32 payload length, u32 crc32(payload), payload = u16 op count,
 * then per op: u8 type (1 put, 2 del), u16 key length, u32 value length, key, value.
 * On-disk: never change without a version bump.
 */
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { BatchOp, Capabilities, EngineDescriptor, EngineStats, Limits, ResolvedOpenOptions } from '../engine.js';
import { corruption } from '../errors.js';
import type { Fd, Fs } from '../fs.js';
import { declareKillPoint, killPoint } from '../killpoint.js';
import type { SyncCore } from '../shell.js';

const LIMITS: Limits = { maxKeyBytes: 1024, maxValueBytes: 1 << 20 };
const CAPABILITIES: Capabilities = { orderedScan: true, atomicBatch: true, persistent: true, durability: ['none', 'group', 'always'] };
/** on-disk: never change without a version bump. */
const HEADER = 8;
const KP_BETWEEN = declareKillPoint('toy.batch.between-records');
const KP_AFTER_APPEND = declareKillPoint('toy.append.before-index');
const BUGS = ['none', 'lose-buffered', 'torn-batch', 'no-checksum', 'no-dirsync', 'no-sync'] as const;
type Bug = (typeof BUGS)[number];

function encode(ops: readonly BatchOp[]): Buffer {
  let n = HEADER + 2;
  for (const op of ops) n += 7 + op.key.length + (op.type === 'put' ? op.value.length : 0);
  const b = Buffer.alloc(n);
  let p = HEADER;
  b.writeUInt16LE(ops.length, p);
  p += 2;
  for (const op of ops) {
    const v = op.type === 'put' ? op.value : new Uint8Array(0);
    b[p] = op.type === 'put' ? 1 : 2;
    b.writeUInt16LE(op.key.length, p + 1);
    b.writeUInt32LE(v.length, p + 3);
    p += 7;
    b.set(op.key, p);
    p += op.key.length;
    b.set(v, p);
    p += v.length;
  }
  b.writeUInt32LE(n - HEADER, 0);
  b.writeUInt32LE(zlib.crc32(b.subarray(HEADER)), 4);
  return b;
}

/** The toy core (see the module doc); the shell holds the directory lock. */
class ToyCore implements SyncCore {
  /** The toy log stores no sequence numbers: a reopened store starts at 0. */
  readonly recoveredSequence = 0;
  readonly unknownStats: string[] = [];
  private readonly map = new Map<string, Buffer>();
  private readonly fs: Fs;
  private readonly fd: Fd;
  private readonly bug: Bug;
  private end = 0;
  private buffered: Buffer[] = [];

  constructor(opts: ResolvedOpenOptions) {
    this.fs = opts.fs;
    this.bug = opts.options.bug as Bug;
    const file = path.join(opts.dir, 'toy.log');
    const existed = this.fs.exists(file);
    this.fd = this.fs.open(file, 'create');
    try {
      if (!existed && this.bug !== 'no-dirsync') {
        this.fs.fsync(this.fd);
        this.fs.syncDir(opts.dir);
      }
      this.replay(file);
    } catch (e) {
      this.fs.close(this.fd);
      throw e;
    }
  }

  private replay(file: string): void {
    const size = this.fs.size(this.fd);
    const buf = Buffer.alloc(size);
    let got = 0;
    while (got < size) {
      const n = this.fs.read(this.fd, buf, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    let p = 0;
    while (p + HEADER <= size) {
      const len = buf.readUInt32LE(p);
      if (len < 2 || p + HEADER + len > size) break;
      const payload = buf.subarray(p + HEADER, p + HEADER + len);
      if (this.bug !== 'no-checksum' && zlib.crc32(payload) !== buf.readUInt32LE(p + 4)) break;
      const ops = this.decode(payload, file, p);
      if (!ops) break;
      for (const op of ops) this.apply(op);
      p += HEADER + len;
    }
    if (p < size) this.fs.truncate(this.fd, p);
    this.end = p;
  }

  private decode(payload: Buffer, file: string, at: number): BatchOp[] | undefined {
    const count = payload.readUInt16LE(0);
    const ops: BatchOp[] = [];
    let q = 2;
    for (let i = 0; i < count; i++) {
      if (q + 7 > payload.length) return undefined;
      const type = payload[q]!;
      const kl = payload.readUInt16LE(q + 1);
      const vl = payload.readUInt32LE(q + 3);
      q += 7;
      if ((type !== 1 && type !== 2) || kl === 0 || q + kl + vl > payload.length) {
        if (this.bug === 'no-checksum') return undefined;
        throw corruption('toy: record passed its checksum but does not parse', file, at);
      }
      const key = payload.subarray(q, q + kl);
      const value = payload.subarray(q + kl, q + kl + vl);
      q += kl + vl;
      ops.push(type === 1 ? { type: 'put', key, value } : { type: 'del', key });
    }
    return ops;
  }

  private apply(op: BatchOp): void {
    const k = Buffer.from(op.key).toString('latin1');
    if (op.type === 'put') this.map.set(k, Buffer.from(op.value));
    else this.map.delete(k);
  }

  private append(ops: readonly BatchOp[]): void {
    const records = this.bug === 'torn-batch' ? ops.map((op) => encode([op])) : [encode(ops)];
    records.forEach((r, i) => {
      if (i > 0) killPoint(KP_BETWEEN);
      if (this.bug === 'lose-buffered') {
        this.buffered.push(r);
        if (this.buffered.length >= 8) this.flushBuffered();
      } else {
        this.fs.write(this.fd, r, 0, r.length, this.end);
        this.end += r.length;
      }
    });
    killPoint(KP_AFTER_APPEND);
    for (const op of ops) this.apply(op);
  }

  private flushBuffered(): void {
    for (const r of this.buffered) {
      this.fs.write(this.fd, r, 0, r.length, this.end);
      this.end += r.length;
    }
    this.buffered = [];
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const v = this.map.get(Buffer.from(key).toString('latin1'));
    return v === undefined ? undefined : Buffer.from(v);
  }

  put(key: Uint8Array, value: Uint8Array): void {
    this.append([{ type: 'put', key, value }]);
  }

  del(key: Uint8Array): void {
    this.append([{ type: 'del', key }]);
  }

  write(batch: readonly BatchOp[]): void {
    if (batch.length > 0) this.append(batch);
  }

  scan(start: Uint8Array, limit: number): Array<[Uint8Array, Uint8Array]> {
    const m = this.map;
    const s = Buffer.from(start);
    return [...m.keys()]
      .map((k) => Buffer.from(k, 'latin1'))
      .filter((k) => Buffer.compare(k, s) >= 0)
      .sort(Buffer.compare)
      .slice(0, limit)
      .map((k) => [k, Buffer.from(m.get(k.toString('latin1'))!)]);
  }

  /** fdatasync of the log. Bugs: `no-sync` skips it; `lose-buffered` leaves its buffer unwritten. */
  sync(): void {
    if (this.bug !== 'no-sync') this.fs.fdatasync(this.fd);
  }

  fillStats(s: EngineStats): void {
    s.liveKeys = this.map.size;
  }

  /** Writes what `lose-buffered` still holds (a clean close keeps it) and closes the log; no sync. */
  close(): void {
    try {
      this.flushBuffered();
    } finally {
      this.fs.close(this.fd);
    }
  }
}

/** Descriptor of the toy test engine (not registered; load it by module, see torture/engine-ref.ts). */
export const toyDescriptor: EngineDescriptor = {
  name: 'toy',
  design: 'test engine: checksummed append-only log + Map (with optional planted bugs)',
  // not a design to compare: it exists to show the torture's checks can fail
  role: 'instrument',
  fsSeam: 'all',
  version: '1',
  kind: 'sync',
  capabilities: CAPABILITIES,
  limits: LIMITS,
  options: { bug: { type: 'enum', default: 'none', values: BUGS, doc: 'plant a known defect (see engines/testing/toy-engine.ts)' } },
  openCore: (opts) => new ToyCore(opts),
};
