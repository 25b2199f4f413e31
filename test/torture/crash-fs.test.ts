import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isKvError } from '../../engines/errors.js';
import { CrashFs } from '../../engines/testing/crash-fs.js';

let root: string;
beforeEach(() => {
  root = nodefs.mkdtempSync(path.join(os.tmpdir(), 'kvlab-crashfs-test-'));
});
afterEach(() => nodefs.rmSync(root, { recursive: true, force: true }));

const b = (s: string) => Buffer.from(s, 'latin1');
const read = (f: string) => nodefs.readFileSync(f, 'latin1');

function writeAt(fs: CrashFs, fd: number, s: string, pos: number): void {
  fs.write(fd, b(s), 0, s.length, pos);
}

describe('CrashFs strict power loss', () => {
  it('keeps synced bytes and cuts the unsynced tail', () => {
    const fs = new CrashFs(root);
    const f = path.join(root, 'log');
    const fd = fs.open(f, 'create');
    fs.syncDir(root);
    writeAt(fs, fd, 'hello', 0);
    fs.fdatasync(fd);
    writeAt(fs, fd, ' world', 5);
    expect(read(f)).toBe('hello world');
    const sum = fs.crash();
    expect(read(f)).toBe('hello');
    expect(sum.bytesCut).toBe(6);
  });

  it('reverts unsynced overwrites and truncations inside the synced length', () => {
    const fs = new CrashFs(root);
    const f = path.join(root, 'pages');
    const fd = fs.open(f, 'create');
    fs.syncDir(root);
    writeAt(fs, fd, 'AAAABBBBCCCC', 0);
    fs.fsync(fd);
    writeAt(fs, fd, 'xx', 4);
    writeAt(fs, fd, 'yyyy', 3);
    fs.truncate(fd, 6);
    writeAt(fs, fd, 'zz', 8);
    fs.crash();
    expect(read(f)).toBe('AAAABBBBCCCC');
  });

  it('drops a file created since the last syncDir, even if the file itself was fsynced', () => {
    const fs = new CrashFs(root);
    const fd = fs.open(path.join(root, 'new'), 'create');
    writeAt(fs, fd, 'data', 0);
    fs.fsync(fd);
    const sum = fs.crash();
    expect(nodefs.existsSync(path.join(root, 'new'))).toBe(false);
    expect(sum.entriesDropped).toBe(1);
  });

  it('keeps a created file once its directory is synced, with only its synced bytes', () => {
    const fs = new CrashFs(root);
    const fd = fs.open(path.join(root, 'new'), 'create');
    writeAt(fs, fd, 'data', 0);
    fs.syncDir(root);
    fs.crash();
    expect(read(path.join(root, 'new'))).toBe(''); // named durably, contents never synced
  });

  it('undoes an unsynced rename over an existing file, restoring both names', () => {
    nodefs.writeFileSync(path.join(root, 'MANIFEST'), 'old');
    const fs = new CrashFs(root);
    const fd = fs.open(path.join(root, 'MANIFEST.tmp'), 'truncate');
    writeAt(fs, fd, 'new', 0);
    fs.fsync(fd);
    fs.close(fd);
    fs.rename(path.join(root, 'MANIFEST.tmp'), path.join(root, 'MANIFEST'));
    expect(read(path.join(root, 'MANIFEST'))).toBe('new');
    fs.crash();
    expect(read(path.join(root, 'MANIFEST'))).toBe('old');
    expect(nodefs.existsSync(path.join(root, 'MANIFEST.tmp'))).toBe(false);
  });

  it('makes a rename durable with syncDir', () => {
    nodefs.writeFileSync(path.join(root, 'MANIFEST'), 'old');
    const fs = new CrashFs(root);
    const fd = fs.open(path.join(root, 'MANIFEST.tmp'), 'truncate');
    writeAt(fs, fd, 'new', 0);
    fs.fsync(fd);
    fs.close(fd);
    fs.rename(path.join(root, 'MANIFEST.tmp'), path.join(root, 'MANIFEST'));
    fs.syncDir(root);
    fs.crash();
    expect(read(path.join(root, 'MANIFEST'))).toBe('new');
    expect(nodefs.readdirSync(root)).toEqual(['MANIFEST']);
  });

  it('undoes an unsynced unlink and keeps the durable contents', () => {
    nodefs.writeFileSync(path.join(root, 'seg1'), 'segment');
    const fs = new CrashFs(root);
    fs.unlink(path.join(root, 'seg1'));
    expect(fs.exists(path.join(root, 'seg1'))).toBe(false);
    fs.crash();
    expect(read(path.join(root, 'seg1'))).toBe('segment');
  });

  it('is gone after the crash: every call throws IO', () => {
    const fs = new CrashFs(root);
    fs.crash();
    let err: unknown;
    try {
      fs.open(path.join(root, 'x'), 'create');
    } catch (e) {
      err = e;
    }
    expect(isKvError(err, 'IO')).toBe(true);
  });

  it('can write the crash state into another directory, leaving the original as it was', () => {
    const fs = new CrashFs(root);
    const fd = fs.open(path.join(root, 'log'), 'create');
    fs.syncDir(root);
    writeAt(fs, fd, 'abc', 0);
    fs.fdatasync(fd);
    writeAt(fs, fd, 'def', 3);
    const into = path.join(root, '..', `${path.basename(root)}-after`);
    try {
      fs.crash({ into });
      expect(read(path.join(into, 'log'))).toBe('abc');
      expect(read(path.join(root, 'log'))).toBe('abcdef');
    } finally {
      nodefs.rmSync(into, { recursive: true, force: true });
    }
  });
});

describe('CrashFs random power loss', () => {
  it('keeps the synced bytes, then a prefix of the unsynced tail, never more than was written', () => {
    const lengths = new Set<number>();
    for (let seed = 1; seed <= 40; seed++) {
      const dir = path.join(root, `s${seed}`);
      const fs = new CrashFs(dir);
      const f = path.join(dir, 'log');
      const fd = fs.open(f, 'create');
      fs.syncDir(dir);
      writeAt(fs, fd, 'synced.', 0);
      fs.fdatasync(fd);
      writeAt(fs, fd, 'unsynced-tail-bytes', 7);
      fs.crash({ mode: 'random', seed, garbage: false });
      const got = read(f);
      expect('synced.unsynced-tail-bytes'.startsWith(got)).toBe(true);
      expect(got.length).toBeGreaterThanOrEqual(7);
      lengths.add(got.length);
    }
    expect(lengths.size).toBeGreaterThan(3); // the kept length really varies with the seed
  });

  it('with garbage, changes only bytes of the unsynced tail', () => {
    let garbled = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const dir = path.join(root, `g${seed}`);
      const fs = new CrashFs(dir);
      const f = path.join(dir, 'log');
      const fd = fs.open(f, 'create');
      fs.syncDir(dir);
      writeAt(fs, fd, 'synced.', 0);
      fs.fdatasync(fd);
      writeAt(fs, fd, 'unsynced-tail-bytes', 7);
      const sum = fs.crash({ mode: 'random', seed, garbage: true });
      const got = read(f);
      expect(got.slice(0, 7)).toBe('synced.');
      expect(got.length).toBeLessThanOrEqual(26);
      garbled += sum.garbageFiles;
    }
    expect(garbled).toBeGreaterThan(0);
  });
});
