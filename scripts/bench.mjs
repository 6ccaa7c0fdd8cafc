// `npm run bench <name>`: runs test/bench/<name>.bench.ts. Each benchmark measures its own
// baseline in the same run (these machines are noisy) and prints, as its last line,
// `<name> ratio=<number> goal=<number>`. It exits 1 when the ratio misses the goal.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const available = existsSync('test/bench')
  ? readdirSync('test/bench').filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace(/\.bench\.ts$/, ''))
  : [];
const name = process.argv[2];
if (!name || !available.includes(name)) {
  console.error(
    name ? `There is no benchmark called "${name}".` : 'Name a benchmark: npm run bench <name>.',
    available.length ? `Available: ${available.join(', ')}.` : 'None exist yet: add test/bench/<name>.bench.ts.',
  );
  process.exit(2);
}
const { status } = spawnSync('npx', ['tsx', `test/bench/${name}.bench.ts`, ...process.argv.slice(3)], { stdio: 'inherit' });
process.exit(status ?? 1);
