#!/usr/bin/env bash
# rocksdb vs lsm vs classic-level (issue 17): each engine loads N YCSB records once (durability
# none), then runs workloads A-F on that store, each for SECONDS x TRIALS (`kvlab run --trials`),
# under DURABILITY; prints a table of median throughput and per-op p99. Async engines (rocksdb,
# classic-level) run with KVLAB_THREADS operations in flight (default 8). Run it through
# ../shared/tools/quiet.
# Usage: bash bench/lsm-engines.sh OUT_DIR RECORDS SECONDS TRIALS DURABILITY ENGINE...
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "$1") n=$2 secs=$3 trials=$4 dur=$5
shift 5
mkdir -p "$out"
data=${KVLAB_BENCH_DATA:-/work/bench-data}
printf '%-44s %-2s %10s %s\n' "engine ($dur, $n records, median of $trials)" wl ops/s 'per-op p99 (ms)' | tee "$out/table-$dur.txt"
for e in "$@"; do
  safe=${e//[^A-Za-z0-9_.=-]/_}
  dir="$data/$safe-$n"
  rm -rf "$dir"
  mkdir -p "$dir"
  th=(--threads "${KVLAB_THREADS:-8}")
  node dist/cli/main.js load -P workloads/workloada -p recordcount="$n" --engine "$e" --dir "$dir" --durability none "${th[@]}" -q --out "$out/$safe-$n-load.json" > /dev/null 2>> "$out/stderr.log"
  node -e 'const r=require(process.argv[1]);const t=r.phases[0].trials[0];console.log(`${process.argv[2].padEnd(44)} load ${String(Math.round(t.throughput)).padStart(8)}`)' "$out/$safe-$n-load.json" "$e" | tee -a "$out/table-$dur.txt"
  for wl in a b c d e f; do
    f="$out/$safe-$n-$dur-$wl.json"
    node dist/cli/main.js run -P "workloads/workload$wl" -p recordcount="$n" -p operationcount=1000000000 -p maxexecutiontime="$secs" --trials "$trials" \
      --engine "$e" --dir "$dir" --durability "$dur" "${th[@]}" -q --out "$f" > /dev/null 2>> "$out/stderr.log"
    node -e '
      const r = require(process.argv[1]); const ts = r.phases[r.phases.length - 1].trials;
      if (r.notApplicable) { console.log(`${process.argv[2].padEnd(44)} ${process.argv[3].padEnd(2)} ${"n/a".padStart(10)} ${r.notApplicable.reason}`); process.exit(0); }
      const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[(s.length - 1) >> 1]; };
      const ms = (ns) => (ns / 1e6).toFixed(2);
      const ops = Object.keys(ts[0].ops).map((k) => `${k} ${ms(med(ts.map((t) => t.ops[k].latency.percentiles.p99)))}`).join(", ");
      console.log(`${process.argv[2].padEnd(44)} ${process.argv[3].padEnd(2)} ${String(Math.round(med(ts.map((t) => t.throughput)))).padStart(10)} ${ops}`);
    ' "$f" "$e" "$wl" | tee -a "$out/table-$dur.txt"
  done
  rm -rf "$dir"
done
