/**
 * What hostile or merely unusual pages broke, in real Chromium: page globals that shadow or
 * replace `parent`, `self` or `location`; elements that are not `<meta>` but carry the allowed-
 * origins name; a host on another origin that the top window must land on.
 */
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { haveChromium, launchChromium, startServer, UMD_TAG, type TestServer } from '../support/browser.js';

const P = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
const META_NAME = 'canvas-companion-allowed-origins';

/** Condition waits on a loaded machine: generous, since they end as soon as the condition holds. */
const WAIT = { timeout: 10_000 };

// The host plays Canvas: it frames the plugin page and hands it a port once the frame has loaded.
const HOST = (frameSrc: string) => `<!doctype html><meta charset="utf-8"><title>host</title>
<script>
  window.hostLog = [];
  window.connect = () => {
    const frame = document.querySelector('iframe');
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => hostLog.push(event.data);
    frame.contentWindow.postMessage({ type: 'INIT_CHANNEL' }, new URL(frame.src).origin, [channel.port2]);
  };
</script>
<iframe name="plugin" src="${frameSrc}" onload="connect()"></iframe>`;

/**
 * A plugin page whose own classic script declares `global` before or after the library loads.
 * With `closeAtOnce`, the page reports `isEmbedded()` to the host and closes its modal as soon as
 * the library is loaded: no test code runs in a page whose globals may break test tooling too.
 */
function pluginPage(build: 'umd' | 'esm', global: string, placement: 'before' | 'after', head = '', closeAtOnce = false): string {
  const run = closeAtOnce ? `lib.postToHost({ type: 'EMBEDDED', embedded: lib.isEmbedded() }); lib.closeModal({ timeout: 5000 });` : '';
  const library =
    build === 'umd'
      ? `${UMD_TAG}<script>var lib = CanvasCompanion; ${run}</script>`
      : `<script type="module">import * as lib from '/dist/canvas-companion.mjs'; window.lib = lib; ${run}</script>`;
  const pageScript = `<script>${global}</script>`;
  return `<!doctype html><meta charset="utf-8">${head}${placement === 'before' ? pageScript + library : library + pageScript}
<button id="open" onclick="lib.openPatient('${P}')">Open patient</button>`;
}

const SHADOWING_GLOBALS = [
  'const parent = document.documentElement;',
  'var parent = null;',
  'function parent() {}',
  'var self = null; var frames = null;',
  'var globalThis = null;',
  'var top = null; var window = null;',
];

describe.runIf(haveChromium())('hostile and unusual pages in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let consoleLines: string[];
  const pages = new Map<string, string>();

  beforeAll(async () => {
    server = await startServer({}, (request, response, url) => {
      const html = pages.get(url.pathname);
      if (html !== undefined) {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
        return true;
      }
      if (url.pathname.startsWith('/companion/patient/')) {
        response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>patient page</title>');
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
    consoleLines = [];
    page.on('console', (message) => consoleLines.push(message.text()));
  });

  afterEach(async () => {
    await page.close();
  });

  let pageNumber = 0;
  /** Serves `html` as the plugin page and `host(src)` as its host; returns the plugin frame once the library is loaded. */
  async function openHosted(pluginHtml: string, { hostOrigin = server.origin, waitForLibrary = true } = {}): Promise<Frame> {
    const id = ++pageNumber;
    pages.set(`/plugin-io/api/p/page-${id}`, pluginHtml);
    pages.set(`/companion/host-${id}`, HOST(`${server.origin}/plugin-io/api/p/page-${id}`));
    await page.goto(`${hostOrigin}/companion/host-${id}`);
    const frame = page.frame('plugin')!;
    if (waitForLibrary) await frame.waitForFunction(() => (window as { lib?: unknown }).lib !== undefined, undefined, WAIT);
    return frame;
  }

  // Rollup's UMD wrapper itself looks up `globalThis` to publish `CanvasCompanion`: a page that
  // nulls `globalThis` BEFORE the UMD file loses the global (not the library's code; see README).
  const applies = (build: string, global: string, placement: string) => !(build === 'umd' && global.includes('globalThis') && placement === 'before');

  describe.each(['umd', 'esm'] as const)('a page global that shadows a browser global (%s build)', (build) => {
    it.each(SHADOWING_GLOBALS.flatMap((global) => (['before', 'after'] as const).filter((placement) => applies(build, global, placement)).map((placement) => [global, placement] as const)))(
      '%s declared %s the library: the genuine INIT_CHANNEL is taken and the modal closes',
      async (global, placement) => {
        await openHosted(pluginPage(build, global, placement, '', true), { waitForLibrary: false });
        await expect.poll(() => page.evaluate(() => (window as any).hostLog), WAIT).toEqual([{ type: 'EMBEDDED', embedded: true }, { type: 'CLOSE_MODAL' }]);
        expect(consoleLines.filter((line) => line.includes('canvas-companion'))).toEqual([]);
      },
    );
  });

  describe('elements named like the allowed-origins meta tag', () => {
    const NOT_META = `<input name="${META_NAME}" value="*"><a name="${META_NAME}">anchor</a>`;

    it('are ignored: a same-origin host still hands over its port', async () => {
      const frame = await openHosted(`<!doctype html>${NOT_META}${UMD_TAG}<script>window.lib = CanvasCompanion;</script>`);
      expect(await frame.evaluate(() => (window as any).lib.closeModal({ timeout: 5000 }))).toBe('port');
      expect(consoleLines.filter((line) => line.includes('canvas-companion'))).toEqual([]);
    });

    it('never allow another origin: the port is refused with the promised warning', async () => {
      const frame = await openHosted(`<!doctype html>${NOT_META}${UMD_TAG}<script>window.lib = CanvasCompanion;</script>`, { hostOrigin: server.altOrigin });
      await expect.poll(() => consoleLines.filter((line) => line.includes('INIT_CHANNEL ignored')), WAIT).toEqual([
        `canvas-companion: INIT_CHANNEL ignored: origin ${server.altOrigin} not allowed`,
      ]);
      expect(await frame.evaluate(() => (window as any).lib.isHostConnected())).toBe(false);
    });

    it("a real <meta> after them is read, and its '*' warns as configure() does", async () => {
      const head = `${NOT_META}<meta name="${META_NAME}" content="*">`;
      const frame = await openHosted(`<!doctype html>${head}${UMD_TAG}<script>window.lib = CanvasCompanion;</script>`, { hostOrigin: server.altOrigin });
      await frame.waitForFunction(() => (window as any).lib.isHostConnected(), undefined, WAIT);
      expect(consoleLines).toContain("canvas-companion: allowedOrigins '*' trusts any parent origin");
    });
  });

  describe('a host on another origin', () => {
    it('openPatient() after a click lands the top window on the host origin; patientUrl() says where', async () => {
      // The companion runs on localhost, the plugin page on 127.0.0.1, which allows it by meta tag.
      const head = `<meta name="${META_NAME}" content="${server.altOrigin}">`;
      const frame = await openHosted(pluginPage('umd', '', 'after', head), { hostOrigin: server.altOrigin });
      await frame.waitForFunction(() => (window as any).lib.isHostConnected(), undefined, WAIT);
      const expected = `${server.altOrigin}/companion/patient/${P}/`;
      expect(await frame.evaluate((id) => (window as any).lib.patientUrl(id), P)).toBe(expected);
      await frame.click('#open');
      await page.waitForURL(expected, WAIT);
      expect(await page.title()).toBe('patient page');
    });

    it("an opaque host origin ('null', allowed by the page): openPatient() lands on the page's own origin, never on a relative null/companion/…", async () => {
      // A data: URL host has an opaque origin (unlike a sandboxed one, its frames keep theirs).
      const id = ++pageNumber;
      const head = `<meta name="${META_NAME}" content="null">`;
      pages.set(`/plugin-io/api/p/page-${id}`, pluginPage('umd', '', 'after', head));
      const opaqueHost = `data:text/html,${encodeURIComponent(HOST(`${server.origin}/plugin-io/api/p/page-${id}`))}`;
      pages.set(`/companion/top-${id}`, `<!doctype html><title>top</title><iframe src="${opaqueHost}"></iframe>`);
      await page.goto(`${server.origin}/companion/top-${id}`);
      const frame = page.frame('plugin')!;
      await frame.waitForFunction(() => (window as any).lib?.isHostConnected(), undefined, WAIT);
      expect(await frame.evaluate((patient) => (window as any).lib.patientUrl(patient), P)).toBe(`/companion/patient/${P}/`);
      await frame.click('#open');
      await page.waitForURL(`${server.origin}/companion/patient/${P}/`, WAIT);
      expect(await page.title()).toBe('patient page');
    });

    it('before any port, patientUrl() is on the page origin', async () => {
      pages.set('/plugin-io/api/p/alone', `<!doctype html>${UMD_TAG}`);
      await page.goto(`${server.origin}/plugin-io/api/p/alone`);
      expect(await page.evaluate((id) => (window as any).CanvasCompanion.patientUrl(id), P)).toBe(`${server.origin}/companion/patient/${P}/`);
    });
  });
});
