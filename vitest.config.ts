import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One redis-server and a three-primary Redis Cluster on loopback for the redis engines.
    // memcached (one and a pool of three) and dynalite: test/support/servers-global-setup.ts; etcd (one member, three): etcd-global-setup.ts.
    globalSetup: ['test/support/redis-global-setup.ts', 'test/support/servers-global-setup.ts', 'test/support/etcd-global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
