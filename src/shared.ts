/**
 * Internals shared by the modules: the page-wide state, console output, callback error
 * reporting, timeouts, and the page's window. Nothing here is exported from the package.
 * @module
 * @internal
 */
import type { HostMessage } from './channel.js';

/**
 * The library's page-wide state. It lives on `globalThis` under a `Symbol.for` key, so that two
 * copies of the library on one page (a UMD file and a bundled ESM copy, or the test kit's copy)
 * share one port, one queue and one set of handlers.
 */
export interface SharedState {
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
  /**
   * One function per copy of the library that subscribed: ends all that copy's subscriptions
   * (status `'closed'`). Called by the test kit's `reset()`; kept across resets.
   */
  subscriptionEnders?: Set<() => void>;
}

const STATE_KEY = Symbol.for('canvas-companion');

/**
 * The page's window, or `undefined` outside a browser (SSR, Node tooling). Read through the
 * `window` binding, which page code cannot shadow or replace (unlike `parent`, `self` or `globalThis`).
 */
export function pageWindow(): Window | undefined {
  return typeof window === 'object' ? window : undefined;
}

/**
 * The global object: the page's window in a browser (a page's `var globalThis = null` cannot
 * take it away), else `globalThis`. The state and the default `fetch` and `WebSocket` are read
 * from it.
 */
export function globalScope(): typeof globalThis {
  // In a browser the window is the global object, so it has every global's type.
  return (pageWindow() ?? globalThis) as typeof globalThis;
}

type WithState = { [STATE_KEY]?: SharedState };

/** Tells whether a copy of the library already created the page's state. */
export function hasState(): boolean {
  return (globalScope() as WithState)[STATE_KEY] != null;
}

/** The page-wide state, created on first use. */
export function state(): SharedState {
  return ((globalScope() as WithState)[STATE_KEY] ??= { queue: [], waiters: new Set() });
}

/** Warns in the console, with the library's prefix. */
export function warn(message: string): void {
  console.warn('canvas-companion: ' + message);
}

/** Logs when `configure({ debug: true })` was called. */
export function debugLog(...details: unknown[]): void {
  if (state().debug) console.debug('canvas-companion:', ...details);
}

/**
 * Reports an error thrown by a caller's callback the way the DOM reports a throwing event
 * listener (to `window.onerror`), without stopping the loop that called it.
 */
export function reportCallbackError(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

/** Calls a caller's callback; if it throws, reports the error and carries on. */
export function callSafely<T>(callback: ((value: T) => void) | undefined, value: T): void {
  try {
    callback?.(value);
  } catch (error) {
    reportCallbackError(error);
  }
}

/** The longest delay `setTimeout` honours (2³¹−1 ms, about 24.8 days); past it, it fires at once. */
export const MAX_TIMEOUT = 2 ** 31 - 1;

/**
 * Checks a caller's timeout or delay option: a number from 0 to {@link MAX_TIMEOUT}, or
 * `Infinity` where `allowInfinity` says it means "for ever".
 *
 * @param name - The option's name, for the error message.
 * @throws RangeError naming the option otherwise.
 */
export function checkDelay(name: string, value: unknown, allowInfinity: boolean): void {
  const isDelay = typeof value === 'number' && value >= 0 && (value <= MAX_TIMEOUT || (allowInfinity && value === Infinity));
  if (!isDelay) {
    throw new RangeError(`${name} must be 0 to ${MAX_TIMEOUT} ms${allowInfinity ? ' or Infinity' : ''}`);
  }
}

/** @throws TypeError naming the argument or option unless `value` is a function. */
export function checkFunction(name: string, value: unknown): void {
  if (typeof value !== 'function') throw new TypeError(`${name} must be a function`);
}

/** Like `setTimeout`, except that an infinite delay sets no timer at all (it never fires). */
export function startTimer(callback: () => void, delay: number): ReturnType<typeof setTimeout> | undefined {
  return delay === Infinity ? undefined : setTimeout(callback, delay);
}
