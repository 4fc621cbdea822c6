/**
 * The companion harness: one local server that plays Canvas for plugin pages.
 *
 * - /companion/…                          the mock Provider Companion shell (lib/shell-api.mjs)
 * - /plugin-io/api/NAME/…, /plugin-io/ws/NAME/<channel>/
 *                                         a plugin folder on the mock platform (lib/plugins.mjs,
 *                                         lib/platform.mjs), or a proxy to the author's server (lib/proxy.mjs)
 *
 * `startHarness()` is what the `canvas-companion harness` command (bin/) and the tests call.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { cookies, decode, refuseUpgrade, requestUrl, sendFile, sendJSON, sendText } from './lib/http.mjs';
import { createLive } from './lib/live.mjs';
import { DEFAULTS, OptionError } from './lib/options.mjs';
import { createPlatform } from './lib/platform.mjs';
import { loadPlugins } from './lib/plugins.mjs';
import { proxyUpgrade } from './lib/proxy.mjs';
import { shellApi, shellFile, shellPage } from './lib/shell-api.mjs';

export { HELP, OptionError, parseApp, parseArgs, parsePlugin } from './lib/options.mjs';

/** The demo plugin folder: shown when no other plugin is given, or with `demo: true`. */
export const DEMO_PLUGIN_DIR = join(import.meta.dirname, 'plugin');
const ROOT = join(import.meta.dirname, '..');
const COOKIE = 'sessionid';
/** Server limits: slow or huge requests get an answer rather than a hung socket. */
const LIMITS = Object.freeze({ headersTimeout: 15_000, requestTimeout: 60_000, maxHeaderSize: 16_384 });

/**
 * Starts the harness. Types: harness.d.mts.
 * @param {import('./harness.d.mts').HarnessOptions} [options]
 * @returns {Promise<import('./harness.d.mts').Harness>}
 */
export async function startHarness(options = {}) {
  const {
    port = DEFAULTS.port, plugins = [], apps = [], pluginDirs = [], demo = false, effectDelay = DEFAULTS.effectDelay,
    log = (line) => console.log(`[harness] ${line}`), distDir = join(ROOT, 'dist'),
  } = options;
  if (!existsSync(join(distDir, 'canvas-companion.umd.js')) || !existsSync(join(distDir, 'canvas-companion.mjs'))) {
    throw new OptionError(`the library is not built (${distDir} has no canvas-companion.umd.js / .mjs): run npm run build`);
  }
  const showDemo = demo || (!plugins.length && !pluginDirs.length);
  const version = Date.now().toString(36);
  const platform = createPlatform({ effectDelay, log });
  const live = createLive({ log });
  platform.setBroadcaster(live.deliver);
  const unwatch = platform.onChange(live.notifyShell);
  let loaded;
  try {
    loaded = await loadPlugins({
      pluginDirs: [...(showDemo ? [{ dir: DEMO_PLUGIN_DIR, mock: null }] : []), ...pluginDirs], plugins, apps, platform, log, distDir,
    });
  } catch (error) {
    platform.close();
    throw error;
  }

  /** token -> { expired } */
  const tokens = new Map();
  const sessions = {
    staff: platform.staff,
    signIn() {
      const token = randomUUID();
      tokens.set(token, { expired: false });
      return `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax`;
    },
    /** Expires the request's session and drops its sockets; returns how many were dropped. */
    expire(current) {
      if (!current.found) return 0;
      current.found.expired = true;
      return live.dropSession(current.token);
    },
  };
  const session = (request) => {
    const token = cookies(request)[COOKIE];
    const found = token ? tokens.get(token) : undefined;
    return { token, found, staff: found && !found.expired ? platform.staff : null };
  };

  /** Top-level routes: [method or null for any, path pattern, handler(ctx, match)]. */
  const ROUTES = [
    [null, /^\/(?:companion)?$/, ({ response }) => void response.writeHead(302, { location: '/companion/' }).end()],
    ['GET', /^\/favicon\.ico$/, ({ response }) => void response.writeHead(204).end()],
    ['GET', /^\/companion\/static\/([\w-]+\.(?:js|css))$/, ({ response }, m) => shellFile(response, m[1])],
    ['GET', /^\/companion\/icons\/([^/]+)$/, ({ response }, m) => {
      const file = loaded.iconOf(decode(m[1]) ?? '');
      return file ? sendFile(response, file) : sendJSON(response, 404);
    }],
    [null, /^\/companion\/api(\/.*)$/, (ctx, m) => shellApi(ctx, m[1])],
    ['GET', /^\/companion\/patient\/[^/]+$/, ({ response, url }) => void response.writeHead(301, { location: `${url.pathname}/${url.search}` }).end()],
    ['GET', /^\/companion\//, (ctx) => shellPage(ctx)],
    [null, /^\/plugin-io\/api\/(\w+)(\/.*)?$/, (ctx, m) => loaded.handle({ ...ctx, name: m[1], rest: m[2] ?? '', staff: ctx.current.staff })],
  ];

  const server = http.createServer({ ...LIMITS }, async (request, response) => {
    try {
      const url = requestUrl(request);
      if (!url) {
        log(`400 ${request.method} ${JSON.stringify(request.url)}: the request target must be a path (/...)`);
        return sendText(response, 400, 'The request target must be a path starting with /', { connection: 'close' });
      }
      const ctx = { request, response, url, current: session(request), sessions, platform, plugins: loaded, log, version };
      for (const [method, pattern, handler] of ROUTES) {
        const match = pattern.exec(url.pathname);
        if (match && (!method || method === request.method || (method === 'GET' && request.method === 'HEAD'))) return await handler(ctx, match);
      }
      log(`404 ${request.method} ${url.pathname}: the harness has no such page`);
      sendText(response, 404, 'Not found');
    } catch (error) {
      log(`500 ${request.method} ${request.url}: ${error?.stack ?? error}`);
      if (!response.headersSent) sendText(response, 500, 'The harness failed on this request (see its terminal)');
      else response.destroy();
    }
  });
  // A request Node cannot parse (bad header, bad method, oversized head): one line, a 400, no crash.
  server.on('clientError', (error, socket) => {
    if (error.code !== 'ECONNRESET') log(`400 unparsable request: ${error.code ?? ''} ${error.message}`.trim());
    if (socket.writable && !socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 23\r\n\r\nMalformed HTTP request\n');
    else socket.destroy();
  });

  server.on('upgrade', (request, socket, head) => {
    live.hold(socket);
    socket.on('error', () => socket.destroy());
    upgrade(request, socket, head).catch((error) => {
      log(`500 WebSocket ${request.url}: ${error?.stack ?? error}`);
      refuseUpgrade(socket, 500, 'Internal Server Error');
    });
  });

  async function upgrade(request, socket, head) {
    const url = requestUrl(request);
    if (!url) {
      log(`400 WebSocket ${JSON.stringify(request.url)}: the request target must be a path`);
      return refuseUpgrade(socket, 400, 'Bad Request');
    }
    const current = session(request);
    if (url.pathname === '/companion/live/') {
      if (!current.staff) return refuseUpgrade(socket, 403, 'Forbidden');
      return live.accept(request, socket, head, current.token, { shell: true });
    }
    const route = /^\/plugin-io\/ws\/(\w+)\/([\w-]+)\/$/.exec(url.pathname);
    if (!route) {
      log(`404 WebSocket ${url.pathname}: no route found${url.pathname.startsWith('/plugin-io/ws/') ? ' (the path must be /plugin-io/ws/<plugin>/<channel>/ with the trailing slash; channel [\\w-]+)' : ''}`);
      return refuseUpgrade(socket, 404, 'Not Found');
    }
    const [, name, channel] = route;
    const plugin = loaded.get(name);
    if (!plugin) {
      log(`404 WebSocket ${url.pathname}: no plugin ${name}`);
      return refuseUpgrade(socket, 404, 'Not Found');
    }
    if (plugin.kind === 'proxy') {
      return proxyUpgrade({
        name, origin: plugin.url, request, socket, head, staff: current.staff, log,
        opened: (drop, upstream) => {
          live.hold(upstream);
          const forget = live.track(current.token, { drop });
          socket.once('close', forget);
        },
      });
    }
    const verdict = await plugin.backend.authorize({ channel, path: url.pathname, query: url.searchParams, headers: { ...request.headers }, staff: current.staff });
    if (!verdict.allowed) {
      log(`403 WebSocket ${url.pathname}: ${verdict.reason}`);
      return refuseUpgrade(socket, 403, 'Forbidden');
    }
    if (socket.destroyed) return;
    live.accept(request, socket, head, current.token, { plugin: name, channel });
  }

  await new Promise((resolve, reject) => {
    const onError = (error) => {
      unwatch();
      platform.close();
      if (error.code === 'EADDRINUSE') {
        reject(Object.assign(new Error(`port ${port} on 127.0.0.1 is in use: stop the other server, or pick another port (--port ${port + 1})`), { code: 'EADDRINUSE' }));
      } else reject(error);
    };
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  const actual = server.address().port;
  const origin = `http://127.0.0.1:${actual}`;

  let closing;
  return {
    url: `${origin}/companion/`,
    origin,
    port: actual,
    platform,
    apps: loaded.apps,
    plugins: loaded.proxies,
    folders: loaded.folders,
    sockets: (plugin, channel) => live.count(plugin, channel),
    close() {
      closing ??= new Promise((resolve) => {
        unwatch();
        platform.close();
        live.close();
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
