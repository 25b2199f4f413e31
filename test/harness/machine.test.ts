/** The busy-machine verdict of a trial (harness/probes.ts): other processes' CPU and steal, not kvlab's own load. */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { machineLoad, machineVerdict } from '../../harness/probes.js';

const reading = (total: number, busy: number, self: number, steal = 0) => ({ loadavg1: 3, totalTicks: total, busyTicks: busy, selfTicks: self, stealTicks: steal });

describe('busy machine', () => {
  it('a trial using its own CPU (any load average) is not busy; another process using a core is', () => {
    // 2 cores, 200 ticks elapsed: this process used 100 ticks, nobody else
    expect(machineVerdict(reading(0, 0, 0), reading(200, 100, 100), 2)).toMatchObject({ othersPct: 0, busy: false });
    // another process used 100 ticks: one core
    expect(machineVerdict(reading(0, 0, 0), reading(200, 200, 100), 2)).toMatchObject({ othersPct: 100, busy: true });
    // steal above 5% of the machine's time
    expect(machineVerdict(reading(0, 0, 0, 0), reading(200, 100, 100, 20), 2).busy).toBe(true);
    // too short to judge: unknown, not busy
    expect(machineVerdict(reading(0, 0, 0), reading(50, 50, 0), 2)).toMatchObject({ othersPct: null, busy: false });
  });

  it('measured: a spinning process beside this one makes the trial busy', async () => {
    const spinner = spawn(process.execPath, ['-e', 'const t = Date.now(); while (Date.now() - t < 4000);']);
    try {
      await new Promise((r) => setTimeout(r, 200));
      const before = machineLoad();
      await new Promise((r) => setTimeout(r, 1500));
      const v = machineVerdict(before, machineLoad());
      expect(v.othersPct).toBeGreaterThan(50);
      expect(v.busy).toBe(true);
    } finally {
      spinner.kill('SIGKILL');
    }
  });
});
