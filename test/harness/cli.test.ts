/** The CLI's usage errors (one line, exit code 2), help for every command, and `engines`. */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../support/tmp.js';
import { cli } from './helpers.js';

const oneLine = (s: string) => s.trim().split('\n').length === 1;

describe('kvlab CLI errors', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['unknown option', ['run', '--engine', 'map', '-P', 'a', '--bogus'], /bogus/],
    ['unknown engine', ['run', '--engine', 'nosuch', '-P', 'a'], /UNKNOWN_ENGINE.*nosuch/],
    ['unknown engine option', ['load', '--engine', 'lsm:nosuch=1', '-P', 'a'], /UNKNOWN_ENGINE.*nosuch/],
    ['bad engine option value', ['load', '--engine', 'lsm:bloomBits=many', '-P', 'a'], /INVALID_ARGUMENT.*bloomBits/],
    ['missing workload file', ['load', '--engine', 'map', '-P', '/nonexistent/workloadz'], /NOT_FOUND.*workloadz/],
    ['unknown property', ['load', '--engine', 'map', '-P', 'a', '-p', 'recordcont=10'], /unknown property 'recordcont'/],
    ['bad property value', ['load', '--engine', 'map', '-P', 'a', '-p', 'recordcount=ten'], /INVALID_ARGUMENT.*recordcount/],
    ['bad durability', ['load', '--engine', 'map', '-P', 'a', '--durability', 'sometimes'], /durability/],
    ['missing engine', ['load', '-P', 'a'], /--engine is required/],
    ['bad threads', ['run', '--engine', 'map', '-P', 'a', '-threads', 'x'], /threads/],
    ['matrix unknown engine', ['matrix', '--engines', 'map,nosuch', '--workloads', 'a'], /nosuch/],
    ['matrix unknown workload file', ['matrix', '--engines', 'map', '--workloads', '/nonexistent/w'], /NOT_FOUND/],
    ['micro unknown engine', ['micro', '--engines', 'nosuch'], /nosuch/],
  ];
  for (const [name, argv, re] of cases) {
    it(`${name}: one line on stderr, exit 2`, async () => {
      const r = await cli(argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(re);
      expect(oneLine(r.err)).toBe(true);
    });
  }

  it('inspect of a missing directory is a usage-type error', async () => {
    const r = await cli(['inspect', path.join(tmpDir(), 'absent')]);
    expect(r.code).not.toBe(0);
  });
});

describe('kvlab CLI help', () => {
  for (const cmd of ['load', 'run', 'matrix', 'engines', 'micro', 'inspect']) {
    it(`${cmd} --help prints usage and exits 0`, async () => {
      const r = await cli([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`usage: kvlab ${cmd}`));
    });
  }
  it('help lists every command', async () => {
    const r = await cli(['help']);
    expect(r.code).toBe(0);
    for (const c of ['load', 'run', 'matrix', 'engines', 'micro', 'inspect']) expect(r.out).toContain(`  ${c}`);
  });
  it('no command prints help and exits 2', async () => {
    expect((await cli([])).code).toBe(2);
  });
});

describe('kvlab engines', () => {
  it('lists the reference engines with capabilities', async () => {
    const r = await cli(['engines', '--json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.out) as Array<{ name: string; kind: string; capabilities: { orderedScan: boolean } }>;
    const byName = new Map(list.map((d) => [d.name, d]));
    for (const n of ['map', 'lmdb', 'sqlite', 'classic-level', 'null']) expect(byName.has(n)).toBe(true);
    expect(byName.get('classic-level')!.kind).toBe('async');
    expect(byName.get('lmdb')!.capabilities.orderedScan).toBe(true);
  });
});

describe('argument helpers', async () => {
  const { splitEngineList, normalizeArgv } = await import('../../cli/args.js');
  it('splits engine lists, keeping options with their engine', () => {
    expect(splitEngineList('hashlog,lsm:compaction=tiered,bloomBits=0,btree:pageSize=16384,lmdb')).toEqual([
      'hashlog', 'lsm:compaction=tiered,bloomBits=0', 'btree:pageSize=16384', 'lmdb',
    ]);
    expect(splitEngineList('lsm:a=1;lsm:a=2')).toEqual(['lsm:a=1', 'lsm:a=2']);
  });
  it('maps YCSB single-dash flags', () => {
    expect(normalizeArgv(['-threads', '4', '-target', '100', '-db', 'map', '-P', 'a', '-load'])).toEqual(['--threads', '4', '--target', '100', '--engine', 'map', '-P', 'a']);
  });
  it('engine variants are labelled with their options in the results', async () => {
    const dir = tmpDir();
    const r = await cli(['load', '-P', 'c', '-p', 'recordcount=50', '--engine', 'lsm:bloomBits=0', '--dir', path.join(dir, 's'), '--out', path.join(dir, 'r.json'), '--no-harness-cost', '-q']);
    expect(r.code).toBe(0);
    const { readResults } = await import('../../harness/results.js');
    const res = readResults(path.join(dir, 'r.json'));
    expect(res.engine.label).toBe('lsm:bloomBits=0');
    expect(res.engine.settings.bloomBits).toBe(0);
  });
});

describe('kvlab inspect', () => {
  it('checks a btree store written by kvlab load (delegates to engines/btree/inspect.ts)', async () => {
    const dir = path.join(tmpDir(), 'bt');
    expect((await cli(['load', '-P', 'c', '-p', 'recordcount=100', '--engine', 'btree', '--dir', dir, '--no-harness-cost', '-q'])).code).toBe(0);
    const r = await cli(['inspect', dir]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/100 keys/);
  });
});
