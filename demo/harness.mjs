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
import { cookies, decode, refuseUpgrade, requestUrl, sendFile, sendText } from './lib/http.mjs';
import { LIBRARY_FILES } from './lib/library.mjs';
import { createLive } from './lib/live.mjs';
import { DEFAULTS, OptionError } from './lib/options.mjs';
import { createPlatform } from './lib/platform.mjs';
import { DEFAULTS as PLUGIN_DEFAULTS, loadPlugins } from './lib/plugins.mjs';
import { proxyUpgrade } from './lib/proxy.mjs';
import { shellApi, shellFile, shellPage } from './lib/shell-api.mjs';

export { HELP, OptionError, parseApp, parseArgs, parsePlugin } from './lib/options.mjs';

/** The demo plugin folder: shown when no other plugin is given, or with `demo: true`. */
export const DEMO_PLUGIN_DIR = join(import.meta.dirname, 'plugin');
const ROOT = join(import.meta.dirname, '..');
const COOKIE = 'sessionid';
/** Server limits: slow or huge requests get an answer rather than a hung socket. */
const LIMITS = Object.freeze({ headersTimeout: 15_000, requestTimeout: 60_000, maxHeaderSize: 16_384 });
/** Session tokens kept at most; the oldest is forgotten first (a signed-out session signs in again). */
const MAX_SESSIONS = 1_000;

/**
 * Starts the harness. Types: harness.d.mts.
 * @param {import('./harness.d.mts').HarnessOptions} [options]
 * @returns {Promise<import('./harness.d.mts').Harness>}
 */
export async function startHarness(options = {}) {
  const {
    port = DEFAULTS.port, plugins = [], apps = [], pluginDirs = [], demo = false, effectDelay = DEFAULTS.effectDelay,
    log = (line) => console.log(`[harness] ${line}`), distDir = join(ROOT, 'dist'), mockTimeout = PLUGIN_DEFAULTS.mockTimeout,
  } = options;
  const missing = LIBRARY_FILES.filter((name) => !existsSync(join(distDir, name)));
  if (missing.length) throw new OptionError(`the library is not built (${distDir} has no ${missing.join(', ')}): run npm run build`);
  const showDemo = demo || (!plugins.length && !pluginDirs.length);
  const version = Date.now().toString(36);
  const platform = createPlatform({ effectDelay, log });
  const live = createLive({ log });
  platform.setBroadcaster(live.deliver);
  const unwatch = platform.onChange(live.notifyShell);
  let loaded;
  try {
    loaded = await loadPlugins({
      pluginDirs: [...(showDemo ? [{ dir: DEMO_PLUGIN_DIR, mock: null }] : []), ...pluginDirs], plugins, apps, platform, log, distDir, mockTimeout,
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
      // Every cookie-less visit signs in: keep the newest MAX_SESSIONS, so a loop of visits cannot grow memory.
      while (tokens.size >= MAX_SESSIONS) tokens.delete(tokens.keys().next().value);
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
    ['GET', /^\/companion\/icons\/([^/]+)$/, async ({ response, url }, m) => {
      const file = await loaded.iconOf(decode(m[1]) ?? '');
      if (file) return sendFile(response, file);
      log(`404 GET ${url.pathname}: no such app, or its icon is not a file inside its plugin folder`);
      return sendText(response, 404, 'No such icon');
    }],
    [null, /^\/companion\/api(\/.*)$/, (ctx, m) => shellApi(ctx, m[1])],
    ['GET', /^\/companion\/patient\/[^/]+$/, ({ response, url }) => void response.writeHead(301, { location: `${url.pathname}/${url.search}` }).end()],
    ['GET', /^\/companion\//, (ctx) => shellPage(ctx)],
    [null, /^\/plugin-io\/api\/(\w+)(\/.*)?$/, (ctx, m) => loaded.handle({ ...ctx, name: m[1], rest: m[2] ?? '', staff: ctx.current.staff })],
  ];

  /** Connections that carried a request: the client hanging up on one later is not a new bad request. */
  const used = new WeakSet();

  async function onRequest(request, response) {
    used.add(request.socket);
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
  }
  const server = http.createServer({ ...LIMITS }, onRequest);
  // A request Node cannot parse (bad header, bad method, oversized head): one line, a 400, no crash.
  server.on('clientError', (error, socket) => {
    const hungUp = error.code === 'ECONNRESET' || (error.code === 'HPE_INVALID_EOF_STATE' && used.has(socket));
    if (!hungUp) log(`400 unparsable request: ${error.code ?? ''} ${error.message}`.trim());
    if (socket.writable && !socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 23\r\n\r\nMalformed HTTP request\n');
    else socket.destroy();
  });

  server.on('upgrade', (request, socket, head) => {
    live.hold(socket);
    socket.on('error', () => socket.destroy());
    // Only WebSocket upgrades go this way; any other (h2c, ...) is an ordinary HTTP request.
    if (String(request.headers.upgrade).trim().toLowerCase() !== 'websocket') return void serveAsHttp(request, socket, head);
    upgrade(request, socket, head).catch((error) => {
      log(`500 WebSocket ${request.url}: ${error?.stack ?? error}`);
      refuseUpgrade(socket, 500, 'Internal Server Error');
    });
  });

  /**
   * Answers a non-WebSocket upgrade request (`Upgrade: h2c`, ...) as plain HTTP/1.1 on its socket,
   * through the same routes, and closes the connection. Node has already taken the socket from
   * its HTTP parser, so a request body cannot be read: such a request gets a 400 that says so.
   */
  function serveAsHttp(request, socket, head) {
    const length = Number(request.headers['content-length'] ?? 0);
    if (head.length || request.headers['transfer-encoding'] !== undefined || length !== 0) {
      log(`400 ${request.method} ${request.url}: Upgrade: ${request.headers.upgrade} with a request body (send it without the Upgrade header)`);
      return refuseUpgrade(socket, 400, 'Bad Request');
    }
    const response = new http.ServerResponse(request);
    response.shouldKeepAlive = false;
    response.assignSocket(socket);
    response.once('finish', () => {
      response.detachSocket(socket);
      socket.end();
    });
    return onRequest(request, response);
  }

  /** WebSocket upgrades: [path pattern, handler(ctx, match)]; anything else is refused with 404. */
  const UPGRADES = [
    [/^\/companion\/live\/$/, shellSocket],
    [/^\/plugin-io\/ws\/(\w+)\/([\w-]+)\/$/, pluginSocket],
  ];

  async function upgrade(request, socket, head) {
    const url = requestUrl(request);
    if (!url) {
      log(`400 WebSocket ${JSON.stringify(request.url)}: the request target must be a path`);
      return refuseUpgrade(socket, 400, 'Bad Request');
    }
    const ctx = { request, socket, head, url, current: session(request) };
    for (const [pattern, handler] of UPGRADES) {
      const match = pattern.exec(url.pathname);
      if (match) return handler(ctx, match);
    }
    log(`404 WebSocket ${url.pathname}: no route found${url.pathname.startsWith('/plugin-io/ws/') ? ' (the path must be /plugin-io/ws/<plugin>/<channel>/ with the trailing slash; channel [\\w-]+)' : ''}`);
    return refuseUpgrade(socket, 404, 'Not Found');
  }

  /** /companion/live/: the shell's change feed, for a signed-in session. */
  function shellSocket({ request, socket, head, url, current }) {
    if (!current.staff) {
      log(`403 WebSocket ${url.pathname}: no staff session (the shell signs in again when reloaded)`);
      return refuseUpgrade(socket, 403, 'Forbidden');
    }
    return live.accept(request, socket, head, current.token, { shell: true });
  }

  /** /plugin-io/ws/<plugin>/<channel>/: a proxied socket, or one the mock's socket rule allows. */
  async function pluginSocket({ request, socket, head, url, current }, [, name, channel]) {
    const plugin = loaded.get(name);
    if (!plugin) {
      log(`404 WebSocket ${url.pathname}: no plugin ${name}`);
      return refuseUpgrade(socket, 404, 'Not Found');
    }
    if (plugin.kind === 'proxy') {
      // Registered before the upstream answers: a browser that leaves meanwhile is not tracked forever.
      let forget = null;
      let gone = false;
      socket.once('close', () => {
        gone = true;
        forget?.();
      });
      return proxyUpgrade({
        name, origin: plugin.url, request, socket, head, staff: current.staff, log,
        opened: (drop, upstream) => {
          live.hold(upstream);
          if (gone) return void drop();
          forget = live.track(current.token, { drop });
        },
      });
    }
    const verdict = await loaded.authorize(plugin, { channel, path: url.pathname, query: url.searchParams, headers: { ...request.headers }, staff: current.staff });
    if (!verdict.allowed) {
      log(`${verdict.status} WebSocket ${url.pathname}: ${verdict.reason}`);
      return refuseUpgrade(socket, verdict.status, verdict.status === 504 ? 'Gateway Timeout' : 'Forbidden');
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
