// ioredis's own floor on one Redis server and on a Redis Cluster: 8 workers, each awaiting one
// HGET of a random key of a loaded hash per record (kvlab's layout), auto-pipelining on, as the
// redis engine drives it; no kvlab code. Compare with `kvlab run -P workloadc --threads 8` on the
// same servers (bench/scale-out.sh): what the client library costs before kvlab does anything.
// Usage: node bench/redis-floor.mjs SINGLE_PORT CLUSTER_SEED_PORT [SECONDS]
import { Cluster, Redis } from 'ioredis';

const [single, seed, secsArg] = process.argv.slice(2);
const secs = Number(secsArg ?? 5);
const N = 20000;
async function floor(name, client) {
  for (let i = 0; i < N; i += 500) await Promise.all(Array.from({ length: 500 }, (_, j) => client.hset(`floor:r:user${i + j}`, 'v', Buffer.alloc(1000, 97))));
  const end = performance.now() + secs * 1000;
  let ops = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (performance.now() < end) {
      await client.hgetBuffer(`floor:r:user${Math.floor(Math.random() * N)}`, 'v');
      ops++;
    }
  }));
  console.log(`${name}: ioredis floor, 8 in flight, HGET of 1000 B: ${Math.round(ops / secs)} ops/s`);
  client.disconnect();
}
await floor('redis', new Redis(Number(single), '127.0.0.1', { enableAutoPipelining: true }));
const c = new Cluster([{ host: '127.0.0.1', port: Number(seed) }], { enableAutoPipelining: true });
await c.ping();
await floor('redis-cluster', c);
