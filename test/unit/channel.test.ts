import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MessageChannel, type MessagePort as NodePort } from 'node:worker_threads';
import { autoResize, closeModal, configure, debugLog, isHostConnected, onHostMessage, postToHost, resetChannel, resize, whenHostReady } from '../../src/channel.js';
import { isCompanionError } from '../../src/errors.js';

// happy-dom gives the test window no parent frame: stand one in (a window whose first frame is
// this one), and dispatch the host's INIT_CHANNEL by hand (happy-dom ignores postMessage
// transfer lists; see docs/toolchain.md §4). Real frames are tested in Chromium (test/e2e).
const parentWindow = { 0: window, length: 1, name: 'host' } as unknown as Window;
const OWN = 'http://127.0.0.1:4173';
const opened: NodePort[] = [];

function channelPair() {
  const pair = new MessageChannel();
  opened.push(pair.port1, pair.port2);
  return pair;
}

function init(overrides: { data?: unknown; origin?: string; source?: unknown; ports?: unknown[] } = {}) {
  const pair = channelPair();
  const event = new MessageEvent('message', {
    data: 'data' in overrides ? overrides.data : { type: 'INIT_CHANNEL' },
    origin: overrides.origin ?? OWN,
    source: (overrides.source ?? parentWindow) as Window,
    ports: (overrides.ports ?? [pair.port2]) as MessagePort[],
  });
  window.dispatchEvent(event);
  return pair.port1;
}

/** Collects what the host side of a port receives. */
function received(hostPort: NodePort): unknown[] {
  const messages: unknown[] = [];
  hostPort.on('message', (message) => messages.push(message));
  return messages;
}

/** A short window for what should not come (a stray message); what should come is waited for with vi.waitFor. */
const flush = () => new Promise((resolve) => setTimeout(resolve, 20));

beforeEach(() => {
  document.head.innerHTML = '';
});

afterEach(() => {
  resetChannel();
  for (const port of opened.splice(0)) port.close();
});

describe('INIT_CHANNEL acceptance', () => {
  it('takes the port from the parent window on the page origin', async () => {
    expect(isHostConnected()).toBe(false);
    const host = received(init());
    expect(isHostConnected()).toBe(true);
    postToHost({ type: 'READY' });
    await vi.waitFor(() => expect(host).toEqual([{ type: 'READY' }]));
  });

  it.each([
    ['a lookalike origin', { origin: 'http://127.0.0.1:41730' }, 'origin'],
    ['a suffix lookalike', { origin: 'http://127.0.0.1.evil.test:4173' }, 'origin'],
    ['the null origin', { origin: 'null' }, 'origin'],
    ['another window (sibling frame)', { source: { name: 'sibling' } }, 'parent'],
    ['the page itself', { source: window }, 'parent'],
    ['no port', { ports: [] }, 'MessagePort'],
  ])('rejects an INIT_CHANNEL from %s with one warning naming the reason', (_, overrides, reason) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    init(overrides as never);
    expect(isHostConnected()).toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain(reason);
  });

  it.each([
    ['a wrong type', { type: 'init_channel' }],
    ['a string payload', 'INIT_CHANNEL'],
    ['an array payload', [{ type: 'INIT_CHANNEL' }]],
    ['null', null],
  ])('ignores %s silently, and a later genuine INIT_CHANNEL is still taken', (_, data) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    init({ data });
    expect(isHostConnected()).toBe(false);
    expect(warn).not.toHaveBeenCalled();
    init();
    expect(isHostConnected()).toBe(true);
  });

  it('judges the parent from its frames: a page global named parent changes nothing', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const impostor = { name: 'impostor' };
    vi.stubGlobal('parent', impostor);
    init({ source: impostor });
    expect(isHostConnected()).toBe(false);
    expect(String(warn.mock.calls[0]![0])).toContain('not from window.parent');
    vi.stubGlobal('parent', null);
    init();
    expect(isHostConnected()).toBe(true);
  });

  it('accepts origins allowed by configure() and by the meta tag, by exact match only', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    configure({ allowedOrigins: ['https://acme.canvasmedical.com'] });
    init({ origin: 'https://acme.canvasmedical.com.evil.test' });
    expect(isHostConnected()).toBe(false);
    init({ origin: 'https://acme.canvasmedical.com' });
    expect(isHostConnected()).toBe(true);

    resetChannel();
    document.head.innerHTML = '<meta name="canvas-companion-allowed-origins" content="https://a.example  https://b.example">';
    init({ origin: 'https://c.example' });
    expect(isHostConnected()).toBe(false);
    init({ origin: 'https://b.example' });
    expect(isHostConnected()).toBe(true);
  });

  it("takes 'null' and '*' only when listed explicitly", () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    configure({ allowedOrigins: ['null'] });
    init({ origin: 'null' });
    expect(isHostConnected()).toBe(true);
    resetChannel();
    configure({ allowedOrigins: ['*'] });
    init({ origin: 'https://anything.example', source: { name: 'sibling' } });
    expect(isHostConnected()).toBe(false); // '*' never lifts the parent-window check
    init({ origin: 'https://anything.example' });
    expect(isHostConnected()).toBe(true);
  });

  it('a second valid INIT_CHANNEL replaces the port and closes the old one', async () => {
    const firstHost = init();
    const firstClosed = new Promise((resolve) => firstHost.on('close', resolve));
    const secondHost = received(init());
    await firstClosed;
    postToHost({ type: 'AFTER' });
    await vi.waitFor(() => expect(secondHost).toEqual([{ type: 'AFTER' }]));
  });
});

describe('configure', () => {
  it.each(['https://acme.example/', 'https://*.acme.example', 'acme.example', '', 42])('refuses %j as an origin', (origin) => {
    expect(() => configure({ allowedOrigins: [origin as string] })).toThrow(TypeError);
  });

  it.each([
    ['a trailing slash', 'https://acme.example/', 'https://acme.example'],
    ['a path', 'https://acme.example/companion/', 'https://acme.example'],
    ['upper case', 'https://ACME.example', 'https://acme.example'],
    ['a default port', 'https://acme.example:443', 'https://acme.example'],
  ])('names the entry with %s, and in development the origin it should be', (_, entry, origin) => {
    expect(() => configure({ allowedOrigins: [entry] })).toThrow(`allowedOrigins: ${entry} is not an origin like https://example.com (write ${origin})`);
  });

  it.each(['acme.example', 'https://*.acme.example', 'file:///tmp/x', ''])('suggests no origin for %j, which names none', (entry) => {
    expect(() => configure({ allowedOrigins: [entry] })).toThrow(new TypeError(`allowedOrigins: ${entry} is not an origin like https://example.com`));
  });

  it("warns when '*' is allowed, with the same words as the meta tag's '*'", () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    configure({ allowedOrigins: ['*'] });
    expect(warn).toHaveBeenCalledTimes(1);
    const configureWarning = warn.mock.calls[0]![0];
    resetChannel();
    document.head.innerHTML = '<meta name="canvas-companion-allowed-origins" content="*">';
    init({ origin: 'https://anything.example' });
    expect(isHostConnected()).toBe(true);
    expect(warn.mock.calls.map((call) => call[0])).toEqual([configureWarning, configureWarning]);
  });

  it('accepts any iterable of origins (an array, a Set) and refuses a lone string', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(() => configure({ allowedOrigins: 'https://acme.example' as never })).toThrow(TypeError);
    expect(() => configure({ allowedOrigins: '*' as never })).toThrow(/allowedOrigins/);
    expect(() => configure({ allowedOrigins: 42 as never })).toThrow(TypeError);
    configure({ allowedOrigins: new Set(['https://acme.example']) });
    init({ origin: 'https://acme.example' });
    expect(isHostConnected()).toBe(true);
  });

  it('reads only <meta> elements: another element with the name is ignored, and never breaks the handshake', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    document.body.innerHTML =
      '<input name="canvas-companion-allowed-origins" value="https://acme.example"><a name="canvas-companion-allowed-origins">x</a>';
    init({ origin: 'https://acme.example' });
    expect(isHostConnected()).toBe(false);
    expect(warn.mock.calls.map((call) => String(call[0]))).toEqual(['canvas-companion: INIT_CHANNEL ignored: origin https://acme.example not allowed']);
    init();
    expect(isHostConnected()).toBe(true);
    document.body.innerHTML = '';
  });

  it('a meta entry that is not an origin warns once in development, naming it and the origin it should be', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    document.head.innerHTML = '<meta name="canvas-companion-allowed-origins" content=" https://acme.example/  https://Other.example https://fine.example">';
    init({ origin: 'https://acme.example' });
    init({ origin: 'https://acme.example' });
    expect(isHostConnected()).toBe(false);
    const messages = warn.mock.calls.map((call) => String(call[0]));
    const meta = '<meta name="canvas-companion-allowed-origins">';
    expect(messages.filter((message) => message.includes(meta))).toEqual([
      `canvas-companion: ${meta}: https://acme.example/ is not an origin like https://example.com (write https://acme.example)`,
      `canvas-companion: ${meta}: https://Other.example is not an origin like https://example.com (write https://other.example)`,
    ]);
    // The handshake itself still says why it was refused, each time.
    expect(messages.filter((message) => message.includes('INIT_CHANNEL ignored'))).toHaveLength(2);
    init({ origin: 'https://fine.example' });
    expect(isHostConnected()).toBe(true);
  });

  it('an unknown option key warns once in development, naming the nearest known one', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    configure({ allowedOrigin: ['https://acme.example'] } as never);
    configure({ allowedOrigin: ['https://acme.example'] } as never);
    configure({ Debug: false } as never);
    configure({ allowedOrigins: [], debug: false });
    expect(warn.mock.calls.map((call) => call[0])).toEqual([
      'canvas-companion: configure(): unknown option "allowedOrigin" (did you mean "allowedOrigins"?)',
      'canvas-companion: configure(): unknown option "Debug" (did you mean "debug"?)',
    ]);
  });

  it('turns debug logging on and off', () => {
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {});
    debugLog('off');
    configure({ debug: true });
    debugLog('on', 1);
    configure({ debug: false });
    debugLog('off again');
    expect(debug.mock.calls).toEqual([['canvas-companion:', 'on', 1]]);
  });
});

describe('postToHost', () => {
  it('queues messages until the port arrives, then sends them in order', async () => {
    expect(postToHost({ type: 'ONE' })).toBe(false);
    expect(postToHost({ type: 'TWO', n: 2 })).toBe(false);
    const host = received(init());
    expect(postToHost({ type: 'THREE' })).toBe(true);
    await vi.waitFor(() => expect(host).toEqual([{ type: 'ONE' }, { type: 'TWO', n: 2 }, { type: 'THREE' }]));
  });

  it('bounds the queue, dropping the oldest with a warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (let i = 0; i < 105; i++) postToHost({ type: 'N', i });
    expect(warn).toHaveBeenCalledTimes(5);
    const host = received(init());
    await vi.waitFor(() => expect(host).toHaveLength(100));
    expect(host[0]).toEqual({ type: 'N', i: 5 });
  });

  it.each([null, 'CLOSE_MODAL', { kind: 'x' }, { type: 1 }])('throws TypeError for %j', (message) => {
    expect(() => postToHost(message as never)).toThrow(TypeError);
  });

  it('clones a queued message at once, so one that cannot be sent throws now', () => {
    expect(() => postToHost({ type: 'BAD', callback: () => {} })).toThrow();
    expect(isHostConnected()).toBe(false);
  });

  it('queues without cloning where there is no structuredClone (jest\'s jsdom), and still sends in order', async () => {
    vi.stubGlobal('structuredClone', undefined);
    expect(postToHost({ type: 'ONE' })).toBe(false);
    expect(() => resize({ height: 100 })).not.toThrow();
    const host = received(init());
    await vi.waitFor(() => expect(host).toEqual([{ type: 'ONE' }, { type: 'RESIZE', height: 100 }]));
  });
});

describe('whenHostReady', () => {
  it('resolves at once when the port is held, and when it arrives later', async () => {
    const waiting = whenHostReady();
    init();
    await expect(waiting).resolves.toBeUndefined();
    await expect(whenHostReady()).resolves.toBeUndefined();
  });

  it('rejects HOST_TIMEOUT after the timeout and leaves no timer behind', async () => {
    vi.useFakeTimers();
    try {
      const waiting = whenHostReady({ timeout: 300 });
      const check = expect(waiting).rejects.toSatisfy((error) => isCompanionError(error, 'HOST_TIMEOUT'));
      await vi.advanceTimersByTimeAsync(299);
      expect(vi.getTimerCount()).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      await check;
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects with signal.reason on abort and cleans up', async () => {
    vi.useFakeTimers();
    try {
      const controller = new AbortController();
      const waiting = whenHostReady({ signal: controller.signal });
      controller.abort(new Error('left the page'));
      await expect(waiting).rejects.toThrow('left the page');
      expect(vi.getTimerCount()).toBe(0);
      const already = AbortSignal.abort('gone');
      await expect(whenHostReady({ signal: already })).rejects.toBe('gone');
    } finally {
      vi.useRealTimers();
    }
  });

  it('waits for ever with Infinity, and refuses a negative timeout', async () => {
    vi.useFakeTimers();
    try {
      void whenHostReady({ timeout: Infinity });
      expect(vi.getTimerCount()).toBe(0);
      expect(() => whenHostReady({ timeout: -1 })).toThrow(RangeError);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses a finite timeout above 2^31-1 ms (setTimeout would fire at once), naming it', () => {
    expect(() => whenHostReady({ timeout: 2 ** 31 })).toThrow(/timeout/);
    expect(() => closeModal({ timeout: 2 ** 31 })).toThrow(RangeError);
    expect(() => closeModal({ timeout: 'soon' as never })).toThrow(/timeout/);
  });
});

describe('the signal of whenHostReady', () => {
  it.each([['a string', 'abort'], ['an object', {}], ['an AbortController', new AbortController()]])('is a TypeError at once when it is %s', (_, signal) => {
    expect(() => whenHostReady({ timeout: 10, signal: signal as never })).toThrow(TypeError);
    expect(() => whenHostReady({ timeout: 10, signal: signal as never })).toThrow(/signal/);
  });
});

describe('closeModal', () => {
  it('an unknown option key warns once in development, naming the nearest known one', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.spyOn(window, 'close').mockImplementation(() => {});
    await closeModal({ timout: 0 } as never);
    await closeModal({ timout: 0 } as never);
    expect(warn.mock.calls.map((call) => call[0])).toEqual(['canvas-companion: closeModal(): unknown option "timout" (did you mean "timeout"?)']);
  });

  it("posts CLOSE_MODAL through the port and resolves 'port'", async () => {
    const host = received(init());
    await expect(closeModal()).resolves.toBe('port');
    await vi.waitFor(() => expect(host).toEqual([{ type: 'CLOSE_MODAL' }]));
  });

  it('waits for a port that arrives within the timeout', async () => {
    const closing = closeModal({ timeout: 500 });
    const host = received(init());
    await expect(closing).resolves.toBe('port');
    await vi.waitFor(() => expect(host).toEqual([{ type: 'CLOSE_MODAL' }]));
  });

  it("falls back to window.close() without a port and resolves 'window'", async () => {
    const close = vi.spyOn(window, 'close').mockImplementation(() => {});
    await expect(closeModal({ timeout: 10 })).resolves.toBe('window');
    expect(close).toHaveBeenCalledTimes(1);
  });

  it("never rejects, even where there is no window.close", async () => {
    vi.stubGlobal('close', undefined);
    await expect(closeModal({ timeout: 0 })).resolves.toBe('window');
  });
});

describe('onHostMessage', () => {
  it('delivers host messages to every handler, even when one throws, until unsubscribed', async () => {
    const reported = vi.fn();
    vi.stubGlobal('queueMicrotask', (task: () => void) => { try { task(); } catch (error) { reported(error); } });
    const hostPort = init();
    const seen: unknown[] = [];
    onHostMessage(() => {
      throw new Error('handler bug');
    });
    const off = onHostMessage((message) => seen.push(message));
    const tab = { type: 'NOTE_TAB_CHANGE', tab: 'note', patient: { id: 'p' } };
    hostPort.postMessage(tab);
    hostPort.postMessage('not an object message');
    await vi.waitFor(() => expect(seen).toEqual([tab]));
    expect(reported).toHaveBeenCalledTimes(1);
    off();
    hostPort.postMessage(tab);
    await flush();
    expect(seen).toHaveLength(1);
  });

  it('keeps host messages that arrive before the first handler, and delivers them to it', async () => {
    const hostPort = init();
    hostPort.postMessage({ type: 'EARLY' });
    await flush();
    const seen: unknown[] = [];
    onHostMessage((message) => seen.push(message));
    await vi.waitFor(() => expect(seen).toEqual([{ type: 'EARLY' }]));
  });

  it('ignores messages from a replaced port', async () => {
    const oldHost = init();
    const seen: unknown[] = [];
    onHostMessage((message) => seen.push(message));
    init();
    oldHost.postMessage({ type: 'STALE' });
    await flush();
    expect(seen).toEqual([]);
  });

  it('throws TypeError for a non-function', () => {
    expect(() => onHostMessage('x' as never)).toThrow(TypeError);
  });
});

describe('resize', () => {
  it('posts RESIZE with the given dimensions only', async () => {
    const host = received(init());
    resize({ height: 640 });
    resize({ width: 320.5, height: 0 });
    await vi.waitFor(() => expect(host).toEqual([{ type: 'RESIZE', height: 640 }, { type: 'RESIZE', width: 320.5, height: 0 }]));
  });

  it.each([{}, { height: -1 }, { width: Infinity }, { height: NaN }, { width: '300' }])('refuses %j', (size) => {
    expect(() => resize(size as never)).toThrow(RangeError);
  });
});

describe('autoResize', () => {
  /** A ResizeObserver stand-in the test drives: `observe()` reports the first size, `setHeight()` a change. */
  function fakeLayout() {
    const observers: { callback: () => void; targets: Element[]; connected: boolean }[] = [];
    vi.stubGlobal(
      'ResizeObserver',
      class {
        private readonly entry;
        constructor(callback: () => void) {
          this.entry = { callback, targets: [] as Element[], connected: true };
          observers.push(this.entry);
        }
        observe(target: Element) {
          this.entry.targets.push(target);
          // As browsers do: the first size is reported soon after observe().
          queueMicrotask(() => this.entry.connected && this.entry.callback());
        }
        disconnect() {
          this.entry.connected = false;
        }
      },
    );
    let height = 100;
    vi.spyOn(document.documentElement, 'getBoundingClientRect').mockImplementation(() => ({ height }) as DOMRect);
    return {
      observers,
      /** A new layout: the observer reports it (a new width with the same height too). */
      setHeight(value: number) {
        height = value;
        for (const observer of observers) if (observer.connected) observer.callback();
      },
    };
  }

  it('observes the <html> element and sends its height at once (rounded up), then each different height', async () => {
    const layout = fakeLayout();
    const host = received(init());
    const stop = autoResize();
    expect(layout.observers[0]!.targets).toEqual([document.documentElement]);
    await Promise.resolve();
    layout.setHeight(240.2);
    layout.setHeight(240.2);
    layout.setHeight(240.9);
    layout.setHeight(80);
    await vi.waitFor(() =>
      expect(host).toEqual([
        { type: 'RESIZE', height: 100 },
        { type: 'RESIZE', height: 241 },
        { type: 'RESIZE', height: 80 },
      ]));
    stop();
  });

  it('queues the first height until the port arrives, like any message', async () => {
    fakeLayout();
    const stop = autoResize();
    await Promise.resolve();
    const host = received(init());
    await vi.waitFor(() => expect(host).toEqual([{ type: 'RESIZE', height: 100 }]));
    stop();
  });

  it('stops: later changes send nothing', async () => {
    const layout = fakeLayout();
    const host = received(init());
    const stop = autoResize();
    await Promise.resolve();
    stop();
    layout.setHeight(400);
    await vi.waitFor(() => expect(host).toEqual([{ type: 'RESIZE', height: 100 }]));
    // Nothing follows: a window for a stray RESIZE to show up.
    await flush();
    expect(host).toEqual([{ type: 'RESIZE', height: 100 }]);
    expect(layout.observers[0]!.connected).toBe(false);
  });

  it('is never started by the library: importing it and connecting send no RESIZE', async () => {
    const host = received(init());
    postToHost({ type: 'READY' });
    await vi.waitFor(() => expect(host).toEqual([{ type: 'READY' }]));
    // Nothing follows: a window for a stray RESIZE to show up.
    await flush();
    expect(host).toEqual([{ type: 'READY' }]);
  });

  it('does nothing without ResizeObserver or outside a browser', () => {
    vi.stubGlobal('ResizeObserver', undefined);
    expect(autoResize()).toBeTypeOf('function');
    vi.stubGlobal('window', undefined);
    const stop = autoResize();
    expect(() => stop()).not.toThrow();
  });
});
