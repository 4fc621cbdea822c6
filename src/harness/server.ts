/**
 * The harness's HTTP server: one local server on 127.0.0.1 that plays Canvas for plugin pages.
 * The routes are in routes.ts; this file starts, guards and stops the server.
 * @module
 */
import { existsSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { createPlatform, type Platform } from '../platform/index.js';
import { OptionError, stackOf } from './errors.js';
import type { PluginCheck } from './compare.js';
import { allowedHosts, checkHead, HEAD_LIMITS, type Refusal } from './guard.js';
import { refuseUpgrade, requestUrl, sendText } from './http.js';
import { effectDelayOf } from './conditions.js';
import { createLive } from './live.js';
import { DEFAULT_EFFECT_DELAY, DEFAULT_PORT, type HarnessApp, type HarnessPlugin, type HarnessPluginDir } from './options.js';
import { DEMO_PLUGIN_DIR, LIBRARY_FILES, ROOT } from './paths.js';
import { loadPlugins, type Plugins, type ShellApp } from './plugins.js';
import { routeRequest, routeUpgrade } from './routes.js';
import { createSessions } from './session.js';
import { createRecorder } from './trace.js';

/** Options of {@link startHarness}. */
export interface HarnessOptions {
  /**
   * Port on 127.0.0.1; 0 picks a free one.
   * @default 4173
   */
  port?: number;
  /** Plugin folders, each with its mock module. */
  pluginDirs?: HarnessPluginDir[];
  /** Plugins served by the author's own server (proxied). */
  plugins?: HarnessPlugin[];
  /** Apps of those plugins, or launch URLs of their manifest applications. */
  apps?: HarnessApp[];
  /**
   * Show the demo plugin even though other plugins are given.
   * @default false (it shows when no other plugin is given)
   */
  demo?: boolean;
  /**
   * Milliseconds before an effect lands when a mock gives no `after`.
   * @default 1200
   */
  effectDelay?: number;
  /**
   * Where log lines go.
   * @default console.log with a "[harness] " prefix
   */
  log?: (line: string) => void;
  /**
   * The built library (served as static/canvas-companion.* to plugins that have not vendored it).
   * @default <package>/dist
   */
  distDir?: string;
  /**
   * How long a mock route or socket rule may take before the harness answers 504, in ms.
   * @default 30000
   */
  mockTimeout?: number;
  /**
   * Host names besides 127.0.0.1, localhost and [::1] that requests may name (`--host`): a name
   * alone is taken with the harness's port and without one; `name:port` as it is. Any other
   * `Host` gets 421 before any session, route, proxy or socket (DNS rebinding).
   * @default []
   */
  hosts?: string[];
  /**
   * The Python interpreter that reads a plugin folder's Python (its `ast` module only) to hold the
   * mock against it. When it is missing, one line says so and nothing is checked.
   * @default 'python3'
   */
  python?: string;
  /**
   * How long a request's head may take to arrive before the answer is 408, in ms (checked about
   * every second, or every third of this when it is shorter).
   * @default 15000
   */
  headTimeout?: number;
}

/** A running harness. */
export interface Harness {
  /** `http://127.0.0.1:<port>/companion/` */
  url: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  /** The mock platform: patients, notes, tasks, apply, broadcast. */
  platform: Platform;
  apps: ShellApp[];
  /** name -> origin of each --plugin proxy */
  plugins: Map<string, string>;
  /** name -> folder of each plugin folder */
  folders: Map<string, string>;
  /** Each plugin folder's mock held against its Python (also at /companion/api/checks). */
  checks: PluginCheck[];
  /** How many sockets are open on a plugin's channel. */
  sockets(plugin: string, channel: string): number;
  /** Stops the server, its sockets and pending effects. */
  close(): Promise<void>;
}

/** How long a whole request may take, in ms: a slow body gets 408 rather than a hung socket. */
const REQUEST_TIMEOUT = 60_000;

/** Requests Node's parser refuses (by error code), and the answer each gets; anything else is a 400. */
const CLIENT_ERRORS: Readonly<Record<string, { status: number; reason: string; text: string; log: (timeout: number) => string }>> = Object.freeze({
  HPE_HEADER_OVERFLOW: {
    status: 431, reason: 'Request Header Fields Too Large', text: `The request's head (URL and headers) is over ${HEAD_LIMITS.parser / 1_048_576} MiB`,
    log: () => `431 unparsable request: its head (URL and headers) is over ${HEAD_LIMITS.parser} bytes (HPE_HEADER_OVERFLOW)`,
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408, reason: 'Request Timeout', text: 'The request did not arrive in time',
    log: (timeout) => `408 slow request: its head did not arrive within ${timeout} ms, or the whole request within ${REQUEST_TIMEOUT} ms (ERR_HTTP_REQUEST_TIMEOUT)`,
  },
});

/**
 * Starts the harness: loads the plugins, then listens on 127.0.0.1.
 * @throws {@link OptionError} for a library that is not built, or a plugin, mock or app that is
 *   wrong (the message says what to change); an Error with code `EADDRINUSE` when the port is taken.
 */
export async function startHarness({
  port = DEFAULT_PORT, plugins = [], apps = [], pluginDirs = [], demo = false, effectDelay = DEFAULT_EFFECT_DELAY,
  log = (line) => console.log(`[harness] ${line}`), distDir = join(ROOT, 'dist'), mockTimeout = 30_000, hosts = [], python = 'python3', headTimeout = 15_000,
}: HarnessOptions = {}): Promise<Harness> {
  const missing = LIBRARY_FILES.filter((name) => !existsSync(join(distDir, name)));
  if (missing.length) throw new OptionError(`the library is not built (${distDir} has no ${missing.join(', ')}): run npm run build`);
  const showDemo = demo || (!plugins.length && !pluginDirs.length);
  const platform = createPlatform({
    effectDelay, log,
    // An effect applied as work of a session waits that session's effect_delay when its mock gave no `after`.
    schedule: (land, after, defaulted) => {
      const timer = setTimeout(land, effectDelayOf(sessions.active(), after, defaulted));
      return () => clearTimeout(timer);
    },
    // A mock's platform.staff is the staff member of the session its work runs for (switchable).
    signedIn: () => sessions.active()?.staff ?? null,
  });
  const live = createLive({ log });
  platform.setBroadcaster(live.deliver);
  // Every session starts as the practice's first staff member (platform.staff outside any session).
  const sessions = createSessions({ staff: platform.staffMembers[0]!, dropSockets: live.dropSession });
  const trace = createRecorder({
    publish: (number, update) => {
      const token = number === null ? null : sessions.byNumber(number)?.token;
      if (token !== undefined) live.feed(token, JSON.stringify(update));
    },
  });
  const unwatchEffects = platform.onEffect((report) => {
    // Later steps keep the session their entry was recorded with.
    const session = report.state === 'scheduled' ? sessions.active() : null;
    trace.effect(report, { session: session?.number ?? null, after: effectDelayOf(session, report.after, report.defaulted) });
  });
  const unwatchChanges = platform.onChange(live.notifyShell);
  const unwatch = () => {
    unwatchEffects();
    unwatchChanges();
  };
  let loaded: Plugins;
  try {
    loaded = await loadPlugins({
      pluginDirs: [...(showDemo ? [{ dir: DEMO_PLUGIN_DIR, mock: null }] : []), ...pluginDirs], plugins, apps, platform, log, distDir, mockTimeout, python,
    });
  } catch (error) {
    platform.close();
    throw error;
  }
  const version = Date.now().toString(36);

  /** Connections that carried a request: the client hanging up on one later is not a new bad request. */
  const used = new WeakSet<Duplex>();
  /** The Host values requests may carry, set once the port is known. */
  let ownHosts = new Set<string>();
  let actual = port;
  /** The harness's origin, set once the port is known (requests come only after). */
  let origin = '';
  /** The guard every request and upgrade passes first: its refusal, logged, or null. */
  const refusal = (request: IncomingMessage): Refusal | null => {
    const refused = checkHead(request, ownHosts, actual);
    if (refused) log(refused.log);
    return refused;
  };

  async function onRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    used.add(request.socket);
    try {
      const refused = refusal(request);
      if (refused) return sendText(response, refused.status, refused.text, { connection: 'close' });
      const url = requestUrl(request);
      if (!url) {
        log(`400 ${request.method} ${JSON.stringify(request.url)}: the request target must be a path (/...)`);
        return sendText(response, 400, 'The request target must be a path starting with /', { connection: 'close' });
      }
      await routeRequest({ request, response, url, current: sessions.of(request), sessions, platform, plugins: loaded, trace, log, version, origin, effectDelay, mockTimeout });
    } catch (error) {
      log(`500 ${request.method} ${request.url}: ${stackOf(error)}`);
      if (!response.headersSent) sendText(response, 500, 'The harness failed on this request (see its terminal)');
      else response.destroy();
    }
  }

  const server = http.createServer({
    // Heads up to the parser's limit reach the guard, which answers 414 or 431 with a text; a
    // missing Host is the guard's to answer too (Node's own 400 has no text and no log line).
    maxHeaderSize: HEAD_LIMITS.parser, requireHostHeader: false,
    headersTimeout: headTimeout, requestTimeout: Math.max(REQUEST_TIMEOUT, headTimeout), connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(headTimeout / 3))),
  }, onRequest);
  // A request Node cannot parse (bad header, bad method, huge or slow head): one line, a 4xx, no crash.
  /** Connections already answered for a request Node could not parse: more of their bytes add no answer and no line. */
  const unparsable = new WeakSet<Duplex>();
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (unparsable.has(socket)) return void socket.destroy();
    unparsable.add(socket);
    const hungUp = error.code === 'ECONNRESET' || (error.code === 'HPE_INVALID_EOF_STATE' && used.has(socket));
    const known = error.code ? CLIENT_ERRORS[error.code] : undefined;
    if (!hungUp) log(known ? known.log(headTimeout) : `400 unparsable request: ${error.code ?? ''} ${error.message}`.trim());
    // An answer already under way (a slow body after the head) cannot be followed by another.
    const answering = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (answering?.headersSent) return void socket.destroy();
    refuseUpgrade(socket, known?.status ?? 400, known?.reason ?? 'Bad Request', known?.text ?? 'Malformed HTTP request');
  });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    live.hold(socket);
    socket.on('error', () => socket.destroy());
    const refused = refusal(request);
    if (refused) return refuseUpgrade(socket, refused.status, refused.reason, refused.text);
    // Only WebSocket upgrades go this way; any other (h2c, ...) is an ordinary HTTP request.
    if (String(request.headers.upgrade).trim().toLowerCase() !== 'websocket') return void serveAsHttp(request, socket, head);
    upgrade(request, socket, head).catch((error: unknown) => {
      log(`500 WebSocket ${request.url}: ${stackOf(error)}`);
      refuseUpgrade(socket, 500, 'Internal Server Error');
    });
  });

  /**
   * Answers a non-WebSocket upgrade request (`Upgrade: h2c`, ...) as plain HTTP/1.1 on its socket,
   * through the same routes, and closes the connection. Node has already taken the socket from
   * its HTTP parser, so a request body cannot be read: such a request gets a 400 that says so.
   */
  function serveAsHttp(request: IncomingMessage, socket: Duplex, head: Buffer): void | Promise<void> {
    const length = Number(request.headers['content-length'] ?? 0);
    if (head.length || request.headers['transfer-encoding'] !== undefined || length !== 0) {
      log(`400 ${request.method} ${request.url}: Upgrade: ${request.headers.upgrade} with a request body (send it without the Upgrade header)`);
      return refuseUpgrade(socket, 400, 'Bad Request');
    }
    const response = new http.ServerResponse(request);
    response.shouldKeepAlive = false;
    // Node's upgrade sockets are net.Sockets; the typings only promise a Duplex.
    response.assignSocket(socket as Socket);
    response.once('finish', () => {
      response.detachSocket(socket as Socket);
      socket.end();
    });
    return onRequest(request, response);
  }

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = requestUrl(request);
    if (!url) {
      log(`400 WebSocket ${JSON.stringify(request.url)}: the request target must be a path`);
      return refuseUpgrade(socket, 400, 'Bad Request');
    }
    return routeUpgrade({ request, socket, head, url, current: sessions.of(request), sessions, live, plugins: loaded, trace, log });
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
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
  actual = (server.address() as AddressInfo).port;
  ownHosts = allowedHosts(actual, hosts);
  origin = `http://127.0.0.1:${actual}`;

  let closing: Promise<void> | undefined;
  return {
    url: `${origin}/companion/`,
    origin,
    port: actual,
    platform,
    apps: loaded.apps,
    plugins: loaded.proxies,
    folders: loaded.folders,
    checks: loaded.checks,
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
