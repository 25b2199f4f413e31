#!/usr/bin/env bash
# Caches and DynamoDB's API through kvlab (issue 17): starts one memcached, a pool of three
# (ketama), Redis as a cache (no AOF) and dynalite (DynamoDB's API, in its own node process), all
# on loopback, data under a temp dir removed at exit. For each target: `kvlab load` then
# `kvlab run` of YCSB workloads A and C at --threads 1, 8, 64 (each run bounded by
# maxexecutiontime), and beside Redis its own load tool, `redis-benchmark -c` at the same
# concurrency (SET and GET of 1000-byte values). etcd (1 and 3 members) is bench/etcd-clients.sh.
# Run it through ../shared/tools/quiet. A loopback round trip costs ~110 µs here, so 1 in flight
# is bounded near 8-9k ops/s.
# Usage: bash bench/real-targets.sh OUT_DIR [RECORDS=10000] [SECONDS=8] [THREADS="1 8 64"]
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "$1") n=${2:-10000} secs=${3:-8} threads=${4:-"1 8 64"}
mkdir -p "$out"
BENCH_NAME=targets-bench . bench/loopback-servers.sh
user=(); [ "$(id -u)" = 0 ] && user=(-u root)
# start_mc: one memcached; its address goes to $addr (no command substitution: the server must
# not hold the substitution's pipe, and its pid must reach the cleanup list)
start_mc() { local p; p=$(port); memcached -l 127.0.0.1 -p "$p" -U 0 -m 2048 -t 2 -c 4096 "${user[@]}" > /dev/null 2>&1 & pids+=($!); wait_port "$p"; addr="127.0.0.1:$p"; }
start_mc; mc1=$addr; pool=""
for _ in 1 2 3; do start_mc; pool+="${pool:++}$addr"; done
rp=$(port); redis-server --port "$rp" --bind 127.0.0.1 --dir "$root" --save '' --appendonly no --daemonize no --logfile "$root/redis.log" > /dev/null 2>&1 & pids+=($!); wait_port "$rp"
dp=$(port); node -e 'require("dynalite")({createTableMs:0,deleteTableMs:0,updateTableMs:0}).listen(Number(process.argv[1]),"127.0.0.1")' "$dp" > /dev/null 2>&1 & pids+=($!); wait_port "$dp"
{
  echo "memcached $(memcached -V | cut -d' ' -f2), redis-server $(redis-server --version | grep -o 'v=[0-9.]*'), dynalite $(node -p 'require("dynalite/package.json").version'); records $n, runs ${secs}s each"
  printf '%-16s %-2s %7s %10s %s\n' target wl threads ops/s 'per-op p50/p99 (ms)'
} | tee "$out/table.txt"
for target in "memcached|memcached:servers=$mc1" "memcached-pool|memcached:servers=$pool" "redis-cache|redis:port=$rp" "dynamodb|dynamodb:endpoint=http://127.0.0.1:$dp"; do
  name=${target%%|*} spec=${target#*|}
  for wl in a c; do
    for t in $threads; do
      dir="$root/data-$name-$wl-$t"
      node dist/cli/main.js load -P "workloads/workload$wl" -p recordcount="$n" --engine "$spec" --dir "$dir" -q --no-harness-cost --threads "$t" > /dev/null 2>> "$out/stderr.log"
      node dist/cli/main.js run -P "workloads/workload$wl" -p recordcount="$n" -p operationcount=1000000000 -p maxexecutiontime="$secs" --engine "$spec" --dir "$dir" -q --no-harness-cost \
        --threads "$t" --out "$out/$name-$wl-$t.json" > /dev/null 2>> "$out/stderr.log"
      node -e '
        const r = require(process.argv[1]); const t = r.phases[r.phases.length - 1].trials[0];
        const ms = (ns) => (ns / 1e6).toFixed(2);
        const per = Object.entries(t.ops).map(([k, o]) => `${k} ${ms(o.latency.percentiles.p50)}/${ms(o.latency.percentiles.p99)}`).join(", ");
        console.log(`${process.argv[2].padEnd(16)} ${process.argv[3].padEnd(2)} ${process.argv[4].padStart(7)} ${String(Math.round(t.throughput)).padStart(10)} ${per}`);
      ' "$out/$name-$wl-$t.json" "$name" "$wl" "$t" | tee -a "$out/table.txt"
    done
  done
done
for t in $threads; do
  redis-benchmark -p "$rp" -t set,get -n $((t < 8 ? 20000 : 100000)) -c "$t" -d 1000 -r "$n" -q 2>/dev/null | tr '\r' '\n' | grep -E 'requests per second' | sed "s/^/redis-benchmark -c $t: /" | tee -a "$out/table.txt"
done
