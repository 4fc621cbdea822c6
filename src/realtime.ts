/**
 * Live updates: a plugin's WebSocket channel (`/plugin-io/ws/<plugin>/<channel>/`), on
 * reconnecting-websocket (RWS) 4.4.0, wrapped so that its known defects cannot be reached:
 * - it gets our own `WebSocket` constructor, always (it throws without a global one);
 * - we never call its `reconnect()` (it can stay locked for ever after a `close()` or a
 *   give-up): to start over (`pagehide`/`pageshow`, `online`, visible) we close the instance and
 *   build a fresh one, and after a give-up or the last `close()` a new subscribe() builds one too;
 * - we never give it `maxRetries` (it gives up silently): we count and give up ourselves;
 * - we never `send()` (it queues for ever while closed);
 * - every socket gets a no-op `error` listener, because RWS removes its own before closing a
 *   socket on connect timeout, and Node's `ws` then throws the "closed before the connection
 *   was established" error as uncaught;
 * - RWS's own delay is 0: it cannot jitter and its timer outlives `close()`, so the backoff wait
 *   happens in our URL provider, on a timer we clear.
 * Nothing here runs at import: everything starts in {@link subscribe}.
 * @module
 */
import ReconnectingWebSocket from './bundled-socket.js';
import { debugLog, onChannelReset } from './channel.js';
import { checkDelay, checkFunction, isRecord } from './checks.js';
import { warnUnknownOptions } from './dev.js';
import { globalScope, pageWindow } from './page.js';
import { callSafely } from './report.js';
import { CompanionError } from './errors.js';
import { isSignInRedirect, pluginName } from './http.js';

// Bundlers' development flag, read behind `typeof process` (see dev.ts); not Node's whole type.
declare const process: { env: { NODE_ENV?: string } };

/**
 * Where a {@link Subscription} stands:
 * `'connecting'` (first connect), `'open'`, `'reconnecting'` (dropped or failed; retrying),
 * `'unauthorized'` (signed out: the `authProbe` answered 401 or 403 or was redirected to an HTML
 * page, or the server closed with 4401 or 4403; attempts stopped), `'closed'` (`close()` called,
 * `maxRetries` used up, or the server closed with 1008 or another code from 4000 to 4999;
 * attempts stopped).
 */
export type SubscriptionStatus = 'connecting' | 'open' | 'reconnecting' | 'unauthorized' | 'closed';

/** The close frame with which the server ended a channel for good: see {@link Subscription.serverClose}. */
export interface ServerClose {
  /** The close code: 1008, or 4000 to 4999. */
  readonly code: number;
  /** The reason the server gave; `''` when none. */
  readonly reason: string;
}

/** What {@link subscribe} returns. */
export interface Subscription {
  /** Stops delivery to this subscriber; the last `close()` on a channel closes its socket. Idempotent. */
  close(): void;
  /** The channel's current status; `'closed'` once this subscription is closed. */
  readonly status: SubscriptionStatus;
  /**
   * Set when the server ended the channel for good, by closing the socket with 1008 (policy
   * violation) or a code from 4000 to 4999: its code and reason, with status `'closed'`
   * (`'unauthorized'` for 4401 and 4403). Such a close is never retried. `undefined` otherwise:
   * other codes (1000, 1001, 1006, 1011–1013…) are retried. (Optional in the type only, so that a
   * stand-in subscription, e.g. for `createAndFind({ wake })`, need not have it.)
   */
  readonly serverClose?: ServerClose | undefined;
  /**
   * Adds another message listener to this subscriber: it gets every message `onMessage` gets,
   * after it, until removed or until the subscription is closed. A throwing listener does not
   * stop the others. (`createAndFind({ wake })` listens this way.)
   * @returns A function that removes the listener.
   * @throws TypeError if `listener` is not a function.
   */
  listen(listener: (message: Record<string, unknown>) => void): () => void;
}

/**
 * Options of {@link subscribe}. Several subscriptions to one channel share one socket: the
 * connection options (delays, retries, `authProbe`, `fetch`, `WebSocket`) of the FIRST
 * subscriber that opened it apply; `onOpen` and `onStatus` are each subscriber's own.
 * Delays are in ms.
 */
export interface SubscribeOptions {
  /**
   * The plugin's name (`\w+`).
   * @default pluginName(), read from the page's own path
   */
  plugin?: string;
  /**
   * Runs on every open, the first and each reconnect (and soon after `subscribe()` when the
   * shared socket is already open). Broadcasts sent while disconnected are lost: refetch the
   * page's data here.
   */
  onOpen?: () => void;
  /** Runs on every change of `status` after `subscribe()` returns (read `status` for the first value). */
  onStatus?: (status: SubscriptionStatus) => void;
  /**
   * A same-origin URL to `GET` (with the session cookie) after 3 connects in a row failed: a
   * 401 or 403 answer, or a redirect to an HTML page (a sign-in page), stops the attempts with
   * status `'unauthorized'`. A refused WebSocket upgrade looks like a network drop, so this is
   * the only way to tell.
   */
  authProbe?: string;
  /**
   * The `fetch` used for `authProbe`.
   * @default globalThis.fetch
   */
  fetch?: typeof fetch;
  /**
   * The WebSocket class (for tests, or Node with the `ws` package).
   * @default globalThis.WebSocket
   */
  WebSocket?: typeof WebSocket;
  /**
   * Backoff before the first retry; retry n waits a random time between half and all of
   * `min(maxReconnectionDelay, minReconnectionDelay × reconnectionDelayGrowFactor^(n−1))`.
   * @default 1000
   */
  minReconnectionDelay?: number;
  /**
   * Cap of the backoff.
   * @default 10000
   */
  maxReconnectionDelay?: number;
  /**
   * Growth of the backoff per retry.
   * @default 1.3
   */
  reconnectionDelayGrowFactor?: number;
  /**
   * A connect not open by then is abandoned and retried.
   * @default 4000
   */
  connectionTimeout?: number;
  /**
   * An open socket counts as stable (the backoff and the retry count start over) after this long.
   * @default 5000
   */
  minUptime?: number;
  /**
   * Retries in a row (without `minUptime` of stable connection between them) before giving up
   * with status `'closed'`.
   * @default Infinity
   */
  maxRetries?: number;
}

/** The defaults of {@link SubscribeOptions}. */
const REALTIME_DEFAULTS = {
  minReconnectionDelay: 1000,
  maxReconnectionDelay: 10_000,
  reconnectionDelayGrowFactor: 1.3,
  connectionTimeout: 4000,
  minUptime: 5000,
  maxRetries: Infinity,
} as const;

/** The options of {@link subscribe}, for the development warnings. */
const SUBSCRIBE_OPTIONS = [
  'plugin', 'onOpen', 'onStatus', 'authProbe', 'fetch', 'WebSocket',
  'minReconnectionDelay', 'maxReconnectionDelay', 'reconnectionDelayGrowFactor', 'connectionTimeout', 'minUptime', 'maxRetries',
];

/** Failed connects in a row after which `authProbe` is fetched. */
const FAILURES_BEFORE_PROBE = 3;

/** The options that are delays in ms: from 0 to 2³¹−1. */
const DELAY_OPTIONS = ['minReconnectionDelay', 'maxReconnectionDelay', 'connectionTimeout', 'minUptime'] as const;

interface Subscriber {
  _options: SubscribeOptions;
  /** `onMessage` first, then the `listen()` listeners: each gets every delivered message, in that order. */
  _listeners: Set<(message: Record<string, unknown>) => void>;
}

/**
 * One shared socket. Its fields (and a Subscriber's) start with `_` because the minified build
 * renames such fields short (see rollup.config.mjs).
 */
interface Entry {
  _url: string;
  /** The first subscriber's options, with the defaults filled in. */
  _settings: Settings;
  _subscribers: Set<Subscriber>;
  status: SubscriptionStatus;
  /** Failed connects in a row; -1 right after an open, so the drop that ends it does not count. */
  _failures: number;
  /** The current reconnecting-websocket instance; undefined while stopped. */
  _socket?: ReconnectingWebSocket | undefined;
  /** Aborts the pending authProbe request. */
  _probe?: AbortController;
  /** The backoff wait before the next connect. */
  _timer?: ReturnType<typeof setTimeout>;
  /** Listener for online, pagehide, pageshow and visibilitychange. */
  _onPageEvent: (event: Event) => void;
  /** The server's close that ended the channel for good, if one did. */
  _serverClose?: ServerClose;
}

/** The connection options of a shared socket: the first subscriber's, with the defaults filled in. */
type Settings = typeof REALTIME_DEFAULTS & Pick<SubscribeOptions, 'authProbe' | 'fetch'> & { WebSocket: typeof WebSocket };

/** This copy's shared sockets, by URL; made by the first subscribe(), so importing does nothing. */
let sockets: Map<string, Entry> | undefined;

function socketsByUrl(): Map<string, Entry> {
  if (sockets == null) {
    const map = (sockets = new Map());
    // The test kit's reset() ends every subscription of every copy, so none leaks into the next test.
    onChannelReset(() => {
      for (const entry of [...map.values()]) end(entry, 'closed');
    });
  }
  return sockets;
}

function ignore(): void {}

/** Runs `run` for each subscriber still subscribed when its turn comes. */
function eachSubscriber(entry: Entry, run: (subscriber: Subscriber) => void): void {
  for (const subscriber of [...entry._subscribers]) {
    if (entry._subscribers.has(subscriber)) run(subscriber);
  }
}

function setStatus(entry: Entry, status: SubscriptionStatus): void {
  if (entry.status === status) return;
  entry.status = status;
  eachSubscriber(entry, (subscriber) => callSafely(subscriber._options.onStatus, status));
}

/** Closes the current instance and cancels its timer and probe; the entry stays. */
function stop(entry: Entry): void {
  const rws = entry._socket;
  // Forget it first: a socket may fire `close` synchronously, and stale events are ignored.
  entry._socket = undefined;
  clearTimeout(entry._timer);
  entry._probe?.abort();
  rws?.close();
}

function listenToPage(entry: Entry, method: 'addEventListener' | 'removeEventListener'): void {
  // `visibilitychange` bubbles from the document to the window.
  for (const type of ['online', 'pagehide', 'pageshow', 'visibilitychange']) pageWindow()?.[method](type, entry._onPageEvent);
}

/** Final: no socket, timer, request or listener remains; a new subscribe() starts afresh. */
function end(entry: Entry, status?: SubscriptionStatus): void {
  stop(entry);
  listenToPage(entry, 'removeEventListener');
  if (socketsByUrl().get(entry._url) === entry) socketsByUrl().delete(entry._url);
  if (status) setStatus(entry, status);
}

/**
 * The status a server's close code ends the channel with, or `undefined` for a code that is
 * retried. A server says "never again" with 1008 or an application code (4000–4999); the
 * signed-out ones get the status of a refused upgrade.
 */
function finalStatus(code: number): SubscriptionStatus | undefined {
  if (code === 4401 || code === 4403) return 'unauthorized';
  if (code === 1008 || (code >= 4000 && code <= 4999)) return 'closed';
  return undefined;
}

/** The backoff before retry `retry` (1, 2, …): a random time between half and all of the grown delay. */
function backoff(settings: Settings, retry: number): number {
  const grown = settings.minReconnectionDelay * settings.reconnectionDelayGrowFactor ** (retry - 1);
  const delay = Math.min(settings.maxReconnectionDelay, grown);
  return (delay / 2) * (1 + Math.random());
}

/** After a few failed connects: asks `authProbe` whether the session is still allowed in. */
function probeAuthorization(entry: Entry, rws: ReconnectingWebSocket): void {
  const { authProbe, fetch: send = globalScope().fetch } = entry._settings;
  if (authProbe == null || typeof send !== 'function') return;
  // One probe at a time: a newer failure's probe replaces an unanswered one.
  entry._probe?.abort();
  const probe = (entry._probe = new AbortController());
  send(authProbe, { credentials: 'same-origin', signal: probe.signal }).then((response) => {
    const denied = response.status === 401 || response.status === 403 || isSignInRedirect(response);
    if (denied && entry._socket === rws && entry.status !== 'open') end(entry, 'unauthorized');
  }, ignore);
}

function start(entry: Entry): void {
  const settings = entry._settings;
  const Socket = settings.WebSocket;
  // RWS builds sockets with `new`: a function returning an object works, and CLOSING is its class check.
  function createSocket(url: string) {
    const socket = new Socket(url);
    socket.addEventListener('error', ignore);
    return socket;
  }
  createSocket.CLOSING = 2;
  // RWS asks this for the URL before each connect; the backoff wait happens here, on our timer.
  // It first asks after a resolved promise, so `rws` below is assigned by then.
  const nextUrl = (): string | Promise<string> => {
    const retry = rws.retryCount;
    if (retry === 0 || entry._socket !== rws) return entry._url;
    return new Promise((resolve) => {
      entry._timer = setTimeout(resolve, backoff(settings, retry), entry._url);
    });
  };
  const rws: ReconnectingWebSocket = new ReconnectingWebSocket(nextUrl, undefined, {
    WebSocket: createSocket,
    minReconnectionDelay: 0,
    connectionTimeout: settings.connectionTimeout,
    minUptime: settings.minUptime,
  });
  entry._socket = rws;
  rws.onopen = () => {
    if (entry._socket !== rws) return;
    entry._failures = -1;
    setStatus(entry, 'open');
    eachSubscriber(entry, (subscriber) => callSafely(subscriber._options.onOpen, undefined));
  };
  rws.onclose = ({ code, reason }) => {
    if (entry._socket !== rws) return;
    const final = finalStatus(code);
    if (final) {
      entry._serverClose = { code, reason };
      return end(entry, final);
    }
    // RWS has already counted the next retry here.
    if (rws.retryCount > settings.maxRetries) return end(entry, 'closed');
    setStatus(entry, 'reconnecting');
    entry._failures += 1;
    if (entry._failures >= FAILURES_BEFORE_PROBE) probeAuthorization(entry, rws);
  };
  rws.onmessage = ({ data }) => {
    if (entry._socket !== rws) return;
    const message = unwrapFrame(data);
    if (message == null) return debugLog('dropped frame', data);
    eachSubscriber(entry, (subscriber) => {
      // As for DOM events: a listener added during this dispatch waits for the next message, and
      // one removed during it (or whose subscription was closed) is not called.
      for (const listener of [...subscriber._listeners]) {
        if (subscriber._listeners.has(listener) && entry._subscribers.has(subscriber)) callSafely(listener, message);
      }
    });
  };
}

/** The `message` object of a `{"message": {...}}` frame, or `undefined` for any other frame. */
function unwrapFrame(data: unknown): Record<string, unknown> | undefined {
  let message: unknown;
  try {
    message = JSON.parse(data as string).message;
  } catch {
    return undefined;
  }
  return isRecord(message) ? message : undefined;
}

function onPageEvent(entry: Entry, { type }: Event): void {
  if (type === 'pagehide') {
    stop(entry);
    setStatus(entry, 'reconnecting');
    return;
  }
  const restored = type === 'pageshow' && !entry._socket;
  const worthRetrying = entry.status === 'reconnecting' && (type === 'online' || pageWindow()?.document.visibilityState === 'visible');
  if (restored || (type !== 'pageshow' && worthRetrying)) {
    // A fresh instance connects at once, whatever RWS was waiting for.
    stop(entry);
    start(entry);
  }
}

/** A new shared socket for `url`, with the first subscriber's settings. */
function connect(url: string, settings: Settings): Entry {
  const entry: Entry = {
    _url: url,
    _settings: settings,
    _subscribers: new Set(),
    status: 'connecting',
    _failures: 0,
    _onPageEvent: (event) => onPageEvent(entry, event),
  };
  socketsByUrl().set(url, entry);
  listenToPage(entry, 'addEventListener');
  start(entry);
  return entry;
}

/**
 * The WebSocket URL of a plugin channel: `ws(s)://<host>/plugin-io/ws/<plugin>/<channel>/`
 * (the trailing slash is required by the server), on the page's own host.
 *
 * @throws CompanionError `INVALID_CHANNEL` unless the plugin matches `^\w+$` and the channel `^[\w-]+$`.
 * @throws TypeError if `channel` is not a string, or outside a browser (no page host).
 */
export function socketUrl(channel: string, options: Pick<SubscribeOptions, 'plugin'> = {}): string {
  if (typeof channel !== 'string') throw new TypeError('channel must be a string');
  const plugin = options.plugin ?? pluginName();
  if (typeof plugin !== 'string' || !/^\w+$/.test(plugin) || !/^[\w-]+$/.test(channel)) {
    throw new CompanionError('INVALID_CHANNEL', `bad plugin/channel: ${String(plugin)}/${channel}`);
  }
  const location = pageWindow()?.location;
  if (location == null) throw new TypeError('no page host outside a browser');
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/plugin-io/ws/${plugin}/${channel}/`;
}

/** The connection settings from a first subscriber's options; checks them. */
function settingsFrom(options: SubscribeOptions): Settings {
  const settings = { ...REALTIME_DEFAULTS, WebSocket: globalScope().WebSocket } as Settings;
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) (settings as Record<string, unknown>)[key] = value;
  }
  for (const name of DELAY_OPTIONS) checkDelay(name, settings[name], false);
  if (!(settings.reconnectionDelayGrowFactor >= 1 && settings.reconnectionDelayGrowFactor < Infinity)) {
    throw new RangeError('reconnectionDelayGrowFactor must be >= 1');
  }
  if (!(settings.maxRetries >= 0)) throw new RangeError('maxRetries must be >= 0');
  if (typeof settings.WebSocket !== 'function') throw new TypeError('no WebSocket: pass { WebSocket }');
  return settings;
}

/**
 * Listens to a plugin's WebSocket channel, reconnecting with backoff and jitter, at once on
 * `online` or when the page becomes visible; closed on `pagehide` and reopened on `pageshow`.
 * Each frame `{"message": {...}}` is delivered unwrapped; other frames are dropped. A throwing
 * `onMessage` does not stop delivery to other subscribers (its error goes to `window.onerror`).
 * Subscriptions to one channel share one socket.
 *
 * @example
 * ```ts
 * const live = subscribe(`staff-${staffId}`, (message) => { if (message.refresh) load(); }, {
 *   onOpen: load, onStatus: (status) => (pill.textContent = status), authProbe: apiUrl('/me'),
 * });
 * ```
 * @throws CompanionError `INVALID_CHANNEL` for a bad plugin or channel name; TypeError without
 *   an `onMessage` function or a WebSocket class, or outside a browser; RangeError for a bad
 *   delay, growth factor or retry count.
 */
export function subscribe(channel: string, onMessage: (message: Record<string, unknown>) => void, options: SubscribeOptions = {}): Subscription {
  checkFunction('onMessage', onMessage);
  const settings = settingsFrom(options);
  if (typeof process === 'object' && process.env.NODE_ENV !== 'production') warnUnknownOptions('subscribe', options, SUBSCRIBE_OPTIONS);
  const url = socketUrl(channel, options);
  const subscriber: Subscriber = { _options: options, _listeners: new Set([onMessage]) };
  const entry = socketsByUrl().get(url) ?? connect(url, settings);
  if (entry.status === 'open') {
    // Joining an open socket is an open for this subscriber: it needs its snapshot too.
    queueMicrotask(() => {
      if (entry.status === 'open' && entry._subscribers.has(subscriber)) callSafely(options.onOpen, undefined);
    });
  }
  entry._subscribers.add(subscriber);
  return {
    close() {
      if (!entry._subscribers.delete(subscriber)) return;
      if (entry._subscribers.size === 0) end(entry);
      if (entry.status !== 'closed') callSafely(options.onStatus, 'closed');
    },
    get status() {
      return entry._subscribers.has(subscriber) ? entry.status : 'closed';
    },
    get serverClose() {
      return entry._serverClose;
    },
    listen(listener) {
      checkFunction('listener', listener);
      // Its own wrapper: the set must never merge it with onMessage or with another listen() of the same function.
      const own = (message: Record<string, unknown>) => listener(message);
      subscriber._listeners.add(own);
      return () => {
        subscriber._listeners.delete(own);
      };
    },
  };
}
