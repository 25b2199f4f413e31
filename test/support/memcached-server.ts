/**
 * Starts and stops real memcached processes for tests and benchmarks: loopback only, a free
 * port (memcached has no port 0), UDP off, `-m` MiB of item memory (large enough that the
 * tests' data is never evicted). A missing binary throws one line saying how to install it.
 * No vitest import: bench scripts and the vitest global setup use it too.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { freePort } from './redis-server.js';

/** The server binary: $KVLAB_MEMCACHED or memcached on PATH. */
export const MEMCACHED = process.env.KVLAB_MEMCACHED ?? 'memcached';

/** One running memcached. */
export interface MemcachedServer {
  readonly port: number;
  /** `127.0.0.1:port`, the form the engine's `servers` option takes. */
  readonly addr: string;
  readonly process: ChildProcess;
  /** SIGKILLs the server and waits for it to exit (everything it held is gone). */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** Throws a one-line Error when memcached is not installed. */
export function requireMemcached(): void {
  const r = spawnSync(MEMCACHED, ['-V'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`memcached not found (${MEMCACHED}): install it with \`sudo apt-get install memcached\` (or \`bash scripts/setup-system.sh\`), or point KVLAB_MEMCACHED at a binary`);
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    sock.setTimeout(500);
    sock.on('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.on('error', () => resolve(false));
    sock.on('timeout', () => {
      sock.destroy();
      resolve(false);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts memcached on a free loopback port with `memoryMiB` of item memory and `threads` worker threads. */
export async function startMemcached(o: { memoryMiB?: number; threads?: number; itemSizeMax?: string } = {}): Promise<MemcachedServer> {
  requireMemcached();
  let last = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const args = ['-l', '127.0.0.1', '-p', String(port), '-U', '0', '-m', String(o.memoryMiB ?? 256), '-t', String(o.threads ?? 2), '-c', '4096'];
    if (o.itemSizeMax) args.push('-I', o.itemSizeMax);
    if (process.getuid?.() === 0) args.push('-u', 'root');
    const child = spawn(MEMCACHED, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let exited = false;
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', () => (exited = true));
    for (let i = 0; i < 200 && !exited; i++) {
      if (await answers(port)) {
        const waitExit = () => new Promise<void>((r) => (exited ? r() : child.once('exit', () => r())));
        return {
          port, addr: `127.0.0.1:${port}`, process: child,
          async kill() {
            if (!exited) child.kill('SIGKILL');
            await waitExit();
          },
          async stop() {
            if (!exited) child.kill('SIGTERM');
            const t = setTimeout(() => child.kill('SIGKILL'), 5000);
            await waitExit();
            clearTimeout(t);
          },
        };
      }
      await sleep(25);
    }
    child.kill('SIGKILL');
    last = err.trim();
  }
  throw new Error(`memcached did not start: ${last}`);
}
