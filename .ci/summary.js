// Prints "N passed, M failed" from Jest's JSON results; exits non-zero on any
// failure, on a suite that failed to run, or when the results are missing.
const fs = require('node:fs');
const file = process.argv[2];
if (!fs.existsSync(file)) {
  console.log('0 passed, 1 failed (no test results: the build, lint or Jest itself failed)');
  process.exit(1);
}
const r = JSON.parse(fs.readFileSync(file, 'utf8'));
const failedSuites = r.testResults.filter((s) => s.status === 'failed' && s.assertionResults.every((a) => a.status !== 'failed'));
const failed = r.numFailedTests + failedSuites.length;
for (const s of r.testResults.filter((x) => x.status === 'failed')) {
  console.log(`FAILED ${s.name}`);
  for (const a of s.assertionResults.filter((x) => x.status === 'failed')) console.log(`  - ${a.fullName}`);
  if (s.message && s.assertionResults.every((a) => a.status !== 'failed')) console.log(s.message.split('\n').slice(0, 8).join('\n'));
}
const skipped = r.numPendingTests + r.numTodoTests;
console.log(`${r.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || !r.success ? 1 : 0);
