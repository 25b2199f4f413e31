/**
 * Multi-host runs for real: two `kvlab agent`s, each in its own network namespace (its own
 * address, reached only through a veth pair and a bridge), run the clients of a coordinator in
 * this process against a redis-server in a third namespace. Load splits the keys over all four
 * clients (every key exactly once), run merges exactly, and an agent SIGKILLed mid-run ends the
 * run with exit 1 and one line naming it, the results written and marked partial with what every
 * client measured until then. Needs root and `ip` (iproute2): a machine that refuses namespaces
 * fails this test with that reason instead of skipping it.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../harness/helpers.js';
import { makeTestNet, type TestNet } from '../support/netns.js';
import { REDIS_SERVER, requireRedisServer } from '../support/redis-server.js';
import { tmpDir } from '../support/tmp.js';
import { expectEveryKeyOnce, expectExactMerge, hlogCounts, results } from './helpers.js';

const CLI = path.resolve('dist/cli/main.js');
const REDIS_PORT = 6390;
const AGENT_PORT = 7100;
let tnet: TestNet;
let redis: ChildProcess;
const agents: Array<{ proc: ChildProcess; addr: string; stderr: string }> = [];
let spec: string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

function startAgent(ns: string, ip: string): Promise<{ proc: ChildProcess; addr: string; stderr: string }> {
  const proc = tnet.spawnIn(ns, process.execPath, [CLI, 'agent', '--listen', `${ip}:${AGENT_PORT}`]);
  const a = { proc, addr: `${ip}:${AGENT_PORT}`, stderr: '' };
  proc.stderr!.on('data', (d: Buffer) => (a.stderr += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`agent in ${ns} did not start: ${out} ${a.stderr}`)), 20_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(`listening on ${ip}:${AGENT_PORT}`)) {
        clearTimeout(timer);
        resolve(a);
      }
    });
    proc.once('exit', (c) => reject(new Error(`agent in ${ns} exited with ${c}: ${a.stderr}`)));
  });
}

beforeAll(async () => {
  requireRedisServer();
  tnet = makeTestNet(2);
  const dir = tmpDir();
  redis = tnet.spawnIn(tnet.serverNs, REDIS_SERVER, ['--bind', tnet.serverIp, '--port', String(REDIS_PORT), '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec', '--dir', dir, '--protected-mode', 'no']); // reachable only on the private bridge
  for (let i = 0; i < 200 && !(await reachable(tnet.serverIp, REDIS_PORT)); i++) await sleep(25);
  spec = `redis:host=${tnet.serverIp},port=${REDIS_PORT}`;
  for (const h of tnet.hosts) agents.push(await startAgent(h.ns, h.ip));
});
afterAll(() => {
  for (const a of agents) a.proc.kill('SIGKILL');
  redis?.kill('SIGKILL');
  tnet?.destroy();
});

describe('kvlab agent in network namespaces', () => {
  it('loads over two hosts (every key once) and runs with an exact merge, clocks measured', async () => {
    const dir = tmpDir();
    const root = tmpDir();
    const addrs = agents.map((a) => a.addr).join(',');
    const props = ['-p', 'recordcount=1000', '-p', 'operationcount=2000'];
    const l = await cli(['load', '-P', 'a', ...props, '--engine', spec, '--dir', dir, '--agents', addrs, '--clients', '2', '--threads', '2', '--no-harness-cost', '--out', path.join(root, 'l.json')]);
    expect(l.err).not.toMatch(/kvlab: [A-Z_]+:/);
    expect(l.code).toBe(0);
    const lr = results(path.join(root, 'l.json'));
    expect(lr.harness.clients).toMatchObject({ count: 4, mode: 'agents', agents: agents.map((a) => a.addr), clientsPerAgent: 2 });
    const lt = expectExactMerge(lr, 4, 'load');
    expect(lt.clients!.map((c) => c.agent)).toEqual([agents[0]!.addr, agents[0]!.addr, agents[1]!.addr, agents[1]!.addr]);
    await expectEveryKeyOnce(spec, dir, { recordcount: '1000' });

    const run = path.join(root, 'r.json');
    const r = await cli(['run', '-P', 'c', ...props, '--engine', spec, '--dir', dir, '--agents', addrs, '--clients', '2', '--threads', '2', '--no-harness-cost', '--out', run]);
    expect(r.code).toBe(0);
    const t = expectExactMerge(results(run), 4);
    expect(t.operations).toBe(2000);
    expect(t.ops.READ!.notFound).toBe(0); // the agents' clients read the namespace the load wrote
    for (const c of t.clients!) {
      expect(c.rttMs).toBeGreaterThan(0);
      expect(Math.abs(c.clockOffsetMs)).toBeLessThan(c.rttMs + 5);
    }
    expect(hlogCounts(run, t.hlog!).get('')).toBe(2000);
  });

  it('an agent killed mid-run ends the run with exit 1 naming it; what was measured is kept, partial', async () => {
    const dir = tmpDir();
    const root = tmpDir();
    const out = path.join(root, 'k.json');
    const victim = agents[1]!;
    const before = victim.stderr.length;
    const addrs = agents.map((a) => a.addr).join(',');
    // kill the second agent once both of its clients measure, 1.5 s into a 10 s run
    const killer = (async () => {
      for (let i = 0; i < 600; i++) {
        if ((victim.stderr.slice(before).match(/measuring run/g) ?? []).length >= 2) break;
        await sleep(50);
      }
      await sleep(1500);
      victim.proc.kill('SIGKILL');
    })();
    const r = await cli(['run', '-P', 'c', '-p', 'recordcount=1000', '-p', 'operationcount=0', '-p', 'maxexecutiontime=10', '--engine', spec, '--dir', dir,
      '--agents', addrs, '--clients', '2', '--target', '400', '--no-harness-cost', '--out', out, '--interval', '250']);
    await killer;
    expect(r.code).toBe(1);
    const line = r.err.trim().split('\n').filter((x) => x.startsWith('kvlab: ')).pop()!;
    expect(line).toMatch(new RegExp(`^kvlab: IO: client 2 \\(agent ${victim.addr.replace(/\./g, '\\.')}\\) ended mid-run`));
    const res = results(out);
    expect(res.partial?.code).toBe('IO');
    const t = res.phases[0]!.trials[0]!;
    expect(t.stoppedBy).toBe('error');
    const cs = t.clients!;
    expect(cs.map((c) => c.failed === undefined)).toEqual([true, true, false, false]);
    // the dead agent's clients: what they streamed until the kill (about 1.5 s at 100 ops/s each)
    for (const c of cs.slice(2)) {
      expect(c.operations).toBeGreaterThan(50);
      expect(c.durationMs).toBeLessThan(8000);
      expect(c.failed!.message).toMatch(new RegExp(`agent ${victim.addr.replace(/\./g, '\\.')}`));
    }
    // the survivors ran their whole 10 s
    for (const c of cs.slice(0, 2)) expect(c.durationMs).toBeGreaterThan(9000);
    expect(t.operations).toBe(cs.reduce((a, c) => a + c.operations, 0));
    expect(t.overall.latency.count).toBe(t.operations);
    expect(fs.existsSync(path.join(root, t.hlog!))).toBe(true);
    // the agent that died is gone; the other still serves
    agents[1] = await startAgent(tnet.hosts[1]!.ns, tnet.hosts[1]!.ip);
  });
});
