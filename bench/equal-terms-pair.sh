#!/bin/bash
# The paired run behind bench/results/equal-terms-100k.md: the matrix with this build, then with a
# build of the commit before the shell (a worktree at /work/before, node_modules linked, built), then
# bench/shell-cost.ts. Run it under ../shared/tools/quiet.
set -u
M="matrix --engines hashlog,lsm,btree,native,lmdb,sqlite,classic-level --workloads a,b,c,d,e,f -p recordcount=100000 -p operationcount=100000 --durability none -q --no-report"
echo "after start $(date +%T) load $(cut -d' ' -f1 /proc/loadavg)"
(cd "$(dirname "$0")/.." && node dist/cli/main.js $M --out /tmp/after2-100k)
echo "before start $(date +%T) load $(cut -d' ' -f1 /proc/loadavg)"
(cd ${KVLAB_BEFORE_ROOT:-/work/before} && node dist/cli/main.js $M --out /tmp/before2-100k)
echo "shell-cost start $(date +%T) load $(cut -d' ' -f1 /proc/loadavg)"
(cd "$(dirname "$0")/.." && KVLAB_BEFORE_DIST=${KVLAB_BEFORE_ROOT:-/work/before}/dist node dist/bench/shell-cost.js)
echo "end $(date +%T) load $(cut -d' ' -f1 /proc/loadavg)"
