/**
 * The coordinator of a scale-out run (`kvlab load|run --clients N [--agents A,B]`, and the cells
 * of `kvlab matrix --clients LIST`): gives each
 * client process its share (load: YCSB's insertstart/insertcount split, each key loaded exactly
 * once; run: operationcount and the open-loop target split, a seed per client), starts them all
 * at one instant (a barrier after every client has opened its engine and warmed up; clock
 * offsets measured there), collects their streamed interval histograms and results, and merges
 * them exactly (merge.ts) into one results file. Each trial runs in fresh client processes.
 *
 * A client, agent or connection that dies mid-run ends the run with an error naming it; what
 * was measured until then is kept, marked `partial`. One that fails before the barrier fails
 * the run (nothing was measured).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KvError, type ErrorCode } from '../../engines/errors.js';
import { NodeFs } from '../../engines/fs.js';
import { resolveNamespace } from '../../engines/reference/namespace.js';
import { parseEngineSpec } from '../../engines/registry.js';
import { descriptorFor } from '../engines.js';
import { mergeTrials, type TrialJob, type WorkloadSpec } from '../fork.js';
import { validateResults, type ResultsFile } from '../results.js';
import { summarize } from '../summary.js';
import type { Workload } from '../workload.js';
import { writeIntervalLog } from './hlog.js';
import { connectAgentClient, spawnLocalClient, type ClientLink } from './links.js';
import { mergeClientTrials, type ClientOutcome } from './merge.js';
import { clientSeed, clockMs, PROTOCOL_VERSION, shares, type ClientJob, type FromClient } from './protocol.js';

/** A scale-out run as the CLI asks for it. */
export interface ScaleOutOptions {
  /** The benchmark as one process would run it (one phase; harnessCost measured by the caller). */
  job: Omit<TrialJob, 'out'>;
  /** The parsed workload (shares are cut from its config). */
  workload: Workload;
  /** Clients in all (local), or per agent. */
  clients: number;
  /** Agents (HOST:PORT) to run the clients under, or null for local child processes. */
  agents: string[] | null;
  /** Every client gets its own store (`<dir>/client-<i>`); else all share the one in `dir`. */
  ownStores: boolean;
  trials: number;
  /** `--out` without `.json`: the interval logs go to `<base>.t<trial>.<phase>.hlog`; null: none written. */
  hlogBase: string | null;
  /**
   * Wipe the store before each trial (a matrix cell: load and run from scratch, a fresh network
   * namespace); else work on the store as found. Default false.
   */
  freshDir?: boolean;
  /** Each client writes its raw service times to `<dir>/client-<i>.f64` (ns, float64 LE; a check of the merge), or null. */
  rawLatenciesDir?: string | null;
}

/** Pings per client at the barrier; the one with the smallest round trip gives the offset. */
const PINGS = 8;
/** How far ahead of now the start instant is set, beyond twice the slowest round trip. */
const START_LEAD_MS = 100;

interface Live {
  link: ClientLink;
  out: ClientOutcome;
  ready: Promise<void>;
  done: Promise<void>;
  pong: ((clientMs: number) => void) | null;
  error: { code: string; message: string } | null;
  results: ResultsFile | null;
}

/** Builds client `i`'s job. */
function clientJob(o: ScaleOutOptions, i: number, total: number, namespace: string | null): { job: ClientJob; share: ClientOutcome['share']; target: number | null } {
  const phase = o.job.options.phases[0]!;
  const cfg = o.workload.config;
  const overrides = { ...o.job.workload.overrides };
  const share: ClientOutcome['share'] = {};
  if (phase === 'load') {
    const [start, count] = shares(cfg.insertcount, total)[i]!;
    overrides.insertstart = String(cfg.insertstart + start);
    overrides.insertcount = String(count);
    overrides.recordcount = String(cfg.recordcount);
    Object.assign(share, { insertstart: cfg.insertstart + start, insertcount: count });
  } else if (cfg.operationcount > 0) {
    const [, count] = shares(cfg.operationcount, total)[i]!;
    overrides.operationcount = String(count);
    share.operationShare = count;
  }
  const target = o.job.options.targetOpsPerSec === null ? null : o.job.options.targetOpsPerSec / total;
  const seed = clientSeed(o.job.options.seed, i);
  const dir = o.ownStores ? path.join(o.job.options.dir, `client-${i}`) : o.job.options.dir;
  const workload: WorkloadSpec = { ...o.job.workload, overrides };
  const job: ClientJob = {
    protocol: PROTOCOL_VERSION, index: i, count: total,
    // the coordinator alone wipes a fresh store (a client's wipe would delete what the others share)
    // clients of one store insert new run-phase keys of their own (InsertLane), never each other's
    trial: { options: { ...o.job.options, phases: [phase], dir, seed, targetOpsPerSec: target, freshDir: false, insertLane: o.ownStores ? null : { index: i, count: total } }, workload },
    // local clients share the run's dir, whose marker names the namespace already; an agent's client writes it into its temporary dir
    shared: !o.ownStores && i > 0, namespace: o.ownStores || o.agents === null ? null : namespace, tempDir: o.agents !== null,
    rawLatenciesDir: o.rawLatenciesDir ?? null,
  };
  return { job, share, target };
}

function track(link: ClientLink, out: ClientOutcome): Live {
  let readyOk!: () => void;
  let readyFail!: (e: Error) => void;
  const l: Live = { link, out, ready: new Promise((a, b) => ((readyOk = a), (readyFail = b))), done: Promise.resolve(), pong: null, error: null, results: null };
  l.ready.catch(() => undefined);
  let isReady = false;
  link.onMessage = (m: FromClient) => {
    switch (m.t) {
      case 'hello': Object.assign(out, { pid: m.pid, host: m.host }); break;
      case 'ready': isReady = true; readyOk(); break;
      case 'pong': l.pong?.(m.clientMs); break;
      case 'started': out.startedClientMs = m.epochMs; break;
      case 'interval': out.intervals.push({ tMs: m.tMs, operations: m.operations, failures: m.failures, hist: m.hist, intendedHist: m.intendedHist }); break;
      case 'result': l.results = m.results; break;
      case 'error': l.error = { code: m.code, message: m.message }; if (!isReady) readyFail(new KvError(m.code as ErrorCode, `${link.label}: ${m.message}`)); break;
    }
  };
  l.done = link.ended.then((why) => {
    if (l.results === null && l.error === null) l.error = { code: 'IO', message: `${why} before it sent its results` };
    if (!isReady) readyFail(new KvError((l.error?.code ?? 'IO') as ErrorCode, `${link.label}: ${l.error?.message ?? why}`));
  });
  return l;
}

/** Measures `l`'s clock offset from PINGS round trips (the one with the least round trip). */
async function measureClock(l: Live): Promise<void> {
  let best = { rtt: Infinity, offset: 0 };
  for (let id = 0; id < PINGS; id++) {
    const t0 = clockMs();
    const clientMs = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new KvError('TIMEOUT', `${l.link.label}: no answer to a clock ping in 5 s`)), 5000);
      l.pong = (c) => {
        clearTimeout(timer);
        resolve(c);
      };
      l.link.send({ t: 'ping', id });
    });
    const t1 = clockMs();
    if (t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: clientMs - (t0 + t1) / 2 };
  }
  l.pong = null;
  l.out.rttMs = best.rtt;
  l.out.clockOffsetMs = best.offset;
}

/** Runs one trial: clients launched, barrier, start, collected; the merged single-trial results. */
async function runTrial(o: ScaleOutOptions, t: number, namespace: string | null): Promise<ResultsFile> {
  const phase = o.job.options.phases[0]!;
  const agents = o.agents;
  const total = agents === null ? o.clients : o.clients * agents.length;
  const lives: Live[] = [];
  try {
    for (let i = 0; i < total; i++) {
      const { job, share, target } = clientJob(o, i, total, namespace);
      const link = agents === null ? spawnLocalClient(i) : await connectAgentClient(agents[Math.floor(i / o.clients)]!, i);
      const out: ClientOutcome = {
        index: i, host: '?', agent: link.agent, pid: 0, seed: job.trial.options.seed, share, targetOpsPerSec: target,
        clockOffsetMs: 0, rttMs: 0, startedClientMs: null, intervals: [], trial: null,
      };
      const l = track(link, out);
      lives.push(l);
      link.send({ t: 'job', job });
    }
    // the barrier: every client has opened its store and warmed up
    await Promise.all(lives.map((l) => l.ready));
    await Promise.all(lives.map((l) => measureClock(l)));
    const barrierMs = clockMs() + START_LEAD_MS + 2 * Math.max(...lives.map((l) => l.out.rttMs));
    for (const l of lives) l.link.send({ t: 'start', atMs: barrierMs + l.out.clockOffsetMs });
    await Promise.all(lives.map((l) => l.done));
    for (const l of lives) {
      const tr = l.results?.phases.find((p) => p.phase === phase)?.trials[0];
      if (tr) l.out.trial = tr;
      else l.out.lost = l.error ?? { code: 'IO', message: 'no results' };
    }
    const live = lives.find((l) => l.results !== null);
    if (!live) throw new KvError((lives[0]!.error?.code ?? 'IO') as ErrorCode, `every client failed; ${lives[0]!.link.label}: ${lives[0]!.error?.message ?? 'no results'}`);
    const { trial, intervals } = mergeClientTrials(lives.map((l) => l.out), barrierMs, o.job.options.intervalMs);
    trial.trial = t;
    if (o.hlogBase !== null) {
      const file = `${o.hlogBase}.t${t}.${phase}.hlog`;
      writeIntervalLog(file, barrierMs, intervals, lives.map((l) => l.out), `kvlab ${phase} ${o.job.options.engine}, ${total} clients, trial ${t}: untagged = merged, Tag=client-<i> = client i (ns; Interval_Max in ms)`);
      trial.hlog = path.basename(file);
    }
    return assemble(o, live.results!, trial, lives, total);
  } finally {
    for (const l of lives) l.link.kill();
  }
}

/** The merged single-trial results file, based on the first client that finished. */
function assemble(o: ScaleOutOptions, base: ResultsFile, trial: ResultsFile['phases'][number]['trials'][number], lives: Live[], total: number): ResultsFile {
  const phase = o.job.options.phases[0]!;
  const notes = [...new Set(lives.flatMap((l) => l.results?.notes ?? []))];
  notes.push(`${total} client processes${o.agents ? ` under ${o.agents.length} agents (${o.agents.join(', ')})` : ''} started together at one barrier; figures are their exact merge (histograms summed bucket by bucket), engine stats and amplification are client 0's`);
  if (phase === 'run' && o.workload.config.proportions.insert > 0 && total > 1 && !o.ownStores)
    notes.push(`run-phase inserts: client i of ${total} names its k-th new key recordcount + k·${total} + i (kvlab's insert lanes, workloads/stream.ts), so no client overwrites another's; each reads only its own new keys besides the loaded ones (N YCSB clients would overwrite each other's)`);
  const lost = lives.filter((l) => l.out.trial === null || l.results?.partial);
  const firstLost = lost[0];
  const partial = firstLost === undefined ? undefined
    : firstLost.out.trial === null
      ? { code: firstLost.error?.code ?? 'IO', reason: `${firstLost.link.label} ended mid-run: ${firstLost.error?.message ?? 'no results'}; what every client measured until then is kept, marked partial` }
      : { code: firstLost.results!.partial!.code, reason: `${firstLost.link.label}: ${firstLost.results!.partial!.reason}` };
  return validateResults({
    ...base,
    workload: { ...base.workload, properties: o.workload.props, seed: o.job.options.seed },
    harness: {
      ...base.harness, targetOpsPerSec: o.job.options.targetOpsPerSec,
      clients: { count: total, mode: o.agents ? 'agents' : 'processes', ownStores: o.ownStores, ...(o.agents ? { agents: o.agents, clientsPerAgent: o.clients } : {}) },
    },
    run: { ...base.run, argv: o.job.options.argv },
    engine: { ...base.engine, dir: base.engine.dir === null ? null : o.job.options.dir },
    phases: [{ phase, trials: [trial], summary: summarize([trial]) }],
    notes,
    ...(partial ? { partial } : {}),
  }, 'merged clients');
}

/**
 * Whether `total` clients (under agents or not) can run `engine`: NOT_SUPPORTED when agents are
 * asked for an embedded engine (other hosts reach only a network store), or several clients for
 * one store that one process owns (without `ownStores`). The one rule `kvlab load|run` and
 * `kvlab matrix` check before any work, and {@link runScaleOut} again.
 */
export function checkScaleOut(engine: string, total: number, ownStores: boolean, agents: boolean): void {
  const d = descriptorFor(engine);
  if (agents && d.role !== 'network')
    throw new KvError('NOT_SUPPORTED', `--agents runs clients on other hosts, which reach only a network store; ${engine} is embedded (its store is a directory on one host)`);
  if (total > 1 && !ownStores && d.sharedOpen !== true)
    throw new KvError('NOT_SUPPORTED', `${engine} is owned by one process (it cannot be opened by ${total} clients at once): give each client its own store with --clients-own-stores, reported as such`);
}

/**
 * Runs the scale-out benchmark: `trials` trials, each in fresh client processes; returns one
 * validated results file (trials merged as forked trials are). NOT_SUPPORTED (before any work)
 * for an engine one process owns without `ownStores`, or under agents an engine that is not a
 * network store.
 */
export async function runScaleOut(o: ScaleOutOptions): Promise<ResultsFile> {
  const spec = parseEngineSpec(o.job.options.engine);
  const d = descriptorFor(spec.name);
  const total = o.agents === null ? o.clients : o.clients * o.agents.length;
  if (!Number.isInteger(o.clients) || o.clients < 1) throw new KvError('INVALID_ARGUMENT', `--clients must be a positive integer, got ${o.clients}`);
  checkScaleOut(spec.name, total, o.ownStores, o.agents !== null);
  const dir = o.job.options.dir;
  const parts: ResultsFile[] = [];
  for (let t = 0; t < o.trials; t++) {
    if (o.freshDir) fs.rmSync(dir, { recursive: true, force: true });
    if (d.capabilities.persistent || d.role === 'network') fs.mkdirSync(dir, { recursive: true });
    // the clients of a shared network store write one namespace: named once here, in the run's dir
    const namespace = d.role === 'network' && !o.ownStores && spec.options.namespace === undefined ? resolveNamespace('', dir, new NodeFs()) : null;
    // each phase is its own barrier start (load, then run on what the clients loaded)
    let r: ResultsFile | null = null;
    for (const phase of o.job.options.phases) {
      const one = await runTrial({ ...o, job: { ...o.job, options: { ...o.job.options, phases: [phase] } } }, t, namespace);
      r = r === null ? one : { ...one, phases: [...r.phases, ...one.phases], ...(one.partial ? { partial: one.partial } : {}) };
      if (one.partial) break;
    }
    parts.push(validateResults(r!, 'merged clients'));
    if (r!.partial) break;
  }
  return parts.length === 1 ? { ...parts[0]!, harness: { ...parts[0]!.harness, forked: true } } : mergeTrials(parts);
}
