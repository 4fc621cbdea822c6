/**
 * subscribe() in real Chromium (the built UMD file, and once the ESM file) against a `ws` server
 * attached to the test HTTP server: same origin, real close codes, real back/forward cache.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { haveChromium, launchChromium, startServer, UMD_TAG, type TestServer } from '../support/browser.js';

/**
 * How long a test watches for a connection attempt that must not come. The page's subscriptions
 * wait at most maxReconnectionDelay (150 ms) between attempts, and a first connect starts at once,
 * so an attempt the library failed to cancel would reach the server well within 1 s even on a
 * loaded machine; on a slower one a shorter wait could only miss a defect, never fail a correct library.
 */
const NO_RECONNECT_MS = 1000;

const APP = '/plugin-io/api/demo_plugin/app/';
const HARNESS = `<script>
  window.log = [];
  window.subs = {};
  window.errors = [];
  addEventListener('error', (event) => errors.push(event.message));
  addEventListener('pageshow', (event) => log.push(['page', 'pageshow', event.persisted]));
  window.sub = (name, channel, options = {}, throws = false) => {
    subs[name] = lib.subscribe(channel, (message) => {
      log.push([name, 'message', message]);
      if (throws) throw new Error('subscriber bug');
    }, {
      minReconnectionDelay: 50, maxReconnectionDelay: 150, ...options,
      onOpen: () => log.push([name, 'open']),
      onStatus: (status) => log.push([name, 'status', status]),
    });
    return subs[name].status;
  };
  window.count = (name, kind) => log.filter((entry) => entry[0] === name && entry[1] === kind).length;
  window.pick = (name, kind) => log.filter((entry) => entry[0] === name && entry[1] === kind).map((entry) => entry[2]);
</script>`;
const PAGE_UMD = `<!doctype html><meta charset="utf-8">${UMD_TAG}<script>window.lib = CanvasCompanion;</script>${HARNESS}<body>app</body>`;
const PAGE_ESM = `<!doctype html><meta charset="utf-8">${HARNESS}
<script type="module">import * as lib from '/dist/canvas-companion.mjs'; window.lib = lib; window.ready = true;</script><body>esm</body>`;

type Mode = 'accept' | 'refuse';

describe.runIf(haveChromium())('realtime in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const wss = new WebSocketServer({ noServer: true });
  const modes = new Map<string, Mode>();
  const upgrades = new Map<string, number>();
  const clients = new Map<string, Set<WebSocket>>();
  let probeStatus = 200;
  const probeCookies: (string | undefined)[] = [];
  let n = 0;
  const fresh = () => `page-${++n}`;
  const live = (channel: string) => [...(clients.get(channel) ?? [])].filter((socket) => socket.readyState === 1);
  const send = (channel: string, frame: string) => live(channel).forEach((socket) => socket.send(frame));

  /** Waits for a condition (generous timeout: it ends as soon as the condition holds). */
  async function until(condition: () => boolean | Promise<boolean>, timeout = 10_000): Promise<void> {
    const end = Date.now() + timeout;
    while (!(await condition())) {
      if (Date.now() > end) throw new Error(`condition not met within ${timeout} ms: ${condition}`);
      await sleep(15);
    }
  }
  const count = (name: string, kind: string) => page.evaluate(([a, b]) => (window as any).count(a, b) as number, [name, kind]);
  const pick = (name: string, kind: string) => page.evaluate(([a, b]) => (window as any).pick(a, b) as unknown[], [name, kind]);
  const status = (name: string) => page.evaluate((a) => (window as any).subs[a].status as string, name);
  const sub = (name: string, channel: string, options: Record<string, unknown> = {}, throws = false) =>
    page.evaluate(([a, b, c, d]) => (window as any).sub(a, b, c, d) as string, [name, channel, options, throws] as const);

  beforeAll(async () => {
    server = await startServer({ [APP]: PAGE_UMD, '/plugin-io/api/demo_plugin/esm/': PAGE_ESM, '/elsewhere/': '<!doctype html><body>elsewhere</body>' }, (request, response, url) => {
      if (url.pathname === '/plugin-io/api/demo_plugin/cached/') {
        // Served without no-store: Chromium keeps no-store pages out of the back/forward cache.
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE_UMD);
        return true;
      }
      if (url.pathname !== '/plugin-io/api/demo_plugin/me') return false;
      probeCookies.push(request.headers.cookie);
      response.writeHead(probeStatus, { 'content-type': 'application/json' }).end('{}');
      return true;
    });
    server.server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
      const channel = /^\/plugin-io\/ws\/demo_plugin\/([\w-]+)\/$/.exec(request.url ?? '')?.[1];
      if (!channel) return socket.destroy();
      upgrades.set(channel, (upgrades.get(channel) ?? 0) + 1);
      if (modes.get(channel) === 'refuse') {
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => {
        if (!clients.has(channel)) clients.set(channel, new Set());
        clients.get(channel)!.add(ws);
        ws.on('close', () => clients.get(channel)!.delete(ws));
      });
    });
    browser = await launchChromium();
  });

  beforeEach(async () => {
    context = await browser.newContext();
    page = await context.newPage();
    await page.goto(server.origin + APP);
  });

  afterEach(async () => {
    await context.close();
    probeStatus = 200;
  });

  afterAll(async () => {
    await browser?.close();
    for (const set of clients.values()) for (const socket of set) socket.terminate();
    wss.close();
    await server?.close();
  });

  it('delivers unwrapped messages; malformed frames are dropped and a good one still arrives', async () => {
    const channel = fresh();
    expect(await sub('a', channel)).toBe('connecting');
    await until(async () => (await count('a', 'open')) === 1);
    for (const bad of ['not json', '{"message": 1}', '{"message": null}', '[]', '{"type": "x"}']) send(channel, bad);
    live(channel)[0]!.send(Buffer.from([0, 1, 2]));
    send(channel, JSON.stringify({ message: { type: 'vitals', patient: 'p1' } }));
    await until(async () => (await count('a', 'message')) === 1);
    // One socket delivers frames in order: the malformed ones were handled before the good one.
    expect(await pick('a', 'message')).toEqual([{ type: 'vitals', patient: 'p1' }]);
    expect(await page.evaluate(() => (window as any).errors)).toEqual([]);
    expect(await status('a')).toBe('open');
  });

  it('reconnects after a server-side drop and runs onOpen again; 20 drops in a row all recover', async () => {
    const channel = fresh();
    await sub('a', channel);
    for (let drop = 1; drop <= 20; drop++) {
      await until(async () => (await count('a', 'open')) === drop && live(channel).length === 1);
      live(channel)[0]!.terminate();
    }
    await until(async () => (await count('a', 'open')) === 21);
    expect(upgrades.get(channel)).toBe(21);
    expect(await status('a')).toBe('open');
    expect((await pick('a', 'status')).slice(0, 3)).toEqual(['open', 'reconnecting', 'open']);
  });

  it('close() closes the socket and nothing reconnects in the following seconds', async () => {
    const channel = fresh();
    await sub('a', channel);
    await until(async () => (await count('a', 'open')) === 1);
    await page.evaluate(() => (window as any).subs.a.close());
    await until(() => (clients.get(channel)?.size ?? 0) === 0);
    await sleep(NO_RECONNECT_MS);
    expect(upgrades.get(channel)).toBe(1);
    expect(await status('a')).toBe('closed');
    expect(await pick('a', 'status')).toEqual(['open', 'closed']);
  });

  it('an upgrade refused with 403 plus an authProbe answering 401: unauthorized, and no further attempts', async () => {
    const channel = fresh();
    modes.set(channel, 'refuse');
    probeStatus = 401;
    await page.evaluate(() => (document.cookie = 'sessionid=abc; path=/'));
    await sub('a', channel, { authProbe: '/plugin-io/api/demo_plugin/me' });
    await until(async () => (await status('a')) === 'unauthorized');
    const attempts = upgrades.get(channel)!;
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(probeCookies.at(-1)).toBe('sessionid=abc');
    await sleep(NO_RECONNECT_MS);
    expect(upgrades.get(channel)).toBe(attempts);
    expect(await pick('a', 'status')).toEqual(['reconnecting', 'unauthorized']);
  });

  it('two subscribers share one socket, and a throwing one does not stop the other', async () => {
    const channel = fresh();
    await sub('a', channel, {}, true);
    await sub('b', channel);
    await until(async () => (await count('b', 'open')) === 1 && (await count('a', 'open')) === 1);
    expect(upgrades.get(channel)).toBe(1);
    send(channel, '{"message": {"n": 1}}');
    send(channel, '{"message": {"n": 2}}');
    await until(async () => (await count('b', 'message')) === 2);
    expect(await pick('a', 'message')).toEqual([{ n: 1 }, { n: 2 }]);
    await until(async () => (await page.evaluate(() => (window as any).errors.length)) === 2);
    expect((await page.evaluate(() => (window as any).errors))[0]).toContain('subscriber bug');
    await page.evaluate(() => (window as any).subs.a.close());
    send(channel, '{"message": {"n": 3}}');
    await until(async () => (await count('b', 'message')) === 3);
    expect(await count('a', 'message')).toBe(2);
    await page.evaluate(() => (window as any).subs.b.close());
    await until(() => (clients.get(channel)?.size ?? 0) === 0);
  });

  it('regression (RWS #165): close during the first connect, then subscribe again, connects', async () => {
    const channel = fresh();
    await page.evaluate((c) => {
      (window as any).sub('a', c);
      (window as any).subs.a.close();
    }, channel);
    await sleep(NO_RECONNECT_MS);
    expect(upgrades.get(channel)).toBeUndefined();
    await sub('b', channel);
    await until(async () => (await status('b')) === 'open');
  });

  it('regression (RWS #125): maxRetries used up gives closed, then subscribe again connects', async () => {
    const channel = fresh();
    modes.set(channel, 'refuse');
    await sub('a', channel, { maxRetries: 2 });
    await until(async () => (await status('a')) === 'closed');
    expect(upgrades.get(channel)).toBe(3);
    modes.set(channel, 'accept');
    await sub('b', channel);
    await until(async () => (await status('b')) === 'open');
    expect(await status('a')).toBe('closed');
  });

  it('reconnects at once on online while waiting out a long backoff', async () => {
    const channel = fresh();
    // A backoff of 5 to 10 minutes: a reconnect within the test's time can only come from `online`.
    await sub('a', channel, { minReconnectionDelay: 600_000, maxReconnectionDelay: 600_000 });
    await until(async () => (await count('a', 'open')) === 1);
    live(channel)[0]!.terminate();
    await until(async () => (await status('a')) === 'reconnecting');
    expect(upgrades.get(channel)).toBe(1);
    await page.evaluate(() => dispatchEvent(new Event('online')));
    await until(async () => (await count('a', 'open')) === 2);
    expect(upgrades.get(channel)).toBe(2);
  });

  it('closes on pagehide and reopens on pageshow from the back/forward cache', async () => {
    // Playwright turns the back/forward cache off by default; this test needs a browser with it on.
    const cached = await launchChromium({ ignoreDefaultArgs: ['--disable-back-forward-cache'] });
    try {
      page = await (await cached.newContext()).newPage();
      await page.goto(server.origin + '/plugin-io/api/demo_plugin/cached/');
      const channel = fresh();
      await sub('a', channel);
      await until(async () => (await count('a', 'open')) === 1);
      await page.goto(server.origin + '/elsewhere/');
      await until(() => (clients.get(channel)?.size ?? 0) === 0);
      await page.goBack({ waitUntil: 'commit', timeout: 10_000 }); // a restore fires no load event
      // Either restored (a persisted pageshow) or loaded afresh (no subscription yet).
      await page.waitForFunction(() => !(window as any).subs?.a || (window as any).log.some((entry: unknown[]) => entry[2] === true), null, { timeout: 10_000 });
      const restored = await page.evaluate(() => (window as any).log?.some((entry: unknown[]) => entry[1] === 'pageshow' && entry[2] === true));
      const reasons = restored || (await page.evaluate(() => JSON.stringify((performance.getEntriesByType('navigation')[0] as any)?.notRestoredReasons)));
      expect(reasons).toBe(true);
      // Restored with its state: the socket reopened and onOpen ran again.
      await until(async () => (await count('a', 'open')) === 2);
      expect(upgrades.get(channel)).toBe(2);
      expect(await pick('a', 'status')).toEqual(['open', 'reconnecting', 'open']);
    } finally {
      await cached.close();
    }
  });

  it('works from the ESM build too', async () => {
    await page.goto(server.origin + '/plugin-io/api/demo_plugin/esm/');
    await page.waitForFunction(() => (window as any).ready);
    const channel = fresh();
    await sub('a', channel);
    await until(async () => (await count('a', 'open')) === 1);
    send(channel, '{"message": {"ok": true}}');
    await until(async () => (await count('a', 'message')) === 1);
    expect(await pick('a', 'message')).toEqual([{ ok: true }]);
  });
});
