/**
 * Opens a generated report in headless Debian chromium (driven by playwright-core) with every
 * network request outside file:/data:/blob: aborted and recorded, and collects page errors,
 * console errors and dialogs. Shared by test/reports/browser.test.ts and bench/report.ts.
 */
import * as fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** The browser binary the tests use (Debian's `chromium` package). */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Launches chromium; throws a clear Error (never skips) when the binary is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: the report browser test needs Debian's chromium (apt-get install -y chromium; .ci/run installs it)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** What happened while a report page loaded. */
export interface PageLog {
  page: Page;
  pageErrors: string[];
  consoleErrors: string[];
  dialogs: string[];
  /** Requests to anything but file:, data: or blob: URLs (all aborted). */
  blocked: string[];
  /** Every request URL seen. */
  requests: string[];
  /** ms from navigation start until every chart was drawn (page's own clock). */
  renderMs: number;
  /** ms from navigation start until the charts of the first screen were drawn. */
  firstScreenMs: number;
  /** Navigation timing: ms from navigation start to DOMContentLoaded end (scripts parsed and run). */
  domContentLoadedMs: number;
  /**
   * CPU ms of the renderer's main thread (CDP `Performance.getMetrics` ThreadTime) when the charts
   * were drawn: the wall time the page needs on an idle core of this machine, without the waiting a
   * loaded machine adds.
   */
  mainThreadCpuMs: number;
}

/** Opens `file` and waits (up to `timeoutMs`) until the page reports its charts drawn or failed. */
export async function openReport(browser: Browser, file: string, timeoutMs = 90_000): Promise<PageLog> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const log: PageLog = { page, pageErrors: [], consoleErrors: [], dialogs: [], blocked: [], requests: [], renderMs: NaN, firstScreenMs: NaN, domContentLoadedMs: NaN, mainThreadCpuMs: NaN };
  page.on('pageerror', (e) => log.pageErrors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && log.consoleErrors.push(m.text()));
  page.on('dialog', (d) => {
    log.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => log.requests.push(r.url()));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (/^(file|data|blob):/.test(url)) return route.continue();
    log.blocked.push(url);
    return route.abort();
  });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-charts="ready"], body[data-charts="error"]', { state: 'attached', timeout: timeoutMs });
  log.renderMs = Number(await page.getAttribute('body', 'data-render-ms'));
  log.firstScreenMs = Number(await page.getAttribute('body', 'data-first-screen-ms'));
  const { metrics } = await cdp.send('Performance.getMetrics');
  log.mainThreadCpuMs = 1000 * (metrics.find((m) => m.name === 'ThreadTime')?.value ?? NaN);
  // a string expression: evaluated in the page (DOM types are not in this project's lib)
  log.domContentLoadedMs = Number(await page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"));
  return log;
}
