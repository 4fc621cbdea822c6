// The example suite of the README's "Testing your page": a page tested the way its author
// would, with canvas-companion/testing. It runs under happy-dom and under jsdom.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { connectHost, launch, mockPlatform, resetState, type MockPlatform } from 'canvas-companion/testing';
import * as mock from './mock.mjs';
import { mountTasksPage } from './tasks-page.js';

// Conditions, not sleeps: generous for a busy machine, yet under the project's 20 s test timeout
// (vitest.config.mts), so a failing assertion shows its diff rather than "Test timed out".
const WAIT = { timeout: 10_000 };

let platform: MockPlatform;
let page: { unmount(): void } | undefined;

const status = () => document.querySelector('[role=status]')!.textContent;
const titles = () => [...document.querySelectorAll('li')].map((item) => item.textContent);
const button = (name: string) => document.querySelector<HTMLButtonElement>(`button[name="${name}"]`)!;

function addTask(title: string): void {
  document.querySelector<HTMLInputElement>('input[name=title]')!.value = title;
  document.querySelector('form')!.requestSubmit();
}

beforeEach(() => {
  launch({ path: '/app/tasks' });
  platform = mockPlatform({ ...mock, effects: { finds: 1, find: 'GET /app/tasks/find' } });
  platform.install();
});

afterEach(() => {
  page?.unmount();
  page = undefined;
  document.body.replaceChildren();
  platform.close();
  // host.reset() is this after closing its port: no port, queued message, handler, configure()
  // option or open subscription leaks, and the URL from before launch() is back.
  resetState();
  vi.useRealTimers();
});

// The README's five lines, exactly.
it('closes on Done', async () => {
  const host = connectHost();
  page = mountTasksPage(document.body);
  document.querySelector<HTMLButtonElement>('[name=done]')!.click();
  expect(await host.next('CLOSE_MODAL')).toEqual({ type: 'CLOSE_MODAL' });
});

it('shows my open tasks', async () => {
  page = mountTasksPage(document.body);
  await vi.waitFor(() => expect(titles()).toContain('Call back about home BP readings'), WAIT);
  expect(titles()).not.toContain('Team huddle notes');
});

it('shows the sign-in message when the session has ended (401)', async () => {
  platform.signOut();
  page = mountTasksPage(document.body);
  await vi.waitFor(() => expect(status()).toMatch(/Sign in again/), WAIT);
  expect(titles()).toEqual([]);
  expect(platform.requests.map((request) => request.status)).toEqual([401]);
});

it('refreshes its list on a broadcast', async () => {
  page = mountTasksPage(document.body);
  await vi.waitFor(() => expect(platform.sockets).toHaveLength(1), WAIT);
  platform.tasks.add({ title: 'Added elsewhere', assignee_id: platform.staff.id });
  expect(titles()).not.toContain('Added elsewhere');
  platform.broadcast(`staff-${platform.staff.id}`, { type: 'tasks_changed' });
  await vi.waitFor(() => expect(titles()).toContain('Added elsewhere'), WAIT);
  expect(platform.count('GET /app/tasks/data.json')).toBe(2);
});

it('adds a task once the effect landed and a find confirmed it', async () => {
  page = mountTasksPage(document.body, { interval: 10 });
  await vi.waitFor(() => expect(titles().length).toBeGreaterThan(0), WAIT);
  addTask('Order labs');
  await vi.waitFor(() => expect(status()).toBe('Task added.'), WAIT);
  await vi.waitFor(() => expect(titles()).toContain('Order labs'), WAIT);
  expect(platform.count('POST /app/tasks')).toBe(1);
  expect(platform.count('GET /app/tasks/find')).toBe(1);
});

it('offers "Check again" after EFFECT_TIMEOUT, which finds the task without a second POST', async () => {
  vi.useFakeTimers();
  platform.close();
  platform = mockPlatform({ ...mock, effects: { finds: Infinity } }); // held until land()
  platform.install();
  page = mountTasksPage(document.body);
  addTask('Call the pharmacy');
  await vi.advanceTimersByTimeAsync(5_000); // createAndFind's deadline
  expect(status()).toBe('Canvas has not confirmed the task yet.');
  expect(button('check-again').hidden).toBe(false);
  const findsBefore = platform.count('GET /app/tasks/find');
  expect(findsBefore).toBeGreaterThan(1);
  expect(platform.land()).toBe(1);
  button('check-again').click(); // findCreated(error.ack, …)
  await vi.advanceTimersByTimeAsync(500);
  expect(status()).toBe('Task added.');
  expect(button('check-again').hidden).toBe(true);
  expect(platform.count('POST /app/tasks')).toBe(1);
  expect(platform.count('GET /app/tasks/find')).toBe(findsBefore + 1);
});
