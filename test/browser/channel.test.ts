/**
 * The host channel in real Chromium: port transfer, `event.origin` and `event.source` are only
 * real here (happy-dom fakes all three).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium, launchChromium, startServer, UMD_TAG, type TestServer } from '../support/browser.js';

const P = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';

/** Condition waits on a loaded machine: generous, since they end as soon as the condition holds. */
const WAIT = { timeout: 10_000 };

/**
 * How long a test watches for something that must not happen: a message on a port the library
 * closed, a top-level navigation after a refused openPatient(). Between frames of one page either
 * would follow within a few tasks; 300 ms is far more even on a loaded machine, and on a slower
 * one a shorter wait could only miss a defect, never fail a correct library.
 */
const NOT_HAPPENING_MS = 300;

/**
 * How long a host message waits in the port before the page registers its first handler. On a
 * loaded machine the message may still be on its way after this, and the test then checks less
 * than it means to; it cannot fail a correct library.
 */
const EARLY_MESSAGE_WAIT_MS = 300;

// The host page plays Canvas: it frames a plugin page and hands it a port on demand.
const HOST = `<!doctype html><meta charset="utf-8"><title>host</title>
<script>
  window.hostLog = [];
  window.ports = [];
  window.init = (frameName, options = {}) => {
    const frame = document.querySelector('iframe[name="' + frameName + '"]');
    const channel = new MessageChannel();
    const index = ports.length;
    channel.port1.onmessage = (event) => hostLog.push({ port: index, data: event.data });
    ports.push(channel.port1);
    const data = 'data' in options ? options.data : { type: 'INIT_CHANNEL' };
    frame.contentWindow.postMessage(data, new URL(frame.src).origin, options.noPort ? [] : [channel.port2]);
    return index;
  };
  // A marker through window.postMessage: the frame sees it after every message posted before it.
  window.marks = 0;
  window.mark = (frameName) => {
    const frame = document.querySelector('iframe[name="' + frameName + '"]');
    frame.contentWindow.postMessage({ type: 'TEST_MARK', n: ++marks }, new URL(frame.src).origin);
    return marks;
  };
  window.addEventListener('message', (event) => {
    if (event.data === 'library-loaded') init('plugin');
  });
</script>`;

const frameTag = (src: string, name = 'plugin', extra = '') => `<iframe name="${name}" src="${src}" ${extra}></iframe>`;

const PLUGIN_UMD = `<!doctype html><meta charset="utf-8">${UMD_TAG}<script>window.lib = CanvasCompanion;</script><body>plugin</body>`;
// Both copies on one page: the UMD global and the ESM module.
const PLUGIN_BOTH = `<!doctype html><meta charset="utf-8">${UMD_TAG}<script>window.umd = CanvasCompanion;</script><script type="module">import * as lib from '/dist/canvas-companion.mjs'; window.lib = lib;</script><body>plugin</body>`;
const PLUGIN_ESM = `<!doctype html><meta charset="utf-8"><script type="module">import * as lib from '/dist/canvas-companion.mjs'; window.lib = lib;</script><body>plugin</body>`;
// Asks the host for the port right after the library loads, then blocks parsing on a slow script.
const PLUGIN_PARSING = `<!doctype html><meta charset="utf-8">${UMD_TAG}
<script>
  window.lib = CanvasCompanion;
  window.readyStateAtPort = null;
  lib.whenHostReady({ timeout: 10000 }).then(() => { window.readyStateAtPort = document.readyState; });
  parent.postMessage('library-loaded', location.origin);
</script>
<script src="/slow.js"></script><body>parsed</body>`;
const PLUGIN_META = (origin: string) =>
  `<!doctype html><meta charset="utf-8"><meta name="canvas-companion-allowed-origins" content="${origin}">${UMD_TAG}<script>window.lib = CanvasCompanion;</script>`;
const PLUGIN_CONFIGURED = (origin: string) =>
  `<!doctype html><meta charset="utf-8">${UMD_TAG}<script>window.lib = CanvasCompanion; lib.configure({ allowedOrigins: ['${origin}'] });</script>`;
// A sibling frame that tries to hand the plugin frame a port of its own.
const SIBLING = `<!doctype html><script>
  window.attack = (data) => {
    const channel = new MessageChannel();
    window.stolen = [];
    channel.port1.onmessage = (event) => window.stolen.push(event.data);
    parent.frames['plugin'].postMessage(data ?? { type: 'INIT_CHANNEL' }, '*', [channel.port2]);
  };
</script>`;

describe.runIf(haveChromium())('host channel in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let warnings: string[];
  let releaseSlowScript: (() => void) | undefined;

  beforeAll(async () => {
    server = await startServer(
      {
        '/plugin-umd.html': PLUGIN_UMD,
        '/plugin-esm.html': PLUGIN_ESM,
        '/plugin-both.html': PLUGIN_BOTH,
        '/plugin-parsing.html': PLUGIN_PARSING,
        '/sibling.html': SIBLING,
      },
      async (request, response, url) => {
        if (url.pathname === '/slow.js') {
          // Held until the test releases it: the plugin page stays in parsing until then.
          await new Promise<void>((resolve) => (releaseSlowScript = resolve));
          response.writeHead(200, { 'content-type': 'text/javascript' }).end('window.slowLoaded = true;');
          return true;
        }
        // /host.html?frames=<html of frames>: the host page with the frames given.
        if (url.pathname === '/host.html' || url.pathname.startsWith('/companion/')) {
          response.writeHead(200, { 'content-type': 'text/html' }).end(HOST + (url.searchParams.get('frames') ?? ''));
          return true;
        }
        if (url.pathname === '/plugin-meta.html' || url.pathname === '/plugin-configured.html') {
          const allowed = url.searchParams.get('allow') ?? '';
          response.writeHead(200, { 'content-type': 'text/html' }).end(url.pathname === '/plugin-meta.html' ? PLUGIN_META(allowed) : PLUGIN_CONFIGURED(allowed));
          return true;
        }
      },
    );
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function openHost(frames: string, hostOrigin = server.origin, path = '/host.html', waitUntil: 'load' | 'domcontentloaded' = 'load') {
    page = await browser.newPage();
    warnings = [];
    page.on('console', (message) => {
      if (message.type() === 'warning') warnings.push(message.text());
    });
    await page.goto(`${hostOrigin}${path}?frames=${encodeURIComponent(frames)}`, { waitUntil });
    return page;
  }

  /**
   * Resolves once the plugin frame has handled every message the host window posted to it so far
   * (messages from one window to another are dispatched in order).
   */
  async function handledWindowMessages(frame: Frame) {
    await frame.evaluate(() => {
      const w = window as any;
      if (w.marksSeen !== undefined) return;
      w.marksSeen = 0;
      addEventListener('message', (event) => {
        if (event.data?.type === 'TEST_MARK') w.marksSeen = event.data.n;
      });
    });
    const mark = await page.evaluate(() => (window as any).mark('plugin') as number);
    await frame.waitForFunction((n) => (window as any).marksSeen >= n, mark, WAIT);
  }

  async function pluginFrame(): Promise<Frame> {
    const frame = page.frame({ name: 'plugin' })!;
    await frame.waitForFunction(() => 'lib' in window && document.readyState === 'complete');
    return frame;
  }

  /** The host hands the plugin frame a port; resolves once the library holds it. */
  async function handOverPort(frame: Frame) {
    await page.evaluate(() => (window as any).init('plugin'));
    await frame.waitForFunction(() => (window as any).lib.isHostConnected());
  }

  /** Collects what the host sends through the port in the frame's `window.received`. */
  const recordHostMessages = (frame: Frame) =>
    frame.evaluate(() => {
      (window as any).received = [];
      (window as any).lib.onHostMessage((message: unknown) => (window as any).received.push(message));
    });

  const connected = (frame: Frame) => frame.evaluate(() => (window as any).lib.isHostConnected() as boolean);
  const hostLog = () => page.evaluate(() => (window as any).hostLog as { port: number; data: unknown }[]);

  afterEach(async () => {
    await page?.close();
  });

  for (const [how, path] of [
    ['the UMD <script>', '/plugin-umd.html'],
    ['the ESM import', '/plugin-esm.html'],
  ] as const) {
    it(`captures the port through ${how} and closes the modal through it`, async () => {
      await openHost(frameTag(`${server.origin}${path}`));
      const frame = await pluginFrame();
      expect(await connected(frame)).toBe(false);
      await page.evaluate(() => (window as any).init('plugin'));
      await frame.waitForFunction(() => (window as any).lib.isHostConnected());
      expect(await frame.evaluate(() => (window as any).lib.closeModal())).toBe('port');
      await page.waitForFunction(() => (window as any).hostLog.length === 1);
      expect(await hostLog()).toEqual([{ port: 0, data: { type: 'CLOSE_MODAL' } }]);
      expect(warnings).toEqual([]);
    });
  }

  it('two copies on one page (UMD and ESM) share one listener and one port', async () => {
    await openHost(frameTag(`${server.origin}/plugin-both.html`));
    const frame = await pluginFrame();
    expect(await frame.evaluate(() => (window as any).umd !== (window as any).lib)).toBe(true);
    await page.evaluate(() => (window as any).init('plugin', { noPort: true }));
    await expect.poll(() => warnings.length, WAIT).toBe(1);
    await page.evaluate(() => (window as any).init('plugin'));
    await frame.waitForFunction(() => (window as any).umd.isHostConnected() && (window as any).lib.isHostConnected());
    expect(await frame.evaluate(() => (window as any).umd.closeModal())).toBe('port');
    expect(await frame.evaluate(() => (window as any).lib.postToHost({ type: 'FROM_ESM' }))).toBe(true);
    await page.waitForFunction(() => (window as any).hostLog.length === 2);
    // Port 0 went out with the rejected, port-less INIT_CHANNEL; port 1 is the genuine one.
    expect(await hostLog()).toEqual([
      { port: 1, data: { type: 'CLOSE_MODAL' } },
      { port: 1, data: { type: 'FROM_ESM' } },
    ]);
    expect(warnings).toHaveLength(1);
  });

  it('takes a port that arrives while the page is still parsing', async () => {
    releaseSlowScript = undefined;
    // The host's load waits for the frame, which waits for the held script: stop at DOMContentLoaded.
    await openHost(frameTag(`${server.origin}/plugin-parsing.html`), server.origin, '/host.html', 'domcontentloaded');
    await expect.poll(() => page.frame({ name: 'plugin' })?.url(), WAIT).toBe(`${server.origin}/plugin-parsing.html`);
    const frame = page.frame({ name: 'plugin' })!;
    // Polled on a timer: a page held in parsing renders no frame, so requestAnimationFrame (the
    // default polling) would not run again until the slow script arrives.
    await frame.waitForFunction(() => (window as any).readyStateAtPort != null, undefined, { ...WAIT, polling: 50 });
    expect(await frame.evaluate(() => (window as any).readyStateAtPort)).toBe('loading');
    expect(await frame.evaluate(() => (window as any).slowLoaded)).toBeUndefined();
    await expect.poll(() => releaseSlowScript, WAIT).toBeDefined();
    releaseSlowScript!();
    await frame.waitForFunction(() => document.readyState === 'complete', undefined, WAIT);
    expect(await frame.evaluate(() => (window as any).slowLoaded)).toBe(true);
    expect(await connected(frame)).toBe(true);
  });

  it('rejects INIT_CHANNEL from a cross-origin parent, with a warning naming the origin', async () => {
    // The host on localhost frames the plugin on 127.0.0.1: two origins.
    await openHost(frameTag(`${server.origin}/plugin-umd.html`), server.altOrigin);
    const frame = await pluginFrame();
    await page.evaluate(() => (window as any).init('plugin'));
    await expect.poll(() => warnings.length, WAIT).toBe(1);
    expect(warnings[0]).toContain(server.altOrigin);
    expect(await connected(frame)).toBe(false);
  });

  it('accepts a cross-origin parent allowed by configure() or by the meta tag', async () => {
    for (const path of ['/plugin-configured.html', '/plugin-meta.html']) {
      await openHost(frameTag(`${server.origin}${path}?allow=${encodeURIComponent(server.altOrigin)}`), server.altOrigin);
      const frame = await pluginFrame();
      await page.evaluate(() => (window as any).init('plugin'));
      await frame.waitForFunction(() => (window as any).lib.isHostConnected());
      expect(warnings).toEqual([]);
      await page.close();
    }
  });

  it('does not accept a lookalike of an allowed origin', async () => {
    await openHost(frameTag(`${server.origin}/plugin-configured.html?allow=${encodeURIComponent(`http://localhost:${server.port + 1}`)}`), server.altOrigin);
    const frame = await pluginFrame();
    await page.evaluate(() => (window as any).init('plugin'));
    await expect.poll(() => warnings.length, WAIT).toBe(1);
    expect(await connected(frame)).toBe(false);
  });

  for (const [kind, origin] of [
    ['same-origin', 'origin'],
    ['cross-origin', 'altOrigin'],
  ] as const) {
    it(`rejects INIT_CHANNEL from a ${kind} sibling frame, then takes the parent's`, async () => {
      await openHost(frameTag(`${server.origin}/plugin-umd.html`) + frameTag(`${server[origin]}/sibling.html`, 'sibling'));
      const frame = await pluginFrame();
      const sibling = page.frame({ name: 'sibling' })!;
      await sibling.waitForFunction(() => 'attack' in window);
      await sibling.evaluate(() => (window as any).attack());
      await expect.poll(() => warnings.length, WAIT).toBe(1);
      expect(warnings[0]).toContain('window.parent');
      expect(await connected(frame)).toBe(false);
      await frame.evaluate(() => (window as any).lib.postToHost({ type: 'SECRET' }));

      await page.evaluate(() => (window as any).init('plugin'));
      await frame.waitForFunction(() => (window as any).lib.isHostConnected());
      await page.waitForFunction(() => (window as any).hostLog.length === 1);
      expect(await hostLog()).toEqual([{ port: 0, data: { type: 'SECRET' } }]);
      expect(await sibling.evaluate(() => (window as any).stolen)).toEqual([]);
    });
  }

  it('ignores INIT_CHANNEL without a port, with a wrong type or a non-object payload; a genuine one still works', async () => {
    await openHost(frameTag(`${server.origin}/plugin-umd.html`));
    const frame = await pluginFrame();
    await page.evaluate(() => (window as any).init('plugin', { noPort: true }));
    await expect.poll(() => warnings.length, WAIT).toBe(1);
    expect(warnings[0]).toContain('MessagePort');
    for (const data of [{ type: 'INIT_CHANNEL_X' }, 'INIT_CHANNEL', ['INIT_CHANNEL'], null, 42]) {
      await page.evaluate((payload) => (window as any).init('plugin', { data: payload }), data);
    }
    await handledWindowMessages(frame);
    expect(await connected(frame)).toBe(false);
    expect(warnings).toHaveLength(1);
    await handOverPort(frame);
  });

  it('a second INIT_CHANNEL replaces the port, and the old one goes quiet', async () => {
    await openHost(frameTag(`${server.origin}/plugin-umd.html`));
    const frame = await pluginFrame();
    await recordHostMessages(frame);
    await handOverPort(frame);
    await page.evaluate(() => (window as any).init('plugin'));
    await handledWindowMessages(frame);
    await frame.evaluate(() => (window as any).lib.postToHost({ type: 'AFTER_REINIT' }));
    await page.evaluate(() => {
      (window as any).ports[0].postMessage({ type: 'FROM_OLD' });
      (window as any).ports[1].postMessage({ type: 'FROM_NEW' });
    });
    await page.waitForFunction(() => (window as any).hostLog.length === 1);
    await frame.waitForFunction(() => (window as any).received.length === 1);
    // FROM_OLD went out before FROM_NEW, which has arrived: an old port still open would deliver it soon.
    await sleep(NOT_HAPPENING_MS);
    expect(await hostLog()).toEqual([{ port: 1, data: { type: 'AFTER_REINIT' } }]);
    expect(await frame.evaluate(() => (window as any).received)).toEqual([{ type: 'FROM_NEW' }]);
  });

  it("onHostMessage receives the host's messages", async () => {
    await openHost(frameTag(`${server.origin}/plugin-esm.html`));
    const frame = await pluginFrame();
    await recordHostMessages(frame);
    await handOverPort(frame);
    const tab = { type: 'NOTE_TAB_CHANGE', tab: 'note', patient: { id: P } };
    await page.evaluate((message) => (window as any).ports[0].postMessage(message), tab);
    await frame.waitForFunction(() => (window as any).received.length === 1);
    expect(await frame.evaluate(() => (window as any).received)).toEqual([tab]);
  });

  it('host messages sent before the first onHostMessage() wait in the port and are delivered to it', async () => {
    await openHost(frameTag(`${server.origin}/plugin-umd.html`));
    const frame = await pluginFrame();
    await handOverPort(frame);
    await page.evaluate(() => (window as any).ports[0].postMessage({ type: 'EARLY' }));
    await sleep(EARLY_MESSAGE_WAIT_MS);
    await recordHostMessages(frame);
    await frame.waitForFunction(() => (window as any).received.length === 1);
    expect(await frame.evaluate(() => (window as any).received)).toEqual([{ type: 'EARLY' }]);
  });

  it("closeModal resolves 'window' when no host hands over a port", async () => {
    page = await browser.newPage();
    await page.goto(`${server.origin}/plugin-umd.html`);
    expect(await page.evaluate(() => (window as any).lib.closeModal({ timeout: 200 }))).toBe('window');
  });

  it('openPatient navigates the top window to the patient page', async () => {
    await openHost(frameTag(`${server.origin}/plugin-umd.html`), server.origin, '/companion/');
    const frame = await pluginFrame();
    await Promise.all([page.waitForURL(`${server.origin}/companion/patient/${P}/`), frame.evaluate((id) => (window as any).lib.openPatient(id), P)]);
    expect(page.url()).toBe(`${server.origin}/companion/patient/${P}/`);
  });

  it('openPatient refuses hostile IDs and the top window stays where it was', async () => {
    await openHost(frameTag(`${server.origin}/plugin-umd.html`), server.origin, '/companion/');
    const start = page.url();
    const frame = await pluginFrame();
    let navigations = 0;
    page.on('framenavigated', (navigated) => {
      if (navigated === page.mainFrame()) navigations++;
    });
    const results = await frame.evaluate((id) => {
      const hostile: unknown[] = [
        '../../../admin',
        `${id}/../../admin`,
        'javascript:alert(1)',
        '//evil.example/companion/patient/x',
        'https://evil.example/',
        `${id.slice(0, 8)}%2F..%2F..`,
        `${id}%2F..`,
        `${id}?next=//evil.example`,
        `${id}#frag`,
        `${id}\n`,
        `${id}\u0000`,
        `\t${id}`,
        '',
        null,
        undefined,
        42,
        { toString: () => id },
        [id],
      ];
      return hostile.map((value) => {
        try {
          (window as any).lib.openPatient(value);
          return 'navigated';
        } catch (error) {
          return (error as { code?: string }).code;
        }
      });
    }, P);
    expect(new Set(results)).toEqual(new Set(['INVALID_ID']));
    await sleep(NOT_HAPPENING_MS);
    expect(navigations).toBe(0);
    expect(page.url()).toBe(start);
  });

  it('openPatient reports NAVIGATION_BLOCKED from a sandbox without top navigation', async () => {
    await openHost(frameTag(`${server.origin}/plugin-umd.html`, 'plugin', 'sandbox="allow-scripts allow-same-origin"'), server.origin, '/companion/');
    const start = page.url();
    const frame = await pluginFrame();
    const code = await frame.evaluate((id) => {
      try {
        (window as any).lib.openPatient(id);
        return 'navigated';
      } catch (error) {
        return (error as { code?: string }).code;
      }
    }, P);
    expect(code).toBe('NAVIGATION_BLOCKED');
    await sleep(NOT_HAPPENING_MS);
    expect(page.url()).toBe(start);
  });
});
