/**
 * The search results file (`kvlab search --out FILE.json`, `kind: "kvlab-search"`), defined once
 * as TypeBox schemas: the TypeScript types and the compiled validator come from the same
 * definition, as for the results file (harness/results-schema.ts, whose engine, workload,
 * environment and percentile schemas it reuses). Validated on write and on every read.
 *
 * One file is one search: the SLO clauses, the engine as it ran, the workload, the environment,
 * how it stepped, every step (target, achieved throughput, intended-start percentiles per op
 * type, each clause's verdict, and optionally the step's own complete results file), the result
 * (highest passing rate, bracket) and the knee (harness/slo-search.ts kneeOf).
 * Units as in results files: latency in ns, durations in ms, rates in ops/s.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { KvError } from '../engines/errors.js';
import { readJsonFile, writeJsonFile } from './json-file.js';
import { EngineRecordSchema, EnvironmentManifestSchema, HarnessCostSchema, OP_TYPES, PercentilesSchema, ResultsFileSchema, WorkloadRecordSchema } from './results-schema.js';
import { schemaValidator, validateResults } from './results-validate.js';

/** Version of the search file schema; a reader rejects any other with NOT_SUPPORTED. */
export const SEARCH_SCHEMA_VERSION = 1;
/** The `kind` tag of a search file. */
export const SEARCH_KIND = 'kvlab-search';

const NonNeg = Type.Number({ minimum: 0 });
const Count = Type.Integer({ minimum: 0 });
const Iso = Type.String({ format: 'iso-date' });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Lit = <const T extends readonly string[]>(v: T) => Type.Union(v.map((x) => Type.Literal(x))) as unknown as TSchema & { static: T[number] };

/** One parsed SLO clause (harness/slo.ts SloClause). */
export const SloClauseSchema = Type.Object({
  text: Type.String(), op: Lit([...OP_TYPES, 'overall'] as const), percentile: Type.Number({ exclusiveMinimum: 0, maximum: 100 }),
  limitNs: Type.Number({ exclusiveMinimum: 0 }), inclusive: Type.Boolean(),
});

/** Intended-start latency of one op type (or all) in one step: count, max and the standard percentiles, ns. */
export const StepLatencySchema = Type.Object({ count: Count, max: NonNeg, percentiles: PercentilesSchema });

/** One step: a run phase at one target rate on the same store. */
export const SearchStepSchema = Type.Object({
  index: Count,
  stage: Lit(['double', 'halve', 'bisect'] as const),
  startedAt: Iso,
  target: Type.Number({ exclusiveMinimum: 0 }),
  achieved: NonNeg,
  operations: Count,
  durationMs: NonNeg,
  failures: Count,
  /** achieved ≥ harness.minAchievedFraction × target. */
  keptUp: Type.Boolean(),
  /** Intended-start latency per op type that occurred, and `overall` (all merged). */
  latency: Type.Record(Type.String(), StepLatencySchema),
  clauses: Type.Array(Type.Object({ text: Type.String(), measuredNs: Nullable(NonNeg), pass: Type.Boolean() })),
  pass: Type.Boolean(),
  reasons: Type.Array(Type.String()),
  /** The step could not finish (timeout, failed engine); the search stopped after it. */
  aborted: Type.Optional(Type.String()),
  /** The machine was busy during the step (other processes or steal: harness/probes.ts). */
  machineBusy: Type.Optional(Type.Boolean()),
  /** The step's own complete results file (harness/RESULTS.md), readable by kvlab report. */
  results: Type.Optional(ResultsFileSchema),
});

/** A complete search file. */
export const SearchFileSchema = Type.Object({
  schemaVersion: Type.Literal(SEARCH_SCHEMA_VERSION),
  kind: Type.Literal(SEARCH_KIND),
  run: Type.Object({ id: Type.String(), argv: Type.Array(Type.String()), startedAt: Iso, finishedAt: Iso }),
  slo: Type.Object({ clauses: Type.Array(SloClauseSchema, { minItems: 1 }) }),
  engine: EngineRecordSchema,
  workload: WorkloadRecordSchema,
  harness: Type.Object({
    /** Each step's measured length (maxexecutiontime) and the idle cool-down before the next, seconds. */
    stepSeconds: Type.Number({ exclusiveMinimum: 0 }), cooldownSeconds: NonNeg, warmupSeconds: NonNeg,
    startRate: Type.Number({ exclusiveMinimum: 0 }), precision: Type.Number({ exclusiveMinimum: 0 }), maxSteps: Type.Integer({ minimum: 1 }),
    minAchievedFraction: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
    threads: Type.Integer({ minimum: 1 }),
    /** Every step in a fresh child process (harness/fork.ts), or all in this one. */
    forked: Type.Boolean(),
    /** A store that does not outlive its process (map) is loaded again in every step. */
    reloadEachStep: Type.Boolean(),
    /** The store was loaded by this search (false: --reuse-data, an existing store). */
    loaded: Type.Boolean(),
    /** Always `intended`: latency from each op's intended start (coordinated omission corrected). */
    latency: Type.Literal('intended'),
    memoryLimitBytes: Nullable(NonNeg),
  }),
  environment: EnvironmentManifestSchema,
  harnessCost: Nullable(HarnessCostSchema),
  load: Nullable(Type.Object({ operations: Count, durationMs: NonNeg, throughput: NonNeg })),
  steps: Type.Array(SearchStepSchema),
  result: Type.Object({
    highestPassingRate: Nullable(NonNeg),
    bracket: Type.Object({ pass: Nullable(NonNeg), fail: Nullable(NonNeg) }),
    converged: Type.Boolean(),
    stoppedBy: Lit(['precision', 'max-steps', 'min-rate', 'aborted'] as const),
  }),
  knee: Type.Object({
    definition: Type.String(), clause: Type.String(), factor: Type.Number({ exclusiveMinimum: 1 }),
    rate: Nullable(NonNeg), valueNs: Nullable(NonNeg), baselineNs: Nullable(NonNeg),
  }),
  notes: Type.Array(Type.String()),
});

export type SloClauseRecord = Static<typeof SloClauseSchema>;
export type SearchStepRecord = Static<typeof SearchStepSchema>;
export type SearchFile = Static<typeof SearchFileSchema>;

const check = schemaValidator<SearchFile>(SearchFileSchema, 'search results');

/**
 * Checks `doc` against the search schema, then what the schema cannot say: steps numbered
 * 0..n-1, one verdict per clause in every step, the highest passing rate is a passing step's
 * target, and each embedded results file is a valid results file. Throws INVALID_ARGUMENT naming
 * the file and path, or NOT_SUPPORTED for another schemaVersion.
 */
export function validateSearch(doc: unknown, file = '<search>'): SearchFile {
  const v = (doc ?? {}) as { kind?: unknown; schemaVersion?: unknown };
  if (v.kind === SEARCH_KIND && typeof v.schemaVersion === 'number' && v.schemaVersion !== SEARCH_SCHEMA_VERSION)
    throw new KvError('NOT_SUPPORTED', `${file}: search schemaVersion ${v.schemaVersion} is not supported (this kvlab reads ${SEARCH_SCHEMA_VERSION})`, { file });
  const s = check(doc, file);
  const invalid = (where: string, msg: string): never => {
    throw new KvError('INVALID_ARGUMENT', `${file}: invalid search results: ${where}: ${msg}`, { file });
  };
  s.steps.forEach((st, i) => {
    if (st.index !== i) invalid(`steps[${i}].index`, `expected ${i}, got ${st.index}`);
    if (st.clauses.length !== s.slo.clauses.length) invalid(`steps[${i}].clauses`, `expected ${s.slo.clauses.length} verdicts, got ${st.clauses.length}`);
    if (st.pass === st.reasons.length > 0) invalid(`steps[${i}].reasons`, st.pass ? 'a passing step lists reasons to fail' : 'a failing step names no reason');
    if (st.results !== undefined) validateResults(st.results, `${file}: steps[${i}].results`);
  });
  const best = s.result.highestPassingRate;
  if (best !== null && !s.steps.some((st) => st.pass && st.target === best)) invalid('result.highestPassingRate', `no passing step has target ${best}`);
  return s;
}

/** Validates then writes a search file (atomically). */
export function writeSearch(file: string, s: SearchFile): void {
  validateSearch(s, file);
  writeJsonFile(file, s, 1);
}

/** Reads and validates a search file. Errors: NOT_FOUND, INVALID_ARGUMENT (names the JSON path), NOT_SUPPORTED. */
export function readSearch(file: string): SearchFile {
  return validateSearch(readJsonFile(file, 'search results'), file);
}
