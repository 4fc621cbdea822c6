// Prints one closing line for the whole test run, read from vitest's JSON report, and fails a CI
// run in which the real-browser tests did not run.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync('node_modules/.cache/vitest-report.json', 'utf8'));
const browserPassed = report.testResults
  .filter((file) => /\/test\/(browser|node|harness)\//.test(file.name))
  .flatMap((file) => file.assertionResults)
  .filter((test) => test.status === 'passed').length;
console.log(`Browser and socket tests passed: ${browserPassed}`);
console.log(`Tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests + report.numTodoTests} skipped`);
if (process.env.CI && browserPassed === 0) {
  console.error('CI: the Chromium tests did not run.');
  process.exit(1);
}
if (!report.success) process.exit(1);
