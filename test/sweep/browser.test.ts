/** The sweep report in headless chromium: every chart (measured and model traces) draws, no page errors, no network. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openReport, type PageLog } from '../../bench/report-browser.js';
import { cli } from '../harness/helpers.js';
import { tmpDir } from '../support/tmp.js';

let browser: Browser;
let log: PageLog;
let dir: string;

beforeAll(async () => {
  browser = await launchChromium(); // fails with a clear message when /usr/bin/chromium is missing
  dir = path.join(tmpDir(), 'sweep');
  const r = await cli(['sweep', '--engine', 'lsm:memtableSize=65536,targetFileSize=65536', '--vary', 'bloomBits=0,8', '-P', 'workloads/workloadc',
    '-p', 'recordcount=2000', '-p', 'operationcount=2000', '-p', 'missingreadproportion=0.5', '--no-harness-cost', '--quiet', '--out', dir]);
  if (r.code !== 0) throw new Error(r.err);
  log = await openReport(browser, path.join(dir, 'report.html'));
}, 300_000);
afterAll(async () => {
  await browser?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('sweep report in headless chromium', () => {
  it('draws every metric chart, the model lines included, without page errors or requests', async () => {
    expect(log.pageErrors).toEqual([]);
    expect(log.consoleErrors).toEqual([]);
    expect(log.blocked).toEqual([]);
    expect(await log.page.getAttribute('body', 'data-charts')).toBe('ready');
    const charts = await log.page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('div.chart')].map((div) => {
        const gd = div as HTMLElement & { data?: Array<{ name?: string }> };
        return { id: div.id, names: (gd.data ?? []).map((t) => t.name ?? ''), drawn: div.querySelectorAll('g.trace').length };
      }),
    );
    expect(charts.length).toBeGreaterThanOrEqual(8);
    for (const c of charts) expect(c.drawn, c.id).toBeGreaterThan(0);
    // the bloom chart carries its model line
    expect(charts.some((c) => c.names.some((n) => n.includes('bloom false-positive rate')))).toBe(true);
  });
});
