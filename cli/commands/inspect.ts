/**
 * `kvlab inspect DIR [--dump all|PGID,...] [--json]`: checks and dumps a B+tree data directory
 * by delegating to the btree engine's CLI entry (engines/btree/inspect.ts `inspectCommand`,
 * which exits 0 when every invariant holds, 1 on violations, 2 on a usage error). When that
 * module is absent from the build, the command reports NOT_SUPPORTED (exit 2).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KvError } from '../../engines/errors.js';
import { UsageError } from '../args.js';

export const INSPECT_HELP = `usage: kvlab inspect DIR [--dump all|PGID[,PGID...]] [--json]

Checks every on-disk invariant of a btree engine's data directory and dumps pages
(engines/btree/inspect.ts). Exit 0 when all invariants hold, 1 on violations.`;

type InspectModule = { inspectCommand?: (args: string[], out?: (s: string) => void) => number };

export async function inspectCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(INSPECT_HELP + '\n');
    return 0;
  }
  const dir = argv.find((a, i) => !a.startsWith('-') && argv[i - 1] !== '--dump');
  if (dir !== undefined) {
    // a wrong path is a one-line reason and exit 2, not a report of an empty tree
    let st: fs.Stats;
    try {
      st = fs.statSync(dir);
    } catch {
      throw new UsageError(`inspect: ${dir}: no such directory`);
    }
    if (!st.isDirectory()) throw new UsageError(`inspect: ${dir} is not a directory (give the btree store's directory)`);
    if (!fs.existsSync(path.join(dir, 'data.btree'))) throw new UsageError(`inspect: ${dir} holds no data.btree: not a btree store`);
  }
  let mod: InspectModule;
  try {
    mod = (await import(new URL('../../engines/btree/inspect.js', import.meta.url).href)) as InspectModule;
  } catch {
    throw new KvError('NOT_SUPPORTED', 'inspect: no engine provides inspect in this build (engines/btree/inspect.js is missing)');
  }
  if (typeof mod.inspectCommand !== 'function') throw new KvError('NOT_SUPPORTED', 'inspect: engines/btree/inspect.js exports no inspectCommand');
  return mod.inspectCommand(argv, (s) => process.stdout.write(s + '\n'));
}
