import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configure } from '../../src/channel.js';
import { isCompanionError } from '../../src/errors.js';
import { socketUrl, subscribe, type SubscribeOptions, type Subscription, type SubscriptionStatus } from '../../src/realtime.js';

// A throwing callback is reported through channel.ts's helper; record instead of rethrowing.

const BASE = 'ws://127.0.0.1:4173/plugin-io/ws/demo_plugin/';

type Listener = (event: { type: string; data?: unknown; code?: number; reason?: string }) => void;

/** A WebSocket stand-in: tests drive open, message, failure and drop by hand. */
class FakeSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  /** Every socket built, in order. */
  static all: FakeSocket[] = [];
  /** What a new socket does on its own: nothing, open or fail (in a microtask). */
  static auto: 'none' | 'open' | 'fail' = 'none';
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;
  readyState = 0;
  binaryType = 'blob';
  closeCalls = 0;
  readonly createdAt = Date.now();
  private listeners = new Map<string, Set<Listener>>();

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
    const auto = FakeSocket.auto;
    if (auto !== 'none') queueMicrotask(() => (auto === 'open' ? this.open() : this.fail()));
  }
  addEventListener(type: string, listener: Listener) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(listener);
  }
  removeEventListener(type: string, listener: Listener) {
    this.listeners.get(type)?.delete(listener);
  }
  emit(type: string, init: { data?: unknown; code?: number; reason?: string } = {}) {
    for (const listener of [...(this.listeners.get(type) ?? [])]) listener({ type, ...init });
  }
  open() {
    this.readyState = 1;
    this.emit('open');
  }
  message(data: unknown) {
    this.emit('message', { data: typeof data === 'string' ? data : JSON.stringify(data) });
  }
  raw(data: unknown) {
    this.emit('message', { data });
  }
  /** A refused or failed connect: error, then close 1006 (what a browser reports for a 403 upgrade). */
  fail() {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.emit('error');
    this.emit('close', { code: 1006 });
  }
  /** The server drops an open connection. */
  drop() {
    this.readyState = 3;
    this.emit('close', { code: 1006 });
  }
  /** The server closes the connection with a close frame: `code` and `reason`, as a browser reports them. */
  serverClose(code: number, reason = '') {
    this.readyState = 3;
    this.emit('close', { code, reason });
  }
  close() {
    this.closeCalls++;
    if (this.readyState >= 2) return;
    this.readyState = 2;
    queueMicrotask(() => {
      this.readyState = 3;
      this.emit('close', { code: 1000 });
    });
  }
  send(): never {
    throw new Error('the wrapper must never send');
  }
}

const WS = FakeSocket as unknown as typeof WebSocket;
const subscriptions: Subscription[] = [];
let channelNumber = 0;
/** A channel no other test used: the module shares sockets by URL. */
const fresh = () => `chan-${++channelNumber}`;

/**
 * Records the errors the library reports from throwing callbacks: it rethrows them from a
 * microtask, as a browser reports a throwing event listener, so in Node they are uncaught
 * exceptions. Vitest's own listeners (which would fail the run) are set aside meanwhile.
 */
function recordUncaught(): { errors: unknown[]; stop: () => Promise<void> } {
  const errors: unknown[] = [];
  const record = (error: unknown) => errors.push(error);
  const saved = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', record);
  return {
    errors,
    async stop() {
      // Reports are rethrown from microtasks queued before this one: they have reached the listener after it.
      await Promise.resolve();
      process.off('uncaughtException', record);
      for (const listener of saved) process.on('uncaughtException', listener);
    },
  };
}
const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);
const last = () => FakeSocket.all.at(-1)!;

function sub(channel: string, onMessage: (message: Record<string, unknown>) => void = () => {}, options: SubscribeOptions = {}) {
  const subscription = subscribe(channel, onMessage, { WebSocket: WS, minReconnectionDelay: 100, maxReconnectionDelay: 1000, ...options });
  subscriptions.push(subscription);
  return subscription;
}

/** Window listeners added and not yet removed, by type. */
function liveListeners() {
  const live = new Map<string, number>();
  vi.spyOn(window, 'addEventListener').mockImplementation(function (this: Window, type: string) {
    live.set(type, (live.get(type) ?? 0) + 1);
  } as typeof window.addEventListener);
  vi.spyOn(window, 'removeEventListener').mockImplementation(function (this: Window, type: string) {
    live.set(type, (live.get(type) ?? 0) - 1);
  } as typeof window.removeEventListener);
  return () => [...live].filter(([, count]) => count !== 0);
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
  FakeSocket.auto = 'none';
});

afterEach(() => {
  for (const subscription of subscriptions.splice(0)) subscription.close();
  vi.useRealTimers();
  configure({ debug: false });
});

describe('socketUrl', () => {
  it('builds the channel URL on the page host, with the trailing slash', () => {
    expect(socketUrl('staff-1a2b')).toBe(`${BASE}staff-1a2b/`);
    expect(socketUrl('x_y', { plugin: 'other_plugin' })).toBe('ws://127.0.0.1:4173/plugin-io/ws/other_plugin/x_y/');
  });

  it('uses wss on an https page', () => {
    vi.stubGlobal('location', new URL('https://acme.canvasmedical.com/plugin-io/api/my_plugin/app/'));
    expect(socketUrl('c')).toBe('wss://acme.canvasmedical.com/plugin-io/ws/my_plugin/c/');
  });

  it.each([['a/b'], [''], ['a b'], ['..'], ['x?y'], ['é']])('refuses channel %j with INVALID_CHANNEL', (channel) => {
    expect(() => socketUrl(channel)).toThrow(expect.objectContaining({ code: 'INVALID_CHANNEL' }));
  });

  it('refuses a plugin that is not \\w+, or a page whose plugin cannot be inferred', () => {
    expect(() => socketUrl('c', { plugin: 'my-plugin' })).toThrow(expect.objectContaining({ code: 'INVALID_CHANNEL' }));
    vi.stubGlobal('location', new URL('http://127.0.0.1:4173/elsewhere/'));
    let error: unknown;
    try {
      socketUrl('c');
    } catch (caught) {
      error = caught;
    }
    expect(isCompanionError(error, 'INVALID_CHANNEL')).toBe(true);
  });

  it('throws TypeError for a channel that is not a string', () => {
    expect(() => socketUrl(undefined as unknown as string)).toThrow(TypeError);
  });
});

describe('subscribe: arguments', () => {
  it('throws before connecting on misuse', () => {
    expect(() => subscribe(fresh(), 'x' as never, { WebSocket: WS })).toThrow(TypeError);
    expect(() => subscribe(fresh(), () => {}, { WebSocket: WS, minReconnectionDelay: -1 })).toThrow(RangeError);
    expect(() => subscribe(fresh(), () => {}, { WebSocket: WS, maxRetries: Number.NaN })).toThrow(/maxRetries/);
    expect(() => subscribe(fresh(), () => {}, { WebSocket: WS, connectionTimeout: 2 ** 31 })).toThrow(/connectionTimeout/);
    expect(() => subscribe(fresh(), () => {}, { WebSocket: WS, maxReconnectionDelay: Infinity })).toThrow(/maxReconnectionDelay/);
    expect(() => subscribe(fresh(), () => {}, { WebSocket: WS, reconnectionDelayGrowFactor: 0.5 })).toThrow(/reconnectionDelayGrowFactor/);
    expect(() => subscribe('bad/channel', () => {}, { WebSocket: WS })).toThrow(expect.objectContaining({ code: 'INVALID_CHANNEL' }));
    vi.stubGlobal('WebSocket', undefined);
    expect(() => subscribe(fresh(), () => {})).toThrow(TypeError);
    expect(FakeSocket.all).toHaveLength(0);
  });

  it('accepts Infinity for maxRetries', () => {
    expect(() => sub(fresh(), () => {}, { maxRetries: Infinity })).not.toThrow();
  });
});

describe('subscribe: connection', () => {
  it('connects to the channel URL through the given class, reports statuses and runs onOpen', async () => {
    const statuses: SubscriptionStatus[] = [];
    const onOpen = vi.fn();
    const channel = fresh();
    const live = sub(channel, () => {}, { onOpen, onStatus: (status) => statuses.push(status) });
    expect(live.status).toBe('connecting');
    await tick();
    expect(FakeSocket.all.map((socket) => socket.url)).toEqual([`${BASE}${channel}/`]);
    last().open();
    expect(live.status).toBe('open');
    expect(onOpen).toHaveBeenCalledTimes(1);
    expect(statuses).toEqual(['open']);
  });

  it('delivers the unwrapped message and drops malformed frames without throwing', async () => {
    configure({ debug: true });
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {});
    const onMessage = vi.fn();
    sub(fresh(), onMessage);
    await tick();
    const socket = last();
    socket.open();
    for (const bad of ['not json', '[]', '5', 'null', '{"message": 5}', '{"message": null}', '{"message": [1]}', '{"message": "x"}', '{"other": {}}']) {
      expect(() => socket.raw(bad)).not.toThrow();
    }
    expect(() => socket.raw(new ArrayBuffer(4))).not.toThrow();
    expect(onMessage).not.toHaveBeenCalled();
    expect(debug).toHaveBeenCalledTimes(10);
    socket.message({ message: { section: 'vitals', n: 1 }, extra: true });
    expect(onMessage).toHaveBeenCalledExactlyOnceWith({ section: 'vitals', n: 1 });
  });

  it('reconnects after a drop with jittered backoff, and runs onOpen again', async () => {
    const random = vi.spyOn(Math, 'random').mockReturnValue(0);
    const onOpen = vi.fn();
    const statuses: SubscriptionStatus[] = [];
    const live = sub(fresh(), () => {}, { onOpen, onStatus: (status) => statuses.push(status), minUptime: 0 });
    await tick();
    last().open();
    await tick(); // minUptime: the connection counts as stable
    last().drop();
    expect(live.status).toBe('reconnecting');
    await tick(49); // random 0: half of minReconnectionDelay
    expect(FakeSocket.all).toHaveLength(1);
    await tick(1);
    expect(FakeSocket.all).toHaveLength(2);
    last().open();
    expect(onOpen).toHaveBeenCalledTimes(2);
    expect(statuses).toEqual(['open', 'reconnecting', 'open']);
    random.mockReturnValue(0.98);
    await tick();
    last().drop();
    await tick(98);
    expect(FakeSocket.all).toHaveLength(2);
    await tick(1); // (1 + 0.98) / 2 of 100 ms
    expect(FakeSocket.all).toHaveLength(3);
  });

  it('grows the delay by the factor up to the cap, with real jitter', async () => {
    FakeSocket.auto = 'fail';
    const gaps = async (random: number) => {
      FakeSocket.all = [];
      vi.spyOn(Math, 'random').mockReturnValue(random);
      const live = subscribe(fresh(), () => {}, { WebSocket: WS, minReconnectionDelay: 100, reconnectionDelayGrowFactor: 2, maxReconnectionDelay: 1000 });
      await tick(8000);
      live.close();
      const times = FakeSocket.all.map((socket) => socket.createdAt);
      return times.slice(1, 8).map((time, index) => time - times[index]!);
    };
    // min(1000, 100 * 2^(n-1)) = 100, 200, 400, 800, 1000, 1000, 1000, scaled by (1 + random) / 2,
    // plus 1 ms: the fake clock runs RWS's own 0 ms wait, set during a tick, 1 ms later.
    const expected = (random: number) => [100, 200, 400, 800, 1000, 1000, 1000].map((d) => Math.trunc((d * (1 + random)) / 2) + 1);
    expect(await gaps(0.5)).toEqual(expected(0.5));
    expect(await gaps(0)).toEqual(expected(0));
    expect(await gaps(0.98)).toEqual(expected(0.98));
    expect(expected(0.98).at(-1)).toBe(991); // never above the cap
  });

  it('gives up after a connect timeout and tries again', async () => {
    sub(fresh(), () => {}, { connectionTimeout: 300 });
    await tick();
    const first = last();
    await tick(299);
    expect(first.closeCalls).toBe(0);
    await tick(1);
    expect(first.closeCalls).toBe(1);
    await tick(150); // at most minReconnectionDelay
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('never sends a frame', async () => {
    const live = sub(fresh());
    await tick();
    last().open();
    last().message({ message: {} });
    live.close();
    await tick(5000);
    // FakeSocket.send throws: reaching here means it was never called.
    expect(FakeSocket.all).toHaveLength(1);
  });
});

describe('subscribe: close', () => {
  it('leaves no socket, timer or listener, and reports closed once', async () => {
    const listeners = liveListeners();
    const statuses: SubscriptionStatus[] = [];
    const onMessage = vi.fn();
    const live = sub(fresh(), onMessage, { onStatus: (status) => statuses.push(status) });
    expect(listeners().map(([type]) => type).sort()).toEqual(['online', 'pagehide', 'pageshow', 'visibilitychange']);
    await tick();
    const socket = last();
    socket.open();
    live.close();
    live.close();
    expect(live.status).toBe('closed');
    expect(statuses).toEqual(['open', 'closed']);
    expect(socket.closeCalls).toBe(1);
    expect(listeners()).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    socket.message({ message: { late: true } });
    await tick(10_000);
    expect(onMessage).not.toHaveBeenCalled();
    expect(FakeSocket.all).toHaveLength(1);
  });

  it('while waiting to retry: the retry timer is cleared and nothing reconnects', async () => {
    const listeners = liveListeners();
    const live = sub(fresh());
    await tick();
    last().fail();
    await tick(10);
    expect(vi.getTimerCount()).toBe(1);
    live.close();
    expect(vi.getTimerCount()).toBe(0);
    expect(listeners()).toEqual([]);
    await tick(10_000);
    expect(FakeSocket.all).toHaveLength(1);
  });

  it('regression (RWS #165): close during the first connect, then subscribe again, connects', async () => {
    const channel = fresh();
    const first = sub(channel);
    first.close(); // RWS is still before its first socket
    await tick(5000);
    expect(FakeSocket.all).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
    const second = sub(channel);
    await tick();
    expect(FakeSocket.all).toHaveLength(1);
    last().close(); // now close while CONNECTING
    second.close();
    await tick(5000);
    const third = sub(channel);
    await tick();
    expect(FakeSocket.all).toHaveLength(2);
    last().open();
    expect(third.status).toBe('open');
  });

  it('regression (RWS #125): maxRetries used up gives status closed, then subscribe again connects', async () => {
    FakeSocket.auto = 'fail';
    const listeners = liveListeners();
    const channel = fresh();
    const statuses: SubscriptionStatus[] = [];
    const first = sub(channel, () => {}, { maxRetries: 2, onStatus: (status) => statuses.push(status) });
    await tick(10_000);
    expect(FakeSocket.all).toHaveLength(3); // the first connect and 2 retries
    expect(first.status).toBe('closed');
    expect(statuses).toEqual(['reconnecting', 'closed']);
    expect(vi.getTimerCount()).toBe(0);
    expect(listeners()).toEqual([]);
    FakeSocket.auto = 'open';
    const onOpen = vi.fn();
    const second = sub(channel, () => {}, { onOpen });
    await tick();
    expect(FakeSocket.all).toHaveLength(4);
    expect(second.status).toBe('open');
    expect(onOpen).toHaveBeenCalledTimes(1);
    expect(first.status).toBe('closed');
  });

  it('a retry count starts over after minUptime of stable connection', async () => {
    const live = sub(fresh(), () => {}, { maxRetries: 1, minUptime: 1000 });
    for (let round = 0; round < 5; round++) {
      await tick(2000);
      last().open();
      await tick(1000);
      last().drop();
    }
    await tick(2000);
    expect(live.status).toBe('reconnecting');
    expect(FakeSocket.all).toHaveLength(6);
  });
});

describe('subscribe: server close codes', () => {
  it.each([
    [1008, 'closed'],
    [4000, 'closed'],
    [4500, 'closed'],
    [4999, 'closed'],
    [4401, 'unauthorized'],
    [4403, 'unauthorized'],
  ] as const)('%i is final: status %s, with the code and reason, never retried, nothing left behind', async (code, status) => {
    const listeners = liveListeners();
    const statuses: SubscriptionStatus[] = [];
    const live = sub(fresh(), () => {}, { onStatus: (s) => statuses.push(s) });
    await tick();
    last().open();
    expect(live.serverClose).toBeUndefined();
    last().serverClose(code, 'not for you');
    expect(live.status).toBe(status);
    expect(live.serverClose).toEqual({ code, reason: 'not for you' });
    expect(statuses).toEqual(['open', status]);
    await tick(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
    expect(listeners()).toEqual([]);
    // A new subscribe() starts over.
    const again = sub(fresh());
    await tick();
    expect(FakeSocket.all).toHaveLength(2);
    expect(again.serverClose).toBeUndefined();
  });

  it('a final code before the first open (the server accepted the upgrade, then refused) ends the same way', async () => {
    const live = sub(fresh());
    await tick();
    last().serverClose(4403, '');
    expect([live.status, live.serverClose]).toEqual(['unauthorized', { code: 4403, reason: '' }]);
    await tick(60_000);
    expect(FakeSocket.all).toHaveLength(1);
  });

  it.each([1000, 1001, 1006, 1011, 1012, 1013])('%i is retried with jittered backoff, as a drop', async (code) => {
    const onOpen = vi.fn();
    const live = sub(fresh(), () => {}, { onOpen });
    await tick();
    last().open();
    last().serverClose(code, 'restart');
    expect(live.status).toBe('reconnecting');
    expect(live.serverClose).toBeUndefined();
    await tick(1000);
    expect(FakeSocket.all).toHaveLength(2);
    last().open();
    expect(live.status).toBe('open');
    expect(onOpen).toHaveBeenCalledTimes(2);
  });

  it('every subscriber of the shared socket sees the final status and the close', async () => {
    const channel = fresh();
    const a = sub(channel);
    const b = sub(channel);
    await tick();
    last().open();
    last().serverClose(4001, 'channel deleted');
    expect([a.status, b.status]).toEqual(['closed', 'closed']);
    expect(b.serverClose).toEqual({ code: 4001, reason: 'channel deleted' });
  });
});

describe('subscribe: authProbe', () => {
  // Fixed jitter: retries at 75, 98, 127… ms after each failure, so the counts below are exact.
  beforeEach(() => void vi.spyOn(Math, 'random').mockReturnValue(0.5));
  const answer = (status: number) => vi.fn(async () => new Response(null, { status }));

  it.each([401, 403])('after 3 failed connects, a %i from the probe stops with unauthorized', async (status) => {
    FakeSocket.auto = 'fail';
    const listeners = liveListeners();
    const fetch = answer(status);
    const statuses: SubscriptionStatus[] = [];
    const live = sub(fresh(), () => {}, { authProbe: '/plugin-io/api/demo_plugin/me', fetch, onStatus: (s) => statuses.push(s) });
    await tick(); // connect 1 fails
    await tick(100); // connect 2 fails
    expect(fetch).not.toHaveBeenCalled();
    await tick(150); // connect 3 fails
    expect(fetch).toHaveBeenCalledOnce();
    expect(fetch.mock.calls[0]).toEqual(['/plugin-io/api/demo_plugin/me', expect.objectContaining({ credentials: 'same-origin' })]);
    await tick();
    expect(live.status).toBe('unauthorized');
    expect(statuses).toEqual(['reconnecting', 'unauthorized']);
    const built = FakeSocket.all.length;
    await tick(60_000);
    expect(FakeSocket.all).toHaveLength(built);
    expect(vi.getTimerCount()).toBe(0);
    expect(listeners()).toEqual([]);
    live.close();
    expect(live.status).toBe('closed');
  });

  it('a probe answer that a redirect took to an HTML page (a sign-in page) stops with unauthorized, as a 401 does', async () => {
    FakeSocket.auto = 'fail';
    const signIn = () => {
      const response = new Response('<html>Sign in</html>', { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' } });
      return Object.defineProperties(response, { redirected: { value: true }, url: { value: 'http://127.0.0.1:4173/login/' } });
    };
    const fetch = vi.fn(async () => signIn());
    const live = sub(fresh(), () => {}, { authProbe: '/plugin-io/api/demo_plugin/me', fetch });
    await tick();
    await tick(100);
    await tick(150);
    expect(fetch).toHaveBeenCalledOnce();
    await tick();
    expect(live.status).toBe('unauthorized');
  });

  it('keeps retrying while the probe answers 2xx or fails', async () => {
    FakeSocket.auto = 'fail';
    let calls = 0;
    const fetch = vi.fn(async () => (++calls % 2 ? new Response('{}') : Promise.reject(new TypeError('offline'))));
    const live = sub(fresh(), () => {}, { authProbe: '/me', fetch: fetch as typeof globalThis.fetch });
    await tick(10_000);
    expect(live.status).toBe('reconnecting');
    expect(fetch.mock.calls.length).toBeGreaterThan(3);
    expect(FakeSocket.all.length).toBe(fetch.mock.calls.length + 2);
  });

  it('counts failed connects again from an open: a drop is not a failed connect', async () => {
    const fetch = answer(401);
    sub(fresh(), () => {}, { authProbe: '/me', fetch });
    await tick();
    last().fail();
    await tick(100);
    last().fail();
    await tick(1000);
    last().open(); // 2 failures, then an open
    last().drop();
    await tick(1000);
    last().fail();
    await tick(1000);
    last().fail();
    expect(fetch).not.toHaveBeenCalled();
    await tick(1000);
    last().fail();
    expect(fetch).toHaveBeenCalledOnce();
  });

  it('ignores a 401 that arrives after the socket opened, and aborts the probe on close', async () => {
    FakeSocket.auto = 'fail';
    let resolve!: (response: Response) => void;
    let signal: AbortSignal | undefined;
    const fetch = vi.fn((_url: string, init?: RequestInit) => {
      signal = init?.signal ?? undefined;
      return new Promise<Response>((done) => (resolve = done));
    });
    const live = sub(fresh(), () => {}, { authProbe: '/me', fetch: fetch as unknown as typeof globalThis.fetch });
    await tick(250);
    expect(fetch).toHaveBeenCalledOnce();
    FakeSocket.auto = 'open';
    await tick(1000);
    expect(live.status).toBe('open');
    resolve(new Response(null, { status: 401 }));
    await tick();
    expect(live.status).toBe('open');
    live.close();
    expect(signal?.aborted).toBe(true);
  });
});

describe('subscribe: one probe at a time', () => {
  it('a newer failure aborts the unanswered probe before sending its own', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    FakeSocket.auto = 'fail';
    const signals: AbortSignal[] = [];
    const fetch = vi.fn((_url: string, init?: RequestInit) => {
      signals.push(init!.signal!);
      return new Promise<Response>(() => {}); // never answers
    });
    const live = sub(fresh(), () => {}, { authProbe: '/me', fetch: fetch as unknown as typeof globalThis.fetch });
    await tick(250); // 3 failed connects: the first probe
    expect(signals).toHaveLength(1);
    await tick(1000); // more failures: each sends a probe and aborts the one before
    expect(signals.length).toBeGreaterThan(1);
    expect(signals.filter((signal) => !signal.aborted)).toHaveLength(1);
    live.close();
    expect(signals.every((signal) => signal.aborted)).toBe(true);
  });
});

describe('subscribe: shared sockets', () => {
  it('shares one socket per channel; the last close closes it', async () => {
    const channel = fresh();
    const a = vi.fn();
    const b = vi.fn();
    const first = sub(channel, a);
    const second = sub(channel, b);
    const other = sub(fresh());
    await tick();
    expect(FakeSocket.all).toHaveLength(2);
    const socket = FakeSocket.all[0]!;
    socket.open();
    socket.message({ message: { n: 1 } });
    expect(a).toHaveBeenCalledWith({ n: 1 });
    expect(b).toHaveBeenCalledWith({ n: 1 });
    first.close();
    expect(first.status).toBe('closed');
    expect(second.status).toBe('open');
    expect(socket.closeCalls).toBe(0);
    socket.message({ message: { n: 2 } });
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(2);
    second.close();
    expect(socket.closeCalls).toBe(1);
    other.close();
  });

  it('the first subscriber\'s connection options win; onOpen and onStatus are each subscriber\'s', async () => {
    class Other extends FakeSocket {}
    const channel = fresh();
    const openA = vi.fn();
    const openB = vi.fn();
    const statusB = vi.fn();
    FakeSocket.auto = 'fail';
    const a = sub(channel, () => {}, { maxRetries: 1, onOpen: openA });
    const b = sub(channel, () => {}, { maxRetries: 100, WebSocket: Other as unknown as typeof WebSocket, onOpen: openB, onStatus: statusB });
    await tick(10_000);
    expect(FakeSocket.all.some((socket) => socket instanceof Other)).toBe(false);
    expect(FakeSocket.all).toHaveLength(2);
    expect(a.status).toBe('closed');
    expect(b.status).toBe('closed');
    expect(statusB.mock.calls).toEqual([['reconnecting'], ['closed']]);
    expect(openA).not.toHaveBeenCalled();
  });

  it('runs onOpen for a subscriber joining an open socket', async () => {
    const channel = fresh();
    sub(channel);
    await tick();
    last().open();
    const onOpen = vi.fn();
    const late = sub(channel, () => {}, { onOpen });
    expect(onOpen).not.toHaveBeenCalled();
    expect(late.status).toBe('open');
    await Promise.resolve();
    expect(onOpen).toHaveBeenCalledOnce();
    expect(FakeSocket.all).toHaveLength(1);
  });

  it('a throwing subscriber does not stop delivery to the others; each error is reported as uncaught', async () => {
    const uncaught = recordUncaught();
    const channel = fresh();
    const boom = new Error('subscriber bug');
    const received: number[] = [];
    const thrower = sub(channel, () => {
      throw boom;
    }, { onOpen: () => { throw boom; }, onStatus: () => { throw boom; } });
    sub(channel, (message) => received.push(message.n as number));
    await tick();
    last().open();
    last().message({ message: { n: 1 } });
    last().message({ message: { n: 2 } });
    expect(received).toEqual([1, 2]);
    thrower.close();
    await uncaught.stop();
    expect(uncaught.errors).toEqual([boom, boom, boom, boom, boom]); // onStatus 'open', onOpen, 2 messages, onStatus 'closed'
  });

  it('a subscriber closed by another\'s callback gets nothing more', async () => {
    const channel = fresh();
    const b = vi.fn();
    let second!: Subscription;
    sub(channel, () => second.close());
    second = sub(channel, b);
    await tick();
    last().open();
    last().message({ message: {} });
    expect(b).not.toHaveBeenCalled();
  });
});

describe('subscribe: page lifecycle', () => {
  it('reconnects at once on online while waiting to retry, not while open', async () => {
    const live = sub(fresh(), () => {}, { minReconnectionDelay: 5000, maxReconnectionDelay: 5000 });
    await tick();
    last().open();
    window.dispatchEvent(new Event('online'));
    await tick();
    expect(FakeSocket.all).toHaveLength(1);
    last().drop();
    await tick(10);
    expect(FakeSocket.all).toHaveLength(1);
    window.dispatchEvent(new Event('online'));
    await tick();
    expect(FakeSocket.all).toHaveLength(2);
    expect(vi.getTimerCount()).toBeLessThanOrEqual(1); // the new socket's connect timeout only
    last().open();
    expect(live.status).toBe('open');
  });

  it('reconnects at once when the page becomes visible while not open', async () => {
    sub(fresh(), () => {}, { minReconnectionDelay: 5000, maxReconnectionDelay: 5000 });
    await tick();
    last().fail();
    await tick(10);
    const visibility = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    await tick();
    expect(FakeSocket.all).toHaveLength(1);
    visibility.mockReturnValue('visible');
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    await tick();
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('closes on pagehide and opens a fresh socket on pageshow', async () => {
    const onOpen = vi.fn();
    const live = sub(fresh(), () => {}, { onOpen });
    await tick();
    const before = last();
    before.open();
    window.dispatchEvent(new Event('pageshow')); // the first load's pageshow: already open
    await tick();
    expect(FakeSocket.all).toHaveLength(1);
    window.dispatchEvent(new Event('pagehide'));
    expect(before.closeCalls).toBe(1);
    expect(live.status).toBe('reconnecting');
    await tick(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    window.dispatchEvent(new Event('pageshow'));
    await tick();
    expect(FakeSocket.all).toHaveLength(2);
    last().open();
    expect(onOpen).toHaveBeenCalledTimes(2);
    expect(live.status).toBe('open');
  });
});

describe('dispatch follows DOM event semantics', () => {
  it('a listener added during a dispatch does not get the current message, only the next', async () => {
    const added = vi.fn();
    let adding = true;
    const live = sub(fresh(), () => {
      if (adding) live.listen(added);
      adding = false;
    });
    await tick();
    last().open();
    last().message({ message: { n: 1 } });
    expect(added).not.toHaveBeenCalled();
    last().message({ message: { n: 2 } });
    expect(added).toHaveBeenCalledExactlyOnceWith({ n: 2 });
  });

  it('a listener removed during a dispatch does not get the current message', async () => {
    const later = vi.fn();
    let removeLater!: () => void;
    const live = sub(fresh(), () => removeLater());
    removeLater = live.listen(later);
    await tick();
    last().open();
    last().message({ message: {} });
    expect(later).not.toHaveBeenCalled();
  });

  it("a subscription closed during a dispatch: neither its onMessage nor its listen() listeners get the message", async () => {
    const channel = fresh();
    const secondMessage = vi.fn();
    const secondListener = vi.fn();
    let second!: Subscription;
    sub(channel, () => second.close());
    second = sub(channel, secondMessage);
    second.listen(secondListener);
    await tick();
    last().open();
    last().message({ message: {} });
    expect(secondMessage).not.toHaveBeenCalled();
    expect(secondListener).not.toHaveBeenCalled();
  });

  it('a subscription that closes itself in onMessage: its own listen() listeners do not get that message', async () => {
    const channel = fresh();
    const listener = vi.fn();
    const live = sub(channel, () => live.close());
    live.listen(listener);
    const other = vi.fn();
    sub(channel, other);
    await tick();
    last().open();
    last().message({ message: {} });
    expect(listener).not.toHaveBeenCalled();
    expect(other).toHaveBeenCalledOnce();
  });

  it('a subscribe() to the same channel during a dispatch does not get the current message', async () => {
    const channel = fresh();
    const joined = vi.fn();
    let joinedOnce = false;
    sub(channel, () => {
      if (joinedOnce) return;
      joinedOnce = true;
      sub(channel, joined);
    });
    await tick();
    last().open();
    last().message({ message: { n: 1 } });
    expect(joined).not.toHaveBeenCalled();
    last().message({ message: { n: 2 } });
    expect(joined).toHaveBeenCalledExactlyOnceWith({ n: 2 });
  });
});

describe('development warnings', () => {
  it('an unknown option key warns once, naming the nearest known one', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    sub(fresh(), () => {}, { maxRetry: 3, onstatus: () => {} } as SubscribeOptions);
    sub(fresh(), () => {}, { maxRetry: 3 } as SubscribeOptions);
    sub(fresh(), () => {}, { websocket: WS } as SubscribeOptions);
    expect(warn.mock.calls.map((call) => call[0])).toEqual([
      'canvas-companion: subscribe(): unknown option "maxRetry" (did you mean "maxRetries"?)',
      'canvas-companion: subscribe(): unknown option "onstatus" (did you mean "onStatus"?)',
      'canvas-companion: subscribe(): unknown option "websocket" (did you mean "WebSocket"?)',
    ]);
  });
});

describe('subscription.listen', () => {
  it('calls listeners after onMessage with each delivered message, until removed', async () => {
    const order: string[] = [];
    const live = sub(fresh(), () => order.push('message'));
    const unregister = live.listen((message) => order.push(`listener ${JSON.stringify(message)}`));
    await tick();
    last().open();
    last().message({ message: { a: 1 } });
    last().raw('garbage');
    expect(order).toEqual(['message', 'listener {"a":1}']);
    unregister();
    last().message({ message: { a: 2 } });
    expect(order).toEqual(['message', 'listener {"a":1}', 'message']);
  });

  it('adds the same function twice as two listeners, removed one at a time', async () => {
    const listener = vi.fn();
    const live = sub(fresh());
    const removeFirst = live.listen(listener);
    live.listen(listener);
    await tick();
    last().open();
    last().message({ message: {} });
    expect(listener).toHaveBeenCalledTimes(2);
    removeFirst();
    removeFirst();
    last().message({ message: {} });
    expect(listener).toHaveBeenCalledTimes(3);
  });

  it('throws TypeError for a listener that is not a function', () => {
    const live = sub(fresh());
    expect(() => live.listen('x' as never)).toThrow(TypeError);
  });

  it('isolates a throwing listener and stops after close', async () => {
    const uncaught = recordUncaught();
    const live = sub(fresh(), () => {
      throw new Error('x');
    });
    const wake = vi.fn();
    live.listen(() => {
      throw new Error('y');
    });
    live.listen(wake);
    await tick();
    last().open();
    last().message({ message: {} });
    expect(wake).toHaveBeenCalledOnce();
    await uncaught.stop();
    expect(uncaught.errors.map((error) => (error as Error).message)).toEqual(['x', 'y']);
    live.close();
    last().message({ message: {} });
    expect(wake).toHaveBeenCalledOnce();
  });
});
