/**
 * Entry point of every torture child process: `node dist/torture/child.js '<json config>'`.
 * Dispatches on `mode` (`crash`: one crash cycle; `corrupt`: read-check corrupted copies).
 * The parent learns results only from the journal/stdout, so the child may die at any moment.
 */
import { runCorruptChild, type CorruptChildConfig } from './corrupt-child.js';
import { runCrashChild, type CrashChildConfig } from './crash-child.js';

const cfg = JSON.parse(process.argv[2] ?? '{}') as CrashChildConfig | CorruptChildConfig;
const run = cfg.mode === 'crash' ? runCrashChild(cfg) : runCorruptChild(cfg);
run.then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`torture child: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(70);
  },
);
