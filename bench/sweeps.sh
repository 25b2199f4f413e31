#!/usr/bin/env bash
# Issue 19's sweep figures (kvlab sweep, cost models drawn over the points):
#   bloom:      lsm bloomBits 0..16 on workload C (zipfian) with half the gets sent to keys never
#               loaded (missingreadproportion=0.5): measured false-positive rate, zero-result lookup
#               cost and blocks per get against (1 − e^(−k/b))^k and Monkey's Σ fpᵢ, per point;
#   compaction: lsm leveled vs tiered at sizeRatio 4, 10, 20 on workload A: write amplification of
#               the load and space amplification against Dostoevsky's leveling / tiering terms.
# Run through the quiet tool:  ../shared/tools/quiet -- bash bench/sweeps.sh OUTDIR [bloom|compaction|all] [RECORDS] [OPS] [TRIALS]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: bench/sweeps.sh OUTDIR [bloom|compaction|all] [RECORDS] [OPS] [TRIALS]}
which=${2:-all}
n=${3:-1000000}
ops=${4:-500000}
trials=${5:-2}
kv="node dist/cli/main.js"
size=(-p recordcount="$n" -p operationcount="$ops" -p maxexecutiontime=60)
if [ "$which" = bloom ] || [ "$which" = all ]; then
  $kv sweep --engine lsm --vary bloomBits=0,2,4,6,8,10,12,16 -P workloads/workloadc "${size[@]}" \
    -p missingreadproportion=0.5 --trials "$trials" --out "$out/bloom"
fi
if [ "$which" = compaction ] || [ "$which" = all ]; then
  $kv sweep --engine lsm --vary sizeRatio=4,10,20 --vary compaction=leveled,tiered -P workloads/workloada "${size[@]}" \
    --trials "$trials" --out "$out/compaction"
fi
