// Opens an etcd engine (spec argv[2]) on dir argv[3] through dist/, prints HOLDING and waits to be SIGKILLed.
import { openEngine } from '../../dist/engines/registry.js';

const e = await openEngine(process.argv[2], { dir: process.argv[3], durability: 'none' });
await e.put(Buffer.from('held'), Buffer.from('yes'));
console.log('HOLDING');
setInterval(() => undefined, 1 << 30);
