// The example suite of the README's "Testing your page": a page tested the way its author
// would, with canvas-companion/testing. It runs under happy-dom and under jsdom.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { connectHost, launch, mockPlatform, type MockPlatform, type TestHost } from 'canvas-companion/testing';
import * as mock from './mock.mjs';
import { mountTasksPage } from './tasks-page.js';

let platform: MockPlatform;
let host: TestHost;
let page: { unmount(): void };

const text = (selector: string) => document.querySelector(selector)?.textContent ?? '';
const titles = () => [...document.querySelectorAll('li')].map((item) => item.textContent);
const button = (name: string) => document.querySelector<HTMLButtonElement>(`button[name="${name}"]`)!;

function addTask(title: string): void {
  document.querySelector<HTMLInputElement>('input[name=title]')!.value = title;
  document.querySelector('form')!.requestSubmit();
}

beforeEach(() => {
  launch({ path: '/app/tasks' });
  platform = mockPlatform({ ...mock, effects: { finds: 1 } });
  platform.install();
  host = connectHost();
});

afterEach(() => {
  page?.unmount();
  platform.close();
  host.reset();
  vi.useRealTimers();
});

it('closes on Done', async () => {
  page = mountTasksPage(document.body);
  button('done').click();
  expect(await host.next('CLOSE_MODAL')).toEqual({ type: 'CLOSE_MODAL' });
});

it('shows its tasks, and the sign-in message when the session has ended (401)', async () => {
  page = mountTasksPage(document.body);
  await vi.waitFor(() => expect(titles()).toContain('Call back about home BP readings'));
  page.unmount();
  platform.signOut();
  page = mountTasksPage(document.body);
  await vi.waitFor(() => expect(text('[role=status]')).toMatch(/session has ended. Sign in again/));
  expect(titles()).toEqual([]);
});

it('refreshes its list on a broadcast', async () => {
  page = mountTasksPage(document.body);
  await vi.waitFor(() => expect(platform.sockets).toHaveLength(1), { timeout: 3000 }).catch((e) => { console.log(platform.requests.map(r => r.path + ' ' + r.status), document.body.innerHTML); throw e; });
  platform.tasks.add({ title: 'Added elsewhere', assignee_id: platform.staff.id });
  expect(titles()).not.toContain('Added elsewhere');
  expect(platform.broadcast(`staff-${platform.staff.id}`, { type: 'tasks_changed' })).toBe(1);
  await vi.waitFor(() => expect(titles()).toContain('Added elsewhere'));
  expect(platform.count('GET /app/tasks/data.json')).toBe(2);
});

it('adds a task once the effect landed and a find confirmed it', async () => {
  page = mountTasksPage(document.body, { interval: 10 });
  await vi.waitFor(() => expect(titles().length).toBeGreaterThan(0));
  addTask('Order labs');
  await vi.waitFor(() => expect(text('[role=status]')).toBe('Task added.'));
  await vi.waitFor(() => expect(titles()).toContain('Order labs'));
  expect(platform.count('POST /app/tasks')).toBe(1);
  expect(platform.count('GET /app/tasks/find')).toBe(1);
});

it('offers "Check again" after EFFECT_TIMEOUT, which finds the task without a second POST', async () => {
  vi.useFakeTimers();
  platform.close();
  platform = mockPlatform({ ...mock, effects: { finds: Infinity } });
  platform.install();
  page = mountTasksPage(document.body);
  addTask('Call the pharmacy');
  await vi.advanceTimersByTimeAsync(5_000);
  expect(text('[role=status]')).toBe('Canvas has not confirmed the task yet.');
  expect(button('check-again').hidden).toBe(false);
  const findsBefore = platform.count('GET /app/tasks/find');
  expect(findsBefore).toBeGreaterThan(1);

  expect(platform.land()).toBe(1);
  button('check-again').click();
  await vi.advanceTimersByTimeAsync(500);
  expect(text('[role=status]')).toBe('Task added.');
  expect(button('check-again').hidden).toBe(true);
  expect(platform.count('POST /app/tasks')).toBe(1);
  expect(platform.count('GET /app/tasks/find')).toBe(findsBefore + 1);
});
