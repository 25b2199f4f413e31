/**
 * Cost models held against measured sweep points (`kvlab sweep`). Each model names its source;
 * reports/README.md lists them. {@link modelChecks} gives every check that applies to one results
 * file: the lsm models for `lsm`, the B+tree ones for `btree`, the hash log one for `hashlog`.
 */
import type { ResultsFile } from '../../harness/results.js';
import { btreeChecks } from './btree.js';
import type { ModelCheck } from './check.js';
import { pointFacts } from './facts.js';
import { hashlogChecks } from './hashlog.js';
import { lsmChecks } from './lsm.js';

export type { ModelCheck, Verdict } from './check.js';
export { BLOOM_SOURCE, MONKEY_SOURCE, bloomFalsePositiveRate, zeroResultCost } from './bloom.js';
export { DOSTOEVSKY_SOURCE, lsmLevels, lsmWriteAmp, monkeyLevels } from './lsm.js';
export { BTREE_SOURCE, btreeShape } from './btree.js';
export { HASHLOG_SOURCE } from './hashlog.js';
export { pointFacts, sortedRuns, type PointFacts } from './facts.js';

/** Every model check that applies to this results file (none for engines without a model, or a not-applicable result). */
export function modelChecks(r: ResultsFile): ModelCheck[] {
  if (r.notApplicable) return [];
  const p = pointFacts(r);
  switch (r.engine.name) {
    case 'lsm':
      return lsmChecks(p);
    case 'btree':
      return btreeChecks(p, (r.workload.properties.insertorder ?? 'hashed') === 'hashed');
    case 'hashlog':
      return hashlogChecks(p);
    default:
      return [];
  }
}
