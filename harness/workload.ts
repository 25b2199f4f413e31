/**
 * Turns CLI workload arguments (-P files, -p overrides, shorthand names `a`..`f`) into a
 * validated workload (config, operation source and codec) via workloads/index.ts.
 */
import * as path from 'node:path';
import { invalidArgument } from '../engines/errors.js';
import type { WorkloadConfig } from '../workloads/index.js';
import type { InsertLane } from '../workloads/stream.js';
import { OperationStream, RecordCodec, STANDARD_WORKLOADS, loadProperties, parseWorkloadConfig, workloadFile } from '../workloads/index.js';
import type { OpSource, ValueCodec } from './source.js';

/** `a` → the shipped workloada file; `workloadb` → the shipped file; anything else is a path. */
export function resolveWorkloadFile(nameOrPath: string): string {
  const n = /^[a-f]$/.test(nameOrPath) ? `workload${nameOrPath}` : nameOrPath;
  if ((STANDARD_WORKLOADS as readonly string[]).includes(n)) return workloadFile(n);
  return nameOrPath;
}

/** A loaded workload: merged properties, typed config and a display name. */
export interface Workload {
  name: string;
  files: string[];
  props: Record<string, string>;
  config: WorkloadConfig;
  /** Approximate bytes per record (key + value) for estimates (dataset size, live bytes). */
  recordBytes: number;
}

/** Loads -P files (in order) and -p overrides. Errors: NOT_FOUND, INVALID_ARGUMENT. */
export function loadWorkload(files: string[], overrides: Record<string, string>): Workload {
  const resolved = files.map(resolveWorkloadFile);
  const props = loadProperties(resolved, overrides);
  const config = parseWorkloadConfig(props);
  const name = files.length > 0 ? path.basename(resolved[0]!) : 'custom';
  const value =
    config.valuemode === 'raw' ? config.rawvaluelength : config.fieldcount * (config.fieldlength + 2) + 1;
  return { name, files, props, config, recordBytes: 23 + value };
}

/** The operation source and value codec for one trial (both seeded; `lane`: a scale-out client's own new keys, workloads/stream.ts InsertLane). */
export function workloadStreams(w: Workload, seed: number, lane: InsertLane | null = null): { source: OpSource; codec: ValueCodec } {
  if (!Number.isSafeInteger(seed)) throw invalidArgument(`seed must be an integer, got ${seed}`);
  return { source: new OperationStream(w.config, seed, lane), codec: new RecordCodec(w.config, seed) };
}
