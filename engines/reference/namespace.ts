/**
 * The namespace a network engine owns on its server: every key it writes starts with it. With
 * the engine's `namespace` option empty (default), the namespace is named by a small marker file
 * in the `dir` open option, created with a random name on first open. So a directory still
 * identifies one store, as for embedded engines: reopening it sees the data, a fresh or wiped
 * directory (a new `kvlab matrix` trial) starts empty. Nothing else is written to `dir`.
 * One definition for every network engine (redis, memcached, etcd, dynamodb).
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { writeFileAtomic, type Fs } from '../fs.js';
import { KvError } from '../errors.js';

/** on-disk: the marker file's name (shared by every network engine); never change without a version bump. */
const MARKER = 'redis-namespace';
/** What a marker may hold: printable ASCII without spaces. */
const PRINTABLE = /^[\x21-\x7e]+$/;

/**
 * Makes `dir`'s marker name `ns` (a scale-out run's clients share their coordinator's namespace;
 * harness/clients/). INVALID_ARGUMENT for a name the marker cannot hold.
 */
export function writeNamespaceMarker(dir: string, ns: string, fs: Fs): void {
  if (!PRINTABLE.test(ns)) throw new KvError('INVALID_ARGUMENT', `namespace ${JSON.stringify(ns)} is not a printable name`);
  fs.mkdirp(dir);
  writeFileAtomic(fs, path.join(dir, MARKER), Buffer.from(`${ns}\n`));
}

/** The namespace: the option if set, else the one named by `dir`'s marker file (created if missing). CORRUPTION for an unreadable marker. */
export function resolveNamespace(option: string, dir: string, fs: Fs): string {
  if (option !== '') return option;
  fs.mkdirp(dir);
  const file = path.join(dir, MARKER);
  if (fs.exists(file)) {
    const ns = Buffer.from(fs.readFile(file)).toString('utf8').trim();
    if (!PRINTABLE.test(ns)) throw new KvError('CORRUPTION', `namespace marker is not a printable name`, { file, offset: 0 });
    return ns;
  }
  const ns = `kvlab:${randomBytes(8).toString('hex')}`;
  writeNamespaceMarker(dir, ns, fs);
  return ns;
}
