/**
 * The corruption torture: load a store (torture/corrupt-load.ts), find its file types (names with
 * numbers replaced by `#`, lock files and the engine marker excluded), and for each type damage copies of its largest and its
 * newest file
 * (flip a byte, zero a 512-byte block, truncate) at several offsets (the first byte, the last,
 * random ones). Each damaged copy is opened and read in full in a child process with a time
 * limit (torture/corrupt-child.ts). Any engine: never a wrong value, another exception, a crash or
 * a hang. kvlab's own engines: also never silent (keys missing or older versions with no error);
 * the only outcomes allowed are a CORRUPTION error or intact data.
 */
import { LOCK_FILE } from '../engines/common.js';
import { ENGINE_MARKER } from '../engines/identity.js';
import { spawn } from 'node:child_process';
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { childScript, ensureChildBuilt } from './child-path.js';
import type { CorruptChildConfig } from './corrupt-child.js';
import { writeLoad } from './corrupt-load.js';
import { descriptorOf, openRef, probeEngine } from './engine-ref.js';
import { MAX_VIOLATIONS, type CorruptionOutcome, type CorruptionSection } from './results.js';
import { mix, Rng } from './workload.js';

/** Settings of one corruption run. */
export interface CorruptionOptions {
  engine: string;
  module?: string;
  seed: number;
  /** Damaged copies per file type and mutation kind. Default 4. */
  casesPerKind?: number;
  /** A case that takes longer than this is a hang. Default 15000 ms. */
  timeoutMs?: number;
}

/** The mutation kinds. */
export const MUTATIONS = ['flip', 'zero', 'truncate'] as const;
export type Mutation = (typeof MUTATIONS)[number];

interface Case {
  id: number;
  dir: string;
  fileType: string;
  mutation: Mutation;
  detail: string;
}

const OUTCOMES: CorruptionOutcome[] = ['detected', 'intact', 'bounded-loss', 'stale-value', 'wrong-value', 'other-kverror', 'uncaught', 'process-died', 'hang'];

/** Outcomes that are failures of any engine: wrong data, an untyped or mistyped error, a crash, a hang. */
export const CORRUPTION_FAILURES: readonly CorruptionOutcome[] = ['wrong-value', 'other-kverror', 'uncaught', 'process-died', 'hang'];

/**
 * Outcomes that are silent: the store opened and answered, but keys were missing or older versions
 * came back, with no error. Every case damages a store that was closed cleanly, so there is no torn
 * tail to cut: for kvlab's own engines a silent outcome is a failure (issue 15); reference engines
 * are reported as measured.
 */
export const SILENT_OUTCOMES: readonly CorruptionOutcome[] = ['bounded-loss', 'stale-value'];

function listFiles(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const ent of nodefs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = path.join(rel, ent.name);
    if (ent.isDirectory()) out.push(...listFiles(root, r));
    // lock files hold no data; the engine marker (engines/identity.ts) is the same small file in
    // every engine's directory, and its damage (CORRUPTION, nothing touched) is tested once for
    // every engine in test/engines/identity.test.ts
    else if (ent.isFile() && ent.name !== 'LOCK' && ent.name !== LOCK_FILE && ent.name !== ENGINE_MARKER) out.push(r);
  }
  return out.sort();
}

/**
 * The file type of a relative path: each run of hex digits containing a decimal digit becomes `#`
 * (`000012.sst` -> `#.sst`, `000000000000002a.data` -> `#.data`, `MANIFEST-000003` -> `MANIFEST-#`).
 */
export function fileType(rel: string): string {
  return rel.replace(/[0-9a-fA-F]*[0-9][0-9a-fA-F]*/g, '#');
}

/** Applies a mutation to `file` in place; returns a description, or undefined if it changed nothing. */
export function mutate(file: string, m: Mutation, offset: number, rng: Rng): string | undefined {
  const size = nodefs.statSync(file).size;
  if (m === 'truncate') {
    nodefs.truncateSync(file, offset);
    return `truncate at ${offset} of ${size}`;
  }
  const fd = nodefs.openSync(file, 'r+');
  try {
    if (m === 'flip') {
      const b = Buffer.alloc(1);
      nodefs.readSync(fd, b, 0, 1, offset);
      const mask = 1 + rng.int(255);
      b[0] = b[0]! ^ mask;
      nodefs.writeSync(fd, b, 0, 1, offset);
      return `flip byte ${offset} of ${size} (xor 0x${mask.toString(16)})`;
    }
    const start = Math.floor(offset / 512) * 512;
    const len = Math.min(512, size - start);
    const old = Buffer.alloc(len);
    nodefs.readSync(fd, old, 0, len, start);
    if (old.every((x) => x === 0)) return undefined;
    nodefs.writeSync(fd, Buffer.alloc(len), 0, len, start);
    return `zero bytes ${start}..${start + len} of ${size}`;
  } finally {
    nodefs.closeSync(fd);
  }
}

/**
 * The files to damage, per file type: the largest and the newest (highest name; for a log, the
 * active one), which differ when an engine keeps several files of a type.
 */
function targetFiles(root: string): Map<string, string[]> {
  const byType = new Map<string, { largest: string; largestSize: number; newest: string }>();
  for (const rel of listFiles(root)) {
    const size = nodefs.statSync(path.join(root, rel)).size;
    if (size === 0) continue;
    const t = fileType(rel);
    const cur = byType.get(t);
    if (!cur) byType.set(t, { largest: rel, largestSize: size, newest: rel });
    else {
      if (size > cur.largestSize) Object.assign(cur, { largest: rel, largestSize: size });
      if (rel > cur.newest) cur.newest = rel;
    }
  }
  return new Map([...byType].map(([t, f]) => [t, f.largest === f.newest ? [f.largest] : [f.largest, f.newest]]));
}

function offsetFor(i: number, size: number, rng: Rng): number {
  if (i === 0) return 0;
  if (i === 1) return size - 1;
  if (i === 2) return Math.min(size - 1, 4 + rng.int(60)); // inside a typical header
  return rng.int(size);
}

/** Runs cases in child processes, restarting after a hang or a crash. Resolves outcome per case id. */
async function runCases(opts: CorruptionOptions, expectation: string, cases: Case[]): Promise<Map<number, [CorruptionOutcome, string]>> {
  const results = new Map<number, [CorruptionOutcome, string]>();
  const timeoutMs = opts.timeoutMs ?? 15_000;
  let rest = cases;
  while (rest.length > 0) {
    const chunk = rest.slice(0, 40);
    const cfg: CorruptChildConfig = {
      mode: 'corrupt', engine: opts.engine, ...(opts.module ? { module: opts.module } : {}), expectation,
      cases: chunk.map((c) => ({ id: c.id, dir: c.dir })),
    };
    const { current, stderr, code, signal, hung } = await new Promise<{ current: number | undefined; stderr: string; code: number | null; signal: string | null; hung: boolean }>((resolve, reject) => {
      const child = spawn(process.execPath, [childScript(), JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let buf = '';
      let errText = '';
      let cur: number | undefined;
      let timer: NodeJS.Timeout | undefined;
      let hungFlag = false;
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          const m = /^([BO]) (\d+)(?: (\S+) ?(.*))?$/.exec(line);
          if (!m) continue;
          const id = Number(m[2]);
          if (timer) clearTimeout(timer);
          if (m[1] === 'B') {
            cur = id;
            timer = setTimeout(() => {
              hungFlag = true;
              child.kill('SIGKILL');
            }, timeoutMs);
          } else {
            results.set(id, [m[3] as CorruptionOutcome, m[4] ?? '']);
            cur = undefined;
          }
        }
      });
      child.stderr.on('data', (d: Buffer) => {
        errText = (errText + d.toString()).slice(-1500);
      });
      child.on('error', reject);
      child.on('close', (c, s) => {
        if (timer) clearTimeout(timer);
        resolve({ current: cur, stderr: errText, code: c, signal: s, hung: hungFlag });
      });
    });
    if (current !== undefined) {
      if (hung) results.set(current, ['hang', `no answer in ${timeoutMs} ms`]);
      else results.set(current, ['process-died', `code ${code} signal ${signal}: ${stderr.trim().split('\n').slice(0, 4).join(' | ').slice(0, 400)}`]);
    }
    const done = rest.filter((c) => results.has(c.id)).length;
    if (done === 0) throw new Error(`corruption child made no progress (code ${code}, signal ${signal}): ${stderr.slice(0, 600)}`);
    rest = rest.filter((c) => !results.has(c.id));
  }
  return results;
}

/** Runs the corruption torture on one engine (failures are recorded in the section, never thrown). */
export async function runCorruption(opts: CorruptionOptions): Promise<CorruptionSection> {
  const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<CorruptionOutcome, number>;
  const s: CorruptionSection = { applicable: true, fileTypes: [], injected: 0, outcomes, byFileType: {}, violations: [] };
  const ref = { spec: opts.engine, module: opts.module };
  const d = await descriptorOf(ref);
  if (!d.capabilities.persistent) return { ...s, applicable: false, reason: 'not persistent (capabilities.persistent is false)' };
  const unavailable = await probeEngine(ref);
  if (unavailable) return { ...s, applicable: false, reason: unavailable };
  ensureChildBuilt();
  const work = nodefs.mkdtempSync(path.join(os.tmpdir(), 'kvlab-corrupt-'));
  try {
    const pristine = path.join(work, 'pristine');
    const exp = await writeLoad(opts.seed, () => openRef(ref, { dir: pristine, durability: 'none' }));
    const expectation = path.join(work, 'expect.json');
    nodefs.writeFileSync(expectation, JSON.stringify(exp));
    const byType = targetFiles(pristine);
    s.fileTypes = [...byType.keys()].sort();
    const rng = new Rng(mix(opts.seed, 0xbad));
    const cases: Case[] = [];
    for (const [t, rels] of byType)
      for (const rel of rels) {
      const size = nodefs.statSync(path.join(pristine, rel)).size;
      for (const m of MUTATIONS)
        for (let i = 0; i < (opts.casesPerKind ?? 4); i++) {
          const id = cases.length;
          const dir = path.join(work, `case-${id}`);
          nodefs.cpSync(pristine, dir, { recursive: true });
          let detail: string | undefined;
          for (let attempt = 0; attempt < 5 && detail === undefined; attempt++) detail = mutate(path.join(dir, rel), m, offsetFor(attempt === 0 ? i : 3, size, rng), rng);
          if (detail === undefined) {
            nodefs.rmSync(dir, { recursive: true, force: true });
            continue;
          }
          cases.push({ id, dir, fileType: t, mutation: m, detail: `${rel}: ${detail}` });
        }
      }
    const results = await runCases(opts, expectation, cases);
    for (const c of cases) {
      const [outcome, why] = results.get(c.id)!;
      s.injected++;
      s.outcomes[outcome] = (s.outcomes[outcome] ?? 0) + 1;
      const perType = (s.byFileType[c.fileType] ??= {});
      const perKind = (perType[c.mutation] ??= {});
      perKind[outcome] = (perKind[outcome] ?? 0) + 1;
      if ((CORRUPTION_FAILURES.includes(outcome) || SILENT_OUTCOMES.includes(outcome)) && s.violations.length < MAX_VIOLATIONS)
        s.violations.push({ engine: opts.engine, seed: opts.seed, cycle: c.id, kind: outcome, detail: `${c.detail} -> ${outcome}: ${why}` });
    }
  } finally {
    nodefs.rmSync(work, { recursive: true, force: true });
  }
  return s;
}
