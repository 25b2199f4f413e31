/**
 * The project's vitest config plus the Redis global setup (one server + a 3-primary cluster),
 * for running Redis suites before vitest.config.ts wires the setup itself:
 *   KVLAB_ENGINES=redis npx vitest run -c test/redis/vitest.redis.config.ts test/conformance
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../../vitest.config.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export default mergeConfig(base, defineConfig({ root, test: { globalSetup: [path.join(root, 'test/support/redis-global-setup.ts')] } }));
