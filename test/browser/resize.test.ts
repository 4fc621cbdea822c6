/**
 * autoResize() in real Chromium, where only a real layout and a real ResizeObserver say how tall
 * the document is and when it changes; and the development warnings of each built file as a
 * browser loads it (no `process` there).
 */
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { haveChromium, launchChromium, startServer, UMD_TAG, type TestServer } from '../support/browser.js';

/** Condition waits on a loaded machine: generous, since they end as soon as the condition holds. */
const WAIT = { timeout: 10_000 };

// The host plays Canvas: it hands the frame a port once loaded, honours RESIZE by setting the
// frame's height, and records every message.
const HOST = (frameSrc: string) => `<!doctype html><meta charset="utf-8"><title>host</title>
<style>body { margin: 0 } iframe { display: block; width: 390px; height: 200px; border: 0 }</style>
<script>
  window.hostLog = [];
  window.connect = () => {
    const frame = document.querySelector('iframe');
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => {
      hostLog.push(event.data);
      if (event.data.type === 'RESIZE') frame.style.height = event.data.height + 'px';
    };
    frame.contentWindow.postMessage({ type: 'INIT_CHANNEL' }, new URL(frame.src).origin, [channel.port2]);
  };
</script>
<iframe name="plugin" src="${frameSrc}" onload="connect()"></iframe>`;

// A page of fixed-height blocks (its height does not depend on its width), 8 px body margins.
const PLUGIN = `<!doctype html><meta charset="utf-8">${UMD_TAG}
<style>.block { height: 100px; } .tall { height: 300.4px; }</style>
<script>window.lib = CanvasCompanion;</script>
<body><div class="block"></div><div id="more"></div></body>`;

/** Resolves after two animation frames in the frame: whatever autoResize scheduled has run. */
const twoFrames = (frame: Frame) =>
  frame.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));

describe.runIf(haveChromium())('autoResize in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startServer({ '/plugin-io/api/p/app/': PLUGIN, '/companion/host': HOST('/plugin-io/api/p/app/') });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  beforeEach(async () => {
    page = await browser.newPage();
  });

  afterEach(async () => {
    await page.close();
  });

  async function connectedFrame(): Promise<Frame> {
    await page.goto(`${server.origin}/companion/host`);
    const frame = page.frame('plugin')!;
    await frame.waitForFunction(() => (window as any).lib?.isHostConnected(), undefined, WAIT);
    return frame;
  }

  const resizes = () => page.evaluate(() => (window as any).hostLog.filter((message: { type: string }) => message.type === 'RESIZE'));
  const documentHeight = (frame: Frame) => frame.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));

  it('is never started by the library: a connected page sends no RESIZE of its own', async () => {
    const frame = await connectedFrame();
    await frame.evaluate(() => (window as any).lib.postToHost({ type: 'MARK' }));
    await expect.poll(() => page.evaluate(() => (window as any).hostLog), WAIT).toEqual([{ type: 'MARK' }]);
  });

  it('sends the document height at once and when it grows or shrinks, and the host frame follows', async () => {
    const frame = await connectedFrame();
    await frame.evaluate(() => ((window as any).stop = (window as any).lib.autoResize()));
    await expect.poll(resizes, WAIT).toEqual([{ type: 'RESIZE', height: 116 }]);
    await frame.evaluate(() => (document.getElementById('more')!.className = 'tall'));
    await expect.poll(resizes, WAIT).toEqual([
      { type: 'RESIZE', height: 116 },
      { type: 'RESIZE', height: 417 },
    ]);
    expect(await documentHeight(frame)).toBe(417);
    await expect.poll(() => page.evaluate(() => document.querySelector('iframe')!.getBoundingClientRect().height), WAIT).toBe(417);
    await frame.evaluate(() => (document.getElementById('more')!.className = ''));
    await expect.poll(async () => (await resizes()).at(-1), WAIT).toEqual({ type: 'RESIZE', height: 116 });
  });

  it('at most one RESIZE a frame, and none when the height did not change (a width change)', async () => {
    const frame = await connectedFrame();
    await frame.evaluate(() => (window as any).lib.autoResize());
    await expect.poll(resizes, WAIT).toHaveLength(1);
    // Five heights in one task: one frame, one message, with the last.
    await frame.evaluate(() => {
      const more = document.getElementById('more')!;
      for (const height of [10, 20, 30, 40, 50]) {
        more.style.height = `${height}px`;
        void more.offsetHeight;
      }
    });
    await expect.poll(resizes, WAIT).toHaveLength(2);
    expect((await resizes())[1]).toEqual({ type: 'RESIZE', height: 166 });
    // The observer fires for a new width; the height stays, so nothing is sent.
    await page.evaluate(() => (document.querySelector('iframe')!.style.width = '300px'));
    await frame.waitForFunction(() => innerWidth === 300, undefined, WAIT);
    await twoFrames(frame);
    await twoFrames(frame);
    expect(await resizes()).toHaveLength(2);
  });

  it('stops: later changes send nothing', async () => {
    const frame = await connectedFrame();
    await frame.evaluate(() => ((window as any).stop = (window as any).lib.autoResize()));
    await expect.poll(resizes, WAIT).toHaveLength(1);
    await frame.evaluate(() => {
      (window as any).stop();
      document.getElementById('more')!.className = 'tall';
    });
    await twoFrames(frame);
    await twoFrames(frame);
    expect(await resizes()).toHaveLength(1);
  });
});

describe.runIf(haveChromium())('development warnings as a browser loads each file', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let lines: string[];
  let errors: string[];

  const script = {
    'umd.js': '<script src="/dist/canvas-companion.umd.js"></script><script>window.lib = CanvasCompanion;</script>',
    'umd.min.js': `${UMD_TAG}<script>window.lib = CanvasCompanion;</script>`,
    mjs: `<script type="module">import * as lib from '/dist/canvas-companion.mjs'; window.lib = lib;</script>`,
  } as const;

  beforeAll(async () => {
    server = await startServer(
      Object.fromEntries(Object.entries(script).map(([file, tag]) => [`/plugin-io/api/p/${file}`, `<!doctype html><meta charset="utf-8">${tag}`])),
    );
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  beforeEach(async () => {
    page = await browser.newPage();
    lines = [];
    errors = [];
    page.on('console', (message) => lines.push(message.text()));
    page.on('pageerror', (error) => errors.push(error.message));
  });

  afterEach(async () => {
    await page.close();
  });

  /** Loads `file` and makes the same careless calls twice: unknown option keys. */
  async function carelessCalls(file: keyof typeof script) {
    await page.goto(`${server.origin}/plugin-io/api/p/${file}`);
    await page.waitForFunction(() => (window as any).lib !== undefined, undefined, WAIT);
    await page.evaluate(async () => {
      const lib = (window as any).lib;
      for (let i = 0; i < 2; i++) {
        lib.configure({ allowedOrigin: [] });
        await lib.requestJSON('/plugin-io/api/p/umd.js', { timout: 5000 }).catch(() => {});
      }
      lib.postToHost({ type: 'DONE' });
      console.log('done');
    });
    await expect.poll(() => lines.includes('done'), WAIT).toBe(true);
  }

  it('the .umd.js file warns once per unknown key, naming the nearest known one', async () => {
    await carelessCalls('umd.js');
    expect(lines.filter((line) => line.startsWith('canvas-companion:'))).toEqual([
      'canvas-companion: configure(): unknown option "allowedOrigin" (did you mean "allowedOrigins"?)',
      'canvas-companion: requestJSON(): unknown option "timout" (did you mean "timeout"?)',
    ]);
    expect(errors).toEqual([]);
  });

  it.each(['umd.min.js', 'mjs'] as const)('the %s file as served never warns, and reads no process', async (file) => {
    await carelessCalls(file);
    expect(lines.filter((line) => line.startsWith('canvas-companion:'))).toEqual([]);
    expect(errors).toEqual([]);
  });
});
