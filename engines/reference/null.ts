/**
 * `null`: the harness's measuring instrument, not a store. Every call validates its arguments
 * like a real engine and then does nothing: get always returns undefined, put/delete/write
 * are discarded, scan returns nothing. Driving it through a workload measures what the harness
 * itself costs per operation (op generation, timing, histogram recording), which every result
 * records next to its figures.
 *
 * It deliberately breaks the storage contract (a put is not readable), so it is a registered
 * probe: left out of engine listings and the conformance suite.
 */
import type { Capabilities, EngineDescriptor, Limits } from '../engine.js';
import type { SyncCore } from '../shell.js';

const LIMITS: Limits = { maxKeyBytes: 64 * 1024, maxValueBytes: 64 * 1024 * 1024 };
const CAPABILITIES: Capabilities = { orderedScan: true, atomicBatch: true, persistent: false, durability: ['none', 'group', 'always'] };

/** The null core: checks (in the shell) and nothing else. */
class NullCore implements SyncCore {
  readonly recoveredSequence = 0;
  readonly unknownStats = ['deviceBytesWritten', 'deviceBytesRead', 'diskBytes', 'syncs'];
  get(): Uint8Array | undefined {
    return undefined;
  }
  put(): void {}
  del(): void {}
  write(): void {}
  scan(): Array<[Uint8Array, Uint8Array]> {
    return [];
  }
  sync(): void {}
  fillStats(): void {}
  close(): void {}
}

/**
 * Descriptor of the null instrument: registered as a probe (left out of listings and the
 * conformance suite, opened through the same shell as every engine, so the harness cost it
 * measures includes the shell's own checks).
 */
export const nullDescriptor: EngineDescriptor = {
  name: 'null',
  design: 'discards every write, finds nothing (measures harness cost; not a store)',
  role: 'instrument',
  probe: true,
  version: '1',
  fsSeam: 'none',
  kind: 'sync',
  capabilities: CAPABILITIES,
  limits: LIMITS,
  options: {},
  openCore: () => new NullCore(),
};
