/**
 * Measured on real shapes (issue 15, item 9): three plugin folders in the published plugins' style
 * (plain fetch, their own INIT_CHANNEL listener, SimpleAPI and WebSocketAPI handlers in Python, no
 * library): a schedule, an inbox with outside events, and a task board with labels, reassignment
 * and comments. Each mock keeps its state in the platform (no side table), waits on no timer and
 * adds no test-only route; each plugin's Python compiles and matches its mock route for route.
 * Each runs under its own harness in real Chromium at 390×844, driven as a provider would.
 * Screenshots go to test-results/harness/.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../src/harness/index.js';
import { haveChromium, launchChromium, openShellApp, openShellPage, ROOT } from '../support/browser.js';

const FIXTURES = join(ROOT, 'test', 'fixtures');
const PLUGINS = ['schedule', 'inbox', 'task_board'] as const;
type Plugin = (typeof PLUGINS)[number];
const dirOf = (name: Plugin) => join(FIXTURES, name);
const mockOf = (name: Plugin) => join(dirOf(name), 'harness.mock.mjs');
const source = (name: Plugin) => readFileSync(mockOf(name), 'utf8');
/** A mock's length as docs/harness.md counts it: its lines, trailing blank lines aside. */
const lineCount = (name: Plugin) => source(name).trimEnd().split('\n').length;
/** Short and readable: well under the measured messages mock's ceiling. */
const MOCK_LIMIT = 80;
const SHOTS = join(ROOT, 'test-results', 'harness');
const shot = (name: string) => join(SHOTS, `real-shapes-${name}.png`);
const poll = { timeout: 10_000, interval: 100 };

/** Every .py file of a plugin folder. */
function pythonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === '__pycache__' ? [] : pythonFiles(path);
    return entry.endsWith('.py') ? [path] : [];
  });
}

/** `YYYY-MM-DD` of `date` in local time: the day the page and the mock call today. */
const localDay = (date: Date) => `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;

describe('the fixture mocks: the platform holds the state, no timer waits, no route exists for tests only', () => {
  it.each(PLUGINS.map((name) => [name, lineCount(name)] as const))('%s/harness.mock.mjs, %i lines', async (name, lines) => {
    const text = source(name);
    expect(lines).toBeLessThan(MOCK_LIMIT);
    // No timers: effects land on the platform's scheduler (--effect-delay, the kit's hold/land).
    expect(text).not.toMatch(/\bset(?:Timeout|Interval|Immediate)\b|\bqueueMicrotask\b|\brequestAnimationFrame\b/);
    // No side tables: no Map or Set, no `let`, nothing pushed, set, added or assigned into but through the platform.
    expect(text).not.toMatch(/\bnew\s+(?:Map|Set|WeakMap|WeakSet)\b|^\s*(?:let|var)\b|^\s*[\w.]+\[[^\]]+\]\s*=[^=]/m);
    const writes = [...text.matchAll(/([\w.$]+)\.(?:push|unshift|splice|set|add|delete|clear)\(/g)].map((match) => match[1]!);
    expect(writes.filter((target) => !target.startsWith('platform.'))).toEqual([]);
    // No test-only routes: every route is one the plugin's Python has (checked below against the harness's comparison).
    expect(text).not.toMatch(/__test|\/test\b/);
    const mock = (await import(mockOf(name))) as { routes?: Record<string, unknown> };
    expect(Object.keys(mock.routes ?? {}).filter((key) => /test/i.test(key))).toEqual([]);
  });

  it("compiles every fixture's Python with python3 -m py_compile", async () => {
    const cache = mkdtempSync(join(tmpdir(), 'real-shapes-pyc-'));
    try {
      for (const name of PLUGINS) {
        const files = pythonFiles(dirOf(name));
        expect(files.map((file) => relative(dirOf(name), file)).sort(), name).toEqual(expect.arrayContaining(['applications/__init__.py', 'handlers/__init__.py', 'handlers/api.py', 'handlers/live.py']));
        // The bytecode goes to a temporary folder, not into the fixture.
        const result = await new Promise<{ code: number | null; err: string }>((resolve) => {
          execFile('python3', ['-m', 'py_compile', ...files], { env: { ...process.env, PYTHONPYCACHEPREFIX: cache } }, (error, _out, err) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, err }));
        });
        expect(result, name).toEqual({ code: 0, err: '' });
      }
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('docs/harness.md lists the three fixtures with their line counts, after the two measured mocks', () => {
    const docs = readFileSync(join(ROOT, 'docs', 'harness.md'), 'utf8');
    const measured = docs.indexOf('test/fixtures/patient_messages/harness.mock.mjs');
    for (const name of PLUGINS) {
      const at = docs.indexOf(`(../test/fixtures/${name}/harness.mock.mjs)`);
      expect(at, name).toBeGreaterThan(measured);
      expect(docs.slice(at - 120, at)).toContain(`${lineCount(name)} lines`);
    }
  });
});

/** Starts a harness with one fixture plugin; returns it and the log lines it wrote. */
async function start(name: Plugin): Promise<{ harness: Harness; lines: string[] }> {
  const lines: string[] = [];
  const harness = await startHarness({ port: 0, effectDelay: 300, pluginDirs: [{ dir: dirOf(name), mock: mockOf(name) }], log: (line) => lines.push(line) });
  return { harness, lines };
}

describe('each fixture under the harness: its mock matches its Python, and only routes serve its files', () => {
  it.each(PLUGINS)('%s', async (name) => {
    const { harness, lines } = await start(name);
    try {
      const [check] = harness.checks;
      expect(check).toMatchObject({ plugin: name, python: 'read', warnings: [] });
      // Every Python route is played by the mock (a route, or its files line for /static/<name>), and the mock has nothing more.
      expect(check!.routes.filter((row) => !row.python || !row.served)).toEqual([]);
      expect(check!.routes.find((row) => row.key === 'GET /static/<name>')).toMatchObject({ served: 'files', mock: '/static/' });
      expect(check!.channels.length).toBeGreaterThan(0);
      expect(check!.channels.filter((row) => !row.python || !row.mock)).toEqual([]);
      expect(lines.filter((line) => /warn|has no (?:mock|Python) route|did you mean/i.test(line))).toEqual([]);

      const cookie = (await fetch(harness.url)).headers.get('set-cookie')!.split(';')[0]!;
      const status = async (path: string) => (await fetch(`${harness.origin}/plugin-io/api/${name}${path}`, { headers: { cookie } })).status;
      const script = readdirSync(join(dirOf(name), 'static')).find((file) => file.endsWith('.js'))!;
      expect(await status(`/static/${script}`)).toBe(200);
      for (const hidden of ['/harness.mock.mjs', '/CANVAS_MANIFEST.json', '/handlers/api.py', '/handlers/live.py']) expect(await status(hidden), hidden).toBe(404);
    } finally {
      await harness.close();
    }
  });
});

describe.runIf(haveChromium())('the fixtures in Chromium at 390×844', () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
  });

  const live = (frame: Frame) => frame.locator('#live').getAttribute('data-status');
  /** Makes a mock's outside event happen the way an author does: the shell's menu, Outside events. */
  async function shellEvent(page: Page, name: string) {
    await page.locator('[data-action="menu"]').first().click();
    await page.locator(`[data-action="event"][data-name="${name}"]`).click();
  }

  describe('schedule', () => {
    let harness: Harness;
    beforeAll(async () => void ({ harness } = await start('schedule')));
    afterAll(() => harness?.close());

    it("lists today's appointments of the signed-in provider, follows a check-in live, pages by day, and opens a patient in the companion", async () => {
      const { page, errors } = await openShellPage(browser, harness.url, contexts);
      const frame = await openShellApp(page, 'schedule:global:schedule');
      await expect.poll(() => live(frame), poll).toBe('live');
      const me = harness.platform.staff;
      const today = harness.platform.appointments.list({ provider_id: me.id, day: localDay(new Date()) });
      // The sample practice: three of my visits today (Aiko's 11:00 is Dr. Okafor's).
      expect(today.map((a) => a.patient.name)).toEqual(['Maria Gonzalez', 'James Carter', 'Robert Nguyen']);
      await expect.poll(() => frame.locator('#list li .who').allTextContents(), poll).toEqual(today.map((a) => a.patient.name));
      expect(await frame.locator('#title').textContent()).toBe('Today');
      const robert = today[2]!;
      const row = frame.locator(`#list li[data-patient="${robert.patient.id}"]`);
      expect(await row.locator('.status').textContent()).toBe('confirmed');
      expect(await row.locator('.join').getAttribute('href')).toBe(robert.meeting_link);
      await page.screenshot({ path: shot('schedule') });

      // The front desk checks Robert in: the platform's change, the mock's onChange broadcast, the row.
      await shellEvent(page, 'Robert Nguyen checks in');
      await expect.poll(() => row.locator('.status').textContent(), poll).toBe('arrived');
      expect(harness.platform.appointments.get(robert.id)?.status).toBe('arrived');
      await page.screenshot({ path: shot('schedule-checked-in') });

      // Tomorrow: Fatima's new patient visit; back to today.
      await frame.locator('#next').click();
      await expect.poll(() => frame.locator('#list li .who').allTextContents(), poll).toEqual(['Fatima Ali']);
      await frame.locator('#today').click();
      await expect.poll(() => frame.locator('#list li').count(), poll).toBe(3);

      // Tapping a visit opens the patient's page in the companion.
      const maria = today[0]!.patient;
      await frame.locator(`#list li[data-patient="${maria.id}"] a`).first().click();
      await page.waitForURL(`${harness.url}patient/${maria.id}/`, { timeout: 10_000 });
      await expect.poll(() => page.locator('[data-testid="patient-name"]').first().textContent(), poll).toBe('Maria Gonzalez');
      expect(errors).toEqual([]);
    });
  });

  describe('inbox', () => {
    let harness: Harness;
    beforeAll(async () => void ({ harness } = await start('inbox')));
    afterAll(() => harness?.close());

    it('shows messages arriving live from outside events, marks a thread read when opened, and a reply lands and shows', async () => {
      const { page, errors } = await openShellPage(browser, harness.url, contexts);
      const frame = await openShellApp(page, 'inbox:global:inbox');
      await expect.poll(() => live(frame), poll).toBe('live');
      const me = harness.platform.staff;
      const [maria, robert] = [harness.platform.patients.list({ first_name: 'Maria' })[0]!, harness.platform.patients.list({ first_name: 'Robert' })[0]!];
      const thread = (id: string) => frame.locator(`#threads li[data-patient="${id}"]`);
      const unread = (id: string) => harness.platform.messages.list({ patient_id: id, staff_id: me.id, unread: true }).filter((m) => m.recipient_id === me.id).length;
      // Only my messages: Maria's thread, her last question unread (James wrote to Dr. Okafor).
      await expect.poll(() => frame.locator('#threads li').count(), poll).toBe(1);
      expect(await thread(maria.id).getAttribute('data-unread')).toBe('1');

      // Robert writes from the portal (the shell's Outside events button): a new thread appears, live.
      await shellEvent(page, 'Robert writes a message');
      await expect.poll(() => thread(robert.id).getAttribute('data-unread').catch(() => null), poll).toBe('1');
      expect(await thread(robert.id).locator('.preview').textContent()).toBe('Could PT move to Tuesdays?');
      expect(await frame.locator('#threads li').first().getAttribute('data-patient')).toBe(robert.id);
      // Maria writes again (the harness's own trigger, as a test kit user would): her count goes up.
      await harness.platform.trigger('inbox', 'Maria writes a message');
      await expect.poll(() => thread(maria.id).getAttribute('data-unread'), poll).toBe('2');
      expect(unread(maria.id)).toBe(2);
      await page.screenshot({ path: shot('inbox') });

      // Opening Maria's thread shows it and marks what she wrote as read: EDIT_MESSAGE with read lands.
      await thread(maria.id).locator('button').click();
      await expect.poll(() => frame.locator('#messages li').count(), poll).toBe(4);
      expect(await frame.locator('#messages li.in').last().textContent()).toContain('My BP this morning was 132/84. Is that better?');
      await expect.poll(() => unread(maria.id), poll).toBe(0);
      expect(unread(robert.id)).toBe(1);

      // A reply: 202, then CREATE_AND_SEND_MESSAGE lands and MessageCreated's broadcast shows it.
      const words = `Yes, much better. See you at 9. (${process.pid})`;
      await frame.locator('#text').fill(words);
      await frame.locator('#reply button[type="submit"]').click();
      await expect.poll(() => frame.locator('#messages li.out', { hasText: words }).count(), poll).toBe(1);
      expect(await frame.locator('#status').textContent()).toBe('Sent');
      const sent = harness.platform.messages.list({ patient_id: maria.id, staff_id: me.id }).at(-1)!;
      expect(sent).toMatchObject({ content: words, sender_id: me.id, recipient_id: maria.id, transmissions: [{ delivered: true }] });
      await page.screenshot({ path: shot('inbox-thread') });

      await frame.locator('#back').click();
      await expect.poll(() => thread(maria.id).getAttribute('data-unread'), poll).toBe(null);
      expect(await thread(maria.id).locator('.preview').textContent()).toBe(`You: ${words}`);
      expect(await thread(robert.id).getAttribute('data-unread')).toBe('1');
      expect(errors).toEqual([]);
    });
  });

  describe('task_board', () => {
    let harness: Harness;
    beforeAll(async () => void ({ harness } = await start('task_board')));
    afterAll(() => harness?.close());

    it('reassigns, relabels, comments and completes a task; each lands and reaches another open board live', async () => {
      // Two providers' phones on the same board: A makes the changes, B only watches.
      const a = await openShellPage(browser, harness.url, contexts);
      const b = await openShellPage(browser, harness.url, contexts);
      const board = await openShellApp(a.page, 'task_board:global:task-board');
      const watcher = await openShellApp(b.page, 'task_board:global:task-board');
      await expect.poll(() => live(board), poll).toBe('live');
      await expect.poll(() => live(watcher), poll).toBe('live');
      const tasks = harness.platform.tasks;
      for (const status of ['OPEN', 'COMPLETED', 'CLOSED'] as const) {
        await expect.poll(() => watcher.locator(`.column[data-status="${status}"] li`).count(), poll).toBe(tasks.list({ status }).length);
      }
      const task = tasks.list({ status: 'OPEN' }).find((t) => t.title === 'Renew lisinopril prescription')!;
      expect(task.labels.map((l) => l.name)).toEqual(['Refill']);
      const card = (frame: Frame) => frame.locator(`li[data-id="${task.id}"]`);
      expect(await card(watcher).locator('.label').allTextContents()).toEqual(['Refill']);
      await a.page.screenshot({ path: shot('board') });

      await card(board).locator('button').click();
      await expect.poll(() => board.locator('#detail-title').textContent(), poll).toBe(task.title);

      // Reassign to Jordan Lee: UpdateTask(assignee_id=…) lands; both boards show it.
      const jordan = harness.platform.staffMembers.find((s) => s.name === 'Jordan Lee')!;
      await board.locator('#detail-assignee').selectOption({ label: 'Jordan Lee' });
      await expect.poll(() => tasks.get(task.id)?.assignee_id, poll).toBe(jordan.id);
      await expect.poll(() => card(watcher).locator('.assignee').textContent(), poll).toBe('Jordan Lee');
      await expect.poll(() => board.locator('#detail-saving').textContent(), poll).toBe('Saved');

      // Add the Lab label: labels=["Refill", "Lab"] lands with their colors.
      await board.getByRole('checkbox', { name: 'Lab', exact: true }).check();
      await expect.poll(() => tasks.get(task.id)?.labels.map((l) => [l.name, l.color]), poll).toEqual([['Refill', 'purple'], ['Lab', 'teal']]);
      await expect.poll(() => card(watcher).locator('.label').allTextContents(), poll).toEqual(['Refill', 'Lab']);
      expect(await card(watcher).locator('.label').last().getAttribute('data-color')).toBe('teal');

      // A comment: AddTaskComment(author_id=me) lands; the sheet lists it, the other board counts it.
      const words = `Pharmacy faxed the request (${process.pid})`;
      await board.locator('#comment-text').fill(words);
      await board.locator('#detail-comment button[type="submit"]').click();
      await expect.poll(() => board.locator('#detail-comments li', { hasText: words }).count(), poll).toBe(1);
      expect(tasks.get(task.id)?.comments.at(-1)).toMatchObject({ body: words, creator_id: harness.platform.staff.id });
      await expect.poll(() => card(watcher).locator('.comments').textContent(), poll).toBe('1 comment');
      expect(await board.locator('#comment-text').inputValue()).toBe('');
      await a.page.screenshot({ path: shot('board-task') });

      // Complete it: the card moves to the Completed column on the other board.
      await board.locator('#detail-status').selectOption('COMPLETED');
      await expect.poll(() => tasks.get(task.id)?.status, poll).toBe('COMPLETED');
      await expect.poll(() => watcher.locator(`.column[data-status="COMPLETED"] li[data-id="${task.id}"]`).count(), poll).toBe(1);
      expect(await watcher.locator(`.column[data-status="OPEN"] li[data-id="${task.id}"]`).count()).toBe(0);
      await b.page.screenshot({ path: shot('board-watcher') });

      // What the Python refuses, the mock refuses too: a label the practice does not have is a 400, and nothing is applied.
      const before = tasks.get(task.id)!.modified;
      const answer = await board.evaluate(async (id) => {
        const response = await fetch(`/plugin-io/api/task_board/app/tasks/${id}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"labels":["Nope"]}' });
        return [response.status, await response.json()];
      }, task.id);
      expect(answer).toEqual([400, { error: "labels must be names of the practice's labels" }]);
      expect(tasks.get(task.id)!.modified).toBe(before);
      expect(a.errors).toEqual([]);
      expect(b.errors).toEqual([]);
    });
  });
});
