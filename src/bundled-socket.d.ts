/**
 * The types of reconnecting-websocket 4.4.0 as the build bundles it: only the members that
 * `scripts/bundled-socket.mjs` keeps. A member the build removes (`send`, `reconnect`, the
 * EventTarget methods, the state getters) is missing here too, so calling it fails `tsc` instead
 * of a user's page. The import `./bundled-socket.js` is resolved to the package's TypeScript
 * source by that build plugin (in rollup and in vitest).
 */

/** The options src/realtime.ts passes; the others keep the package's defaults. */
export interface BundledSocketOptions {
  /** A WebSocket class, or a function RWS calls with `new` that has `CLOSING === 2`. */
  WebSocket?: unknown;
  /** Backoff before a reconnect; src/realtime.ts passes 0 and waits in its URL provider. */
  minReconnectionDelay?: number;
  /** A connect not open by then is abandoned and retried. */
  connectionTimeout?: number;
  /** An open socket counts as stable (the retry count starts over) after this long. */
  minUptime?: number;
}

/** A WebSocket that reconnects by itself. */
export default class ReconnectingWebSocket {
  /**
   * @param url - The URL, or a function RWS calls before each connect (it may return a promise,
   *   which is how src/realtime.ts waits out its own backoff).
   */
  constructor(url: string | (() => string | Promise<string>), protocols?: string | string[], options?: BundledSocketOptions);
  /** Connects since the last stable open: 0 for the first, then 1, 2, … (counted before each retry). */
  readonly retryCount: number;
  onopen: ((event: Event) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  /** Closes the socket and stops reconnecting. */
  close(code?: number, reason?: string): void;
}
