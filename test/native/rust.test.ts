/**
 * Runs the Rust unit tests of the core (keydir vs a HashMap model, CRC-32 vs the table and known
 * vectors, the format's round trips, store round trips, batches, torn tails, corruption) so that
 * `npm test` covers them too. Needs cargo (the native build needs it anyway).
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const manifest = path.join(here, '..', '..', 'native', 'Cargo.toml');

it('the Rust unit tests of native/ pass', () => {
  const r = spawnSync('cargo', ['test', '--manifest-path', manifest], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${path.join(os.homedir(), '.cargo', 'bin')}:${process.env.PATH ?? ''}` },
  });
  expect(r.error, 'cargo not found (install Rust: the native engine needs it)').toBeUndefined();
  const out = `${r.stdout}\n${r.stderr}`;
  expect(r.status, out.slice(-3000)).toBe(0);
  const passed = [...out.matchAll(/test result: ok\. (\d+) passed/g)].reduce((n, m) => n + Number(m[1]), 0);
  expect(passed).toBeGreaterThanOrEqual(10);
}, 600_000);
