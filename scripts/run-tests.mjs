// Runs every suite and prints one totals line at the end. Lint and each typecheck count as one
// check each; every vitest test counts as one. Any failure makes the exit code non-zero.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const results = [];
function step(name, command, args) {
  const started = Date.now();
  console.log(`\n── ${name}: ${command} ${args.join(' ')}`);
  const { status } = spawnSync(command, args, { stdio: 'inherit' });
  results.push({ name, passed: status === 0 ? 1 : 0, failed: status === 0 ? 0 : 1, seconds: (Date.now() - started) / 1000 });
}

step('lint', 'npx', ['eslint', '--max-warnings=0', '.']);
step('typecheck (main, preload, shared, tests)', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
step('typecheck (renderer)', 'npx', ['tsc', '-p', 'renderer/tsconfig.json', '--noEmit']);

const report = '.vitest-results.json';
rmSync(report, { force: true });
const started = Date.now();
console.log('\n── vitest: unit, integration, e2e');
const vitest = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed = json.numPassedTests;
  failed = json.numFailedTests + (json.numFailedTestSuites ?? 0);
  skipped = (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
} catch {
  failed = 1; // no report means vitest itself failed to run
}
if (vitest.status !== 0 && failed === 0) failed = 1;
if (passed === 0 && failed === 0) failed = 1; // running no test at all is a failure
results.push({ name: 'vitest', passed, failed, skipped, seconds: (Date.now() - started) / 1000 });

console.log('\n── summary');
for (const r of results) {
  console.log(`${r.name.padEnd(44)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed  ${r.seconds.toFixed(1)} s`);
}
const total = (key) => results.reduce((sum, r) => sum + (r[key] ?? 0), 0);
const skippedTotal = total('skipped');
console.log(`${total('passed')} passed, ${total('failed')} failed${skippedTotal ? `, ${skippedTotal} skipped` : ''}`);
process.exit(total('failed') > 0 ? 1 : 0);
