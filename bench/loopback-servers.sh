# Sourced by the bench scripts that start servers on loopback: a temp root for their data,
# `pids` (every server started is appended; all are killed and `root` removed at exit),
# `port` (a free loopback port) and `wait_port PORT`.
root=$(mktemp -d "/tmp/kvlab-${BENCH_NAME:-bench}-XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 1
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$root"
}
trap cleanup EXIT
port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_port() { for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 never opened" >&2; exit 1; }
