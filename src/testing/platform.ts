/**
 * A mock Canvas platform for a page's unit tests: the harness's own platform core
 * (src/platform: the sample practice and its records, effects, broadcasts, a plugin's routes,
 * socket rules and outside events) behind a `fetch` and a `WebSocket` class instead of an HTTP
 * server.
 * @module
 */
import { createPlatform, type MockModule, type PluginPlatform } from '../platform/index.js';
import { createEffects, requestPattern, type EffectTiming } from './effects.js';
import { createFetch, markKitFetch, refuseSecondBackend, type RecordedRequest } from './fetch.js';
import { KIT_DEFAULTS } from './launch.js';
import { createSocketClass, type Connection } from './socket.js';

/** Options of {@link mockPlatform}: a mock module's exports (the harness's `--mock FILE`), and the test's settings. */
export interface MockPlatformOptions extends MockModule {
  /** A module's default export, when it has one instead of named exports (`{ ...await import('./mock.mjs') }` passes either). */
  default?: MockModule;
  /**
   * The plugin's name: requests to `/plugin-io/api/<plugin>/…` and sockets on
   * `/plugin-io/ws/<plugin>/…` are served.
   * @default 'my_plugin' (also {@link launch}'s default)
   */
  plugin?: string;
  /**
   * When effects that routes apply without their own `after` land.
   * @default { after: 1200 } (the harness's default)
   */
  effects?: EffectTiming;
  /**
   * Start signed in (a staff session), or signed out: every route answers 401.
   * @default true
   */
  signedIn?: boolean;
  /**
   * "Today" for the sample chart's dates.
   * @default new Date()
   */
  now?: Date;
  /**
   * Where the platform reports a route that threw, a failed effect and a refused socket.
   * @default console.warn
   */
  log?: (line: string) => void;
}

/** What {@link mockPlatform} returns: the plugin's view of the platform (what routes get), with the test's controls. */
export interface MockPlatform extends PluginPlatform {
  /** A `fetch` answering the plugin's routes. Pass it as the library's `fetch` option, or `install()` it. */
  readonly fetch: typeof fetch;
  /** A `WebSocket` class for the plugin's channels. Pass it as `subscribe()`'s `WebSocket` option, or `install()` it. */
  readonly WebSocket: typeof WebSocket;
  /** The open sockets, oldest first. */
  readonly sockets: readonly MockSocket[];
  /** Every request to the plugin's routes, in order of arrival. */
  readonly requests: readonly RecordedRequest[];
  /**
   * How many requests match: `"METHOD /path"` as sent (no query; `<name>` matches any one
   * segment, as in `effects.find`: `'GET /app/tasks/<id>'` counts requests not yet answered
   * too), the route key that answered, or a test function.
   * Without an argument, all of them.
   */
  count(match?: string | ((request: RecordedRequest) => boolean)): number;
  /** Whether the staff session is valid. */
  readonly signedIn: boolean;
  /** Ends the staff session: every route answers 401 `{"error": …}`, every socket is dropped, and upgrades are refused. */
  signOut(): void;
  /** Starts a staff session again. */
  signIn(): void;
  /** Lands every effect held by `effects: { finds }` now; returns how many landed. */
  land(): number;
  /** The names of the module's outside events (its `events` export). */
  readonly events: readonly string[];
  /**
   * Makes the module's outside event `name` happen now, as the harness shell's button does
   * (after `setup` finished): resolves when it ran, rejects with what it threw. Its writes
   * notify `onChange` listeners, so the module's broadcasts follow.
   * @throws TypeError for a name the module does not export, listing the ones it does.
   */
  trigger(name: string): Promise<void>;
  /** Lifts the refusals of `socket.refuse()`: for `channel`, or for all channels. */
  allowSockets(channel?: string): void;
  /**
   * Puts `fetch` and `WebSocket` on `globalThis`; returns {@link MockPlatform.restore}.
   * @throws Error while another mock platform or a `replayTrace()` is installed (restore or close it first), or after close().
   */
  install(): () => void;
  /** Puts back the `fetch` and `WebSocket` that `install()` replaced, where they are still this platform's. */
  restore(): void;
  /**
   * Ends it, as a server that shut down: restores the globals, drops every socket and refuses
   * later upgrades (logged), fails the fetches still in flight and rejects later ones with a
   * `TypeError` (a network error), and
   * cancels effects that have not landed (held ones too: `land()` then lands none).
   */
  close(): void;
}

/** The server's side of one open connection, as `platform.sockets` lists it. */
export interface MockSocket {
  /** The channel, e.g. `'staff-5f0a…'`. */
  readonly channel: string;
  /** The URL the page opened. */
  readonly url: string;
  /** Frames the page sent on it, in order. */
  readonly received: readonly unknown[];
  /** Drops the connection, as a network failure or a server restart does (close code 1006); the page may reconnect. */
  drop(): void;
  /**
   * Drops the connection and refuses every later upgrade to its channel with HTTP `status`
   * (the page sees close code 1006, as a browser does; each refusal is logged with the status)
   * until `platform.allowSockets()`.
   * @param status - @default 403
   */
  refuse(status?: number): void;
}

const SOCKET_PATH = /^\/plugin-io\/ws\/(\w+)\/([^/]*)\/$/;

/** The test of `count(match)`: a route key, or `"METHOD /path"` with `<name>` segments (as `effects.find`), or the test function. */
function requestMatcher(match: string | ((request: RecordedRequest) => boolean) | undefined): (request: RecordedRequest) => boolean {
  if (match === undefined) return () => true;
  if (typeof match === 'function') return match;
  const pattern = requestPattern(match);
  return (request) => request.route === match || pattern(request);
}

/**
 * A mock Canvas platform serving one plugin: the harness's platform core (the same sample chart,
 * effects, broadcasts, 401 without a session, 404/405 rules) behind a `fetch` and a `WebSocket`
 * class. Routes and socket rules have the harness's shapes, `(request, platform) => response`,
 * so a mock module written for `canvas-companion harness --mock FILE` works here unchanged.
 *
 * @example
 * ```ts
 * const platform = mockPlatform({
 *   routes: { 'GET /app/tasks': (request, platform) => platform.tasks.list() },
 *   sockets: { 'staff-<id>': ({ params, staff }) => params.id === staff.id },
 *   effects: { finds: 1 },
 * });
 * afterEach(() => platform.close());
 * ```
 * @throws TypeError for a malformed module (a route key that is not `"METHOD /path"`, a value
 *   that is not a function), as the harness does; RangeError for `effects: { finds: 0 }`.
 */
export function mockPlatform(options: MockPlatformOptions = {}): MockPlatform {
  const { plugin = KIT_DEFAULTS.plugin, effects: timing, signedIn = true, now, log = (line: string) => console.warn('canvas-companion/testing: ' + line) } = options;
  const module: MockModule = options.default != null && typeof options.default === 'object' ? { ...options, ...options.default } : options;
  const effects = createEffects(timing);
  const core = createPlatform({ log, schedule: effects.schedule, ...(now ? { now } : {}), ...(timing && 'after' in timing ? { effectDelay: timing.after } : {}) });
  const backend = core.plugin(plugin, { routes: module.routes, sockets: module.sockets, setup: module.setup, events: module.events, publicRoutes: module.publicRoutes } as MockModule);
  const view: PluginPlatform = backend.platform;
  const ready = backend.setup();
  ready.catch((error) => log(`setup(platform) failed: ${error?.stack ?? error}`));

  let session = signedIn;
  /** Set by close(): the platform is gone, as a server that shut down. */
  let closed = false;
  /** Called by close(): the fetches still in flight fail. */
  const closeListeners = new Set<() => void>();
  const requests: RecordedRequest[] = [];
  const open = new Map<Connection, MockSocket>();
  const refused = new Map<string, number>();
  const staff = () => (session ? core.staff : null);

  core.setBroadcaster((target, channel, frame) => {
    let reached = 0;
    if (target !== null && target !== plugin) return 0;
    for (const connection of [...open.keys()]) {
      if (connection.channel !== channel) continue;
      connection.deliver(frame);
      reached += 1;
    }
    return reached;
  });

  const fetch = createFetch({
    plugin,
    closed: () => closed,
    onClose(listener) {
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
    staff,
    log,
    arrived(request) {
      requests.push(request);
      effects.arrived(request);
    },
    handle: async (request) => {
      await ready.catch(() => {});
      return backend.handle(request);
    },
  });

  const WebSocket = createSocketClass({
    async upgrade(url) {
      const match = SOCKET_PATH.exec(new URL(url).pathname);
      const channel = match?.[2] ?? '';
      await ready.catch(() => {});
      if (closed) {
        log(`WebSocket ${url} refused: the mock platform was closed`);
        return { channel, status: 503 };
      }
      if (!match || match[1] !== plugin) {
        log(`WebSocket ${url} refused (404): the mock platform serves /plugin-io/ws/${plugin}/<channel>/`);
        return { channel, status: 404 };
      }
      const status = refused.get(channel);
      if (status !== undefined) {
        log(`WebSocket ${channel} refused (${status}): refuse() until allowSockets()`);
        return { channel, status };
      }
      const decision = await backend.authorize({ channel, path: new URL(url).pathname, query: new URL(url).searchParams, headers: {}, staff: staff() });
      if (decision.allowed) return { channel, status: null };
      log(`WebSocket ${channel} refused (403): ${decision.reason}`);
      return { channel, status: 403 };
    },
    opened(connection) {
      open.set(connection, {
        channel: connection.channel,
        url: connection.url,
        received: connection.received,
        drop: connection.drop,
        refuse(status = 403) {
          refused.set(connection.channel, status);
          connection.drop();
        },
      });
    },
    closed(connection) {
      open.delete(connection);
    },
  });

  markKitFetch(fetch);
  /** The globals install() replaced, while installed. */
  let installed: { fetch: typeof globalThis.fetch; WebSocket: typeof globalThis.WebSocket } | undefined;
  const dropAll = () => [...open.keys()].forEach((connection) => connection.drop());

  const controls = {
    fetch,
    WebSocket,
    get sockets() {
      return [...open.values()];
    },
    requests,
    count: (match?: string | ((request: RecordedRequest) => boolean)) => requests.filter(requestMatcher(match)).length,
    get signedIn() {
      return session;
    },
    signOut() {
      session = false;
      dropAll();
    },
    signIn() {
      session = true;
    },
    land: effects.landAll,
    events: backend.events,
    trigger(name: string) {
      // An unknown name throws now; a known one runs once setup is done, as in the harness.
      if (!backend.events.includes(name)) return backend.trigger(name);
      return ready.catch(() => {}).then(() => backend.trigger(name));
    },
    allowSockets(channel?: string) {
      if (channel === undefined) refused.clear();
      else refused.delete(channel);
    },
    install() {
      if (closed) throw new Error('canvas-companion/testing: install() after close(): make a new mockPlatform()');
      if (!installed) {
        refuseSecondBackend();
        installed = { fetch: globalThis.fetch, WebSocket: globalThis.WebSocket };
        globalThis.fetch = fetch;
        globalThis.WebSocket = WebSocket;
      }
      return controls.restore;
    },
    restore() {
      if (!installed) return;
      // Only what is still ours goes back: a global the test replaced since stays.
      if (globalThis.fetch === fetch) globalThis.fetch = installed.fetch;
      if (globalThis.WebSocket === WebSocket) globalThis.WebSocket = installed.WebSocket;
      installed = undefined;
    },
    close() {
      closed = true;
      for (const failRequest of [...closeListeners]) failRequest();
      controls.restore();
      dropAll();
      core.close();
    },
  };
  return Object.freeze(Object.defineProperties({ ...view }, Object.getOwnPropertyDescriptors(controls)) as MockPlatform);
}
