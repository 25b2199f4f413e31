/**
 * Runs any command in its own memory cgroup (harness/memory-limit.ts), so a tool outside kvlab
 * (RocksDB's db_bench, fio) runs under the same limit as a kvlab trial; prints the group's peak,
 * cache and OOM kills after it exits, and exits with the command's code.
 * Usage: node dist/bench/in-cgroup.js SIZE -- COMMAND [ARGS...]
 */
import { spawnSync } from 'node:child_process';
import { MemoryCgroup, parseByteSize } from '../harness/memory-limit.js';

const [size, sep, cmd, ...args] = process.argv.slice(2);
const bytes = size === undefined ? undefined : parseByteSize(size);
if (bytes === undefined || sep !== '--' || cmd === undefined) {
  process.stderr.write('usage: node dist/bench/in-cgroup.js SIZE -- COMMAND [ARGS...]\n');
  process.exit(2);
}
const g = MemoryCgroup.create(bytes);
try {
  const [file, wrapped] = g.wrap(cmd, args);
  const r = spawnSync(file, wrapped, { stdio: 'inherit' });
  const u = g.usage();
  process.stderr.write(`in-cgroup: limit ${u.limitBytes} peak ${u.peakBytes} cache ${u.cacheBytes} anon ${u.anonBytes} oomKills ${u.oomKills}\n`);
  process.exitCode = r.status ?? 1;
} finally {
  g.destroy();
}
