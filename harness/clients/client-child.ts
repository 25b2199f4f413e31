/**
 * One client process of a scale-out run (harness/clients/protocol.ts): reads its job on stdin,
 * runs its share of the benchmark (harness/runner.ts, with the barrier and interval streaming
 * hooks) and writes every message to stdout. Usage: `node dist/harness/clients/client-child.js`,
 * started by the coordinator (local clients) or by `kvlab agent` (one per connection).
 * Nothing else may write to stdout. A coordinator that goes away (stdin ends) ends the client.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isKvError, KvError } from '../../engines/errors.js';
import { NodeFs } from '../../engines/fs.js';
import { writeNamespaceMarker } from '../../engines/reference/namespace.js';
import * as hdr from 'hdr-histogram-js';
import type { LatencyRecorder } from '../histogram.js';
import { runBenchmark } from '../runner.js';
import { loadWorkload } from '../workload.js';
import { clockMs, PROTOCOL_VERSION, readLines, sendLine, type ClientJob, type FromClient, type ToClient } from './protocol.js';

const send = (m: FromClient) => sendLine(process.stdout, m);

function encode(r: LatencyRecorder): string {
  return hdr.encodeIntoCompressedBase64(r.toHdr());
}

let onStart: ((atMs: number) => void) | null = null;
let pendingStart: number | null = null;
let jobSeen = false;
let tempDir: string | null = null;

/** Waits until this machine's clock reads `atMs` (timers for the coarse part, then a short spin). */
async function until(atMs: number): Promise<void> {
  for (let gap = atMs - clockMs(); gap > 0; gap = atMs - clockMs()) {
    if (gap > 3) await new Promise((r) => setTimeout(r, gap - 2));
  }
}

/** Service times kept unbinned, in 1 Mi-value chunks. */
class RawLatencies {
  private chunks: Float64Array[] = [new Float64Array(1 << 20)];
  private n = 0;
  push(ns: number): void {
    if (this.n === 1 << 20) {
      this.chunks.push(new Float64Array(1 << 20));
      this.n = 0;
    }
    this.chunks[this.chunks.length - 1]![this.n++] = ns;
  }
  write(file: string): void {
    const last = this.chunks.length - 1;
    fs.writeFileSync(file, Buffer.concat(this.chunks.map((c, i) => Buffer.from(c.buffer, 0, (i === last ? this.n : c.length) * 8))));
  }
}

async function run(job: ClientJob): Promise<void> {
  if (job.protocol !== PROTOCOL_VERSION) throw new KvError('INVALID_ARGUMENT', `client speaks protocol ${PROTOCOL_VERSION}, the coordinator ${String(job.protocol)}: run the same kvlab version on every host`);
  send({ t: 'hello', pid: process.pid, host: os.hostname(), node: process.version });
  const options = { ...job.trial.options };
  if (job.tempDir) options.dir = tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlab-client-'));
  if (job.namespace !== null) writeNamespaceMarker(options.dir, job.namespace, new NodeFs());
  const raw = job.rawLatenciesDir === null ? undefined : new RawLatencies();
  const w = loadWorkload(job.trial.workload.files, job.trial.workload.overrides);
  const workload = job.trial.workload.name ? { ...w, name: job.trial.workload.name } : w;
  const results = await runBenchmark({
    ...options, workload, trials: 1, status: 'off',
    client: {
      shared: job.shared,
      barrier: async (phase) => {
        send({ t: 'ready', phase });
        const at = await new Promise<number>((resolve) => {
          if (pendingStart !== null) resolve(pendingStart);
          else onStart = resolve;
        });
        pendingStart = null;
        onStart = null;
        await until(at);
      },
      onStart: (epochMs) => {
        send({ t: 'started', epochMs });
        // under an agent, its operator's log says when each client measures (local clients stay silent)
        if (job.tempDir) process.stderr.write(`client ${job.index}/${job.count}: measuring ${job.trial.options.phases[0]} from ${new Date(epochMs).toISOString()}\n`);
      },
      rawLatencies: raw,
      onInterval: (p, delta, intended) => send({ t: 'interval', tMs: p.tMs, operations: p.operations, failures: p.failures, hist: encode(delta), intendedHist: intended === null ? null : encode(intended) }),
    },
  });
  if (raw !== undefined) {
    fs.mkdirSync(job.rawLatenciesDir!, { recursive: true });
    raw.write(path.join(job.rawLatenciesDir!, `client-${job.index}.f64`));
  }
  send({ t: 'result', results });
}

function cleanup(): void {
  if (tempDir !== null) fs.rmSync(tempDir, { recursive: true, force: true });
}

readLines<ToClient>(process.stdin, (m) => {
  if (m.t === 'ping') send({ t: 'pong', id: m.id, clientMs: clockMs() });
  else if (m.t === 'start') {
    if (onStart !== null) onStart(m.atMs);
    else pendingStart = m.atMs;
  } else if (m.t === 'job' && !jobSeen) {
    jobSeen = true;
    run(m.job).then(
      () => {
        cleanup();
        process.exit(0);
      },
      (e: unknown) => {
        cleanup();
        send({ t: 'error', code: isKvError(e) ? e.code : 'INTERNAL', message: e instanceof Error ? e.message.split('\n')[0]!.slice(0, 500) : String(e) });
        process.exit(1);
      },
    );
  }
}, (line) => {
  send({ t: 'error', code: 'INVALID_ARGUMENT', message: `client: a line from the coordinator is not JSON: ${line.slice(0, 80)}` });
  process.exit(1);
});
// the coordinator went away: nobody would read what this client measures
process.stdin.on('end', () => {
  cleanup();
  process.exit(3);
});
