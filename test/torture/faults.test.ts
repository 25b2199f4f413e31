/**
 * I/O faults (EIO, ENOSPC on a write, fdatasync, fsync, syncDir, rename or open) injected with
 * FaultFs into every persistent engine that does its I/O through opts.fs: each failure reaches
 * the caller as a KvError and nothing acknowledged before it is lost.
 */
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isKvError } from '../../engines/errors.js';
import { NodeFs } from '../../engines/fs.js';
import { FaultFs } from '../../engines/testing/fault-fs.js';
import { runFaultTorture } from '../../torture/faults.js';
import { SCALE, tortureTargets } from './engines.js';

const targets = await tortureTargets();

describe('FaultFs', () => {
  it('fails exactly the chosen call, as a typed IO error carrying the errno', () => {
    const dir = nodefs.mkdtempSync(path.join(os.tmpdir(), 'kvlab-faultfs-'));
    try {
      const fs = new FaultFs(new NodeFs(), [{ op: 'fdatasync', nth: 2, code: 'ENOSPC' }]);
      const fd = fs.open(path.join(dir, 'f'), 'create');
      fs.fdatasync(fd);
      let err: unknown;
      try {
        fs.fdatasync(fd);
      } catch (e) {
        err = e;
      }
      expect(isKvError(err, 'IO')).toBe(true);
      expect(((err as Error).cause as { code?: string }).code).toBe('ENOSPC');
      fs.fdatasync(fd); // not sticky: the third call succeeds
      expect(fs.failures).toBe(1);
      fs.close(fd);
    } finally {
      nodefs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(targets.filter((t) => !t.reference).map((t) => [t.d.name, t] as const))('I/O faults: %s', (_name, t) => {
  it('surfaces every injected failure as a KvError and keeps what was acknowledged', async () => {
    expect(t.unavailable, 'a registered engine must open here (native: npm run build:native)').toBeUndefined();
    const s = await runFaultTorture({ engine: t.spec, seed: 8, trials: 12 * SCALE });
    if (!s.applicable) {
      expect(s.reason).toMatch(/own file I\/O/);
      return;
    }
    expect(s.violations).toEqual([]);
    expect(s.trials).toBe(12 * SCALE);
    expect(s.faultsInjected).toBeGreaterThan(0);
    expect(s.typedErrors).toBeGreaterThan(0);
  });
});
