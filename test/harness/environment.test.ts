/** The environment manifest: machine facts, the data directory's file system, git and library versions. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentManifest, filesystemOf } from '../../harness/environment.js';
import { tmpDir } from '../support/tmp.js';

describe('environment manifest', () => {
  it('describes the machine, the data directory file system and the software', () => {
    const dir = tmpDir();
    const m = environmentManifest(dir, 1000);
    expect(m.cores).toBe(os.cpus().length);
    expect(m.totalMemoryBytes).toBe(os.totalmem());
    expect(m.node).toBe(process.version);
    expect(m.kernel).toBe(os.release());
    expect(m.dataset).toEqual({
      estimatedBytes: 1000, ramBytes: os.totalmem(), ratioToRam: 1000 / os.totalmem(),
      memoryBytes: os.totalmem(), memoryIs: 'ram', ratioToMemory: 1000 / os.totalmem(),
    });
    // under a memory limit the ratio is to the limit
    expect(environmentManifest(dir, 1000, 4000).dataset).toMatchObject({ memoryBytes: 4000, memoryIs: 'limit', ratioToMemory: 0.25 });
    expect(Object.keys(m.libraryVersions)).toEqual(expect.arrayContaining(['lmdb', 'classic-level', 'better-sqlite3']));
    expect(m.gitRevision === null || /^[0-9a-f]{40}$/.test(m.gitRevision)).toBe(true);
    if (fs.existsSync('/proc/mounts')) {
      expect(m.filesystem.type).toMatch(/^\w+/);
      expect(path.resolve(dir).startsWith(m.filesystem.mountPoint!)).toBe(true);
    }
  });

  it('finds the file system of a directory that does not exist yet from its nearest parent', () => {
    const dir = tmpDir();
    const f = filesystemOf(path.join(dir, 'not', 'yet'));
    expect(f.dir).toBe(path.join(dir, 'not', 'yet'));
    expect(f.type).toBe(filesystemOf(dir).type);
  });
});
