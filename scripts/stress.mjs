// `npm run test:stress`: runs the Chromium and socket suites (vitest projects `browser`, `node` and `harness`, every file)
// while busy worker threads keep every core loaded, K times, and prints the failures of each run
// and a summary line. Not part of `npm test`: it shows whether the tests hold on a busy machine.
//
//   npm run test:stress                 3 runs
//   npm run test:stress -- --runs 5     5 runs (or STRESS_RUNS=5)
//
// Bounded: each run is stopped after RUN_LIMIT_MS, and the load threads stop by themselves after
// LOAD_LIMIT_MS even if this process is killed without cleaning up. Exits 1 if any run failed.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const OUT = join(ROOT, 'node_modules', '.cache', 'stress');
/** One vitest run of those projects takes about a minute here; a hung one is stopped. */
const RUN_LIMIT_MS = 10 * 60_000;

const { values } = parseArgs({ options: { runs: { type: 'string' } } });
const runs = Number(values.runs ?? process.env.STRESS_RUNS ?? 3);
if (!Number.isInteger(runs) || runs < 1 || runs > 100) {
  console.error(`test:stress: --runs must be a whole number from 1 to 100, not ${values.runs ?? process.env.STRESS_RUNS}`);
  process.exit(2);
}
const LOAD_LIMIT_MS = runs * RUN_LIMIT_MS + 60_000;

// One thread per core, each spinning on arithmetic and short-lived allocations (so the garbage
// collector works too) until terminated, or until its own time limit.
const LOAD = `
  const end = Date.now() + ${LOAD_LIMIT_MS};
  let sink = 0;
  while (Date.now() < end) {
    for (let i = 0; i < 100000; i++) sink = (sink + Math.sqrt(i * 7919)) % 1e9;
    sink += JSON.stringify({ sink, at: Date.now() }).length;
  }
`;

function startLoad() {
  const threads = Array.from({ length: availableParallelism() }, () => new Worker(LOAD, { eval: true }));
  for (const thread of threads) thread.unref();
  return { threads, stop: () => Promise.all(threads.map((thread) => thread.terminate())) };
}

/** Runs those projects once; resolves with its JSON report (or why there is none). */
function runSuite(index) {
  const report = join(OUT, `run-${index}.json`);
  const log = join(OUT, `run-${index}.log`);
  rmSync(report, { force: true });
  const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
  const args = [vitest, 'run', '--project', 'browser', '--project', 'node', '--project', 'harness', '--reporter=default', `--reporter=${join(ROOT, 'scripts', 'stress-reporter.mjs')}`];
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0', STRESS_REPORT: report }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const limit = setTimeout(() => child.kill('SIGKILL'), RUN_LIMIT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(limit);
      writeFileSync(log, output);
      let json;
      try {
        json = JSON.parse(readFileSync(report, 'utf8'));
      } catch {
        json = undefined;
      }
      resolve({ json, code, signal, seconds: (Date.now() - started) / 1000, log, output });
    });
  });
}

mkdirSync(OUT, { recursive: true });
const cores = availableParallelism();
const machine = `${cores} × ${cpus()[0]?.model.trim() ?? 'CPU'}`;
console.log(`test:stress: ${runs} run(s) of the browser, node and harness projects while ${cores} busy thread(s) load every core (${machine})`);
const load = startLoad();
const stopLoad = () => load.stop();
process.on('SIGINT', () => stopLoad().then(() => process.exit(130)));
process.on('SIGTERM', () => stopLoad().then(() => process.exit(143)));

const results = [];
try {
  for (let index = 1; index <= runs; index++) {
    const result = await runSuite(index);
    const load1 = loadavg()[0].toFixed(1);
    if (!result.json) {
      const why = result.signal === 'SIGKILL' ? `stopped after ${RUN_LIMIT_MS / 60_000} min` : `vitest exited ${result.code ?? result.signal} without a report`;
      results.push({ failed: 1, passed: 0 });
      console.log(`run ${index}/${runs}: no result (${why}; ${result.seconds.toFixed(0)} s, load average ${load1}); output in ${result.log}`);
      console.log(result.output.split('\n').slice(-15).join('\n'));
      continue;
    }
    const { failures: failed, passed, skipped } = result.json;
    results.push({ failed: failed.length, passed });
    console.log(`run ${index}/${runs}: ${passed} passed, ${failed.length} failed, ${skipped} skipped (${result.seconds.toFixed(0)} s, load average ${load1})`);
    for (const line of failed) console.log(`  ✗ ${line}`);
  }
} finally {
  await stopLoad();
}

const totalFailed = results.reduce((sum, run) => sum + run.failed, 0);
const totalPassed = results.reduce((sum, run) => sum + run.passed, 0);
const failedRuns = results.filter((run) => run.failed > 0).length;
console.log(
  `test:stress: ${runs} run(s), ${totalPassed} tests passed, ${totalFailed} failed (${failedRuns} run(s) with failures), ${cores} load thread(s) on ${machine}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
);
process.exitCode = totalFailed ? 1 : 0;
