/** The conformance suite for every registered network store, against the servers of the test global setup (registered.ts). */
import { registeredConformance } from './registered.js';

registeredConformance((d) => d.role === 'network');
