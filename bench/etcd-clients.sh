#!/usr/bin/env bash
# etcd through kvlab: starts one etcd member and a 3-member Raft cluster on loopback (plain
# shell, data under a temp dir, removed at exit), then for each target runs YCSB workloads A and
# C (`kvlab load` + `kvlab run`) at --threads 1, 8, 64 and prints a table of throughput and
# per-op p50/p99. etcd's own `benchmark` tool is not packaged in Debian (only etcd and etcdctl
# are in /usr/bin); with ETCD_CHECK_PERF=1 the script also runs `etcdctl check perf` (etcd's
# built-in load check) against each target. Run it through /work/shared/tools/quiet.
# Usage: bash bench/etcd-clients.sh OUT_DIR [RECORDS=10000] [OPS=20000] [THREADS="1 8 64"]
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "$1") n=${2:-10000} ops=${3:-20000} threads=${4:-"1 8 64"}
mkdir -p "$out"
BENCH_NAME=etcd-bench . bench/loopback-servers.sh
command -v etcd > /dev/null || { echo "etcd not found: sudo apt-get install etcd-server" >&2; exit 2; }
# start_set NAME COUNT -> prints the client URLs joined by '+'
start_set() {
  local name=$1 count=$2 i cluster="" urls=() cps=() pps=()
  for i in $(seq 0 $((count - 1))); do cps+=("$(port)"); pps+=("$(port)"); cluster+="${cluster:+,}$name$i=http://127.0.0.1:${pps[$i]}"; done
  for i in $(seq 0 $((count - 1))); do
    local c="http://127.0.0.1:${cps[$i]}"
    etcd --name "$name$i" --data-dir "$root/$name$i" --listen-client-urls "$c" --advertise-client-urls "$c" \
      --listen-peer-urls "http://127.0.0.1:${pps[$i]}" --initial-advertise-peer-urls "http://127.0.0.1:${pps[$i]}" \
      --initial-cluster "$cluster" --initial-cluster-token "$name-$$" --initial-cluster-state new > "$root/$name$i.log" 2>&1 &
    pids+=($!)
    urls+=("$c")
  done
  for u in "${urls[@]}"; do
    for _ in $(seq 1 300); do curl -fs "$u/health" | grep -q '"true"' && break; sleep 0.1; done
  done
  (IFS=+; echo "${urls[*]}")
}
single=$(start_set s 1)
cluster=$(start_set c 3)
printf '%-13s %-2s %7s %10s %s\n' engine wl threads ops/s 'per-op p50/p99 (ms)' | tee "$out/table.txt"
for target in "etcd:$single" "etcd-cluster:$cluster"; do
  engine=${target%%:*} eps=${target#*:}
  [ "${ETCD_CHECK_PERF:-0}" = 1 ] && ETCDCTL_API=3 etcdctl --endpoints "${eps//+/,}" check perf > "$out/$engine-check-perf.txt" 2>&1 || true
  for wl in a c; do
    for t in $threads; do
      dir="$root/data-$engine-$wl-$t"
      spec="$engine:endpoints=$eps,namespace=bench$wl$t"
      node dist/cli/main.js load -P "$wl" -p recordcount="$n" --engine "$spec" --dir "$dir" -q --no-harness-cost --threads "$t" > /dev/null
      node dist/cli/main.js run -P "$wl" -p recordcount="$n" -p operationcount="$ops" --engine "$spec" --dir "$dir" -q --no-harness-cost \
        --threads "$t" --out "$out/$engine-$wl-$t.json" > /dev/null
      node -e '
        const r = require(process.argv[1]); const t = r.phases[r.phases.length - 1].trials[0];
        const ms = (ns) => (ns / 1e6).toFixed(2);
        const per = Object.entries(t.ops).map(([k, o]) => `${k} ${ms(o.latency.percentiles.p50)}/${ms(o.latency.percentiles.p99)}`).join(", ");
        console.log(`${process.argv[2].padEnd(13)} ${process.argv[3].padEnd(2)} ${process.argv[4].padStart(7)} ${String(Math.round(t.throughput)).padStart(10)} ${per}`);
      ' "$out/$engine-$wl-$t.json" "$engine" "$wl" "$t" | tee -a "$out/table.txt"
    done
  done
done
