/**
 * `kvlab report` and `kvlab compare`: argument parsing, file output and exit codes. The harness
 * CLI dispatches to {@link reportCommand} / {@link compareCommand} with the arguments after the
 * command name. Errors print one line `kvlab <cmd>: <CODE>: <message>` to stderr and return 2.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isKvError, KvError } from '../../engines/errors.js';
import { oneLine } from '../args.js';
import { compareResults } from '../../reports/compare.js';
import { renderComparisonHtml, renderComparisonMarkdown } from '../../reports/compare-render.js';
import { toCsv, toYcsbText, writeHgrm } from '../../reports/exports.js';
import { renderHtmlReport } from '../../reports/html-report.js';
import { loadResults } from '../../reports/load.js';
import { loadTortureResults } from '../../reports/reliability.js';
import { renderMarkdownSummary } from '../../reports/markdown.js';

/** Usage text of `kvlab report`. */
export const REPORT_HELP = `Usage: kvlab report FILE_OR_DIR... -o OUT.html [options]

Builds one self-contained HTML report (works offline) from kvlab results JSON files. A directory
is searched recursively for results files. Nothing is re-run.

Options:
  -o, --output FILE    HTML report to write (required)
  --markdown FILE      also write a Markdown summary (CI job summary / PR comment)
  --csv FILE           also write CSV (one row per file x phase x trial x op type)
  --ycsb FILE          also write YCSB-style text output
  --hgrm DIR           also write HdrHistogram percentile distributions (.hgrm, us) per op type
  --title TEXT         report title (default "kvlab report")
  -h, --help           show this help
Exit status: 0 on success, 2 on a usage or input error.`;

/** Usage text of `kvlab compare`. */
export const COMPARE_HELP = `Usage: kvlab compare BASELINE CANDIDATE [options]

Compares candidate results against baseline results (each a results file or a directory of
them) per engine [durability] x workload x metric (run/load throughput, p50/p99, p99 per op).
Verdicts use Welch's two-sided t-test on the per-trial values: "regression"/"improvement" only if
p < alpha and the change of the means is at least --min-effect; otherwise "within noise". With
fewer than 2 trials on either side the verdict is "insufficient trials".

Options:
  --fail-on-regression exit 1 when any metric regressed
  --markdown FILE      write the Markdown comparison to FILE (default: print it to stdout)
  --html FILE          also write an HTML comparison view
  --alpha P            significance level (default 0.05)
  --min-effect PCT     minimum change of the means in percent (default 5)
  -h, --help           show this help
Exit status: 0, 1 (regression with --fail-on-regression), 2 on a usage or input error.`;

interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

function parseArgs(args: readonly string[], valued: Record<string, string>, booleans: readonly string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (booleans.includes(name)) {
      if (eq > 0) throw new KvError('INVALID_ARGUMENT', `${name} takes no value`);
      flags.set(name, true);
      continue;
    }
    const canonical = valued[name];
    if (!canonical) throw new KvError('INVALID_ARGUMENT', `unknown option ${name} (see --help)`);
    const v = eq > 0 ? a.slice(eq + 1) : args[++i];
    if (v === undefined || v === '') throw new KvError('INVALID_ARGUMENT', `${name} needs a value`);
    flags.set(canonical, v);
  }
  return { positional, flags };
}

function writeFile(file: string, text: string): void {
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, text);
  } catch (e) {
    throw new KvError('IO', `cannot write ${file}: ${(e as Error).message}`, { file, cause: e });
  }
}

function fail(cmd: string, e: unknown): number {
  if (isKvError(e)) process.stderr.write(`kvlab ${cmd}: ${e.code}: ${oneLine(e.message.replace(/\s+/g, ' '))}\n`);
  else process.stderr.write(`kvlab ${cmd}: ERROR: ${oneLine((e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' '))}\n`);
  return 2;
}

/** `kvlab report`: returns the exit status (0, or 2 after printing a one-line error). */
export function reportCommand(args: string[]): number {
  try {
    const p = parseArgs(args, { '-o': 'out', '--output': 'out', '--markdown': 'markdown', '--csv': 'csv', '--ycsb': 'ycsb', '--hgrm': 'hgrm', '--title': 'title' }, ['-h', '--help']);
    if (p.flags.has('-h') || p.flags.has('--help')) {
      process.stdout.write(REPORT_HELP + '\n');
      return 0;
    }
    if (p.positional.length === 0) throw new KvError('INVALID_ARGUMENT', 'no results files given (usage: kvlab report FILE_OR_DIR... -o OUT.html)');
    const out = p.flags.get('out');
    if (typeof out !== 'string') throw new KvError('INVALID_ARGUMENT', 'missing -o OUT.html');
    const title = p.flags.get('title');
    const results = loadResults(p.positional);
    const html = renderHtmlReport(results, { title: typeof title === 'string' ? title : undefined, reliability: loadTortureResults(p.positional) });
    writeFile(out, html);
    const wrote = [`${out} (${(Buffer.byteLength(html) / 1e6).toFixed(1)} MB)`];
    const md = p.flags.get('markdown');
    if (typeof md === 'string') writeFile(md, renderMarkdownSummary(results, { title: typeof title === 'string' ? title : undefined })), wrote.push(md);
    const csv = p.flags.get('csv');
    if (typeof csv === 'string') writeFile(csv, toCsv(results)), wrote.push(csv);
    const ycsb = p.flags.get('ycsb');
    if (typeof ycsb === 'string') writeFile(ycsb, toYcsbText(results)), wrote.push(ycsb);
    const hgrm = p.flags.get('hgrm');
    if (typeof hgrm === 'string') wrote.push(`${writeHgrm(results, hgrm).length} .hgrm files in ${hgrm}`);
    process.stdout.write(`kvlab report: ${results.length} results file(s) -> ${wrote.join(', ')}\n`);
    return 0;
  } catch (e) {
    return fail('report', e);
  }
}

function numberFlag(v: string | true | undefined, name: string, lo: number, hi: number, dflt: number): number {
  if (v === undefined) return dflt;
  const n = typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isFinite(n) || n <= lo || n >= hi) throw new KvError('INVALID_ARGUMENT', `${name} must be a number in (${lo}, ${hi}), got '${String(v)}'`);
  return n;
}

/** `kvlab compare`: returns 0, 1 (regression with --fail-on-regression) or 2 (error, one line printed). */
export function compareCommand(args: string[]): number {
  try {
    const p = parseArgs(args, { '--markdown': 'markdown', '--html': 'html', '--alpha': 'alpha', '--min-effect': 'minEffect' }, ['-h', '--help', '--fail-on-regression']);
    if (p.flags.has('-h') || p.flags.has('--help')) {
      process.stdout.write(COMPARE_HELP + '\n');
      return 0;
    }
    if (p.positional.length !== 2) throw new KvError('INVALID_ARGUMENT', `want BASELINE and CANDIDATE, got ${p.positional.length} path(s) (see --help)`);
    const alpha = numberFlag(p.flags.get('alpha'), '--alpha', 0, 1, 0.05);
    const minEffect = numberFlag(p.flags.get('minEffect'), '--min-effect', -1e-12, 1000, 5) / 100;
    const baseline = loadResults([p.positional[0]!]);
    const candidate = loadResults([p.positional[1]!]);
    const cmp = compareResults(baseline, candidate, { alpha, minEffect });
    if (cmp.compared === 0) {
      // a CI gate that passes when it compared nothing is worse than none
      const pairs = (rs: typeof baseline) => [...new Set(rs.map((r) => `${r.engine.label} [${r.engine.durability}] × ${r.workload.name}`))].join(', ') || 'nothing';
      throw new KvError('INVALID_ARGUMENT', `baseline and candidate share no engine × workload × metric (baseline: ${pairs(baseline)}; candidate: ${pairs(candidate)})`);
    }
    const md = renderComparisonMarkdown(cmp);
    const mdFile = p.flags.get('markdown');
    if (typeof mdFile === 'string') writeFile(mdFile, md);
    else process.stdout.write(md);
    const html = p.flags.get('html');
    if (typeof html === 'string') writeFile(html, renderComparisonHtml(cmp));
    process.stderr.write(`kvlab compare: ${cmp.regressions} regression(s), ${cmp.improvements} improvement(s) over ${cmp.compared} metric(s) compared on both sides (${cmp.rows.length} rows)\n`);
    return p.flags.has('--fail-on-regression') && cmp.regressions > 0 ? 1 : 0;
  } catch (e) {
    return fail('compare', e);
  }
}
