/**
 * `kvlab inspect DIR`: checks every on-disk invariant of a btree file and dumps pages.
 *
 * Checks: both meta pages (a torn or older-format slot is a warning when the other is valid),
 * every reachable page's checksum, id and type; key order within each page and across pages
 * (every key inside its parent's separator range); fill limits (a page's entries fit its
 * body; non-root pages hold at least a quarter of the body; non-root branches have two or more
 * children); all leaves at the meta's height; overflow chains complete; live key and byte
 * counts equal the meta's; and every page id from 2 to the high-water mark is exactly one of
 * tree page, overflow page, freelist page or free id (no page referenced twice, none leaked).
 * The meta checked is the one open would use: an unsynced meta (written without an fdatasync,
 * see tx.ts) whose pages do not all verify is reported as a warning and the synced meta in the
 * other slot is checked instead. Read-only: it never writes the file (open makes a verified
 * unsynced meta synced; inspect leaves it as it is).
 */
import * as path from 'node:path';
import { KvError, isKvError } from '../errors.js';
import { NodeFs } from '../fs.js';
import type { Fs } from '../fs.js';
import { DATA_FILE, chooseMeta } from './db.js';
import { readFreelist } from './freelist.js';
import type { Meta } from './meta.js';
import { decodeMeta } from './meta.js';
import { Layout, Node, OverflowRef, compareKeys, keyBytes } from './node.js';
import type { Key } from './node.js';
import { walkOverflow } from './overflow.js';
import { PAGE_HEADER, PageType, checksumOk, pageTypeName, readHeader } from './page.js';
import { Pager } from './pager.js';
import { decodeNode } from './view.js';

export interface InspectOptions {
  /** File-system seam (default: a new NodeFs). */
  fs?: Fs;
  /** Page ids to dump, or 'all'. */
  dump?: readonly number[] | 'all';
}

/** One page as the dump shows it. */
export interface PageDump {
  pgid: number;
  type: string;
  checksumOk: boolean;
  count: number;
  next: number;
  used: number;
  /** leaf/branch: keys (printable ASCII as is, else hex), truncated to 40 chars. */
  keys?: string[];
  /** leaf: value lengths (`ovf@P:len` for overflow values). */
  values?: string[];
  children?: number[];
  /** freelist: the recorded ids. */
  ids?: number[];
  meta?: Meta | string;
}

export interface InspectReport {
  file: string;
  /** True when no violation was found. */
  ok: boolean;
  violations: string[];
  warnings: string[];
  pageSize: number;
  /** Each meta slot: `txid N` when valid, else why not. */
  metaSlots: [string, string];
  meta?: Meta;
  summary: {
    fileBytes: number;
    pageCount: number;
    height: number;
    branchPages: number;
    leafPages: number;
    overflowPages: number;
    freelistPages: number;
    freePages: number;
    keys: number;
    liveBytes: number;
    /** Body bytes used / body bytes available, over leaf and branch pages. */
    fill: number;
  };
  dumps: PageDump[];
}

function showKey(k: Key): string {
  const b = keyBytes(k);
  const printable = b.every((c) => c >= 0x20 && c < 0x7f);
  const s = printable ? b.toString('latin1') : `0x${b.toString('hex')}`;
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** Checks the btree in `dir` (see the module doc). Never throws for a damaged file: it reports. */
export function inspect(dir: string, opts: InspectOptions = {}): InspectReport {
  const fs = opts.fs ?? new NodeFs();
  const file = path.join(dir, DATA_FILE);
  const report: InspectReport = {
    file, ok: false, violations: [], warnings: [], pageSize: 0, metaSlots: ['?', '?'],
    summary: { fileBytes: 0, pageCount: 0, height: 0, branchPages: 0, leafPages: 0, overflowPages: 0, freelistPages: 0, freePages: 0, keys: 0, liveBytes: 0, fill: 0 },
    dumps: [],
  };
  const v = (msg: string) => report.violations.push(msg);
  let fd: number;
  try {
    fd = fs.open(file, 'r');
  } catch (e) {
    v(`cannot open ${file}: ${(e as Error).message}`);
    return report;
  }
  try {
    report.summary.fileBytes = fs.size(fd);
    let metas;
    try {
      metas = chooseMeta(fs, fd, file, 4096);
    } catch (e) {
      v((e as Error).message);
      return report;
    }
    const meta = metas.active;
    report.meta = meta;
    report.pageSize = meta.pageSize;
    report.metaSlots = metas.slots.map((m) => (typeof m === 'string' ? m : m.unsynced ? `txid ${m.txid} (unsynced, base ${m.base})` : `txid ${m.txid}`)) as [string, string];
    for (const n of metas.notes ?? []) report.warnings.push(`${n}; the slot's valid copy is used`);
    if (metas.dropped !== undefined) report.warnings.push(`${metas.dropped}; using meta ${meta.txid % 2} (txid ${meta.txid})`);
    metas.slots.forEach((m, i) => {
      if (typeof m === 'string') report.warnings.push(`meta ${i} invalid (${m}); using meta ${meta.txid % 2} (txid ${meta.txid})`);
    });
    const pager = new Pager(fs, fd, file, meta.pageSize);
    const layout = new Layout(meta.pageSize);
    report.summary.pageCount = meta.pageCount;
    report.summary.height = meta.height;
    if (report.summary.fileBytes < meta.pageCount * meta.pageSize)
      v(`file has ${report.summary.fileBytes} bytes, meta needs ${meta.pageCount * meta.pageSize}`);
    checkPages(pager, layout, meta, report);
    if (opts.dump !== undefined) {
      const ids = opts.dump === 'all' ? [...Array(meta.pageCount).keys()] : opts.dump;
      for (const id of ids) report.dumps.push(dumpPage(pager, id));
    }
  } finally {
    fs.close(fd);
  }
  report.ok = report.violations.length === 0;
  return report;
}

function checkPages(pager: Pager, layout: Layout, meta: Meta, report: InspectReport): void {
  const v = (msg: string) => report.violations.push(msg);
  const owner = new Map<number, string>();
  const claim = (pg: number, what: string): boolean => {
    if (pg < 2 || pg >= meta.pageCount) {
      v(`${what} refers to page ${pg} outside 2..${meta.pageCount - 1}`);
      return false;
    }
    const prev = owner.get(pg);
    if (prev !== undefined) {
      v(`page ${pg} is both ${prev} and ${what}`);
      return false;
    }
    owner.set(pg, what);
    return true;
  };
  let usedBody = 0;
  let pages = 0;
  const s = report.summary;
  const walk = (pg: number, depth: number, lo: Key | undefined, hi: Key | undefined, what: string): void => {
    if (!claim(pg, what)) return;
    let n: Node;
    try {
      n = decodeNode(pager.read(pg, [PageType.leaf, PageType.branch]), pg, pager.file);
    } catch (e) {
      v(isKvError(e) ? e.message : String(e));
      return;
    }
    const bytes = n.bytes();
    usedBody += bytes;
    pages++;
    const root = depth === 1;
    if (bytes > layout.body) v(`page ${pg}: ${bytes} body bytes exceed ${layout.body}`);
    if (!root && bytes < layout.minFill) v(`page ${pg}: ${bytes} body bytes below the minimum fill ${layout.minFill}`);
    if (!n.leaf && n.children.length < (root ? 2 : 2)) v(`page ${pg}: branch with ${n.children.length} child(ren)`);
    const first = n.leaf ? 0 : 1;
    for (let i = first; i < n.keys.length; i++) {
      const k = n.keys[i]!;
      if (k.length === 0 || k.length > layout.maxKey) v(`page ${pg}: key ${i} has length ${k.length}`);
      if (i > first && compareKeys(n.keys[i - 1]!, k) >= 0) v(`page ${pg}: key ${i} (${showKey(k)}) not above key ${i - 1}`);
      if (lo !== undefined && compareKeys(k, lo) < 0) v(`page ${pg}: key ${i} (${showKey(k)}) below its parent's bound ${showKey(lo)}`);
      if (hi !== undefined && compareKeys(k, hi) >= 0) v(`page ${pg}: key ${i} (${showKey(k)}) not below its parent's bound ${showKey(hi)}`);
    }
    if (n.leaf) {
      s.leafPages++;
      if (depth !== meta.height) v(`page ${pg}: leaf at depth ${depth}, meta height ${meta.height}`);
      for (let i = 0; i < n.keys.length; i++) {
        const val = n.values[i]!;
        s.keys++;
        if (val instanceof OverflowRef) {
          s.liveBytes += n.keys[i]!.length + val.length;
          try {
            walkOverflow(pager, val.pgid, val.length, (opg) => {
              if (claim(opg, `overflow page of ${showKey(n.keys[i]!)} in leaf ${pg}`)) s.overflowPages++;
            });
          } catch (e) {
            v(isKvError(e) ? e.message : String(e));
          }
        } else {
          s.liveBytes += n.keys[i]!.length + val.length;
          if (n.entrySize(i) > layout.maxInlineEntry) v(`page ${pg}: inline entry ${i} of ${n.entrySize(i)} bytes exceeds ${layout.maxInlineEntry}`);
        }
      }
      return;
    }
    s.branchPages++;
    if (depth >= meta.height) v(`page ${pg}: branch at depth ${depth}, meta height ${meta.height}`);
    for (let i = 0; i < n.children.length; i++) {
      const clo = i === 0 ? lo : n.keys[i]!;
      const chi = i + 1 < n.keys.length ? n.keys[i + 1]! : hi;
      walk(n.children[i]!, depth + 1, clo, chi, `child ${i} of branch ${pg}`);
    }
  };
  walk(meta.root, 1, undefined, undefined, 'root');
  s.fill = pages ? usedBody / (pages * layout.body) : 0;
  if (s.keys !== meta.liveKeys) v(`tree holds ${s.keys} keys, meta says ${meta.liveKeys}`);
  if (s.liveBytes !== meta.liveBytes) v(`tree holds ${s.liveBytes} live bytes, meta says ${meta.liveBytes}`);
  try {
    const { ids, chain } = readFreelist(pager, meta.freelist, meta.pageCount);
    for (const pg of chain) if (claim(pg, 'freelist page')) s.freelistPages++;
    for (const pg of ids) if (claim(pg, 'free')) s.freePages++;
    if (ids.length !== meta.freeCount) v(`freelist records ${ids.length} ids, meta says ${meta.freeCount}`);
  } catch (e) {
    v(isKvError(e) ? e.message : String(e));
  }
  const leaked: number[] = [];
  for (let pg = 2; pg < meta.pageCount; pg++) if (!owner.has(pg)) leaked.push(pg);
  if (leaked.length) v(`${leaked.length} page(s) neither reachable nor free: ${leaked.slice(0, 20).join(', ')}${leaked.length > 20 ? ', ...' : ''}`);
}

/** Dumps one page without trusting it. */
export function dumpPage(pager: Pager, pgid: number): PageDump {
  const page = Buffer.alloc(pager.pageSize);
  const n = pager.readRaw(page, pgid * pager.pageSize);
  const h = readHeader(page);
  const d: PageDump = { pgid, type: n < pager.pageSize ? 'missing' : pageTypeName(h.type), checksumOk: checksumOk(page), count: h.count, next: h.next, used: h.used };
  if (n < pager.pageSize) return d;
  try {
    if (h.type === PageType.meta) d.meta = decodeMeta(page, pgid);
    else if (h.type === PageType.leaf || h.type === PageType.branch) {
      const node = decodeNode(page, pgid, pager.file);
      d.keys = node.keys.map((k, i) => (!node.leaf && i === 0 ? '' : showKey(k)));
      if (node.leaf) d.values = node.values.map((x) => (x instanceof OverflowRef ? `ovf@${x.pgid}:${x.length}` : String(x.length)));
      else d.children = node.children;
    } else if (h.type === PageType.freelist) {
      d.ids = [];
      for (let i = 0; i < h.count && PAGE_HEADER + 4 * i + 4 <= page.length; i++) d.ids.push(page.readUInt32LE(PAGE_HEADER + 4 * i));
    }
  } catch (e) {
    d.type += ` (undecodable: ${(e as Error).message})`;
  }
  return d;
}

function formatReport(r: InspectReport): string {
  const s = r.summary;
  const lines = [
    `btree ${r.file}`,
    `  page size ${r.pageSize}, pages ${s.pageCount}, file ${s.fileBytes} bytes, height ${s.height}`,
    `  meta 0: ${r.metaSlots[0]}; meta 1: ${r.metaSlots[1]}; active txid ${r.meta?.txid ?? '?'}`,
    `  pages: ${s.branchPages} branch, ${s.leafPages} leaf, ${s.overflowPages} overflow, ${s.freelistPages} freelist, ${s.freePages} free`,
    `  ${s.keys} keys, ${s.liveBytes} live bytes, tree fill ${(s.fill * 100).toFixed(1)}%`,
  ];
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  for (const x of r.violations) lines.push(`  VIOLATION: ${x}`);
  lines.push(r.ok ? '  OK: all invariants hold' : `  FAILED: ${r.violations.length} violation(s)`);
  for (const d of r.dumps) {
    lines.push(`page ${d.pgid}: ${d.type} count=${d.count} next=${d.next} used=${d.used} checksum=${d.checksumOk ? 'ok' : 'BAD'}`);
    if (d.meta !== undefined) lines.push(`  ${JSON.stringify(d.meta)}`);
    if (d.keys) d.keys.forEach((k, i) => lines.push(`  [${i}] ${d.children ? `child ${d.children[i]} ` : ''}${k}${d.values ? ` = ${d.values[i]} bytes` : ''}`));
    if (d.ids) lines.push(`  ids: ${d.ids.join(', ')}`);
  }
  return lines.join('\n');
}

const USAGE = 'usage: kvlab inspect DIR [--dump all|PGID[,PGID...]] [--json]';

/**
 * CLI entry: `inspect DIR [--dump all|ids] [--json]`. Prints the report; returns 0 when all
 * invariants hold, 1 on violations, 2 on a usage error.
 */
export function inspectCommand(args: string[], out: (s: string) => void = (s) => console.log(s)): number {
  let dir: string | undefined;
  let dump: number[] | 'all' | undefined;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--json') json = true;
    else if (a === '--dump' || a.startsWith('--dump=')) {
      const val = a === '--dump' ? args[++i] : a.slice(7);
      if (val === undefined) {
        out(USAGE);
        return 2;
      }
      if (val === 'all') dump = 'all';
      else {
        const ids = val.split(',').map(Number);
        if (ids.some((x) => !Number.isInteger(x) || x < 0)) {
          out(`bad page ids '${val}'\n${USAGE}`);
          return 2;
        }
        dump = ids;
      }
    } else if (a === '-h' || a === '--help') {
      out(USAGE);
      return 0;
    } else if (dir === undefined && !a.startsWith('-')) dir = a;
    else {
      out(`unexpected argument '${a}'\n${USAGE}`);
      return 2;
    }
  }
  if (dir === undefined) {
    out(USAGE);
    return 2;
  }
  let r: InspectReport;
  try {
    r = inspect(dir, { dump });
  } catch (e) {
    out(e instanceof KvError ? `${e.code}: ${e.message}` : String(e));
    return 1;
  }
  out(json ? JSON.stringify(r, null, 2) : formatReport(r));
  return r.ok ? 0 : 1;
}
