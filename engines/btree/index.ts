/**
 * Registry entry for the `btree` engine (on-disk B+tree with copy-on-write shadow paging).
 * See README.md in this folder for a walk through a get and a put, FORMAT.md for the file format.
 */
import type { EngineDescriptor } from '../engine.js';
import { BTREE_CAPABILITIES, BTreeEngine, MAX_VALUE_BYTES } from './engine.js';
import { Layout } from './node.js';

export { BTreeEngine } from './engine.js';
export { inspect, inspectCommand } from './inspect.js';
export type { InspectReport, InspectOptions } from './inspect.js';

/** The btree engine's descriptor. Limits shown are for the default 4 KiB page (keys scale with pageSize). */
export const btreeDescriptor: EngineDescriptor = {
  name: 'btree',
  design: 'on-disk B+tree, copy-on-write shadow paging, two meta pages (bbolt/LMDB style)',
  kind: 'sync',
  capabilities: { ...BTREE_CAPABILITIES, durability: [...BTREE_CAPABILITIES.durability] },
  limits: { maxKeyBytes: new Layout(4096).maxKey, maxValueBytes: MAX_VALUE_BYTES },
  conformanceVariants: ['btree:pageSize=512,cacheSize=32,maxDirtyPages=8'],
  options: {
    pageSize: { type: 'int', default: 4096, min: 256, max: 65536, doc: 'page size in bytes for a new file (power of two); an existing file keeps its own' },
    cacheSize: { type: 'string', default: '64MiB', doc: 'buffer pool size: pages (e.g. 16384) or bytes (e.g. 64MiB)' },
    maxDirtyPages: { type: 'int', default: 4096, min: 1, max: 1 << 22, doc: 'commit the open transaction once this many pages are dirty (durability none/group)' },
  },
  open: (opts) => BTreeEngine.open(opts),
};
