/**
 * `hashlog`: the Bitcask-design engine (append-only log segments + in-memory hash keydir,
 * merge with hint files). This module exports its registry descriptor and options.
 */
import type { EngineDescriptor, OpenOptions, OptionSpec } from '../engine.js';
import { NodeFs } from '../fs.js';
import { HASHLOG_CAPABILITIES, HASHLOG_LIMITS, HashlogEngine, type HashlogSettings } from './engine.js';

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
    doc: 'appends are gathered in a buffer of this size; under durability none it is written when full, otherwise at the end of each call',
  },
  verifyReads: { type: 'bool', default: true, doc: 'check the record CRC on every get (false: read only the value bytes)' },
};

/** Registry entry for hashlog. */
export const hashlogDescriptor: EngineDescriptor = {
  name: 'hashlog',
  design: 'append-only log segments + in-memory hash keydir (Bitcask)',
  kind: 'sync',
  capabilities: HASHLOG_CAPABILITIES,
  limits: HASHLOG_LIMITS,
  options: HASHLOG_OPTIONS,
  open: (opts) => new HashlogEngine(opts, opts.options as unknown as HashlogSettings),
};

/**
 * Opens hashlog directly, without the registry (benchmarks, tests, tools): `settings` override
 * the option defaults and are not range-checked here (the registry checks spec strings).
 */
export function openHashlog(base: Omit<OpenOptions, 'options'>, settings: Partial<HashlogSettings> = {}): HashlogEngine {
  const options = Object.fromEntries(Object.entries(HASHLOG_OPTIONS).map(([k, spec]) => [k, spec.default])) as unknown as HashlogSettings;
  Object.assign(options, settings);
  const label = Object.keys(settings).length ? `hashlog:${Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(',')}` : 'hashlog';
  const durability = base.durability ?? 'none';
  return new HashlogEngine({ ...base, durability, fs: base.fs ?? new NodeFs(), options: options as unknown as Record<string, number | boolean>, label }, options);
}

export { HashlogEngine } from './engine.js';
export type { HashlogSettings } from './engine.js';
