/** `kvlab engines`: the registry with capabilities, limits and options. */
import type { EngineDescriptor } from '../../engines/engine.js';
import { parse } from '../args.js';
import { allDescriptors } from '../../harness/engines.js';

export const ENGINES_HELP = `usage: kvlab engines [--json]

Lists every engine: kind (sync/async), role (engine, reference, network, instrument), capabilities, durability modes, size limits and the
options a spec may set (name:opt=value,...). 'null' is the harness-cost instrument, not a store.

  --json   machine-readable output`;

function describe(d: EngineDescriptor): string {
  const c = d.capabilities;
  const caps = [c.orderedScan ? 'orderedScan' : 'no-scan', c.atomicBatch ? 'atomicBatch' : 'no-batch', c.persistent ? 'persistent' : (d.role === 'network' ? 'not-persistent (a cache)' : 'in-memory')];
  const lines = [
    `${d.name}  (${d.kind}, ${d.role}${d.probe ? ', probe: not a store' : ''})  ${d.design}`,
    `    capabilities: ${caps.join(', ')}; durability: ${c.durability.join(', ')}`,
    `    limits: key ${d.limits.maxKeyBytes} B, value ${d.limits.maxValueBytes} B`,
  ];
  for (const [k, o] of Object.entries(d.options)) {
    const range = o.type === 'enum' ? ` (${o.values.join('|')})` : (o.type === 'int' || o.type === 'number') && (o.min !== undefined || o.max !== undefined) ? ` [${o.min ?? ''}..${o.max ?? ''}]` : '';
    lines.push(`    option ${k}=${String(o.default)}  ${o.type}${range}: ${o.doc}`);
  }
  return lines.join('\n');
}

export function enginesCommand(argv: string[]): number {
  const { values } = parse(argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, 'engines');
  if (values.help) {
    process.stdout.write(ENGINES_HELP + '\n');
    return 0;
  }
  const ds = allDescriptors();
  if (values.json) {
    const out = ds.map((d) => ({ name: d.name, kind: d.kind, role: d.role, fsSeam: d.fsSeam, design: d.design, capabilities: d.capabilities, limits: d.limits, options: d.options }));
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } else process.stdout.write(ds.map(describe).join('\n') + '\n');
  return 0;
}
