/**
 * How a coordinator reaches one client process: a local child (its stdin/stdout) or a TCP
 * connection to a `kvlab agent`, which pipes it to a child of its own. Both carry the same
 * line protocol (protocol.ts); the coordinator cannot tell them apart except by `agent`.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KvError } from '../../engines/errors.js';
import { readLines, sendLine, type FromClient, type ToClient } from './protocol.js';

/** One client's connection. */
export interface ClientLink {
  /** `client 3`, or `client 3 (agent 10.0.0.2:7000)`. */
  readonly label: string;
  /** The agent's HOST:PORT, or null for a local child. */
  readonly agent: string | null;
  send(m: ToClient): void;
  /** Set by the coordinator before the job is sent. */
  onMessage: (m: FromClient) => void;
  /** Resolves once the link has ended, with why (an exit code, a dropped connection). */
  readonly ended: Promise<string>;
  /** Ends the client (SIGKILL for a child, a destroyed socket for an agent, whose child then dies). */
  kill(): void;
}

const here = fileURLToPath(import.meta.url);
/** The built client entry point (also when this module runs from source under vitest). */
function clientScript(): string {
  if (here.endsWith('.ts')) return path.join(path.dirname(here), '..', '..', 'dist', 'harness', 'clients', 'client-child.js');
  return path.join(path.dirname(here), 'client-child.js');
}

/** Relays a child's stderr lines to ours, prefixed with its label (status lines, warnings). */
function relayStderr(stream: NodeJS.ReadableStream, prefix: string): void {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (d: string) => {
    buf += d;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      process.stderr.write(`${prefix}${buf.slice(0, nl)}\n`);
      buf = buf.slice(nl + 1);
    }
  });
}

/** Starts one client process (client-child.ts) with piped stdio, its stderr relayed with `prefix`. */
export function spawnClientProcess(prefix: string): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [clientScript()], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => undefined); // a dead child's stdin: its close event reports it
  relayStderr(child.stderr, prefix);
  return child;
}

/** Starts client `index` as a child process of this one. */
export function spawnLocalClient(index: number): ClientLink {
  const label = `client ${index}`;
  const child = spawnClientProcess(`[${label}] `);
  const link: ClientLink = {
    label, agent: null,
    send: (m) => {
      if (child.stdin.writable) sendLine(child.stdin, m);
    },
    onMessage: () => undefined,
    ended: new Promise((resolve) => {
      child.on('error', (e) => resolve(`could not start: ${e.message}`));
      child.on('close', (code, signal) => resolve(signal ? `its process was killed by ${signal}` : `its process exited with code ${code}`));
    }),
    kill: () => void child.kill('SIGKILL'),
  };
  readLines<FromClient>(child.stdout, (m) => link.onMessage(m), (line) => process.stderr.write(`[${label}] ${line}\n`));
  return link;
}

/** Parses `HOST:PORT` (IPv6 in brackets); INVALID_ARGUMENT otherwise. */
export function parseHostPort(s: string, what: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(s.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 1 && port <= 65535)) throw new KvError('INVALID_ARGUMENT', `${what} must be HOST:PORT, got '${s}'`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** Connects client `index` through the agent at `addr` (HOST:PORT); IO when it cannot be reached within `timeoutMs`. */
export async function connectAgentClient(addr: string, index: number, timeoutMs = 5000): Promise<ClientLink> {
  const { host, port } = parseHostPort(addr, '--agents entry');
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new KvError('IO', `cannot reach agent ${addr}: no connection after ${timeoutMs / 1000} s (is \`kvlab agent --listen ${addr}\` running there?)`));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      reject(new KvError('IO', `cannot reach agent ${addr}: ${e.message} (is \`kvlab agent --listen ${addr}\` running there?)`));
    });
  });
  socket.setNoDelay(true);
  const label = `client ${index} (agent ${addr})`;
  let lastError = '';
  socket.on('error', (e) => (lastError = e.message));
  const link: ClientLink = {
    label, agent: addr,
    send: (m) => {
      if (!socket.destroyed) sendLine(socket, m);
    },
    onMessage: () => undefined,
    ended: new Promise((resolve) => socket.on('close', () => resolve(`the connection to agent ${addr} closed${lastError ? ` (${lastError})` : ''}`))),
    kill: () => void socket.destroy(),
  };
  readLines<FromClient>(socket, (m) => link.onMessage(m), (line) => process.stderr.write(`[${label}] ${line}\n`));
  return link;
}
