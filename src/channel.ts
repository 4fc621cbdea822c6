/**
 * The host channel: the `MessagePort` the Provider Companion hands a plugin page.
 *
 * This is the library's one module with import-time work: a single guarded statement at the
 * bottom installs a `message` listener on `window`, because the host may transfer the port
 * before the page's own scripts run or before `DOMContentLoaded`.
 * @module
 */
import { CompanionError } from './errors.js';

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
   * Replaces the list given by an earlier call. The page can also list origins, separated by
   * spaces, in `<meta name="canvas-companion-allowed-origins" content="…">`.
   * @default []
   */
  allowedOrigins?: readonly string[];
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

/** The channel's state. It lives on `globalThis` so that two copies of the library on one page share it. */
interface ChannelState {
  port?: MessagePort;
  queue: HostMessage[];
  waiters: Set<() => void>;
  handlers?: Set<(message: HostMessage) => void>;
  origins?: readonly string[];
  debug?: boolean;
  /** Set by the first onHostMessage(): starts delivering the port's messages to the handlers. */
  listen?: () => void;
}

const STATE_KEY = Symbol.for('canvas-companion');
const globals = globalThis as typeof globalThis & { [STATE_KEY]?: ChannelState };

const state = (): ChannelState => (globals[STATE_KEY] ??= { queue: [], waiters: new Set() });

/** @internal Warns in the console, with the library's prefix. */
export function warn(message: string): void {
  console.warn('canvas-companion: ' + message);
}

/** @internal Logs when `configure({ debug: true })` was called. */
export function debugLog(...details: unknown[]): void {
  if (state().debug) console.debug('canvas-companion:', ...details);
}

/**
 * @internal Reports an error thrown by a caller's callback the way the DOM reports a throwing
 * event listener (to `window.onerror`), without stopping the loop that called it.
 */
export function reportCallbackError(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

// Structured clones of plain objects have this realm's Object as constructor; arrays and primitives do not.
const isHostMessage = (value: unknown): value is HostMessage =>
  (value as HostMessage | null)?.constructor === Object && typeof (value as HostMessage).type === 'string';

function handleWindowMessage({ data, origin, source, ports }: MessageEvent): void {
  if (data?.constructor !== Object || data.type !== 'INIT_CHANNEL') return;
  const channel = state();
  const meta = document.getElementsByName('canvas-companion-allowed-origins')[0] as HTMLMetaElement | undefined;
  const allowed = [...(channel.origins ?? []), ...(meta?.content.split(/[\s,]+/) ?? [])];
  const port = ports[0];
  const reason =
    parent === window || source !== parent
      ? 'not from window.parent'
      : // The page's own origin is allowed by default, unless opaque ('null'): every sandboxed frame has that one.
        !((origin === location.origin && origin !== 'null') || allowed.includes(origin) || allowed.includes('*'))
        ? `origin ${origin} not allowed`
        : !port && 'no MessagePort';
  if (reason) return warn('INIT_CHANNEL ignored: ' + reason);
  channel.port?.close();
  channel.port = port;
  channel.listen?.();
  channel.queue.splice(0).forEach((queued) => port!.postMessage(queued));
  channel.waiters.forEach((wake) => wake());
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
 *   cannot be cloned (at once, even while queued).
 */
export function postToHost(message: HostMessage): boolean {
  if (!isHostMessage(message)) throw new TypeError('postToHost() needs { type: string }');
  const { port, queue } = state();
  if (port) {
    port.postMessage(message);
    return true;
  }
  // Clone now: a message that cannot be sent fails here, not silently at flush time.
  if (queue.push(structuredClone(message)) > 100) {
    queue.shift();
    warn('no host port: dropped the oldest queued message');
  }
  return false;
}

/** Resolves with the port once it is held, or with `undefined` when `timeout` ms pass or `signal` aborts first. */
function waitForPort(timeout: number, signal?: AbortSignal): Promise<MessagePort | undefined> {
  const { port, waiters } = state();
  return new Promise((resolve) => {
    if (port) return resolve(port);
    const done = () => {
      waiters.delete(done);
      clearTimeout(timer as ReturnType<typeof setTimeout>);
      signal?.removeEventListener('abort', done);
      resolve(state().port);
    };
    waiters.add(done);
    signal?.addEventListener('abort', done);
    // Past 2^31-1 ms setTimeout would fire at once: such a timeout (or Infinity) waits for ever.
    const timer = timeout < 2 ** 31 && setTimeout(done, timeout);
  });
}

/**
 * Waits for the host's port.
 *
 * @returns A promise that resolves once the port is held. It rejects with CompanionError
 *   `HOST_TIMEOUT` when the timeout passes first, and with `signal.reason` when aborted.
 * @throws RangeError for a negative or non-numeric timeout.
 */
export function whenHostReady({ timeout = 5000, signal }: WhenHostReadyOptions = {}): Promise<void> {
  if (!(timeout >= 0)) throw new RangeError('timeout must be >= 0');
  return signal?.aborted
    ? Promise.reject(signal.reason)
    : waitForPort(timeout, signal).then((held) => {
        if (held) return;
        throw signal?.aborted ? signal.reason : new CompanionError('HOST_TIMEOUT', `no host port in ${timeout} ms: is the page in the companion?`);
      });
}

/**
 * Asks the host to close the modal that shows this page. Posts `{ type: 'CLOSE_MODAL' }`
 * through the port, waiting up to `timeout` ms for it; without a port it falls back to
 * `window.close()` (which only closes windows a script opened).
 *
 * @returns Which path was taken: `'port'` or `'window'`. Never rejects.
 */
export async function closeModal({ timeout = 1000 }: CloseModalOptions = {}): Promise<'port' | 'window'> {
  const port = await waitForPort(timeout);
  if (port) {
    port.postMessage({ type: 'CLOSE_MODAL' });
    return 'port';
  }
  globalThis.close?.();
  return 'window';
}

/**
 * Listens for messages the host sends through the port (e.g. `NOTE_TAB_CHANGE`). Messages that
 * arrive before the first handler is added wait in the port and are delivered to it. A handler that throws does not stop the others; its error is reported like a throwing event
 * listener's (to `window.onerror`).
 *
 * @returns A function that removes the handler.
 * @throws TypeError if `handler` is not a function.
 */
export function onHostMessage(handler: (message: HostMessage) => void): () => void {
  if (typeof handler !== 'function') throw new TypeError('handler must be a function');
  const channel = state();
  // A wrapper, so the same function added twice is called twice and removed once per call.
  const own = (message: HostMessage) => handler(message);
  const handlers = (channel.handlers ??= new Set());
  handlers.add(own);
  // Until a handler exists the port stays unstarted, so host messages wait in it instead of being lost.
  // Setting onmessage starts it.
  channel.listen ??= () => {
    channel.port!.onmessage = ({ data }) => {
      if (isHostMessage(data)) {
        handlers.forEach((handle) => {
          try {
            handle(data);
          } catch (error) {
            reportCallbackError(error);
          }
        });
      }
    };
  };
  if (channel.port) channel.listen();
  return () => void handlers.delete(own);
}

/**
 * Asks the host to resize the modal: posts `{ type: 'RESIZE', width?, height? }` (queued until
 * the port arrives). Never sent automatically: on some Canvas versions a RESIZE broke CLOSE_MODAL.
 *
 * @throws RangeError unless at least one of `width` and `height` is given and each given one is
 *   a finite number >= 0.
 */
export function resize({ width, height }: ResizeOptions): void {
  const message = { type: 'RESIZE', width, height };
  const given = [width, height].filter((value) => value !== undefined);
  if (!given.length || !given.every((value) => typeof value === 'number' && value >= 0 && value < Infinity)) {
    throw new RangeError('resize() needs a width or height >= 0');
  }
  // Absent dimensions are left out of the message, not sent as undefined.
  postToHost(JSON.parse(JSON.stringify(message)) as HostMessage);
}

/**
 * Sets the channel's options. Call it before the port can arrive (at the top of the page's
 * script) when the host is on another origin than the page.
 *
 * @throws TypeError for an entry of `allowedOrigins` that is not an exact origin, `'null'` or `'*'`.
 */
export function configure({ allowedOrigins, debug }: ConfigureOptions): void {
  const channel = state();
  if (allowedOrigins) {
    for (const origin of allowedOrigins) {
      if (origin !== '*' && origin !== 'null' && !isExactOrigin(origin)) {
        throw new TypeError(`allowedOrigins: ${String(origin)} is not an origin like https://example.com`);
      }
    }
    if (allowedOrigins.includes('*')) warn("allowedOrigins '*' trusts any parent origin");
    channel.origins = [...allowedOrigins];
  }
  if (debug !== undefined) channel.debug = debug;
}

function isExactOrigin(value: unknown): boolean {
  try {
    return new URL(value as string).origin === value && !(value as string).includes('*');
  } catch {
    return false;
  }
}

// The one import-time statement: listen for the host's port, once per page even when two copies
// of the library are loaded (both then share the state above).
if (typeof window === 'object' && !globals[STATE_KEY]) {
  state();
  addEventListener('message', handleWindowMessage);
}
