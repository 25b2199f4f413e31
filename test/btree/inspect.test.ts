import * as nodefs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_FILE } from '../../engines/btree/db.js';
import { inspect } from '../../engines/btree/inspect.js';
import { Node } from '../../engines/btree/node.js';
import { decodeNode } from '../../engines/btree/view.js';
import { PAGE_HEADER, sealPage } from '../../engines/btree/page.js';
import type { PageTypeCode } from '../../engines/btree/page.js';
import { tmpDir } from '../support/tmp.js';
import { b, openBtree } from './helpers.js';

const PS = 512;

function build(): string {
  const dir = tmpDir();
  const e = openBtree(dir, { pageSize: PS });
  for (let i = 0; i < 400; i++) e.put(b(`key${String(i).padStart(4, '0')}`), Buffer.alloc(30, i));
  e.sync();
  for (let i = 0; i < 400; i += 3) e.delete(b(`key${String(i).padStart(4, '0')}`));
  e.close();
  return dir;
}

/** Reads page `pg`, lets `edit` change it, re-seals the checksum (a bug, not bit rot) and writes it back. */
function rewrite(dir: string, pg: number, edit: (page: Buffer) => void): void {
  const file = path.join(dir, DATA_FILE);
  const fd = nodefs.openSync(file, 'r+');
  const page = Buffer.alloc(PS);
  nodefs.readSync(fd, page, 0, PS, pg * PS);
  edit(page);
  sealPage(page, page.readUInt32LE(8), page[4] as PageTypeCode, page.readUInt16LE(6), page.readUInt32LE(12), page.readUInt32LE(16));
  nodefs.writeSync(fd, page, 0, PS, pg * PS);
  nodefs.closeSync(fd);
}

/** Leaf dumps reachable from the active root (free pages may still hold stale leaves). */
function liveLeaves(dir: string) {
  const r = inspect(dir, { dump: 'all' });
  const byId = new Map(r.dumps.map((d) => [d.pgid, d]));
  const out = [];
  const stack = [r.meta!.root];
  while (stack.length) {
    const d = byId.get(stack.pop()!)!;
    if (d.type === 'leaf') out.push(d);
    else stack.push(...(d.children ?? []));
  }
  return out;
}

describe('btree inspect finds structural violations behind valid checksums', () => {
  it('a clean store passes', () => {
    const r = inspect(build());
    expect(r.violations).toEqual([]);
    expect(r.summary.keys).toBe(400 - 134);
    expect(r.summary.height).toBeGreaterThan(1);
  });

  it('keys out of order within a page', () => {
    const dir = build();
    const leaf = liveLeaves(dir).find((d) => (d.keys?.length ?? 0) >= 3)!;
    rewrite(dir, leaf.pgid, (page) => {
      const n = decodeNode(page, leaf.pgid, 'f');
      [n.keys[0], n.keys[1]] = [n.keys[1]!, n.keys[0]!];
      page.fill(0, PAGE_HEADER);
      n.encode(page);
    });
    expect(inspect(dir).violations.join('\n')).toMatch(/not above key/);
  });

  it('a key outside its parent separator range', () => {
    const dir = build();
    const leaf = liveLeaves(dir).find((d) => d.keys?.[0]?.startsWith('key01'))!;
    rewrite(dir, leaf.pgid, (page) => {
      const n = decodeNode(page, leaf.pgid, 'f');
      n.keys[n.keys.length - 1] = 'key9999'; // still sorted in the page, but past the parent's bound
      page.fill(0, PAGE_HEADER);
      n.encode(page);
    });
    expect(inspect(dir).violations.join('\n')).toMatch(/not below its parent's bound/);
  });

  it('an underfilled non-root page', () => {
    const dir = build();
    const leaf = liveLeaves(dir).find((d) => (d.keys?.length ?? 0) >= 3)!;
    rewrite(dir, leaf.pgid, (page) => {
      const n = decodeNode(page, leaf.pgid, 'f');
      n.keys = n.keys.slice(0, 1);
      n.values = n.values.slice(0, 1);
      page.fill(0, PAGE_HEADER);
      n.encode(page);
    });
    const v = inspect(dir).violations.join('\n');
    expect(v).toMatch(/below the minimum fill/);
    expect(v).toMatch(/tree holds \d+ keys, meta says/);
  });

  it('a page that is neither reachable nor free, and a page both free and in use', () => {
    const dir = build();
    const r = inspect(dir);
    const fl = r.meta!.freelist;
    let dropped = 0;
    rewrite(dir, fl, (page) => {
      dropped = page.readUInt32LE(PAGE_HEADER);
      page.writeUInt32LE(r.meta!.root, PAGE_HEADER); // claim the root is free instead
    });
    const v = inspect(dir).violations.join('\n');
    expect(v).toMatch(new RegExp(`page ${r.meta!.root} is both root and free`));
    expect(v).toMatch(new RegExp(`neither reachable nor free: .*\\b${dropped}\\b`));
  });
});
