/**
 * Scale-out fixtures for reports: a real results file (fixtures.ts) turned into a multi-client
 * one: `harness.clients` set and every trial given `clients[]` whose operations and throughputs
 * sum to the trial's own (split by `weights`, so a planted straggler is a small weight).
 */
import { validateResults, type ClientTrial, type ResultsFile } from '../../harness/results.js';

/** Options of {@link withClients}. */
export interface WithClientsOptions {
  /** Relative share of each client (default all equal); its length is the client count. */
  weights: readonly number[];
  ownStores?: boolean;
  /** Host name of every client (default `host-<index>`). */
  host?: string;
  /** Run under these agents (HOST:PORT, `clientsPerAgent` each) instead of as local children. */
  agents?: readonly string[];
}

/** A deep copy of `r` as a scale-out run of `weights.length` client processes (validated). */
export function withClients(r: ResultsFile, opts: WithClientsOptions): ResultsFile {
  const c = structuredClone(r);
  const n = opts.weights.length;
  const total = opts.weights.reduce((a, b) => a + b, 0);
  const per = opts.agents ? Math.ceil(n / opts.agents.length) : 0;
  c.harness.clients = opts.agents
    ? { count: n, mode: 'agents', ownStores: opts.ownStores ?? false, agents: [...opts.agents], clientsPerAgent: per }
    : { count: n, mode: 'processes', ownStores: opts.ownStores ?? false };
  for (const p of c.phases) {
    for (const t of p.trials) {
      t.clients = opts.weights.map((w, i): ClientTrial => ({
        index: i, host: opts.host ?? `host-${i}`, agent: opts.agents ? opts.agents[Math.floor(i / per)]! : null, pid: 1000 + i, seed: c.workload.seed + i,
        operationShare: Math.round((t.operations * w) / total), targetOpsPerSec: null,
        operations: Math.round((t.operations * w) / total), durationMs: t.durationMs, throughput: (t.throughput * w) / total,
        stoppedBy: t.stoppedBy, failures: 0, latency: t.overall.latency, intendedLatency: null,
        intervals: [], clockOffsetMs: 0.25 * i, rttMs: 0.1, startSkewMs: 0.5 * i,
      }));
    }
  }
  return validateResults(c, 'withClients');
}
