/** `kvlab agent`: serves scale-out clients on this host for a coordinator's `--agents` (harness/clients/agent.ts). */
import { parse, UsageError } from '../args.js';
import { parseHostPort } from '../../harness/clients/links.js';
import { startAgent } from '../../harness/clients/agent.js';
import { KvError } from '../../engines/errors.js';

export const AGENT_HELP = `usage: kvlab agent --listen HOST:PORT

Runs on each client host of a multi-host run. A coordinator elsewhere runs
  kvlab run -P ... --engine redis:host=... --agents h1:7000,h2:7000 [--clients N]
and every connection it makes here becomes one fresh client process running its share of the
benchmark (N per agent). The agent prints one line per connection and keeps serving until it
is stopped (SIGINT / SIGTERM). Every host must run the same kvlab version; clients reach only
network stores (the store's address is the coordinator's --engine spec, as seen from here).

  --listen HOST:PORT   address to listen on (port 0: any free port; the line printed names it)`;

/** Runs `kvlab agent` until a signal ends it. */
export async function agentCommand(argv: string[]): Promise<number> {
  const { values: v } = parse(argv, { listen: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, 'agent');
  if (v.help) {
    process.stdout.write(AGENT_HELP + '\n');
    return 0;
  }
  if (v.listen === undefined) throw new UsageError('agent: --listen HOST:PORT is required');
  let addr;
  try {
    addr = parseHostPort(v.listen as string, '--listen');
  } catch (e) {
    if (e instanceof KvError) throw new UsageError(`agent: ${e.message}`);
    throw e;
  }
  const agent = await startAgent(addr.host, addr.port, (line) => process.stderr.write(`kvlab agent: ${line}\n`));
  process.stdout.write(`kvlab agent: listening on ${agent.host}:${agent.port}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await agent.close();
  return 0;
}
