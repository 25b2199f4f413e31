#!/usr/bin/env bash
# lsm's worst put latency while it flushes and compacts: load N records (YCSB workload A's
# records, durability none) with the inline-compaction build (KVLAB_BEFORE=dir of a checkout
# with dist/ built) and with this checkout, interleaved, TRIALS times each; prints the INSERT
# p99, p99.9 and max of each load and its write-stall counters. Run through ../shared/tools/quiet.
# Usage: KVLAB_BEFORE=/work/pre16 bash bench/lsm-put-latency.sh OUT_DIR RECORDS TRIALS
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1 n=$2 trials=$3
before=${KVLAB_BEFORE:?set KVLAB_BEFORE to a checkout with dist built}
data=${KVLAB_BENCH_DATA:-/work/bench-data}
mkdir -p "$out" "$data"
for t in $(seq 1 "$trials"); do
  for side in before after; do
    root=$([ "$side" = before ] && echo "$before" || pwd)
    dir="$data/lsm-put-$side"
    rm -rf "$dir"
    node "$root/dist/cli/main.js" load -P workloads/workloada -p recordcount="$n" --engine lsm --dir "$dir" -q --no-harness-cost \
      --out "$out/$side-$t.json" > /dev/null
    node -e '
      const r = require(process.argv[1]); const t = r.phases[0].trials[0]; const l = t.ops.INSERT.latency; const x = t.engineStats.after.extra;
      const ms = (ns) => (ns / 1e6).toFixed(2) + " ms";
      console.log(`${process.argv[2]} trial ${process.argv[3]}: ${Math.round(t.throughput)} inserts/s, p99 ${ms(l.percentiles.p99)}, p99.9 ${ms(l.percentiles.p99_9)}, max ${ms(l.max)}, stalls ${x.stalls} (${Math.round(x.stallMs)} ms)`);
    ' "$(realpath "$out/$side-$t.json")" "$side" "$t"
    rm -rf "$dir"
  done
done
