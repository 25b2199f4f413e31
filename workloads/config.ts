/**
 * The typed, validated CoreWorkload configuration: YCSB property names, YCSB's defaults
 * (CoreWorkload.java / Client.java) for every property not set, and kvlab's few additions
 * (`valuemode`, `rawvaluelength`, `zipfianconstant`, `missingreadproportion`). See workloads/README.md for the full table.
 */
import { invalidArgument } from '../engines/errors.js';
import { ZIPFIAN_CONSTANT } from './generators/zipfian.js';

/** Request (key-chooser) distributions CoreWorkload knows. */
export type RequestDistribution = 'uniform' | 'zipfian' | 'latest' | 'hotspot' | 'exponential' | 'sequential';
/** Field-length distributions kvlab honours (YCSB's `histogram` is not supported). */
export type FieldLengthDistribution = 'constant' | 'uniform' | 'zipfian';
/** Scan-length distributions. */
export type ScanLengthDistribution = 'uniform' | 'zipfian';
/** How values are built: YCSB records of fieldcount fields, or opaque blobs (db_bench style). */
export type ValueMode = 'ycsb' | 'raw';

/** Operation weights (YCSB proportions; only their ratios matter). */
export interface Proportions {
  read: number;
  update: number;
  insert: number;
  scan: number;
  readmodifywrite: number;
}

/** A validated workload configuration. Immutable by convention. */
export interface WorkloadConfig {
  /** The properties it was built from (after files and overrides). */
  readonly props: Readonly<Record<string, string>>;
  readonly table: string;
  /** Records present before the run phase; 0 in the properties means 2^31-1, as in YCSB. */
  readonly recordcount: number;
  /** Operations in the run phase. */
  readonly operationcount: number;
  /** First key number this instance loads. */
  readonly insertstart: number;
  /** Key numbers this instance loads (default recordcount - insertstart). */
  readonly insertcount: number;
  readonly fieldcount: number;
  readonly fieldlength: number;
  readonly minfieldlength: number;
  readonly fieldlengthdistribution: FieldLengthDistribution;
  readonly fieldnameprefix: string;
  /** Field names: fieldnameprefix + index. */
  readonly fieldnames: readonly string[];
  readonly readallfields: boolean;
  readonly readallfieldsbyname: boolean;
  readonly writeallfields: boolean;
  readonly dataintegrity: boolean;
  readonly proportions: Proportions;
  readonly requestdistribution: RequestDistribution;
  readonly zeropadding: number;
  readonly minscanlength: number;
  readonly maxscanlength: number;
  readonly scanlengthdistribution: ScanLengthDistribution;
  /** true for insertorder=hashed (YCSB: anything other than "hashed" means ordered). */
  readonly hashedKeys: boolean;
  readonly hotspotdatafraction: number;
  readonly hotspotopnfraction: number;
  readonly exponentialPercentile: number;
  readonly exponentialFrac: number;
  /** Seconds; 0 means no limit. */
  readonly maxexecutiontime: number;
  /** kvlab: 'ycsb' (msgpackr records) or 'raw' (opaque blobs). */
  readonly valuemode: ValueMode;
  /** kvlab: blob length in raw mode (default fieldcount * fieldlength). */
  readonly rawvaluelength: number;
  /**
   * kvlab (not in YCSB): the fraction of run-phase READs sent to a key that was never inserted
   * (zero-result lookups, the case bloom filters are for); 0, the default, leaves YCSB's stream exact.
   */
  readonly missingreadproportion: number;
  /**
   * kvlab extension (not a YCSB property): the zipfian constant (theta) of
   * `requestdistribution=zipfian`. Default {@link ZIPFIAN_CONSTANT} (YCSB's fixed 0.99, with its
   * precomputed zeta: the stream is then exactly YCSB's). Written by `kvlab trace analyze`.
   */
  readonly zipfianconstant: number;
}

const REQUEST_DISTRIBUTIONS: readonly RequestDistribution[] = ['uniform', 'zipfian', 'latest', 'hotspot', 'exponential', 'sequential'];

/** The largest field kvlab builds (a record is fieldcount fields; engines have their own, usually smaller, value limits). */
export const MAX_FIELD_BYTES = 64 << 20;

/** Reads properties with YCSB's defaults and validates them. Errors: INVALID_ARGUMENT. */
export function parseWorkloadConfig(props: Record<string, string>): WorkloadConfig {
  const get = (k: string, d: string): string => {
    const v = props[k];
    return v === undefined || v === '' ? d : v;
  };
  const int = (k: string, d: string, min = 0): number => {
    const s = get(k, d);
    if (!/^[+-]?\d+$/.test(s)) throw invalidArgument(`property ${k}: not an integer: '${s}'`);
    const n = Number(s);
    if (!Number.isSafeInteger(n)) throw invalidArgument(`property ${k}: out of range: '${s}'`);
    if (n < min) throw invalidArgument(`property ${k}: must be >= ${min}, got ${n}${n < 0 ? ' (negative)' : ''}`);
    return n;
  };
  const num = (k: string, d: string): number => {
    const s = get(k, d);
    const n = Number(s);
    if (s.trim() === '' || !Number.isFinite(n)) throw invalidArgument(`property ${k}: not a number: '${s}'`);
    return n;
  };
  const prop = (k: string, d: string): number => {
    const n = num(k, d);
    if (n < 0) throw invalidArgument(`property ${k}: a proportion must not be negative, got ${n}`);
    return n;
  };
  // Java's Boolean.parseBoolean: "true" in any case is true, anything else false
  const bool = (k: string, d: string): boolean => get(k, d).toLowerCase() === 'true';
  const oneOf = <T extends string>(k: string, d: string, allowed: readonly T[], what: string): T => {
    const v = get(k, d);
    if (!(allowed as readonly string[]).includes(v))
      throw invalidArgument(`unknown ${what} "${v}" (property ${k}; known: ${allowed.join(', ')})`);
    return v as T;
  };

  // YCSB turns recordcount=0 (its default) into 2^31-1 records. Absent, kvlab keeps that default
  // (exact to YCSB); given as 0 it is a load without end that nobody means: an error.
  let recordcount = int('recordcount', '0');
  if (props.recordcount !== undefined && recordcount < 1) throw invalidArgument(`property recordcount: must be >= 1, got ${recordcount}`);
  if (recordcount === 0) recordcount = 2147483647;
  const operationcount = int('operationcount', '0');
  const insertstart = int('insertstart', '0');
  const insertcount = int('insertcount', String(Math.max(0, recordcount - insertstart)));
  if (insertstart + insertcount > recordcount)
    throw invalidArgument(
      `insertstart (${insertstart}) + insertcount (${insertcount}) is beyond recordcount (${recordcount}); recordcount must be at least insertstart + insertcount`,
    );
  const fieldcount = int('fieldcount', '10', 1);
  if (fieldcount * Number(get('fieldlength', '100')) > 4 * MAX_FIELD_BYTES)
    throw invalidArgument(`fieldcount × fieldlength is beyond ${4 * MAX_FIELD_BYTES} bytes per record`);
  const fieldlength = int('fieldlength', '100');
  if (fieldlength > MAX_FIELD_BYTES) throw invalidArgument(`property fieldlength: at most ${MAX_FIELD_BYTES} bytes (64 MiB), got ${fieldlength}`);
  const minfieldlength = int('minfieldlength', '1');
  const rawDist = get('fieldlengthdistribution', 'constant');
  if (rawDist === 'histogram') throw invalidArgument('fieldlengthdistribution=histogram is not supported by kvlab');
  const fieldlengthdistribution = oneOf<FieldLengthDistribution>('fieldlengthdistribution', 'constant', ['constant', 'uniform', 'zipfian'], 'field length distribution');
  if (fieldlengthdistribution !== 'constant' && minfieldlength > fieldlength)
    throw invalidArgument(`minfieldlength (${minfieldlength}) is greater than fieldlength (${fieldlength})`);
  const fieldnameprefix = get('fieldnameprefix', 'field');
  const dataintegrity = bool('dataintegrity', 'false');
  if (dataintegrity && fieldlengthdistribution !== 'constant')
    throw invalidArgument('dataintegrity=true needs fieldlengthdistribution=constant (as in YCSB)');

  const proportions: Proportions = {
    read: prop('readproportion', '0.95'),
    update: prop('updateproportion', '0.05'),
    insert: prop('insertproportion', '0.0'),
    scan: prop('scanproportion', '0.0'),
    readmodifywrite: prop('readmodifywriteproportion', '0.0'),
  };
  const sum = proportions.read + proportions.update + proportions.insert + proportions.scan + proportions.readmodifywrite;
  if (!(sum > 0)) throw invalidArgument('operation proportions sum to zero (read/update/insert/scan/readmodifywrite)');
  if (!Number.isFinite(sum) || sum > 1e6) throw invalidArgument(`operation proportions sum to ${sum}: each must be a finite weight and their sum at most 1e6 (only their ratios matter)`);

  const requestdistribution = oneOf('requestdistribution', 'uniform', REQUEST_DISTRIBUTIONS, 'request distribution');
  const minscanlength = int('minscanlength', '1');
  const maxscanlength = int('maxscanlength', '1000');
  if (minscanlength > maxscanlength)
    throw invalidArgument(`minscanlength (${minscanlength}) is greater than maxscanlength (${maxscanlength})`);
  const scanlengthdistribution = oneOf<ScanLengthDistribution>('scanlengthdistribution', 'uniform', ['uniform', 'zipfian'], 'scan length distribution');
  const hotspotdatafraction = num('hotspotdatafraction', '0.2');
  const hotspotopnfraction = num('hotspotopnfraction', '0.8');
  const exponentialPercentile = num('exponential.percentile', '95');
  const exponentialFrac = num('exponential.frac', '0.8571428571');
  const missingreadproportion = num('missingreadproportion', '0');
  if (missingreadproportion < 0 || missingreadproportion > 1) throw invalidArgument(`property missingreadproportion: must be from 0 to 1, got ${missingreadproportion}`);
  if (requestdistribution === 'exponential' && !(exponentialPercentile > 0 && exponentialPercentile < 100 && exponentialFrac > 0))
    throw invalidArgument('exponential.percentile must be in (0, 100) and exponential.frac > 0');
  if (requestdistribution !== 'latest' && requestdistribution !== 'exponential' && insertcount === 0)
    throw invalidArgument(`requestdistribution=${requestdistribution} needs insertcount >= 1`);

  const valuemode = oneOf<ValueMode>('valuemode', 'ycsb', ['ycsb', 'raw'], 'value mode');
  // theta = 1 makes Gray et al.'s alpha = 1/(1-theta) infinite; above 10 every draw is the first item
  const zipfianconstant = num('zipfianconstant', String(ZIPFIAN_CONSTANT));
  if (!(zipfianconstant > 0 && zipfianconstant <= 10) || zipfianconstant === 1)
    throw invalidArgument(`property zipfianconstant: must be in (0, 10] and not 1, got ${zipfianconstant}`);
  return {
    props: { ...props },
    table: get('table', 'usertable'),
    recordcount,
    operationcount,
    insertstart,
    insertcount,
    fieldcount,
    fieldlength,
    minfieldlength,
    fieldlengthdistribution,
    fieldnameprefix,
    fieldnames: Array.from({ length: fieldcount }, (_, i) => fieldnameprefix + i),
    readallfields: bool('readallfields', 'true'),
    readallfieldsbyname: bool('readallfieldsbyname', 'false'),
    writeallfields: bool('writeallfields', 'false'),
    dataintegrity,
    proportions,
    requestdistribution,
    zeropadding: int('zeropadding', '1'),
    minscanlength,
    maxscanlength,
    scanlengthdistribution,
    hashedKeys: get('insertorder', 'hashed') === 'hashed',
    hotspotdatafraction,
    hotspotopnfraction,
    exponentialPercentile,
    exponentialFrac,
    maxexecutiontime: int('maxexecutiontime', '0'),
    valuemode,
    rawvaluelength: int('rawvaluelength', String(fieldcount * fieldlength)),
    missingreadproportion,
    zipfianconstant,
  };
}
