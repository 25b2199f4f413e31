/**
 * Registry entry for the `btree` engine (on-disk B+tree with copy-on-write shadow paging).
 * See README.md in this folder for a walk through a get and a put, FORMAT.md for the file format.
 */
import type { Engine, EngineDescriptor, OpenOptions } from '../engine.js';
import { openDescriptor } from '../open.js';
import { BTREE_CAPABILITIES, BTREE_VERSION, BTreeCore, MAX_KEY_BYTES, MAX_VALUE_BYTES } from './engine.js';

export { BTreeCore } from './engine.js';
export { inspect, inspectCommand } from './inspect.js';
export type { InspectReport, InspectOptions } from './inspect.js';

/**
 * The btree engine's descriptor. Keys are limited to {@link MAX_KEY_BYTES} for page sizes of
 * 4 KiB and more; smaller pages lower the limit to an eighth of the page body (see the open
 * engine's `info.limits`).
 */
export const btreeDescriptor: EngineDescriptor = {
  name: 'btree',
  design: 'on-disk B+tree, copy-on-write shadow paging, two meta pages (bbolt/LMDB style)',
  role: 'engine',
  fsSeam: 'all',
  version: BTREE_VERSION,
  kind: 'sync',
  /** The data file and its temp file at creation (FORMAT.md). */
  files: [/^data\.btree(\.tmp)?$/],
  capabilities: { ...BTREE_CAPABILITIES, durability: [...BTREE_CAPABILITIES.durability] },
  limits: { maxKeyBytes: MAX_KEY_BYTES, maxValueBytes: MAX_VALUE_BYTES },
  // 4 KiB pages keep the descriptor's key limit; a 16-page cache and tiny transactions force
  // evictions, re-reads and many commits within a short history
  conformanceVariants: ['btree:cacheSize=16,maxDirtyPages=4,bufferWrites=true'],
  options: {
    pageSize: { type: 'int', default: 4096, min: 256, max: 65536, doc: 'page size in bytes for a new file (power of two); an existing file keeps its own' },
    cacheSize: { type: 'string', default: '64MiB', doc: 'buffer pool size: pages (e.g. 16384) or bytes (e.g. 64MiB)' },
    maxDirtyPages: { type: 'int', default: 4096, min: 1, max: 1 << 22, doc: 'with bufferWrites: commit the open transaction to the file once this many pages are dirty' },
    bufferWrites: {
      type: 'bool', default: false,
      doc: 'keep writes in the in-memory transaction until maxDirtyPages pages are dirty or sync(), instead of committing each write to the file: faster, but a SIGKILL loses acknowledged writes (results say process-crash-unsafe)',
    },
  },
  openCore: (opts) => new BTreeCore(opts),
};

/**
 * Opens btree through the one open path (engines/open.ts) with typed options (tests, tools):
 * the same validation, defaults and shell as the spec `btree:k=v,...`.
 */
export function openBtree(base: Omit<OpenOptions, 'options'>, options: Readonly<Record<string, string | number | boolean>> = {}): Engine {
  const opts = Object.entries(options).map(([k, v]) => `${k}=${v}`);
  return openDescriptor(btreeDescriptor, opts.length ? `btree:${opts.join(',')}` : 'btree', base) as Engine;
}
