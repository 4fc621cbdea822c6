// What a plugin author writes under jest + jest-environment-jsdom, with the package's CommonJS
// files. jest's jsdom environment has no MessageChannel (Node's is passed), Response or
// structuredClone, and jest's default fake timers fake queueMicrotask and process.nextTick too.
const { MessageChannel } = require('node:worker_threads');
const { apiUrl, closeModal, createAndFind, findCreated, isCompanionError, isHostConnected, requestJSON, subscribe } = require('../../dist/canvas-companion.umd.js');
const { connectHost, launch, mockPlatform, resetState } = require('../../dist/testing.cjs');

// The plugin's backend, as the harness's --mock module would hold it (create, then find).
const mock = {
  routes: {
    'GET /app/me': ({ staff }) => ({ id: staff.id, channel: `staff-${staff.id}` }),
    'POST /app/tasks': ({ body, staff }, platform) => {
      platform.apply({ type: 'CREATE_TASK', data: { title: body.title, assignee_id: staff.id } });
      return { status: 202, body: { lookup_params: { title: body.title }, lookup_started_at: new Date().toISOString() } };
    },
    'GET /app/tasks/find': ({ query, staff }, platform) => {
      const after = Date.parse(query.get('after'));
      const found = platform.tasks.list({ assignee_id: staff.id }).find((task) => task.title === query.get('title') && Date.parse(task.created) >= after);
      return { task_id: found?.id ?? null };
    },
  },
  sockets: { 'staff-<id>': ({ params, staff }) => params.id === staff.id },
};

// A small page: a status line, a list fed by the staff channel, a Done button.
function mountPage(root) {
  root.innerHTML = '<p role="status"></p><ul></ul><button name="done">Done</button>';
  const status = root.querySelector('[role=status]');
  let live;
  root.querySelector('[name=done]').addEventListener('click', () => void closeModal());
  requestJSON(apiUrl('/app/me')).then(
    (me) => {
      status.textContent = 'Ready.';
      live = subscribe(me.channel, (message) => root.querySelector('ul').append(Object.assign(document.createElement('li'), { textContent: message.title })));
    },
    (error) => {
      status.textContent = isCompanionError(error, 'UNAUTHORIZED') ? 'Your session has ended. Sign in again.' : `Error: ${error.message}`;
    },
  );
  return { unmount: () => live?.close() };
}

const status = () => document.querySelector('[role=status]').textContent;

/** Waits for `assertion` to pass under real timers: a condition, not a sleep (jest's timeout ends it). */
async function until(assertion) {
  for (;;) {
    try {
      return assertion();
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

let platform;
let host;
let page;

beforeEach(() => {
  launch({ path: '/app/tasks' });
  platform = mockPlatform(mock);
  platform.install();
});

afterEach(() => {
  page?.unmount();
  page = undefined;
  document.body.replaceChildren();
  host?.reset();
  host = undefined;
  platform.close();
  resetState();
  jest.useRealTimers();
});

it('Done closes the modal', async () => {
  host = connectHost({ MessageChannel });
  page = mountPage(document.body);
  document.querySelector('[name=done]').click();
  expect(await host.next('CLOSE_MODAL')).toEqual({ type: 'CLOSE_MODAL' });
});

it('the CommonJS kit and the UMD library share one page-wide state, which reset() clears', async () => {
  const before = location.href;
  host = connectHost({ MessageChannel });
  expect(isHostConnected()).toBe(true); // the UMD copy sees the kit's host
  const waiting = host.next('NEVER_SENT');
  host.reset();
  await expect(waiting).rejects.toThrow('host reset');
  expect(isHostConnected()).toBe(false);
  // The launch of beforeEach is undone: the environment's URL is back.
  expect(before).toContain('/plugin-io/api/my_plugin/app/tasks');
  expect(location.href).toBe('http://127.0.0.1:4173/');
});

it('a 401 shows the sign-in message', async () => {
  platform.signOut();
  page = mountPage(document.body);
  await until(() => expect(status()).toMatch(/Sign in again/));
  const error = await requestJSON(apiUrl('/app/me')).catch((caught) => caught);
  expect(error).toMatchObject({ code: 'UNAUTHORIZED', status: 401, body: { error: 'Provided credentials are invalid' } });
});

it('a broadcast reaches subscribe()', async () => {
  page = mountPage(document.body);
  await until(() => expect(platform.sockets).toHaveLength(1));
  await until(() => expect(platform.broadcast(`staff-${platform.staff.id}`, { title: 'Added elsewhere' })).toBe(1));
  await until(() => expect(document.querySelector('li')?.textContent).toBe('Added elsewhere'));
});

describe('on jest.useFakeTimers()', () => {
  beforeEach(() => jest.useFakeTimers());

  it('host messages, a 401 and a broadcast need no timer of the kit', async () => {
    host = connectHost({ MessageChannel });
    await expect(closeModal()).resolves.toBe('port');
    expect(host.closed).toBe(true);
    platform.signOut();
    await expect(requestJSON(apiUrl('/app/me'))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    platform.signIn();
    const received = [];
    const live = subscribe('staff-' + platform.staff.id, (message) => received.push(message));
    await jest.advanceTimersByTimeAsync(0); // the socket's first connect runs on a 0 ms timer
    expect(live.status).toBe('open');
    expect(platform.broadcast(`staff-${platform.staff.id}`, { n: 1 })).toBe(1);
    expect(received).toEqual([{ n: 1 }]);
    live.close();
  });

  it('close() ends the platform: the socket drops and the page\'s reconnects are refused', async () => {
    platform.close();
    const lines = [];
    platform = mockPlatform({ ...mock, log: (line) => lines.push(line) });
    const live = subscribe('staff-' + platform.staff.id, () => {}, { WebSocket: platform.WebSocket, minReconnectionDelay: 1, maxReconnectionDelay: 2 });
    await jest.advanceTimersByTimeAsync(0);
    expect(live.status).toBe('open');
    platform.close();
    await jest.advanceTimersByTimeAsync(100); // reconnect backoff of 1 to 2 ms: several attempts
    expect(lines).toContainEqual(expect.stringContaining('mock platform was closed'));
    expect(platform.sockets).toEqual([]);
    expect(live.status).not.toBe('open');
    live.close();
  });

  it('createAndFind: the record lands and is found', async () => {
    const outcome = createAndFind({ create: apiUrl('/app/tasks'), find: apiUrl('/app/tasks/find'), body: { title: 'Call the pharmacy' } });
    await jest.advanceTimersByTimeAsync(2_000); // the effect lands at 1200 ms, the next find sees it
    const id = await outcome;
    expect(platform.tasks.list().find((task) => task.title === 'Call the pharmacy')?.id).toBe(id);
    expect(platform.count('POST /app/tasks')).toBe(1);
  });

  it('createAndFind: EFFECT_TIMEOUT, then findCreated without a second POST', async () => {
    platform.close();
    platform = mockPlatform({ ...mock, effects: { finds: Infinity } }); // held until land()
    platform.install();
    const find = apiUrl('/app/tasks/find');
    const outcome = createAndFind({ create: apiUrl('/app/tasks'), find, body: { title: 'Renew the order' } }).catch((error) => error);
    await jest.advanceTimersByTimeAsync(5_000); // createAndFind's deadline
    const error = await outcome;
    expect(isCompanionError(error, 'EFFECT_TIMEOUT')).toBe(true);
    expect(platform.land()).toBe(1);
    const later = findCreated(error.ack, { find });
    await jest.advanceTimersByTimeAsync(500); // findCreated's first find
    const id = await later;
    expect(platform.tasks.list().find((task) => task.title === 'Renew the order')?.id).toBe(id);
    expect(platform.count('POST /app/tasks')).toBe(1);
  });
});
