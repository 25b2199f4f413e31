/**
 * The seeded YCSB operation stream (CoreWorkload.doInsert / doTransaction without the DB calls):
 * the same config and seed give the same sequence of (type, key number, fields, scan length)
 * on any machine. One stream is one YCSB client thread's view; it is not thread-safe.
 */
import type { WorkloadConfig } from './config.js';
import { AcknowledgedCounterGenerator, CounterGenerator } from './generators/counters.js';
import { DiscreteGenerator } from './generators/discrete.js';
import { ExponentialGenerator } from './generators/exponential.js';
import { HotspotIntegerGenerator } from './generators/hotspot.js';
import { ScrambledZipfianGenerator } from './generators/scrambled-zipfian.js';
import { SkewedLatestGenerator } from './generators/skewed-latest.js';
import type { NumberGenerator } from './generators/types.js';
import { SequentialGenerator, UniformLongGenerator } from './generators/uniform.js';
import { ZipfianGenerator } from './generators/zipfian.js';
import { KeyNamer } from './keyname.js';
import type { Operation, OpType } from './operation.js';
import { Random } from './random.js';

/** The PRNG sub-stream the operation stream draws from (record values use stream 1). */
export const OPERATION_RNG_STREAM = 0;
/** The random stream that picks which READs miss (`missingreadproportion`): apart from stream 0, so YCSB's draws are unchanged. */
export const MISSING_READ_RNG_STREAM = 3;
/**
 * A missing READ asks for key number `keynum + MISSING_KEY_OFFSET` (2^48): far above any key a
 * load or a run inserts, and still a safe integer, so its name is never in the store.
 */
export const MISSING_KEY_OFFSET = 2 ** 48;

/** Builds CoreWorkload's key chooser for `config` (exported for tests and benches). */
export function createKeyChooser(config: WorkloadConfig, rng: Random, acked: AcknowledgedCounterGenerator): NumberGenerator {
  const { insertstart, insertcount, recordcount } = config;
  switch (config.requestdistribution) {
    case 'uniform':
      return new UniformLongGenerator(rng, insertstart, insertstart + insertcount - 1);
    case 'exponential':
      return new ExponentialGenerator(rng, config.exponentialPercentile, recordcount * config.exponentialFrac);
    case 'sequential':
      return new SequentialGenerator(insertstart, insertstart + insertcount - 1);
    case 'zipfian': {
      // YCSB: (int)(operationcount * insertproportion * 2.0), with the proportion as written
      // (not normalised); Java's int cast saturates at 2^31-1
      const expectednewkeys = Math.min(2147483647, Math.trunc(config.operationcount * config.proportions.insert * 2.0));
      return new ScrambledZipfianGenerator(rng, insertstart, insertstart + insertcount + expectednewkeys, config.zipfianconstant);
    }
    case 'latest':
      return new SkewedLatestGenerator(rng, acked);
    case 'hotspot':
      return new HotspotIntegerGenerator(rng, insertstart, insertstart + insertcount - 1, config.hotspotdatafraction, config.hotspotopnfraction);
  }
}

/**
 * One of `count` clients that share a store (kvlab's scale-out runs): its run-phase inserts get
 * key numbers of its own. The stream still counts new keys as YCSB does (recordcount, +1, ...,
 * acknowledged and chosen in that space); only the key *name* of a number n ≥ recordcount is
 * that of recordcount + (n − recordcount)·count + index, so no two clients insert (or read as
 * "theirs") the same new key. Not part of YCSB, whose N clients overwrite each other's new keys.
 */
export interface InsertLane {
  index: number;
  count: number;
}

/** Generates load-phase inserts and run-phase operations. */
export class OperationStream {
  readonly config: WorkloadConfig;
  readonly seed: number;
  private readonly keysequence: CounterGenerator;
  private readonly loadEnd: number;
  private readonly operationchooser: DiscreteGenerator<OpType>;
  private readonly transactioninsertkeysequence: AcknowledgedCounterGenerator;
  private readonly keychooser: NumberGenerator;
  private readonly exponential: boolean;
  private readonly fieldchooser: UniformLongGenerator;
  private readonly scanlength: NumberGenerator;
  private readonly keys: KeyNamer;

  private readonly lane: InsertLane | null;
  /** Draws which READs miss; null when missingreadproportion is 0. */
  private readonly missing: Random | null;

  /** @param seed any safe integer; @param lane this client's share of new keys (see {@link InsertLane}), or null for YCSB's one stream */
  constructor(config: WorkloadConfig, seed: number, lane: InsertLane | null = null) {
    this.config = config;
    this.lane = lane !== null && lane.count > 1 ? lane : null;
    this.seed = seed;
    const rng = new Random(seed, OPERATION_RNG_STREAM);
    this.keysequence = new CounterGenerator(config.insertstart);
    this.loadEnd = config.insertstart + config.insertcount;
    const chooser = (this.operationchooser = new DiscreteGenerator<OpType>(rng));
    const p = config.proportions;
    if (p.read > 0) chooser.addValue(p.read, 'READ');
    if (p.update > 0) chooser.addValue(p.update, 'UPDATE');
    if (p.insert > 0) chooser.addValue(p.insert, 'INSERT');
    if (p.scan > 0) chooser.addValue(p.scan, 'SCAN');
    if (p.readmodifywrite > 0) chooser.addValue(p.readmodifywrite, 'READMODIFYWRITE');
    this.transactioninsertkeysequence = new AcknowledgedCounterGenerator(config.recordcount);
    this.keychooser = createKeyChooser(config, rng, this.transactioninsertkeysequence);
    this.exponential = config.requestdistribution === 'exponential';
    this.fieldchooser = new UniformLongGenerator(rng, 0, config.fieldcount - 1);
    this.scanlength =
      config.scanlengthdistribution === 'uniform'
        ? new UniformLongGenerator(rng, config.minscanlength, config.maxscanlength)
        : new ZipfianGenerator(rng, config.minscanlength, config.maxscanlength);
    this.keys = new KeyNamer(config.zeropadding, config.hashedKeys);
    this.missing = config.missingreadproportion > 0 ? new Random(seed, MISSING_READ_RNG_STREAM) : null;
  }

  /** The operation probabilities after normalisation (for reports). */
  operationMix(): ReadonlyArray<{ value: OpType; p: number }> {
    return this.operationchooser.probabilities();
  }

  /** Fills `op` with the next load-phase INSERT (key numbers insertstart ..); false when done. */
  nextLoad(op: Operation): boolean {
    if (this.keysequence.lastValue() + 1 >= this.loadEnd) return false;
    const keynum = this.keysequence.next();
    op.type = 'INSERT';
    op.keynum = keynum;
    op.key = this.keys.write(keynum);
    op.scanLength = 0;
    op.readField = -1;
    op.writeField = -1;
    return true;
  }

  /**
   * Fills `op` with the next run-phase operation. INSERTs get new key numbers from the
   * acknowledged counter (recordcount, recordcount+1, ...): call {@link acknowledge} once the
   * insert has completed, or reads will never pick it.
   */
  nextRun(op: Operation): void {
    this.nextRunNumber(op);
    op.key = this.keys.write(this.keyNumber(op.keynum));
  }

  /** The key number whose name key number `n` is written as (itself, unless a lane moves a new key). */
  keyNumber(n: number): number {
    const l = this.lane;
    const rc = this.config.recordcount;
    return l === null || n < rc || n >= MISSING_KEY_OFFSET ? n : rc + (n - rc) * l.count + l.index;
  }

  /**
   * Like {@link nextRun} but leaves `op.key` untouched: for callers that only need key
   * numbers (trace recording, benchmarks). Draws exactly the same random numbers as nextRun.
   */
  nextRunNumber(op: Operation): void {
    const type = this.operationchooser.next();
    op.type = type;
    op.scanLength = 0;
    op.readField = -1;
    op.writeField = -1;
    let keynum: number;
    if (type === 'INSERT') {
      keynum = this.transactioninsertkeysequence.next();
    } else {
      keynum = this.nextKeynum();
      const cfg = this.config;
      if (type === 'SCAN') op.scanLength = this.scanlength.next();
      if (type !== 'UPDATE' && !cfg.readallfields) op.readField = this.fieldchooser.next();
      if ((type === 'UPDATE' || type === 'READMODIFYWRITE') && !cfg.writeallfields) op.writeField = this.fieldchooser.next();
    }
    if (type === 'READ' && this.missing !== null && this.missing.nextDouble() < this.config.missingreadproportion) keynum += MISSING_KEY_OFFSET;
    op.keynum = keynum;
  }

  /** YCSB's nextKeynum(): never a key above the highest acknowledged insert. */
  nextKeynum(): number {
    const acked = this.transactioninsertkeysequence;
    let keynum: number;
    if (this.exponential) {
      do keynum = acked.lastValue() - this.keychooser.next();
      while (keynum < 0);
    } else {
      do keynum = this.keychooser.next();
      while (keynum > acked.lastValue());
    }
    return keynum;
  }

  /** A run-phase INSERT of `keynum` completed (YCSB's AcknowledgedCounterGenerator.acknowledge). */
  acknowledge(keynum: number): void {
    this.transactioninsertkeysequence.acknowledge(keynum);
  }

  /** The highest key number every read may use (all inserts up to it acknowledged). */
  lastAcknowledged(): number {
    return this.transactioninsertkeysequence.lastValue();
  }
}
