/**
 * The harness shell as a workbench (issue 18), in real headless Chromium at 1280×800 (the phone
 * beside the inspector) and at 390×844 (the inspector folded into the phone's bottom sheet): every
 * inspector panel driven as a person would, against the harness started in-process. Screenshots
 * go to test-results/harness/workbench-*.png (not committed).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRACE_FORMAT, type Trace } from '../../src/platform/trace.js';
import { startHarness, type Harness } from '../../src/harness/index.js';
import { replayTrace } from '../../src/testing/index.js';
import { haveChromium, launchChromium, ROOT } from '../support/browser.js';

const ME = '5f0a2c613b7e4d0a9c550c8e1a6b2d11';
const OKAFOR = '9b3d7e426a1f4c8b8e274f5a9d0c3e22';
const MARIA = '3e1f7a528c4d4b6ea1f02d9c8b7a6e51';
const NOTE = '0c0ffee0-0000-4000-8000-000000000001';
const TASKS = 'demo_plugin:global:my-tasks';
const REGISTER = 'demo_plugin:global:register-patient';
const VITALS = 'demo_plugin:note:vitals';
const TASKS_DATA = '/plugin-io/api/demo_plugin/app/tasks/data.json';
const EVENT = 'Dr. Okafor assigns you a task';
const SHOTS = join(ROOT, 'test-results', 'harness');
// Generous: a busy 2-core machine runs these next to other browser tests.
const poll = { timeout: 15_000, interval: 100 };
const wait = { timeout: 15_000 };

/** The two layouts: the phone beside the inspector, and the phone alone with the inspector as its bottom sheet. */
const SIZES = [
  { name: 'desktop', width: 1280, height: 800, mobile: false },
  { name: 'phone', width: 390, height: 844, mobile: true },
] as const;

describe.runIf(haveChromium())('the harness shell as a workbench', () => {
  let harness: Harness;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // Effects wait long enough by default that "scheduled" is seen before "landed".
    harness = await startHarness({ port: 0, effectDelay: 600, log: () => {} });
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await harness?.close();
  });

  for (const size of SIZES) {
    // Above the tests' condition waits (15 s, 30 s for a reconnect after offline).
    describe(`at ${size.width}×${size.height}`, { timeout: 90_000 }, () => {
      const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `workbench-${size.name}-${name}.png`) });

      /** A fresh browser profile (so a session of its own) on a shell page, once the shell has drawn. */
      async function open(path = ''): Promise<{ page: Page; errors: string[] }> {
        const context = await browser.newContext({ viewport: { width: size.width, height: size.height }, isMobile: size.mobile, hasTouch: size.mobile, acceptDownloads: true });
        contexts.push(context);
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(error.message));
        await page.goto(harness.url + path);
        await page.locator('.top .title').first().waitFor(wait);
        // The inspector has read the session's trace (the feed is connected).
        await expect.poll(() => page.locator('#ihead-who').textContent(), poll).toMatch(/session \d+/);
        return { page, errors };
      }

      /** Shows an inspector panel (at phone size, unfolding the bottom sheet first). */
      async function panel(page: Page, name: string): Promise<void> {
        if (size.mobile && (await page.locator('#log-body').isHidden())) await page.locator('#log-toggle').click();
        await page.locator(`#itab-${name}`).click();
        await page.locator(`#panel-${name}`).waitFor(wait);
      }

      /** At phone size, folds the inspector so that the app below it can be touched. */
      async function fold(page: Page): Promise<void> {
        if (size.mobile && (await page.locator('#log-body').isVisible())) await page.locator('#log-toggle').click();
      }

      /** Opens an app from its launcher tile or tab; its iframe once loaded. */
      async function openApp(page: Page, id: string): Promise<Frame> {
        await fold(page);
        await page.locator(`[data-open="${id}"], [data-tab="${id}"]`).first().click();
        return frameOf(page, id);
      }
      async function frameOf(page: Page, id: string): Promise<Frame> {
        const iframe = page.locator(`.sheet[data-app="${id}"] iframe`);
        await iframe.waitFor(wait);
        const frame = (await (await iframe.elementHandle())!.contentFrame())!;
        await frame.waitForLoadState();
        return frame;
      }
      /** The iframe's URL, path and query, as the shell loaded it. */
      const loaded = (page: Page, id: string) => page.locator(`.sheet[data-app="${id}"] iframe`).evaluate((iframe) => {
        const url = new URL((iframe as HTMLIFrameElement).src);
        return url.pathname + url.search;
      });
      const liveStatus = (frame: Frame) => frame.locator('#live').getAttribute('data-status');
      /** The strip of conditions on, at the top of the inspector. */
      const badges = (page: Page) => page.locator('#cond-strip .cond-badge').allTextContents();

      it('keeps a message log filterable by app and by type', async () => {
        const { page, errors } = await open();
        const tasks = await openApp(page, TASKS);
        await expect.poll(() => liveStatus(tasks), poll).toBe('open');
        await page.locator('.sheet-close').click();
        await openApp(page, REGISTER);
        await expect.poll(() => page.locator(`#log-list li[data-type="INIT_CHANNEL"][data-app="${REGISTER}"]`).count(), poll).toBe(1);
        await page.keyboard.press('Escape');
        await panel(page, 'messages');
        const visible = () => page.locator('#log-list li:not([hidden])').evaluateAll((items) => items.map((li) => `${(li as HTMLElement).dataset.app} ${(li as HTMLElement).dataset.type || (li as HTMLElement).dataset.dir}`));
        await page.locator('#log-app').selectOption(REGISTER);
        expect(new Set((await visible()).map((line) => line.split(' ')[0]))).toEqual(new Set([REGISTER]));
        await page.locator('#log-type').selectOption('INIT_CHANNEL');
        expect(await visible()).toEqual([`${REGISTER} INIT_CHANNEL`]);
        await shot(page, 'messages-filtered');
        await page.locator('#log-app').selectOption('');
        expect(await visible()).toEqual([`${TASKS} INIT_CHANNEL`, `${REGISTER} INIT_CHANNEL`]);
        // The badge counts every entry listed, filtered or not.
        expect(Number(await page.locator('#log-count').textContent())).toBe(await page.locator('#log-list li').count());
        expect(errors).toEqual([]);
      });

      it('shows what a hostile page sends as text: markup in paths, headers, bodies, message types and task titles never runs', async () => {
        const { page, errors } = await open();
        const tasks = await openApp(page, TASKS);
        await expect.poll(() => liveStatus(tasks), poll).toBe('open');
        const markup = '<img src=x onerror="top.pwned=1">';
        await tasks.evaluate(async (html) => {
          await fetch(`/plugin-io/api/demo_plugin/${encodeURIComponent(html)}?q=${encodeURIComponent(html)}`, { headers: { 'x-evil': html } });
          // A task titled with markup: its effect's data and result, and the socket frame it causes, carry it.
          await fetch('/plugin-io/api/demo_plugin/app/tasks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: html }) });
          window.parent.postMessage({ type: html }, location.origin);
        }, markup);
        await panel(page, 'requests');
        const row = page.locator('#req-list > li').filter({ has: page.locator('.path', { hasText: 'top.pwned' }) }).first();
        await row.waitFor(wait);
        await row.locator('summary').click();
        await expect.poll(() => row.locator('.kv td').allTextContents(), poll).toContain(markup);
        await panel(page, 'effects');
        const effect = page.locator('#eff-list > li', { hasText: 'landed' }).filter({ hasText: 'CREATE_TASK' }).last();
        await effect.waitFor(wait);
        await effect.locator('summary').click();
        await expect.poll(() => effect.locator('pre.body').first().textContent(), poll).toContain('top.pwned');
        await panel(page, 'sockets');
        const socket = page.locator('#sock-list > li').first();
        await socket.locator('summary').click();
        await panel(page, 'messages');
        await expect.poll(() => page.locator('#log-list li', { hasText: 'top.pwned' }).count(), poll).toBeGreaterThan(0);
        // Nothing of it became an element, anywhere in the shell, and nothing ran.
        expect(await page.locator('#log img').count()).toBe(0);
        expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
        expect(errors).toEqual([]);
      });

      it("shows each plugin request, and its headers and bodies on a click", async () => {
        const { page, errors } = await open();
        const tasks = await openApp(page, TASKS);
        await expect.poll(() => tasks.locator('.task').count(), poll).toBeGreaterThan(0);
        await panel(page, 'requests');
        const row = page.locator('#req-list > li', { hasText: TASKS_DATA }).first();
        await row.waitFor(wait);
        expect(await row.locator('.rec-line').textContent()).toMatch(/GET\s*\/plugin-io\/api\/demo_plugin\/app\/tasks\/data\.json\s*200/);
        expect(await row.locator('.rec-meta').textContent()).toMatch(/\d+ ms\s*mock · GET \/app\/tasks\/data\.json\s*session \d+/);
        await row.locator('summary').click();
        const details = row.locator('.rec-details');
        await details.waitFor(wait);
        expect(await details.locator('h4').allTextContents()).toEqual(['Request headers', 'Request body', 'Response headers', 'Response body']);
        expect(await details.locator('.kv').first().textContent()).toMatch(/host/i);
        expect(await details.locator('pre.body').last().textContent()).toContain(`"channel": "staff-${ME}"`);
        await shot(page, 'request-details');
        expect(errors).toEqual([]);
      });

      it('shows an effect scheduled, then landed, in place', async () => {
        const { page, errors } = await open();
        const tasks = await openApp(page, TASKS);
        await expect.poll(() => liveStatus(tasks), poll).toBe('open');
        // A long delay from the Network panel, so that "scheduled" is there to see.
        await panel(page, 'network');
        // On the default, the fields show the harness's own --effect-delay, disabled.
        await expect.poll(() => page.locator('#net-delay-default-ms').textContent(), poll).toBe(': 600 ms');
        expect([await page.locator('#net-delay').inputValue(), await page.locator('#net-delay').isDisabled()]).toEqual(['600', true]);
        await page.locator('#net-delay-default').uncheck();
        await page.locator('#net-delay').fill('4000');
        await page.locator('#net-delay').press('Enter');
        await page.locator('#net-delay').blur();
        await expect.poll(() => badges(page), poll).toEqual(['Effects 4000 ms']);
        await panel(page, 'effects');
        const title = `Workbench effect ${size.name}`;
        expect(await tasks.evaluate((body) => fetch('/plugin-io/api/demo_plugin/app/tasks', { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.status), JSON.stringify({ title }))).toBe(202);
        const row = page.locator('#eff-list > li', { hasText: 'CREATE_TASK' }).last();
        await expect.poll(() => row.getAttribute('data-state'), poll).toBe('scheduled');
        expect(await row.locator('.rec-meta').textContent()).toMatch(/after 4000 ms\s*.*not landed yet/);
        await shot(page, 'effect-scheduled');
        const id = await row.getAttribute('data-id');
        await expect.poll(() => page.locator(`#eff-list > li[data-id="${id}"]`).getAttribute('data-state'), poll).toBe('landed');
        // The same row, changed in place: what it created, and the record it returned.
        expect(await page.locator('#eff-list > li', { hasText: 'CREATE_TASK' }).count()).toBe(1);
        expect(await row.locator('.changed').textContent()).toMatch(/^task created [\da-f]{8}/);
        await row.locator('summary').click();
        expect(await row.locator('.rec-details').textContent()).toContain(title);
        await shot(page, 'effect-landed');
        expect(errors).toEqual([]);
      });

      it("lists a socket's frames, and its 1006 when the session goes offline", async () => {
        const { page, errors } = await open();
        const tasks = await openApp(page, TASKS);
        await expect.poll(() => liveStatus(tasks), poll).toBe('open');
        await panel(page, 'sockets');
        const row = page.locator(`#sock-list > li[data-channel="staff-${ME}"]`).last();
        await expect.poll(() => row.getAttribute('data-state'), poll).toBe('open');
        // A broadcast to the channel: a frame out.
        harness.platform.broadcast(`staff-${ME}`, { type: 'workbench_hello', size: size.name });
        await expect.poll(() => row.locator('.rec-meta').textContent(), poll).toMatch(/↓ [1-9]\d* out/);
        await row.locator('summary').click();
        await expect.poll(() => row.locator('.frames').textContent(), poll).toContain('workbench_hello');
        await shot(page, 'socket-frames');
        // Offline drops the session's plugin sockets (1006); the page notices.
        await panel(page, 'network');
        await page.locator('#net-offline').check();
        await expect.poll(() => badges(page), poll).toEqual(['Offline']);
        await panel(page, 'sockets');
        const dropped = page.locator(`#sock-list > li[data-channel="staff-${ME}"][data-code="1006"]`).first();
        await expect.poll(() => dropped.getAttribute('data-state'), poll).toBe('closed');
        expect(await dropped.locator('.rec-line').textContent()).toContain('1006');
        await expect.poll(() => liveStatus(tasks), poll).not.toBe('open');
        await shot(page, 'socket-offline');
        // Back online: the page reconnects.
        await panel(page, 'network');
        await page.locator('#net-offline').uncheck();
        await expect.poll(() => badges(page), poll).toEqual([]);
        await expect.poll(() => liveStatus(tasks), { ...poll, timeout: 30_000 }).toBe('open');
        expect(errors).toEqual([]);
      });

      it('switches the staff member, and expires and signs in again from the Session panel', async () => {
        const { page, errors } = await open();
        await panel(page, 'session');
        await expect.poll(() => page.locator('#ses-who').textContent(), poll).toMatch(/Signed in as Dr\. Ada Moreno · session \d+/);
        await page.locator('#ses-staff').selectOption(OKAFOR);
        await page.locator('#ses-switch').click();
        await expect.poll(() => page.locator('#ses-who').textContent(), poll).toMatch(/Signed in as Dr\. Sam Okafor/);
        await expect.poll(() => page.locator('.top .sub').first().textContent(), poll).toBe('Dr. Sam Okafor');
        // Plugin routes see the new staff member.
        expect(await page.evaluate(() => fetch('/plugin-io/api/demo_plugin/app/me').then((r) => r.json()))).toMatchObject({ id: OKAFOR });
        await shot(page, 'session-switched');
        await page.locator('#ses-expire').click();
        await expect.poll(() => page.locator('#ses-who').textContent(), poll).toMatch(/Session expired/);
        expect(await page.evaluate(() => fetch('/plugin-io/api/demo_plugin/app/me').then((r) => r.status))).toBe(401);
        await page.locator('#ses-signin').click();
        await expect.poll(() => page.locator('#ses-who').textContent(), poll).toMatch(/Signed in as Dr\. Ada Moreno/);
        expect(errors).toEqual([]);
      });

      it('makes an outside event happen from the Events panel (the menu still has it)', async () => {
        const { page, errors } = await open();
        const before = harness.platform.tasks.list({ assignee_id: ME }).filter((t) => t.title === 'Review outside cardiology records').length;
        await panel(page, 'events');
        await page.locator(`#ev-list [data-event-name="${EVENT}"]`).click();
        await expect.poll(() => page.locator('#toast').textContent(), poll).toBe(`${EVENT}: done.`);
        expect(harness.platform.tasks.list({ assignee_id: ME }).filter((t) => t.title === 'Review outside cardiology records').length).toBe(before + 1);
        await shot(page, 'events');
        await fold(page);
        await page.locator('[data-action="menu"]').click();
        expect(await page.locator(`#menu [data-action="event"][data-name="${EVENT}"]`).count()).toBe(1);
        await page.locator('[data-action="close-menu"]').click();
        expect(errors).toEqual([]);
      });

      it('launches an app with a picked patient and note: the URL shown is the URL loaded', async () => {
        const { page, errors } = await open();
        await panel(page, 'launch');
        await page.locator('#ln-app').selectOption(VITALS);
        await expect.poll(() => page.locator('#ln-patient option').count(), poll).toBeGreaterThan(1);
        await page.locator('#ln-patient').selectOption(MARIA);
        await expect.poll(() => page.locator(`#ln-note option[value="${NOTE}"]`).count(), poll).toBe(1);
        await page.locator('#ln-note').selectOption(NOTE);
        const expected = `/plugin-io/api/demo_plugin/app/vitals?patient_id=${MARIA}&note_id=${NOTE}`;
        await expect.poll(() => page.locator('#ln-url').textContent(), poll).toBe(expected);
        expect(await page.locator('#ln-link').textContent()).toBe(`/companion/patient/${MARIA}/?note=${NOTE}&app=${VITALS}`);
        await shot(page, 'launch-picked');
        await page.locator('#ln-open').click();
        await page.waitForURL((url) => url.pathname === `/companion/patient/${MARIA}/` && url.search === `?note=${NOTE}&app=${VITALS}`, wait);
        await frameOf(page, VITALS);
        expect(await loaded(page, VITALS)).toBe(expected);
        expect(await page.locator(`[data-tab="${VITALS}"]`).getAttribute('aria-selected')).toBe('true');
        await fold(page);
        await shot(page, 'launch-picked-open');
        expect(errors).toEqual([]);
      });

      it('launches with typed, invalid IDs (unchecked) as a modal on the home page, and a reload reopens it', async () => {
        const { page, errors } = await open();
        await panel(page, 'launch');
        await page.locator('#ln-app').selectOption(VITALS);
        await page.locator('#ln-typed').check();
        await page.locator('#ln-patient-id').fill('not-a-patient');
        await page.locator('#ln-note-id').fill('nope');
        const expected = '/plugin-io/api/demo_plugin/app/vitals?patient_id=not-a-patient&note_id=nope';
        await expect.poll(() => page.locator('#ln-url').textContent(), poll).toBe(expected);
        const link = `/companion/?app=${VITALS}&patient_id=not-a-patient&note_id=nope&unchecked=1`;
        expect(await page.locator('#ln-link').textContent()).toBe(link);
        await shot(page, 'launch-typed');
        await page.locator('#ln-open').click();
        const vitals = await frameOf(page, VITALS);
        expect(await loaded(page, VITALS)).toBe(expected);
        // The page's own handling of IDs that are not IDs (the demo says so).
        await expect.poll(() => vitals.locator('#alert').textContent(), poll).toContain('is not a valid ID');
        // The shell's URL says what is open: a reload (or the link shared) opens it again.
        await expect.poll(() => new URL(page.url()).pathname + new URL(page.url()).search, poll).toBe(link);
        await fold(page);
        await shot(page, 'launch-typed-open');
        await page.reload();
        await frameOf(page, VITALS);
        expect(await loaded(page, VITALS)).toBe(expected);
        // Closing it takes the app out of the URL.
        await page.locator('.sheet-close').click();
        await expect.poll(() => new URL(page.url()).search, poll).toBe('');
        expect(errors).toEqual([]);
      });

      it('reopens a deep-linked app on load: global, patient and note scope', async () => {
        const { page, errors } = await open(`?app=${encodeURIComponent(TASKS)}`);
        await frameOf(page, TASKS);
        expect(await loaded(page, TASKS)).toBe('/plugin-io/api/demo_plugin/app/tasks');
        // The app's sheet stays inside the phone; on a wide screen the inspector fills the rest.
        // (At phone size the phone is the page itself: its wrapper draws no box.)
        const phone = size.mobile ? { x: 0, y: 0, width: size.width, height: size.height } : (await page.locator('#phone').boundingBox())!;
        const sheet = (await page.locator('.sheet').boundingBox())!;
        expect(sheet.x).toBeGreaterThanOrEqual(phone.x);
        expect(sheet.x + sheet.width).toBeLessThanOrEqual(phone.x + phone.width);
        expect(sheet.y + sheet.height).toBeLessThanOrEqual(phone.y + phone.height);
        if (!size.mobile) {
          expect(phone.width).toBeLessThan(440);
          const inspector = (await page.locator('#log').boundingBox())!;
          expect(inspector.x).toBeGreaterThanOrEqual(phone.x + phone.width);
          expect(inspector.x + inspector.width).toBe(size.width);
          expect(await page.locator('#log-list').isVisible()).toBe(true);
        }
        await page.goto(`${harness.url}patient/${MARIA}/?note=${NOTE}&app=${encodeURIComponent(VITALS)}`);
        await frameOf(page, VITALS);
        expect(await loaded(page, VITALS)).toBe(`/plugin-io/api/demo_plugin/app/vitals?patient_id=${MARIA}&note_id=${NOTE}`);
        // The Note tab hides the app: the URL no longer names it.
        await fold(page);
        await page.locator('[data-tab="note"]').click();
        await expect.poll(() => new URL(page.url()).search, poll).toBe(`?note=${NOTE}`);
        await page.goto(`${harness.url}?app=no_plugin:global:nothing`);
        await expect.poll(() => page.locator('#toast').textContent(), poll).toMatch(/No app no_plugin:global:nothing/);
        expect(errors).toEqual([]);
      });

      it('shows latency and a failing route as badges, and their effect in Requests', async () => {
        const { page, errors } = await open();
        const tasks = await openApp(page, TASKS);
        await expect.poll(() => tasks.locator('.task').count(), poll).toBeGreaterThan(0);
        await panel(page, 'network');
        // A value the harness refuses: its words show, and the field goes back to what holds.
        await page.locator('#net-latency').fill('99999');
        await page.locator('#net-latency').press('Enter');
        await expect.poll(() => page.locator('#net-error').textContent(), poll).toMatch(/latency/);
        await page.locator('#net-latency').blur();
        await expect.poll(() => page.locator('#net-latency').inputValue(), poll).toBe('0');
        expect(await badges(page)).toEqual([]);
        await page.locator('#net-latency').fill('800');
        await page.locator('#net-latency').press('Enter');
        await page.locator('#net-latency').blur();
        await expect.poll(() => badges(page), poll).toEqual(['Latency 800 ms']);
        expect(await page.locator('#net-error').textContent()).toBe('');
        expect(await tasks.evaluate((path) => fetch(path).then((r) => r.status), `${TASKS_DATA}?slow`)).toBe(200);
        await panel(page, 'requests');
        const slow = page.locator('#req-list > li.touched', { hasText: `${TASKS_DATA}?slow` });
        await slow.waitFor(wait);
        expect(await slow.locator('.ichip.cond').allTextContents()).toEqual(['latency 800 ms']);
        expect(Number(/(\d+) ms/.exec((await slow.locator('.rec-meta').textContent()) ?? '')?.[1])).toBeGreaterThanOrEqual(800);
        // "Fail this route" from a request fills the Network panel's failure.
        await slow.locator('summary').click();
        await slow.locator('[data-fail-path]').click();
        await page.locator('#panel-network').waitFor(wait);
        expect(await page.locator('#net-fail-path').inputValue()).toBe(TASKS_DATA);
        expect(await page.locator('#net-fail-method').inputValue()).toBe('GET');
        await page.locator('#net-fail-answer').selectOption('503');
        await page.locator('[data-testid="net-fail-set"]').click();
        await expect.poll(() => badges(page), poll).toEqual(['Latency 800 ms', `GET ${TASKS_DATA} → 503`]);
        expect(await tasks.evaluate((path) => fetch(path).then((r) => r.status), `${TASKS_DATA}?failing`)).toBe(503);
        await panel(page, 'requests');
        const failed = page.locator('#req-list > li.touched', { hasText: `${TASKS_DATA}?failing` });
        await failed.waitFor(wait);
        expect(await failed.locator('.rec-line .ichip').textContent()).toBe('503');
        expect(await failed.locator('.ichip.cond').allTextContents()).toEqual(['latency 800 ms', 'failure 503']);
        await slow.locator('summary').click();
        await failed.scrollIntoViewIfNeeded();
        await shot(page, 'conditions');
        // The README's picture: `HARNESS_DOCS_SCREENSHOT=1 npx vitest run --project harness test/harness/workbench-shell.test.ts`.
        if (process.env.HARNESS_DOCS_SCREENSHOT && !size.mobile) await page.screenshot({ path: join(ROOT, 'docs', 'harness.png') });
        // Another answer for the same route, picked while the failure holds: the connection is cut.
        await panel(page, 'network');
        await page.locator('#net-fail-answer').selectOption('drop');
        await page.locator('[data-testid="net-fail-set"]').click();
        await expect.poll(() => badges(page), poll).toEqual(['Latency 800 ms', `GET ${TASKS_DATA} → dropped`]);
        expect(await tasks.evaluate((path) => fetch(path).then(() => 'answered', (error: Error) => error.name), `${TASKS_DATA}?dropped`)).toBe('TypeError');
        await panel(page, 'requests');
        // (Chromium retries a GET whose connection was cut, so there may be several rows.)
        const cut = page.locator('#req-list > li.touched', { hasText: `${TASKS_DATA}?dropped` }).first();
        await cut.waitFor(wait);
        expect(await cut.locator('.rec-line .ichip').textContent()).toBe('no answer');
        if (size.mobile) {
          // Folded, the phone's bottom bar keeps saying it, shorter.
          await fold(page);
          expect(await page.locator('#cond-badges .cond-badge').allTextContents()).toEqual(['+800 ms', 'data.json → drop']);
          expect(await page.locator('#cond-badges').isVisible()).toBe(true);
          await shot(page, 'conditions-bar');
        }
        await panel(page, 'network');
        await page.locator('#net-reset').click();
        await expect.poll(() => badges(page), poll).toEqual([]);
        expect(errors).toEqual([]);
      });

      it('exports the trace: the harness trace and the message log, as one file', async () => {
        const { page, errors } = await open();
        const tasks = await openApp(page, TASKS);
        await expect.poll(() => liveStatus(tasks), poll).toBe('open');
        await panel(page, 'requests');
        await page.locator('#req-list > li', { hasText: TASKS_DATA }).first().waitFor(wait);
        const [download] = await Promise.all([page.waitForEvent('download', wait), page.locator('#export-trace').click()]);
        expect(download.suggestedFilename()).toMatch(/^companion-trace-\d{8}-\d{6}\.json$/);
        const trace = JSON.parse(readFileSync((await download.path())!, 'utf8')) as Trace;
        expect([trace.format, trace.version]).toEqual([TRACE_FORMAT, 1]);
        expect(trace.harness.origin).toBe(harness.origin);
        expect(trace.session.staff).toEqual({ id: ME, name: 'Dr. Ada Moreno' });
        expect(trace.requests.some((r) => r.path === TASKS_DATA && r.status === 200)).toBe(true);
        expect(trace.sockets.some((s) => s.channel === `staff-${ME}`)).toBe(true);
        const opened = trace.messages.find((m) => m.dir === 'info' && m.app_id === TASKS && m.detail.startsWith('opened'));
        expect(opened).toMatchObject({ url: '/plugin-io/api/demo_plugin/app/tasks', data: null });
        expect(trace.messages.find((m) => m.type === 'INIT_CHANNEL')).toMatchObject({ dir: 'out', via: 'window', data: { type: 'INIT_CHANNEL' } });
        expect(trace.harness.effect_delay).toBe(600);
        // The file is what the test kit replays: the app's launch URL, and the recorded answer of a route.
        const replay = replayTrace(JSON.stringify(trace));
        expect([replay.app, replay.url]).toEqual([TASKS, '/plugin-io/api/demo_plugin/app/tasks']);
        const recorded = trace.requests.find((r) => r.path === TASKS_DATA && r.status === 200)!;
        const replayed = await replay.fetch(`${harness.origin}${TASKS_DATA}${recorded.query}`);
        expect([replayed.status, await replayed.text()]).toEqual([200, recorded.response?.body]);
        expect(errors).toEqual([]);
      });
    });
  }
});
