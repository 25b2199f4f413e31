import { describe, expect, it } from 'vitest';
import { crashCommand, parseCrashArgs, type CommandIo } from '../../cli/commands/crash.js';

function capture(): CommandIo & { outText: string; errText: string } {
  const io = { outText: '', errText: '', out: (t: string) => void (io.outText += t), err: (t: string) => void (io.errText += t) };
  return io;
}

describe('kvlab crash arguments', () => {
  it('prints help and exits 0', async () => {
    const io = capture();
    expect(await crashCommand(['--help'], io)).toBe(0);
    expect(io.outText).toMatch(/--durability MODE/);
  });

  it('lists the declared kill points', async () => {
    const io = capture();
    expect(await crashCommand(['--list-kill-points'], io)).toBe(0);
    for (const line of io.outText.trim().split('\n')) expect(line).toMatch(/^[a-z0-9-]+\.[a-z0-9.-]+$/);
  });

  it.each([
    [['--cycles', '3'], /INVALID_ARGUMENT: --engine is required/],
    [['--engine', 'no-such-engine'], /UNKNOWN_ENGINE/],
    [['--engine', 'map', '--cycles', '-1'], /INVALID_ARGUMENT: --cycles wants an integer >= 0/],
    [['--engine', 'map', '--durability', 'none'], /INVALID_ARGUMENT: --durability must be always or group/],
    [['--engine', 'map', '--frobnicate', '1'], /INVALID_ARGUMENT: unknown option '--frobnicate'/],
    [['--engine', 'map', '--seed'], /INVALID_ARGUMENT: --seed needs a value/],
    [['--engine', 'map', '--kill-point', 'nowhere.at.all'], /INVALID_ARGUMENT: unknown kill point/],
  ])('rejects %j with one typed line and exit 2', async (args, message) => {
    const io = capture();
    expect(await crashCommand(args, io)).toBe(2);
    expect(io.errText).toMatch(message);
    expect(io.errText.trim().split('\n')).toHaveLength(1);
  });

  it('reports a non-persistent engine as not applicable', async () => {
    const io = capture();
    expect(await crashCommand(['--engine', 'map', '--cycles', '2'], io)).toBe(0);
    expect(io.outText).toMatch(/not applicable \(not persistent/);
  });

  it('parses every option', () => {
    expect(parseCrashArgs(['--engine', 'lsm:l0Trigger=2', '--cycles', '7', '--seed', '3', '--durability', 'group', '--kill-point', 'x.y', '--power-loss', '4', '--corruption', '2', '--out', 'r.json'])).toMatchObject({
      engine: 'lsm:l0Trigger=2', cycles: 7, seed: 3, durability: 'group', killPoint: 'x.y', powerLoss: 4, corruption: 2, out: 'r.json',
    });
  });
});
