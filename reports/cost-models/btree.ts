/**
 * B+tree height and space amplification from page size, fill factor and record size
 * (engines/btree/FORMAT.md): a leaf entry is 7 + k + v bytes when the value is inline
 * (7 + k + v ≤ body/2), else 11 + k bytes plus ⌈v / body⌉ overflow pages; a branch entry is
 * 6 + k bytes; body = pageSize − 24. Random insertion (insertorder=hashed) with byte-midpoint
 * splits leaves pages ln 2 ≈ 69% full (Yao); ordered insertion leaves them half full.
 */
import { check, fmt, type ModelCheck } from './check.js';
import type { PointFacts } from './facts.js';

/** Source of the model. */
export const BTREE_SOURCE = 'Yao, "On Random 2-3 Trees", Acta Informatica 1978 (fill factor ln 2 under random insertion); Comer, "The Ubiquitous B-Tree", 1979 (height 1 + ⌈log_F(leaves)⌉); entry sizes from engines/btree/FORMAT.md';
const PAGE_HEADER = 24;

/** Expected page fill under random (hashed) or ordered insertion with midpoint splits. */
export function btreeFill(hashedInsertOrder: boolean): number {
  return hashedInsertOrder ? Math.LN2 : 0.5;
}

/** The tree's shape for N records of k + v bytes: entries per leaf, fanout, leaves, height, pages. */
export function btreeShape(records: number, keyBytes: number, valueBytes: number, pageSize: number, fill: number) {
  const body = pageSize - PAGE_HEADER;
  const inline = 7 + keyBytes + valueBytes <= Math.floor(body / 2);
  const leafEntry = inline ? 7 + keyBytes + valueBytes : 11 + keyBytes;
  const perLeaf = Math.max(1, (body * fill) / leafEntry);
  const fanout = Math.max(2, (body * fill) / (6 + keyBytes));
  const leaves = Math.max(1, records / perLeaf);
  const height = leaves <= 1 ? 1 : 1 + Math.ceil(Math.log(leaves) / Math.log(fanout) - 1e-9);
  const branches = leaves <= 1 ? 0 : leaves / (fanout - 1);
  const overflow = inline ? 0 : records * Math.ceil(valueBytes / body);
  return { inline, perLeaf, fanout, leaves, height, pages: leaves + branches + overflow + 2 };
}

/** The model's checks for one btree point (after load). */
export function btreeChecks(p: PointFacts, hashedInsertOrder: boolean): ModelCheck[] {
  if (p.recordBytes === null || p.load === null) return [];
  const pageSize = Number(p.settings.pageSize);
  const fill = btreeFill(hashedInsertOrder);
  const v = p.recordBytes - p.keyBytes;
  const sh = btreeShape(p.records, p.keyBytes, v, pageSize, fill);
  const space = (sh.pages * pageSize) / (p.records * p.recordBytes);
  return [
    check({
      metric: 'btreeHeight', model: 'B+tree height', source: BTREE_SOURCE, kind: 'estimate', factor: 1,
      formula: `fill ${fmt(fill)}, ${fmt(sh.perLeaf)} entries/leaf, fanout ${fmt(sh.fanout)}: 1 + ⌈log_F(${fmt(sh.leaves)} leaves)⌉ = ${sh.height}`,
      predicted: sh.height, measured: p.load.after('btree.height'),
    }),
    check({
      metric: 'spaceAmp', model: 'B+tree space amplification', source: BTREE_SOURCE, kind: 'estimate', factor: 1.5,
      formula: `${fmt(sh.pages)} pages × ${pageSize} B / (${fmt(p.records)} × ${fmt(p.recordBytes)} B) = ${fmt(space)}${sh.inline ? '' : ' (values in overflow pages)'}`,
      predicted: space, measured: p.load.amp('space'),
    }),
  ];
}
