/**
 * YCSB-style text output, so YCSB habits and tooling carry over:
 * `[OVERALL], RunTime(ms), 1234` ... `[READ], 99thPercentileLatency(us), 12.3` ... `[READ], Return=OK, 500`.
 * Latencies are in microseconds as YCSB prints them (with ns precision: 3 decimals).
 * With a target, `[INTENDED-READ]` lines give the coordinated-omission-corrected latency.
 */
import type { HistogramRecord, PhaseTrial, ResultsFile } from './results.js';
import { durabilityLabel } from './results.js';

const us = (ns: number): string => (ns / 1000).toFixed(3);

function histLines(tag: string, h: HistogramRecord): string[] {
  return [
    `[${tag}], Operations, ${h.count}`,
    `[${tag}], AverageLatency(us), ${us(h.mean)}`,
    `[${tag}], MinLatency(us), ${us(h.min)}`,
    `[${tag}], MaxLatency(us), ${us(h.max)}`,
    `[${tag}], 50thPercentileLatency(us), ${us(h.percentiles.p50)}`,
    `[${tag}], 95thPercentileLatency(us), ${us(h.percentiles.p95)}`,
    `[${tag}], 99thPercentileLatency(us), ${us(h.percentiles.p99)}`,
    `[${tag}], 99.9PercentileLatency(us), ${us(h.percentiles.p99_9)}`,
  ];
}

/** The YCSB-style block of one phase trial. */
export function trialText(t: PhaseTrial): string {
  const lines = [`[OVERALL], RunTime(ms), ${Math.round(t.durationMs)}`, `[OVERALL], Throughput(ops/sec), ${t.throughput.toFixed(2)}`];
  for (const [type, r] of Object.entries(t.ops)) {
    if (!r) continue;
    lines.push(...histLines(type, r.latency));
    lines.push(`[${type}], Return=OK, ${r.count - r.notFound}`);
    if (r.notFound > 0) lines.push(`[${type}], Return=NOT_FOUND, ${r.notFound}`);
    for (const [code, n] of Object.entries(r.failureCodes)) lines.push(`[${type}], Return=${code === 'VERIFY' ? 'UNEXPECTED_STATE' : `ERROR(${code})`}, ${n}`);
    if (r.failures > 0) lines.push(`[${type}-FAILED], Operations, ${r.failures}`);
    if (r.intendedLatency) lines.push(...histLines(`INTENDED-${type}`, r.intendedLatency));
  }
  return lines.join('\n');
}

/** The whole results file as text: a header line per phase/trial, then YCSB's lines. */
export function resultsText(r: ResultsFile): string {
  const head = `# kvlab ${r.run.command}: engine ${r.engine.label} (durability ${durabilityLabel(r.engine)}), ${r.workload.name}, seed ${r.workload.seed}`;
  if (r.notApplicable) return `${head}\n# NOT APPLICABLE: ${r.notApplicable.reason}`;
  const out = [head];
  if (r.partial) out.push(`# PARTIAL (${r.partial.code}): ${r.partial.reason}`);
  const lim = r.harness.memoryLimit;
  const ds = r.environment.dataset;
  if (lim) out.push(`# memory limit ${(lim.bytes / 2 ** 20).toFixed(0)} MiB (cgroup ${lim.cgroup}); dataset ≈ ${(ds.estimatedBytes / 2 ** 20).toFixed(0)} MiB = ${(ds.ratioToMemory ?? 0).toFixed(2)}× the memory`);
  if (r.harnessCost) out.push(`# harness cost (null engine, ${r.harnessCost.loop ?? 'sync'} loop${r.harnessCost.threads ? `, ${r.harnessCost.threads} in flight` : ''}): ${r.harnessCost.nsPerOp.toFixed(0)} ns/op`);
  for (const p of r.phases) {
    for (const t of p.trials) {
      out.push(`# phase ${p.phase}${p.trials.length > 1 ? ` trial ${t.trial + 1}/${p.trials.length}` : ''}`);
      out.push(trialText(t));
    }
    if (p.trials.length > 1) {
      const s = p.summary.throughput;
      const ci = s.ci95 ? ` (95% CI ${s.ci95[0].toFixed(0)}..${s.ci95[1].toFixed(0)})` : '';
      out.push(`# ${p.phase} over ${s.n} trials: median throughput ${s.median.toFixed(0)} ops/s${ci}`);
    }
  }
  return out.join('\n');
}
