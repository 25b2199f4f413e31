#!/usr/bin/env bash
# Issue 18's figures: one Redis server and a 3-primary Redis Cluster on loopback (AOF everysec),
# workloads A and C, kvlab with 1, 2, 4 and 8 client processes (8 in flight each; the merged,
# exact figures) beside redis-benchmark at the same total concurrency (-c 8·N; its own GET/SET of
# 1000-byte strings, random keys over the record count), same run; then the merge check: a
# 4-client run of C with every raw service time kept, its merged percentiles against the exact
# ones (bench/merge-precision.mjs); ioredis's bare floor on both targets (bench/redis-floor.mjs).
# Run through the quiet tool:  ../shared/tools/quiet -- bash bench/scale-out.sh OUTDIR [RECORDS] [SECONDS] [TRIALS] [CLIENTS] [WORKLOADS]
# (CLIENTS default "1 2 4 8", WORKLOADS default "a c")
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: bench/scale-out.sh OUTDIR [RECORDS] [SECONDS] [TRIALS]}
n=${2:-100000}
secs=${3:-8}
trials=${4:-2}
client_counts=${5:-1 2 4 8}
workload_list=${6:-a c}
mkdir -p "$out"
BENCH_NAME=scale-out
source bench/loopback-servers.sh
kv="node dist/cli/main.js"

rp=$(port); redis-server --port "$rp" --bind 127.0.0.1 --dir "$root" --save '' --appendonly yes --appendfsync everysec --daemonize no --logfile "$root/redis.log" > /dev/null 2>&1 & pids+=($!); wait_port "$rp"
nodes=()
for i in 0 1 2; do
  cp_=$(port); mkdir -p "$root/c$i"
  redis-server --port "$cp_" --bind 127.0.0.1 --dir "$root/c$i" --save '' --appendonly yes --appendfsync everysec --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 5000 --daemonize no --logfile "$root/c$i/redis.log" > /dev/null 2>&1 & pids+=($!)
  wait_port "$cp_"; nodes+=("127.0.0.1:$cp_")
done
redis-cli --cluster create "${nodes[@]}" --cluster-yes > "$root/cluster-create.log" 2>&1
for _ in $(seq 1 100); do redis-cli -p "${nodes[0]#*:}" cluster info | grep -q 'cluster_state:ok' && break; sleep 0.1; done
cluster_spec="redis-cluster:nodes=$(IFS=+; echo "${nodes[*]}")"
first_cp=${nodes[0]#*:}

{
  echo "# $(date -u +%FT%TZ) $(nproc) cores; redis-server $(redis-server --version | grep -o 'v=[0-9.]*'), AOF everysec; records $n; runs ${secs}s each, $trials trials; 8 in flight per client"
} | tee "$out/table.txt"

for target in "redis|redis:port=$rp|-p $rp" "redis-cluster|$cluster_spec|-p $first_cp --cluster"; do
  IFS='|' read -r name spec rb <<< "$target"
  dir="$root/$name-store"
  $kv load -P workloads/workloada -p recordcount="$n" --engine "$spec" --dir "$dir" --clients 4 --threads 8 --no-harness-cost --out "$out/$name-load.json" -q > /dev/null
  for w in $workload_list; do
    for c in $client_counts; do
      $kv run -P "workloads/workload$w" -p recordcount="$n" -p operationcount=0 -p maxexecutiontime="$secs" --engine "$spec" --dir "$dir" \
        --clients "$c" --threads 8 --trials "$trials" --no-harness-cost --out "$out/$name-$w-c$c.json" -q > /dev/null
      node -e '
        const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        const ph = r.phases.find((p) => p.phase === "run"), s = ph.summary;
        const per = ph.trials.map((t) => t.clients.map((c) => Math.round(c.throughput)).join("/")).join(" | ");
        console.log(`${process.argv[2]} ${r.workload.name} clients=${r.harness.clients.count}: ${Math.round(s.throughput.median)} ops/s (trials ${s.throughput.values.map(Math.round).join(", ")}), p99 ${(s.overall.p99.median / 1000).toFixed(0)} us; per client ${per}`);
      ' "$out/$name-$w-c$c.json" "$name" | tee -a "$out/table.txt"
      tests=$([ "$w" = c ] && echo get || echo set,get)
      # shellcheck disable=SC2086
      redis-benchmark $rb -t "$tests" -n $((40000 * c)) -c $((8 * c)) -d 1000 -r "$n" -q 2>/dev/null | tr '\r' '\n' | grep -E 'requests per second' | sed "s/^/  redis-benchmark $name -c $((8 * c)): /" | tee -a "$out/table.txt"
    done
  done
done

# ioredis's own floor (no kvlab code) on both targets, 8 in flight
node bench/redis-floor.mjs "$rp" "$first_cp" "$secs" | tee -a "$out/table.txt"

# the merge check: 4 clients, every raw service time kept
$kv run -P workloads/workloadc -p recordcount="$n" -p operationcount=200000 --engine "redis:port=$rp" --dir "$root/redis-store" \
  --clients 4 --threads 8 --no-harness-cost --raw-latencies "$root/raw" --out "$out/merge-check.json" -q > /dev/null
node bench/merge-precision.mjs "$out/merge-check.json" "$root/raw" | tee -a "$out/table.txt"
