/**
 * The conformance suite run by an engine outside the registry, as a third-party engine would
 * run it: the toy test engine (engines/testing/toy-engine.ts, never registered) passes the
 * whole suite, and with a planted bug (`bug=lose-buffered`: writes held in user space) the
 * durability checks are what catch it (that variant is checked in test/torture/toy.test.ts).
 */
import { toyDescriptor } from '../../engines/testing/toy-engine.js';
import { conformance } from './suite.js';

conformance({ name: 'toy', descriptor: toyDescriptor, module: 'engines/testing/toy-engine' });
