import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHtmlReport } from '../../reports/index.js';
import { launchChromium, openReport, type PageLog } from '../../bench/report-browser.js';
import { HOSTILE, matrixFixtures, type FixtureSet } from './fixtures.js';

/** Where the screenshot goes (kept after the test for a human to look at). */
const SCREENSHOT = process.env['KVLAB_SCREENSHOT'] ?? path.join(os.tmpdir(), 'kvlab-report-screenshot.png');

let fx: FixtureSet;
let browser: Browser;
let html: string;
let log: PageLog;

beforeAll(async () => {
  browser = await launchChromium(); // fails the suite with a clear message when /usr/bin/chromium is missing
  fx = await matrixFixtures();
  html = path.join(fx.dir, 'report.html');
  writeHtmlReport([fx.dir], html, { title: `report ${HOSTILE}` });
  log = await openReport(browser, html);
}, 300_000); // generating fixtures with the real harness and opening chromium: slow on a loaded machine
afterAll(async () => {
  await browser?.close();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

describe('HTML report in headless chromium', () => {
  it('is under 6 MB and draws every chart without page errors', async () => {
    expect(fs.statSync(html).size).toBeLessThan(6 * 1024 * 1024);
    expect(log.pageErrors).toEqual([]);
    expect(log.consoleErrors).toEqual([]);
    expect(await log.page.getAttribute('body', 'data-charts')).toBe('ready');
    const charts = await log.page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('div.chart')].map((div) => {
        const gd = div as HTMLElement & { data?: unknown[]; _fullData?: unknown[] };
        const paths = [...div.querySelectorAll('g.trace path')].filter((p) => (p.getAttribute('d') ?? '').length > 8);
        return { id: div.id, traces: gd.data?.length ?? 0, full: gd._fullData?.length ?? 0, drawnTraces: div.querySelectorAll('g.trace').length, paths: paths.length };
      }),
    );
    expect(charts.length).toBeGreaterThanOrEqual(10);
    for (const c of charts) {
      expect(c.traces, c.id).toBeGreaterThan(0);
      expect(c.full, c.id).toBe(c.traces);
      expect(c.drawnTraces, c.id).toBeGreaterThan(0);
      expect(c.paths, c.id).toBeGreaterThan(0);
    }
  });

  it('makes no network request: every request is the file itself (or data:/blob:)', () => {
    expect(log.blocked).toEqual([]);
    expect(log.requests.every((u) => /^(file|data|blob):/.test(u))).toBe(true);
  });

  it('shows the hostile label as text and runs nothing', async () => {
    expect(log.dialogs).toEqual([]);
    const seen = await log.page.evaluate((h) => ({
      scripts: document.querySelectorAll('script').length,
      title: document.title,
      h1: document.querySelector('h1')?.textContent,
      legend: [...document.querySelectorAll('.legendtext')].some((e) => e.textContent === `${h} [none]`),
      cells: [...document.querySelectorAll('td')].some((e) => e.textContent === `${h} [none]`),
    }), HOSTILE);
    expect(seen.scripts).toBe(3);
    expect(seen.title).toBe(`report ${HOSTILE}`);
    expect(seen.h1).toBe(`report ${HOSTILE}`);
    expect(seen.legend).toBe(true);
    expect(seen.cells).toBe(true);
  });

  it('saves a full-page screenshot', async () => {
    await log.page.screenshot({ path: SCREENSHOT, fullPage: true });
    const png = fs.readFileSync(SCREENSHOT);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(1280);
    console.log(`report screenshot: ${SCREENSHOT}; page drew its charts ${log.renderMs} ms after navigation start`);
  });

  it('wraps a 100 KB label inside the page width and shows a bidi override instead of applying it', async () => {
    const long = structuredClone(fx.results[0]!);
    long.engine.label = `long-${'x'.repeat(100_000)}`;
    const spoof = structuredClone(fx.results[0]!);
    spoof.engine.label = 'evil\u202Egnp.exe';
    const file = path.join(fx.dir, 'wide.html');
    const dir = path.join(fx.dir, 'wide');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'a.json'), JSON.stringify(long));
    fs.writeFileSync(path.join(dir, 'b.json'), JSON.stringify(spoof));
    writeHtmlReport([dir], file, { title: 'wide' });
    const w = await openReport(browser, file);
    try {
      const seen = await w.page.evaluate(() => ({
        width: document.documentElement.scrollWidth,
        text: document.body.innerText,
      }));
      expect(seen.width).toBeLessThanOrEqual(1280);
      expect(seen.text).toContain('evil⟨U+202E⟩gnp.exe');
      expect(seen.text).not.toContain('\u202E');
    } finally {
      await w.page.close();
    }
  });
});

