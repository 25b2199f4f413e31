/**
 * native recovery against the recorded durable length: the same cases as hashlog (one on-disk
 * format; test/hashlog/durable-cases.ts), run on the Rust core. Power-loss (CrashFs) cases do not
 * apply: the core does its own I/O (engines/native/README.md).
 */
import type { Engine } from '../../engines/engine.js';
import { openSyncEngine } from '../../engines/registry.js';
import { durableLengthCases } from '../hashlog/durable-cases.js';

durableLengthCases('native', (dir, opts) => openSyncEngine(opts ? `native:${opts}` : 'native', { dir, durability: 'none' }) as Engine);
