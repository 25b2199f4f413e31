/**
 * The conformance suite for every registered engine and its declared conformance variants (or
 * exactly the specs in KVLAB_ENGINES). Variants (tiny memtables and the like) run the edge and
 * model checks; each engine's plain spec runs the whole suite.
 */
import { targets } from '../support/targets.js';
import { edgeSuite } from './edge.js';
import { modelSuite } from './model.js';
import { conformance } from './suite.js';

const explicit = (process.env.KVLAB_ENGINES ?? '').trim() !== '';
for (const { spec, descriptor, full } of targets()) {
  const t = { name: spec, descriptor };
  if (explicit || full || spec === descriptor.name) conformance(t);
  else {
    edgeSuite(t);
    modelSuite(t);
  }
}
