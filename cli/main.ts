#!/usr/bin/env node
/**
 * The `kvlab` command line. Commands: load, run, matrix, sweep, search, report, compare, crash, engines, micro,
 * inspect, agent, trace, help.
 * Exit codes: 0 success; 2 usage error (unknown command, option, engine, engine option,
 * property or file; bad value) printed as ONE line on stderr; 1 any other failure.
 */
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KvError } from '../engines/errors.js';
import { oneLine, UsageError } from './args.js';
import { benchCommand } from './commands/bench.js';
import { enginesCommand } from './commands/engines.js';
import { inspectCommand } from './commands/inspect.js';
import { matrixCommand } from './commands/matrix.js';
import { microCommand } from './commands/micro.js';
import { compareCommand, reportCommand } from './commands/report.js';
import { crashCommand } from './commands/crash.js';
import { agentCommand } from './commands/agent.js';
import { sweepCommand } from './commands/sweep.js';
import { searchCommand } from './commands/search.js';
import { traceCommand } from './commands/trace.js';

export const HELP = `usage: kvlab <command> [options]     (kvlab <command> --help for details)

commands:
  load      load a workload's records into an engine's store (YCSB load)
  run       run a workload's operations against a loaded store (YCSB run)
  matrix    every engine × workload: load + run, trials, results files, HTML report
  sweep     one engine over a grid of option values (or record counts), with cost models drawn over the points
  search    the highest open-loop rate that meets a latency SLO (e.g. --slo 'p99<1ms')
  report    HTML / Markdown / CSV / YCSB-text / .hgrm reports from results files
  compare   baseline vs candidate: per-metric verdicts from repeated trials (CI gate)
  crash     SIGKILL crash torture of one engine: lost acknowledged writes, recovery time
  engines   list engines with capabilities, limits and options
  micro     tinybench microbenchmarks of engine primitives and codecs
  inspect   check and dump a btree data directory
  agent     serve scale-out clients on this host for a coordinator's --agents
  trace     analyze a trace into a YCSB property file; generate Twitter-format samples
  help      this text

example:
  kvlab load -P workloads/workloada -p recordcount=100000 --engine hashlog --out results/load.json
  kvlab run  -P workloads/workloada -p recordcount=100000 --engine hashlog --out results/run.json
  kvlab matrix --engines hashlog,lmdb --workloads a,b,c,d,e,f --trials 3 --out results/m1`;

/** Usage-type error codes: the user asked for something that does not exist or is malformed. */
const USAGE_CODES = new Set(['INVALID_ARGUMENT', 'UNKNOWN_ENGINE', 'NOT_FOUND', 'NOT_SUPPORTED', 'TOO_LARGE']);

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'load':
      case 'run':
        return await benchCommand(cmd, rest);
      case 'matrix':
        return await matrixCommand(rest);
      case 'sweep':
        return await sweepCommand(rest);
      case 'search':
        return await searchCommand(rest);
      case 'report':
        return reportCommand(rest);
      case 'compare':
        return compareCommand(rest);
      case 'crash':
        return await crashCommand(rest);
      case 'engines':
        return enginesCommand(rest);
      case 'micro':
        return await microCommand(rest);
      case 'inspect':
        return await inspectCommand(rest);
      case 'agent':
        return await agentCommand(rest);
      case 'trace':
        return await traceCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(HELP + '\n');
        return cmd === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${cmd}' (commands: load, run, matrix, sweep, search, report, compare, crash, engines, micro, inspect, agent, trace, help)`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`kvlab: ${oneLine(e.message)}\n`);
      return 2;
    }
    if (e instanceof KvError) {
      process.stderr.write(`kvlab: ${e.code}: ${oneLine(e.message)}\n`);
      return USAGE_CODES.has(e.code) ? 2 : 1;
    }
    process.stderr.write(`kvlab: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}

function invokedDirectly(): boolean {
  if (process.argv[1] === undefined) return false;
  try {
    return fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
const isMain = invokedDirectly();
if (isMain) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // the command is done: an engine that stopped answering (a timed-out op) must not keep the process alive
      setTimeout(() => process.exit(code), 1000).unref();
    },
    (e) => {
      process.stderr.write(`kvlab: ${String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
