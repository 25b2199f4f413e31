/**
 * Named kill points for crash tests. Engine code calls `killPoint('lsm.flush.before-manifest')`
 * at the moments a crash is most interesting (after a log append before the index update,
 * mid-merge, mid-flush, mid-compaction, between a manifest write and its rename, between page
 * writes and the meta write). When the environment variable `KVLAB_KILL_POINT` names that
 * point, the process dies there with SIGKILL (no cleanup, no flush: a real crash).
 * `KVLAB_KILL_POINT=name@N` dies at the N-th time the point is reached (1-based).
 *
 * With the variable unset, a kill point costs one comparison against undefined.
 */
const spec = process.env.KVLAB_KILL_POINT;
const target = spec === undefined ? undefined : spec.split('@')[0];
const nth = spec === undefined || !spec.includes('@') ? 1 : Number(spec.split('@')[1]);
let hits = 0;

/** Every kill point name engines declare, registered at module load for `kvlab crash --list`. */
export const KILL_POINTS = new Set<string>();

/** True in a crash-test process (`KVLAB_KILL_POINT` is set): an engine may then split its writes so every kill point can be reached. */
export const KILL_POINTS_ARMED = spec !== undefined;

/** Declares a kill point name (call at module top level) and returns it. */
export function declareKillPoint(name: string): string {
  KILL_POINTS.add(name);
  return name;
}

/** Dies by SIGKILL here if `KVLAB_KILL_POINT` selects `name` (see module doc). */
export function killPoint(name: string): void {
  if (target === undefined || target !== name) return;
  if (++hits < nth) return;
  process.kill(process.pid, 'SIGKILL');
}
