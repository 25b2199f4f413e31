/**
 * Starts and stops real redis-server processes for tests and benchmarks: loopback only
 * (127.0.0.1), a free port found by binding a throw-away TCP server to port 0 (redis has no
 * `--port 0`), a fresh temp dir as `--dir`, RDB snapshots off (`--save ''`), AOF per the caller.
 * A missing binary throws one line saying how to install it. No vitest import: bench scripts and
 * the vitest global setup use it too.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** The server binary: $KVLAB_REDIS_SERVER or redis-server on PATH. */
export const REDIS_SERVER = process.env.KVLAB_REDIS_SERVER ?? 'redis-server';
const REDIS_CLI = process.env.KVLAB_REDIS_CLI ?? 'redis-cli';
const INSTALL_HINT = 'install it with `sudo apt-get install redis-server` (or `bash scripts/setup-system.sh`), or point KVLAB_REDIS_SERVER at a binary';

/** A server's persistence settings: AOF on/off and its fsync policy. */
export interface RedisPersistence {
  appendonly: boolean;
  appendfsync?: 'always' | 'everysec' | 'no';
}

/** One running redis-server. `dir` is its data directory (removed by stop(), kept by kill()). */
export interface RedisServer {
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  readonly url: string;
  readonly process: ChildProcess;
  /** SIGKILLs the server (a crash) and waits for it to exit; the data dir stays for a restart. */
  kill(): Promise<void>;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its data dir unless `keepDir`. */
  stop(keepDir?: boolean): Promise<void>;
}

/** Throws a one-line Error when redis-server is not installed. */
export function requireRedisServer(binary = REDIS_SERVER): void {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`redis-server not found (${binary}): ${INSTALL_HINT}`);
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = '';
    sock.setTimeout(500);
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      got += d.toString();
      if (got.includes('\r\n')) {
        sock.destroy();
        resolve(got.startsWith('+PONG'));
      }
    });
    sock.on('error', () => resolve(false));
    sock.on('timeout', () => {
      sock.destroy();
      resolve(false);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts redis-server on a free loopback port (retrying on a port race). `dir` reuses a data
 * directory (a restart after kill()); `extra` are more `--name value` arguments.
 */
export async function startRedis(p: RedisPersistence = { appendonly: true, appendfsync: 'always' }, o: { dir?: string; port?: number; extra?: string[] } = {}): Promise<RedisServer> {
  requireRedisServer();
  const dir = o.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'kvlab-redis-'));
  let lastErr = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = o.port ?? (await freePort());
    const args = [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no',
      '--appendonly', p.appendonly ? 'yes' : 'no', '--appendfsync', p.appendfsync ?? 'everysec',
      '--logfile', 'redis.log', '--protected-mode', 'yes', ...(o.extra ?? []),
    ];
    const child = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
    let exited = false;
    child.on('exit', () => (exited = true));
    for (let i = 0; i < 200 && !exited; i++) {
      if (await ping(port)) return makeServer(child, port, dir, () => exited);
      await sleep(25);
    }
    child.kill('SIGKILL');
    lastErr = readLogTail(dir);
    if (o.port !== undefined) break;
  }
  throw new Error(`redis-server did not start in ${dir}: ${lastErr}`);
}

function readLogTail(dir: string): string {
  try {
    return fs.readFileSync(path.join(dir, 'redis.log'), 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return 'no log';
  }
}

function makeServer(child: ChildProcess, port: number, dir: string, exited: () => boolean): RedisServer {
  const waitExit = () => new Promise<void>((r) => (exited() ? r() : child.once('exit', () => r())));
  return {
    host: '127.0.0.1', port, dir, url: `redis://127.0.0.1:${port}`, process: child,
    async kill() {
      if (!exited()) child.kill('SIGKILL');
      await waitExit();
    },
    async stop(keepDir = false) {
      if (!exited()) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await waitExit();
        clearTimeout(t);
      }
      if (!keepDir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A running Redis Cluster of `servers` primaries (no replicas). */
export interface RedisCluster {
  readonly servers: readonly RedisServer[];
  /** `host:port host:port ...`, the form the `redis-cluster` engine's `nodes` option takes. */
  readonly nodes: string;
  stop(): Promise<void>;
}

/**
 * Starts `n` cluster-enabled servers, joins them with `redis-cli --cluster create
 * --cluster-replicas 0 --cluster-yes` and waits until every node reports `cluster_state:ok`.
 */
export async function startRedisCluster(n = 3, p: RedisPersistence = { appendonly: true, appendfsync: 'always' }): Promise<RedisCluster> {
  const servers: RedisServer[] = [];
  const stopAll = () => Promise.all(servers.map((s) => s.stop()));
  try {
    for (let i = 0; i < n; i++) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlab-redis-cluster-'));
      servers.push(await startRedis(p, { dir, extra: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000'] }));
    }
    const addrs = servers.map((s) => `127.0.0.1:${s.port}`);
    const r = spawnSync(REDIS_CLI, ['--cluster', 'create', ...addrs, '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8', timeout: 60_000 });
    if (r.error || r.status !== 0) throw new Error(`redis-cli --cluster create failed: ${r.error?.message ?? r.stderr ?? r.stdout}`.slice(0, 500));
    for (let i = 0; i < 400; i++) {
      const ok = servers.every((s) => /cluster_state:ok/.test(spawnSync(REDIS_CLI, ['-p', String(s.port), 'cluster', 'info'], { encoding: 'utf8' }).stdout ?? ''));
      if (ok) return { servers, nodes: addrs.join(' '), stop: async () => void (await stopAll()) };
      await sleep(50);
    }
    throw new Error('redis cluster did not reach cluster_state:ok');
  } catch (e) {
    await stopAll();
    throw e;
  }
}
