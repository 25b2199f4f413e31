/**
 * --memory-limit: each trial's process runs in its own memory cgroup; the limit, peak and page
 * cache are recorded; a data directory cached by an earlier process is read from storage again;
 * an engine that does not fit is OUT_OF_MEMORY; where no group can be made, one line and exit 2.
 * These tests need a machine where memory cgroups can be made (root here, as in CI): elsewhere
 * they fail with the reason, they are not skipped.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryCgroup, parseByteSize } from '../../harness/memory-limit.js';
import { readResults } from '../../harness/results.js';
import { tmpDir } from '../support/tmp.js';
import { cli } from './helpers.js';
import { buildModel } from '../../reports/model.js';

const CLI = path.resolve('dist/cli/main.js');
const MiB = 1024 * 1024;
const kvlab = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });

describe('parseByteSize', () => {
  it('reads sizes in powers of 1024 and refuses anything else', () => {
    expect(parseByteSize('1073741824')).toBe(1024 * MiB);
    expect(parseByteSize('1GiB')).toBe(1024 * MiB);
    expect(parseByteSize('1g')).toBe(1024 * MiB);
    expect(parseByteSize('256M')).toBe(256 * MiB);
    expect(parseByteSize('256MB')).toBe(256 * MiB);
    expect(parseByteSize('1.5 GiB')).toBe(1536 * MiB);
    expect(parseByteSize('64KiB')).toBe(64 * 1024);
    for (const bad of ['', 'abc', '-1G', '1 XB', '1e9', 'GiB']) expect(parseByteSize(bad)).toBeUndefined();
  });
});

describe('--memory-limit', () => {
  it('a limited load records the limit, the cgroup peak and the data-to-memory ratio, and removes its group', () => {
    const dir = path.join(tmpDir(), 'd');
    const out = path.join(tmpDir(), 'r.json');
    const r = kvlab(['load', '-P', 'workloads/workloadc', '-p', 'recordcount=20000', '--engine', 'hashlog', '--dir', dir, '--memory-limit', '64MiB', '-q', '--no-harness-cost', '--out', out]);
    expect(r.stderr).not.toMatch(/kvlab:/);
    expect(r.status).toBe(0);
    const res = readResults(out);
    expect(res.harness.memoryLimit).toEqual({ bytes: 64 * MiB, cgroup: expect.stringMatching(/^v[12]$/) });
    expect(res.environment.dataset.memoryIs).toBe('limit');
    expect(res.environment.dataset.memoryBytes).toBe(64 * MiB);
    expect(res.environment.dataset.ratioToMemory).toBeCloseTo(res.environment.dataset.estimatedBytes / (64 * MiB), 6);
    const cg = res.phases[0]!.trials[0]!.memory.cgroup!;
    expect(cg.limitBytes).toBe(64 * MiB);
    expect(cg.peakBytes).toBeGreaterThan(16 * MiB); // Node alone, at least
    expect(cg.peakBytes).toBeLessThanOrEqual(64 * MiB);
    expect(cg.oomKills).toBe(0);
    expect(r.stdout).toMatch(/# memory limit 64 MiB \(cgroup v[12]\); dataset ≈ 20 MiB = 0\.3\d× the memory/);
    // the group is gone
    const g = MemoryCgroup.create(64 * MiB);
    const parent = path.dirname(g.dir);
    g.destroy();
    expect(fs.readdirSync(parent).filter((n) => n.startsWith('kvlab-'))).toEqual([]);
  });

  it('a store cached by an unlimited process is read from storage under the limit (its pages are dropped first)', () => {
    const dir = path.join(tmpDir(), 'd');
    const props = ['-P', 'workloads/workloadc', '-p', 'recordcount=150000', '-p', 'operationcount=20000', '-p', 'requestdistribution=uniform'];
    expect(kvlab(['load', ...props, '--engine', 'hashlog', '--dir', dir, '-q', '--no-harness-cost']).status).toBe(0);
    const out = path.join(tmpDir(), 'r.json');
    const r = kvlab(['run', ...props, '--engine', 'hashlog', '--dir', dir, '--memory-limit', '80MiB', '-q', '--no-harness-cost', '--out', out]);
    expect(r.status).toBe(0);
    const t = readResults(out).phases[0]!.trials[0]!;
    // 156 MB of records against 80 MiB: most of 20000 uniform reads miss the cache and read at least a page
    expect(t.io.delta!.read_bytes / t.operations).toBeGreaterThan(1024);
    expect(t.memory.cgroup!.limitHits).toBeGreaterThan(0);
  });

  it('an engine that does not fit is OUT_OF_MEMORY, one line, exit 1', () => {
    const r = kvlab(['load', '-P', 'workloads/workloadc', '-p', 'recordcount=100000', '--engine', 'map', '--memory-limit', '48MiB', '-q', '--no-harness-cost']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^kvlab: OUT_OF_MEMORY: the trial process was killed by the kernel's OOM killer under --memory-limit 50331648 bytes/);
  });

  it('bad sizes and --no-fork are one-line usage errors', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--memory-limit', 'lots'], /^kvlab: --memory-limit must be a size such as 1GiB/],
      [['--memory-limit', '1M'], /^kvlab: --memory-limit must be at least 32 MiB/],
      [['--memory-limit', '64M', '--no-fork'], /^kvlab: run: --memory-limit runs the engine in a child process in its own cgroup; drop --no-fork/],
    ];
    for (const [extra, re] of cases) {
      const r = await cli(['run', '-P', 'workloads/workloadc', '--engine', 'map', ...extra]);
      expect(r.code).toBe(2);
      expect(r.err.trim()).toMatch(re);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
  });

  it('where no group can be made (an unprivileged user), one line saying why, exit 2', () => {
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'load', '-P', 'workloads/workloadc',
      '-p', 'recordcount=10', '--engine', 'map', '--memory-limit', '64MiB', '-q'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^kvlab: NOT_SUPPORTED: --memory-limit: cannot make a memory cgroup in .* \(EACCES\): run as root, or inside a cgroup delegated to this user/);
  });

  it('--memory-limit-best-effort: where no group can be made, runs unlimited and the results and report say why', () => {
    const d = tmpDir();
    fs.chmodSync(d, 0o777);
    const out = path.join(d, 'r.json');
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'load', '-P', 'workloads/workloadc',
      '-p', 'recordcount=10', '--engine', 'map', '--memory-limit', '64MiB', '--memory-limit-best-effort', '-q', '--no-harness-cost', '--out', out], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^kvlab: warning: --memory-limit 64MiB was not applied: cannot make a memory cgroup in .*; running without a memory limit/);
    const res = readResults(out);
    expect(res.harness.memoryLimit).toBeNull();
    expect(res.harness.memoryLimitNotApplied).toMatch(/^--memory-limit 64MiB was not applied: cannot make a memory cgroup/);
    expect(buildModel([res]).warnings[0]).toMatch(/^No memory limit \(--memory-limit 64MiB was not applied: cannot make a memory cgroup .*\): every run had/);
  });
});
