import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { socketUrl, subscribe, type Subscription, type SubscriptionStatus } from 'canvas-companion';
import { launch, mockPlatform, resetState, type MockPlatform } from 'canvas-companion/testing';

// Conditions, not sleeps; generous, so a busy machine cannot fail them.
const WAIT = { timeout: 10_000 };

let platform: MockPlatform;
const subscriptions: Subscription[] = [];
const warn = vi.fn();
// Reconnect at once, so drops and refusals play out in a few ms of real time.
const FAST = { minReconnectionDelay: 1, maxReconnectionDelay: 2 };

function live(channel: string, options: Parameters<typeof subscribe>[2] = {}) {
  const messages: unknown[] = [];
  const statuses: SubscriptionStatus[] = [];
  const opens = { count: 0 };
  const subscription = subscribe(channel, (message) => messages.push(message), {
    WebSocket: platform.WebSocket,
    fetch: platform.fetch,
    onStatus: (status) => statuses.push(status),
    onOpen: () => (opens.count += 1),
    ...FAST,
    ...options,
  });
  subscriptions.push(subscription);
  return { subscription, messages, statuses, opens };
}

beforeEach(() => {
  launch();
  platform = mockPlatform({
    log: warn,
    routes: { 'GET /app/me': ({ staff }) => ({ id: staff.id }) },
    sockets: { 'staff-<id>': ({ params, staff }) => params.id === staff.id, 'public-<name>': () => true },
  });
});

afterEach(() => {
  subscriptions.splice(0).forEach((subscription) => subscription.close());
  platform.close();
  warn.mockReset();
  vi.useRealTimers();
});

describe('through subscribe()', () => {
  it('opens on an allowed channel and delivers broadcasts unwrapped', async () => {
    const { subscription, messages } = live(`staff-${platform.staff.id}`);
    await vi.waitFor(() => expect(subscription.status).toBe('open'), WAIT);
    expect(platform.sockets.map((socket) => socket.channel)).toEqual([`staff-${platform.staff.id}`]);
    expect(platform.broadcast(`staff-${platform.staff.id}`, { type: 'tasks_changed' })).toBe(1);
    expect(platform.broadcast('public-news', { type: 'elsewhere' })).toBe(0);
    expect(messages).toEqual([{ type: 'tasks_changed' }]);
  });

  it('is refused where the socket rule denies (403, seen as a drop)', async () => {
    const colleague = platform.staffMembers[1]!.id;
    const { statuses } = live(`staff-${colleague}`);
    await vi.waitFor(() => expect(statuses).toContain('reconnecting'), WAIT);
    expect(platform.sockets).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('refused (403)'));
  });

  it('drop(): the page reconnects, and onOpen runs again (to refetch what it missed)', async () => {
    const { subscription, opens } = live('public-news');
    await vi.waitFor(() => expect(subscription.status).toBe('open'), WAIT);
    platform.sockets[0]!.drop();
    expect(platform.sockets).toEqual([]);
    await vi.waitFor(() => expect(opens.count).toBe(2), WAIT);
    expect(platform.sockets).toHaveLength(1);
  });

  it('refuse(403): no reconnect succeeds until allowSockets()', async () => {
    let attempts = 0;
    const Counting = class extends platform.WebSocket {
      constructor(url: string | URL) {
        super(url);
        attempts += 1;
      }
    };
    const { subscription, opens } = live('public-news', { WebSocket: Counting });
    await vi.waitFor(() => expect(subscription.status).toBe('open'), WAIT);
    platform.sockets[0]!.refuse(403);
    await vi.waitFor(() => expect(attempts).toBeGreaterThanOrEqual(4), WAIT);
    expect(subscription.status).toBe('reconnecting');
    expect(opens.count).toBe(1);
    expect(platform.sockets).toEqual([]);
    platform.allowSockets('public-news');
    await vi.waitFor(() => expect(opens.count).toBe(2), WAIT);
  });

  it('close(): sockets drop and the reconnects are refused, as by a server that shut down', async () => {
    const { subscription } = live('public-news');
    await vi.waitFor(() => expect(subscription.status).toBe('open'), WAIT);
    platform.close();
    expect(platform.sockets).toEqual([]);
    // The page tried again, and was refused.
    await vi.waitFor(() => expect(warn).toHaveBeenCalledWith(expect.stringContaining('mock platform was closed')), WAIT);
    expect(platform.sockets).toEqual([]);
    expect(subscription.status).not.toBe('open');
  });

  it('refuse(status) logs each refused upgrade with that status', async () => {
    const { subscription } = live('public-news');
    await vi.waitFor(() => expect(subscription.status).toBe('open'), WAIT);
    platform.sockets[0]!.refuse(451);
    await vi.waitFor(() => expect(warn).toHaveBeenCalledWith(expect.stringContaining('public-news refused (451)')), WAIT);
  });

  it('signOut(): sockets drop, upgrades are refused, and authProbe ends it as unauthorized', async () => {
    const { subscription } = live(`staff-${platform.staff.id}`, { authProbe: '/plugin-io/api/my_plugin/app/me' });
    await vi.waitFor(() => expect(subscription.status).toBe('open'), WAIT);
    platform.signOut();
    expect(platform.sockets).toEqual([]);
    await vi.waitFor(() => expect(subscription.status).toBe('unauthorized'), WAIT);
    expect(platform.count('GET /app/me')).toBeGreaterThan(0);
  });

  it('opens on fake timers without advancing them', async () => {
    vi.useFakeTimers();
    const { subscription, messages } = live('public-news');
    await vi.advanceTimersByTimeAsync(0);
    expect(subscription.status).toBe('open');
    platform.broadcast('public-news', { n: 1 });
    expect(messages).toEqual([{ n: 1 }]);
  });
});

describe('reset', () => {
  it('ends the subscriptions a test left open, so the next test opens its own socket on its own platform', async () => {
    const left = live('public-news');
    await expect.poll(() => left.subscription.status, WAIT).toBe('open');
    resetState();
    expect(left.subscription.status).toBe('closed');
    expect(left.statuses.at(-1)).toBe('closed');

    launch(); // as the next test's beforeEach (reset put the page URL back)
    const next = mockPlatform({ sockets: { 'public-<name>': () => true } });
    try {
      const messages: unknown[] = [];
      const fresh = subscribe('public-news', (message) => messages.push(message), { WebSocket: next.WebSocket, ...FAST });
      subscriptions.push(fresh);
      await expect.poll(() => fresh.status, WAIT).toBe('open');
      next.broadcast('public-news', { n: 1 });
      await expect.poll(() => messages, WAIT).toEqual([{ n: 1 }]);
    } finally {
      next.close();
    }
  });
});

describe('the WebSocket class itself', () => {
  it('behaves as a browser WebSocket: events, send, close', async () => {
    const socket = new platform.WebSocket(socketUrl('public-chat'));
    expect(socket.readyState).toBe(WebSocket.CONNECTING);
    expect(() => socket.send('early')).toThrow(/connecting/);
    const events: string[] = [];
    socket.addEventListener('open', () => events.push('open'));
    socket.onmessage = (event) => events.push(`message ${event.data}`);
    socket.addEventListener('close', (event) => events.push(`close ${(event as CloseEvent).code} ${(event as CloseEvent).wasClean}`));
    await vi.waitFor(() => expect(socket.readyState).toBe(platform.WebSocket.OPEN), WAIT);
    socket.send('hello');
    expect(platform.sockets[0]!.received).toEqual(['hello']);
    platform.broadcast('public-chat', { a: 1 });
    socket.close(1000);
    await vi.waitFor(() => expect(socket.readyState).toBe(platform.WebSocket.CLOSED), WAIT);
    expect(events).toEqual(['open', 'message {"message":{"a":1}}', 'close 1000 true']);
    expect(platform.sockets).toEqual([]);
  });

  it('reports a throwing listener as the library reports a callback error (thrown from a microtask); the others still run', async () => {
    const socket = new platform.WebSocket(socketUrl('public-chat'));
    const bug = new Error('listener bug');
    const order: string[] = [];
    socket.addEventListener('open', () => {
      order.push('first');
      throw bug;
    });
    socket.addEventListener('open', () => order.push('second'));
    const reported: Array<() => void> = [];
    const microtask = vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((task) => void reported.push(task));
    try {
      await vi.waitFor(() => expect(order).toEqual(['first', 'second']), WAIT);
    } finally {
      microtask.mockRestore();
    }
    expect(reported).toHaveLength(1);
    expect(() => reported[0]!()).toThrow(bug);
    socket.close();
  });

  it('refuses another plugin\'s socket path (404) with error, then close 1006', async () => {
    const socket = new platform.WebSocket(`ws://${location.host}/plugin-io/ws/other_plugin/public-chat/`);
    const events: string[] = [];
    socket.onerror = () => events.push('error');
    socket.onclose = (event) => events.push(`close ${event.code}`);
    await vi.waitFor(() => expect(events).toEqual(['error', 'close 1006']), WAIT);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('refused (404)'));
  });
});
