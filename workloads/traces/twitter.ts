/**
 * Twitter's production cache traces (github.com/twitter/cache-trace, OSDI '20): one request
 * per line, seven comma-separated columns
 *
 *   timestamp,anonymized key,key size,value size,client id,operation,TTL
 *
 * timestamp: seconds since the trace start (integers in the published data); key: the
 * anonymized key (namespaces kept, e.g. `nz:u:eeW511W3dcH3de3d15ec`; it holds no comma);
 * key size / value size: bytes of the ORIGINAL key and value (0 for a get's value); client id:
 * the anonymized client; operation: get, gets, set, add, replace, cas, append, prepend,
 * delete, incr, decr; TTL: seconds, 0 for a request that is not a write.
 *
 * How each operation maps onto kvlab's operation stream is {@link TWITTER_MAPPING}.
 */
import { KvError } from '../../engines/errors.js';
import { LineReader } from './lines.js';

/** The operations the published traces contain, in the README's order. */
export const TWITTER_OPS = ['get', 'gets', 'set', 'add', 'replace', 'cas', 'append', 'prepend', 'delete', 'incr', 'decr'] as const;
export type TwitterOp = (typeof TWITTER_OPS)[number];

/** What a replay does with a trace operation: a kvlab READ, a blind write (executed as INSERT), or nothing (counted as skipped). */
export type TraceAction = 'read' | 'write' | 'skip';

/**
 * The mapping, with what it approximates (also in workloads/README.md). Writes are blind puts
 * of `value size` bytes (kvlab's INSERT semantics); no TTL is enforced (TTL is parsed and
 * counted only); no conditional or arithmetic semantics are reproduced.
 */
export const TWITTER_MAPPING: Readonly<Record<TwitterOp, { action: TraceAction; note: string }>> = {
  get: { action: 'read', note: 'get' },
  gets: { action: 'read', note: 'get (the CAS token is not produced)' },
  set: { action: 'write', note: 'put of value size bytes' },
  add: { action: 'write', note: 'put, unconditional (add only stores an absent key)' },
  replace: { action: 'write', note: 'put, unconditional (replace only stores a present key)' },
  cas: { action: 'write', note: 'put, unconditional (no compare-and-swap)' },
  append: { action: 'write', note: 'put of value size bytes (not a read-append-write)' },
  prepend: { action: 'write', note: 'put of value size bytes (not a read-prepend-write)' },
  incr: { action: 'write', note: 'put of value size bytes (no arithmetic)' },
  decr: { action: 'write', note: 'put of value size bytes (no arithmetic)' },
  delete: { action: 'skip', note: "skipped and counted: kvlab's YCSB operation stream has no delete" },
};

const KNOWN = new Set<string>(TWITTER_OPS);

/** One request, reused by {@link TwitterTraceReader.next} (no allocation per line beyond the key string). */
export interface TwitterRequest {
  /** Seconds since the trace start, as written. */
  timestamp: number;
  /** The anonymized key as latin1 text (one character per byte). */
  key: string;
  keySize: number;
  valueSize: number;
  clientId: string;
  /** One of {@link TWITTER_OPS}, or an unknown name when unknown operations are skipped. */
  op: string;
  ttl: number;
  /** 1-based line number. */
  line: number;
}

/** A fresh request slot. */
export function newRequest(): TwitterRequest {
  return { timestamp: 0, key: '', keySize: 0, valueSize: 0, clientId: '', op: 'get', ttl: 0, line: 0 };
}

/** What to do with an operation name not in {@link TWITTER_OPS}. */
export type UnknownOps = 'error' | 'skip';

export interface TwitterReaderOptions {
  /** `error` (default): INVALID_ARGUMENT naming the line; `skip`: counted in {@link TwitterTraceReader.unknown}, never executed. */
  unknownOps?: UnknownOps;
  /** Keys longer than this many bytes are an error (TOO_LARGE naming the line), never truncated. Default: no bound. */
  maxKeyBytes?: number;
}

const NUM = /^\d+(\.\d+)?$/;
const INT = /^\d+$/;

/**
 * Streams a Twitter cache trace, one request per {@link next} call. Memory: one read chunk
 * (lines.ts). Errors (each names the file and line, and carries the line's byte offset):
 * INVALID_ARGUMENT for a line without exactly seven columns, an empty key, a non-numeric
 * timestamp, size, or TTL, a timestamp earlier than the line before, or an unknown operation
 * (unless `unknownOps: 'skip'`); TOO_LARGE for a key over `maxKeyBytes`; NOT_FOUND, IO and
 * NOT_SUPPORTED (compressed input) from lines.ts. A malformed line is never skipped.
 */
export class TwitterTraceReader {
  private readonly lines: LineReader;
  private readonly unknownOps: UnknownOps;
  private readonly maxKeyBytes: number;
  private lastTs = 0;
  /** Unknown operation names and how often each was skipped. */
  readonly unknown = new Map<string, number>();
  /** Requests returned so far. */
  count = 0;

  constructor(readonly path: string, opts: TwitterReaderOptions = {}) {
    this.unknownOps = opts.unknownOps ?? 'error';
    this.maxKeyBytes = opts.maxKeyBytes ?? Infinity;
    this.lines = new LineReader(path);
  }

  /** Fills `r` with the next request; false at the end of the file. Blank lines are an error too. */
  next(r: TwitterRequest): boolean {
    for (;;) {
      const s = this.lines.next();
      if (s === undefined) return false;
      const line = this.lines.line;
      const cols = s.split(',');
      if (cols.length !== 7) throw this.bad(`expected 7 comma-separated columns (timestamp,key,key size,value size,client id,operation,TTL), got ${cols.length}`);
      const [ts, key, ks, vs, client, op, ttl] = cols as [string, string, string, string, string, string, string];
      if (!NUM.test(ts)) throw this.bad(`timestamp '${ts.slice(0, 40)}' is not a non-negative number of seconds`);
      if (key === '') throw this.bad('empty key');
      if (!INT.test(ks)) throw this.bad(`key size '${ks.slice(0, 40)}' is not a non-negative integer`);
      if (!INT.test(vs)) throw this.bad(`value size '${vs.slice(0, 40)}' is not a non-negative integer`);
      if (!INT.test(ttl)) throw this.bad(`TTL '${ttl.slice(0, 40)}' is not a non-negative integer`);
      const t = Number(ts);
      if (t < this.lastTs) throw this.bad(`timestamp ${t} is earlier than the line before (${this.lastTs}): a trace is in time order`);
      if (key.length > this.maxKeyBytes)
        throw new KvError('TOO_LARGE', `${this.path}:${line}: key of ${key.length} bytes is over the engine's limit of ${this.maxKeyBytes} bytes (keys are never truncated)`, { file: this.path, offset: this.lines.offset });
      this.lastTs = t;
      if (!KNOWN.has(op)) {
        if (this.unknownOps === 'error')
          throw this.bad(`unknown operation '${op.slice(0, 40)}' (known: ${TWITTER_OPS.join(', ')}; --trace-unknown-ops skip counts and skips them)`);
        this.unknown.set(op, (this.unknown.get(op) ?? 0) + 1);
        continue;
      }
      r.timestamp = t;
      r.key = key;
      r.keySize = Number(ks);
      r.valueSize = Number(vs);
      r.clientId = client;
      r.op = op;
      r.ttl = Number(ttl);
      r.line = line;
      this.count++;
      return true;
    }
  }

  /** Releases the file. Idempotent. */
  close(): void {
    this.lines.close();
  }

  private bad(what: string): KvError {
    return new KvError('INVALID_ARGUMENT', `${this.path}:${this.lines.line}: ${what}`, { file: this.path, offset: this.lines.offset });
  }
}
