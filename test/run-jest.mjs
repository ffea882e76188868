// `npm test`'s Jest run, after the build and lint: the unit specs on two workers (in-process and CPU-bound, they
// share nothing), then every other tier one file at a time (int, e2e, chaos and browser specs start servers,
// clusters and browsers on the machine's cores, and their waits are sized for one at a time). Both runs write Jest's
// JSON results; they are merged into .jest-results.json, which .ci/summary.js reads. Arguments are passed to both
// runs (`npm test -- --testNamePattern quota`). Exits non-zero when either run fails.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const jest = join(root, 'node_modules', '.bin', 'jest');
const extra = process.argv.slice(2);
const runs = [
  { out: '.jest-results.unit.json', args: ['--selectProjects', 'unit', '--maxWorkers=2'] },
  { out: '.jest-results.rest.json', args: ['--selectProjects', 'int', 'e2e', 'chaos', 'browser', '--runInBand'] },
];

let failed = false;
const results = [];
for (const run of runs) {
  rmSync(join(root, run.out), { force: true });
  const { status } = spawnSync(jest, [...run.args, '--passWithNoTests', '--json', `--outputFile=${run.out}`, ...extra], { cwd: root, stdio: 'inherit' });
  if (status !== 0) failed = true;
  const file = join(root, run.out);
  if (existsSync(file)) results.push(JSON.parse(readFileSync(file, 'utf8')));
  rmSync(file, { force: true });
}

// Both runs' results or none: a run that wrote nothing (Jest itself failed) must not look like fewer tests.
if (results.length === runs.length) {
  const sum = (key) => results.reduce((total, r) => total + (r[key] ?? 0), 0);
  const counts = [
    'numFailedTestSuites', 'numFailedTests', 'numPassedTestSuites', 'numPassedTests', 'numPendingTestSuites', 'numPendingTests',
    'numRuntimeErrorTestSuites', 'numTodoTests', 'numTotalTestSuites', 'numTotalTests',
  ];
  const merged = {
    ...Object.fromEntries(counts.map((key) => [key, sum(key)])),
    startTime: Math.min(...results.map((r) => r.startTime)),
    success: results.every((r) => r.success),
    testResults: results.flatMap((r) => r.testResults),
  };
  writeFileSync(join(root, '.jest-results.json'), JSON.stringify(merged));
}
process.exit(failed ? 1 : 0);
