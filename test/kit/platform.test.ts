import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAndFind, isCompanionError, requestJSON, subscribe } from 'canvas-companion';
import { launch, mockPlatform, type MockModule, type MockPlatform, type MockPlatformOptions } from 'canvas-companion/testing';

// The harness's demo plugin module, untyped JavaScript: imported by a path TypeScript does not follow.
const DEMO_MOCK = '../../demo/plugin/harness.mock.mjs';
const demoMock = (await import(/* @vite-ignore */ DEMO_MOCK)) as MockModule;

const API = '/plugin-io/api/my_plugin';
let platform: MockPlatform | undefined;
const warn = vi.fn();

function start(options: MockPlatformOptions = {}): MockPlatform {
  platform = mockPlatform({ log: warn, ...options });
  return platform;
}

afterEach(() => {
  platform?.close();
  platform = undefined;
  warn.mockReset();
  vi.useRealTimers();
});

describe('fetch: routes with the harness shapes', () => {
  const routes: MockPlatformOptions['routes'] = {
    'GET /app/value': () => ({ status: 'submitted', n: 1 }),
    'GET /app/empty': () => undefined,
    'GET /app/items/<id>': ({ params, query }) => ({ id: params.id, sort: query.get('sort') }),
    'POST /app/echo': ({ body, headers, staff }) => ({ status: 201, body: { body, type: headers['content-type'], staff: staff.id } }),
    'GET /app/text': () => ({ status: 409, body: 'already there' }),
    'GET /app/throws': () => {
      throw new Error('route bug');
    },
    'GET /app/page': () => ({ file: 'templates/page.html' }),
  };

  it('answers JSON, 204, statuses, params and query', async () => {
    const { fetch } = start({ routes });
    const value = await fetch(`${API}/app/value`);
    expect(value.status).toBe(200);
    expect(value.headers.get('content-type')).toBe('application/json');
    // An object with other keys than a response's is a JSON body, as in the harness.
    expect(await value.json()).toEqual({ status: 'submitted', n: 1 });
    expect((await fetch(`${API}/app/empty`)).status).toBe(204);
    expect(await (await fetch(`${location.origin}${API}/app/items/42?sort=due`)).json()).toEqual({ id: '42', sort: 'due' });
    const text = await fetch(new URL(`${API}/app/text`, location.href));
    expect([text.status, await text.text()]).toEqual([409, 'already there']);
  });

  it('gives routes the JSON body, lower-case headers and the staff member', async () => {
    const { fetch, staff } = start({ routes });
    const answer = await fetch(`${API}/app/echo`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"a":1}' });
    expect(answer.status).toBe(201);
    expect(await answer.json()).toEqual({ body: { a: 1 }, type: 'application/json', staff: staff.id });
    const invalid = await fetch(`${API}/app/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(invalid.status).toBe(400);
    const plain = await fetch(`${API}/app/echo`, { method: 'POST', body: 'hello' });
    expect((await plain.json()).body).toBe('hello');
  });

  it('answers 404, 405, 500 and 501 as the harness would, and says why', async () => {
    const { fetch } = start({ routes });
    expect((await fetch(`${API}/app/none`)).status).toBe(404);
    expect((await fetch('/plugin-io/api/other_plugin/app/value')).status).toBe(404);
    expect((await fetch('/companion/')).status).toBe(404);
    const wrongMethod = await fetch(`${API}/app/value`, { method: 'DELETE' });
    expect([wrongMethod.status, wrongMethod.headers.get('allow')]).toEqual([405, 'GET']);
    expect((await fetch(`${API}/app/throws`)).status).toBe(500);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('route bug'));
    const file = await fetch(`${API}/app/page`);
    expect([file.status, await file.text()]).toEqual([501, expect.stringContaining('serves no plugin files')]);
  });

  it('never reaches the network: another origin is a network error', async () => {
    const { fetch } = start({ routes });
    await expect(fetch('https://example.com/plugin-io/api/my_plugin/app/value')).rejects.toThrow(TypeError);
  });

  it('runs the GET route for HEAD, as the harness does, and answers without a body', async () => {
    const { fetch, requests } = start({ routes });
    const head = await fetch(`${API}/app/value`, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-type'), await head.text()]).toEqual([200, 'application/json', '']);
    expect(requests.map((request) => [request.method, request.route])).toEqual([['HEAD', 'GET /app/value']]);
  });

  it('after close(), every fetch fails as a network error (a TypeError), as with a server that shut down', async () => {
    const platform = start({ routes });
    const { fetch } = platform;
    expect((await fetch(`${API}/app/value`)).status).toBe(200);
    platform.close();
    await expect(fetch(`${API}/app/value`)).rejects.toThrow(/closed/);
    await expect(fetch(`${API}/app/value`)).rejects.toBeInstanceOf(TypeError);
    expect(platform.count()).toBe(1);
  });

  it('close() fails the requests still in flight as network errors, and requestJSON reports NETWORK_ERROR', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const platform = start({ routes: { 'GET /app/slow': async () => (await held, { late: true }) } });
    const raw = platform.fetch(`${API}/app/slow`);
    const viaLibrary = requestJSON(`${API}/app/slow`, { fetch: platform.fetch });
    await expect.poll(() => platform.count('GET /app/slow')).toBe(2);
    platform.close();
    await expect(raw).rejects.toBeInstanceOf(TypeError);
    await expect(raw).rejects.toThrow(/closed .*in flight/);
    await expect(viaLibrary).rejects.toMatchObject({ name: 'CompanionError', code: 'NETWORK_ERROR' });
    // The route finishing afterwards changes nothing.
    release();
    await held;
  });

  it('honours an abort signal', async () => {
    const { fetch } = start({ routes });
    const controller = new AbortController();
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(fetch(`${API}/app/value`, { signal: controller.signal })).rejects.toBe(reason);
    // Aborted after the answer came, before its body was read: the body cannot be read.
    const later = new AbortController();
    const answer = await fetch(`${API}/app/value`, { signal: later.signal });
    later.abort(reason);
    await expect(answer.json()).rejects.toBe(reason);
  });

  it('counts requests by "METHOD /path", by route key or by a test', async () => {
    const { fetch, count, requests } = start({ routes });
    await fetch(`${API}/app/items/1`);
    await fetch(`${API}/app/items/2?sort=x`);
    await fetch(`${API}/app/echo`, { method: 'POST', body: 'x' });
    expect(count('GET /app/items/1')).toBe(1);
    expect(count('GET /app/items/<id>')).toBe(2);
    expect(count('GET /app/<kind>/2')).toBe(1);
    expect(count('POST /app/echo')).toBe(1);
    expect(count((request) => request.query.get('sort') === 'x')).toBe(1);
    expect(count()).toBe(3);
    expect(requests.map((request) => request.status)).toEqual([200, 200, 201]);
  });
});

describe('the staff session', () => {
  it('signed out, every route answers 401 {"error"}, which the library reports as UNAUTHORIZED', async () => {
    const { fetch, signOut, signIn } = start({ routes: { 'GET /app/me': ({ staff }) => ({ id: staff.id }) } });
    signOut();
    const error = await requestJSON(`${API}/app/me`, { fetch }).catch((caught) => caught);
    expect(isCompanionError(error, 'UNAUTHORIZED')).toBe(true);
    expect(error).toMatchObject({ status: 401, message: 'Provided credentials are invalid', body: { error: 'Provided credentials are invalid' } });
    signIn();
    await expect(requestJSON(`${API}/app/me`, { fetch })).resolves.toEqual({ id: platform!.staff.id });
  });

  it('a route in publicRoutes (a handler without StaffSessionAuthMixin) answers signed out, with request.staff null', async () => {
    const { fetch } = start({
      signedIn: false,
      publicRoutes: ['POST /webhook'],
      routes: { 'POST /webhook': ({ staff }) => ({ staff }), 'GET /app/me': () => ({}) },
    });
    expect(await requestJSON(`${API}/webhook`, { fetch, body: {} })).toEqual({ staff: null });
    expect((await fetch(`${API}/app/me`)).status).toBe(401);
  });

  it('publicRoutes must be a list of route keys', () => {
    expect(() => start({ publicRoutes: 'POST /webhook' as never })).toThrow('publicRoutes must be a list of route keys such as "POST /webhook"');
  });

  it('can start signed out', async () => {
    const { fetch, signedIn } = start({ signedIn: false, routes: { 'GET /app/me': () => ({}) } });
    expect(signedIn).toBe(false);
    expect((await fetch(`${API}/app/me`)).status).toBe(401);
  });
});

describe('effects', () => {
  const routes: MockPlatformOptions['routes'] = {
    'POST /app/tasks': ({ body }, platform) => {
      const { title } = body as { title: string };
      platform.apply({ type: 'CREATE_TASK', data: { title } });
      return { status: 202, body: { lookup_params: { title }, lookup_started_at: new Date().toISOString() } };
    },
    'POST /app/now': ({ body }, platform) => {
      platform.apply({ type: 'CREATE_TASK', data: { title: (body as { title: string }).title } }, { after: 0 });
      return { status: 202 };
    },
    'POST /app/bad': (request, platform) => {
      platform.apply({ type: 'teleport' } as never);
      return { status: 202 };
    },
    // Anything the SDK effects do not cover: a custom effect, under the same timing.
    'POST /app/close/<id>': ({ params }, platform) => {
      platform.apply({ type: 'CUSTOM', name: 'close the task', run: () => platform.tasks.update(params.id!, { status: 'CLOSED' }) });
      return { status: 202 };
    },
    'GET /app/find': ({ query }, platform) => ({ task_id: platform.tasks.list().find((task) => task.title === query.get('title'))?.id ?? null }),
    'GET /app/other': () => ({}),
  };
  const post = (fetch: typeof globalThis.fetch, path: string, body: unknown) =>
    fetch(`${API}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const titles = (platform: MockPlatform) => platform.tasks.list().map((task) => task.title);

  it('land after the platform delay (1200 ms by default, as in the harness), on fake timers too', async () => {
    vi.useFakeTimers();
    const platform = start({ routes });
    expect((await post(platform.fetch, '/app/tasks', { title: 'Later' })).status).toBe(202);
    await vi.advanceTimersByTimeAsync(1199);
    expect(titles(platform)).not.toContain('Later');
    await vi.advanceTimersByTimeAsync(1);
    expect(titles(platform)).toContain('Later');
  });

  it('land after { after } ms', async () => {
    vi.useFakeTimers();
    const platform = start({ routes, effects: { after: 50 } });
    await post(platform.fetch, '/app/tasks', { title: 'Soon' });
    await vi.advanceTimersByTimeAsync(49);
    expect(titles(platform)).not.toContain('Soon');
    await vi.advanceTimersByTimeAsync(1);
    expect(titles(platform)).toContain('Soon');
  });

  it('land just before the n-th find, which sees them; other requests do not count', async () => {
    const platform = start({ routes, effects: { finds: 2, find: 'GET /app/find' } });
    await post(platform.fetch, '/app/tasks', { title: 'Counted' });
    await platform.fetch(`${API}/app/other`);
    const first = await (await platform.fetch(`${API}/app/find?title=Counted`)).json();
    expect(first).toEqual({ task_id: null });
    const second = await (await platform.fetch(`${API}/app/find?title=Counted`)).json();
    expect(second.task_id).toEqual(expect.any(String));
  });

  it('held with finds: Infinity until land(); a route\'s own after is honoured', async () => {
    vi.useFakeTimers();
    const platform = start({ routes, effects: { finds: Infinity } });
    await post(platform.fetch, '/app/tasks', { title: 'Held' });
    await post(platform.fetch, '/app/now', { title: 'Own timing' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(titles(platform)).toContain('Own timing');
    expect(titles(platform)).not.toContain('Held');
    expect(platform.land()).toBe(1);
    expect(titles(platform)).toContain('Held');
    expect(platform.land()).toBe(0);
  });

  it('an unknown effect fails the route (500) in either timing', async () => {
    for (const effects of [undefined, { finds: 1 }]) {
      const platform = start({ routes, ...(effects ? { effects } : {}) });
      expect((await post(platform.fetch, '/app/bad', {})).status).toBe(500);
      platform.close();
    }
  });

  it('an invalid effect (a task without a title) fails the route alike in every timing: the core checks it', async () => {
    for (const effects of [undefined, { after: 10 }, { finds: 1 }, { finds: Infinity }]) {
      warn.mockReset();
      const platform = start({ routes, ...(effects ? { effects } : {}) });
      expect((await post(platform.fetch, '/app/tasks', { title: '  ' })).status).toBe(500);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('CREATE_TASK data: title must be a non-empty string'));
      expect(platform.land()).toBe(0);
      platform.close();
    }
  });

  it('a custom effect lands as every effect does: after the delay, held by finds until land()', async () => {
    vi.useFakeTimers();
    const timed = start({ routes });
    const task = timed.tasks.list({ status: 'OPEN' })[0]!;
    await post(timed.fetch, `/app/close/${task.id}`, {});
    await vi.advanceTimersByTimeAsync(1199);
    expect(timed.tasks.get(task.id)!.status).toBe('OPEN');
    await vi.advanceTimersByTimeAsync(1);
    expect(timed.tasks.get(task.id)!.status).toBe('CLOSED');
    timed.close();
    vi.useRealTimers();
    const held = start({ routes, effects: { finds: Infinity } });
    await post(held.fetch, `/app/close/${task.id}`, {});
    expect(held.tasks.get(task.id)!.status).toBe('OPEN');
    expect(held.land()).toBe(1);
    expect(held.tasks.get(task.id)!.status).toBe('CLOSED');
  });

  it('close() cancels held effects: land() then lands none and no record appears', async () => {
    const platform = start({ routes, effects: { finds: Infinity } });
    await post(platform.fetch, '/app/tasks', { title: 'Never' });
    platform.close();
    expect(platform.land()).toBe(0);
    expect(titles(platform)).not.toContain('Never');
  });

  it('createAndFind POSTs once and finds the record the first find sees', async () => {
    const platform = start({ routes, effects: { finds: 1 } });
    const id = await createAndFind({ create: `${API}/app/tasks`, body: { title: 'Once' }, find: `${API}/app/find`, interval: 1, fetch: platform.fetch });
    expect(platform.tasks.get(id)?.title).toBe('Once');
    expect(platform.count('POST /app/tasks')).toBe(1);
    expect(platform.count('GET /app/find')).toBe(1);
  });

  it('createAndFind on fake timers: the record lands at 1200 ms and the find at 1500 ms sees it', async () => {
    vi.useFakeTimers();
    const platform = start({ routes });
    const found = createAndFind({ create: `${API}/app/tasks`, body: { title: 'Timed' }, find: `${API}/app/find`, fetch: platform.fetch });
    await vi.advanceTimersByTimeAsync(1500);
    await expect(found).resolves.toEqual(expect.any(String));
    expect(platform.count('GET /app/find')).toBe(3);
  });
});

describe('install', () => {
  it('puts fetch and WebSocket on globalThis, and restore() puts the old ones back', async () => {
    const before = { fetch: globalThis.fetch, WebSocket: globalThis.WebSocket };
    const platform = start({ routes: { 'GET /app/me': () => ({ ok: true }) } });
    const restore = platform.install();
    expect(globalThis.fetch).toBe(platform.fetch);
    expect(globalThis.WebSocket).toBe(platform.WebSocket);
    await expect(requestJSON(`${API}/app/me`)).resolves.toEqual({ ok: true });
    restore();
    expect(globalThis.fetch).toBe(before.fetch);
    expect(globalThis.WebSocket).toBe(before.WebSocket);
    platform.install();
    platform.close();
    expect(globalThis.fetch).toBe(before.fetch);
  });

  it('refuses a second platform while one is installed, so restores cannot cross', () => {
    const before = { fetch: globalThis.fetch, WebSocket: globalThis.WebSocket };
    const first = start();
    const second = mockPlatform({ log: warn });
    try {
      first.install();
      expect(() => second.install()).toThrow(/another mockPlatform\(\) or replayTrace\(\) is installed/);
      first.restore();
      second.restore();
      expect(globalThis.fetch).toBe(before.fetch);
      expect(globalThis.WebSocket).toBe(before.WebSocket);
      // Once the first is gone, the second may install.
      second.install();
      expect(globalThis.fetch).toBe(second.fetch);
      first.restore();
      expect(globalThis.fetch).toBe(second.fetch);
    } finally {
      second.close();
    }
    expect(globalThis.fetch).toBe(before.fetch);
  });

  it('restore() leaves a global the test replaced since', () => {
    const before = globalThis.fetch;
    const platform = start();
    platform.install();
    const replaced = (async () => new Response('')) as typeof fetch;
    globalThis.fetch = replaced;
    platform.restore();
    expect(globalThis.fetch).toBe(replaced);
    globalThis.fetch = before;
  });
});

describe('one fake Canvas, two faces: the harness demo plugin\'s mock module, unchanged', () => {
  it('answers its routes here as in the harness', async () => {
    launch({ plugin: 'demo_plugin', path: '/app/register' });
    const platform = start({ ...demoMock, plugin: 'demo_plugin', effects: { finds: 1 } });
    const me = await requestJSON('/plugin-io/api/demo_plugin/app/me', { fetch: platform.fetch });
    expect(me).toEqual({ id: platform.staff.id, name: platform.staff.name, type: 'Staff' });
    const patientId = await createAndFind({
      create: '/plugin-io/api/demo_plugin/app/create',
      body: { first_name: 'Ada', last_name: 'Lovelace', birth_date: '1990-12-10' },
      find: '/plugin-io/api/demo_plugin/app/find',
      interval: 1,
      fetch: platform.fetch,
    });
    expect(platform.patients.get(patientId)).toMatchObject({ first_name: 'Ada', last_name: 'Lovelace' });
    // The module's 409 for a duplicate, with its body.
    const duplicate = await requestJSON('/plugin-io/api/demo_plugin/app/create', { body: { first_name: 'Ada', last_name: 'Lovelace', birth_date: '1990-12-10' }, fetch: platform.fetch }).catch((error) => error);
    expect(duplicate).toMatchObject({ status: 409, body: { duplicates: [{ id: patientId }] } });
  });

  it('makes its outside event happen on trigger(name): the data changes and the module\'s broadcast follows', async () => {
    launch({ plugin: 'demo_plugin', path: '/app/tasks' });
    const platform = start({ ...demoMock, plugin: 'demo_plugin' });
    expect(platform.events).toEqual(['Dr. Okafor assigns you a task']);
    const messages: unknown[] = [];
    const live = subscribe(`staff-${platform.staff.id}`, (message) => messages.push(message), { WebSocket: platform.WebSocket, fetch: platform.fetch });
    try {
      await vi.waitFor(() => expect(live.status).toBe('open'), { timeout: 10_000 });
      await platform.trigger('Dr. Okafor assigns you a task');
      const [task] = platform.tasks.list({ assignee_id: platform.staff.id, label: 'Follow-up' }).filter((t) => t.creator?.name === 'Dr. Sam Okafor');
      expect(task).toMatchObject({ title: 'Review outside cardiology records', patient: { name: 'Maria Gonzalez' }, status: 'OPEN' });
      expect(messages).toEqual([{ type: 'tasks_changed', task_id: task!.id }]);
    } finally {
      live.close();
    }
    expect(() => platform.trigger('Dr. Okafor assigns you a tsk')).toThrow('demo_plugin: no event "Dr. Okafor assigns you a tsk" (did you mean "Dr. Okafor assigns you a task"?); its events: "Dr. Okafor assigns you a task"');
  });

  it('trigger(name) runs after setup, and rejects with what the event threw', async () => {
    let ready = false;
    const platform = start({
      setup: async () => {
        await Promise.resolve();
        ready = true;
      },
      events: { 'It happens': () => expect(ready).toBe(true), 'It breaks': () => Promise.reject(new Error('broken')) },
    });
    await platform.trigger('It happens');
    await expect(platform.trigger('It breaks')).rejects.toThrow('broken');
  });

  it('accepts a module with a default export', async () => {
    const platform = start({ default: { routes: { 'GET /app/x': () => ({ from: 'default' }) } } });
    expect(await (await platform.fetch(`${API}/app/x`)).json()).toEqual({ from: 'default' });
  });

  it('refuses a malformed module as the harness does', () => {
    expect(() => start({ routes: { 'FETCH /x': () => null } })).toThrow(TypeError);
    expect(() => start({ routes: { 'GET /x': 'nope' as never } })).toThrow(/must be a function/);
  });
});
