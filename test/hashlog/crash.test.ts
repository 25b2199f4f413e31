/**
 * Crash tests: a child process is SIGKILLed at a hashlog kill point (engines/killpoint.ts) and
 * the directory is reopened: an atomic batch is all or nothing; an appended but unindexed
 * record is either there with its value or absent; a merge killed before its swap, after its
 * rename, or after its hint leaves exactly the pre-merge contents. The child runs dist/.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../support/tmp.js';
import { b, dataFiles, openHashlog, str } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.join(here, 'crash-child.mjs');

/** Runs a scenario with a kill point armed; asserts the child died by SIGKILL. */
function crash(scenario: string, dir: string, point: string): void {
  const r = spawnSync(process.execPath, [CHILD, scenario, dir], { env: { ...process.env, KVLAB_KILL_POINT: point }, encoding: 'utf8' });
  expect(r.signal, `child did not die at ${point}: status ${r.status} ${r.stderr}`).toBe('SIGKILL');
}

describe('hashlog crash: atomic batch', () => {
  it('a batch killed half-way through its append is absent after reopen', () => {
    const dir = tmpDir('kvlab-hl-');
    crash('batch', dir, 'hashlog.batch.mid');
    const e = openHashlog(dir);
    expect(e.stats().extra.tornBytesTruncatedAtOpen).toBeGreaterThan(0); // half a batch was on disk
    for (let i = 0; i < 10; i++) expect(e.get(b(`batch${i}`))).toBeUndefined();
    expect(str(e.get(b('base0')))).toBe('v0');
    expect(str(e.get(b('base1')))).toBe('v1');
    for (let i = 2; i < 20; i++) expect(str(e.get(b(`base${i}`)))).toBe(`v${i}`);
    e.close();
  });

  it('a batch killed after its append, before the keydir update, is there entirely', () => {
    const dir = tmpDir('kvlab-hl-');
    crash('batch', dir, 'hashlog.append.before-keydir@21');
    const e = openHashlog(dir);
    for (let i = 0; i < 10; i++) expect(str(e.get(b(`batch${i}`)))).toBe(`b${i}`.padEnd(300, '*'));
    expect(e.get(b('base0'))).toBeUndefined();
    expect(str(e.get(b('base1')))).toBe('overwritten-by-batch');
    e.close();
  });
});

describe('hashlog crash: append before keydir update', () => {
  it('keeps every acknowledged write; the unacknowledged one is whole or absent', () => {
    const dir = tmpDir('kvlab-hl-');
    crash('append', dir, 'hashlog.append.before-keydir@31');
    const e = openHashlog(dir);
    for (let i = 0; i < 30; i++) expect(str(e.get(b(`k${i}`)))).toBe(`value-${i}`);
    expect([undefined, 'value-30']).toContain(str(e.get(b('k30'))));
    expect(e.get(b('k31'))).toBeUndefined();
    e.close();
  });
});

describe('hashlog crash: merge', () => {
  const expectPreMergeState = (dir: string) => {
    const e = openHashlog(dir, 'segmentBytes=4096,autoMerge=false');
    for (let i = 0; i < 60; i++) expect(str(e.get(b(`k${i}`))), `k${i}`).toBe(i % 3 === 0 ? undefined : `r3-k${i}`.padEnd(120, '.'));
    expect(e.stats().liveKeys).toBe(40);
    e.close();
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.merge') || f.endsWith('.tmp'))).toEqual([]);
  };

  for (const point of ['hashlog.merge.before-swap', 'hashlog.merge.after-rename', 'hashlog.merge.after-hint']) {
    it(`killed at ${point}: reopen sees exactly the pre-merge contents`, () => {
      const dir = tmpDir('kvlab-hl-');
      crash('merge', dir, point);
      expectPreMergeState(dir);
      if (point !== 'hashlog.merge.before-swap') expect(dataFiles(dir).length).toBe(2); // merged + active
      expectPreMergeState(dir); // and again, after recovery's own cleanup
    });
  }
});
