/**
 * Benchmark: createAndFind (defaults) against the fixed 500 ms polling loop of the platform docs
 * ("poll /find at ~500 ms intervals for ~5 s"), in one run, against an in-process simulated
 * SimpleAPI: a fixed round-trip time and a seeded spread of materialization delays (the time
 * between the create request reaching the server and the effect's record existing).
 *
 * Measures, per method: confirmation lag (record exists → promise resolves) p50/p95, requests per
 * confirmation (the POST included), false successes (resolved without the record existing, or with
 * the wrong one) and requests that reach the server after the promise settled.
 *
 * Uses the BUILT library: `npm run build` first. `node bench/effects.mjs` prints a Markdown table;
 * `run(options)` returns the numbers.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { createAndFind } from '../dist/canvas-companion.mjs';

/** Seeded PRNG (mulberry32): the same delays on every run. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One simulated plugin for one trial: POST /create answers 202 with lookup params and the record
 * appears `delay` ms after the POST reached the server; GET /find answers `{patient_id}` (null until then).
 * Each request takes rtt/2 to reach the server and rtt/2 to come back; aborts are honoured.
 */
function simulatedPlugin(delay, rtt, id) {
  const state = { materializedAt: Infinity, arrivals: [], id };
  const json = (body, status) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  state.fetch = async (url, init = {}) => {
    const signal = init.signal ?? undefined;
    await sleep(rtt / 2, undefined, { signal });
    const now = performance.now();
    state.arrivals.push(now);
    let answer;
    if ((init.method ?? 'GET') === 'POST') {
      state.materializedAt = now + delay;
      answer = json({ status: 'submitted', lookup_params: { first_name: 'Ada', last_name: 'Lovelace' }, lookup_started_at: new Date().toISOString() }, 202);
    } else {
      answer = json({ patient_id: now >= state.materializedAt ? id : null }, 200);
    }
    await sleep(rtt / 2, undefined, { signal });
    return answer;
  };
  return state;
}

/** The loop the platform docs describe, written carefully: one POST, then GET every 500 ms for ~5 s. */
async function docsLoop({ create, find, body, fetch }) {
  const ack = await (await fetch(create, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
  const query = new URLSearchParams({ ...ack.lookup_params, after: ack.lookup_started_at });
  for (let attempt = 0; attempt < 10; attempt++) {
    await sleep(500);
    const found = await (await fetch(`${find}?${query}`)).json();
    if (found.patient_id) return found.patient_id;
  }
  throw new Error('Timed out: the record was not found');
}

const METHODS = {
  createAndFind: (options) => createAndFind(options),
  'docs 500 ms loop': (options) => docsLoop(options),
};

function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Runs every method on the same seeded delays, all trials at once (the simulation is I/O-bound).
 * @param {{ trials?: number, rtt?: number, seed?: number, minDelay?: number, maxDelay?: number, quiet?: number }} [options]
 */
export async function run({ trials = 200, rtt = 100, seed = 42, minDelay = 50, maxDelay = 4000, quiet = 1500 } = {}) {
  const next = random(seed);
  const delays = Array.from({ length: trials }, () => minDelay + next() * (maxDelay - minDelay));
  const results = {};
  await Promise.all(
    Object.entries(METHODS).map(async ([name, method]) => {
      const outcomes = await Promise.all(
        delays.map(async (delay, index) => {
          const plugin = simulatedPlugin(delay, rtt, `patient-${index}`);
          const options = { create: '/plugin-io/api/demo/app/create', find: '/plugin-io/api/demo/app/find', body: { first_name: 'Ada' }, fetch: plugin.fetch };
          let value;
          let failed = false;
          try {
            value = await method(options);
          } catch {
            failed = true;
          }
          const settledAt = performance.now();
          // Give stray timers a chance to send something after settling.
          await sleep(quiet);
          return {
            failed,
            lag: failed ? undefined : settledAt - plugin.materializedAt,
            falseSuccess: !failed && (value !== plugin.id || settledAt < plugin.materializedAt),
            requests: plugin.arrivals.length,
            after: plugin.arrivals.filter((at) => at > settledAt).length,
          };
        }),
      );
      const lags = outcomes.filter((o) => o.lag !== undefined).map((o) => o.lag).sort((a, b) => a - b);
      const confirmed = lags.length;
      results[name] = {
        trials,
        confirmed,
        timeouts: outcomes.filter((o) => o.failed).length,
        lagP50: percentile(lags, 50),
        lagP95: percentile(lags, 95),
        requestsPerConfirmation: outcomes.reduce((sum, o) => sum + o.requests, 0) / Math.max(1, confirmed),
        falseSuccesses: outcomes.filter((o) => o.falseSuccess).length,
        requestsAfterSettling: outcomes.reduce((sum, o) => sum + o.after, 0),
      };
    }),
  );
  const ours = results.createAndFind;
  const base = results['docs 500 ms loop'];
  const ratios = {
    lagP50: ours.lagP50 / base.lagP50,
    lagP95: ours.lagP95 / base.lagP95,
    requestsPerConfirmation: ours.requestsPerConfirmation / base.requestsPerConfirmation,
    extraRequestsPerConfirmation: ours.requestsPerConfirmation - base.requestsPerConfirmation,
  };
  const goals = {
    'p95 lag no worse than the baseline': ratios.lagP95 <= 1,
    'at most one request more per confirmation': ratios.extraRequestsPerConfirmation <= 1,
    'zero false successes': ours.falseSuccesses === 0,
    'zero requests after settling': ours.requestsAfterSettling === 0,
  };
  return { settings: { trials, rtt, seed, minDelay, maxDelay }, results, ratios, goals };
}

/** The results as a Markdown table. */
export function table({ settings, results, ratios, goals }) {
  const ms = (value) => `${Math.round(value)} ms`;
  const rows = Object.entries(results).map(
    ([name, r]) =>
      `| ${name} | ${r.confirmed}/${r.trials} | ${ms(r.lagP50)} | ${ms(r.lagP95)} | ${r.requestsPerConfirmation.toFixed(2)} | ${r.falseSuccesses} | ${r.requestsAfterSettling} |`,
  );
  return [
    `${settings.trials} creates, materialization delays uniform in ${settings.minDelay}–${settings.maxDelay} ms (seed ${settings.seed}), round trip ${settings.rtt} ms.`,
    '',
    '| method | confirmed | lag p50 | lag p95 | requests per confirmation | false successes | requests after settling |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    `| **ratio** (createAndFind / docs loop) | | ${ratios.lagP50.toFixed(2)}× | ${ratios.lagP95.toFixed(2)}× | ${ratios.requestsPerConfirmation.toFixed(2)}× (${ratios.extraRequestsPerConfirmation >= 0 ? '+' : ''}${ratios.extraRequestsPerConfirmation.toFixed(2)}) | | |`,
    '',
    ...Object.entries(goals).map(([goal, met]) => `- ${met ? '✅' : '❌'} ${goal}`),
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await run();
  console.log(table(result));
  if (Object.values(result.goals).includes(false)) process.exitCode = 1;
}
