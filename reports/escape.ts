/**
 * Escaping for every context a report puts text into. Every string that comes from a results
 * file (engine names, labels, properties, paths, notes) goes through one of these before it
 * reaches HTML, a plotly text field, Markdown or CSV: a label like
 * `</script><script>alert(1)</script>` must render as text and run nothing.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Unicode bidirectional controls (embeddings, overrides, isolates, marks) and C0/C1 control
 * characters: applied, they reorder or hide text, so a label could display as something it is
 * not (`U+202E` shows the rest reversed). Reports show them instead, as `⟨U+202E⟩`.
 */
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `s` with every bidi or control character replaced by a visible `⟨U+XXXX⟩`. */
export function showControls(s: string): string {
  return s.replace(INVISIBLE, (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`);
}

/** Escapes text for HTML element content and quoted attribute values (controls shown, see {@link showControls}). */
export function escapeHtml(s: string): string {
  return showControls(s).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * Serialises `value` as JSON that is safe inside `<script type="application/json">`: `<`, `>`
 * and `&` become `\u003c`/`\u003e`/`\u0026` (so neither `</script` nor `<!--` can occur) and
 * U+2028/U+2029 are escaped. `JSON.parse` of the element's text gives back `value` exactly.
 */
export function jsonForHtmlScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Makes JavaScript source safe to inline in a `<script>` element: `</script` (any case) becomes
 * `<\/script` and `<!--` becomes `<\!--`. Only meaning-preserving where those sequences occur
 * inside string, template or regex literals; scripts/build-plotly.mjs refuses a bundle that
 * contains them at all, so for plotly this is a guard, not a rewrite.
 */
export function escapeScriptContent(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/**
 * Escapes text for a plotly text field (trace name, title, axis title, annotation). Plotly
 * interprets a subset of HTML (`<b>`, `<br>`, `<a href>`) in those fields and decodes entities,
 * so escaping as HTML makes plotly show the characters literally.
 */
export function escapePlotlyText(s: string): string {
  // plotly does not wrap legend entries or titles: a long label is cut (the tables show it whole)
  return escapeHtml(s.length > MAX_PLOT_TEXT ? `${s.slice(0, MAX_PLOT_TEXT)}…` : s);
}

/** The longest label a plot shows (characters) before cutting it with `…`. */
export const MAX_PLOT_TEXT = 120;

/**
 * Escapes text for a Markdown table cell or inline text (GitHub-flavoured): `&`, `<`, `>` become
 * entities (GitHub renders inline HTML), the emphasis/code/link/strike characters
 * `\\ \` * _ [ ] ~` and the `|` cell separator are backslash-escaped, newlines become spaces.
 * Without `[`/`]` no link or image can form.
 */
export function escapeMarkdown(s: string): string {
  return showControls(s.replace(/[\r\n]+/g, ' '))
    .replace(/[&<>]/g, (c) => HTML_ESCAPES[c]!)
    .replace(/([\\`*_[\]|~])/g, '\\$1');
}

/**
 * One CSV field (RFC 4180): quoted when it contains a comma, quote, CR or LF, quotes doubled.
 * A field starting with `=`, `+`, `-`, `@`, tab or CR that is not a number is prefixed with `'`
 * so a spreadsheet does not evaluate it as a formula.
 */
export function csvField(v: string | number | boolean | null): string {
  if (v === null) return '';
  if (typeof v !== 'string') return String(v);
  let s = v;
  if (/^[=+\-@\t\r]/.test(s) && !/^[+-]?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
