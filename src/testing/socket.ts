/**
 * A `WebSocket` class for the mock platform's channels: what the page constructs. The platform
 * decides each upgrade and holds each open connection.
 * @module
 */
import { reportCallbackError } from '../report.js';

/** One open connection, as the socket class hands it to the server. */
export interface Connection {
  /** The URL the page opened. */
  readonly url: string;
  /** The channel, e.g. `'staff-5f0a…'`. */
  readonly channel: string;
  /** Frames the page sent on it (`socket.send(…)`), in order. */
  readonly received: readonly unknown[];
  /** Delivers a frame to the page, at once. */
  deliver(frame: string): void;
  /** Ends the connection as a network failure does (close code 1006), at once. */
  drop(): void;
}

/** What the socket class asks the platform. */
export interface SocketServer {
  /** Decides an upgrade for `url`: `status` null opens it, a number is the HTTP status that refuses it. */
  upgrade(url: string): Promise<{ channel: string; status: number | null }>;
  /** A connection opened. */
  opened(connection: Connection): void;
  /** A connection closed, from either side. */
  closed(connection: Connection): void;
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;
/** What a browser reports for a connection that failed or was dropped without a close frame. */
const ABNORMAL_CLOSURE = 1006;

type Listener = ((event: Event) => void) | { handleEvent(event: Event): void };

/** An event of the environment's own classes (happy-dom's, jsdom's, the browser's or Node's). */
function makeEvent(type: string, fields: Record<string, unknown> = {}): Event {
  const scope = globalThis as Record<string, any>;
  if (type === 'message' && typeof scope.MessageEvent === 'function') return new scope.MessageEvent(type, fields);
  if (type === 'close' && typeof scope.CloseEvent === 'function') return new scope.CloseEvent(type, fields);
  // Node 20 has no CloseEvent: an Event with the same fields.
  return Object.assign(new Event(type), fields);
}

/**
 * A `WebSocket` class whose connections go to `server`. Events are delivered without timers
 * (on promise callbacks, or at once for what the server does), so fake timers do not hold them.
 */
export function createSocketClass(server: SocketServer): typeof WebSocket {
  class MockWebSocket {
    static readonly CONNECTING = CONNECTING;
    static readonly OPEN = OPEN;
    static readonly CLOSING = CLOSING;
    static readonly CLOSED = CLOSED;
    readonly CONNECTING = CONNECTING;
    readonly OPEN = OPEN;
    readonly CLOSING = CLOSING;
    readonly CLOSED = CLOSED;
    readonly url: string;
    readonly protocol = '';
    readonly extensions = '';
    readonly bufferedAmount = 0;
    binaryType: BinaryType = 'blob';
    readyState: number = CONNECTING;
    onopen: ((event: Event) => void) | null = null;
    onmessage: ((event: MessageEvent) => void) | null = null;
    onerror: ((event: Event) => void) | null = null;
    onclose: ((event: CloseEvent) => void) | null = null;
    #listeners = new Map<string, Set<Listener>>();
    #connection?: Connection;

    constructor(url: string | URL) {
      this.url = String(url);
      server.upgrade(this.url).then(({ channel, status }) => this.#answer(channel, status));
    }

    #answer(channel: string, status: number | null): void {
      // The page closed it while it was connecting.
      if (this.readyState !== CONNECTING) return;
      if (status !== null) {
        this.readyState = CLOSED;
        this.dispatchEvent(makeEvent('error'));
        this.dispatchEvent(makeEvent('close', { code: ABNORMAL_CLOSURE, reason: '', wasClean: false }));
        return;
      }
      const received: unknown[] = [];
      this.#connection = {
        url: this.url,
        channel,
        received,
        deliver: (frame) => {
          if (this.readyState === OPEN) this.dispatchEvent(makeEvent('message', { data: frame, origin: new URL(this.url).origin }));
        },
        drop: () => this.#end(ABNORMAL_CLOSURE, '', false),
      };
      this.readyState = OPEN;
      server.opened(this.#connection);
      this.dispatchEvent(makeEvent('open'));
    }

    /** Closes it now (server side) or on the next promise callback (page side, as browsers do). */
    #end(code: number, reason: string, wasClean: boolean): void {
      if (this.readyState === CLOSED) return;
      this.readyState = CLOSED;
      if (this.#connection) server.closed(this.#connection);
      this.dispatchEvent(makeEvent('close', { code, reason, wasClean }));
    }

    send(data: unknown): void {
      if (this.readyState === CONNECTING) throw new DOMException('still connecting', 'InvalidStateError');
      if (this.readyState === OPEN) (this.#connection!.received as unknown[]).push(data);
    }

    close(code?: number, reason = ''): void {
      if (this.readyState === CLOSING || this.readyState === CLOSED) return;
      const wasOpen = this.readyState === OPEN;
      this.readyState = CLOSING;
      Promise.resolve().then(() => this.#end(wasOpen ? (code ?? 1005) : ABNORMAL_CLOSURE, reason, wasOpen));
    }

    addEventListener(type: string, listener: Listener | null): void {
      if (!listener) return;
      if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
      this.#listeners.get(type)!.add(listener);
    }

    removeEventListener(type: string, listener: Listener | null): void {
      if (listener) this.#listeners.get(type)?.delete(listener);
    }

    dispatchEvent(event: Event): boolean {
      const handler = (this as unknown as Record<string, unknown>)['on' + event.type];
      const listeners: Listener[] = [...(typeof handler === 'function' ? [handler as Listener] : []), ...(this.#listeners.get(event.type) ?? [])];
      for (const listener of listeners) {
        try {
          if (typeof listener === 'function') listener.call(this, event);
          else listener.handleEvent(event);
        } catch (error) {
          // As a browser reports a throwing listener (and as the library reports a callback's
          // error): thrown from a microtask, so the test runner sees it; the others still run.
          reportCallbackError(error);
        }
      }
      return true;
    }
  }
  return MockWebSocket as unknown as typeof WebSocket;
}
