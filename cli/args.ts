/**
 * Argument helpers shared by the CLI commands: YCSB flag habits (`-threads`, `-target`, `-P`,
 * `-p k=v`, `-s`), number parsing with one-line errors, engine spec lists, property checks.
 * Every usage error is a {@link UsageError} (the CLI prints it on one line and exits with 2).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { checkProperty } from '../workloads/properties.js';

/** A command-line mistake: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** YCSB's single-dash long flags, mapped to ours. */
const YCSB_FLAGS: Record<string, string> = {
  '-threads': '--threads', '-target': '--target', '-db': '--engine', '-load': '', '-t': '',
};

/** Rewrites YCSB-style flags (`-threads 4`) to `--threads 4`; `-load`/`-t` (YCSB mode flags) are dropped. */
export function normalizeArgv(argv: string[]): string[] {
  const out: string[] = [];
  for (const a of argv) {
    if (a in YCSB_FLAGS) {
      const m = YCSB_FLAGS[a]!;
      if (m !== '') out.push(m);
    } else out.push(a);
  }
  return out;
}

/** Parsed options (string / boolean / repeated string values) and positionals. */
export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** parseArgs with strict checking; unknown options and missing values become UsageErrors. */
export function parse(
  argv: string[],
  options: NonNullable<ParseArgsConfig['options']>,
  command: string,
  allowPositionals = false,
): ParsedArgs {
  try {
    const r = parseArgs({ args: normalizeArgv(argv), options, strict: true, allowPositionals });
    return { values: r.values as ParsedArgs['values'], positionals: r.positionals };
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '');
    throw new UsageError(`${command}: ${msg}`);
  }
}

/** A positive (or non-negative) integer option value; undefined stays undefined. */
export function intOpt(v: string | undefined, name: string, min = 1): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim()) || Number(v) < min || !Number.isSafeInteger(Number(v)))
    throw new UsageError(`--${name} must be an integer >= ${min}, got '${v}'`);
  return Number(v);
}

/** A positive number option value (e.g. --target 1500.5). */
export function numOpt(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, got '${v}'`);
  return n;
}

/**
 * Splits an engine list: `a,b:x=1,y=2,c` → [`a`, `b:x=1,y=2`, `c`] (a comma starts a new spec
 * only before something that is not a bare `k=v`); `;` always separates.
 */
export function splitEngineList(s: string): string[] {
  const out: string[] = [];
  for (const chunk of s.split(';')) {
    let first = true;
    for (const part of chunk.split(',')) {
      const p = part.trim();
      if (p === '') continue;
      if (!first && out.length > 0 && p.includes('=') && !p.includes(':')) out[out.length - 1] += `,${p}`;
      else out.push(p);
      first = false;
    }
  }
  return out;
}

/** `-p k=v` values → an overrides record; a value without `=` is a UsageError. */
export function overridesOf(pairs: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`-p needs key=value, got '${p}'`);
    out[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
  }
  return out;
}

/** Checks `-p` overrides before any work (the same rules as a -P file's lines: workloads/properties.ts checkProperty). */
export function checkOverrides(o: Record<string, string>): void {
  for (const [k, v] of Object.entries(o)) checkProperty(k, v, `-p ${k}`);
}

/** The longest error line printed: an error quoting its input (a 10 MB value) stays one readable line. */
export const MAX_ERROR_LINE = 400;

/** The first line of `msg`, cut to {@link MAX_ERROR_LINE} characters. */
export function oneLine(msg: string): string {
  const first = msg.split('\n')[0]!;
  return first.length > MAX_ERROR_LINE ? `${first.slice(0, MAX_ERROR_LINE)}… (${first.length} characters)` : first;
}

/**
 * Checks, before any work, that results can be written to `file`: not a directory, its parent
 * created if missing and writable. UsageError (one line) otherwise.
 */
export function checkOutFile(file: string, flag = '--out'): void {
  const st = statOrNull(file);
  if (st?.isDirectory()) throw new UsageError(`${flag} ${file} is a directory: give a file name`);
  writableDir(path.dirname(path.resolve(file)), flag, file);
}

/** Checks, before any work, that `dir` is a directory (created if missing) this process can write. */
export function checkDir(dir: string, flag: string): void {
  const st = statOrNull(dir);
  if (st && !st.isDirectory()) throw new UsageError(`${flag} ${dir} is not a directory`);
  writableDir(path.resolve(dir), flag, dir);
}

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}

function writableDir(dir: string, flag: string, given: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    throw new UsageError(`${flag} ${given}: cannot write there (${(e as { code?: string }).code ?? (e as Error).message})`);
  }
}
