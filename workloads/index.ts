/**
 * kvlab's YCSB core workloads: the API the harness consumes (see workloads/README.md).
 *
 *   const props = loadProperties(['workloads/workloada'], { recordcount: '100000' });
 *   const config = parseWorkloadConfig(props);
 *   const stream = new OperationStream(config, seed), codec = new RecordCodec(config, seed);
 *   const op = newOperation();
 *   while (stream.nextLoad(op)) engine.put(op.key, codec.insertValue(op));
 *   for (let i = 0; i < config.operationcount; i++) { stream.nextRun(op); ... }
 */
export { loadProperties, parseProperties, parseOverrides } from './properties.js';
export { parseWorkloadConfig } from './config.js';
export type { WorkloadConfig, Proportions, RequestDistribution, FieldLengthDistribution, ScanLengthDistribution, ValueMode } from './config.js';
export { OP_TYPES, newOperation } from './operation.js';
export type { Operation, OpType } from './operation.js';
export { OperationStream } from './stream.js';
export { RecordCodec } from './record.js';
export { TraceWriter, TraceReader, TRACE_VERSION } from './trace.js';
export type { TraceHeader } from './trace.js';
export { KeyNamer } from './keyname.js';
export { Random } from './random.js';
export { workloadFile, STANDARD_WORKLOADS } from './files.js';
