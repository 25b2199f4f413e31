/** Cross-trial summaries of a phase: median and 95% CI of throughput and latency percentiles. */
import type { PhaseSummary, PhaseTrial, ResultOpType } from './results.js';
import { OP_TYPES } from './results.js';
import { trialStat } from './stats.js';

/** Summarises the trials of one phase (all must be of that phase; at least one). */
export function summarize(trials: PhaseTrial[]): PhaseSummary {
  const ops: PhaseSummary['ops'] = {};
  for (const t of OP_TYPES as readonly ResultOpType[]) {
    const present = trials.filter((x) => x.ops[t] !== undefined);
    if (present.length === 0) continue;
    const pick = (f: (r: NonNullable<PhaseTrial['ops'][ResultOpType]>) => number) => trialStat(present.map((x) => f(x.ops[t]!)));
    ops[t] = {
      p50: pick((r) => r.latency.percentiles.p50),
      p99: pick((r) => r.latency.percentiles.p99),
      p99_9: pick((r) => r.latency.percentiles.p99_9),
      failures: pick((r) => r.failures),
    };
  }
  const intended = trials.every((x) => x.overall.intendedLatency !== null);
  return {
    throughput: trialStat(trials.map((x) => x.throughput)),
    durationMs: trialStat(trials.map((x) => x.durationMs)),
    ops,
    overall: {
      p50: trialStat(trials.map((x) => x.overall.latency.percentiles.p50)),
      p99: trialStat(trials.map((x) => x.overall.latency.percentiles.p99)),
      intendedP99: intended ? trialStat(trials.map((x) => x.overall.intendedLatency!.percentiles.p99)) : null,
    },
  };
}
