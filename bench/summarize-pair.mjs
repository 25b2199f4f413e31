// Summarizes a kvlab matrix directory of two engines: per workload, each engine's run-throughput
// median and 95% CI over its trials, the threads it ran at, and the ratio of the first engine's
// median to the second's. Usage: node bench/summarize-pair.mjs DIR ENGINE_A ENGINE_B
import * as fs from 'node:fs';
const [dir, a, b] = process.argv.slice(2);
const rows = {};
for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.json'))) {
  const r = JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8'));
  if (r.kind !== 'kvlab-results') continue;
  const run = r.phases.find((p) => p.phase === 'run');
  const load = r.phases.find((p) => p.phase === 'load');
  (rows[r.workload.name] ??= {})[r.engine.name] = { run: run.summary.throughput, load: load.summary.throughput, threads: r.harness.threads, busy: run.trials.filter((t) => t.machine?.busy).length, n: run.trials.length };
}
const ci = (s) => (s.ci95 ? `${Math.round(s.ci95[0])}–${Math.round(s.ci95[1])}` : 'n/a');
console.log(`| workload | ${a} run ops/s (CI95) | ${b} run ops/s (CI95), in flight | ${a}/${b} | load ${a} / ${b} ops/s | trials | busy trials |`);
console.log('|---|---|---|---|---|---|---|');
for (const w of Object.keys(rows).sort()) {
  const x = rows[w][a];
  const y = rows[w][b];
  console.log(`| ${w} | ${Math.round(x.run.median)} (${ci(x.run)}) | ${Math.round(y.run.median)} (${ci(y.run)}), ${y.threads} | ${(x.run.median / y.run.median).toFixed(2)} | ${Math.round(x.load.median)} / ${Math.round(y.load.median)} | ${x.n}+${y.n} | ${x.busy + y.busy} |`);
}
