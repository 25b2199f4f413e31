/** The conformance suite for every registered embedded engine (test/conformance/registered.ts). */
import { registeredConformance } from './registered.js';

registeredConformance((d) => d.role !== 'network');
