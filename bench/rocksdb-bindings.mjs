// Compares the two RocksDB bindings installed for kvlab: a bare put loop then a bare get loop
// (1000-byte values, `user<digits>` keys, durability none), ~10 s per binding. Run only through
// ../shared/tools/quiet -- node bench/rocksdb-bindings.mjs (from /work/wt-rocks).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const N = Number(process.env.N ?? 100_000);
const keys = Array.from({ length: N }, (_, i) => Buffer.from(`user${(i * 2654435761) % 4294967296}`));
const value = Buffer.alloc(1000, 0x61);
const ns = (t0, t1) => (((t1 - t0) * 1e6) / N).toFixed(0);

async function nx(dir) {
  const { RocksLevel } = require('@nxtedition/rocksdb');
  const db = new RocksLevel(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer', walCompression: false });
  await db.open();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) { const b = db.batch(); b.put(keys[i], value); b._writeSync({}); b._closeSync(); }
  const t1 = performance.now();
  for (let i = 0; i < N; i++) db._getManySync([keys[(i * 7919) % N]], {});
  const t2 = performance.now();
  const ver = fs.readFileSync(path.join(path.dirname(require.resolve('@nxtedition/rocksdb')), 'deps/rocksdb/rocksdb/include/rocksdb/version.h'), 'utf8');
  const v = ['MAJOR', 'MINOR', 'PATCH'].map((k) => new RegExp(`ROCKSDB_${k} (\\d+)`).exec(ver)[1]).join('.');
  console.log(`@nxtedition/rocksdb ${require('@nxtedition/rocksdb/package.json').version} (RocksDB ${v}): put (sync batch_write) ${ns(t0, t1)} ns/op, get (_getManySync) ${ns(t1, t2)} ns/op; getProperty sync: ${typeof db.getProperty('rocksdb.stats') === 'string'}`);
  await db.close();
}

async function native(dir) {
  const RocksDB = require('rocksdb-native');
  const db = new RocksDB(dir);
  await db.ready();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) { const w = db.write(); w.put(keys[i], value); await w.flush(); }
  const t1 = performance.now();
  for (let i = 0; i < N; i++) { const r = db.read(); const p = r.get(keys[(i * 7919) % N]); r.tryFlush(); await p; }
  const t2 = performance.now();
  console.log(`rocksdb-native ${JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve('rocksdb-native')), 'package.json'), 'utf8')).version}: put (await write().flush()) ${ns(t0, t1)} ns/op, get (await read().get) ${ns(t1, t2)} ns/op; getProperty: async`);
  await db.close();
}

for (const [name, f] of [['nx', nx], ['native', native]]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `kvlab-rb-${name}-`));
  try { await f(dir); } finally { fs.rmSync(dir, { recursive: true, force: true }); }
}
