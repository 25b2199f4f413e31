/**
 * The kill points the Rust core honours (native/src/killpoint.rs reads KVLAB_KILL_POINT itself;
 * they are declared here so `kvlab crash --list` and tests see their names).
 */
import { declareKillPoint } from '../killpoint.js';

export const NATIVE_KILL_POINTS = {
  appendBeforeKeydir: declareKillPoint('native.append.before-keydir'),
  batchMid: declareKillPoint('native.batch.mid'),
  mergeBeforeSwap: declareKillPoint('native.merge.before-swap'),
  mergeAfterRename: declareKillPoint('native.merge.after-rename'),
  mergeAfterHint: declareKillPoint('native.merge.after-hint'),
} as const;
