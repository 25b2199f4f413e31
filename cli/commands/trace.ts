/**
 * `kvlab trace analyze|generate`, and the trace-replay options of `kvlab load|run --trace`
 * (--trace-format, --trace-timing, --trace-speed, --trace-preload, --trace-unknown-ops).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkOutFile, intOpt, numOpt, parse, UsageError } from '../args.js';
import { detectTraceFormat, type TraceFormat, type TraceReplaySettings } from '../../harness/trace-source.js';
import type { Workload } from '../../harness/workload.js';
import { loadWorkload } from '../../harness/workload.js';
import { analyzeKvlab, analyzeTwitter, propertiesFor } from '../../workloads/traces/analyze.js';
import { generateSample, SAMPLE_MIX, SAMPLES, type SampleSpec } from '../../workloads/traces/generate-sample.js';
import type { UnknownOps } from '../../workloads/traces/twitter.js';

/** The replay options `kvlab load|run` accept beside --trace. */
export const TRACE_RUN_OPTIONS = {
  'trace-format': { type: 'string' },
  'trace-timing': { type: 'string' },
  'trace-speed': { type: 'string' },
  'trace-preload': { type: 'string' },
  'trace-unknown-ops': { type: 'string' },
} as const;

export const TRACE_RUN_HELP = `  --trace FILE            replay a trace: kvlab's own (recorded with --record-trace; its workload and seed,
                          load generated from them) or Twitter's cache-trace CSV (workloads/README.md)
  --trace-format F        kvlab | twitter (default: detected from the file's first bytes, recorded in the results)
  --trace-timing T        fast (default: closed loop, or --target) | recorded (twitter: open loop at each
                          request's timestamp, a second's requests spread evenly over it; latency from the
                          intended start, coordinated omission corrected)
  --trace-speed X         recorded timing: timestamps divided by X (default 1; 2 = twice as fast)
  --trace-preload P       twitter: none (run default: start from the store as found, as a cache trace starts
                          empty) | first-write (a load phase puts every key once at its first write's size)
  --trace-unknown-ops M   twitter: error (default: the first unknown operation names its line) | skip (counted)`;

function oneOf<T extends string>(raw: unknown, flag: string, allowed: readonly T[], dflt: T): T {
  if (raw === undefined) return dflt;
  if (!(allowed as readonly string[]).includes(raw as string)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got '${String(raw)}'`);
  return raw as T;
}

/**
 * The replay settings of `kvlab load|run --trace FILE`, or null without --trace; usage errors
 * (one line, exit 2) for options that do not apply: recorded timing of a kvlab trace (it holds
 * no timestamps), --trace-speed without recorded timing, recorded timing with --target or
 * --warmup, a preload of a kvlab trace, `kvlab load` of a Twitter trace without a preload.
 */
export function traceReplayOf(v: Record<string, unknown>, cmd: 'load' | 'run'): TraceReplaySettings | null {
  const trace = v.trace as string | undefined;
  if (trace === undefined) {
    const given = Object.keys(TRACE_RUN_OPTIONS).find((k) => v[k] !== undefined);
    if (given) throw new UsageError(`${cmd}: --${given} needs --trace FILE`);
    return null;
  }
  if (!fs.existsSync(trace)) throw new UsageError(`${cmd}: trace not found: ${trace}`);
  const given = v['trace-format'] as string | undefined;
  const format: TraceFormat = given === undefined ? detectTraceFormat(trace) : oneOf(given, '--trace-format', ['kvlab', 'twitter'] as const, 'kvlab');
  const timing = oneOf(v['trace-timing'], '--trace-timing', ['fast', 'recorded'] as const, 'fast');
  if (timing === 'recorded' && format === 'kvlab') throw new UsageError(`${cmd}: --trace-timing recorded: a kvlab trace holds no timestamps (only twitter traces do); use fast, or --target N`);
  if (timing === 'recorded' && v.target !== undefined) throw new UsageError(`${cmd}: --trace-timing recorded schedules each op at its timestamp; drop --target`);
  if (timing === 'recorded' && v.warmup !== undefined) throw new UsageError(`${cmd}: --warmup would replay the trace's first requests off schedule; drop it with --trace-timing recorded`);
  if (v['trace-speed'] !== undefined && timing !== 'recorded') throw new UsageError(`${cmd}: --trace-speed scales recorded timestamps: add --trace-timing recorded`);
  const speed = numOpt(v['trace-speed'] as string | undefined, 'trace-speed') ?? 1;
  if (format === 'kvlab' && (v['trace-preload'] !== undefined || v['trace-unknown-ops'] !== undefined))
    throw new UsageError(`${cmd}: --trace-preload / --trace-unknown-ops apply to twitter traces (a kvlab trace's load is generated from its workload)`);
  const preload = oneOf(v['trace-preload'], '--trace-preload', ['none', 'first-write'] as const, cmd === 'load' ? 'first-write' : 'none');
  if (cmd === 'load' && format === 'twitter' && preload === 'none') throw new UsageError('load: a twitter trace loads with --trace-preload first-write (none loads nothing)');
  const unknownOps = oneOf<UnknownOps>(v['trace-unknown-ops'], '--trace-unknown-ops', ['error', 'skip'] as const, 'error');
  return { format, formatDetected: given === undefined, timing, speed, preload: format === 'kvlab' ? 'none' : preload, unknownOps };
}

/**
 * The stand-in workload of a Twitter trace replay: placeholder properties (one key, raw values)
 * that only give the harness its shape; every operation, key and value size comes from the trace.
 */
export function twitterWorkload(trace: string): Workload {
  const props = { recordcount: '1', operationcount: '0', readproportion: '1', updateproportion: '0', fieldcount: '1', fieldlength: '1', valuemode: 'raw', rawvaluelength: '1' };
  return { ...loadWorkload([], props), name: `trace:${path.basename(trace)}` };
}

const ANALYZE_HELP = `usage: kvlab trace analyze FILE [--format twitter|kvlab] [--out PROPS] [--unknown-ops error|skip]

Reads a trace (Twitter's cache-trace CSV or kvlab's own) and prints a YCSB property file that
\`kvlab run -P\` accepts: recordcount (distinct keys), operationcount, the operation mix,
requestdistribution=zipfian with zipfianconstant (theta, maximum-likelihood fit; R^2 and RMS
error in a comment), one field of the value-size distribution. Deletes and unknown operations
are counted in comments (YCSB has no delete).

  --format F          twitter | kvlab (default: detected from the first bytes)
  --out FILE          also write the property file to FILE
  --unknown-ops M     error (default) | skip (counted in a comment)

example: kvlab trace analyze workloads/traces/samples/twitter-theta0.9.csv --out t.props && kvlab run -P t.props --engine map`;

const GENERATE_HELP = `usage: kvlab trace generate --out FILE [--sample NAME | --theta X --keys N --requests N --rate N --seed N --value-min N --value-max N]

Writes a deterministic sample in exactly Twitter's cache-trace CSV format with known parameters
(exact zipf key popularity, fixed op mix of every operation, one value size per key, timestamps
at exactly --rate requests per second).

  --sample NAME       one of the shipped samples (${Object.keys(SAMPLES).join(', ')}): same bytes as workloads/traces/samples/NAME.csv
  --theta X           zipf exponent (default 0.9)      --keys N       distinct keys (default 1000)
  --requests N        lines (default 12000)            --rate N       requests per second (default 200)
  --seed N            PRNG seed (default 1)            --value-min N / --value-max N   value sizes (default 16 / 1024)`;

/** Runs `kvlab trace analyze|generate`. Returns the exit code. */
export async function traceCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(`usage: kvlab trace analyze|generate [options]   (kvlab trace <sub> --help)\n\n${ANALYZE_HELP}\n\n${GENERATE_HELP}\n`);
    return sub === undefined ? 2 : 0;
  }
  if (sub === 'analyze') return analyze(rest);
  if (sub === 'generate') return generate(rest);
  throw new UsageError(`trace: unknown subcommand '${sub}' (analyze, generate)`);
}

function analyze(argv: string[]): number {
  const { values: v, positionals } = parse(argv, { format: { type: 'string' }, out: { type: 'string' }, 'unknown-ops': { type: 'string' }, help: { type: 'boolean', short: 'h' } }, 'trace analyze', true);
  if (v.help) {
    process.stdout.write(ANALYZE_HELP + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`trace analyze: give one trace FILE, got ${positionals.length}`);
  const file = positionals[0]!;
  if (!fs.existsSync(file)) throw new UsageError(`trace analyze: trace not found: ${file}`);
  if (v.out !== undefined) checkOutFile(v.out as string);
  const format = v.format === undefined ? detectTraceFormat(file) : oneOf(v.format, '--format', ['twitter', 'kvlab'] as const, 'twitter');
  const unknownOps = oneOf<UnknownOps>(v['unknown-ops'], '--unknown-ops', ['error', 'skip'] as const, 'error');
  if (format === 'kvlab' && v['unknown-ops'] !== undefined) throw new UsageError('trace analyze: --unknown-ops applies to twitter traces');
  const stats = format === 'twitter' ? analyzeTwitter(file, unknownOps) : analyzeKvlab(file);
  const { text } = propertiesFor(stats);
  process.stdout.write(text);
  if (v.out !== undefined) {
    fs.writeFileSync(v.out as string, text);
    process.stderr.write(`properties written to ${v.out as string}\n`);
  }
  return 0;
}

function generate(argv: string[]): number {
  const opts = { out: { type: 'string' }, sample: { type: 'string' }, theta: { type: 'string' }, keys: { type: 'string' }, requests: { type: 'string' }, rate: { type: 'string' }, seed: { type: 'string' }, 'value-min': { type: 'string' }, 'value-max': { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;
  const { values: v } = parse(argv, opts, 'trace generate');
  if (v.help) {
    process.stdout.write(GENERATE_HELP + '\n');
    return 0;
  }
  const out = v.out as string | undefined;
  if (out === undefined) throw new UsageError('trace generate: --out FILE is required');
  checkOutFile(out);
  let spec: SampleSpec;
  if (v.sample !== undefined) {
    const s = SAMPLES[v.sample as string];
    if (s === undefined) throw new UsageError(`trace generate: unknown sample '${v.sample as string}' (known: ${Object.keys(SAMPLES).join(', ')})`);
    if (['theta', 'keys', 'requests', 'rate', 'seed', 'value-min', 'value-max'].some((k) => v[k] !== undefined)) throw new UsageError('trace generate: --sample fixes every parameter; drop the others');
    spec = s;
  } else {
    spec = {
      theta: numOpt(v.theta as string | undefined, 'theta') ?? 0.9,
      keys: intOpt(v.keys as string | undefined, 'keys') ?? 1000,
      requests: intOpt(v.requests as string | undefined, 'requests') ?? 12000,
      rate: intOpt(v.rate as string | undefined, 'rate') ?? 200,
      seed: intOpt(v.seed as string | undefined, 'seed', 0) ?? 1,
      valueMin: intOpt(v['value-min'] as string | undefined, 'value-min') ?? 16,
      valueMax: intOpt(v['value-max'] as string | undefined, 'value-max') ?? 1024,
      mix: SAMPLE_MIX,
    };
  }
  fs.writeFileSync(out, generateSample(spec));
  process.stderr.write(`sample written to ${out} (${spec.requests} requests, ${spec.keys} keys, theta ${spec.theta}, ${spec.rate}/s)\n`);
  return 0;
}
