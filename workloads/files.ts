/** Paths of the property files shipped in workloads/ (workloada..workloadf, workload_template). */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The standard workload names. */
export const STANDARD_WORKLOADS = ['workloada', 'workloadb', 'workloadc', 'workloadd', 'workloade', 'workloadf', 'workload_template'] as const;

/**
 * The path of a shipped workload file by name (e.g. 'workloada'), found next to this module
 * in the source tree or, from dist/workloads/, in the source workloads/ folder.
 * Returns `name` unchanged when it is not a shipped workload (so callers can pass paths).
 */
export function workloadFile(name: string): string {
  if (!(STANDARD_WORKLOADS as readonly string[]).includes(name)) return name;
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, name), join(here, '..', '..', 'workloads', name)];
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!;
}
