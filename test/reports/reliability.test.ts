/** The reliability section: torture results files rendered as a table, escaped, never invented. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ResultsFile } from '../../harness/results.js';
import { renderHtmlReport } from '../../reports/index.js';
import { loadTortureResults, reliabilityTable } from '../../reports/reliability.js';
import { newResults, percentiles, type CrashSection, type TortureResults } from '../../torture/results.js';
import { tmpDir } from '../support/tmp.js';
import { HOSTILE, realResults } from './fixtures.js';

function crash(cycles: number, verified: number, lost: number, recovery: number[]): CrashSection {
  return {
    applicable: true, durability: 'group', seed: 1, killPoint: null, cycles, killedByParent: cycles, killedAtPoint: 0,
    killedDuringRecovery: 0, cleanExits: 0, opsAcknowledged: verified, durableVerified: verified, lost, wrongValues: 0,
    tornBatches: 0, otherViolations: 0, recoveryMs: percentiles(recovery), elapsedMs: 1, violations: [],
  };
}

function torture(): TortureResults {
  const t = newResults(['test']);
  t.engines.push({ engine: HOSTILE, crash: [crash(10, 500, 0, [1, 2, 3]), crash(5, 100, 2, [9])], powerLoss: null, corruption: null });
  return t;
}

describe('reliability section', () => {
  let results: ResultsFile;
  beforeAll(async () => {
    results = await realResults('map', 'workloadc', 1);
  }, 300_000);

  it('sums crash sections per engine and says n/a for what was not run', () => {
    const t = reliabilityTable([torture()]);
    expect(t.rows).toHaveLength(1);
    const [row] = t.rows;
    expect(row!.slice(2, 5)).toEqual([15, 600, 2]); // cycles, verified, lost
    expect(row![6]).toBe(9); // worst p99 recovery
    expect(row!.slice(7)).toEqual([null, null, null, null, null, null, null]);
  });

  it('renders the section with escaped engine names, and no section without torture files', () => {
    const html = renderHtmlReport([results], { reliability: [torture()] });
    expect(html).toContain('id="s-reliability"');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html.split(HOSTILE).length).toBe(1);
    expect(renderHtmlReport([results])).not.toContain('id="s-reliability"');
  });

  it('finds torture files among report inputs and rejects malformed ones with INVALID_ARGUMENT naming the path', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 't.json'), JSON.stringify(torture()));
    fs.writeFileSync(path.join(dir, 'other.json'), JSON.stringify({ kind: 'something-else' }));
    expect(loadTortureResults([dir])).toHaveLength(1);
    const bad = path.join(dir, 'bad.json');
    const rejected = (doc: unknown): string => {
      fs.writeFileSync(bad, JSON.stringify(doc));
      try {
        loadTortureResults([dir]);
        return 'accepted';
      } catch (e) {
        return `${(e as { code: string }).code} ${(e as Error).message}`;
      }
    };
    expect(rejected({ kind: 'kvlab-torture', engines: [{}] })).toMatch(/^INVALID_ARGUMENT /);
    const good = torture();
    expect(rejected({ ...good, engines: [null] })).toMatch(/^INVALID_ARGUMENT .*engines\[0\]/);
    const stringCount = structuredClone(good) as { engines: Array<{ crash: Array<Record<string, unknown>> }> };
    stringCount.engines[0]!.crash[0]!.lost = '0';
    expect(rejected(stringCount)).toMatch(/^INVALID_ARGUMENT .*engines\[0\]\.crash\[0\]\.lost/);
    expect(rejected({ ...good, schemaVersion: 99 })).toMatch(/^NOT_SUPPORTED /);
  });
});
