/**
 * Benchmark: createAndFind (defaults) against the fixed 500 ms polling loop of the platform docs
 * ("poll /find at ~500 ms intervals for ~5 s"), on a SIMULATED CLOCK: no real sleeps, so the
 * same seed gives the same table on any machine, in any run, however busy.
 *
 * A virtual clock stands in for `setTimeout`, `clearTimeout` and `Date` while the trials run; it
 * jumps from one timer to the next once every promise job is done. The simulated SimpleAPI answers
 * through a `fetch` whose network legs are virtual timers: each request takes a seeded random
 * one-way latency to reach the server and another to come back, and the record appears a seeded
 * random delay after the create request reached the server. Both methods see the same delays and,
 * request for request, the same latencies.
 *
 * Measures, per method: confirmation lag (record exists → promise resolves) p50/p95, requests per
 * confirmation (the POST included), false successes (resolved without the record existing, or with
 * the wrong one) and requests that reach the server after the promise settled.
 *
 * What this measures is the timing logic (when finds start), not the network or the browser.
 *
 * Uses the BUILT library: `npm run build` first. `node bench/effects.mjs` prints the Markdown
 * block; `run(options)` returns the numbers and `table(result)` the block.
 */
import { pathToFileURL } from 'node:url';
import { createAndFind } from '../dist/canvas-companion.mjs';

/** Seeded PRNG (mulberry32): the same numbers on every run. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The simulated clock's start: 2026-01-01T00:00:00Z. */
const EPOCH = Date.UTC(2026, 0, 1);

/**
 * A virtual clock. `install()` replaces the global `setTimeout`, `clearTimeout` and `Date` (its
 * `now()` and its no-argument constructor) until `uninstall()`. `run(limit)` fires the timers in
 * order of due time (then of creation), letting every promise job settle before each one, until
 * none is left or the next is due after `limit`.
 */
class VirtualClock {
  now = EPOCH;
  #timers = new Map();
  #next = 1;
  #saved;

  setTimeout = (callback, delay = 0, ...args) => {
    const id = this.#next++;
    this.#timers.set(id, { at: this.now + Math.max(0, Number(delay) || 0), id, run: () => callback(...args) });
    return id;
  };

  clearTimeout = (id) => {
    this.#timers.delete(id);
  };

  /** Resolves after `ms` of virtual time; rejects with `signal.reason` on abort. */
  sleep(ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        this.clearTimeout(id);
        reject(signal.reason);
      };
      const id = this.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  install() {
    const clock = this;
    const RealDate = globalThis.Date;
    class VirtualDate extends RealDate {
      constructor(...args) {
        super(...(args.length ? args : [clock.now]));
      }
      static now() {
        return clock.now;
      }
    }
    this.#saved = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout, Date: RealDate, setImmediate: globalThis.setImmediate };
    Object.assign(globalThis, { setTimeout: this.setTimeout, clearTimeout: this.clearTimeout, Date: VirtualDate });
  }

  uninstall() {
    const { setImmediate, ...saved } = this.#saved;
    Object.assign(globalThis, saved);
  }

  /** Fires due timers in order until none is left, or the next one is due after `limit`. */
  async run(limit) {
    const settle = () => new Promise((resolve) => this.#saved.setImmediate(resolve));
    for (;;) {
      // Every promise job (and process.nextTick) queued so far runs before a real setImmediate.
      await settle();
      let first;
      for (const timer of this.#timers.values()) if (!first || timer.at < first.at || (timer.at === first.at && timer.id < first.id)) first = timer;
      if (!first || first.at > limit) return;
      this.#timers.delete(first.id);
      this.now = first.at;
      first.run();
    }
  }
}

/**
 * One simulated plugin for one trial: POST /create answers 202 with lookup params and the record
 * appears `delay` ms after the POST reached the server; GET /find answers `{patient_id}` (null
 * until then). Each request takes a one-way latency drawn from `latency()` to reach the server
 * and another to come back; aborts are honoured on the way.
 */
function simulatedPlugin(clock, delay, latency, id) {
  const state = { materializedAt: Infinity, arrivals: [], id };
  const json = (body, status) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  state.fetch = async (url, init = {}) => {
    const signal = init.signal ?? undefined;
    const there = latency();
    const back = latency();
    await clock.sleep(there, signal);
    const now = clock.now;
    state.arrivals.push(now);
    let answer;
    if ((init.method ?? 'GET') === 'POST') {
      state.materializedAt = now + delay;
      answer = json({ status: 'submitted', lookup_params: { first_name: 'Ada', last_name: 'Lovelace' }, lookup_started_at: new Date(now).toISOString() }, 202);
    } else {
      answer = json({ patient_id: now >= state.materializedAt ? id : null }, 200);
    }
    await clock.sleep(back, signal);
    return answer;
  };
  return state;
}

/** The loop the platform docs describe, written carefully: one POST, then GET every 500 ms for ~5 s. */
async function docsLoop({ create, find, body, fetch }) {
  const ack = await (await fetch(create, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
  const query = new URLSearchParams({ ...ack.lookup_params, after: ack.lookup_started_at });
  for (let attempt = 0; attempt < 10; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
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
 * Runs every method on the same seeded delays and latencies, all trials at once on one virtual clock.
 * @param {{ trials?: number, seed?: number, minDelay?: number, maxDelay?: number, minLatency?: number, maxLatency?: number, quiet?: number }} [options]
 */
export async function run({ trials = 200, seed = 42, minDelay = 50, maxDelay = 4000, minLatency = 20, maxLatency = 80, quiet = 60_000 } = {}) {
  const next = random(seed);
  const delays = Array.from({ length: trials }, () => minDelay + next() * (maxDelay - minDelay));
  // Each trial's own latency stream, the same for both methods.
  const latencySeeds = Array.from({ length: trials }, () => Math.floor(next() * 2 ** 32));
  const clock = new VirtualClock();
  const results = {};
  clock.install();
  try {
    for (const [name, method] of Object.entries(METHODS)) {
      const start = clock.now;
      const trialsRun = delays.map((delay, index) => {
        const draw = random(latencySeeds[index]);
        const latency = () => Math.round(minLatency + draw() * (maxLatency - minLatency));
        const plugin = simulatedPlugin(clock, delay, latency, `patient-${index}`);
        const options = { create: '/plugin-io/api/demo/app/create', find: '/plugin-io/api/demo/app/find', body: { first_name: 'Ada' }, fetch: plugin.fetch };
        const outcome = { plugin, settled: false };
        method(options).then(
          (value) => Object.assign(outcome, { settled: true, value, settledAt: clock.now }),
          () => Object.assign(outcome, { settled: true, failed: true, settledAt: clock.now }),
        );
        return outcome;
      });
      // Until every timer has run: a stray timer left after settling gets its chance to send.
      await clock.run(start + quiet);
      const outcomes = trialsRun.map(({ plugin, settled, failed = !settled, value, settledAt = Infinity }) => ({
        failed,
        lag: failed ? undefined : settledAt - plugin.materializedAt,
        falseSuccess: !failed && (value !== plugin.id || settledAt < plugin.materializedAt),
        requests: plugin.arrivals.length,
        after: plugin.arrivals.filter((at) => at > settledAt).length,
      }));
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
    }
  } finally {
    clock.uninstall();
  }
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
  return { settings: { trials, seed, minDelay, maxDelay, minLatency, maxLatency }, results, ratios, goals };
}

/** The results as the README's Markdown block: one settings line, the table, the goals. */
export function table({ settings, results, ratios, goals }) {
  const ms = (value) => `${Math.round(value)} ms`;
  const rows = Object.entries(results).map(
    ([name, r]) =>
      `| ${name} | ${r.confirmed}/${r.trials} | ${ms(r.lagP50)} | ${ms(r.lagP95)} | ${r.requestsPerConfirmation.toFixed(2)} | ${r.falseSuccesses} | ${r.requestsAfterSettling} |`,
  );
  return [
    `${settings.trials} creates on a simulated clock (seed ${settings.seed}): materialization delays uniform in ${settings.minDelay}–${settings.maxDelay} ms, one-way latency uniform in ${settings.minLatency}–${settings.maxLatency} ms per request leg.`,
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
