/** The torture library: process-crash (SIGKILL), power-loss and corruption torture of one engine. The `kvlab crash` command is cli/commands/crash.ts. */
export { runCrashTorture } from './crash-driver.js';
export { runPowerLoss } from './power-loss.js';
export { runCorruption } from './corrupt.js';
export type { TortureResults, EngineTortureResult } from './results.js';
