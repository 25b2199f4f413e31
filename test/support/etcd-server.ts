/**
 * Starts and stops real etcd members for tests and benchmarks: loopback only (127.0.0.1), client
 * and peer ports found free by binding port 0, data dirs under one temp dir, server defaults for
 * --max-txn-ops (128) and --max-request-bytes (1.5 MiB) — the limits the `etcd` engines document.
 * A missing binary throws one line saying how to install it. No vitest import: bench scripts and
 * the vitest global setup use it too.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './redis-server.js';

/** The server binary: $KVLAB_ETCD or etcd on PATH. */
export const ETCD = process.env.KVLAB_ETCD ?? 'etcd';
const INSTALL_HINT = 'install it with `sudo apt-get install etcd-server` (or `bash scripts/setup-system.sh`), or point KVLAB_ETCD at a binary';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Throws a one-line Error when etcd is not installed. */
export function requireEtcd(binary = ETCD): void {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`etcd not found (${binary}): ${INSTALL_HINT}`);
}

/** One etcd member process. kill()/restart() are for tests; the data dir survives kill(). */
export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly dir: string;
  process(): ChildProcess | undefined;
  /** SIGKILLs the member and waits for its exit (data dir kept). */
  kill(): Promise<void>;
  /** Starts the member again on the same ports and data dir. */
  restart(): Promise<void>;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
}

/** A running set of members (one, or a Raft cluster). */
export interface EtcdCluster {
  readonly members: readonly EtcdMember[];
  /** Client URLs joined by commas: the form the engines' `endpoints` option takes. */
  readonly endpoints: string;
  /** Stops every member and removes the data. */
  stop(): Promise<void>;
}

async function healthy(url: string): Promise<boolean> {
  try {
    const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
    return r.ok && /"health":\s*"true"/.test(await r.text());
  } catch {
    return false;
  }
}

/** Waits until every url answers /health true (a cluster needs a leader for that); throws after `ms`. */
export async function waitHealthy(urls: readonly string[], ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if ((await Promise.all(urls.map(healthy))).every((x) => x)) return;
    await sleep(100);
  }
  throw new Error(`etcd at ${urls.join(',')} not healthy within ${ms} ms`);
}

/** Starts `n` members (1 = a single member, 3 = a Raft cluster) and waits until all are healthy. */
export async function startEtcd(n = 1): Promise<EtcdCluster> {
  requireEtcd();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlab-etcd-'));
  const specs: Array<{ name: string; client: number; peer: number; dir: string }> = [];
  for (let i = 0; i < n; i++) specs.push({ name: `m${i}`, client: await freePort(), peer: await freePort(), dir: path.join(root, `m${i}`) });
  const initialCluster = specs.map((s) => `${s.name}=http://127.0.0.1:${s.peer}`).join(',');
  const token = path.basename(root);
  const members: EtcdMember[] = specs.map((s) => {
    let child: ChildProcess | undefined;
    let exited = true;
    const clientUrl = `http://127.0.0.1:${s.client}`;
    const launch = () => {
      const log = fs.openSync(path.join(root, `${s.name}.log`), 'a');
      child = spawn(ETCD, [
        '--name', s.name, '--data-dir', s.dir,
        '--listen-client-urls', clientUrl, '--advertise-client-urls', clientUrl,
        '--listen-peer-urls', `http://127.0.0.1:${s.peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${s.peer}`,
        '--initial-cluster', initialCluster, '--initial-cluster-token', token, '--initial-cluster-state', 'new',
        '--heartbeat-interval', '100', '--election-timeout', '1000',
      ], { stdio: ['ignore', log, log] });
      fs.closeSync(log);
      exited = false;
      child.once('exit', () => (exited = true));
    };
    const waitExit = () => new Promise<void>((r) => (exited || !child ? r() : child.once('exit', () => r())));
    launch();
    return {
      name: s.name, clientUrl, dir: s.dir,
      process: () => child,
      async kill() {
        if (!exited) child?.kill('SIGKILL');
        await waitExit();
      },
      async restart() {
        if (!exited) throw new Error(`etcd member ${s.name} is running`);
        launch();
        await waitHealthy([clientUrl]);
      },
      async stop() {
        if (!exited) {
          child?.kill('SIGTERM');
          const t = setTimeout(() => child?.kill('SIGKILL'), 5000);
          await waitExit();
          clearTimeout(t);
        }
      },
    };
  });
  const stop = async () => {
    await Promise.all(members.map((m) => m.stop()));
    fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    await waitHealthy(members.map((m) => m.clientUrl));
  } catch (e) {
    const tail = fs.existsSync(path.join(root, 'm0.log')) ? fs.readFileSync(path.join(root, 'm0.log'), 'utf8').trim().split('\n').slice(-3).join(' | ') : '';
    await stop();
    throw new Error(`${(e as Error).message}: ${tail}`);
  }
  return { members, endpoints: members.map((m) => m.clientUrl).join(','), stop };
}
