/** `kvlab trace` and the --trace-* options of `kvlab run`: help, and bad input as one line with exit 2. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../harness/helpers.js';
import { tmpDir } from '../support/tmp.js';
import { sample } from './helpers.js';

const oneLine = (s: string) => s.trim().split('\n').length === 1;

describe('kvlab trace CLI', () => {
  it('help: kvlab trace analyze|generate --help, the run options, the top-level list', async () => {
    for (const sub of ['analyze', 'generate']) {
      const r = await cli(['trace', sub, '--help']);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`usage: kvlab trace ${sub}`));
    }
    expect((await cli(['run', '--help'])).out).toMatch(/--trace-timing T.*\n[\s\S]*--trace-speed X/);
    expect((await cli(['help'])).out).toMatch(/\n  trace +analyze a trace/);
  });

  it('generate --sample writes the shipped sample', async () => {
    const out = path.join(tmpDir(), 's.csv');
    const r = await cli(['trace', 'generate', '--sample', 'twitter-theta1.1', '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(fs.readFileSync(out)).toEqual(fs.readFileSync(sample('twitter-theta1.1')));
  });

  it('run --trace: results name the format (detected), timing and counts', async () => {
    const out = path.join(tmpDir(), 'r.json');
    const r = await cli(['run', '--trace', sample('twitter-theta0.9'), '--engine', 'map', '--no-harness-cost', '-q', '--out', out]);
    expect(r.code, r.err).toBe(0);
    const res = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(res.workload.traceReplay).toMatchObject({ format: 'twitter', formatDetected: true, timing: 'fast', speed: 1, preload: 'none' });
    expect(res.notes.join(' ')).toMatch(/placeholders/);
  });

  const dir = tmpDir();
  const bad = path.join(dir, 'bad.csv');
  fs.writeFileSync(bad, '0,a,1,0,1,get,0\n0,a,1,x,1,set,0\n');
  const kv = path.join(dir, 'k.trace');
  fs.writeFileSync(kv, 'KVLTRACE');
  const T = sample('twitter-theta0.9');
  const cases: Array<[string, string[], RegExp]> = [
    ['malformed trace line (run)', ['run', '--trace', bad, '--engine', 'map', '--no-harness-cost', '-q'], /bad\.csv:2: value size 'x'/],
    ['malformed trace line (analyze)', ['trace', 'analyze', bad], /bad\.csv:2: value size 'x'/],
    ['recorded timing of a kvlab trace', ['run', '--trace', kv, '--trace-timing', 'recorded', '--engine', 'map'], /kvlab trace holds no timestamps/],
    ['speed without recorded timing', ['run', '--trace', T, '--trace-speed', '2', '--engine', 'map'], /--trace-speed scales recorded timestamps/],
    ['bad speed', ['run', '--trace', T, '--trace-timing', 'recorded', '--trace-speed', '0', '--engine', 'map'], /--trace-speed must be a positive number/],
    ['recorded with --target', ['run', '--trace', T, '--trace-timing', 'recorded', '--target', '10', '--engine', 'map'], /drop --target/],
    ['bad format', ['run', '--trace', T, '--trace-format', 'csv', '--engine', 'map'], /--trace-format must be one of kvlab, twitter/],
    ['bad preload', ['run', '--trace', T, '--trace-preload', 'all', '--engine', 'map'], /--trace-preload must be one of none, first-write/],
    ['trace option without --trace', ['run', '-P', 'a', '--trace-timing', 'recorded', '--engine', 'map'], /--trace-timing needs --trace FILE/],
    ['missing trace', ['run', '--trace', path.join(dir, 'absent.csv'), '--engine', 'map'], /trace not found/],
    ['-P with a twitter trace', ['run', '--trace', T, '-P', 'a', '--engine', 'map'], /drop -P and -p/],
    ['load without preload', ['load', '--trace', T, '--trace-preload', 'none', '--engine', 'map'], /first-write/],
    ['analyze without a file', ['trace', 'analyze'], /give one trace FILE/],
    ['analyze a missing file', ['trace', 'analyze', path.join(dir, 'absent.csv')], /trace not found/],
    ['unknown subcommand', ['trace', 'frob'], /unknown subcommand 'frob'/],
    ['generate bad theta', ['trace', 'generate', '--out', path.join(dir, 'g.csv'), '--theta', '11'], /theta must be in/],
    ['generate unknown sample', ['trace', 'generate', '--out', path.join(dir, 'g.csv'), '--sample', 'nope'], /unknown sample 'nope'/],
  ];
  for (const [name, argv, re] of cases) {
    it(`${name}: one line on stderr, exit 2`, async () => {
      const r = await cli(argv);
      expect(r.err).toMatch(re);
      expect(r.code, r.err).toBe(2);
      expect(oneLine(r.err)).toBe(true);
    });
  }
});

describe('report context line', () => {
  it('names the replayed trace, its timing and what was skipped', async () => {
    const { buildModel, contextLine } = await import('../../reports/model.js');
    const out = path.join(tmpDir(), 'r.json');
    const r = await cli(['run', '--trace', sample('twitter-theta0.9'), '--trace-timing', 'recorded', '--trace-speed', '120', '--engine', 'map', '--no-harness-cost', '-q', '--out', out]);
    expect(r.code, r.err).toBe(0);
    const model = buildModel([JSON.parse(fs.readFileSync(out, 'utf8'))]);
    expect(contextLine(model.cells)).toMatch(/ · trace twitter-theta0\.9\.csv \(twitter, recorded ×120, preload none; skipped delete 295\)$/);
  });
});
