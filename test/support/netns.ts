/**
 * A private test network of Linux network namespaces (root and iproute2's `ip` needed): one
 * "server" namespace holding a bridge, and one namespace per test host, each joined to the
 * bridge by a veth pair; the test process itself joins through one more veth pair. Nothing is
 * reachable from outside the machine: every address lives on this bridge (10.77.X.0/24, X from
 * the pid). A machine that refuses to make namespaces throws with the `ip` error (no skip).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

/** The network: namespace names and addresses. */
export interface TestNet {
  /** Namespace of the bridge (run servers here, bound to `serverIp`). */
  readonly serverNs: string;
  readonly serverIp: string;
  /** One namespace and address per host. */
  readonly hosts: ReadonlyArray<{ ns: string; ip: string }>;
  /** Runs `cmd args` inside namespace `ns` (an `ip netns exec` child: its pid is the command's after exec). */
  spawnIn(ns: string, cmd: string, args: string[], opts?: { env?: NodeJS.ProcessEnv }): ChildProcess;
  /** Deletes every namespace and link (idempotent). */
  destroy(): void;
}

function ip(args: string[]): void {
  try {
    execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const err = (e as { stderr?: Buffer }).stderr?.toString().trim() ?? (e as Error).message;
    throw new Error(`this machine refused to build the test network (\`ip ${args.join(' ')}\`: ${err}); the multi-host test needs root and network namespaces (iproute2)`);
  }
}

/** Builds the network with `n` hosts. */
export function makeTestNet(n: number): TestNet {
  const tag = `k${process.pid % 100000}`;
  const subnet = `10.77.${(process.pid % 200) + 20}`;
  const serverNs = `${tag}-srv`;
  const hosts = Array.from({ length: n }, (_, i) => ({ ns: `${tag}-h${i}`, ip: `${subnet}.${i + 10}` }));
  const hostLink = `${tag}-vh`;
  const made: string[] = [];
  const destroy = () => {
    for (const ns of made) {
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        /* already gone */
      }
    }
    made.length = 0;
    try {
      execFileSync('ip', ['link', 'del', hostLink], { stdio: 'ignore' });
    } catch {
      /* gone with its peer */
    }
  };
  try {
    ip(['netns', 'add', serverNs]);
    made.push(serverNs);
    ip(['-n', serverNs, 'link', 'add', 'br0', 'type', 'bridge']);
    ip(['-n', serverNs, 'addr', 'add', `${subnet}.1/24`, 'dev', 'br0']);
    ip(['-n', serverNs, 'link', 'set', 'br0', 'up']);
    ip(['-n', serverNs, 'link', 'set', 'lo', 'up']);
    const join = (inner: string, peer: string, ns: string | null, addr: string) => {
      ip(['link', 'add', inner, 'type', 'veth', 'peer', 'name', peer]);
      ip(['link', 'set', peer, 'netns', serverNs]);
      ip(['-n', serverNs, 'link', 'set', peer, 'master', 'br0']);
      ip(['-n', serverNs, 'link', 'set', peer, 'up']);
      if (ns !== null) ip(['link', 'set', inner, 'netns', ns]);
      const pre = ns === null ? [] : ['-n', ns];
      ip([...pre, 'addr', 'add', `${addr}/24`, 'dev', inner]);
      ip([...pre, 'link', 'set', inner, 'up']);
      if (ns !== null) ip([...pre, 'link', 'set', 'lo', 'up']);
    };
    hosts.forEach((h, i) => {
      ip(['netns', 'add', h.ns]);
      made.push(h.ns);
      join(`${tag}-v${i}`, `${tag}-p${i}`, h.ns, h.ip);
    });
    join(hostLink, `${tag}-ph`, null, `${subnet}.2`);
  } catch (e) {
    destroy();
    throw e;
  }
  return {
    serverNs, serverIp: `${subnet}.1`, hosts,
    spawnIn: (ns, cmd, args, opts = {}) => spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env }),
    destroy,
  };
}
