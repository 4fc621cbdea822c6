// @ts-check
// The page's tests: my_plugin/static/companion.mjs against the plugin's own mock
// (my_plugin/harness.mock.mjs) on canvas-companion/testing's mock platform, under happy-dom.
// `npm test` runs them.
import { connectHost, launch, mockPlatform, resetState } from 'canvas-companion/testing';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import mock from '../my_plugin/harness.mock.mjs';
import { mount } from '../my_plugin/static/companion.mjs';

// Waits give up after 2 s, well within the test timeout (vitest.config.mjs): a failing
// assertion shows its diff rather than "Test timed out".
const WAIT = { timeout: 2_000 };
/** A patient of the mock platform's sample chart (Maria Gonzalez): a patient key, 32 hex digits without dashes. */
const PATIENT = '3e1f7a528c4d4b6ea1f02d9c8b7a6e51';

/** @type {import('canvas-companion/testing').MockPlatform} */
let platform;
/** @type {import('../my_plugin/static/companion.mjs').Page | undefined} */
let page;

/**
 * A mock platform running the plugin's mock, as the page's `fetch` and `WebSocket`.
 * @param {import('canvas-companion/testing').MockPlatformOptions} [changes] Changes to the mock or the platform.
 */
function start(changes = {}) {
  platform?.close();
  // An effect lands just before the first find after it: the find sees it, no timers involved.
  platform = mockPlatform({ ...mock, plugin: 'my_plugin', effects: { finds: 1, find: 'GET /app/tasks/find' }, ...changes });
  platform.install();
}

const status = () => document.querySelector('[role=status]')?.textContent;
const titles = () => [...document.querySelectorAll('.tasks li')].map((item) => item.textContent);
/** @param {string} title */
function addTask(title) {
  /** @type {HTMLInputElement} */ (document.querySelector('input[name=title]')).value = title;
  /** @type {HTMLFormElement} */ (document.querySelector('form')).requestSubmit();
}

beforeEach(() => start());
afterEach(() => {
  page?.unmount();
  page = undefined;
  platform.close();
  // No port, handler, subscription or launch URL leaks into the next test.
  resetState();
});

it('lists my open tasks in global scope', async () => {
  launch({ plugin: 'my_plugin' });
  page = mount(document.body);
  const mine = platform.tasks.list({ assignee_id: platform.staff.id, status: 'OPEN' }).map((task) => task.title);
  await vi.waitFor(() => expect(titles()).toEqual(mine), WAIT);
  expect(document.documentElement.dataset.companionScope).toBe('global');
});

it("lists the patient's open tasks in patient scope", async () => {
  launch({ plugin: 'my_plugin', patientId: PATIENT });
  page = mount(document.body);
  const theirs = platform.tasks.list({ patient_id: PATIENT, status: 'OPEN' }).map((task) => task.title);
  await vi.waitFor(() => expect(titles()).toEqual(theirs), WAIT);
  // The companion shows the patient above the page: the page's CSS hides its own header.
  expect(document.documentElement.dataset.companionScope).toBe('patient');
});

it('adds a task: one POST (202), then a find confirms it, then the list shows it', async () => {
  launch({ plugin: 'my_plugin' });
  page = mount(document.body, { interval: 10 });
  await vi.waitFor(() => expect(titles().length).toBeGreaterThan(0), WAIT);
  addTask('Order labs');
  await vi.waitFor(() => expect(status()).toBe('Task added.'), WAIT);
  await vi.waitFor(() => expect(titles()).toContain('Order labs'), WAIT);
  expect(platform.count('POST /app/tasks')).toBe(1);
});
// [live]

it('loads without a socket: the list shows when every channel is refused', async () => {
  /** @type {string[]} */
  const log = [];
  start({ sockets: {}, log: (line) => log.push(line) });
  launch({ plugin: 'my_plugin' });
  page = mount(document.body);
  await vi.waitFor(() => expect(titles()).toContain('Call back about home BP readings'), WAIT);
  await vi.waitFor(() => expect(log.join('\n')).toMatch(/refused/), WAIT);
});

it('refetches when the socket opens and on every broadcast', async () => {
  launch({ plugin: 'my_plugin' });
  page = mount(document.body);
  // Loaded at start, and again when the socket opened (as on every reconnect).
  await vi.waitFor(() => expect(platform.count('GET /app/data.json')).toBe(2), WAIT);
  // A task added elsewhere, assigned to me: the plugin broadcasts on the assignee's channel (setup in the mock).
  platform.tasks.add({ title: 'Added elsewhere', assignee_id: platform.staff.id });
  await vi.waitFor(() => expect(titles()).toContain('Added elsewhere'), WAIT);
});
// [/live]

it('says to sign in again when the session has ended', async () => {
  platform.signOut();
  launch({ plugin: 'my_plugin' });
  page = mount(document.body);
  await vi.waitFor(() => expect(status()).toMatch(/sign in again/), WAIT);
  expect(titles()).toEqual([]);
});

it('closes on Close', async () => {
  const host = connectHost();
  launch({ plugin: 'my_plugin' });
  page = mount(document.body);
  /** @type {HTMLButtonElement} */ (document.querySelector('[name=close]')).click();
  expect(await host.next('CLOSE_MODAL')).toEqual({ type: 'CLOSE_MODAL' });
});
