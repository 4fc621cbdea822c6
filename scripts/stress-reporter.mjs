// A vitest reporter for scripts/stress.mjs: writes each run's outcome (passed, failed with the
// first line of the error, skipped, errors outside tests) as JSON to the file named by
// STRESS_REPORT, so that the run's numbers do not depend on the project's own JSON report file.
import { writeFileSync } from 'node:fs';

export default class StressReporter {
  onTestRunEnd(testModules, unhandledErrors, reason) {
    const firstLine = (error) => String(error?.message ?? error ?? '').split('\n')[0];
    const result = { reason, passed: 0, skipped: 0, failures: [] };
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const { state, errors } = test.result();
        if (state === 'passed') result.passed++;
        else if (state === 'failed') result.failures.push(`${module.relativeModuleId} > ${test.fullName}: ${firstLine(errors?.[0])}`);
        else result.skipped++;
      }
      // Errors outside any test: a file that failed to load, a failing hook.
      for (const error of module.errors()) result.failures.push(`${module.relativeModuleId}: ${firstLine(error)}`);
    }
    for (const error of unhandledErrors) result.failures.push(`unhandled error: ${firstLine(error)}`);
    writeFileSync(process.env.STRESS_REPORT, JSON.stringify(result, null, 2));
  }
}
