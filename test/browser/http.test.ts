/**
 * Plugin HTTP in real Chromium, where only a real fetch follows redirects (and tells where it
 * ended) and only a real browser meets a body too large to read as text.
 */
import type { ServerResponse } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { haveChromium, launchChromium, startServer, UMD_TAG, type TestServer } from '../support/browser.js';

/** Condition waits on a loaded machine: generous, since they end as soon as the condition holds. */
const WAIT = { timeout: 10_000 };
const API = '/plugin-io/api/p';
/** Past what Chromium reads as text (about 512 MiB): it then reads the body as "". */
const TOO_LARGE = 513 * 1024 * 1024;

const PAGE = `<!doctype html><meta charset="utf-8">${UMD_TAG}<script>window.lib = CanvasCompanion;</script><body>plugin</body>`;

/** Starts an answer and never ends it: a library that reads the body waits until its timeout. */
function neverEnding(response: ServerResponse, type: string, start: string, headers: Record<string, string> = {}) {
  response.writeHead(200, { 'content-type': type, ...headers });
  response.write(start);
}

/** Sends `size` bytes of JSON (an array padded with spaces), with its length declared, in chunks the socket takes. */
function hugeJson(response: ServerResponse, size: number) {
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(size) });
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  let sent = 1;
  response.write('[');
  const pump = () => {
    while (sent < size - 1) {
      const length = Math.min(chunk.length, size - 1 - sent);
      sent += length;
      if (!response.write(length === chunk.length ? chunk : chunk.subarray(0, length))) return void response.once('drain', pump);
    }
    response.end(']');
  };
  pump();
}

describe.runIf(haveChromium())('plugin HTTP in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startServer({ [`${API}/app/`]: PAGE }, (request, response, url) => {
      const onAltOrigin = request.headers.host?.startsWith('localhost:') === true;
      switch (url.pathname) {
        case `${API}/away`:
          // A cross-origin redirect that CORS allows: the browser follows it and hands over the answer.
          response.writeHead(302, { location: `${server.altOrigin}${API}/elsewhere` }).end();
          return true;
        case `${API}/elsewhere`:
          if (!onAltOrigin) break;
          neverEnding(response, 'application/json', '{"patient_id": "forged"', { 'access-control-allow-origin': server.origin });
          return true;
        case `${API}/expired`:
          // What a session middleware does for an expired session: off to the sign-in page.
          response.writeHead(302, { location: `/login/?next=${API}/expired` }).end();
          return true;
        case '/login/':
          neverEnding(response, 'text/html; charset=utf-8', '<!doctype html><form><input name="password">');
          return true;
        case `${API}/tasks`:
          // The trailing-slash redirect of a route that exists: same origin, JSON at the end.
          response.writeHead(301, { location: `${API}/tasks/` }).end();
          return true;
        case `${API}/tasks/`:
          response.writeHead(200, { 'content-type': 'application/json' }).end('[1, 2]');
          return true;
        case `${API}/huge`:
          hugeJson(response, TOO_LARGE);
          return true;
      }
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  beforeEach(async () => {
    page = await browser.newPage();
    await page.goto(`${server.origin}${API}/app/`);
  });

  afterEach(async () => {
    await page.close();
  });

  /** requestJSON(path) in the page: its value, or its error's code, status, message and body. */
  const request = (path: string, timeout = 5000) =>
    page.evaluate(
      ([url, ms]) =>
        (window as any).lib.requestJSON(url, { timeout: ms }).then(
          (value: unknown) => ({ value }),
          (error: any) => ({ code: error.code, status: error.status, message: error.message, body: error.body }),
        ),
      [path, timeout] as const,
    );

  it('an answer a redirect took to another origin is INVALID_RESPONSE naming that origin, its body never read', async () => {
    // The body never ends: reading it would end in TIMEOUT after 5 s, not in this error at once.
    const outcome = await request(`${API}/away`);
    expect(outcome).toMatchObject({ code: 'INVALID_RESPONSE', status: 200, body: undefined });
    expect(outcome.message).toContain(server.altOrigin);
  });

  it('a redirect that ends on an HTML page (the sign-in page of an expired session) is UNAUTHORIZED, its body never read', async () => {
    expect(await request(`${API}/expired`)).toMatchObject({ code: 'UNAUTHORIZED', status: 200, body: undefined });
  });

  it('a redirect on the same origin to JSON is read as usual', async () => {
    expect(await request(`${API}/tasks`)).toEqual({ value: [1, 2] });
  });

  it('a subscription whose authProbe is redirected to the sign-in page stops with unauthorized, as on 401', async () => {
    // No WebSocket server: every upgrade fails (1006), as a refused one does.
    const statuses = await page.evaluate(
      (probe) =>
        new Promise<string[]>((resolve) => {
          const seen: string[] = [];
          (window as any).lib.subscribe('feed', () => {}, {
            authProbe: probe,
            minReconnectionDelay: 50,
            maxReconnectionDelay: 100,
            onStatus: (status: string) => {
              seen.push(status);
              if (status === 'unauthorized' || status === 'closed') resolve(seen);
            },
          });
        }),
      `${API}/expired`,
    );
    expect(statuses).toEqual(['reconnecting', 'unauthorized']);
  });

  it(`a JSON answer too large to read as text (${TOO_LARGE} bytes) is INVALID_RESPONSE, never null`, async () => {
    const outcome = await request(`${API}/huge`, 120_000);
    expect(outcome).toMatchObject({ code: 'INVALID_RESPONSE', status: 200 });
    expect(outcome.message).toMatch(/too large/);
  }, 150_000);
});
