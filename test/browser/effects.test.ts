/**
 * createAndFind in real Chromium against a mock SimpleAPI on 127.0.0.1.
 *
 * Nothing here depends on how fast the machine is. The record lands on a given find (a server
 * counter), not at a time. The page logs each request's start and answer with its own `Date.now()`
 * (the clock the library reads) and counts the timers the library leaves; the server logs each
 * find's arrival and answer with its own clock. Every assertion compares times from one of the two.
 */
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { haveChromium, launchChromium, startServer, UMD_TAG, type TestServer } from '../support/browser.js';

const BASE = '/plugin-io/api/demo_plugin/app';
const STARTED_AT = '2026-01-01T00:00:00+00:00';

/**
 * How long each test watches the server for a request after the promise settled. The page already
 * reports timers and requests the library left at that moment (checked first); this window is the
 * network-side check. It is longer than any `interval` in this file (500 ms at most), so a find
 * the library failed to cancel would reach the server within it; on a slow machine a shorter wait
 * could only miss a defect, never fail a correct library.
 */
const QUIET_MS = 600;

/** Condition waits on a loaded machine: generous, since they end as soon as the condition holds. */
const WAIT = { timeout: 10_000, interval: 20 };

/** What the mock SimpleAPI does; reset before each test. */
interface Scenario {
  /** Status of the create answer (202 carries the lookup params). */
  createStatus: number;
  /** The find (1-based, counted on arrival) from which the record is there; Infinity: never. */
  landsOnFind: number;
  /** Statuses to answer the first finds with, in order, before normal answers. */
  findStatuses: number[];
  /** How long the server takes to answer a find, in ms (a slow backend, not a wait of the test). */
  findDelay: number;
}

/** A request as the server saw it; times are the server's `performance.now()`. */
interface Logged {
  method: string;
  path: string;
  query: Record<string, string>;
  arrivedAt: number;
  answeredAt?: number;
  /** For a find: whether its answer carried the record. */
  landed?: boolean;
}

/** A request as the page sent it; times are the page's `Date.now()`. */
interface PageRequest {
  url: string;
  method: string;
  startedAt: number;
  answeredAt: number | null;
}

/** The outcome of createAndFind in the page, in plain data; times are the page's `Date.now()`. */
interface Outcome {
  value?: unknown;
  error?: { name: string; code?: string; status?: number; message: string; cause?: string };
  acceptedAt: number | null;
  settledAt: number;
  accepted: number;
  /** Timers the library had set and neither run nor cleared when the promise settled. */
  timersLeft: number;
  /** The page's requests, the create POST first. */
  requests: PageRequest[];
}

const PAGE = `<!doctype html><meta charset="utf-8">
<script>
  // Instrumentation, installed before the library loads: every request with its start and answer
  // times, and the timers set but neither run nor cleared. Date.now() is the library's own clock.
  window.requests = [];
  const realFetch = window.fetch.bind(window);
  window.fetch = (input, init = {}) => {
    const entry = { url: String(input), method: init.method || 'GET', startedAt: Date.now(), answeredAt: null };
    requests.push(entry);
    return realFetch(input, init).finally(() => { entry.answeredAt = Date.now(); });
  };
  window.liveTimers = new Set();
  const realSetTimeout = window.setTimeout.bind(window);
  const realClearTimeout = window.clearTimeout.bind(window);
  window.setTimeout = (callback, delay, ...args) => {
    const id = realSetTimeout(() => { liveTimers.delete(id); callback(...args); }, delay);
    liveTimers.add(id);
    return id;
  };
  window.clearTimeout = (id) => { liveTimers.delete(id); realClearTimeout(id); };
</script>
${UMD_TAG}
<script>
  const lib = CanvasCompanion;
  // Visibility emulation: headless pages are always visible, so tests flip these by hand.
  let hidden = false;
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
  window.setHidden = (value) => { hidden = value; document.dispatchEvent(new Event('visibilitychange')); };
  window.findsSent = () => requests.filter((entry) => entry.method === 'GET').length;
  window.inFlight = () => requests.filter((entry) => entry.answeredAt === null).length;
  window.start = (options = {}) => {
    window.controller = new AbortController();
    window.requests = [];
    let accepted = 0;
    window.acceptedAt = null;
    const { custom, ...rest } = options;
    const extra = custom ? {
      // A custom route and a custom answer shape: the record is rows[0].key.
      find: (ack) => '${BASE}/lookup/' + encodeURIComponent(ack.ticket) + '/',
      select: (found) => found.rows.length ? found.rows[0].key : null,
    } : {};
    const settled = (result) => ({ ...result, acceptedAt: window.acceptedAt, settledAt: Date.now(), accepted, timersLeft: liveTimers.size, requests: requests.map((entry) => ({ ...entry })) });
    window.outcome = lib.createAndFind({
      create: lib.apiUrl('/app/create'),
      find: lib.apiUrl('/app/find'),
      body: { first_name: 'Ada', last_name: 'Lovelace' },
      signal: controller.signal,
      onAccepted: () => { accepted++; window.acceptedAt = Date.now(); },
      ...extra,
      ...rest,
    }).then(
      (value) => settled({ value }),
      (e) => settled({ error: { name: e.name, code: e.code, status: e.status, message: String(e.message), cause: e.cause && e.cause.code } }),
    );
  };
</script>`;

describe.runIf(haveChromium())('createAndFind in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let scenario: Scenario;
  let log: Logged[];
  let findCount: number;
  let inFlight: number;
  let maxInFlight: number;

  const posts = () => log.filter((entry) => entry.method === 'POST');
  const finds = () => log.filter((entry) => entry.method === 'GET');

  const json = (response: ServerResponse, entry: Logged, status: number, body?: unknown) => {
    response.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
    response.end(body === undefined ? '' : JSON.stringify(body));
    entry.answeredAt = performance.now();
    return true;
  };

  beforeAll(async () => {
    server = await startServer({ [`${BASE}/`]: PAGE }, async (request, response, url) => {
      if (!url.pathname.startsWith(`${BASE}/`) || url.pathname === `${BASE}/`) return false;
      const entry: Logged = { method: request.method!, path: url.pathname, query: Object.fromEntries(url.searchParams), arrivedAt: performance.now() };
      log.push(entry);
      if (request.method === 'POST' && url.pathname === `${BASE}/create`) {
        for await (const _ of request); // read the body
        if (scenario.createStatus !== 202) return json(response, entry, scenario.createStatus, scenario.createStatus < 404 ? { error: 'Provided credentials are invalid' } : undefined);
        return json(response, entry, 202, { status: 'submitted', ticket: 't 1', lookup_params: { first_name: 'Ada', last_name: 'Lovelace' }, lookup_started_at: STARTED_AT });
      }
      if (request.method !== 'GET') return false;
      // Decided on arrival, from the count alone: the find that arrives as number N sees the record.
      const landed = ++findCount >= scenario.landsOnFind;
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await sleep(scenario.findDelay);
      inFlight--;
      const status = scenario.findStatuses.shift();
      if (status) return json(response, entry, status, status === 401 ? { error: 'Provided credentials are invalid' } : undefined);
      entry.landed = landed;
      if (url.pathname === `${BASE}/find`) return json(response, entry, 200, { patient_id: landed ? 'patient-1' : null });
      if (url.pathname === `${BASE}/lookup/t%201/`) return json(response, entry, 200, { rows: landed ? [{ key: 'row-7' }] : [] });
      return json(response, entry, 404);
    });
    browser = await launchChromium();
    // One page for the suite: every test checks that nothing outlives its promise.
    page = await browser.newPage();
    await page.goto(`${server.origin}${BASE}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  beforeEach(() => {
    scenario = { createStatus: 202, landsOnFind: Infinity, findStatuses: [], findDelay: 30 };
    log = [];
    findCount = 0;
    inFlight = 0;
    maxInFlight = 0;
  });

  /** Starts createAndFind in the page with the given (serializable) options. */
  const start = (options: Record<string, unknown> = {}) => page.evaluate((o) => (window as any).start(o), options);
  const outcome = () => page.evaluate(() => (window as any).outcome as Promise<Outcome>);
  const pageFinds = (result: Outcome) => result.requests.filter((request) => request.method === 'GET');

  /**
   * The checks every test makes: one POST; at most one find in flight at the server; when the
   * promise settled, no timer of the library left and no request in flight; and no request
   * reaches the server afterwards.
   */
  async function settle(): Promise<Outcome> {
    const result = await outcome();
    expect(result.timersLeft, 'timers left when the promise settled').toBe(0);
    expect(result.requests.filter((request) => request.answeredAt === null), 'requests in flight when the promise settled').toEqual([]);
    const count = log.length;
    await sleep(QUIET_MS);
    expect(log.length, 'requests after settling').toBe(count);
    expect(await page.evaluate(() => (window as any).requests.length), 'requests the page sent after settling').toBe(result.requests.length);
    expect(posts()).toHaveLength(1);
    expect(maxInFlight, 'finds in flight at once').toBeLessThanOrEqual(1);
    return result;
  }

  /** Time from the create answer (the page's clock) at which the deadline falls, at the latest and at the earliest. */
  function deadline(result: Outcome, timeout: number) {
    const create = result.requests[0]!;
    // The library reads the clock once the answer is read (after `answeredAt`) and before
    // onAccepted (before `acceptedAt`): the deadline lies in between, plus `timeout`.
    return { earliest: create.answeredAt! + timeout, latest: result.acceptedAt! + timeout };
  }

  it('the record lands between the 2nd and 3rd finds: the 3rd resolves with it, finds start 500 ms apart (defaults)', async () => {
    scenario.landsOnFind = 3;
    await start();
    const result = await settle();
    expect(result.value).toBe('patient-1');
    expect(result.accepted).toBe(1);
    expect(finds().map((find) => find.landed)).toEqual([false, false, true]);
    expect(finds()[0]!.query).toEqual({ first_name: 'Ada', last_name: 'Lovelace', after: STARTED_AT });
    // Interval 500 between starts, the first 500 ms after the 202 (the library rounds to whole ms).
    const starts = [result.acceptedAt!, ...pageFinds(result).map((find) => find.startedAt)];
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!, `find ${i}`).toBeGreaterThanOrEqual(500 - 1);
  });

  it('the record never lands: EFFECT_TIMEOUT, one find at the deadline and none after it', async () => {
    const timeout = 1500;
    const interval = 200;
    await start({ interval, timeout });
    const result = await settle();
    expect(result.value).toBeUndefined();
    expect(result.error).toMatchObject({ name: 'CompanionError', code: 'EFFECT_TIMEOUT' });
    const { earliest, latest } = deadline(result, timeout);
    const starts = pageFinds(result).map((find) => find.startedAt);
    expect(starts.at(-1), 'the last find starts at the deadline or later').toBeGreaterThanOrEqual(earliest);
    expect(starts.filter((at) => at > latest).length, 'finds started after the deadline').toBeLessThanOrEqual(1);
    expect(result.settledAt).toBeGreaterThanOrEqual(earliest);
    // Finds start at least `interval` apart before the deadline, plus the one at it.
    expect(starts.length).toBeLessThanOrEqual(timeout / interval + 1);
    expect(finds().every((find) => find.landed === false)).toBe(true);
  });

  for (const [status, code] of [
    [401, 'UNAUTHORIZED'],
    [403, 'UNAUTHORIZED'],
    [404, 'NOT_FOUND'],
    [500, 'HTTP_ERROR'],
  ] as const) {
    it(`the create answers ${status}: ${code} at once, zero finds`, async () => {
      scenario.createStatus = status;
      await start({ interval: 100 });
      const result = await settle();
      expect(result.error).toMatchObject({ code, status });
      if (status === 401) expect(result.error!.message).toBe('Provided credentials are invalid');
      expect(result.accepted).toBe(0);
      expect(finds()).toHaveLength(0);
    });
  }

  it('a find answers 500 twice, then the record: retried, resolved', async () => {
    scenario.landsOnFind = 1;
    scenario.findStatuses = [500, 500];
    await start({ interval: 150 });
    const result = await settle();
    expect(result.value).toBe('patient-1');
    expect(finds()).toHaveLength(3);
  });

  it('a find answers 401: UNAUTHORIZED at once, no retry', async () => {
    scenario.landsOnFind = 1;
    scenario.findStatuses = [401];
    await start({ interval: 100 });
    const result = await settle();
    expect(result.error).toMatchObject({ code: 'UNAUTHORIZED', status: 401, message: 'Provided credentials are invalid' });
    expect(finds()).toHaveLength(1);
  });

  it('slow finds never overlap: each starts after the previous one was answered', async () => {
    // Each find takes 6 intervals to answer: several more would be due while one is in flight.
    scenario.landsOnFind = 4;
    scenario.findDelay = 300;
    await start({ interval: 50 });
    const result = await settle();
    expect(result.value).toBe('patient-1');
    expect(finds()).toHaveLength(4);
    expect(maxInFlight).toBe(1);
    const atServer = finds();
    for (let i = 1; i < atServer.length; i++) expect(atServer[i]!.arrivedAt, `find ${i + 1} arrives after find ${i} was answered`).toBeGreaterThanOrEqual(atServer[i - 1]!.answeredAt!);
    const inPage = pageFinds(result);
    for (let i = 1; i < inPage.length; i++) expect(inPage[i]!.startedAt, `find ${i + 1} starts after find ${i} was answered`).toBeGreaterThanOrEqual(inPage[i - 1]!.answeredAt!);
  });

  it('abort mid-poll: rejects with the reason, nothing more is sent', async () => {
    await start({ interval: 100 });
    await expect.poll(() => finds().length, WAIT).toBeGreaterThanOrEqual(2);
    await page.evaluate(() => (window as any).controller.abort(new Error('left the form')));
    const result = await settle();
    expect(result.error).toMatchObject({ name: 'Error', message: 'left the form' });
  });

  it('a custom find function and a custom select', async () => {
    scenario.landsOnFind = 2;
    await start({ custom: true, interval: 100 });
    const result = await settle();
    expect(result.value).toBe('row-7');
    expect(finds()).toHaveLength(2);
    expect(finds().every((entry) => entry.path === `${BASE}/lookup/t%201/` && Object.keys(entry.query).length === 0)).toBe(true);
  });

  /**
   * Starts a poll (interval 100, timeout 600), hides the page once a find went out, waits until no
   * find is in flight and until the page's clock is past the deadline, and checks that nothing was
   * sent while hidden. `landWhileHidden` makes the record exist from the next find on.
   * @returns how many finds the page had sent when it became visible again.
   */
  async function hiddenPastTheDeadline(landWhileHidden: boolean): Promise<number> {
    const timeout = 600;
    await start({ interval: 100, timeout });
    await expect.poll(() => finds().length, WAIT).toBeGreaterThanOrEqual(1);
    await page.evaluate(() => (window as any).setHidden(true));
    // A find already in flight when the page hid may still be answered; none may start.
    await expect.poll(() => page.evaluate(() => (window as any).inFlight()), WAIT).toBe(0);
    const sent = await page.evaluate(() => (window as any).findsSent() as number);
    await expect.poll(() => finds().length, WAIT).toBe(sent);
    if (landWhileHidden) scenario.landsOnFind = findCount + 1;
    // Hidden until the page's own clock is past the deadline (the latest it can be).
    await expect.poll(() => page.evaluate((ms) => Date.now() > (window as any).acceptedAt + ms, timeout), WAIT).toBe(true);
    expect(await page.evaluate(() => (window as any).findsSent()), 'finds sent while hidden').toBe(sent);
    expect(finds(), 'finds that reached the server while hidden').toHaveLength(sent);
    await page.evaluate(() => (window as any).setHidden(false));
    return sent;
  }

  it('hidden past the deadline: no find while hidden, one last find on return confirms the record', async () => {
    const sent = await hiddenPastTheDeadline(true);
    const result = await settle();
    expect(result.value).toBe('patient-1');
    expect(finds()).toHaveLength(sent + 1);
    expect(finds().at(-1)!.landed).toBe(true);
  });

  it('hidden past the deadline and no record: one last find, then EFFECT_TIMEOUT', async () => {
    const sent = await hiddenPastTheDeadline(false);
    const result = await settle();
    expect(result.error).toMatchObject({ code: 'EFFECT_TIMEOUT' });
    expect(finds()).toHaveLength(sent + 1);
  });
});
