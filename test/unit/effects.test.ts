import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAndFind, findCreated, type CreateAndFindOptions } from '../../src/effects.js';
import { isCompanionError, type CompanionError } from '../../src/errors.js';

const STARTED_AT = '2026-01-01T00:00:00+00:00';
const ACK = { status: 'submitted', lookup_params: { first_name: 'Ada', last_name: 'Lovelace' }, lookup_started_at: STARTED_AT };
const RTT = 20;

interface Call {
  method: string;
  url: string;
  body: unknown;
  /** ms since the test's start when the request was sent / answered or aborted */
  at: number;
  end?: number;
}

type Reply = Response | 'hang' | 'network';

/**
 * A simulated SimpleAPI behind an injected fetch: every answer takes RTT ms (fake timers),
 * requests are counted, and the peak number of finds in flight is recorded.
 */
function simulate(onCreate: () => Reply, onFind: (call: Call, index: number) => Reply) {
  const t0 = Date.now();
  const calls: Call[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let finds = 0;
  const fetch = vi.fn((url: RequestInfo | URL, init?: RequestInit) => {
    const call: Call = { method: init?.method ?? 'GET', url: String(url), body: init?.body, at: Date.now() - t0 };
    calls.push(call);
    const isFind = call.method == 'GET';
    const reply = isFind ? onFind(call, finds++) : onCreate();
    if (isFind) maxInFlight = Math.max(maxInFlight, ++inFlight);
    return new Promise<Response>((resolve, reject) => {
      const end = () => {
        call.end = Date.now() - t0;
        if (isFind) inFlight--;
      };
      const timer =
        reply == 'hang'
          ? undefined
          : setTimeout(() => {
              end();
              if (reply == 'network') reject(new TypeError('Failed to fetch'));
              else resolve(reply);
            }, RTT);
      init?.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        end();
        reject(init.signal!.reason);
      });
    });
  });
  return {
    fetch,
    calls,
    posts: () => calls.filter((call) => call.method == 'POST'),
    finds: () => calls.filter((call) => call.method == 'GET'),
    get maxInFlight() {
      return maxInFlight;
    },
    get inFlight() {
      return inFlight;
    },
    now: () => Date.now() - t0,
  };
}

function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });
}

const accepted = () => json(ACK, 202);
/** The seed's find: `{patient_id: null}` until the record lands `landsAt` ms after the test's start. */
const landsAt = (at: number, id = 'p-1') => (call: Call) => json({ patient_id: call.at >= at ? id : null });

async function failure(promise: Promise<unknown>): Promise<CompanionError> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as CompanionError,
  );
}

/** Settles `promise` under fake timers, then checks that nothing stays behind. */
async function run<T>(promise: Promise<T>, api: ReturnType<typeof simulate>, budget = 30_000) {
  let outcome: { value?: T; error?: unknown } | undefined;
  promise.then(
    (value) => (outcome = { value }),
    (error: unknown) => (outcome = { error }),
  );
  // Step from timer to timer, so that the settling time is exact.
  await vi.advanceTimersByTimeAsync(0);
  const end = api.now() + budget;
  while (!outcome && vi.getTimerCount() && api.now() < end) await vi.advanceTimersToNextTimerAsync();
  expect(outcome, 'settled').toBeDefined();
  const settledAt = api.now();
  const sent = api.calls.length;
  expect(api.inFlight).toBe(0);
  expect(vi.getTimerCount()).toBe(0);
  await vi.advanceTimersByTimeAsync(20_000);
  expect(api.calls.length, 'requests after settling').toBe(sent);
  expect(api.maxInFlight, 'finds in flight at once').toBeLessThanOrEqual(1);
  return { ...outcome!, settledAt };
}

let hidden = false;
beforeEach(() => {
  vi.useFakeTimers();
  hidden = false;
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
});
afterEach(() => {
  delete (document as { hidden?: boolean }).hidden;
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function setHidden(value: boolean) {
  hidden = value;
  document.dispatchEvent(new Event('visibilitychange'));
}

function options(api: ReturnType<typeof simulate>, extra: Partial<CreateAndFindOptions<unknown>> = {}): CreateAndFindOptions<any> {
  return { create: '/plugin-io/api/p/app/create', body: { first_name: 'Ada' }, find: '/plugin-io/api/p/app/find', fetch: api.fetch, ...extra };
}

describe('createAndFind', () => {
  it('POSTs once, polls every 500 ms with the lookup params and resolves with the record', async () => {
    const api = simulate(accepted, landsAt(1200));
    const onAccepted = vi.fn(() => expect(api.finds()).toHaveLength(0));
    const result = await run(createAndFind(options(api, { onAccepted })), api);
    expect(result.value).toBe('p-1');
    expect(api.posts()).toHaveLength(1);
    expect(api.posts()[0]!.body).toBe('{"first_name":"Ada"}');
    expect(onAccepted).toHaveBeenCalledExactlyOnceWith(ACK);
    const finds = api.finds();
    // ack at RTT; finds start at ack + 500, + 1000, + 1500 (the first after the record landed)
    expect(finds.map((call) => call.at)).toEqual([RTT + 500, RTT + 1000, RTT + 1500]);
    const url = new URL(finds[0]!.url, 'http://x');
    expect(url.pathname).toBe('/plugin-io/api/p/app/find');
    expect(Object.fromEntries(url.searchParams)).toEqual({ first_name: 'Ada', last_name: 'Lovelace', after: STARTED_AT });
  });

  it('never resolves without a record: EFFECT_TIMEOUT after a last find at the deadline', async () => {
    const api = simulate(accepted, () => json({ patient_id: null }));
    const result = await run(createAndFind(options(api)), api);
    const error = result.error as CompanionError;
    expect(isCompanionError(error, 'EFFECT_TIMEOUT')).toBe(true);
    expect(error.cause).toBeUndefined();
    const starts = api.finds().map((call) => call.at);
    expect(starts).toHaveLength(10);
    expect(starts.at(-1)).toBe(RTT + 5000);
    expect(api.posts()).toHaveLength(1);
  });

  it.each([
    [401, 'UNAUTHORIZED'],
    [403, 'UNAUTHORIZED'],
    [404, 'NOT_FOUND'],
    [500, 'HTTP_ERROR'],
    [422, 'HTTP_ERROR'],
  ])('a create answered %i fails at once with %s and no find', async (status, code) => {
    const api = simulate(() => json({ error: 'nope' }, status), landsAt(0));
    const onAccepted = vi.fn();
    const result = await run(createAndFind(options(api, { onAccepted })), api);
    expect(isCompanionError(result.error, code as never)).toBe(true);
    expect((result.error as CompanionError).status).toBe(status);
    expect(api.posts()).toHaveLength(1);
    expect(api.finds()).toHaveLength(0);
    expect(onAccepted).not.toHaveBeenCalled();
  });

  it('a create that gets no answer is NETWORK_ERROR, never retried', async () => {
    const api = simulate(() => 'network', landsAt(0));
    const result = await run(createAndFind(options(api)), api);
    expect(isCompanionError(result.error, 'NETWORK_ERROR')).toBe(true);
    expect(api.calls).toHaveLength(1);
  });

  it('retries a find that answers 500 and resolves on the record', async () => {
    const api = simulate(accepted, (call, index) => (index < 2 ? new Response('', { status: 500 }) : json({ patient_id: 'p-9' })));
    const result = await run(createAndFind(options(api)), api);
    expect(result.value).toBe('p-9');
    expect(api.finds()).toHaveLength(3);
    expect(api.posts()).toHaveLength(1);
  });

  it('keeps the last transient failure as the cause of EFFECT_TIMEOUT', async () => {
    const api = simulate(accepted, (call, index) => (index % 2 ? 'network' : new Response('', { status: 503 })));
    const { error } = await run(createAndFind(options(api)), api);
    expect(isCompanionError(error, 'EFFECT_TIMEOUT')).toBe(true);
    const cause = (error as CompanionError).cause as CompanionError;
    expect(isCompanionError(cause)).toBe(true);
    expect(['NETWORK_ERROR', 'HTTP_ERROR']).toContain(cause.code);
    expect(api.finds().length).toBeGreaterThanOrEqual(9);
  });

  it('a find that times out is retried; finds never overlap', async () => {
    const api = simulate(accepted, (call, index) => (index == 0 ? 'hang' : json({ patient_id: 'p-2' })));
    const result = await run(createAndFind(options(api, { timeout: 3000 })), api);
    expect(result.value).toBe('p-2');
    const [first, second] = api.finds();
    expect(first!.end).toBe(RTT + 500 + 3000); // the find's own deadline is `timeout`
    // A find due at once waits for a 0 ms timer only (1 ms under fake timers).
    expect(second!.at - first!.end!).toBeLessThanOrEqual(1);
    expect(api.maxInFlight).toBe(1);
  });

  it('slow finds are spaced by their answers, never overlapping', async () => {
    const api = simulate(accepted, landsAt(1000));
    const result = await run(createAndFind(options(api, { interval: 5 })), api);
    expect(result.value).toBe('p-1');
    const finds = api.finds();
    for (let i = 1; i < finds.length; i++) expect(finds[i]!.at).toBeGreaterThanOrEqual(finds[i - 1]!.end!);
  });

  it.each([
    [401, 'UNAUTHORIZED'],
    [403, 'UNAUTHORIZED'],
    [404, 'NOT_FOUND'],
    [400, 'HTTP_ERROR'],
  ])('a find answered %i fails at once with %s', async (status, code) => {
    const api = simulate(accepted, () => json({ error: 'Provided credentials are invalid' }, status));
    const { error } = await run(createAndFind(options(api)), api);
    expect(isCompanionError(error, code as never)).toBe(true);
    expect(api.finds()).toHaveLength(1);
  });

  it('a find answer that is not JSON fails at once with INVALID_RESPONSE', async () => {
    const api = simulate(accepted, () => new Response('<html>', { status: 200 }));
    const { error } = await run(createAndFind(options(api)), api);
    expect(isCompanionError(error, 'INVALID_RESPONSE')).toBe(true);
    expect(api.finds()).toHaveLength(1);
  });

  it('an empty find answer (204) means "not yet" without calling select', async () => {
    const select = vi.fn((found: { id: string }) => found.id);
    const api = simulate(accepted, (call, index) => (index < 2 ? new Response(null, { status: 204 }) : json({ id: 'r-1' })));
    expect((await run(createAndFind(options(api, { select })), api)).value).toBe('r-1');
    expect(select).toHaveBeenCalledTimes(1);
  });

  it('the default select takes id when the answer has it, else the one key ending in _id; "" and null are "not yet"', async () => {
    const answers = [{ patient_id: null }, { patient_id: '' }, { name: 'x', note_dbid: 3 }, { id: null, name: 'y' }, { other: 1, task_id: 't-1' }];
    const api = simulate(accepted, (call, index) => json(answers[index] ?? { id: 'late' }));
    expect((await run(createAndFind(options(api)), api)).value).toBe('t-1');
    expect(api.finds()).toHaveLength(5);

    const byId = simulate(accepted, () => json({ patient_id: 'p', created_by_id: 'c', id: 'i' }));
    expect((await run(createAndFind(options(byId)), byId)).value).toBe('i');
  });

  it('never takes another *_id for the record: { patient_id: null, created_by_id } rejects with a TypeError naming the keys, at the first find, with one POST', async () => {
    const api = simulate(accepted, (call, index) => json(index === 0 ? { patient_id: null, created_by_id: 'staff-1' } : { patient_id: 'p-1', created_by_id: 'staff-1' }));
    const { error } = await run(createAndFind(options(api)), api);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/patient_id,created_by_id.*select/);
    expect(api.posts()).toHaveLength(1);
    expect(api.finds()).toHaveLength(1);
  });

  it('an id key set to null is "not yet", whatever other *_id keys say', async () => {
    const api = simulate(accepted, (call, index) => json(index < 2 ? { id: null, created_by_id: 'staff-1' } : { id: 'r-1', created_by_id: 'staff-1' }));
    expect((await run(createAndFind(options(api)), api)).value).toBe('r-1');
    expect(api.finds()).toHaveLength(3);
  });

  it('several *_id keys are fine with a select that picks the record', async () => {
    const api = simulate(accepted, () => json({ patient_id: 'p-2', created_by_id: 'staff-1' }));
    const select = (found: { patient_id: string | null }) => found.patient_id;
    expect((await run(createAndFind(options(api, { select })), api)).value).toBe('p-2');
  });

  it('a custom select: null and undefined mean "not yet", anything else is the record', async () => {
    const answers = [{ rows: [] }, { rows: [] }, { rows: [{ id: 0 }] }];
    const select = (found: { rows: { id: number }[] }) => found.rows[0]?.id;
    const api = simulate(accepted, (call, index) => json(answers[index]));
    expect((await run(createAndFind(options(api, { select })), api)).value).toBe(0);
    expect(api.finds()).toHaveLength(3);
  });

  it('a find function gets the create answer and returns the whole URL', async () => {
    const find = vi.fn((ack: typeof ACK) => `/plugin-io/api/p/app/patients/?last=${ack.lookup_params.last_name}`);
    const api = simulate(accepted, landsAt(700));
    expect((await run(createAndFind(options(api, { find })), api)).value).toBe('p-1');
    expect(find).toHaveBeenCalledWith(ACK);
    expect(api.finds().map((call) => call.url)).toEqual(Array(2).fill('/plugin-io/api/p/app/patients/?last=Lovelace'));
  });

  it('a string find with a query keeps it and appends the lookup params', async () => {
    const api = simulate(() => json({ lookup_params: { n: 1, skip: null } }, 202), () => json({ id: 'x' }));
    await run(createAndFind(options(api, { find: '/f?kind=a' })), api);
    expect(api.finds()[0]!.url).toBe('/f?kind=a&n=1');
  });

  it('a throwing find function or select rejects with its error, no retry', async () => {
    const oops = new Error('oops');
    const api = simulate(accepted, landsAt(0));
    const { error } = await run(
      createAndFind(options(api, { find: () => { throw oops; } })),
      api,
    );
    expect(error).toBe(oops);
    expect(api.finds()).toHaveLength(0);
    const api2 = simulate(accepted, landsAt(0));
    const { error: error2 } = await run(createAndFind(options(api2, { select: () => { throw oops; } })), api2);
    expect(error2).toBe(oops);
    expect(api2.finds()).toHaveLength(1);
  });

  it('a throwing onAccepted is reported and polling goes on', async () => {
    // Callback errors are rethrown in a microtask (reported like any uncaught error).
    const logged = vi.fn();
    vi.stubGlobal('queueMicrotask', (task: () => void) => {
      try {
        task();
      } catch (error) {
        logged(error);
      }
    });
    const oops = new Error('ui bug');
    const api = simulate(accepted, landsAt(600));
    const result = await run(createAndFind(options(api, { onAccepted: () => { throw oops; } })), api);
    expect(result.value).toBe('p-1');
    expect(logged).toHaveBeenCalledWith(oops);
  });

  it('honours interval and timeout; timeout 0 still runs one find', async () => {
    const api = simulate(accepted, () => json({}));
    const { error } = await run(createAndFind(options(api, { interval: 200, timeout: 1000 })), api);
    expect(isCompanionError(error, 'EFFECT_TIMEOUT')).toBe(true);
    expect(api.finds().map((call) => call.at - RTT)).toEqual([200, 400, 600, 800, 1000]);

    const once = simulate(accepted, () => json({}));
    const result = await run(createAndFind(options(once, { timeout: 0 })), once);
    expect(isCompanionError(result.error, 'EFFECT_TIMEOUT')).toBe(true);
    expect(once.finds()).toHaveLength(1);
  });

  it('throws RangeError at once for bad numbers, naming the option', () => {
    const api = simulate(accepted, landsAt(0));
    expect(() => createAndFind(options(api, { interval: -1 }))).toThrow(/interval/);
    expect(() => createAndFind(options(api, { timeout: NaN }))).toThrow(RangeError);
    expect(() => createAndFind(options(api, { timeout: 2 ** 31 }))).toThrow(/timeout/);
    expect(() => createAndFind(options(api, { interval: Infinity }))).toThrow(/interval/);
    expect(api.calls).toHaveLength(0);
  });

  it('throws TypeError at once for a body JSON cannot encode, a bad find, select or wake: nothing is sent', () => {
    const api = simulate(accepted, landsAt(0));
    expect(() => createAndFind(options(api, { body: () => 1 }))).toThrow(TypeError);
    expect(() => createAndFind(options(api, { find: 42 as never }))).toThrow(/find/);
    expect(() => createAndFind(options(api, { select: 'id' as never }))).toThrow(/select/);
    expect(() => createAndFind(options(api, { wake: {} as never }))).toThrow(/wake/);
    expect(api.calls).toHaveLength(0);
  });

  it('findCreated throws TypeError at once without a fetch, as createAndFind does: the finds would come later', () => {
    expect(() => findCreated(ACK, { find: '/f', fetch: 42 as never })).toThrow('no fetch: pass { fetch }');
    vi.stubGlobal('fetch', undefined);
    try {
      expect(() => findCreated(ACK, { find: '/f' })).toThrow('no fetch: pass { fetch }');
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it.each([['a string', 'stop'], ['an object', {}], ['an AbortController', new AbortController()], ['true', true]])(
    'a signal that is %s is a TypeError at once: nothing is sent',
    (_, signal) => {
      const api = simulate(accepted, landsAt(0));
      expect(() => createAndFind(options(api, { signal: signal as never }))).toThrow(TypeError);
      expect(() => createAndFind(options(api, { signal: signal as never }))).toThrow(/signal/);
      expect(() => findCreated(ACK, { find: '/f', fetch: api.fetch, signal: signal as never })).toThrow(/signal/);
      expect(api.calls).toHaveLength(0);
    },
  );

  it('an unknown option key warns once in development, naming the nearest known one', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const api = simulate(accepted, landsAt(0));
    await run(createAndFind(options(api, { intervall: 100, onAcepted: () => {} } as never)), api);
    await run(createAndFind(options(api, { intervall: 100 } as never)), api);
    await run(findCreated(ACK, { find: '/f', fetch: api.fetch, selcet: () => 1 } as never), api);
    expect(warn.mock.calls.map(([message]) => message)).toEqual([
      'canvas-companion: createAndFind(): unknown option "intervall" (did you mean "interval"?)',
      'canvas-companion: createAndFind(): unknown option "onAcepted" (did you mean "onAccepted"?)',
      'canvas-companion: findCreated(): unknown option "selcet" (did you mean "select"?)',
    ]);
  });

  describe('abort', () => {
    it('an aborted signal sends nothing and rejects with its reason', async () => {
      const api = simulate(accepted, landsAt(0));
      const reason = new Error('gone');
      const { error } = await run(createAndFind(options(api, { signal: AbortSignal.abort(reason) })), api);
      expect(error).toBe(reason);
      expect(api.calls).toHaveLength(0);
    });

    it('abort during the create rejects with the reason and never finds', async () => {
      const api = simulate(accepted, landsAt(0));
      const controller = new AbortController();
      const promise = createAndFind(options(api, { signal: controller.signal }));
      await vi.advanceTimersByTimeAsync(5);
      controller.abort('left');
      const { error } = await run(promise, api);
      expect(error).toBe('left');
      expect(api.posts()).toHaveLength(1);
      expect(api.finds()).toHaveLength(0);
    });

    it('abort between finds rejects at once and removes every listener', async () => {
      const api = simulate(accepted, () => json({ patient_id: null }));
      const controller = new AbortController();
      const addSignal = vi.spyOn(controller.signal, 'addEventListener');
      const removeSignal = vi.spyOn(controller.signal, 'removeEventListener');
      const addDoc = vi.spyOn(document, 'addEventListener');
      const removeDoc = vi.spyOn(document, 'removeEventListener');
      const promise = createAndFind(options(api, { signal: controller.signal }));
      await vi.advanceTimersByTimeAsync(RTT + 1200);
      expect(api.finds()).toHaveLength(2);
      controller.abort('stop');
      const { error, settledAt } = await run(promise, api);
      expect(error).toBe('stop');
      expect(settledAt).toBe(RTT + 1200);
      expect(api.finds()).toHaveLength(2);
      const visibility = addDoc.mock.calls.filter(([type]) => type == 'visibilitychange');
      expect(visibility).toHaveLength(1);
      expect(removeDoc).toHaveBeenCalledWith('visibilitychange', visibility[0]![1]);
      for (const [type, listener] of addSignal.mock.calls) expect(removeSignal).toHaveBeenCalledWith(type, listener);
    });

    it('abort during a find cancels it', async () => {
      const api = simulate(accepted, () => 'hang');
      const controller = new AbortController();
      const promise = createAndFind(options(api, { signal: controller.signal }));
      await vi.advanceTimersByTimeAsync(RTT + 600);
      expect(api.inFlight).toBe(1);
      controller.abort('stop');
      const { error } = await run(promise, api);
      expect(error).toBe('stop');
      expect(api.finds()[0]!.end).toBe(RTT + 600);
    });
  });

  describe('visibility', () => {
    it('sends no find while hidden; after the deadline passed, one last find confirms the record', async () => {
      const api = simulate(accepted, landsAt(4000));
      const promise = createAndFind(options(api));
      await vi.advanceTimersByTimeAsync(RTT + 700); // one find, at +500
      setHidden(true);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(api.finds()).toHaveLength(1);
      expect(vi.getTimerCount(), 'no timer runs while hidden').toBe(0);
      setHidden(false);
      const { value } = await run(promise, api);
      expect(value).toBe('p-1');
      expect(api.finds()).toHaveLength(2);
      expect(api.finds()[1]!.at).toBe(RTT + 700 + 60_000);
    });

    it('hidden past the deadline with no record: one last find, then EFFECT_TIMEOUT', async () => {
      const api = simulate(accepted, () => json({ patient_id: null }));
      const promise = createAndFind(options(api));
      await vi.advanceTimersByTimeAsync(RTT + 100);
      setHidden(true);
      // A frozen phone: the wall clock moves, timers do not run.
      vi.setSystemTime(Date.now() + 120_000);
      setHidden(false);
      const { error } = await run(promise, api);
      expect(isCompanionError(error, 'EFFECT_TIMEOUT')).toBe(true);
      expect(api.finds()).toHaveLength(1);
    });

    it('becoming visible during polling runs a find at once', async () => {
      const api = simulate(accepted, landsAt(RTT + 300));
      const promise = createAndFind(options(api, { interval: 2000 }));
      await vi.advanceTimersByTimeAsync(RTT + 200);
      setHidden(true);
      await vi.advanceTimersByTimeAsync(200);
      setHidden(false);
      const { value, settledAt } = await run(promise, api);
      expect(value).toBe('p-1');
      expect(api.finds().map((call) => call.at)).toEqual([RTT + 400]);
      expect(settledAt).toBeLessThan(RTT + 2000);
    });
  });

  describe('wake', () => {
    /** A stand-in Subscription whose listen() records its listeners. */
    function fakeSubscription() {
      const listeners = new Set<(message: Record<string, unknown>) => void>();
      const unregister = vi.fn();
      return {
        subscription: {
          close() {},
          status: 'open' as const,
          listen: (listener: (message: Record<string, unknown>) => void) => {
            listeners.add(listener);
            return () => {
              unregister();
              listeners.delete(listener);
            };
          },
        },
        message: () => listeners.forEach((listener) => listener({ landed: true })),
        listeners,
        unregister,
      };
    }

    it('a message runs a find at once: confirmed before the next poll', async () => {
      const api = simulate(accepted, landsAt(RTT + 700));
      const wake = fakeSubscription();
      const promise = createAndFind(options(api, { wake: wake.subscription, interval: 1000 }));
      expect(wake.listeners.size).toBe(1);
      await vi.advanceTimersByTimeAsync(RTT + 700); // first poll at +1000 has not run yet
      expect(api.finds()).toHaveLength(0);
      wake.message(); // the plugin broadcast: the record landed
      const { value, settledAt } = await run(promise, api);
      expect(value).toBe('p-1');
      expect(api.finds().map((call) => call.at)).toEqual([RTT + 700]);
      expect(settledAt).toBe(RTT + 700 + RTT);
      expect(wake.unregister).toHaveBeenCalledTimes(1);
      expect(wake.listeners.size).toBe(0);
    });

    it('a message during a find runs one more right after it, never overlapping', async () => {
      const api = simulate(accepted, (call, index) => json({ patient_id: index >= 1 ? 'p-3' : null }));
      const wake = fakeSubscription();
      const promise = createAndFind(options(api, { wake: wake.subscription, interval: 1000 }));
      await vi.advanceTimersByTimeAsync(RTT + 1000 + RTT / 2); // first find in flight
      expect(api.inFlight).toBe(1);
      wake.message();
      wake.message();
      const { value } = await run(promise, api);
      expect(value).toBe('p-3');
      const [first, second] = api.finds();
      expect(second!.at - first!.end!).toBeLessThanOrEqual(1);
      expect(api.finds()).toHaveLength(2);
    });

    it('a message during the last find (at the deadline) does not move the deadline: EFFECT_TIMEOUT after it', async () => {
      const api = simulate(accepted, landsAt(RTT + 1000 + RTT / 2));
      const wake = fakeSubscription();
      const promise = createAndFind(options(api, { wake: wake.subscription, interval: 1000, timeout: 1000 }));
      await vi.advanceTimersByTimeAsync(RTT + 1000 + RTT / 2); // the one find, started at the deadline, in flight
      expect(api.finds()).toHaveLength(1);
      wake.message();
      const { error } = await run(promise, api);
      expect(isCompanionError(error, 'EFFECT_TIMEOUT')).toBe(true);
      expect(api.finds()).toHaveLength(1);
    });

    it('broadcasts faster than a find cannot hold off the deadline: at most one find starts after it', async () => {
      const FIND_RTT = 60;
      const finds: number[] = [];
      const t0 = Date.now();
      const fetch = vi.fn((url: RequestInfo | URL, init?: RequestInit) => {
        if (init?.method === 'POST') return Promise.resolve(json(ACK, 202));
        finds.push(Date.now() - t0);
        return new Promise<Response>((resolve) => setTimeout(() => resolve(json({ patient_id: null })), FIND_RTT));
      });
      const wake = fakeSubscription();
      const promise = createAndFind({ create: '/c', find: '/f', wake: wake.subscription, timeout: 1000, fetch });
      const outcome = promise.then(
        () => 'resolved',
        (error: unknown) => (isCompanionError(error, 'EFFECT_TIMEOUT') ? `EFFECT_TIMEOUT at ${Date.now() - t0}` : String(error)),
      );
      // A broadcast every 20 ms for 10 s, as the hostile page did; bounded, and stopped once settled.
      let settled = false;
      void outcome.then(() => (settled = true));
      for (let elapsed = 0; elapsed < 10_000 && !settled; elapsed += 20) {
        wake.message();
        await vi.advanceTimersByTimeAsync(20);
      }
      expect(await outcome).toMatch(/^EFFECT_TIMEOUT at \d+$/);
      expect(finds.filter((at) => at >= 1000)).toHaveLength(1);
      expect(wake.listeners.size).toBe(0);
    });

    it('EFFECT_TIMEOUT carries the create answer as ack', async () => {
      const api = simulate(accepted, () => json({ patient_id: null }));
      const { error } = await run(createAndFind(options(api, { timeout: 1000 })), api);
      expect(isCompanionError(error, 'EFFECT_TIMEOUT')).toBe(true);
      expect((error as CompanionError).ack).toEqual(ACK);
    });

    it('a message during the create runs the first find right after the answer', async () => {
      const api = simulate(accepted, landsAt(0));
      const wake = fakeSubscription();
      const promise = createAndFind(options(api, { wake: wake.subscription }));
      wake.message();
      const { value } = await run(promise, api);
      expect(value).toBe('p-1');
      expect(api.finds()[0]!.at - RTT).toBeLessThanOrEqual(1);
    });

    it('unregisters on failure and on abort; a later message sends nothing', async () => {
      const api = simulate(accepted, () => json({}, 401));
      const wake = fakeSubscription();
      await run(createAndFind(options(api, { wake: wake.subscription })), api);
      expect(wake.unregister).toHaveBeenCalledTimes(1);

      const api2 = simulate(accepted, () => json({}));
      const wake2 = fakeSubscription();
      const controller = new AbortController();
      const promise = createAndFind(options(api2, { wake: wake2.subscription, signal: controller.signal }));
      await vi.advanceTimersByTimeAsync(700);
      controller.abort();
      await run(promise, api2);
      expect(wake2.unregister).toHaveBeenCalledTimes(1);
      const sent = api2.calls.length;
      wake2.message();
      await vi.advanceTimersByTimeAsync(1000);
      expect(api2.calls).toHaveLength(sent);
    });
  });
});

describe('findCreated: the polling half alone', () => {
  it('never POSTs; finds with the ack\'s lookup params and resolves with the record', async () => {
    const api = simulate(accepted, landsAt(1200));
    const result = await run(findCreated(ACK, { find: '/plugin-io/api/p/app/find', fetch: api.fetch }), api);
    expect(result.value).toBe('p-1');
    expect(api.posts()).toHaveLength(0);
    const url = new URL(api.finds()[0]!.url, 'http://x');
    expect(Object.fromEntries(url.searchParams)).toEqual({ first_name: 'Ada', last_name: 'Lovelace', after: STARTED_AT });
  });

  it('"Check again" after EFFECT_TIMEOUT finds the record with error.ack, and the create was POSTed once', async () => {
    // The effect takes longer than the page waited (7 s against 5 s, as on a busy instance).
    const api = simulate(accepted, landsAt(7000));
    const first = await run(createAndFind(options(api)), api);
    expect(isCompanionError(first.error, 'EFFECT_TIMEOUT')).toBe(true);
    const ack = (first.error as CompanionError).ack;
    expect(ack).toEqual(ACK);
    await vi.advanceTimersByTimeAsync(2000); // the clinician reads the message, then taps "Check again"
    const again = await run(findCreated(ack, { find: '/plugin-io/api/p/app/find', fetch: api.fetch }), api);
    expect(again.value).toBe('p-1');
    expect(api.posts()).toHaveLength(1);
  });

  it('a find function gets the ack; EFFECT_TIMEOUT from findCreated carries it too', async () => {
    const api = simulate(accepted, () => json({ patient_id: null }));
    const find = vi.fn((ack: typeof ACK) => `/find/${ack.lookup_params.last_name}`);
    const result = await run(findCreated(ACK, { find, timeout: 1000, fetch: api.fetch }), api);
    expect(isCompanionError(result.error, 'EFFECT_TIMEOUT')).toBe(true);
    expect((result.error as CompanionError).ack).toBe(ACK);
    expect(find).toHaveBeenCalledWith(ACK);
    expect(api.finds().every((call) => call.url === '/find/Lovelace')).toBe(true);
  });

  it('throws at once for bad options', () => {
    expect(() => findCreated(ACK, {} as never)).toThrow(/find/);
    expect(() => findCreated(ACK, { find: '/f', timeout: -1 })).toThrow(RangeError);
  });
});
