/**
 * Escaping for every context a report puts text into. Every string that comes from a results
 * file (engine names, labels, properties, paths, notes) goes through one of these before it
 * reaches HTML, a plotly text field, Markdown or CSV: a label like
 * `</script><script>alert(1)</script>` must render as text and run nothing.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
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
  return escapeHtml(s);
}

/**
 * Escapes text for a Markdown table cell or inline text (GitHub-flavoured): `&`, `<`, `>` become
 * entities (GitHub renders inline HTML), the emphasis/code/link/strike characters
 * `\\ \` * _ [ ] ~` and the `|` cell separator are backslash-escaped, newlines become spaces.
 * Without `[`/`]` no link or image can form.
 */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
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
