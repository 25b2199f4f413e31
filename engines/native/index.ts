/**
 * `native`: the Rust hash core (Bitcask, same on-disk format as hashlog) behind the kvlab
 * contract. This module exports its registry descriptor; importing it never loads the binary
 * (opening does, and throws NOT_SUPPORTED with build instructions when it is missing).
 */
import type { Engine, EngineDescriptor, OpenOptions, OptionSpec } from '../engine.js';
import { openDescriptor } from '../open.js';
import { HASHLOG_OPTIONS } from '../hashlog/index.js';
import { NATIVE_CAPABILITIES, NATIVE_LIMITS, NATIVE_VERSION, NativeCore, type NativeSettings } from './engine.js';
import './killpoints.js';

/** native's options: hashlog's names, defaults and meanings (segments limited to 4 GiB - 1). */
export const NATIVE_OPTIONS: Readonly<Record<keyof NativeSettings, OptionSpec>> = {
  ...HASHLOG_OPTIONS,
  segmentBytes: {
    type: 'int', default: 64 * 1024 * 1024, min: 4096, max: 2 ** 32 - 1,
    doc: 'roll to a new segment when the active one would exceed this many bytes (the keydir holds u32 offsets)',
  },
};

/** Registry entry for the native core. */
export const nativeDescriptor: EngineDescriptor = {
  name: 'native',
  design: 'append-only log segments + compact native hash keydir (Bitcask, Rust via N-API)',
  role: 'engine',
  fsSeam: 'none',
  version: NATIVE_VERSION,
  kind: 'sync',
  capabilities: NATIVE_CAPABILITIES,
  limits: NATIVE_LIMITS,
  options: NATIVE_OPTIONS,
  /** Segments, hint files and a merge's or hint's temp files (one format with hashlog). */
  files: [/^[0-9a-f]{16}\.(data|hint|merge|hint\.tmp)$/, /^hashlog\.state(\.tmp)?$/],
  openCore: (opts) => new NativeCore(opts, opts.options as unknown as NativeSettings),
};

/** Opens native through the one open path with typed settings (tests, benchmarks). */
export function openNative(base: Omit<OpenOptions, 'options'>, settings: Partial<NativeSettings> = {}): Engine {
  const opts = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
  return openDescriptor(nativeDescriptor, opts.length ? `native:${opts.join(',')}` : 'native', base) as Engine;
}

export { NativeCore } from './engine.js';
export type { NativeSettings } from './engine.js';
