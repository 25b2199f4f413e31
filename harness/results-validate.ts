/**
 * Validation of a results document against the one schema (harness/results-schema.ts, compiled
 * once), then the few rules JSON Schema cannot state. Used on write and on read. Errors are
 * KvErrors: INVALID_ARGUMENT naming the file and the JSON path of the first problem
 * (`phases[0].trials[1].ops.READ.latency.count: ...`), or NOT_SUPPORTED for another schemaVersion.
 */
import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { KvError } from '../engines/errors.js';
import { ResultsFileSchema, SCHEMA_VERSION, type ResultsFile, type TrialStat } from './results-schema.js';

if (!FormatRegistry.Has('iso-date')) FormatRegistry.Set('iso-date', (s) => !Number.isNaN(Date.parse(s)));

/** `/phases/0/trials/1` → `phases[0].trials[1]`. */
function dotted(pointer: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out === '' ? p : `.${p}`;
  return out === '' ? '$' : out;
}

/** A schema's expectation in words: `one of a|b` for an enum of literals, else TypeBox's message. */
function describe(schema: TSchema, message: string): string {
  const alts = (schema as { anyOf?: Array<{ const?: unknown }> }).anyOf;
  if (alts && alts.length > 0 && alts.every((a) => typeof a.const === 'string')) return `expected one of ${alts.map((a) => a.const).join('|')}`;
  return message.replace(/^Expected /, 'expected ');
}

function shown(v: unknown): string {
  let s: string;
  try {
    s = v === undefined ? 'missing' : JSON.stringify(v);
  } catch {
    s = String(v);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * A compiled validator for `schema` that throws INVALID_ARGUMENT (`<file>: invalid <what>: <path>:
 * <message>, got <value>`) on the first problem. Shared by results and torture results.
 */
export function schemaValidator<T>(schema: TSchema, what: string): (doc: unknown, file: string) => T {
  let check: TypeCheck<TSchema> | undefined;
  return (doc, file) => {
    check ??= TypeCompiler.Compile(schema);
    if (check.Check(doc)) return doc as T;
    const errors = [...check.Errors(doc)].slice(0, 20);
    const first = errors[0];
    // a missing property is reported twice (required, then its type): say the type
    const best = errors.find((e) => e.path === first?.path && !/required property/.test(e.message)) ?? first;
    const where = best ? dotted(best.path) : '$';
    const msg = best ? `${describe(best.schema, best.message)}, got ${shown(best.value)}` : 'does not match the schema';
    throw new KvError('INVALID_ARGUMENT', `${file}: invalid ${what}: ${where}: ${msg}`, { file });
  };
}

const checkSchema = schemaValidator<ResultsFile>(ResultsFileSchema, 'results');

function invalid(file: string, where: string, msg: string): never {
  throw new KvError('INVALID_ARGUMENT', `${file}: invalid results: ${where}: ${msg}`, { file });
}

function checkStat(file: string, s: TrialStat, where: string): void {
  if (s.values.length !== s.n) invalid(file, `${where}.values`, `expected ${s.n} values, got ${s.values.length}`);
  if (s.ci95 === null && s.n >= 2) invalid(file, `${where}.ci95`, 'expected an interval when n >= 2, got null');
  if (s.ci95 !== null && s.ci95[0] > s.ci95[1]) invalid(file, `${where}.ci95`, `expected [low, high] with low <= high, got ${shown(s.ci95)}`);
}

/** Checks `doc` against the results schema; returns it typed. Throws as described in the module doc. */
export function validateResults(doc: unknown, file = '<results>'): ResultsFile {
  const v = (doc ?? {}) as { schemaVersion?: unknown; kind?: unknown };
  if (typeof doc === 'object' && doc !== null && v.kind === 'kvlab-results' && typeof v.schemaVersion === 'number' && v.schemaVersion !== SCHEMA_VERSION)
    throw new KvError('NOT_SUPPORTED', `${file}: results schemaVersion ${v.schemaVersion} is not supported (this kvlab reads ${SCHEMA_VERSION})`, { file });
  const r = checkSchema(doc, file);
  if (r.notApplicable !== null && r.phases.length > 0) invalid(file, 'phases', `expected no phases when notApplicable is set, got ${r.phases.length}`);
  if (r.notApplicable === null && r.phases.length === 0) invalid(file, 'phases', 'expected at least one phase (or notApplicable), got []');
  r.phases.forEach((ph, i) => {
    const p = `phases[${i}]`;
    ph.trials.forEach((t, j) => {
      for (const [op, x] of Object.entries(t.ops))
        if (x.latency.count !== x.count) invalid(file, `${p}.trials[${j}].ops.${op}.latency.count`, `expected the op count ${x.count}, got ${x.latency.count}`);
    });
    const s = ph.summary;
    checkStat(file, s.throughput, `${p}.summary.throughput`);
    checkStat(file, s.durationMs, `${p}.summary.durationMs`);
    for (const [op, x] of Object.entries(s.ops)) for (const [k, st] of Object.entries(x)) checkStat(file, st, `${p}.summary.ops.${op}.${k}`);
    checkStat(file, s.overall.p50, `${p}.summary.overall.p50`);
    checkStat(file, s.overall.p99, `${p}.summary.overall.p99`);
    if (s.overall.intendedP99 !== null) checkStat(file, s.overall.intendedP99, `${p}.summary.overall.intendedP99`);
  });
  return r;
}
