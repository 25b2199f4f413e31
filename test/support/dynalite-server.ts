/**
 * DynamoDB's API on loopback for tests and benchmarks: dynalite (an implementation of the
 * DynamoDB API on LevelDB; in-memory unless `path` is given), listening on a free port of
 * 127.0.0.1 in this process. No vitest import: bench scripts and the global setup use it too.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** A running dynalite. `endpoint` is the form the engine's `endpoint` option takes. */
export interface DynaliteServer {
  readonly port: number;
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Starts dynalite on a free loopback port (tables become ACTIVE at once). */
export async function startDynalite(o: { path?: string } = {}): Promise<DynaliteServer> {
  const dynalite = require('dynalite') as (opts: Record<string, unknown>) => Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(o.path ? { path: o.path } : {}) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port, endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
