// The cost of merging, checked: a scale-out run's merged p50/p99/p99.9 (HDR histograms summed bucket by
// bucket) against the same percentiles computed exactly from every raw service time of that run
// (`kvlab run --clients N --raw-latencies DIR`), and against the average of the clients' own p99
// (what averaging percentiles would report). 3 significant digits: a merged value must lie within
// 0.1% above the exact one (HdrHistogram reports a bucket's highest equivalent value). The exact value
// is taken at the histogram's own rank convention, so the comparison is rank for rank.
// Usage: node bench/merge-precision.mjs RESULTS.json RAWDIR
import * as fs from 'node:fs';
import * as path from 'node:path';

const [file, dir] = process.argv.slice(2);
if (!file || !dir) {
  console.error('usage: node bench/merge-precision.mjs RESULTS.json RAWDIR');
  process.exit(2);
}
const r = JSON.parse(fs.readFileSync(file, 'utf8'));
const t = r.phases.find((p) => p.phase === 'run').trials[0];
const parts = fs.readdirSync(dir).filter((f) => f.endsWith('.f64')).sort();
const arrays = parts.map((f) => {
  const b = fs.readFileSync(path.join(dir, f));
  return new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8);
});
const all = new Float64Array(arrays.reduce((a, x) => a + x.length, 0));
let at = 0;
for (const a of arrays) {
  all.set(a, at);
  at += a.length;
}
all.sort();
// the value at hdr-histogram-js's rank for a percentile, floor(p/100 * n + 0.5) (1-based, at least 1),
// of the values as recorded (rounded ns); so both sides pick the same rank and only the bucketing differs
const exact = (p) => Math.round(all[Math.max(1, Math.floor((p / 100) * all.length + 0.5)) - 1]);
const merged = t.overall.latency.percentiles;
console.log(`${r.engine.label}, ${r.workload.name}: ${t.clients.length} clients, ${all.length} raw service times (${parts.length} files), merged histogram count ${t.overall.latency.count}`);
for (const [k, p] of [['p50', 50], ['p99', 99], ['p99_9', 99.9]]) {
  const e = exact(p);
  const m = merged[k];
  console.log(`${k}: merged ${m} ns, exact from raw ${e} ns, merged/exact ${(m / e).toFixed(5)} (${(((m - e) / e) * 100).toFixed(3)}%)`);
}
const avgP99 = t.clients.reduce((a, c) => a + c.latency.percentiles.p99, 0) / t.clients.length;
console.log(`average of the clients' p99: ${Math.round(avgP99)} ns, /exact ${(avgP99 / exact(99)).toFixed(4)}; clients' p99: ${t.clients.map((c) => c.latency.percentiles.p99).join(', ')} ns`);
