/**
 * createAndFind in real Chromium against a mock SimpleAPI on 127.0.0.1 that counts requests:
 * the create POST, the finds in flight at once, and anything sent after the promise settled.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { haveChromium, launchChromium, startServer, UMD_TAG, type TestServer } from './support.js';

const BASE = '/plugin-io/api/demo_plugin/app';
const STARTED_AT = '2026-01-01T00:00:00+00:00';

/** What the mock SimpleAPI does; reset before each test. */
interface Scenario {
  /** Status of the create answer (202 carries the lookup params). */
  createStatus: number;
  /** ms after the create answer at which the record exists (Infinity: never). */
  landsAfter: number;
  /** Statuses to answer the first finds with, in order, before normal answers. */
  findStatuses: number[];
  /** Time a find takes to answer, in ms. */
  findDelay: number;
}

interface Logged {
  method: string;
  path: string;
  query: Record<string, string>;
  at: number;
}

/** The outcome of createAndFind in the page, in plain data. */
interface Outcome {
  value?: unknown;
  error?: { name: string; code?: string; status?: number; message: string; cause?: string };
  /** Date.now() in the page when the promise settled (same machine, same clock). */
  settledAt: number;
  accepted: number;
}

const PAGE = `<!doctype html><meta charset="utf-8">${UMD_TAG}
<script>
  const lib = CanvasCompanion;
  // Visibility emulation: headless pages are always visible, so tests flip these by hand.
  let hidden = false;
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
  window.setHidden = (value) => { hidden = value; document.dispatchEvent(new Event('visibilitychange')); };
  window.start = (options = {}) => {
    window.controller = new AbortController();
    window.accepted = 0;
    const { custom, ...rest } = options;
    const extra = custom ? {
      // A custom route and a custom answer shape: the record is rows[0].key.
      find: (ack) => '${BASE}/lookup/' + encodeURIComponent(ack.ticket) + '/',
      select: (found) => found.rows.length ? found.rows[0].key : null,
    } : {};
    window.outcome = lib.createAndFind({
      create: lib.apiUrl('/app/create'),
      find: lib.apiUrl('/app/find'),
      body: { first_name: 'Ada', last_name: 'Lovelace' },
      signal: controller.signal,
      onAccepted: () => window.accepted++,
      ...extra,
      ...rest,
    }).then(
      (value) => ({ value, settledAt: Date.now(), accepted }),
      (e) => ({ error: { name: e.name, code: e.code, status: e.status, message: String(e.message), cause: e.cause && e.cause.code }, settledAt: Date.now(), accepted }),
    );
  };
</script>`;

describe.runIf(haveChromium())('createAndFind in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let scenario: Scenario;
  let log: Logged[];
  let createdAt: number;
  let inFlight: number;
  let maxInFlight: number;

  const posts = () => log.filter((entry) => entry.method == 'POST');
  const finds = () => log.filter((entry) => entry.method == 'GET' && entry.path.startsWith(`${BASE}/`) && entry.path != `${BASE}/`);

  const json = (response: import('node:http').ServerResponse, status: number, body?: unknown) => {
    response.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
    response.end(body === undefined ? '' : JSON.stringify(body));
  };

  beforeAll(async () => {
    server = await startServer({ [`${BASE}/`]: PAGE }, async (request, response, url) => {
      if (!url.pathname.startsWith(`${BASE}/`) || url.pathname == `${BASE}/`) return false;
      const entry: Logged = { method: request.method!, path: url.pathname, query: Object.fromEntries(url.searchParams), at: Date.now() };
      log.push(entry);
      if (request.method == 'POST' && url.pathname == `${BASE}/create`) {
        for await (const _ of request); // read the body
        if (scenario.createStatus != 202) return json(response, scenario.createStatus, scenario.createStatus < 404 ? { error: 'Provided credentials are invalid' } : undefined), true;
        createdAt = Date.now();
        json(response, 202, { status: 'submitted', ticket: 't 1', lookup_params: { first_name: 'Ada', last_name: 'Lovelace' }, lookup_started_at: STARTED_AT });
        return true;
      }
      if (request.method != 'GET') return false;
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await sleep(scenario.findDelay);
      inFlight--;
      const status = scenario.findStatuses.shift();
      if (status) return json(response, status, status == 401 ? { error: 'Provided credentials are invalid' } : undefined), true;
      const landed = Date.now() >= createdAt + scenario.landsAfter;
      if (url.pathname == `${BASE}/find`) json(response, 200, { patient_id: landed ? 'patient-1' : null });
      else if (url.pathname == `${BASE}/lookup/t%201/`) json(response, 200, { rows: landed ? [{ key: 'row-7' }] : [] });
      else json(response, 404);
      return true;
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
    scenario = { createStatus: 202, landsAfter: Infinity, findStatuses: [], findDelay: 30 };
    log = [];
    createdAt = Infinity;
    inFlight = 0;
    maxInFlight = 0;
  });

  /** Starts createAndFind in the page with the given (serializable) options. */
  const start = (options: Record<string, unknown> = {}) => page.evaluate((o) => (window as any).start(o), options);
  const outcome = () => page.evaluate(() => (window as any).outcome as Promise<Outcome>);

  /**
   * The checks every test makes: one POST, at most one find in flight, and nothing sent after
   * the promise settled (waiting `quiet` ms more to be sure).
   */
  async function settle(quiet = 500): Promise<Outcome> {
    const result = await outcome();
    const count = log.length;
    await sleep(quiet);
    expect(posts()).toHaveLength(1);
    expect(maxInFlight, 'finds in flight at once').toBeLessThanOrEqual(1);
    expect(log.length, 'requests after settling').toBe(count);
    expect(log.filter((entry) => entry.at > result.settledAt), 'requests after settling').toEqual([]);
    return result;
  }

  it('the record lands at +1.2 s: resolves with it after a few finds (defaults)', async () => {
    scenario.landsAfter = 1200;
    await start();
    const result = await settle(700);
    expect(result.value).toBe('patient-1');
    expect(result.accepted).toBe(1);
    expect(finds().length).toBeGreaterThanOrEqual(2);
    expect(finds().length).toBeLessThanOrEqual(4);
    expect(finds()[0]!.query).toEqual({ first_name: 'Ada', last_name: 'Lovelace', after: STARTED_AT });
    // The record was confirmed by a find that started after it landed.
    expect(finds().at(-1)!.at).toBeGreaterThanOrEqual(createdAt + 1200);
  });

  it('the record never lands: EFFECT_TIMEOUT after the deadline, never a success', async () => {
    await start({ interval: 200, timeout: 1500 });
    const result = await settle();
    expect(result.value).toBeUndefined();
    expect(result.error).toMatchObject({ name: 'CompanionError', code: 'EFFECT_TIMEOUT' });
    expect(result.settledAt - createdAt).toBeGreaterThanOrEqual(1500);
    expect(finds().length).toBeGreaterThanOrEqual(5);
    expect(finds().length).toBeLessThanOrEqual(9);
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
      const result = await settle(300);
      expect(result.error).toMatchObject({ code, status });
      if (status == 401) expect(result.error!.message).toBe('Provided credentials are invalid');
      expect(result.accepted).toBe(0);
      expect(finds()).toHaveLength(0);
    });
  }

  it('a find answers 500 twice, then the record: retried, resolved', async () => {
    scenario.landsAfter = 0;
    scenario.findStatuses = [500, 500];
    await start({ interval: 150 });
    const result = await settle();
    expect(result.value).toBe('patient-1');
    expect(finds()).toHaveLength(3);
  });

  it('a find answers 401: UNAUTHORIZED at once, no retry', async () => {
    scenario.landsAfter = 0;
    scenario.findStatuses = [401];
    await start({ interval: 100 });
    const result = await settle();
    expect(result.error).toMatchObject({ code: 'UNAUTHORIZED', status: 401, message: 'Provided credentials are invalid' });
    expect(finds()).toHaveLength(1);
  });

  it('slow finds never overlap', async () => {
    scenario.landsAfter = 900;
    scenario.findDelay = 250;
    await start({ interval: 50 });
    const result = await settle();
    expect(result.value).toBe('patient-1');
    expect(finds().length).toBeGreaterThanOrEqual(3);
    expect(maxInFlight).toBe(1);
  });

  it('abort mid-poll: rejects with the reason, nothing more is sent', async () => {
    await start({ interval: 100 });
    await expect.poll(() => finds().length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    await page.evaluate(() => (window as any).controller.abort(new Error('left the form')));
    const result = await settle();
    expect(result.error).toMatchObject({ name: 'Error', message: 'left the form' });
  });

  it('a custom find function and a custom select', async () => {
    scenario.landsAfter = 300;
    await start({ custom: true, interval: 100 });
    const result = await settle();
    expect(result.value).toBe('row-7');
    expect(finds().every((entry) => entry.path == `${BASE}/lookup/t%201/` && Object.keys(entry.query).length == 0)).toBe(true);
  });

  it('hidden past the deadline: no find while hidden, one last find on return confirms the record', async () => {
    scenario.landsAfter = 1000;
    await start({ interval: 100, timeout: 600 });
    await expect.poll(() => finds().length, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
    await page.evaluate(() => (window as any).setHidden(true));
    await sleep(150); // a find in flight when the page hid may still answer
    const before = finds().length;
    await sleep(1200); // past the deadline, and the record lands meanwhile
    expect(finds()).toHaveLength(before);
    await page.evaluate(() => (window as any).setHidden(false));
    const result = await settle();
    expect(result.value).toBe('patient-1');
    expect(finds()).toHaveLength(before + 1);
  });

  it('hidden past the deadline and no record: one last find, then EFFECT_TIMEOUT', async () => {
    await start({ interval: 100, timeout: 600 });
    await expect.poll(() => finds().length, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
    await page.evaluate(() => (window as any).setHidden(true));
    await sleep(150);
    const before = finds().length;
    await sleep(1000);
    expect(finds()).toHaveLength(before);
    await page.evaluate(() => (window as any).setHidden(false));
    const result = await settle();
    expect(result.error).toMatchObject({ code: 'EFFECT_TIMEOUT' });
    expect(finds()).toHaveLength(before + 1);
  });
});
