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
  port: MessagePort | null;
  queue: HostMessage[];
  waiters: Set<() => void>;
  handlers: Set<(message: HostMessage) => void>;
  origins: readonly string[];
  debug: boolean;
}

const STATE_KEY = Symbol.for('canvas-companion.channel');
const QUEUE_LIMIT = 100;
const PREFIX = '[canvas-companion]';
const globals = globalThis as typeof globalThis & { [STATE_KEY]?: ChannelState };

function state(): ChannelState {
  return (globals[STATE_KEY] ??= { port: null, queue: [], waiters: new Set(), handlers: new Set(), origins: [], debug: false });
}

/** @internal Logs when `configure({ debug: true })` was called. */
export function debugLog(...details: unknown[]): void {
  if (state().debug) console.debug(PREFIX, ...details);
}

function isHostMessage(value: unknown): value is HostMessage {
  return Object.prototype.toString.call(value) === '[object Object]' && typeof (value as HostMessage).type === 'string';
}

/** @internal Reports a callback's error (to `window.onerror` where it can) without stopping the caller's loop. */
export function reportCallbackError(error: unknown): void {
  if (typeof reportError === 'function') reportError(error);
  else console.error(error);
}

function allowedOrigins(): string[] {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="canvas-companion-allowed-origins"]');
  const own = location.origin;
  // An opaque page origin ('null') is never allowed by default: every sandboxed frame has it.
  return [...(own === 'null' ? [] : [own]), ...state().origins, ...(meta ? meta.content.split(/[\s,]+/) : [])];
}

function rejectReason(event: MessageEvent): string | undefined {
  if (window.parent === window || event.source !== window.parent) return 'it did not come from the parent window';
  const allowed = allowedOrigins();
  if (!allowed.includes(event.origin) && !allowed.includes('*')) {
    return `origin ${event.origin} is not allowed (allowed: ${allowed.join(' ') || 'none'}; see configure({ allowedOrigins }))`;
  }
  if (!(event.ports?.[0] instanceof MessagePort)) return 'it carried no MessagePort';
}

function handleWindowMessage(event: MessageEvent): void {
  const data: unknown = event.data;
  if (!isHostMessage(data) || data.type !== 'INIT_CHANNEL') return;
  const reason = rejectReason(event);
  if (reason) {
    console.warn(`${PREFIX} ignored INIT_CHANNEL: ${reason}.`);
    return;
  }
  const channel = state();
  const port = event.ports[0]!;
  channel.port?.close();
  channel.port = port;
  port.addEventListener('message', (message) => {
    if (channel.port !== port || !isHostMessage(message.data)) return;
    debugLog('host message', message.data);
    for (const handler of [...channel.handlers]) {
      try {
        handler(message.data);
      } catch (error) {
        reportCallbackError(error);
      }
    }
  });
  port.start();
  debugLog('port received from', event.origin);
  for (const queued of channel.queue.splice(0)) send(port, queued);
  for (const wake of [...channel.waiters]) wake();
}

function send(port: MessagePort, message: HostMessage): void {
  try {
    port.postMessage(message);
  } catch (error) {
    reportCallbackError(error);
  }
}

/**
 * Tells whether the host's port has arrived.
 * @returns `true` once a port is held.
 */
export function isHostConnected(): boolean {
  return state().port !== null;
}

/**
 * Sends a message to the host through the port. Before the port arrives the message is queued
 * (at most 100; past that the oldest is dropped with a warning) and sent in order when it does.
 *
 * @param message - An object with a string `type`; it must be structured-cloneable.
 * @returns `true` if sent now, `false` if queued.
 * @throws TypeError if `message` is not an object with a string `type`.
 */
export function postToHost(message: HostMessage): boolean {
  if (!isHostMessage(message)) throw new TypeError('postToHost() takes an object with a string `type`');
  const channel = state();
  if (channel.port) {
    channel.port.postMessage(message);
    return true;
  }
  if (channel.queue.push(message) > QUEUE_LIMIT) {
    console.warn(`${PREFIX} no host port yet; dropped the oldest of ${QUEUE_LIMIT + 1} queued messages.`);
    channel.queue.shift();
  }
  return false;
}

/**
 * Waits for the host's port.
 *
 * @returns A promise that resolves once the port is held.
 * @throws CompanionError `HOST_TIMEOUT` (as a rejection) when the timeout passes first; rejects
 *   with `signal.reason` when aborted.
 */
export function whenHostReady(options: WhenHostReadyOptions = {}): Promise<void> {
  const { timeout = 5000, signal } = options;
  if (!(timeout >= 0)) throw new RangeError('timeout must be a non-negative number of ms');
  return new Promise((resolve, reject) => {
    const channel = state();
    if (signal?.aborted) return reject(signal.reason);
    if (channel.port) return resolve();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = (error?: unknown) => {
      channel.waiters.delete(wake);
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const wake = () => settle();
    const onAbort = () => settle(signal!.reason);
    channel.waiters.add(wake);
    signal?.addEventListener('abort', onAbort);
    // Past 2^31-1 ms, setTimeout would fire at once: treat such a timeout as "for ever".
    if (timeout < 2 ** 31) {
      timer = setTimeout(
        () => settle(new CompanionError('HOST_TIMEOUT', `The host did not hand over its port within ${timeout} ms. Is the page open inside the Provider Companion?`)),
        timeout,
      );
    }
  });
}

/**
 * Asks the host to close the modal that shows this page. Posts `{ type: 'CLOSE_MODAL' }`
 * through the port, waiting up to `timeout` ms for it; without a port it falls back to
 * `window.close()` (which only closes windows a script opened).
 *
 * @returns Which path was taken: `'port'` or `'window'`. Never rejects.
 */
export async function closeModal(options: CloseModalOptions = {}): Promise<'port' | 'window'> {
  try {
    await whenHostReady({ timeout: options.timeout ?? 1000 });
    state().port!.postMessage({ type: 'CLOSE_MODAL' });
    return 'port';
  } catch {
    try {
      window.close();
    } catch {
      // Not in a browser: nothing more to try.
    }
    return 'window';
  }
}

/**
 * Listens for messages the host sends through the port (e.g. `NOTE_TAB_CHANGE`).
 * A handler that throws does not stop the others; its error is reported to `window.onerror`.
 *
 * @returns A function that removes the handler.
 */
export function onHostMessage(handler: (message: HostMessage) => void): () => void {
  if (typeof handler !== 'function') throw new TypeError('onHostMessage() takes a function');
  const { handlers } = state();
  const own = (message: HostMessage) => handler(message);
  handlers.add(own);
  return () => void handlers.delete(own);
}

/**
 * Asks the host to resize the modal: posts `{ type: 'RESIZE', width?, height? }` (queued until
 * the port arrives). Never sent automatically: on some Canvas versions a RESIZE broke CLOSE_MODAL.
 *
 * @throws RangeError unless at least one of `width` and `height` is given and each given one is
 *   a finite non-negative number.
 */
export function resize(size: ResizeOptions): void {
  const message: HostMessage = { type: 'RESIZE' };
  for (const key of ['width', 'height'] as const) {
    const value = size?.[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value >= 0 && value < Infinity)) {
      throw new RangeError(`resize(): ${key} must be a finite non-negative number`);
    }
    message[key] = value;
  }
  if (Object.keys(message).length < 2) throw new RangeError('resize() needs a width or a height');
  postToHost(message);
}

function isExactOrigin(value: unknown): boolean {
  try {
    return new URL(value as string).origin === value && !(value as string).includes('*');
  } catch {
    return false;
  }
}

/**
 * Sets the channel's options. Call it before the port can arrive (at the top of the page's
 * script) when the host is on another origin than the page.
 *
 * @throws TypeError for an entry of `allowedOrigins` that is not an exact origin, `'null'` or `'*'`.
 */
export function configure(options: ConfigureOptions): void {
  const channel = state();
  const { allowedOrigins: origins, debug } = options;
  if (origins !== undefined) {
    for (const origin of origins) {
      if (origin !== '*' && origin !== 'null' && !isExactOrigin(origin)) {
        throw new TypeError(`allowedOrigins: ${String(origin)} is not an origin like https://example.com (no path, no trailing slash, no wildcard)`);
      }
    }
    if (origins.includes('*')) console.warn(`${PREFIX} allowedOrigins contains '*': any parent origin may hand over the port.`);
    channel.origins = [...origins];
  }
  if (debug !== undefined) channel.debug = debug;
}

// The one import-time statement: listen for the host's port, once per page even when two copies
// of the library are loaded (both then share the state above).
if (typeof window === 'object' && !globals[STATE_KEY]) {
  state();
  window.addEventListener('message', handleWindowMessage);
}
