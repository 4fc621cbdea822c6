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
  o: SubscribeOptions;
  /** `onMessage` first, then the wake listeners: each gets every delivered message, in that order. */
  w: Set<(message: Record<string, unknown>) => void>;
}

/** One shared socket. */
interface Entry {
  u: string;
  o: SubscribeOptions;
  s: Set<Subscriber>;
  status: SubscriptionStatus;
  /** Failed connects in a row (-1 right after an open, so the drop itself does not count). */
  f: number;
  r?: ReconnectingWebSocket | undefined;
  a?: AbortController;
  t?: ReturnType<typeof setTimeout>;
  h: (event: Event) => void;
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

/** Runs `f` for each subscriber still subscribed when its turn comes. */
function each(e: Entry, f: (s: Subscriber) => void): void {
  for (const s of [...e.s]) if (e.s.has(s)) f(s);
}

function set(e: Entry, status: SubscriptionStatus): void {
  if (e.status != status) {
    e.status = status;
    each(e, (s) => call(s.o.onStatus, status));
  }
}

function stop(e: Entry): void {
  const r = e.r;
  // Forget it first: a socket may fire `close` synchronously, and stale events are ignored.
  e.r = undefined;
  clearTimeout(e.t);
  e.a?.abort();
  r?.close();
}

function listen(e: Entry, method: 'addEventListener' | 'removeEventListener'): void {
  // `visibilitychange` bubbles from the document to the window; outside a browser there is no window.
  for (const type of ['online', 'pagehide', 'pageshow', 'visibilitychange']) (globalThis as unknown as Partial<Window>)[method]?.(type, e.h);
}

/** Final: no socket, timer, request or listener remains; a new subscribe() starts afresh. */
function end(e: Entry, status?: SubscriptionStatus): void {
  stop(e);
  listen(e, 'removeEventListener');
  if (sockets!.get(e.u) == e) sockets!.delete(e.u);
  if (status) set(e, status);
}

function start(e: Entry): void {
  const o = e.o;
  const C = o.WebSocket ?? globalThis.WebSocket;
  // RWS builds sockets with `new`: a function returning an object works, and CLOSING is its class check.
  function W(url: string) {
    const socket = new C(url);
    socket.addEventListener('error', noop);
    return socket;
  }
  W.CLOSING = 2;
  const r: ReconnectingWebSocket = (e.r = new ReconnectingWebSocket(
    (() => {
      const n = r.retryCount;
      const d = Math.min(o.maxReconnectionDelay ?? 1e4, (o.minReconnectionDelay ?? 1e3) * (o.reconnectionDelayGrowFactor ?? 1.3) ** (n - 1));
      return n && e.r == r ? new Promise((resolve) => (e.t = setTimeout(resolve, (d * (1 + Math.random())) / 2, e.u))) : e.u;
    }) as () => string, // RWS's type omits the Promise its code accepts
    undefined,
    { WebSocket: W, minReconnectionDelay: 0, connectionTimeout: o.connectionTimeout, minUptime: o.minUptime },
  ));
  const a = (e.a = new AbortController());
  r.onopen = () => {
    if (e.r != r) return;
    e.f = -1;
    set(e, 'open');
    each(e, (s) => call(s.o.onOpen));
  };
  r.onclose = () => {
    // RWS has already counted the next retry here.
    if (e.r != r) return;
    if (r.retryCount > (o.maxRetries ?? Infinity)) return end(e, 'closed');
    set(e, 'reconnecting');
    if (++e.f > 2 && o.authProbe) {
      (o.fetch ?? fetch)(o.authProbe, { credentials: 'same-origin', signal: a.signal }).then((response) => {
        // 401 and 403 are the only statuses with (status | 2) == 403.
        if (e.r == r && e.status != 'open' && (response.status | 2) == 403) end(e, 'unauthorized');
      }, noop);
    }
  };
  r.onmessage = ({ data }) => {
    if (e.r != r) return;
    let message: unknown;
    try {
      message = JSON.parse(data).message;
    } catch {
      // Not JSON: dropped below.
    }
    if (message && typeof message == 'object' && !Array.isArray(message)) {
      each(e, (s) => {
        for (const listener of s.w) call(listener, message as Record<string, unknown>);
      });
    } else debugLog('dropped frame', data);
  };
}

/** A new shared socket for URL `u`, with the first subscriber's options. */
function connect(u: string, o: SubscribeOptions): Entry {
  if (typeof (o.WebSocket ?? globalThis.WebSocket) != 'function') throw new TypeError('no WebSocket: pass options.WebSocket');
  const e: Entry = {
    u,
    o,
    s: new Set(),
    status: 'connecting',
    f: 0,
    h: ({ type }) => {
      if (type == 'pagehide') {
        stop(e);
        set(e, 'reconnecting');
      } else if (type == 'pageshow' ? !e.r : e.status == 'reconnecting' && (type == 'online' || document.visibilityState == 'visible')) {
        // A fresh instance connects at once, whatever RWS was waiting for.
        stop(e);
        start(e);
      }
    },
  };
  sockets!.set(u, e);
  listen(e, 'addEventListener');
  start(e);
  return e;
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
  const u = socketUrl(channel, options);
  const s: Subscriber = { o: options, w: new Set([onMessage]) };
  const entry = (sockets ??= new Map()).get(u) ?? connect(u, options);
  // Joining an open socket is an open for this subscriber: it needs its snapshot too.
  if (entry.status == 'open') queueMicrotask(() => entry.status == 'open' && entry.s.has(s) && call(options.onOpen));
  entry.s.add(s);
  return {
    close() {
      if (!entry.s.delete(s)) return;
      if (!entry.s.size) end(entry);
      if (entry.status != 'closed') call(options.onStatus, 'closed');
    },
    get status() {
      return entry.s.has(s) ? entry.status : 'closed';
    },
    // Lets createAndFind({ wake }) poll at once on any message: (listener) => unregister.
    [Symbol.for('canvas-companion.wake')]: (listener: () => void) => {
      // Its own wrapper: the set must never merge it with onMessage, nor pass it the message.
      const wake = () => listener();
      s.w.add(wake);
      return () => void s.w.delete(wake);
    },
  } as Subscription;
}
