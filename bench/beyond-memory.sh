#!/usr/bin/env bash
# Data beyond memory (issue 16): every engine loads N YCSB records and runs workloads C then A
# under one memory limit, each command a memory-bounded kvlab process; RocksDB's db_bench
# (Debian rocksdb-tools: an assertion-enabled build, a floor, not a target) runs fillrandom and
# readrandom at the same sizes under the same limit; fio measures the disk's 4 KiB random-read
# rate at queue depth 1. Run it through ../shared/tools/quiet.
#
# Usage: bash bench/beyond-memory.sh OUT_DIR RECORDS LIMIT RUN_SECONDS ENGINE...
#   ENGINE may be a kvlab spec, or `db_bench` or `fio`.
#   KVLAB_THREADS=N drives async engines (classic-level) with N operations in flight (default 1).
#   KVLAB_LOAD_LIMIT=SIZE loads under a different limit than the runs (a B+tree's random inserts
#   beyond memory run at the disk's random-I/O rate: hours at 10^7), the runs still under LIMIT
#   (each run first drops the store from the page cache).
# Results: OUT_DIR/<engine>-<records>-{load,c,a}.json (kvlab results files), db_bench and fio text.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1 n=$2 limit=$3 secs=$4
shift 4
mkdir -p "$out"
data=${KVLAB_BENCH_DATA:-/work/bench-data}
kvlab() { node dist/cli/main.js "$@"; }
for e in "$@"; do
  safe=${e//[^A-Za-z0-9_.=-]/_}
  dir="$data/$safe-$n"
  rm -rf "$dir"
  mkdir -p "$dir"
  case "$e" in
    fio)
      # 4 KiB random reads, O_DIRECT, queue depth 1: the device's own rate, no page cache
      fio --name=qd1 --filename="$data/fio.dat" --size=4G --rw=randread --bs=4k --iodepth=1 --direct=1 \
        --ioengine=psync --runtime="$secs" --time_based --output-format=normal > "$out/fio.txt"
      rm -f "$data/fio.dat"
      grep -E "IOPS=" "$out/fio.txt" | sed 's/^/fio: /'
      ;;
    db_bench)
      # same sizes as the lsm defaults: 4 MiB write buffer, bloom 10, 8 MiB block cache, no compression
      node dist/bench/in-cgroup.js "$limit" -- db_bench --benchmarks=fillrandom,stats,readrandom --num="$n" --reads=$((secs * 5000)) \
        --value_size=1000 --key_size=24 --bloom_bits=10 --write_buffer_size=4194304 --cache_size=8388608 \
        --compression_type=none --db="$dir" --threads=1 --disable_wal=false --sync=false > "$out/db_bench-$n.txt" 2>&1 || true
      grep -E "^(fillrandom|readrandom) " "$out/db_bench-$n.txt" | sed 's/^/db_bench: /'
      ;;
    *)
      common=(-p recordcount="$n" --engine "$e" --dir "$dir" --memory-limit "$limit" --threads "${KVLAB_THREADS:-1}" -q)
      loadc=(-p recordcount="$n" --engine "$e" --dir "$dir" --memory-limit "${KVLAB_LOAD_LIMIT:-$limit}" --threads "${KVLAB_THREADS:-1}" -q)
      kvlab load -P workloads/workloada "${loadc[@]}" --out "$out/$safe-$n-load.json" | grep -E "Throughput" | sed "s/^/$e load: /"
      kvlab run -P workloads/workloadc "${common[@]}" -p operationcount=1000000000 -p maxexecutiontime="$secs" --out "$out/$safe-$n-c.json" | grep -E "Throughput" | sed "s/^/$e C: /"
      kvlab run -P workloads/workloada "${common[@]}" -p operationcount=1000000000 -p maxexecutiontime="$secs" --out "$out/$safe-$n-a.json" | grep -E "Throughput" | sed "s/^/$e A: /"
      ;;
  esac
  rm -rf "$dir"
done
