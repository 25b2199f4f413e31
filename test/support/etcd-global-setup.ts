/**
 * Vitest global setup: one single etcd member and one three-member Raft cluster on free loopback
 * ports, exported to every test process as KVLAB_ETCD_ENDPOINTS and KVLAB_ETCD_CLUSTER_ENDPOINTS
 * (comma-separated client URLs) — the defaults the `etcd` and `etcd-cluster` engines read.
 * Torn down after the run. Fails with one line (`apt-get install etcd-server`) without etcd.
 */
import { requireEtcd, startEtcd } from './etcd-server.js';

export default async function setup(): Promise<() => Promise<void>> {
  requireEtcd();
  const single = await startEtcd(1);
  let cluster;
  try {
    cluster = await startEtcd(3);
  } catch (e) {
    await single.stop();
    throw e;
  }
  process.env.KVLAB_ETCD_ENDPOINTS = single.endpoints;
  process.env.KVLAB_ETCD_CLUSTER_ENDPOINTS = cluster.endpoints;
  return async () => {
    await Promise.all([single.stop(), cluster.stop()]);
  };
}
