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
import ReconnectingWebSocket from 'reconnecting-websocket';
import { debugLog, reportCallbackError } from './channel.js';
import { CompanionError } from './errors.js';
import { pluginName } from './http.js';

/**
 * Where a {@link Subscription} stands:
 * `'connecting'` (first connect), `'open'`, `'reconnecting'` (dropped or failed; retrying),
 * `'unauthorized'` (the `authProbe` answered 401 or 403; attempts stopped), `'closed'`
 * (`close()` called, or `maxRetries` used up; attempts stopped).
 */
export type SubscriptionStatus = 'connecting' | 'open' | 'reconnecting' | 'unauthorized' | 'closed';

/** What {@link subscribe} returns. */
export interface Subscription {
  /** Stops delivery to this subscriber; the last `close()` on a channel closes its socket. Idempotent. */
  close(): void;
  /** The channel's current status; `'closed'` once this subscription is closed. */
  readonly status: SubscriptionStatus;
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
   * 401 or 403 answer stops the attempts with status `'unauthorized'`. A refused WebSocket
   * upgrade looks like a network drop, so this is the only way to tell.
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

interface Subscriber {
  _options: SubscribeOptions;
  /** `onMessage` first, then the wake listeners: each gets every delivered message, in that order. */
  _listeners: Set<(message: Record<string, unknown>) => void>;
}

/**
 * One shared socket. Its fields (and a Subscriber's) start with `_`: the minified build renames
 * such fields short.
 */
interface Entry {
  _url: string;
  /** The first subscriber's options. */
  _options: SubscribeOptions;
  _subscribers: Set<Subscriber>;
  status: SubscriptionStatus;
  /** Failed connects in a row (-1 right after an open, so the drop itself does not count). */
  _failures: number;
  /** The current reconnecting-websocket instance; undefined while stopped. */
  _socket?: ReconnectingWebSocket | undefined;
  /** Aborts the pending authProbe request. */
  _probe?: AbortController;
  /** The backoff wait before the next connect. */
  _timer?: ReturnType<typeof setTimeout>;
  /** Listener for online, pagehide, pageshow and visibilitychange. */
  _onPageEvent: (event: Event) => void;
}

let sockets: Map<string, Entry> | undefined;

function noop(): void {}

function call<T>(callback: ((value: T) => void) | undefined, value?: T): void {
  try {
    callback?.(value as T);
  } catch (error) {
    reportCallbackError(error);
  }
}

/** Runs `run` for each subscriber still subscribed when its turn comes. */
function each(entry: Entry, run: (subscriber: Subscriber) => void): void {
  for (const subscriber of [...entry._subscribers]) if (entry._subscribers.has(subscriber)) run(subscriber);
}

function set(entry: Entry, status: SubscriptionStatus): void {
  if (entry.status != status) {
    entry.status = status;
    each(entry, (subscriber) => call(subscriber._options.onStatus, status));
  }
}

function stop(entry: Entry): void {
  const rws = entry._socket;
  // Forget it first: a socket may fire `close` synchronously, and stale events are ignored.
  entry._socket = undefined;
  clearTimeout(entry._timer);
  entry._probe?.abort();
  rws?.close();
}

function listen(entry: Entry, method: 'addEventListener' | 'removeEventListener'): void {
  // `visibilitychange` bubbles from the document to the window; outside a browser there is no window.
  for (const type of ['online', 'pagehide', 'pageshow', 'visibilitychange']) (globalThis as unknown as Partial<Window>)[method]?.(type, entry._onPageEvent);
}

/** Final: no socket, timer, request or listener remains; a new subscribe() starts afresh. */
function end(entry: Entry, status?: SubscriptionStatus): void {
  stop(entry);
  listen(entry, 'removeEventListener');
  if (sockets!.get(entry._url) == entry) sockets!.delete(entry._url);
  if (status) set(entry, status);
}

function start(entry: Entry): void {
  const options = entry._options;
  const Socket = options.WebSocket ?? globalThis.WebSocket;
  // RWS builds sockets with `new`: a function returning an object works, and CLOSING is its class check.
  function createSocket(url: string) {
    const socket = new Socket(url);
    socket.addEventListener('error', noop);
    return socket;
  }
  createSocket.CLOSING = 2;
  const rws: ReconnectingWebSocket = (entry._socket = new ReconnectingWebSocket(
    (() => {
      const retry = rws.retryCount;
      const delay = Math.min(options.maxReconnectionDelay ?? 1e4, (options.minReconnectionDelay ?? 1e3) * (options.reconnectionDelayGrowFactor ?? 1.3) ** (retry - 1));
      return retry && entry._socket == rws ? new Promise((resolve) => (entry._timer = setTimeout(resolve, (delay * (1 + Math.random())) / 2, entry._url))) : entry._url;
    }) as () => string, // RWS's type omits the Promise its code accepts
    undefined,
    { WebSocket: createSocket, minReconnectionDelay: 0, connectionTimeout: options.connectionTimeout, minUptime: options.minUptime },
  ));
  const probe = (entry._probe = new AbortController());
  rws.onopen = () => {
    if (entry._socket != rws) return;
    entry._failures = -1;
    set(entry, 'open');
    each(entry, (subscriber) => call(subscriber._options.onOpen));
  };
  rws.onclose = () => {
    // RWS has already counted the next retry here.
    if (entry._socket != rws) return;
    if (rws.retryCount > (options.maxRetries ?? Infinity)) return end(entry, 'closed');
    set(entry, 'reconnecting');
    if (++entry._failures > 2 && options.authProbe) {
      (options.fetch ?? fetch)(options.authProbe, { credentials: 'same-origin', signal: probe.signal }).then((response) => {
        // 401 and 403 are the only statuses with (status | 2) == 403.
        if (entry._socket == rws && entry.status != 'open' && (response.status | 2) == 403) end(entry, 'unauthorized');
      }, noop);
    }
  };
  rws.onmessage = ({ data }) => {
    if (entry._socket != rws) return;
    let message: unknown;
    try {
      message = JSON.parse(data).message;
    } catch {
      // Not JSON: dropped below.
    }
    if (message && typeof message == 'object' && !Array.isArray(message)) {
      each(entry, (subscriber) => {
        for (const listener of subscriber._listeners) call(listener, message as Record<string, unknown>);
      });
    } else debugLog('dropped frame', data);
  };
}

/** A new shared socket for `url`, with the first subscriber's options. */
function connect(url: string, options: SubscribeOptions): Entry {
  if (typeof (options.WebSocket ?? globalThis.WebSocket) != 'function') throw new TypeError('no WebSocket: pass options.WebSocket');
  const entry: Entry = {
    _url: url,
    _options: options,
    _subscribers: new Set(),
    status: 'connecting',
    _failures: 0,
    _onPageEvent: ({ type }) => {
      if (type == 'pagehide') {
        stop(entry);
        set(entry, 'reconnecting');
      } else if (type == 'pageshow' ? !entry._socket : entry.status == 'reconnecting' && (type == 'online' || document.visibilityState == 'visible')) {
        // A fresh instance connects at once, whatever RWS was waiting for.
        stop(entry);
        start(entry);
      }
    },
  };
  sockets!.set(url, entry);
  listen(entry, 'addEventListener');
  start(entry);
  return entry;
}

/**
 * The WebSocket URL of a plugin channel: `ws(s)://<host>/plugin-io/ws/<plugin>/<channel>/`
 * (the trailing slash is required by the server), on the page's own host.
 *
 * @throws CompanionError `INVALID_CHANNEL` unless the plugin matches `^\w+$` and the channel `^[\w-]+$`.
 * @throws TypeError if `channel` is not a string.
 */
export function socketUrl(channel: string, options: Pick<SubscribeOptions, 'plugin'> = {}): string {
  if (typeof channel != 'string') throw new TypeError('channel must be a string');
  const plugin = options.plugin ?? pluginName();
  if (!/^\w+$/.test(plugin ?? '') || !/^[\w-]+$/.test(channel)) {
    throw new CompanionError('INVALID_CHANNEL', `bad plugin/channel: ${plugin}/${channel}`);
  }
  return `ws${location.protocol == 'https:' ? 's' : ''}://${location.host}/plugin-io/ws/${plugin}/${channel}/`;
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
 *   an `onMessage` function or a WebSocket class; RangeError for a negative or non-numeric delay or count.
 */
export function subscribe(channel: string, onMessage: (message: Record<string, unknown>) => void, options: SubscribeOptions = {}): Subscription {
  if (typeof onMessage != 'function') throw new TypeError('onMessage must be a function');
  // The only numeric options are delays and counts.
  for (const [key, value] of Object.entries(options)) if (typeof value == 'number' && !(value >= 0)) throw new RangeError(`${key} must be >= 0`);
  const url = socketUrl(channel, options);
  const subscriber: Subscriber = { _options: options, _listeners: new Set([onMessage]) };
  const entry = (sockets ??= new Map()).get(url) ?? connect(url, options);
  // Joining an open socket is an open for this subscriber: it needs its snapshot too.
  if (entry.status == 'open') queueMicrotask(() => entry.status == 'open' && entry._subscribers.has(subscriber) && call(options.onOpen));
  entry._subscribers.add(subscriber);
  return {
    close() {
      if (!entry._subscribers.delete(subscriber)) return;
      if (!entry._subscribers.size) end(entry);
      if (entry.status != 'closed') call(options.onStatus, 'closed');
    },
    get status() {
      return entry._subscribers.has(subscriber) ? entry.status : 'closed';
    },
    // Lets createAndFind({ wake }) poll at once on any message: (listener) => unregister.
    [Symbol.for('canvas-companion.wake')]: (listener: () => void) => {
      // Its own wrapper: the set must never merge it with onMessage, nor pass it the message.
      const wake = () => listener();
      subscriber._listeners.add(wake);
      return () => void subscriber._listeners.delete(wake);
    },
  } as Subscription;
}
