#!/usr/bin/env bash
# RocksDB's own db_bench vs kvlab's rocksdb engine on the same record layout, in one invocation:
# db_bench fillrandom + readrandom, then kvlab load (workload A's records) + run workload C
# (read-only, zipfian). Prints ops/s of both and their ratio (= what the binding + shell + harness
# add). Run it only through tools/quiet, from the repo root:
#   ../shared/tools/quiet -- bench/rocksdb-vs-db-bench.sh [N] [WORKDIR]
# Layout matched to YCSB: keys `user<digits>` (~23 bytes: db_bench --key_size=23), values 1000 bytes
# (10 fields x 100), compression off, write buffer 64 MiB, bloom 10 bits, block cache 8 MiB,
# block 4 KiB, sync off, WAL on, WAL compression off (kvlab's engine turns it off). Differences
# that remain: db_bench's keys are fixed-width binary-ish, reads uniform (kvlab C: zipfian),
# and the binding's leveled profile zstd-compresses L2+ (so at sizes that reach L2, kvlab's side
# runs tiered=universal, which honours compression=none; db_bench is given the same style).
set -euo pipefail
N=${1:-1000000}
W=${2:-$(mktemp -d /tmp/kvlab-rocks-vs-dbbench.XXXXXX)}
DB_BENCH=${DB_BENCH:-$(command -v db_bench || command -v rocksdb_db_bench || true)}
if [[ -z "$DB_BENCH" ]]; then echo "db_bench not found (apt-get install rocksdb-tools, or set DB_BENCH)" >&2; exit 2; fi
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WB=$((64 * 1024 * 1024)); CACHE=$((8 * 1024 * 1024)); BLOOM=10
mkdir -p "$W"; rm -rf "$W/dbbench" "$W/kvlab"

common=(--db="$W/dbbench" --num="$N" --key_size=23 --value_size=1000 --compression_type=none
  --write_buffer_size=$WB --bloom_bits=$BLOOM --cache_size=$CACHE --block_size=4096 --sync=0
  --disable_wal=0 --wal_compression=none --compaction_style=1 --threads=1 --histogram=0)
"$DB_BENCH" "${common[@]}" --benchmarks=fillrandom --use_existing_db=0 > "$W/fill.txt" 2>&1
"$DB_BENCH" "${common[@]}" --benchmarks=readrandom --use_existing_db=1 --reads="$N" > "$W/read.txt" 2>&1
dbv=$("$DB_BENCH" --version 2>&1 | head -1 || true)
dbrocks=$(grep -m1 -o 'RocksDB: *version [0-9.]*' "$W/fill.txt" | grep -o '[0-9][0-9.]*' || echo unknown)
ops() { grep -m1 "^$1 " "$2" | sed -E 's/.* ([0-9]+) ops\/sec.*/\1/'; }
db_fill=$(ops fillrandom "$W/fill.txt"); db_read=$(ops readrandom "$W/read.txt")

SPEC="rocksdb:memtableSize=$WB,bloomBits=$BLOOM,cacheSize=$CACHE,compression=none,compaction=tiered,blockSize=4096"
cd "$ROOT"
node dist/cli/main.js load -P workloads/workloada -p recordcount="$N" --engine "$SPEC" --dir "$W/kvlab" \
  --durability none --no-harness-cost -q --out "$W/load.json" > "$W/load.txt" 2>&1
node dist/cli/main.js run -P workloads/workloadc -p recordcount="$N" -p operationcount="$N" --engine "$SPEC" --dir "$W/kvlab" \
  --durability none --no-harness-cost -q --out "$W/run.json" > "$W/run.txt" 2>&1
thr() { node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));const p=r.phases.find(x=>x.phase===process.argv[2]);process.stdout.write(String(Math.round(p.trials[0].throughput)))' "$1" "$2"; }
kv_fill=$(thr "$W/load.json" load); kv_read=$(thr "$W/run.json" run)
kvver=$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));process.stdout.write(String(r.engine?.version ?? r.info?.version ?? JSON.stringify(r).match(/@nxtedition\/rocksdb[^"]*/)?.[0] ?? "unknown"))' "$W/load.json")

echo "db_bench: $dbv (RocksDB $dbrocks); kvlab: $kvver; N=$N, workdir $W"
printf '%-22s %14s %14s %8s\n' phase db_bench_ops/s kvlab_ops/s ratio
printf '%-22s %14s %14s %8s\n' "fillrandom / load" "$db_fill" "$kv_fill" "$(awk -v a="$db_fill" -v b="$kv_fill" 'BEGIN{printf "%.2f", a/b}')"
printf '%-22s %14s %14s %8s\n' "readrandom / run C" "$db_read" "$kv_read" "$(awk -v a="$db_read" -v b="$kv_read" 'BEGIN{printf "%.2f", a/b}')"
