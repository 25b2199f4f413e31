/**
 * `kvlab agent`: runs scale-out clients on this host for a coordinator elsewhere. Each TCP
 * connection gets one fresh client process (client-child.ts) whose stdin/stdout are piped to the
 * connection, so the coordinator speaks to it exactly as to a local child. A dropped connection
 * kills its client (SIGKILL); a client that exits closes its connection. The agent itself keeps
 * serving until it is stopped.
 */
import * as net from 'node:net';
import { KvError } from '../../engines/errors.js';
import { spawnClientProcess } from './links.js';

/** A listening agent. */
export interface Agent {
  /** The bound address (the port is the real one when 0 was asked for). */
  readonly host: string;
  readonly port: number;
  /** Clients running now. */
  active(): number;
  /** Stops listening and kills every client. */
  close(): Promise<void>;
}

/** Listens on `host:port`; IO when the address cannot be bound. */
export async function startAgent(host: string, port: number, log: (line: string) => void = () => undefined): Promise<Agent> {
  const children = new Set<ReturnType<typeof spawnClientProcess>>();
  let n = 0;
  const server = net.createServer((socket) => {
    const id = ++n;
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    const child = spawnClientProcess(`[agent client ${id}] `);
    children.add(child);
    log(`connection ${id} from ${peer}: client pid ${child.pid}`);
    socket.pipe(child.stdin);
    child.stdout.pipe(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    child.on('close', (code, signal) => {
      children.delete(child);
      log(`connection ${id}: client ended (${signal ?? `exit ${code}`})`);
      socket.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new KvError('IO', `kvlab agent: cannot listen on ${host}:${port}: ${e.message}`)));
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as net.AddressInfo;
  return {
    host: addr.address, port: addr.port,
    active: () => children.size,
    close: async () => {
      for (const c of children) c.kill('SIGKILL');
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
