/**
 * Vitest global setup for the network engines other than Redis: one memcached and a pool of
 * three (exported as KVLAB_MEMCACHED_SERVERS and KVLAB_MEMCACHED_POOL, `+`-separated), and one
 * dynalite (DynamoDB's API, in this process, on a loopback port; KVLAB_DYNAMODB_ENDPOINT).
 * All on loopback, torn down after the run.
 */
import { startMemcached, type MemcachedServer } from './memcached-server.js';
import { startDynalite } from './dynalite-server.js';

export default async function setup(): Promise<() => Promise<void>> {
  const mcs: MemcachedServer[] = [];
  const stops: Array<() => Promise<void>> = [];
  try {
    for (let i = 0; i < 4; i++) mcs.push(await startMemcached({ memoryMiB: 256, itemSizeMax: '2m' })); // -I 2m: 1 MiB values fit, as the edge suite stores
    stops.push(...mcs.map((m) => () => m.stop()));
    const dyn = await startDynalite();
    stops.push(() => dyn.stop());
    process.env.KVLAB_MEMCACHED_SERVERS = mcs[0]!.addr;
    process.env.KVLAB_MEMCACHED_POOL = mcs.slice(1).map((m) => m.addr).join('+');
    process.env.KVLAB_DYNAMODB_ENDPOINT = dyn.endpoint;
  } catch (e) {
    await Promise.all(stops.map((s) => s()));
    await Promise.all(mcs.map((m) => m.stop()));
    throw e;
  }
  return async () => {
    await Promise.all(stops.map((s) => s()));
  };
}
