/**
 * subscribe() against a real `ws` server on 127.0.0.1, in Node, with `ws`'s WebSocket injected.
 * Node's `ws` is where reconnecting-websocket's connect-timeout defect throws, so it is tested here.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { subscribe, type SubscribeOptions, type Subscription, type SubscriptionStatus } from '../../src/realtime.js';

/**
 * How long a test watches for a reconnect that must not come. Every subscription here waits at
 * most maxReconnectionDelay (150 ms) before its next attempt, so a reconnect timer left running
 * would connect well within 1 s even on a loaded machine; on a slower one a shorter wait could
 * only miss a defect, never fail a correct library.
 */
const NO_RECONNECT_MS = 1000;

type Mode = 'accept' | 'refuse' | 'hang';

/** Per channel: how upgrades are answered, how many came, and the live server-side sockets. */
const modes = new Map<string, Mode>();
const upgrades = new Map<string, number>();
const clients = new Map<string, Set<WebSocket>>();
let probeStatus = 200;
let probes = 0;
let server: Server;
let origin: string;
const hanging = new Set<Socket>();
const wss = new WebSocketServer({ noServer: true });

const subscriptions: Subscription[] = [];
let n = 0;
const fresh = () => `node-${++n}`;

function sub(channel: string, onMessage: (message: Record<string, unknown>) => void = () => {}, options: SubscribeOptions = {}) {
  const subscription = subscribe(channel, onMessage, {
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    minReconnectionDelay: 50,
    maxReconnectionDelay: 150,
    connectionTimeout: 2000,
    ...options,
  });
  subscriptions.push(subscription);
  return subscription;
}

/** Waits for a condition (generous timeout: it ends as soon as the condition holds). */
async function until(condition: () => boolean, timeout = 10_000): Promise<void> {
  const end = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeout} ms: ${condition}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `body` while recording uncaught exceptions instead of letting vitest fail the run on them:
 * the library reports an error thrown by a callback as uncaught, as a browser page would see it.
 */
async function recordingUncaught(body: (errors: unknown[]) => Promise<void>): Promise<void> {
  const errors: unknown[] = [];
  const record = (error: unknown) => errors.push(error);
  const saved = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', record);
  try {
    await body(errors);
  } finally {
    process.off('uncaughtException', record);
    for (const listener of saved) process.on('uncaughtException', listener);
  }
}
const live = (channel: string) => [...(clients.get(channel) ?? [])].filter((socket) => socket.readyState === WebSocket.OPEN);
const send = (channel: string, frame: string) => live(channel).forEach((socket) => socket.send(frame));

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/plugin-io/api/demo_plugin/me') {
      probes++;
      response.writeHead(probeStatus, { 'content-type': 'application/json' }).end('{}');
    } else response.writeHead(404).end();
  });
  server.on('upgrade', (request, socket: Socket, head) => {
    const channel = /^\/plugin-io\/ws\/demo_plugin\/([\w-]+)\/$/.exec(request.url ?? '')?.[1];
    if (!channel) return socket.destroy();
    upgrades.set(channel, (upgrades.get(channel) ?? 0) + 1);
    const mode = modes.get(channel) ?? 'accept';
    if (mode === 'refuse') {
      // What Django Channels does on DenyConnection: the upgrade is answered with HTTP 403.
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    } else if (mode === 'hang') {
      hanging.add(socket);
      socket.on('close', () => hanging.delete(socket));
    } else {
      wss.handleUpgrade(request, socket, head, (ws) => {
        if (!clients.has(channel)) clients.set(channel, new Set());
        clients.get(channel)!.add(ws);
        ws.on('close', () => clients.get(channel)!.delete(ws));
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // What the library reads of a page here, none of which Node has: its location (the socket's
  // host and the plugin name), window events (online, pagehide, pageshow, visibilitychange), and
  // the window's fetch (for authProbe).
  const location = new URL(`${origin}/plugin-io/api/demo_plugin/app/`);
  vi.stubGlobal('window', Object.assign(new EventTarget(), { location, document: { visibilityState: 'visible' }, fetch: globalThis.fetch }));
  vi.stubGlobal('location', location);
});

afterEach(() => {
  for (const subscription of subscriptions.splice(0)) subscription.close();
  probeStatus = 200;
});

afterAll(async () => {
  for (const socket of hanging) socket.destroy();
  for (const set of clients.values()) for (const socket of set) socket.terminate();
  wss.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  vi.unstubAllGlobals();
});

describe('realtime in Node against a real ws server', () => {
  it('delivers unwrapped messages, and drops malformed frames before a good one', async () => {
    const channel = fresh();
    const received: unknown[] = [];
    const subscription = sub(channel, (message) => received.push(message));
    expect(subscription.status).toBe('connecting');
    await until(() => live(channel).length === 1 && subscription.status === 'open');
    for (const bad of ['not json', '{"message": 1}', '{"message": [1]}', '{"nope": {}}', '']) send(channel, bad);
    live(channel)[0]!.send(Buffer.from([1, 2, 3]));
    send(channel, JSON.stringify({ message: { type: 'task_created', id: 7 } }));
    await until(() => received.length === 1);
    // One socket delivers frames in order: the malformed ones were handled before the good one.
    expect(received).toEqual([{ type: 'task_created', id: 7 }]);
  });

  it('reconnects after a server-side drop and runs onOpen again', async () => {
    const channel = fresh();
    const statuses: SubscriptionStatus[] = [];
    let opens = 0;
    const subscription = sub(channel, () => {}, { onOpen: () => opens++, onStatus: (status) => statuses.push(status) });
    await until(() => opens === 1);
    live(channel)[0]!.terminate();
    await until(() => opens === 2);
    expect(subscription.status).toBe('open');
    expect(statuses).toEqual(['open', 'reconnecting', 'open']);
    expect(upgrades.get(channel)).toBe(2);
  });

  it('recovers from 20 forced drops in a row', async () => {
    const channel = fresh();
    let opens = 0;
    sub(channel, () => {}, { onOpen: () => opens++ });
    for (let drop = 1; drop <= 20; drop++) {
      await until(() => opens === drop && live(channel).length === 1);
      live(channel)[0]!.terminate();
    }
    await until(() => opens === 21);
    expect(upgrades.get(channel)).toBe(21);
  });

  it('close() leaves no reconnect in the following seconds', async () => {
    const channel = fresh();
    const subscription = sub(channel);
    await until(() => subscription.status === 'open');
    subscription.close();
    await until(() => (clients.get(channel)?.size ?? 0) === 0);
    await sleep(NO_RECONNECT_MS);
    expect(upgrades.get(channel)).toBe(1);
    expect(subscription.status).toBe('closed');
  });

  it('an upgrade refused with 403 plus an authProbe answering 401 gives unauthorized, and attempts stop', async () => {
    const channel = fresh();
    modes.set(channel, 'refuse');
    probeStatus = 401;
    const statuses: SubscriptionStatus[] = [];
    const subscription = sub(channel, () => {}, { authProbe: `${origin}/plugin-io/api/demo_plugin/me`, onStatus: (status) => statuses.push(status) });
    await until(() => subscription.status === 'unauthorized');
    const attempts = upgrades.get(channel);
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(probes).toBeGreaterThanOrEqual(1);
    await sleep(NO_RECONNECT_MS);
    expect(upgrades.get(channel)).toBe(attempts);
    expect(statuses).toEqual(['reconnecting', 'unauthorized']);
  });

  it.each([
    [4401, 'unauthorized'],
    [4403, 'unauthorized'],
    [1008, 'closed'],
    [4000, 'closed'],
    [4999, 'closed'],
  ] as const)('a server close with %i is final: status %s, the code and reason readable, no reconnect', async (code, status) => {
    const channel = fresh();
    const statuses: SubscriptionStatus[] = [];
    const subscription = sub(channel, () => {}, { onStatus: (next) => statuses.push(next) });
    await until(() => subscription.status === 'open' && live(channel).length === 1);
    live(channel)[0]!.close(code, 'session expired');
    await until(() => subscription.status === status);
    expect(subscription.serverClose).toEqual({ code, reason: 'session expired' });
    expect(statuses).toEqual(['open', status]);
    await sleep(NO_RECONNECT_MS);
    expect(upgrades.get(channel)).toBe(1);
  });

  it.each([1000, 1001, 1011, 1012, 1013])('a server close with %i is retried: the page reconnects and runs onOpen again', async (code) => {
    const channel = fresh();
    let opens = 0;
    const subscription = sub(channel, () => {}, { onOpen: () => opens++ });
    await until(() => opens === 1 && live(channel).length === 1);
    live(channel)[0]!.close(code, 'restarting');
    await until(() => opens === 2);
    expect(subscription.status).toBe('open');
    expect(subscription.serverClose).toBeUndefined();
    expect(upgrades.get(channel)).toBe(2);
  });

  it('two subscribers share one socket; the last close closes it', async () => {
    const channel = fresh();
    const a: unknown[] = [];
    const b: unknown[] = [];
    const first = sub(channel, (message) => a.push(message));
    const second = sub(channel, (message) => b.push(message));
    await until(() => first.status === 'open');
    expect(upgrades.get(channel)).toBe(1);
    send(channel, '{"message": {"n": 1}}');
    await until(() => a.length === 1 && b.length === 1);
    first.close();
    send(channel, '{"message": {"n": 2}}');
    await until(() => b.length === 2);
    expect(a).toHaveLength(1);
    expect(live(channel)).toHaveLength(1);
    second.close();
    await until(() => (clients.get(channel)?.size ?? 0) === 0);
  });

  it('a throwing subscriber does not stop delivery to the other; its error is reported as uncaught', async () => {
    await recordingUncaught(async (errors) => {
      const channel = fresh();
      const received: unknown[] = [];
      const boom = new Error('subscriber bug');
      sub(channel, () => {
        throw boom;
      });
      const other = sub(channel, (message) => received.push(message));
      await until(() => other.status === 'open');
      send(channel, '{"message": {"n": 1}}');
      send(channel, '{"message": {"n": 2}}');
      await until(() => received.length === 2 && errors.length === 2);
      expect(errors).toEqual([boom, boom]);
    });
  });

  it('regression (RWS #165): close during the first connect, then subscribe again', async () => {
    const channel = fresh();
    sub(channel).close(); // before RWS built its first socket
    const second = sub(channel);
    await until(() => upgrades.get(channel) === 1);
    second.close(); // while the handshake may still be in flight
    const third = sub(channel);
    await until(() => third.status === 'open');
  });

  it('regression (RWS #125): maxRetries used up, then subscribe again', async () => {
    const channel = fresh();
    modes.set(channel, 'refuse');
    const first = sub(channel, () => {}, { maxRetries: 2 });
    await until(() => first.status === 'closed');
    expect(upgrades.get(channel)).toBe(3);
    await sleep(NO_RECONNECT_MS);
    expect(upgrades.get(channel)).toBe(3);
    modes.set(channel, 'accept');
    const second = sub(channel);
    await until(() => second.status === 'open');
    expect(first.status).toBe('closed');
  });

  it('regression (RWS #183): a connect timeout under Node ws throws nothing, and the retry connects', async () => {
    const channel = fresh();
    modes.set(channel, 'hang');
    const subscription = sub(channel, () => {}, { connectionTimeout: 150 });
    await until(() => (upgrades.get(channel) ?? 0) >= 2);
    modes.set(channel, 'accept');
    await until(() => subscription.status === 'open');
    // Without the no-op error listener, ws's "closed before the connection was established"
    // error would be uncaught and fail the run: ws emits it on the tick after the timed-out
    // attempt closes, before the retry that the wait above saw.
  });
});
