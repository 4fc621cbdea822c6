// What jest users meet, recreated under vitest (in both DOM projects): jest's default fake
// timers fake queueMicrotask too (and process.nextTick, which vitest cannot fake in its forks
// pool; the kit never uses it), and its jsdom environment has no Response, Headers,
// MessageChannel or structuredClone. The real jest run (jest 30 + jest-environment-jsdom, the
// package's CommonJS files) is test/jest/, `npm run test:jest`.
import { MessageChannel as NodeMessageChannel } from 'node:worker_threads';
import { afterEach, expect, it, vi } from 'vitest';
import { closeModal, onHostMessage, requestJSON, subscribe, type Subscription } from 'canvas-companion';
import { connectHost, launch, mockPlatform, resetState, type MockPlatform, type TestHost } from 'canvas-companion/testing';

const API = '/plugin-io/api/my_plugin';
const routes = { 'GET /app/me': ({ staff }: { staff: { id: string } }) => ({ id: staff.id }) };

// What each test opened, ended after it even when an assertion failed midway.
let platform: MockPlatform | undefined;
let host: TestHost | undefined;
let live: Subscription | undefined;

afterEach(() => {
  live?.close();
  platform?.close();
  host?.reset();
  live = platform = host = undefined;
  vi.useRealTimers();
  vi.unstubAllGlobals();
  resetState();
});

it('works with jest\'s default fake timers (queueMicrotask faked too)', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'Date', 'queueMicrotask'] });
  launch();
  platform = mockPlatform({ routes, sockets: { '*': () => true } });
  host = connectHost();
  const seen: unknown[] = [];
  onHostMessage((message) => seen.push(message));
  await host.send({ type: 'NOTE_TAB_CHANGE' });
  expect(seen).toEqual([{ type: 'NOTE_TAB_CHANGE' }]);
  await expect(closeModal()).resolves.toBe('port');
  expect(host.closed).toBe(true);
  await expect(requestJSON(`${API}/app/me`, { fetch: platform.fetch })).resolves.toEqual({ id: platform.staff.id });
  const messages: unknown[] = [];
  live = subscribe('news', (message) => messages.push(message), { WebSocket: platform.WebSocket });
  // reconnecting-websocket starts its first connect on a 0 ms timer.
  await vi.advanceTimersByTimeAsync(0);
  expect(live.status).toBe('open');
  platform.broadcast('news', { n: 1 });
  expect(messages).toEqual([{ n: 1 }]);
});

it('works without Response, Headers, MessageChannel and structuredClone (jest\'s jsdom environment)', async () => {
  for (const name of ['Response', 'Headers', 'MessageChannel', 'structuredClone']) vi.stubGlobal(name, undefined);
  launch();
  expect(() => connectHost()).toThrow(/MessageChannel/);
  host = connectHost({ MessageChannel: NodeMessageChannel as unknown as typeof MessageChannel });
  await expect(closeModal()).resolves.toBe('port');
  expect(host.messages).toEqual([{ type: 'CLOSE_MODAL' }]);
  platform = mockPlatform({ routes });
  platform.signOut();
  const error = await requestJSON(`${API}/app/me`, { fetch: platform.fetch }).catch((caught) => caught);
  expect(error).toMatchObject({ code: 'UNAUTHORIZED', status: 401, body: { error: 'Provided credentials are invalid' } });
  platform.signIn();
  const answer = await platform.fetch(`${API}/app/me`, { headers: [['Accept', 'application/json']] });
  expect([answer.ok, answer.headers.get('Content-Type')]).toEqual([true, 'application/json']);
  expect(await answer.json()).toEqual({ id: platform.staff.id });
});
