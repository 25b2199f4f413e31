/**
 * `kvlab load|run --clients N`: N child processes against one Redis server and one Redis Cluster
 * (the servers of the global setup). Load splits the keys so every key is loaded exactly once;
 * run splits operationcount; the merged figures are the clients' exact sum (op counts, histograms
 * bucket by bucket, the time series), every client has its own seed, and the interval log
 * (.hlog) reads back through hdr-histogram-js's HistogramLogReader with every client's tag.
 * Engines one process owns are refused (exit 2) unless each client gets its own store.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientSeed, shares } from '../../harness/clients/protocol.js';
import { openEngine } from '../../engines/registry.js';
import { cli } from '../harness/helpers.js';
import { tmpDir } from '../support/tmp.js';
import { expectEveryKeyOnce, expectExactMerge, hlogCounts, results } from './helpers.js';

describe('shares and seeds', () => {
  it('splits a count into contiguous shares differing by at most one', () => {
    expect(shares(10, 3)).toEqual([[0, 4], [4, 3], [7, 3]]);
    expect(shares(2, 4)).toEqual([[0, 1], [1, 1], [2, 0], [2, 0]]);
    for (const [total, n] of [[1000, 7], [5, 5], [0, 3]] as const) {
      const s = shares(total, n);
      expect(s.reduce((a, [, c]) => a + c, 0)).toBe(total);
      s.forEach(([start], i) => expect(start).toBe(i === 0 ? 0 : s[i - 1]![0] + s[i - 1]![1]));
    }
  });
  it('keeps the run seed for client 0 and gives every other client its own', () => {
    expect(clientSeed(7, 0)).toBe(7);
    const seeds = Array.from({ length: 64 }, (_, i) => clientSeed(7, i));
    expect(new Set(seeds).size).toBe(64);
    expect(seeds.every((s) => Number.isSafeInteger(s))).toBe(true);
  });
});

const targets = [
  { name: 'redis', spec: 'redis', clients: 4 },
  { name: 'redis-cluster', spec: 'redis-cluster', clients: 3 },
];

describe.each(targets)('$name: --clients N child processes', ({ spec, clients }) => {
  const props = ['-p', 'recordcount=1200', '-p', 'operationcount=3000'];
  it('loads every key exactly once, runs the split operations, and merges exactly', async () => {
    const dir = tmpDir();
    const root = tmpDir();
    const load = path.join(root, 'load.json');
    const l = await cli(['load', '-P', 'a', ...props, '--engine', spec, '--dir', dir, '--clients', String(clients), '--threads', '4', '--no-harness-cost', '--out', load, '--interval', '100']);
    expect(l.err).not.toMatch(/kvlab: [A-Z_]+:/);
    expect(l.code).toBe(0);
    const lr = results(load);
    const lt = expectExactMerge(lr, clients, 'load');
    expect(lt.operations).toBe(1200);
    // the keyspace is split as YCSB's insertstart/insertcount: contiguous, disjoint, complete
    const cs = lt.clients!;
    expect(cs.map((c) => c.insertstart)).toEqual(shares(1200, clients).map(([s]) => s));
    expect(cs.map((c) => c.insertcount)).toEqual(shares(1200, clients).map(([, c]) => c));
    expect(cs.map((c) => c.operations)).toEqual(cs.map((c) => c.insertcount));
    expect(new Set(cs.map((c) => c.pid)).size).toBe(clients);
    await expectEveryKeyOnce(spec, dir, { recordcount: '1200' });

    const run = path.join(root, 'run.json');
    const r = await cli(['run', '-P', 'a', ...props, '--engine', spec, '--dir', dir, '--clients', String(clients), '--threads', '4', '--no-harness-cost', '--out', run, '--interval', '100', '--seed', '5']);
    expect(r.code).toBe(0);
    const rr = results(run);
    const t = expectExactMerge(rr, clients);
    expect(t.operations).toBe(3000);
    expect(t.clients!.map((c) => c.operationShare)).toEqual(shares(3000, clients).map(([, c]) => c));
    expect(t.clients!.map((c) => c.seed)).toEqual(Array.from({ length: clients }, (_, i) => clientSeed(5, i)));
    expect(rr.workload.properties.operationcount).toBe('3000');
    expect(rr.workload.seed).toBe(5);
    // reads found the loaded records: nothing was written under another namespace
    expect(t.ops.READ!.notFound).toBe(0);
    for (const c of t.clients!) {
      expect(c.rttMs).toBeGreaterThan(0);
      expect(Math.abs(c.clockOffsetMs)).toBeLessThan(50); // one machine, one clock
      expect(c.intervals.reduce((a, p) => a + p.operations, 0)).toBe(c.operations);
    }
    // the interval log: merged lines carry every operation, and each client's tag its own
    const counts = hlogCounts(run, t.hlog!);
    expect(counts.get('')).toBe(3000);
    for (const c of t.clients!) expect(counts.get(`client-${c.index}`)).toBe(c.operations);
    expect(fs.existsSync(path.join(root, t.hlog!))).toBe(true);
  });
});

describe('engines one process owns', () => {
  it('refuses N > 1 clients on one embedded store with one line and exit 2', async () => {
    const r = await cli(['load', '-P', 'a', '-p', 'recordcount=100', '--engine', 'hashlog', '--dir', tmpDir(), '--clients', '2', '--no-harness-cost']);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/hashlog is owned by one process.*--clients-own-stores/);
  });
  it('refuses a shared open in the shell for an engine without sharedOpen', async () => {
    await expect(Promise.resolve().then(() => openEngine('hashlog', { dir: tmpDir(), shared: true }))).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
  });
  it('gives each client its own store with --clients-own-stores, each holding its share', async () => {
    const dir = tmpDir();
    const out = path.join(tmpDir(), 'l.json');
    const r = await cli(['load', '-P', 'a', '-p', 'recordcount=900', '--engine', 'lsm', '--dir', dir, '--clients', '3', '--clients-own-stores', '--no-harness-cost', '--out', out]);
    expect(r.code).toBe(0);
    const res = results(out);
    expect(res.harness.clients).toMatchObject({ count: 3, mode: 'processes', ownStores: true });
    const t = expectExactMerge(res, 3, 'load');
    expect(fs.readdirSync(dir).sort()).toEqual(['client-0', 'client-1', 'client-2']);
    for (const c of t.clients!) {
      const e = await openEngine('lsm', { dir: path.join(dir, `client-${c.index}`) });
      try {
        const keys = 'scan' in e ? (e.scan as (k: Uint8Array, n: number) => Array<[Uint8Array, Uint8Array]>)(Buffer.from([0]), 10_000) : [];
        expect(keys.length).toBe(c.insertcount);
      } finally {
        e.close();
      }
    }
  });
});

describe('kvlab matrix --clients LIST', () => {
  it('runs a cell per client count (load and run through the clients, fresh store each) and draws throughput against clients', async () => {
    const out = tmpDir();
    const r = await cli(['matrix', '--engines', 'redis', '--workloads', 'c', '--clients', '1,2', '-p', 'recordcount=300', '-p', 'operationcount=600', '--trials', '1', '--threads', '2', '--no-harness-cost', '--out', out]);
    expect(r.err).not.toMatch(/FAILED|PARTIAL/);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(out).filter((f) => f.endsWith('.json')).sort()).toEqual(['redis__workloadc__c1.json', 'redis__workloadc__c2.json']);
    for (const n of [1, 2]) {
      const res = results(path.join(out, `redis__workloadc__c${n}.json`));
      expect(res.phases.map((p) => p.phase)).toEqual(['load', 'run']);
      expectExactMerge(res, n, 'load');
      const t = expectExactMerge(res, n);
      expect(t.ops.READ!.notFound).toBe(0); // the run read what this cell's clients loaded
    }
    expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('run throughput and p99 against client processes');
  });
  it('refuses an engine one process owns with one line and exit 2', async () => {
    const r = await cli(['matrix', '--engines', 'lsm', '--workloads', 'c', '--clients', '1,2', '--out', tmpDir(), '--no-harness-cost']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/lsm is owned by one process/);
  });
});

describe('exports of scale-out results', () => {
  it('CSV rows say how many client processes they merge', async () => {
    const { toCsv, CSV_COLUMNS } = await import('../../reports/index.js');
    const dir = tmpDir();
    const out = path.join(tmpDir(), 'l.json');
    expect((await cli(['load', '-P', 'a', '-p', 'recordcount=200', '--engine', 'hashlog', '--dir', dir, '--clients', '2', '--clients-own-stores', '--no-harness-cost', '--out', out])).code).toBe(0);
    const rows = toCsv([results(out)]).trim().split('\n').slice(1).map((l) => l.split(','));
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r[CSV_COLUMNS.indexOf('clients')]).toBe('2');
  });
});

describe('run-phase inserts of several clients (insert lanes)', () => {
  it('workload D over 3 clients: every new key is a distinct record and every read finds its key', async () => {
    const dir = tmpDir();
    const root = tmpDir();
    expect((await cli(['load', '-P', 'd', '-p', 'recordcount=600', '--engine', 'redis', '--dir', dir, '--clients', '3', '--threads', '4', '--no-harness-cost'])).code).toBe(0);
    const out = path.join(root, 'd.json');
    const r = await cli(['run', '-P', 'd', '-p', 'recordcount=600', '-p', 'operationcount=3000', '--engine', 'redis', '--dir', dir, '--clients', '3', '--threads', '4', '--no-harness-cost', '--out', out]);
    expect(r.code).toBe(0);
    const t = expectExactMerge(results(out), 3);
    const inserts = t.ops.INSERT!.count;
    expect(inserts).toBeGreaterThan(50);
    expect(t.ops.READ!.notFound).toBe(0);
    // nothing overwritten: the store holds the loaded records plus every insert of every client
    const e = await openEngine('redis', { dir });
    try {
      const keys = await (e as unknown as { scan(k: Uint8Array, n: number): Promise<unknown[]> }).scan(Buffer.from([0]), 100_000);
      expect(keys.length).toBe(600 + inserts);
    } finally {
      await e.close();
    }
  });
});
