/**
 * The sweep manifest (`<out>/sweep.json`, kind "kvlab-sweep"): which parameters a `kvlab sweep`
 * varied, over which values, and which results file holds each point. Validated on write and on
 * read against the one schema below.
 */
import * as path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { KvError } from '../../engines/errors.js';
import { readJsonFile, writeJsonFile } from '../../harness/json-file.js';
import { schemaValidator } from '../../harness/results-validate.js';

/** Manifest version (bump on an incompatible change). */
export const SWEEP_MANIFEST_VERSION = 1;
/** The manifest's file name inside a sweep's output directory. */
export const SWEEP_MANIFEST_FILE = 'sweep.json';

/** One varied parameter: an engine option or the workload's recordcount. */
export const SweepParameterSchema = Type.Object({
  name: Type.String({ minLength: 1 }),
  kind: Type.Union([Type.Literal('engine-option'), Type.Literal('recordcount')]),
  values: Type.Array(Type.String(), { minItems: 1 }),
});

/** One point of the grid: the value of each varied parameter, and its results file (relative to the manifest), or null when it failed. */
export const SweepPointSchema = Type.Object({
  values: Type.Record(Type.String(), Type.String()),
  engineSpec: Type.String(),
  recordcount: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  file: Type.Union([Type.String(), Type.Null()]),
});

/** The whole manifest. */
export const SweepManifestSchema = Type.Object({
  kind: Type.Literal('kvlab-sweep'),
  version: Type.Literal(SWEEP_MANIFEST_VERSION),
  createdAt: Type.String(),
  argv: Type.Array(Type.String()),
  /** The engine spec every point starts from (its fixed options), e.g. `lsm:compaction=tiered`. */
  engine: Type.String(),
  workloadFiles: Type.Array(Type.String()),
  parameters: Type.Array(SweepParameterSchema, { minItems: 1 }),
  points: Type.Array(SweepPointSchema, { minItems: 1 }),
  trials: Type.Integer({ minimum: 1 }),
});

export type SweepParameter = Static<typeof SweepParameterSchema>;
export type SweepPoint = Static<typeof SweepPointSchema>;
export type SweepManifest = Static<typeof SweepManifestSchema>;

const checkManifest = schemaValidator<SweepManifest>(SweepManifestSchema, 'sweep manifest');

/** Writes `<dir>/sweep.json` (validated first; atomic). */
export function writeSweepManifest(dir: string, m: SweepManifest): string {
  const file = path.join(dir, SWEEP_MANIFEST_FILE);
  checkManifest(m, file);
  writeJsonFile(file, m, 2);
  return file;
}

/** Reads a manifest from a sweep directory or the file itself. Errors: NOT_FOUND, INVALID_ARGUMENT (not a sweep manifest). */
export function readSweepManifest(dirOrFile: string): { file: string; manifest: SweepManifest } {
  const file = dirOrFile.endsWith('.json') ? dirOrFile : path.join(dirOrFile, SWEEP_MANIFEST_FILE);
  const doc = readJsonFile(file, 'sweep manifest');
  if ((doc as { kind?: unknown })?.kind !== 'kvlab-sweep') throw new KvError('INVALID_ARGUMENT', `${file}: not a kvlab sweep manifest (kind "kvlab-sweep")`, { file });
  return { file, manifest: checkManifest(doc, file) };
}
