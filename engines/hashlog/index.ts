/**
 * `hashlog`: the Bitcask-design engine (append-only log segments + in-memory hash keydir,
 * merge with hint files). This module exports its registry descriptor and options.
 */
import type { Engine, EngineDescriptor, OpenOptions, OptionSpec } from '../engine.js';
import { openDescriptor } from '../open.js';
import { HASHLOG_CAPABILITIES, HASHLOG_LIMITS, HASHLOG_VERSION, HashlogCore, type HashlogSettings } from './engine.js';

/** hashlog's engine-specific options (`hashlog:segmentBytes=1048576,verifyReads=false`). */
export const HASHLOG_OPTIONS: Readonly<Record<keyof HashlogSettings, OptionSpec>> = {
  segmentBytes: {
    type: 'int', default: 64 * 1024 * 1024, min: 4096, max: 2 ** 40,
    doc: 'roll to a new segment when the active one would exceed this many bytes (a record or batch larger than this gets a segment of its own)',
  },
  mergeRatio: {
    type: 'number', default: 0.5, min: 0, max: 1,
    doc: 'merge all immutable segments when their dead bytes reach this fraction of their bytes (checked at each rollover)',
  },
  mergeMinBytes: {
    type: 'int', default: 0, min: 0,
    doc: 'do not merge automatically while immutable segments hold fewer record bytes than this',
  },
  autoMerge: { type: 'bool', default: true, doc: 'merge automatically at rollover (false: only an explicit merge())' },
  writeBufferBytes: {
    type: 'int', default: 64 * 1024, min: 4096, max: 64 * 1024 * 1024,
    doc: 'appends are gathered in a buffer of this size, written to the file at the end of each call (with bufferWrites, when full)',
  },
  bufferWrites: {
    type: 'bool', default: false,
    doc: 'keep appends in the user-space buffer until it fills or sync(): faster, but a SIGKILL loses acknowledged writes (results say process-crash-unsafe)',
  },
  verifyReads: { type: 'bool', default: true, doc: 'check the record CRC on every get (false: read only the value bytes)' },
};

/** Registry entry for hashlog. */
export const hashlogDescriptor: EngineDescriptor = {
  name: 'hashlog',
  design: 'append-only log segments + in-memory hash keydir (Bitcask)',
  role: 'engine',
  fsSeam: 'all',
  version: HASHLOG_VERSION,
  kind: 'sync',
  capabilities: HASHLOG_CAPABILITIES,
  limits: HASHLOG_LIMITS,
  options: HASHLOG_OPTIONS,
  /** Segments, hint files and a merge's or hint's temp files (one format with native). */
  files: [/^[0-9a-f]{16}\.(data|hint|merge|hint\.tmp)$/, /^hashlog\.state(\.tmp)?$/],
  openCore: (opts) => new HashlogCore(opts, opts.options as unknown as HashlogSettings),
};

/**
 * Opens hashlog through the registry's one open path with typed settings (benchmarks, tests,
 * tools): the same validation, defaults and shell as the spec `hashlog:k=v,...`.
 */
export function openHashlog(base: Omit<OpenOptions, 'options'>, settings: Partial<HashlogSettings> = {}): Engine {
  const opts = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
  return openDescriptor(hashlogDescriptor, opts.length ? `hashlog:${opts.join(',')}` : 'hashlog', base) as Engine;
}

export { HashlogCore } from './engine.js';
export type { HashlogSettings } from './engine.js';
