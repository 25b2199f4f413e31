/**
 * Reads results files for reports. A path is a results JSON file (must be valid) or a
 * directory, searched recursively for `*.json` files whose `kind` is `kvlab-results` (other
 * JSON, e.g. benchmark output, is skipped). Every results file is validated by the harness's
 * `readResults`; reports never re-run anything.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KvError } from '../engines/errors.js';
import { readResults, RESULTS_KIND, type ResultsFile } from '../harness/results.js';

function jsonFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...jsonFilesUnder(p));
    else if (e.isFile() && e.name.endsWith('.json')) out.push(p);
  }
  return out;
}

function isResultsJson(file: string): boolean {
  try {
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { kind?: unknown };
    return doc !== null && typeof doc === 'object' && doc.kind === RESULTS_KIND;
  } catch {
    return false;
  }
}

function isTortureJson(file: string): boolean {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { kind?: unknown })?.kind === 'kvlab-torture';
  } catch {
    return false;
  }
}

/** The results files a list of paths names, in order (directories sorted by name). */
export function resultsFilesIn(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      throw new KvError('NOT_FOUND', `${p}: no such results file or directory`, { file: p });
    }
    if (!st.isDirectory()) {
      if (!isTortureJson(p)) out.push(p); // torture files feed the reliability section instead
      continue;
    }
    const found = jsonFilesUnder(p).filter(isResultsJson);
    if (found.length === 0) throw new KvError('NOT_FOUND', `${p}: no kvlab results files (*.json with kind "kvlab-results") in this directory`, { file: p });
    out.push(...found);
  }
  if (out.length === 0) throw new KvError('INVALID_ARGUMENT', 'no results files given');
  return out;
}

/** Reads and validates every results file the paths name. Errors as in `readResults`. */
export function loadResults(paths: readonly string[]): ResultsFile[] {
  return resultsFilesIn(paths).map((f) => readResults(f));
}
