/**
 * Shared fixtures for the real-browser tests: a static + scripted HTTP server on 127.0.0.1 and
 * headless Chromium driven by playwright-core.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Frame, type LaunchOptions, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from '../../scripts/chromium.mjs';

/** The Chromium the tests launch: `CHROMIUM_PATH` when set, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM = chromiumPath();
/** Launch flags that keep headless Chromium off the (closed) network. */
export { CHROMIUM_ARGS };
export const ROOT = join(import.meta.dirname, '..', '..');

/** Whether the browser tests can run. In CI a missing Chromium is a failure, not a skip. */
export function haveChromium(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing: the browser tests must run in CI`);
  console.warn(`${CHROMIUM} is missing: skipping browser tests (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  return false;
}

/** Launches headless Chromium ({@link CHROMIUM}) with flags that keep it off the (closed) network; `options` are added. */
export function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    ...options,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
  });
}

/** A route: return true when handled. */
export type Handler = (request: IncomingMessage, response: ServerResponse, url: URL) => boolean | void | Promise<boolean | void>;

export interface TestServer {
  server: Server;
  port: number;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `http://localhost:<port>`: the same server seen from another origin. */
  altOrigin: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.css': 'text/css' };

/**
 * Starts a server on 127.0.0.1 (random port). `pages` maps a path to HTML; `/dist/*` serves the
 * built library; `handler` runs first for scripted routes.
 */
export async function startServer(pages: Record<string, string> = {}, handler?: Handler): Promise<TestServer> {
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    try {
      if (handler && (await handler(request, response, url))) return;
      const page = pages[url.pathname];
      if (page !== undefined) {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        response.end(page);
        return;
      }
      if (url.pathname.startsWith('/dist/') && !url.pathname.includes('..')) {
        const file = join(ROOT, url.pathname);
        if (existsSync(file)) {
          response.writeHead(200, { 'content-type': TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream' });
          response.end(readFileSync(file));
          return;
        }
      }
      response.writeHead(404).end();
    } catch (error) {
      response.writeHead(500).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    origin: `http://127.0.0.1:${port}`,
    altOrigin: `http://localhost:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `<script>` tag loading the UMD build (global `CanvasCompanion`). */
// The minified file: it is the one plugins copy, and the only one whose bundled socket code is property-mangled.
export const UMD_TAG = '<script src="/dist/canvas-companion.umd.min.js"></script>';

/**
 * A fresh phone-sized (390×844) browser profile on a page of the harness shell at `url`, once
 * the shell has drawn its title; uncaught page errors are collected. The context is added to
 * `contexts`, for the caller to close.
 */
export async function openShellPage(browser: Browser, url: string, contexts: BrowserContext[]): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  await page.locator('.top .title').first().waitFor();
  return { context, page, errors };
}

/** Taps an app's launcher tile or tab in the harness shell and returns its iframe. */
export async function openShellApp(page: Page, id: string): Promise<Frame> {
  await page.locator(`[data-open="${id}"], [data-tab="${id}"]`).first().click();
  const handle = await page.locator(`.sheet[data-app="${id}"] iframe`).elementHandle();
  return (await handle!.contentFrame())!;
}
