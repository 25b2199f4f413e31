/**
 * HTML tables whose cells are text by default: a plain string is always escaped, so a string
 * from a results file cannot become markup. Markup built by the report itself is passed as
 * {@link Markup} (made only with {@link markup} from already-escaped parts).
 */
import { escapeHtml } from './escape.js';

/** Trusted HTML produced by the report code (never a raw results-file string). */
export interface Markup {
  readonly html: string;
}

/** Wraps HTML the caller has built from escaped parts. */
export function markup(html: string): Markup {
  return { html };
}

/** A table cell: text (escaped), trusted markup, a number, or null (shown as `n/a`). */
export type CellContent = string | number | null | Markup;

/** HTML of one cell's content. */
export function cellHtml(c: CellContent): string {
  if (c === null) return '<span class="na">n/a</span>';
  if (typeof c === 'number') return escapeHtml(String(c));
  if (typeof c === 'string') return escapeHtml(c);
  return c.html;
}

/** A `<table>` with a header row; `numericFrom` right-aligns columns from that index on. */
export function htmlTable(head: readonly CellContent[], rows: readonly (readonly CellContent[])[], opts: { caption?: string; numericFrom?: number } = {}): string {
  const n = opts.numericFrom ?? Infinity;
  const th = head.map((h) => `<th>${cellHtml(h)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((c, i) => `<td${i >= n ? ' class="num"' : ''}>${cellHtml(c)}</td>`).join('')}</tr>`)
    .join('\n');
  const cap = opts.caption ? `<caption>${escapeHtml(opts.caption)}</caption>` : '';
  return `<div class="tablewrap"><table>${cap}<thead><tr>${th}</tr></thead>\n<tbody>\n${body}\n</tbody></table></div>`;
}

/** A two-column key/value table. */
export function kvTable(pairs: readonly [string, CellContent][], caption?: string): string {
  return htmlTable(['field', 'value'], pairs.map(([k, v]) => [k, v]), { caption });
}
