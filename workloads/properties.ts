/**
 * Java-properties files as YCSB reads them (`-P file` applied in order, then `-p key=value`).
 *
 * Honoured syntax: `#` and `!` comment lines, blank lines, `key=value`, `key:value` and
 * `key value`, whitespace around keys and values (kvlab also trims trailing whitespace, which
 * Java keeps but YCSB's number parsing would then reject), a trailing backslash continuing a
 * line, and the escapes `\t \n \r \f \\ \= \: \#  \uXXXX`.
 */
import { readFileSync } from 'node:fs';
import { KvError, invalidArgument } from '../engines/errors.js';

/**
 * Parses the text of one properties file into `into` (later keys override earlier ones). With
 * `check`, every property is held to {@link checkProperty} (what `-P` files get).
 */
export function parseProperties(text: string, into: Record<string, string> = {}, source = '<text>', check = false): Record<string, string> {
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^[ \t\f]+/, '');
    if (line === '' || line[0] === '#' || line[0] === '!') continue;
    const startLine = i + 1;
    // join continuation lines: an odd number of trailing backslashes continues
    while (endsWithContinuation(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i]!.replace(/^[ \t\f]+/, '');
    }
    if (endsWithContinuation(line)) line = line.slice(0, -1);
    let k = 0;
    let key = '';
    while (k < line.length) {
      const c = line[k]!;
      if (c === '\\') {
        key += line.slice(k, k + 2);
        k += 2;
        continue;
      }
      if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
      key += c;
      k++;
    }
    let rest = line.slice(k).replace(/^[ \t\f]+/, '');
    if (rest[0] === '=' || rest[0] === ':') rest = rest.slice(1).replace(/^[ \t\f]+/, '');
    const name = unescape(key, source, startLine);
    if (name === '') throw invalidArgument(`${source}:${startLine}: property with an empty name`);
    const value = unescape(rest, source, startLine).replace(/[ \t\f]+$/, '');
    if (check) checkProperty(name, value, `${source}:${startLine}`);
    into[name] = value;
  }
  return into;
}

function endsWithContinuation(line: string): boolean {
  let n = 0;
  for (let j = line.length - 1; j >= 0 && line[j] === '\\'; j--) n++;
  return n % 2 === 1;
}

function unescape(s: string, source: string, line: number): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = s[++i];
    if (e === undefined) break;
    if (e === 't') out += '\t';
    else if (e === 'n') out += '\n';
    else if (e === 'r') out += '\r';
    else if (e === 'f') out += '\f';
    else if (e === 'u') {
      const hex = s.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw invalidArgument(`${source}:${line}: malformed \\u escape`);
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else out += e;
  }
  return out;
}

/**
 * Loads property files in order (like repeated `-P`), then applies `overrides` (like `-p`).
 * Errors: NOT_FOUND for a missing file, IO for another read failure, INVALID_ARGUMENT for
 * malformed text.
 */
export function loadProperties(files: readonly string[], overrides: Record<string, string> = {}): Record<string, string> {
  const props: Record<string, string> = {};
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'ENOENT' || code === 'ENOTDIR')
        throw new KvError('NOT_FOUND', `workload file not found: ${file}`, { file, cause: e });
      throw new KvError('IO', `cannot read workload file ${file}: ${(e as Error).message}`, { file, cause: e });
    }
    parseProperties(text, props, file, true);
  }
  for (const [k, v] of Object.entries(overrides)) {
    const name = k.trim();
    const value = String(v).trim();
    checkProperty(name, value, `-p ${name}`);
    props[name] = value;
  }
  return props;
}

/**
 * Property names kvlab understands (CoreWorkload, YCSB client, kvlab additions). Anything else
 * without a dot is a typo until proven otherwise (INVALID_ARGUMENT); a dotted name outside this
 * list (`rocksdb.dir`, `mongodb.url`: a YCSB binding's own) is accepted and listed as ignored.
 */
export const KNOWN_PROPERTIES: ReadonlySet<string> = new Set([
  'workload', 'db', 'table', 'recordcount', 'operationcount', 'insertstart', 'insertcount', 'fieldcount', 'fieldlength',
  'minfieldlength', 'fieldlengthdistribution', 'fieldlengthhistogram', 'fieldnameprefix', 'readallfields',
  'readallfieldsbyname', 'writeallfields', 'dataintegrity', 'readproportion', 'updateproportion', 'insertproportion',
  'scanproportion', 'readmodifywriteproportion', 'requestdistribution', 'zeropadding', 'minscanlength', 'maxscanlength',
  'scanlengthdistribution', 'insertorder', 'hotspotdatafraction', 'hotspotopnfraction', 'exponential.percentile',
  'exponential.frac', 'maxexecutiontime', 'valuemode', 'rawvaluelength', 'zipfianconstant', 'threadcount', 'target', 'measurementtype',
  'hdrhistogram.percentiles', 'status.interval', 'core_workload_insertion_retry_limit', 'core_workload_insertion_retry_interval',
  'insertionretrylimit', 'insertionretryinterval', 'debug', 'exporter', 'exportfile', 'timeseries.granularity', 'histogram.buckets',
  'measurement.interval', 'measurement.trackjvm', 'maxexecutiontime.ignore', 'missingreadproportion',
]);

/** The longest property value accepted (a workload file is text, not data). */
export const MAX_PROPERTY_VALUE = 64 * 1024;
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const show = (s: string): string => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);

/**
 * Checks one property as given (from a file or `-p`, the same rules): a name of letters, digits,
 * `_ . -`; a known name, or a dotted one (a binding's, returned as ignored); a non-empty text value
 * of at most {@link MAX_PROPERTY_VALUE} characters without control characters. INVALID_ARGUMENT
 * naming `where` otherwise. Returns true when the property is ignored.
 */
export function checkProperty(name: string, value: string, where: string): boolean {
  if (!NAME.test(name)) throw invalidArgument(`${where}: ${show(name)} is not a property name (binary or not a properties file?)`);
  if (value === '') throw invalidArgument(`${where}: property ${name} has an empty value (leave it out for the default)`);
  if (value.length > MAX_PROPERTY_VALUE) throw invalidArgument(`${where}: property ${name}: value of ${value.length} characters (at most ${MAX_PROPERTY_VALUE})`);
  if (/[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/.test(value)) throw invalidArgument(`${where}: property ${name}: value is not text (control characters or invalid UTF-8)`);
  if (KNOWN_PROPERTIES.has(name)) return false;
  if (name.includes('.')) return true;
  throw invalidArgument(`${where}: unknown property '${name}' (see workloads/README.md for the property table)`);
}

/** Dotted properties of other YCSB bindings present in `props` (accepted, not acted on). */
export function bindingProperties(props: Record<string, string>): string[] {
  return Object.keys(props).filter((k) => !KNOWN_PROPERTIES.has(k)).sort();
}

/** Parses `-p key=value` style strings into an overrides object; INVALID_ARGUMENT without '='. */
export function parseOverrides(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw invalidArgument(`property override must be key=value, got '${p}'`);
    out[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
  }
  return out;
}
