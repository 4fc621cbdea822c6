/**
 * The harness's workbench, server side, over plain HTTP and WebSockets: numbered sessions with a
 * switchable staff member, the trace of plugin requests, effects and sockets (bounded, the session
 * cookie never kept, published to the session's own shell feed), and the conditions a session
 * sets on itself (latency, offline, effect delay, one failing route), with their validation.
 * Every wait is on a condition (a poll, an event), never on a fixed sleep.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { startHarness, type Harness } from '../../src/harness/index.js';
import { createRecorder, TRACE_LIMITS } from '../../src/harness/trace.js';
import type { Conditions, Staff, TraceEffect, TraceRequest, TraceSocket, TraceUpdate } from '../../src/platform/index.js';

const poll = { timeout: 15_000, interval: 50 };
/** An effect delay no test waits for. */
const NEVER = 600_000;

const MOCK = `
export const routes = {
  'GET /whoami': ({ staff }) => ({ id: staff.id }),
  // platform.staff ("me") is the session's staff member, after an await too.
  'GET /me': async (_request, platform) => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    return { id: platform.staff.id };
  },
  'POST /echo': ({ body }) => ({ got: body }),
  'GET /big': () => ({ status: 200, body: 'x'.repeat(70_000) }),
  'POST /task': ({ body }, platform) => {
    platform.apply({ type: 'CREATE_TASK', data: { title: String(body.title) } });
    return { status: 202, body: { submitted: true } };
  },
  'POST /ping': ({ body }, platform) => ({ sent: platform.broadcast('room', { n: body.n }) }),
  // Answers when the test says so (the harness runs in the test's process).
  // Counts its runs where the test can read them.
  'GET /mark': () => {
    globalThis.wbMarks = (globalThis.wbMarks ?? 0) + 1;
    return {};
  },
  'GET /held': () => new Promise((resolve) => { globalThis.wbRelease = () => resolve({ released: true }); }),
};
export const sockets = {
  room: () => true,
  'mine-<id>': ({ params, staff }) => params.id === staff.id,
  // Decides when the test says so.
  slow: () => new Promise((resolve) => { globalThis.wbAllow = () => resolve(true); }),
};
export const launch = {
  Main: ({ patient, note, staff }) => '/plugin-io/api/wb/app?' + new URLSearchParams({ p: patient?.id ?? '', n: note?.id ?? '', s: staff?.id ?? '' }),
};
export const events = { 'A task arrives': (platform) => { platform.apply({ type: 'CREATE_TASK', data: { title: 'from an event' } }); } };
`;

/** A signed-in browser: its cookie and session number. */
interface Client {
  cookie: string;
  number: number;
}

/** A WebSocket and what it saw. */
interface Socket {
  ws: WebSocket;
  /** 'open', the refused status, or 'error'. */
  result: string;
  messages: string[];
  closed: Promise<number>;
}

function openSocket(url: string, cookie: string): Promise<Socket> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers: { cookie } });
    const messages: string[] = [];
    const closed = new Promise<number>((done) => ws.on('close', (code) => done(code)));
    ws.on('message', (data) => messages.push(String(data)));
    ws.on('open', () => resolve({ ws, result: 'open', messages, closed }));
    ws.on('unexpected-response', (_request, response) => resolve({ ws, result: String(response.statusCode), messages, closed }));
    ws.on('error', () => resolve({ ws, result: 'error', messages, closed }));
  });
}

describe('the harness workbench (server)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'harness-workbench-'));
  const lines: string[] = [];
  let harness: Harness;
  let ws: string;
  let staff: Staff[];

  beforeAll(async () => {
    writeFileSync(join(dir, 'CANVAS_MANIFEST.json'), JSON.stringify({
      name: 'wb', components: { applications: [{ class: 'wb.apps:Main', name: 'Main', scope: 'provider_companion_note_specific' }] },
    }));
    writeFileSync(join(dir, 'harness.mock.mjs'), MOCK);
    harness = await startHarness({ port: 0, pluginDirs: [{ dir }], python: 'no-such-python-here', log: (line) => lines.push(line) });
    ws = harness.origin.replace('http', 'ws');
  });
  afterAll(async () => {
    await harness?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const signIn = async (): Promise<Client> => {
    const cookie = (await fetch(harness.url)).headers.get('set-cookie')!.split(';')[0]!;
    const session = (await (await fetch(`${harness.origin}/companion/api/session`, { headers: { cookie } })).json()) as { session: number; staff_members: Staff[] };
    staff = session.staff_members;
    return { cookie, number: session.session };
  };
  const api = async (client: Client | null, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${harness.origin}/companion/api${path}`, {
      method, headers: client ? { cookie: client.cookie } : {}, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
  };
  const call = (client: Client, method: string, path: string, body?: unknown) =>
    fetch(`${harness.origin}/plugin-io/api/wb${path}`, {
      method, headers: { cookie: client.cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const conditions = (client: Client, change: Partial<Conditions>) => api(client, 'PUT', '/conditions', change);
  const trace = async (client: Client) => (await api(client, 'GET', '/trace')).body as unknown as { session: { number: number }; requests: TraceRequest[]; effects: TraceEffect[]; sockets: TraceSocket[] };
  /** The last trace entry of `client`'s session for a plugin path. */
  const lastRequest = async (client: Client, path: string) => (await trace(client)).requests.filter((r) => r.path === `/plugin-io/api/wb${path}` && r.session === client.number).at(-1);
  const linesFor = (text: string) => lines.filter((line) => line.includes(text));

  it('numbers each sign-in, and lists the staff with the session', async () => {
    const a = await signIn();
    const b = await signIn();
    expect(b.number).toBe(a.number + 1);
    const session = await api(a, 'GET', '/session');
    expect(session.body).toMatchObject({ session: a.number, staff: { id: staff[0]!.id } });
    expect(staff.length).toBeGreaterThan(1);
    const home = await api(a, 'GET', '/home');
    expect(home.body).toMatchObject({ session: a.number, staff_members: staff });
    expect((await api(null, 'GET', '/session')).status).toBe(401);
    const signedIn = await fetch(`${harness.origin}/companion/api/session`, { method: 'POST' });
    expect(await signedIn.json()).toEqual({ staff: staff[0], session: b.number + 1 });
  });

  it('switches the session\'s staff member: plugin requests and socket rules see them, and its plugin sockets drop (1006), not its feed', async () => {
    const a = await signIn();
    const b = await signIn();
    const other = staff[1]!;
    const mine = await openSocket(`${ws}/plugin-io/ws/wb/mine-${staff[0]!.id}/`, a.cookie);
    const feed = await openSocket(`${ws}/companion/live/`, a.cookie);
    expect([mine.result, feed.result]).toEqual(['open', 'open']);
    expect(await api(a, 'POST', '/session/staff', { id: other.id })).toEqual({ status: 200, body: { staff: other } });
    expect(await mine.closed).toBe(1006);
    expect(feed.ws.readyState).toBe(WebSocket.OPEN);
    expect(await (await call(a, 'GET', '/whoami')).json()).toEqual({ id: other.id });
    expect(await (await call(b, 'GET', '/whoami')).json()).toEqual({ id: staff[0]!.id });
    expect(await (await call(a, 'GET', '/me')).json()).toEqual({ id: other.id });
    expect(await (await call(b, 'GET', '/me')).json()).toEqual({ id: staff[0]!.id });
    // Outside any session's work, platform.staff is the practice's first staff member.
    expect(harness.platform.staff.id).toBe(staff[0]!.id);
    expect((await api(a, 'GET', '/session')).body).toMatchObject({ staff: { id: other.id } });
    // The socket rule sees the new staff member too.
    expect((await openSocket(`${ws}/plugin-io/ws/wb/mine-${staff[0]!.id}/`, a.cookie)).result).toBe('403');
    const again = await openSocket(`${ws}/plugin-io/ws/wb/mine-${other.id}/`, a.cookie);
    expect(again.result).toBe('open');
    again.ws.close();
    feed.ws.close();
    expect(linesFor(`session ${a.number} is now ${other.name}`)).toEqual([expect.stringContaining('1 plugin socket dropped')]);
  });

  it('refuses a socket whose session expired while its rule decided', async () => {
    const a = await signIn();
    const scope = globalThis as { wbAllow?: () => void };
    const opening = openSocket(`${ws}/plugin-io/ws/wb/slow/`, a.cookie);
    await expect.poll(() => typeof scope.wbAllow, poll).toBe('function');
    expect((await api(a, 'POST', '/session/expire')).status).toBe(204);
    scope.wbAllow?.();
    delete scope.wbAllow;
    expect((await opening).result).toBe('403');
    expect(linesFor('403 WebSocket /plugin-io/ws/wb/slow/: the session expired or switched staff member while the socket rule decided')).toHaveLength(1);
  });

  it('refuses a bad staff switch with a clear 4xx and a log line', async () => {
    const a = await signIn();
    const tries: [unknown, number, string][] = [
      ['{not json', 400, 'not JSON'],
      [{ id: 'xyz' }, 400, '32 lower-case hex digits'],
      [{ id: staff[1]!.id.toUpperCase() }, 400, '32 lower-case hex digits'],
      [[staff[1]!.id], 400, '32 lower-case hex digits'],
      [{ id: 'f'.repeat(32) }, 404, 'No staff member'],
    ];
    for (const [body, status, error] of tries) {
      const answer = await api(a, 'POST', '/session/staff', body);
      expect([answer.status, answer.body?.error]).toEqual([status, expect.stringContaining(error)]);
    }
    expect(linesFor('POST /companion/api/session/staff:').length).toBe(tries.length);
    expect((await api(null, 'POST', '/session/staff', { id: staff[1]!.id })).status).toBe(401);
    expect((await api(a, 'GET', '/session')).body).toMatchObject({ staff: { id: staff[0]!.id } });
  });

  it('records plugin requests: status, source, route, bodies, the session cookie\'s value never kept, long bodies cut', async () => {
    const a = await signIn();
    const token = a.cookie.split('=')[1]!;
    expect((await call(a, 'POST', '/echo?x=1', { hello: 'world' })).status).toBe(200);
    await expect.poll(() => lastRequest(a, '/echo'), poll).toMatchObject({
      session: a.number, plugin: 'wb', method: 'POST', query: '?x=1', status: 200, source: 'mock', route: 'POST /echo', conditions: [],
      request: { body: '{"hello":"world"}', headers: { cookie: 'sessionid=…', 'content-type': 'application/json' } },
      response: { body: '{"got":{"hello":"world"}}', headers: { 'content-type': 'application/json' } },
    });
    expect(JSON.stringify(await trace(a))).not.toContain(token);
    expect((await call(a, 'GET', '/big')).status).toBe(200);
    await expect.poll(() => lastRequest(a, '/big'), poll).toMatchObject({ status: 200, response: { truncated: true } });
    expect((await lastRequest(a, '/big'))!.response!.body).toHaveLength(65_536);
    // The harness's own answers are recorded too.
    expect((await call(a, 'GET', '/nothing-here')).status).toBe(404);
    await expect.poll(() => lastRequest(a, '/nothing-here'), poll).toMatchObject({ status: 404, source: 'harness', route: null });
    const signedOut = await fetch(`${harness.origin}/plugin-io/api/wb/whoami`);
    expect(signedOut.status).toBe(401);
    await expect.poll(async () => (await trace(a)).requests.filter((r) => r.session === null && r.path === '/plugin-io/api/wb/whoami').length, poll).toBe(1);
  });

  it('records effects from scheduled to landed, with their changes and session, at the session\'s effect_delay', async () => {
    const slow = await signIn();
    const fast = await signIn();
    expect((await conditions(slow, { effect_delay: NEVER })).status).toBe(200);
    expect((await conditions(fast, { effect_delay: 0 })).status).toBe(200);
    expect((await call(slow, 'POST', '/task', { title: 'slow one' })).status).toBe(202);
    expect((await call(fast, 'POST', '/task', { title: 'fast one' })).status).toBe(202);
    const titled = async (client: Client, title: string) => (await trace(client)).effects.find((e) => (e.data as { title?: string } | null)?.title === title);
    await expect.poll(() => titled(fast, 'fast one'), poll).toMatchObject({
      session: fast.number, plugin: 'wb', type: 'CREATE_TASK', name: null, after: 0, state: 'landed', error: null,
      changes: [{ kind: 'task', action: 'created', id: expect.any(String), patient_id: null }], result: { title: 'fast one' },
    });
    // The fast one landed after the slow one was applied; another request later, the slow one still waits.
    expect((await call(slow, 'GET', '/whoami')).status).toBe(200);
    expect(await titled(slow, 'slow one')).toMatchObject({ session: slow.number, after: NEVER, state: 'scheduled', landed_at: null, changes: [] });
    // An outside event from the shell's menu runs as work of the caller's session.
    expect((await api(slow, 'POST', `/events/wb/${encodeURIComponent('A task arrives')}`)).status).toBe(204);
    await expect.poll(() => titled(slow, 'from an event'), poll).toMatchObject({ session: slow.number, after: NEVER, state: 'scheduled' });
    await conditions(slow, { effect_delay: null });
  });

  it('records plugin sockets: open, frames out and in, refused, and closed with 1006 when the session goes offline', async () => {
    const a = await signIn();
    const socket = await openSocket(`${ws}/plugin-io/ws/wb/room/`, a.cookie);
    expect(socket.result).toBe('open');
    expect(await (await call(a, 'POST', '/ping', { n: 1 })).json()).toEqual({ sent: expect.any(Number) });
    await expect.poll(() => socket.messages, poll).toContain('{"message":{"n":1}}');
    socket.ws.send('hello from the page');
    const mine = async () => (await trace(a)).sockets.filter((s) => s.session === a.number && s.channel === 'room').at(-1);
    await expect.poll(mine, poll).toMatchObject({ state: 'open', frames_out: 1, frames_in: 1, frames: [{ dir: 'out', data: '{"message":{"n":1}}' }, { dir: 'in', data: 'hello from the page' }] });
    expect((await conditions(a, { offline: true })).body).toMatchObject({ offline: true });
    expect(await socket.closed).toBe(1006);
    await expect.poll(mine, poll).toMatchObject({ state: 'closed', code: 1006, closed_at: expect.any(String) });
    // Offline: a new socket is cut (the page sees 1006), and recorded as refused without a status.
    const cut = await openSocket(`${ws}/plugin-io/ws/wb/room/`, a.cookie);
    expect(cut.result).toBe('error');
    expect(await cut.closed).toBe(1006);
    await conditions(a, { offline: false });
    const refused = await openSocket(`${ws}/plugin-io/ws/wb/nope/`, a.cookie);
    expect(refused.result).toBe('403');
    await expect.poll(async () => (await trace(a)).sockets.filter((s) => s.session === a.number).map((s) => [s.channel, s.state, s.status]), poll).toEqual([
      ['room', 'closed', null], ['room', 'refused', null], ['nope', 'refused', 403],
    ]);
  });

  it('waits the session\'s latency before answering, before accepting a socket, and before each frame, in order', async () => {
    const a = await signIn();
    const latency = 250;
    expect((await conditions(a, { latency })).body).toMatchObject({ latency });
    expect((await call(a, 'GET', '/whoami')).status).toBe(200);
    await expect.poll(() => lastRequest(a, '/whoami'), poll).toMatchObject({ status: 200, conditions: [`latency ${latency} ms`] });
    expect((await lastRequest(a, '/whoami'))!.ms).toBeGreaterThanOrEqual(latency);
    const socket = await openSocket(`${ws}/plugin-io/ws/wb/room/`, a.cookie);
    expect(socket.result).toBe('open');
    await Promise.all([1, 2, 3].map((n) => call(a, 'POST', '/ping', { n })));
    await expect.poll(() => socket.messages.length, poll).toBe(3);
    // The pings were applied in some order; the frames arrive in that order, each after the latency.
    const sent = (await trace(a)).sockets.filter((s) => s.session === a.number).at(-1)!.frames.map((f) => f.data);
    expect(socket.messages).toEqual(sent);
    socket.ws.close();
    expect(linesFor(`session ${a.number}: workbench conditions latency ${latency} ms`)).toHaveLength(1);
    await conditions(a, { latency: 0 });
    expect(linesFor(`session ${a.number}: workbench conditions none`)).toHaveLength(1);
  });

  it('delays each frame by the latency from when it was sent: frames sent together arrive together', async () => {
    const a = await signIn();
    const socket = await openSocket(`${ws}/plugin-io/ws/wb/room/`, a.cookie);
    expect(socket.result).toBe('open');
    const latency = 1_000;
    await conditions(a, { latency });
    for (let n = 0; n < 3; n++) harness.platform.broadcast('room', { together: n });
    await expect.poll(() => socket.messages.length, poll).toBe(3);
    // The harness's own times (one clock): were latency to add up, the last would come 2 s after the first.
    const frames = (await trace(a)).sockets.filter((s) => s.session === a.number).at(-1)!.frames;
    const times = frames.map((f) => Date.parse(f.at));
    expect(times.at(-1)! - times[0]!).toBeLessThan(latency);
    socket.ws.close();
    await conditions(a, { latency: 0 });
  });

  it('closes a socket with 1013 when the frames its latency holds back pass the backlog limit', async () => {
    const a = await signIn();
    const socket = await openSocket(`${ws}/plugin-io/ws/wb/room/`, a.cookie);
    expect(socket.result).toBe('open');
    await conditions(a, { latency: 30_000 });
    // 20 frames of 60 kB: over the 1 MiB backlog while the first still waits its 30 s.
    for (let n = 0; n < 20; n++) harness.platform.broadcast('room', { n, pad: 'x'.repeat(60_000) });
    expect(await socket.closed).toBe(1013);
    expect(socket.messages).toEqual([]);
    expect(linesFor("bytes held back by the session's latency (over 1048576); closed with 1013")).toHaveLength(1);
    await conditions(a, { latency: 0 });
  });

  it('runs nothing for a page that left while the latency held its request', async () => {
    const a = await signIn();
    await conditions(a, { latency: 1_000 });
    // "Expect: 100-continue": the server's 100 says it has the request; then the page leaves.
    await new Promise<void>((resolve) => {
      const socket = connect(harness.port, '127.0.0.1', () => socket.write(`GET /plugin-io/api/wb/mark HTTP/1.1\r\nHost: 127.0.0.1:${harness.port}\r\nCookie: ${a.cookie}\r\nExpect: 100-continue\r\n\r\n`));
      socket.on('data', (chunk) => {
        if (String(chunk).startsWith('HTTP/1.1 100')) socket.destroy();
      });
      socket.on('close', () => resolve());
    });
    await expect.poll(() => lastRequest(a, '/mark'), poll).toMatchObject({ status: null, conditions: ['latency 1000 ms'] });
    // A request that came after it waits the same latency: once it is answered, the left one's wait is over too.
    expect((await call(a, 'GET', '/whoami')).status).toBe(200);
    expect((globalThis as { wbMarks?: number }).wbMarks).toBeUndefined();
    await conditions(a, { latency: 0 });
  });

  it('cuts the requests under way when the session goes offline, as a lost network does', async () => {
    const a = await signIn();
    const held = call(a, 'GET', '/held');
    const scope = globalThis as { wbRelease?: () => void };
    await expect.poll(() => typeof scope.wbRelease, poll).toBe('function');
    await conditions(a, { offline: true });
    await expect(held).rejects.toThrow(TypeError);
    await expect.poll(() => lastRequest(a, '/held'), poll).toMatchObject({ status: null, response: null, conditions: ['offline'] });
    scope.wbRelease?.();
    delete scope.wbRelease;
    await conditions(a, { offline: false });
  });

  it('cuts plugin requests while offline (fetch rejects), and fails one route as asked', async () => {
    const a = await signIn();
    const b = await signIn();
    await conditions(a, { offline: true });
    await expect(call(a, 'GET', '/whoami')).rejects.toThrow(TypeError);
    await expect.poll(() => lastRequest(a, '/whoami'), poll).toMatchObject({ status: null, response: null, conditions: ['offline'] });
    expect((await call(b, 'GET', '/whoami')).status).toBe(200);
    expect((await api(a, 'GET', '/conditions')).status).toBe(200);
    await conditions(a, { offline: false, failure: { method: 'GET', path: '/plugin-io/api/wb/whoami', answer: 503 } });
    const failed = await call(a, 'GET', '/whoami');
    expect([failed.status, ((await failed.json()) as { error: string }).error]).toEqual([503, expect.stringContaining("Failure injected by the harness's workbench")]);
    await expect.poll(() => lastRequest(a, '/whoami'), poll).toMatchObject({ status: 503, source: 'harness', conditions: ['failure 503'] });
    expect((await call(a, 'POST', '/echo', {})).status).toBe(200);
    expect((await call(b, 'GET', '/whoami')).status).toBe(200);
    await conditions(a, { failure: { method: '*', path: '/plugin-io/api/wb/echo', answer: 'drop' } });
    await expect(call(a, 'POST', '/echo', {})).rejects.toThrow(TypeError);
    await expect.poll(() => lastRequest(a, '/echo'), poll).toMatchObject({ status: null, conditions: ['failure drop'] });
    expect((await call(a, 'GET', '/whoami')).status).toBe(200);
    await conditions(a, { failure: null });
    expect((await call(a, 'POST', '/echo', {})).status).toBe(200);
  });

  it('refuses conditions it cannot apply, naming the field and what it accepts', async () => {
    const a = await signIn();
    const before = (await api(a, 'GET', '/conditions')).body;
    expect(before).toEqual({ latency: 0, offline: false, effect_delay: null, failure: null });
    const tries: [unknown, string][] = [
      [{ latency: -1 }, 'latency must be a whole number of milliseconds from 0 to 30000'],
      [{ latency: 1.5 }, 'latency must be'],
      [{ latency: '100' }, 'latency must be'],
      [{ latency: 30_001 }, 'latency must be'],
      [{ offline: 'yes' }, 'offline must be true or false'],
      [{ effect_delay: 600_001 }, 'effect_delay must be a whole number of milliseconds from 0 to 600000, or null'],
      [{ failure: 'GET /x' }, 'failure must be null or'],
      [{ failure: { method: 'FETCH', path: '/plugin-io/api/wb/x', answer: 500 } }, 'failure.method must be an HTTP method'],
      [{ failure: { method: 'GET', path: '/companion/api/home', answer: 500 } }, 'failure.path must be a path starting with /plugin-io/api/'],
      [{ failure: { method: 'GET', path: '/plugin-io/api/wb/x?y=1', answer: 500 } }, 'failure.path must be'],
      [{ failure: { method: 'GET', path: '/plugin-io/api/wb/x', answer: 399 } }, 'failure.answer must be a status from 400 to 599'],
      [{ failure: { method: 'GET', path: '/plugin-io/api/wb/x', answer: 'cut' } }, 'failure.answer must be'],
      [{ failure: { method: 'GET', path: '/plugin-io/api/wb/x' } }, 'failure.answer must be'],
      [{ failure: { method: 'GET', path: '/plugin-io/api/wb/x', answer: 500, status: 1 } }, 'failure has no key "status"'],
      [{ latncy: 5 }, 'Unknown condition "latncy": did you mean latency?'],
      [{ effectDelay: 5 }, 'did you mean effect_delay?'],
      [[1], 'The body must be a JSON object'],
      [null, 'The body must be a JSON object'],
      ['{"latency": ', 'The body is not JSON'],
    ];
    for (const [body, error] of tries) {
      const answer = await api(a, 'PUT', '/conditions', typeof body === 'string' ? body : JSON.stringify(body));
      expect([answer.status, answer.body?.error]).toEqual([400, expect.stringContaining(error)]);
    }
    const huge = await api(a, 'PUT', '/conditions', JSON.stringify({ latency: 1, pad: 'x'.repeat(100_000) }));
    expect([huge.status, huge.body?.error]).toEqual([413, expect.stringContaining('Request body over')]);
    expect((await api(a, 'GET', '/conditions')).body).toEqual(before);
    expect(linesFor('PUT /companion/api/conditions:').length).toBe(tries.length + 1);
    expect((await api(null, 'PUT', '/conditions', { latency: 1 })).status).toBe(401);
  });

  it('launches with typed IDs as given when unchecked=1, and still refuses long ones and control characters', async () => {
    const a = await signIn();
    const app = harness.apps.find((x) => x.plugin === 'wb')!.id;
    const launch = async (query: Record<string, string>) => api(a, 'GET', `/launch?${new URLSearchParams({ app, ...query })}`);
    const launched = (answer: { body: Record<string, unknown> | null }) => Object.fromEntries(new URL(String(answer.body?.url), harness.origin).searchParams);
    const hostile = ['<script>alert(1)</script>', '../../etc/passwd', "' OR 1=1 --", 'ünï©ødé 🙂', '%00', 'a'.repeat(200)];
    for (const id of hostile) {
      const answer = await launch({ patient_id: id, note_id: id, staff_id: id, unchecked: '1' });
      expect(answer.status).toBe(200);
      expect(launched(answer)).toEqual({ p: id, n: id, s: id });
    }
    for (const id of ['a'.repeat(201), 'x\u0001y', 'tab\there', 'new\nline']) {
      const answer = await launch({ patient_id: id, unchecked: '1' });
      expect([answer.status, answer.body?.error]).toEqual([400, 'patient_id must be up to 200 characters, without control characters']);
    }
    expect((await launch({ staff_id: 'a'.repeat(201), unchecked: '1' })).body?.error).toContain('staff_id');
    // Checked: unknown IDs are 404 as before; a known staff member is who launch() sees.
    expect((await launch({ staff_id: 'f'.repeat(32) })).status).toBe(404);
    expect((await launch({ patient_id: 'nobody' })).status).toBe(404);
    expect(linesFor('404 GET /companion/api/launch: No such patient (patient_id nobody; unchecked=1 passes it as typed)')).toHaveLength(1);
    expect(launched(await launch({ staff_id: staff[2]!.id }))).toMatchObject({ s: staff[2]!.id });
    expect(launched(await launch({}))).toMatchObject({ s: staff[0]!.id });
  });

  it('feeds TraceUpdates only to the shell sockets of their own session', async () => {
    const a = await signIn();
    const b = await signIn();
    const feedA = await openSocket(`${ws}/companion/live/`, a.cookie);
    const feedB = await openSocket(`${ws}/companion/live/`, b.cookie);
    const updates = (feed: Socket) => feed.messages.map((text) => JSON.parse(text) as TraceUpdate | { type: 'changed' });
    const requestsOf = (feed: Socket) => updates(feed).flatMap((u) => (u.type === 'request' ? [u.entry.session] : []));
    expect((await call(a, 'GET', '/whoami')).status).toBe(200);
    await expect.poll(() => requestsOf(feedA), poll).toEqual([a.number]);
    expect((await conditions(a, { latency: 0 })).status).toBe(200);
    await expect.poll(() => updates(feedA).filter((u) => u.type === 'conditions').length, poll).toBe(1);
    // B's own request arrives on B's feed after everything of A was published: none of A's came before it.
    expect((await call(b, 'GET', '/whoami')).status).toBe(200);
    await expect.poll(() => requestsOf(feedB), poll).toEqual([b.number]);
    expect(updates(feedB).filter((u) => u.type === 'conditions')).toEqual([]);
    expect(requestsOf(feedA)).toEqual([a.number]);
    // Entries of no session go to every feed.
    expect((await fetch(`${harness.origin}/plugin-io/api/wb/whoami`)).status).toBe(401);
    await expect.poll(() => [requestsOf(feedA).at(-1), requestsOf(feedB).at(-1)], poll).toEqual([null, null]);
    feedA.ws.close();
    feedB.ws.close();
  });

  it('forgets a session\'s entries (and those of no session) on DELETE /trace, not another session\'s', async () => {
    const a = await signIn();
    const b = await signIn();
    expect((await call(a, 'GET', '/whoami')).status).toBe(200);
    expect((await call(b, 'GET', '/whoami')).status).toBe(200);
    await expect.poll(async () => (await trace(b)).requests.some((r) => r.session === b.number), poll).toBe(true);
    await expect.poll(async () => (await trace(a)).requests.some((r) => r.session === a.number), poll).toBe(true);
    expect((await api(a, 'DELETE', '/trace')).status).toBe(204);
    const after = await trace(a);
    expect([after.session.number, after.requests, after.effects, after.sockets]).toEqual([a.number, [], [], []]);
    expect((await trace(b)).requests.map((r) => r.session)).toEqual([b.number]);
    expect((await trace(b)).session).toMatchObject({ number: b.number, staff: { id: staff[0]!.id } });
  });

  it('still gives an expired session its trace (to export it), but nothing else; an unknown cookie gets nothing', async () => {
    const a = await signIn();
    expect((await call(a, 'GET', '/whoami')).status).toBe(200);
    await expect.poll(async () => (await trace(a)).requests.some((r) => r.session === a.number), poll).toBe(true);
    expect((await api(a, 'POST', '/session/expire')).status).toBe(204);
    const after = await api(a, 'GET', '/trace');
    expect(after.status).toBe(200);
    expect(after.body?.session).toMatchObject({ number: a.number, staff: null });
    expect((after.body?.requests as TraceRequest[]).some((r) => r.session === a.number && r.path === '/plugin-io/api/wb/whoami')).toBe(true);
    for (const [method, path] of [['GET', '/conditions'], ['PUT', '/conditions'], ['DELETE', '/trace'], ['GET', '/home']] as const) {
      expect([method, path, (await api(a, method, path, method === 'PUT' ? { latency: 1 } : undefined)).status]).toEqual([method, path, 401]);
    }
    expect((await api({ cookie: 'sessionid=not-a-session', number: 0 }, 'GET', '/trace')).status).toBe(401);
    expect((await api(null, 'GET', '/trace')).status).toBe(401);
  });
});

describe('the workbench\'s bounds, end to end', () => {
  it('keeps the last 500 requests of a harness', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'harness-bounds-'));
    writeFileSync(join(dir, 'CANVAS_MANIFEST.json'), JSON.stringify({ name: 'wb', components: { applications: [] } }));
    writeFileSync(join(dir, 'harness.mock.mjs'), MOCK);
    const harness = await startHarness({ port: 0, pluginDirs: [{ dir }], python: 'no-such-python-here', log: () => {} });
    try {
      const cookie = (await fetch(harness.url)).headers.get('set-cookie')!.split(';')[0]!;
      for (let batch = 0; batch < 52; batch++) {
        await Promise.all(Array.from({ length: 10 }, (_, i) => fetch(`${harness.origin}/plugin-io/api/wb/whoami?n=${batch * 10 + i}`, { headers: { cookie } }).then((r) => r.arrayBuffer())));
      }
      const kept = async () => ((await (await fetch(`${harness.origin}/companion/api/trace`, { headers: { cookie } })).json()) as { requests: TraceRequest[] }).requests;
      await expect.poll(async () => (await kept()).at(-1)?.id, poll).toBe(520);
      const requests = await kept();
      expect([requests.length, requests[0]!.id]).toEqual([500, 21]);
    } finally {
      await harness.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the workbench on a proxied plugin', () => {
  let upstream: Server;
  let harness: Harness;
  let cookie: string;
  const lines: string[] = [];

  beforeAll(async () => {
    upstream = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(200, { 'content-type': 'text/plain' }).end(`upstream ${request.method} ${request.url}`));
    });
    // On connect, three frames; each later frame from the page is echoed.
    const sockets = new WebSocketServer({ server: upstream });
    sockets.on('connection', (socket) => {
      for (const n of [1, 2, 3]) socket.send(`frame ${n}`);
      socket.on('message', (data) => socket.send(`echo ${String(data)}`));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    harness = await startHarness({ port: 0, plugins: [{ name: 'hosted', url: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` }], python: 'no-such-python-here', log: (line) => lines.push(line) });
    cookie = (await fetch(harness.url)).headers.get('set-cookie')!.split(';')[0]!;
  });
  afterAll(async () => {
    await harness?.close();
    upstream?.closeAllConnections();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  const put = async (change: Partial<Conditions>) => (await fetch(`${harness.origin}/companion/api/conditions`, { method: 'PUT', headers: { cookie }, body: JSON.stringify(change) })).status;
  const requests = async () => ((await (await fetch(`${harness.origin}/companion/api/trace`, { headers: { cookie } })).json()) as { requests: TraceRequest[] }).requests;

  it('applies latency, offline and failures before the author\'s server, and records its answers with no request body read', async () => {
    expect(await put({ latency: 200 })).toBe(200);
    const answer = await fetch(`${harness.origin}/plugin-io/api/hosted/x`, { method: 'POST', headers: { cookie }, body: 'streamed through' });
    expect(await answer.text()).toBe('upstream POST /plugin-io/api/hosted/x');
    await expect.poll(async () => (await requests()).at(-1), poll).toMatchObject({
      plugin: 'hosted', status: 200, source: 'proxy', route: null, conditions: ['latency 200 ms'], request: { body: null }, response: { body: 'upstream POST /plugin-io/api/hosted/x' },
    });
    expect((await requests()).at(-1)!.ms).toBeGreaterThanOrEqual(200);
    // Frames from the author's server keep their order behind the latency, and the socket drops when the session goes offline.
    const socket = await openSocket(`${harness.origin.replace('http', 'ws')}/plugin-io/ws/hosted/room/`, cookie);
    expect(socket.result).toBe('open');
    socket.ws.send('ping');
    await expect.poll(() => socket.messages, poll).toEqual(['frame 1', 'frame 2', 'frame 3', 'echo ping']);
    expect(await put({ latency: 0, offline: true })).toBe(200);
    expect(await socket.closed).toBe(1006);
    await expect(fetch(`${harness.origin}/plugin-io/api/hosted/x`, { headers: { cookie } })).rejects.toThrow(TypeError);
    expect((await openSocket(`${harness.origin.replace('http', 'ws')}/plugin-io/ws/hosted/room/`, cookie)).result).toBe('error');
    expect(await put({ offline: false, failure: { method: '*', path: '/plugin-io/api/hosted/x', answer: 502 } })).toBe(200);
    expect((await fetch(`${harness.origin}/plugin-io/api/hosted/x`, { headers: { cookie } })).status).toBe(502);
    await expect.poll(async () => (await requests()).at(-1), poll).toMatchObject({ status: 502, source: 'harness', conditions: ['failure 502'] });
  });
});

describe('the trace recorder', () => {
  it('keeps at most its limits, the oldest forgotten first, and the last frames of a socket', () => {
    expect(TRACE_LIMITS).toEqual({ requests: 500, effects: 500, sockets: 200, frames: 50, body: 65_536, frame: 4_096 });
    const published: TraceUpdate[] = [];
    const recorder = createRecorder({ publish: (_session, update) => published.push(update), limits: { requests: 3, effects: 2, sockets: 2, frames: 2, body: 8, frame: 4 } });
    const request = (n: number) => recorder.request({
      at: '', ms: n, session: 1, plugin: 'p', method: 'GET', path: `/${n}`, query: '', status: 200, source: 'mock', route: null, conditions: [],
      request: { headers: {}, body: null }, response: { headers: {}, body: null },
    });
    for (let n = 1; n <= 5; n++) request(n);
    expect(recorder.list(1).requests.map((r) => r.path)).toEqual(['/3', '/4', '/5']);
    const effect = { type: 'CREATE_TASK', data: { title: 't' } } as const;
    for (let id = 1; id <= 3; id++) recorder.effect({ id, state: 'scheduled', plugin: 'p', effect, after: 0, defaulted: true, changes: [], result: undefined, error: undefined }, { session: 1, after: 0 });
    expect(recorder.list(1).effects.map((e) => e.id)).toEqual([2, 3]);
    const sockets = [1, 2, 3].map(() => recorder.socket({ session: 1, plugin: 'p', channel: 'c' }));
    for (const text of ['one', 'two', 'three!']) sockets[2]!.frame('out', text);
    const kept = recorder.list(1).sockets;
    expect(kept.map((s) => s.id)).toEqual([2, 3]);
    expect([kept[1]!.frames_out, kept[1]!.frames]).toEqual([3, [expect.objectContaining({ data: 'two' }), { at: expect.any(String), dir: 'out', data: 'thre', truncated: true }]]);
    // Another session sees none of these; forgetting session 1 leaves nothing.
    expect(recorder.list(2)).toEqual({ requests: [], effects: [], sockets: [] });
    recorder.forget(1);
    expect(recorder.list(1)).toEqual({ requests: [], effects: [], sockets: [] });
    expect(published.filter((u) => u.type === 'frame')).toHaveLength(3);
  });
});
