/**
 * A stand-in for the Provider Companion's side of the host channel, for a page's unit tests:
 * hands the library a `MessagePort` (no `INIT_CHANNEL` can pass the source check in a DOM
 * without frames), records what the page sends, and sends to it.
 * @module
 */
import { acceptPort, resetChannel, type HostMessage } from '../channel.js';
import { pageWindow } from '../page.js';
import { restoreLaunch } from './launch.js';

/** Options of {@link connectHost}. */
export interface ConnectHostOptions {
  /**
   * The origin the host runs on (what `patientUrl()` and `openPatient()` use).
   * @default the page's own origin, as on Canvas; `'null'` outside a browser
   */
  origin?: string;
  /**
   * The `MessageChannel` class to make the port with. Pass Node's
   * (`require('node:worker_threads').MessageChannel`) where the environment has none, such as
   * jest's jsdom environment.
   * @default globalThis.MessageChannel
   */
  MessageChannel?: typeof MessageChannel;
}

/** The host side of the channel, as {@link connectHost} returns it. */
export interface TestHost {
  /** The host's origin. */
  readonly origin: string;
  /**
   * Every message the page sent through the port, in order (copies, as the host receives them).
   * Recorded the moment the page posts, so it is up to date as soon as the page's call returned.
   */
  readonly messages: readonly HostMessage[];
  /** `true` once the page sent `CLOSE_MODAL` (e.g. `closeModal()`). */
  readonly closed: boolean;
  /** The last `RESIZE` message the page sent, or `undefined`. */
  readonly resize: HostMessage | undefined;
  /**
   * Resolves with the first message of `type` (any type when omitted) that no earlier `next()`
   * with the same `type` returned: one already sent, or the next one to come. It never times out by itself: the test
   * runner's timeout ends a wait for a message that never comes. A wait still open when the
   * host is reset rejects with `Error('host reset')`; when another `connectHost()` replaced this
   * host's port, with `Error('host replaced')`.
   */
  next(type?: string): Promise<HostMessage>;
  /**
   * Sends `message` to the page through the port, as the host does (e.g.
   * `{ type: 'NOTE_TAB_CHANGE', … }`). Resolves once the page's `onHostMessage()` handlers have
   * run on it. Until the page adds its first handler, messages wait in the port (as they do on
   * Canvas), and so does the promise. It rejects with `Error('host reset')` or
   * `Error('host replaced')` (another `connectHost()` took the page's port) when the page can no
   * longer receive it.
   */
  send(message: HostMessage): Promise<void>;
  /**
   * Ends this host and clears the library's page-wide state ({@link resetState}): closes the
   * port; forgets the host origin, queued messages, `onHostMessage()` handlers and `configure()`
   * options; ends every subscription left open (status `'closed'`); puts back the page URL
   * `launch()` replaced. A `closeModal()` or `whenHostReady()` still waiting for a port settles
   * at once, as if a host had come and gone: it neither reaches the next test's host nor falls
   * back to `window.close()`. This host's `next()` and `send()` still waiting reject with
   * `Error('host reset')`. Call it after each test (`afterEach(() => host.reset())`), so nothing
   * leaks into the next. On a host that another `connectHost()` (of any copy of the kit) replaced,
   * it only ends this host's own calls: the page's state belongs to the current host.
   */
  reset(): void;
}

/**
 * Where the host holding the page's port is kept: on the global object, under a `Symbol.for`
 * key, so that every copy of the kit (an ESM and a CJS copy can both be loaded, as copies of the
 * library share the page-wide state) ends the host another copy connected.
 */
const HOST_KEY = Symbol.for('canvas-companion/testing.host');
const hostSlot = globalThis as { [HOST_KEY]?: { end(reason: string): void } };

/** The accessor `name` that `object` inherits (from its class or a base class). */
function inheritedProperty(object: object, name: string): PropertyDescriptor | undefined {
  for (let proto = Object.getPrototypeOf(object); proto != null; proto = Object.getPrototypeOf(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (descriptor) return descriptor;
  }
  return undefined;
}

/** A structured clone, or a JSON copy where the environment has no `structuredClone`. */
function clone(value: unknown): unknown {
  return typeof structuredClone === 'function' ? structuredClone(value) : JSON.parse(JSON.stringify(value));
}

/** The `type` of a recorded message, matched by {@link TestHost.next}. */
function matches(message: HostMessage, type: string | undefined): boolean {
  return type === undefined || message.type === type;
}

/**
 * Connects a stand-in host to the library under test, in any environment (happy-dom, jsdom, a
 * real browser): hands the page a port exactly as an accepted `INIT_CHANNEL` does, through the
 * page-wide state that every copy of the library shares (the one your page imported included).
 * Queued messages are flushed to the new host, and `whenHostReady()` resolves. A second call
 * replaces the first host's port, as a second `INIT_CHANNEL` does.
 *
 * @example
 * ```ts
 * const host = connectHost();
 * afterEach(() => host.reset());
 * it('closes on Done', async () => {
 *   mountPage();
 *   screen.getByText('Done').click();
 *   await host.next('CLOSE_MODAL');
 * });
 * ```
 * @throws TypeError without a `MessageChannel` (Node 15+ and browsers have one; see the option).
 */
export function connectHost(options: ConnectHostOptions = {}): TestHost {
  const Channel = options.MessageChannel ?? globalThis.MessageChannel;
  if (typeof Channel !== 'function') throw new TypeError('connectHost() needs a MessageChannel: pass { MessageChannel } from node:worker_threads');
  const origin = options.origin ?? pageWindow()?.location.origin ?? 'null';
  const { port1: pagePort, port2: hostPort } = new Channel();
  const messages: HostMessage[] = [];
  /** How many of `messages` next() has handed out, per type ('' for any). */
  const taken = new Map<string, number>();
  const waiting = new Set<{ type: string | undefined; resolve: (message: HostMessage) => void; reject: (error: Error) => void }>();
  /** send() promises, resolved in order as the page's port delivers. */
  const deliveries: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  /** Why this host ended ('host reset', 'host replaced'), once it did. */
  let ended: string | undefined;

  /** Hands a new message to the oldest next() waiting, for each type it matches. */
  function handOver(message: HostMessage): void {
    const served = new Set<string>();
    for (const waiter of waiting) {
      const key = waiter.type ?? '';
      if (served.has(key) || !matches(message, waiter.type)) continue;
      served.add(key);
      waiting.delete(waiter);
      taken.set(key, (taken.get(key) ?? 0) + 1);
      waiter.resolve(message);
    }
  }

  // Record on the page's side, synchronously: the host sees each message as the page posts it,
  // then the message goes through the real port (which also checks it can be cloned).
  const post = pagePort.postMessage.bind(pagePort);
  pagePort.postMessage = (message: unknown, ...rest: unknown[]) => {
    (post as (message: unknown, ...rest: unknown[]) => void)(message, ...rest);
    const copy = clone(message) as HostMessage;
    messages.push(copy);
    handOver(copy);
  };
  // The library starts delivery by setting `onmessage` (once the page adds a handler). Wrapping
  // it tells send() when the page's handlers have run on a message.
  const prototypeOnMessage = inheritedProperty(pagePort, 'onmessage');
  let pageHandler: ((event: MessageEvent) => void) | null = null;
  Object.defineProperty(pagePort, 'onmessage', {
    configurable: true,
    get: () => pageHandler,
    set(handler: ((event: MessageEvent) => void) | null) {
      pageHandler = handler;
      const wrapped = handler && ((event: MessageEvent) => {
        try {
          handler(event);
        } finally {
          deliveries.shift()?.resolve();
        }
      });
      prototypeOnMessage?.set?.call(pagePort, wrapped);
    },
  });

  const self = {
    end(reason: string): void {
      ended ??= reason;
      const error = () => new Error(ended);
      for (const waiter of waiting) waiter.reject(error());
      waiting.clear();
      for (const delivery of deliveries.splice(0)) delivery.reject(error());
      if (hostSlot[HOST_KEY] === self) delete hostSlot[HOST_KEY];
    },
  };
  hostSlot[HOST_KEY]?.end('host replaced');
  hostSlot[HOST_KEY] = self;
  acceptPort(pagePort, origin);

  return {
    origin,
    messages,
    get closed() {
      return messages.some((message) => message.type === 'CLOSE_MODAL');
    },
    get resize() {
      return messages.filter((message) => message.type === 'RESIZE').pop();
    },
    next(type) {
      const key = type ?? '';
      const earlier = messages.filter((message) => matches(message, type));
      const index = taken.get(key) ?? 0;
      if (index < earlier.length) {
        taken.set(key, index + 1);
        return Promise.resolve(earlier[index]!);
      }
      if (ended) return Promise.reject(new Error(ended));
      return new Promise((resolve, reject) => waiting.add({ type, resolve, reject }));
    },
    send(message) {
      if (ended) return Promise.reject(new Error(ended));
      const delivered = new Promise<void>((resolve, reject) => deliveries.push({ resolve, reject }));
      hostPort.postMessage(message);
      return delivered;
    },
    reset() {
      const replaced = hostSlot[HOST_KEY] !== undefined && hostSlot[HOST_KEY] !== self;
      self.end('host reset');
      pagePort.close();
      hostPort.close();
      if (!replaced) resetState();
    },
  };
}

/**
 * Clears the library's page-wide state (what {@link TestHost.reset} does after closing its
 * port), for tests with or without a host: the port and host origin, queued messages,
 * `onHostMessage()` handlers, `configure()` options; it ends every subscription left open
 * (status `'closed'`, so the next test's `subscribe()` opens a new socket with its own
 * `WebSocket`), settles a waiting `closeModal()`/`whenHostReady()`, rejects the connected
 * host's waiting `next()`/`send()` (`Error('host reset')`), and puts back the page URL that
 * was there before the first `launch()`.
 */
export function resetState(): void {
  hostSlot[HOST_KEY]?.end('host reset');
  restoreLaunch();
  resetChannel();
}
