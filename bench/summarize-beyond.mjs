// Summarizes bench/beyond-memory.sh output directories: per engine and record count, load / C / A
// median throughput, C and A p99, device bytes read and major faults per op, the cgroup peak and
// the data-to-memory ratio. Usage: node bench/summarize-beyond.mjs DIR...
import * as fs from 'node:fs';
const rows = [];
for (const dir of process.argv.slice(2)) {
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.json'))) {
    const r = JSON.parse(fs.readFileSync(`${dir}/${f}`, 'utf8'));
    if (r.kind !== 'kvlab-results') continue;
    const m = /-(\d+)-(load|c|a)\.json$/.exec(f);
    if (!m) continue;
    const ph = r.phases[0];
    const t = ph.trials[0];
    rows.push({
      engine: r.engine.label, n: Number(m[1]), what: m[2], tput: ph.summary.throughput.median, p99: ph.summary.overall.p99.median,
      readPerOp: t.io.delta ? t.io.delta.read_bytes / Math.max(1, t.operations) : null, majPerOp: t.faults ? t.faults.major / Math.max(1, t.operations) : null,
      peak: t.memory.cgroup?.peakBytes ?? null, ratio: r.environment.dataset.ratioToMemory, limit: r.harness.memoryLimit?.bytes ?? null, partial: r.partial?.code,
    });
  }
}
const key = (e, n) => `${e}|${n}`;
const by = new Map();
for (const x of rows) (by.get(key(x.engine, x.n)) ?? by.set(key(x.engine, x.n), {}).get(key(x.engine, x.n)))[x.what] = x;
const fmt = (v) => (v == null ? 'n/a' : Math.round(v).toLocaleString('en-US'));
const us = (ns) => (ns == null ? 'n/a' : `${(ns / 1000).toFixed(ns < 1e5 ? 1 : 0)} µs`);
console.log('| engine | records | data : memory | load ops/s | C ops/s | C p99 | C device bytes/op | C major faults/op | A ops/s | A p99 | cgroup peak (C) |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const [k, v] of [...by.entries()].sort()) {
  const [e, n] = k.split('|');
  const any = v.load ?? v.c ?? v.a;
  console.log(`| ${e} | ${Number(n).toLocaleString('en-US')} | ${any.ratio.toFixed(2)}× ${any.limit ? `${(any.limit / 2 ** 20).toFixed(0)} MiB` : 'RAM'} | ${fmt(v.load?.tput)}${v.load?.partial ? ' PARTIAL' : ''} | ${fmt(v.c?.tput)} | ${us(v.c?.p99)} | ${fmt(v.c?.readPerOp)} | ${v.c?.majPerOp == null ? 'n/a' : v.c.majPerOp.toFixed(2)} | ${fmt(v.a?.tput)} | ${us(v.a?.p99)} | ${v.c?.peak ? `${(v.c.peak / 2 ** 20).toFixed(0)} MiB` : 'n/a'} |`);
}
