/**
 * The self-contained HTML page: inline CSS, the embedded data (JSON escaped for HTML, in a
 * non-executed `application/json` script), the inlined plotly bundle and a small client script
 * that draws the figures. A Content-Security-Policy allows exactly those two scripts (by hash)
 * and no network access, so even a string that escaped escaping could not run or fetch.
 */
import { createHash } from 'node:crypto';
import { escapeHtml, escapeScriptContent, jsonForHtmlScript } from './escape.js';
import type { Figure } from './figures/figure.js';

/**
 * Draws the figures one per task: first those on the first screen, then the rest in page order,
 * moving charts the reader scrolls to ahead of the queue. Records on <body>
 * `data-first-screen-ms` (first screen drawn) and `data-render-ms` (all drawn), both since
 * navigation start, and sets `data-charts="ready"` when all are drawn (`error` on a failure).
 */
const CLIENT_SCRIPT = `(function () {
  'use strict';
  var body = document.body;
  var status = document.getElementById('kvlab-status');
  function fail(e) {
    body.setAttribute('data-charts', 'error');
    status.textContent = 'Chart rendering failed: ' + (e && e.message ? e.message : String(e));
  }
  try {
    if (typeof window.Plotly === 'undefined') throw new Error('plotly.js did not load');
    var figures = JSON.parse(document.getElementById('kvlab-data').textContent).figures;
    var config = { displaylogo: false, responsive: true, showLink: false, showSendToCloud: false,
      showEditInChartStudio: false, showTips: false };
    var onScreen = function (f) {
      var r = document.getElementById(f.id).getBoundingClientRect();
      return r.bottom > 0 && r.top < window.innerHeight;
    };
    var queue = figures.filter(onScreen).concat(figures.filter(function (f) { return !onScreen(f); }));
    var firstScreen = queue.filter(onScreen).length;
    var drawn = 0;
    window.addEventListener('scroll', function () {
      queue = queue.filter(onScreen).concat(queue.filter(function (f) { return !onScreen(f); }));
    }, { passive: true });
    var mark = function () {
      if (drawn === firstScreen) body.setAttribute('data-first-screen-ms', String(Math.round(performance.now())));
    };
    var next = function () {
      mark();
      if (queue.length === 0) {
        body.setAttribute('data-render-ms', String(Math.round(performance.now())));
        body.setAttribute('data-charts', 'ready');
        status.textContent = '';
        return;
      }
      var f = queue.shift();
      window.Plotly.newPlot(document.getElementById(f.id), f.data, f.layout, config).then(function () {
        drawn++;
        setTimeout(next, 0);
      }, fail);
    };
    next();
  } catch (e) { fail(e); }
})();`;

const CSS = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1200px; padding: 0 16px 48px; color: #1b1b1b; overflow-wrap: anywhere; }
h1 { font-size: 1.5em; margin: 20px 0 4px; } h2 { font-size: 1.2em; margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.meta { color: #555; font-size: 0.9em; } nav a { margin-right: 12px; font-size: 0.9em; }
.warnings { background: #fff4e5; border-left: 4px solid #e69f00; padding: 8px 12px; margin: 12px 0; }
.warnings li { margin: 2px 0; }
.chart { width: 100%; margin: 12px 0; }
table { border-collapse: collapse; margin: 12px 0; font-size: 0.85em; width: 100%; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
td:nth-child(-n+2) { min-width: 7em; max-width: 26em; } .tablewrap { overflow-x: auto; }
.note { color: #8a4b00; font-size: 0.9em; margin: 2px 0 8px; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.na { color: #777; font-style: italic; } .status { color: #b00; } .straggler { color: #b00; }
`;

/** A titled section of the page: trusted HTML built from escaped parts. */
export interface PageSection {
  id: string;
  heading: string;
  /** HTML before the charts (already escaped). */
  intro: string;
  figures: Figure[];
  /** HTML after the charts (tables; already escaped). */
  tables: string;
}

/** Everything the page shows. `title` and `subtitle` are plain text (escaped here). */
export interface PageContent {
  title: string;
  subtitle: string;
  warnings: string[];
  sections: PageSection[];
  plotly: string;
}

function sha256(s: string): string {
  return `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
}

/** The complete HTML document. */
export function renderPage(c: PageContent): string {
  const figures = c.sections.flatMap((s) => s.figures);
  const data = jsonForHtmlScript({ figures: figures.map((f) => ({ id: f.id, data: f.data, layout: { ...f.layout, height: f.height } })) });
  const plotly = escapeScriptContent(c.plotly);
  const client = escapeScriptContent(CLIENT_SCRIPT);
  const csp = [`default-src 'none'`, `script-src ${sha256(plotly)} ${sha256(client)}`, `style-src 'unsafe-inline'`,
    `img-src data: blob:`, `font-src data:`, `connect-src 'none'`, `base-uri 'none'`, `form-action 'none'`].join('; ');
  const nav = c.sections.map((s) => `<a href="#${s.id}">${escapeHtml(s.heading)}</a>`).join('');
  const warnings = c.warnings.length
    ? `<div class="warnings"><strong>Read before comparing:</strong><ul>${c.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul></div>`
    : '';
  const sections = c.sections
    .map((s) => [
      `<section id="${s.id}"><h2>${escapeHtml(s.heading)}</h2>`,
      s.intro,
      ...s.figures.map((f) => `<div class="chart" id="${f.id}" role="img" aria-label="${escapeHtml(f.title)}" style="height:${f.height}px"></div>` +
        (f.notes ?? []).map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('')),
      s.tables,
      '</section>',
    ].join('\n'))
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(c.title)}</title>
<style>${CSS}</style></head>
<body data-charts="pending">
<header><h1>${escapeHtml(c.title)}</h1><p class="meta">${escapeHtml(c.subtitle)}</p>
<p class="status" id="kvlab-status">${figures.length ? 'Drawing charts…' : ''}</p>${warnings}<nav>${nav}</nav></header>
${sections}
<script type="application/json" id="kvlab-data">${data}</script>
<script>${plotly}</script>
<script>${client}</script>
</body></html>
`;
}
