/**
 * The host channel: the `MessagePort` the Provider Companion hands a plugin page.
 *
 * This is the library's one module with import-time work: a single guarded statement at the
 * bottom installs a `message` listener on `window`, because the host may transfer the port
 * before the page's own scripts run or before `DOMContentLoaded`.
 * @module
 */
import { checkDelay, checkFunction, checkSignal, startTimer } from './checks.js';
import { intendedOrigin, warnOnce, warnUnknownOptions } from './dev.js';
import { CompanionError } from './errors.js';
import { globalScope, pageWindow } from './page.js';
import { reportCallbackError, warn } from './report.js';

// Bundlers' development flag, read behind `typeof process` (see dev.ts); not Node's whole type.
declare const process: { env: { NODE_ENV?: string } };

/** A message sent to or received from the host: an object with a string `type`. */
export interface HostMessage {
  /** Message kind, e.g. `'CLOSE_MODAL'`, `'RESIZE'` or `'NOTE_TAB_CHANGE'`. */
  type: string;
  [key: string]: unknown;
}

/** Options of {@link closeModal}. */
export interface CloseModalOptions {
  /**
   * How long to wait for the host's port before falling back to `window.close()`, in ms.
   * @default 1000
   */
  timeout?: number;
}

/** Options of {@link whenHostReady}. */
export interface WhenHostReadyOptions {
  /**
   * How long to wait for the port, in ms; `Infinity` waits for ever.
   * @default 5000
   */
  timeout?: number;
  /** Stops waiting; the promise then rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** Options of {@link configure}. */
export interface ConfigureOptions {
  /**
   * Origins, besides the page's own, allowed to hand over the port: exact origins such as
   * `'https://example.canvasmedical.com'` (scheme, host and port; no path, no trailing slash),
   * `'null'` for an opaque origin, or `'*'` for any origin (still only from the parent window).
   * Any iterable of strings (an array, a `Set`); a lone string is a `TypeError`. Replaces the
   * list given by an earlier call. The page can also list origins, separated by spaces, in
   * `<meta name="canvas-companion-allowed-origins" content="…">` (read when the port arrives).
   * @default []
   */
  allowedOrigins?: Iterable<string>;
  /**
   * Log the channel's decisions with `console.debug`.
   * @default false
   */
  debug?: boolean;
}

/** Dimensions for {@link resize}, in CSS pixels. */
export interface ResizeOptions {
  /** New width. */
  width?: number;
  /** New height. */
  height?: number;
}

/**
 * The library's page-wide state. It lives on the global object under a `Symbol.for` key, so that
 * two copies of the library on one page (a UMD file and a bundled ESM copy, or the test kit's
 * copy) share one port, one queue and one set of handlers. Only this module reads the key; the
 * others ask through the functions exported below.
 */
interface ChannelState {
  /** The host's port, once an `INIT_CHANNEL` was accepted. */
  port?: MessagePort;
  /** The origin the accepted `INIT_CHANNEL` came from: where the companion itself runs. */
  hostOrigin?: string;
  /** Messages posted before the port arrived, sent in order when it does. */
  queue: HostMessage[];
  /** Called when a port is accepted. */
  waiters: Set<() => void>;
  /** Handlers added by `onHostMessage()`; created by the first one. */
  handlers?: Set<(message: HostMessage) => void>;
  /** Origins allowed by `configure()`, besides the page's own. */
  origins?: readonly string[];
  /** Set by `configure({ debug })`. */
  debug?: boolean;
  /** Set by the first `onHostMessage()`: starts delivering the port's messages to the handlers. */
  listen?: () => void;
  /** Called by {@link resetChannel}, kept across resets: one per copy of the library that subscribed. */
  resetListeners?: Set<() => void>;
}

const STATE_KEY = Symbol.for('canvas-companion');

type WithState = { [STATE_KEY]?: ChannelState };

/** The page-wide state, created on first use. */
function state(): ChannelState {
  return ((globalScope() as WithState)[STATE_KEY] ??= { queue: [], waiters: new Set() });
}

/** Messages kept while no port is held; past it the oldest is dropped. */
const QUEUE_LIMIT = 100;

const META_NAME = 'canvas-companion-allowed-origins';
const ANY_ORIGIN_WARNING = "allowedOrigins '*' trusts any parent origin";

// Structured clones of plain objects have this realm's Object as constructor; arrays and primitives do not.
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value != null && (value as object).constructor === Object;
}

function isHostMessage(value: unknown): value is HostMessage {
  return isPlainObject(value) && typeof value.type === 'string';
}

/**
 * Tells whether `source` is the parent of `page`: one of its frames is `page`. Judged from the
 * frames the browser reports, so page code cannot fake it: a page global named `parent` (which
 * shadows or replaces `window.parent`) changes nothing. A sibling frame, a popup, the page itself
 * or a `MessagePort` source has no such frame.
 */
function isParentOf(source: MessageEventSource | null, page: Window): boolean {
  try {
    // A window's frame count and its frames by index are readable across origins.
    const frames = source as Window;
    for (let index = 0; index < frames.length; index++) {
      if (frames[index] === page) return true;
    }
  } catch {
    // No source, or a cross-origin window that refuses even that: not the parent either.
  }
  return false;
}

/**
 * Origins allowed besides the page's own: `configure()`'s, then those listed in the first
 * `<meta name="canvas-companion-allowed-origins" content="…">` (only a `<meta>`: another element
 * with that name is ignored).
 */
function allowedOrigins(page: Window): string[] {
  const meta = page.document.querySelector<HTMLMetaElement>(`meta[name="${META_NAME}"]`);
  const listed = meta?.content.split(/[\s,]+/).filter(Boolean) ?? [];
  if (listed.includes('*')) warn(ANY_ORIGIN_WARNING);
  // Such an entry can never match: the handshake it was meant for would fail, and this says why.
  if (typeof process === 'object' && process.env.NODE_ENV !== 'production') {
    for (const entry of listed) {
      if (!isAllowedOriginEntry(entry)) warnOnce(`<meta name="${META_NAME}">: ${notAnOrigin(entry)}`);
    }
  }
  return [...(state().origins ?? []), ...listed];
}

/** Why an `INIT_CHANNEL` message cannot be accepted, or `''` when it can. */
function rejectionReason({ origin, source, ports }: MessageEvent, page: Window): string {
  if (!isParentOf(source, page)) return 'not from window.parent';
  const allowed = allowedOrigins(page);
  // The page's own origin is allowed by default, unless opaque ('null'): every sandboxed frame has that one.
  const isOwnOrigin = origin === page.location.origin && origin !== 'null';
  if (!isOwnOrigin && !allowed.includes(origin) && !allowed.includes('*')) return `origin ${origin} not allowed`;
  if (ports[0] == null) return 'no MessagePort';
  return '';
}

/**
 * Makes `port` the host's port: closes the one it replaces, starts delivery if a handler is
 * waiting, flushes the queue and wakes the waiters. `origin` is where the host runs.
 * @internal Also used by the test kit to hand a port over in a DOM without frames.
 */
export function acceptPort(port: MessagePort, origin: string): void {
  const channel = state();
  if (channel.port !== port) channel.port?.close();
  channel.port = port;
  channel.hostOrigin = origin;
  channel.listen?.();
  for (const queued of channel.queue.splice(0)) port.postMessage(queued);
  channel.waiters.forEach((wake) => wake());
}

/**
 * Forgets the host and clears the page-wide channel state: closes the port; drops the host
 * origin, queued messages, handlers (and the `listen` that captured them), `configure()` options;
 * calls every {@link onChannelReset} listener (each copy's subscriptions end). Whatever waits for a port (`closeModal()`, `whenHostReady()`)
 * is woken with a port that sends nothing anywhere, so it settles now, as if a host came and
 * went, instead of with the next host or through `window.close()`.
 * @internal For the test kit's `reset()`; not exported from the package.
 */
export function resetChannel(): void {
  const channel = state();
  channel.port?.close();
  delete channel.port;
  delete channel.hostOrigin;
  channel.queue.splice(0);
  delete channel.handlers;
  delete channel.listen;
  delete channel.origins;
  delete channel.debug;
  for (const onReset of channel.resetListeners ?? []) onReset();
  if (channel.waiters.size > 0) {
    channel.port = { postMessage() {}, close() {} } as unknown as MessagePort;
    for (const wake of [...channel.waiters]) wake();
    delete channel.port;
  }
}

function handleWindowMessage(event: MessageEvent): void {
  const page = pageWindow();
  if (!page || !isPlainObject(event.data) || event.data.type !== 'INIT_CHANNEL') return;
  const reason = rejectionReason(event, page);
  if (reason) return warn('INIT_CHANNEL ignored: ' + reason);
  acceptPort(event.ports[0]!, event.origin);
}

/**
 * Where the host runs: the origin the accepted `INIT_CHANNEL` came from, or `undefined` before
 * a port arrived.
 * @internal For navigation.
 */
export function hostOrigin(): string | undefined {
  return state().hostOrigin;
}

/**
 * Calls `listener` whenever {@link resetChannel} runs (the test kit's `reset()`).
 * @internal For realtime, which ends its subscriptions then.
 */
export function onChannelReset(listener: () => void): void {
  (state().resetListeners ??= new Set()).add(listener);
}

/** Logs when `configure({ debug: true })` was called. */
export function debugLog(...details: unknown[]): void {
  if (state().debug) console.debug('canvas-companion:', ...details);
}

/**
 * Tells whether the host's port has arrived.
 * @returns `true` once a port is held.
 */
export function isHostConnected(): boolean {
  return !!state().port;
}

/**
 * Sends a message to the host through the port. Before the port arrives the message is queued
 * (at most 100; past that the oldest is dropped with a warning) and sent in order when it does.
 *
 * @param message - An object with a string `type`; it must be structured-cloneable.
 * @returns `true` if sent now, `false` if queued.
 * @throws TypeError if `message` is not an object with a string `type`; `DataCloneError` if it
 *   cannot be cloned (at once, even while queued, wherever `structuredClone` exists).
 */
export function postToHost(message: HostMessage): boolean {
  if (!isHostMessage(message)) throw new TypeError('message must be { type: string }');
  const { port, queue } = state();
  if (port) {
    port.postMessage(message);
    return true;
  }
  // Clone now: a message that cannot be sent fails here, not silently at flush time. (Where
  // there is no structuredClone, as in jest's jsdom, the message itself waits.)
  queue.push(typeof structuredClone === 'function' ? structuredClone(message) : message);
  if (queue.length > QUEUE_LIMIT) {
    queue.shift();
    warn('no host port: dropped the oldest queued message');
  }
  return false;
}

/** Resolves with the port once it is held, or with `undefined` when `timeout` ms pass or `signal` aborts first. */
function waitForPort(timeout: number, signal?: AbortSignal): Promise<MessagePort | undefined> {
  const { port, waiters } = state();
  if (port) return Promise.resolve(port);
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = () => {
      waiters.delete(done);
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve(state().port);
    };
    waiters.add(done);
    signal?.addEventListener('abort', done);
    timer = startTimer(done, timeout);
  });
}

/**
 * Waits for the host's port.
 *
 * @returns A promise that resolves once the port is held. It rejects with CompanionError
 *   `HOST_TIMEOUT` when the timeout passes first, and with `signal.reason` when aborted.
 * @throws RangeError unless `timeout` is a number of ms from 0 to 2³¹−1, or `Infinity`.
 */
export function whenHostReady(options: WhenHostReadyOptions = {}): Promise<void> {
  const { timeout = 5000, signal } = options;
  checkDelay('timeout', timeout, true);
  checkSignal(signal);
  if (signal?.aborted) return Promise.reject(signal.reason);
  return waitForPort(timeout, signal).then((port) => {
    if (port) return;
    if (signal?.aborted) throw signal.reason;
    throw new CompanionError('HOST_TIMEOUT', `no host port in ${timeout} ms`);
  });
}

/**
 * Asks the host to close the modal that shows this page. Posts `{ type: 'CLOSE_MODAL' }`
 * through the port, waiting up to `timeout` ms for it; without a port it falls back to
 * `window.close()` (which only closes windows a script opened).
 *
 * @returns Which path was taken: `'port'` or `'window'`. Never rejects.
 * @throws RangeError (at once, not as a rejection) unless `timeout` is a number of ms from 0 to
 *   2³¹−1, or `Infinity`.
 */
export function closeModal(options: CloseModalOptions = {}): Promise<'port' | 'window'> {
  const { timeout = 1000 } = options;
  checkDelay('timeout', timeout, true);
  if (typeof process === 'object' && process.env.NODE_ENV !== 'production') warnUnknownOptions('closeModal', options, ['timeout']);
  return waitForPort(timeout).then((port) => {
    if (port) {
      port.postMessage({ type: 'CLOSE_MODAL' });
      return 'port';
    }
    try {
      pageWindow()?.close();
    } catch {
      // A page global named `close` may have replaced window.close: that must not reject.
    }
    return 'window';
  });
}

/**
 * Listens for messages the host sends through the port (e.g. `NOTE_TAB_CHANGE`). Messages that
 * arrive before the first handler is added wait in the port and are delivered to it. A handler
 * that throws does not stop the others; its error is reported like a throwing event listener's
 * (to `window.onerror`).
 *
 * @returns A function that removes the handler.
 * @throws TypeError if `handler` is not a function.
 */
export function onHostMessage(handler: (message: HostMessage) => void): () => void {
  checkFunction('handler', handler);
  const channel = state();
  // A wrapper, so the same function added twice is called twice and removed once per call.
  const own = (message: HostMessage) => handler(message);
  const handlers = (channel.handlers ??= new Set());
  handlers.add(own);
  // Until a handler exists the port stays unstarted, so host messages wait in it instead of
  // being lost. Setting onmessage starts it.
  channel.listen ??= () => {
    channel.port!.onmessage = ({ data }) => {
      if (!isHostMessage(data)) return;
      for (const handle of handlers) {
        try {
          handle(data);
        } catch (error) {
          reportCallbackError(error);
        }
      }
    };
  };
  if (channel.port) channel.listen();
  return () => {
    handlers.delete(own);
  };
}

function isSize(value: unknown): boolean {
  return typeof value === 'number' && value >= 0 && value !== Infinity;
}

/**
 * Asks the host to resize the modal: posts `{ type: 'RESIZE', width?, height? }` (queued until
 * the port arrives). Never sent automatically: on some Canvas versions a RESIZE broke CLOSE_MODAL.
 *
 * @throws RangeError unless at least one of `width` and `height` is given and each given one is
 *   a finite number >= 0.
 */
export function resize(dimensions: ResizeOptions): void {
  const { width, height } = dimensions ?? {};
  const message: HostMessage = { type: 'RESIZE' };
  if (width !== undefined) message.width = width;
  if (height !== undefined) message.height = height;
  const given = [width, height].filter((value) => value !== undefined);
  if (given.length === 0 || !given.every(isSize)) {
    throw new RangeError('resize() needs a width or height >= 0');
  }
  postToHost(message);
}

/**
 * Keeps the host's modal as tall as the page: sends `RESIZE` with the document's height (the
 * `<html>` element's, in CSS pixels rounded up) at once and whenever it changes, from a
 * `ResizeObserver` (so at most once a frame) and only when it differs from the last one sent
 * (queued, like any message, until the port arrives). Opt-in, never started by the library: one
 * Canvas version was reported to drop the channel after a `RESIZE`, so try it on yours. Outside
 * a browser, or without `ResizeObserver`, it does nothing.
 *
 * @example
 * ```ts
 * const stopResizing = autoResize(); // e.g. a form whose error messages make it grow
 * ```
 * @returns A function that stops it.
 */
export function autoResize(): () => void {
  // The window is the global object: its constructors are there.
  const page = pageWindow() as (Window & typeof globalThis) | undefined;
  if (typeof page?.ResizeObserver !== 'function') return () => {};
  const root = page.document.documentElement;
  let lastHeight: number | undefined;
  // Observations come once a frame, after layout: the first at once, then on every change of
  // size (of the width too, hence the comparison). Sending changes no layout, so none loops.
  const observer = new page.ResizeObserver(() => {
    const height = Math.ceil(root.getBoundingClientRect().height);
    if (height !== lastHeight) resize({ height: (lastHeight = height) });
  });
  observer.observe(root);
  return () => observer.disconnect();
}

/** What `configure({ allowedOrigins })` and the meta tag accept: an exact origin, `'null'` or `'*'`. */
function isAllowedOriginEntry(value: unknown): value is string {
  if (value === '*' || value === 'null') return true;
  if (typeof value !== 'string' || value.includes('*')) return false;
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}

/**
 * Says that `entry` is not an allowed-origins entry; in development (see dev.ts) also which
 * origin it should be, when it names one (a trailing slash, a path, upper case).
 */
function notAnOrigin(entry: unknown): string {
  const hint = typeof process === 'object' && process.env.NODE_ENV !== 'production' ? intendedOrigin(entry) : '';
  return `${String(entry)} is not an origin like https://example.com${hint}`;
}

/**
 * Sets the channel's options. Call it before the port can arrive (at the top of the page's
 * script) when the host is on another origin than the page.
 *
 * @throws TypeError if `allowedOrigins` is a string or not iterable (pass a list, e.g. an array
 *   or a `Set`), or has an entry that is not an exact origin, `'null'` or `'*'` (naming the
 *   entry; in development also the origin it should be).
 */
export function configure(options: ConfigureOptions): void {
  const { allowedOrigins, debug } = options ?? {};
  if (typeof process === 'object' && process.env.NODE_ENV !== 'production') warnUnknownOptions('configure', options, ['allowedOrigins', 'debug']);
  const channel = state();
  if (allowedOrigins != null) {
    if (typeof allowedOrigins === 'string' || typeof (allowedOrigins as Iterable<string>)[Symbol.iterator] !== 'function') {
      throw new TypeError('allowedOrigins must be a list of origins');
    }
    const origins = [...allowedOrigins];
    for (const origin of origins) {
      if (!isAllowedOriginEntry(origin)) throw new TypeError('allowedOrigins: ' + notAnOrigin(origin));
    }
    if (origins.includes('*')) warn(ANY_ORIGIN_WARNING);
    channel.origins = origins;
  }
  if (debug !== undefined) channel.debug = debug;
}

// The one import-time statement: listen for the host's port, once per page even when two copies
// of the library are loaded (both then share the state), and never outside a browser.
if (pageWindow() && (globalScope() as WithState)[STATE_KEY] == null) {
  state();
  pageWindow()!.addEventListener('message', handleWindowMessage);
}
