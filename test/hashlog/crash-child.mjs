// Child process for the hashlog crash tests. Runs the compiled engine from dist/ (npm test builds
// first). Usage: KVLAB_KILL_POINT=<point> node crash-child.mjs <scenario> <dir>
// Performs the scenario's writes; the kill point SIGKILLs it part-way. Exits 0 if never killed.
import { openHashlog } from '../../dist/engines/hashlog/index.js';

const [scenario, dir] = process.argv.slice(2);
const b = (s) => Buffer.from(s);

if (scenario === 'batch') {
  const e = openHashlog({ dir, durability: 'always' });
  for (let i = 0; i < 20; i++) e.put(b(`base${i}`), b(`v${i}`));
  const batch = [];
  for (let i = 0; i < 10; i++) batch.push({ type: 'put', key: b(`batch${i}`), value: b(`b${i}`.padEnd(300, '*')) });
  batch.push({ type: 'del', key: b('base0') });
  batch.push({ type: 'put', key: b('base1'), value: b('overwritten-by-batch') });
  e.write(batch); // killed half-way (hashlog.batch.mid) or after the append (hashlog.append.before-keydir)
  e.close();
} else if (scenario === 'append') {
  const e = openHashlog({ dir, durability: 'always' });
  for (let i = 0; i < 50; i++) e.put(b(`k${i}`), b(`value-${i}`));
  e.close();
} else if (scenario === 'merge') {
  const e = openHashlog({ dir, durability: 'none' }, { segmentBytes: 4096, autoMerge: false });
  for (let round = 0; round < 4; round++)
    for (let i = 0; i < 60; i++) e.put(b(`k${i}`), b(`r${round}-k${i}`.padEnd(120, '.')));
  for (let i = 0; i < 60; i += 3) e.delete(b(`k${i}`));
  e.sync();
  e.compact(); // killed at hashlog.merge.before-swap / after-rename / after-hint
  e.close();
} else throw new Error(`unknown scenario ${scenario}`);
