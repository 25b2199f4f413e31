/**
 * The shared conformance suite, exported as one function any engine can run, as
 * abstract-level's suite can: `conformance({ name: 'myengine', descriptor, module })` registers
 * every check (edge cases, the model test against an oracle, persistence, durability under
 * SIGKILL and strace, sticky failure) with vitest. test/conformance/registered.ts runs it for
 * every registered engine; external.test.ts for an engine outside the registry.
 */
import { durabilitySuite } from './durability.js';
import { edgeSuite } from './edge.js';
import { faultSuite } from './faults.js';
import { modelSuite } from './model.js';
import { persistenceSuite } from './persistence.js';
import type { ConformanceTarget } from './target.js';

export type { ConformanceTarget } from './target.js';

/** Registers the whole conformance suite for `t` (checks gated by its capabilities). */
export function conformance(t: ConformanceTarget): void {
  edgeSuite(t);
  modelSuite(t);
  persistenceSuite(t);
  durabilitySuite(t);
  faultSuite(t);
}
