/**
 * Registers the conformance suite for the registered engines that `pick` selects, with their
 * declared conformance variants and the server targets (or exactly the specs in KVLAB_ENGINES).
 * Variants (tiny memtables and the like) run the edge and model checks; each engine's plain spec,
 * and each server target, runs the whole suite. registry.test.ts takes the embedded engines and
 * registry-network.test.ts the network stores: a file each, so the network stores' waits (round
 * trips, lease takeovers) overlap the embedded engines' CPU.
 */
import type { EngineDescriptor } from '../../engines/engine.js';
import { targets } from '../support/targets.js';
import { edgeSuite } from './edge.js';
import { modelSuite } from './model.js';
import { conformance } from './suite.js';

export function registeredConformance(pick: (d: EngineDescriptor) => boolean): void {
  const explicit = (process.env.KVLAB_ENGINES ?? '').trim() !== '';
  for (const { spec, descriptor, full } of targets().filter((x) => pick(x.descriptor))) {
    const t = { name: spec, descriptor };
    if (explicit || full || spec === descriptor.name) conformance(t);
    else {
      edgeSuite(t);
      modelSuite(t);
    }
  }
}
