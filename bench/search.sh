#!/usr/bin/env bash
# Issue 19's search figure: the highest open-loop rate at which p99 (intended-start latency,
# coordinated omission corrected) stays under 1 ms on workload A, for null (the control: the
# harness's and machine's own floor), map (values on the JS heap), hashlog, lsm, btree and lmdb. Each search loads
# RECORDS once, then doubles from 2000 ops/s and bisects to 10% (at most 11 steps of STEP seconds,
# 2 s warm-up, 3 s idle between steps), each step in a fresh process on the same store.
# Run through the quiet tool:  ../shared/tools/quiet -- bash bench/search.sh OUTDIR [RECORDS] [STEP] [ENGINES]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: bench/search.sh OUTDIR [RECORDS] [STEP_SECONDS] [ENGINES]}
n=${2:-100000}
step=${3:-10}
engines=${4:-null map hashlog lsm btree lmdb}
mkdir -p "$out"
data=$(mktemp -d "${TMPDIR:-/tmp}/kvlab-search.XXXXXX")
trap 'rm -rf "$data"' EXIT
for e in $engines; do
  node dist/cli/main.js search -P workloads/workloada -p recordcount="$n" --engine "$e" --dir "$data/$e" \
    --slo 'p99<1ms' --start-rate 2000 --precision 10 --max-steps 11 --step-seconds "$step" --warmup-seconds 2 --cooldown 3 \
    --out "$out/$e.json" --report "$out/$e.html" --markdown "$out/$e.md" 2> "$out/$e.log" | tail -1 | tee -a "$out/summary.txt"
  rm -rf "${data:?}/$e"
done
