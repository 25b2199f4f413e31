/**
 * Reading and writing kvlab's JSON documents (run results, torture results) the same way:
 * typed errors on read, atomic writes (a temporary, then rename; never left behind on failure).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KvError } from '../engines/errors.js';

/** Parses the JSON in `file`. Errors: NOT_FOUND (no file), IO (unreadable), INVALID_ARGUMENT (not JSON). `what` names the document in messages. */
export function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') throw new KvError('NOT_FOUND', `${file}: no such ${what} file`, { file });
    throw new KvError('IO', `${file}: ${(e as Error).message}`, { file, cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new KvError('INVALID_ARGUMENT', `${file}: not JSON (${(e as Error).message})`, { file });
  }
}

/** Writes `doc` as JSON to `file` atomically (parent directories created; the temporary removed on failure). */
export function writeJsonFile(file: string, doc: unknown, indent: number): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(tmp, `${JSON.stringify(doc, null, indent)}\n`);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
