/**
 * Real plugins in the harness: two plugin folders in the reference plugins' style (plain fetch,
 * their own INIT_CHANNEL listener, no library) under `--plugin-dir`, each with its own
 * harness.mock.mjs, in real Chromium at 390×844. Also the mock-module contract's edges, docs/harness.md's
 * copies of the two mocks, and `canvas-companion vendor`. Screenshots go to test-results/harness/.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../src/harness/index.js';
import { haveChromium, launchChromium, openShellApp, openShellPage, ROOT } from '../support/browser.js';

const MARIA = '3e1f7a528c4d4b6ea1f02d9c8b7a6e51';
const AIKO = 'a4d8e2f61b7c4e9a8d3b5c2f1e0a9b83';
const NOTE = '0c0ffee0-0000-4000-8000-000000000001';
const FIXTURES = join(ROOT, 'test', 'fixtures');
const REGISTER_DIR = join(FIXTURES, 'register_patient');
const MESSAGES_DIR = join(FIXTURES, 'patient_messages');
const REGISTER = 'register_patient:global:register-patient';
const INBOX = 'patient_messages:global:messages';
const THREAD = 'patient_messages:patient:messages';
const NOTE_THREAD = 'patient_messages:note:messages';
const SHOTS = join(ROOT, 'test-results', 'harness');
const shot = (name: string) => join(SHOTS, `plugins-${name}.png`);
const poll = { timeout: 10_000, interval: 100 };
const BIN = join(ROOT, 'bin', 'canvas-companion.mjs');

/** Runs the bin to completion. */
function run(args: string[], cwd = ROOT): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

describe('mock modules: the contract at its edges', () => {
  const dir = mkdtempSync(join(tmpdir(), 'harness-mock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A plugin folder named `name` with one global app, and `mock` as its harness.mock.mjs. */
  function plugin(name: string, mock: string): string {
    const folder = join(dir, name);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'CANVAS_MANIFEST.json'), JSON.stringify({
      name,
      components: {
        applications: [
          { class: `${name}.apps:Main`, name: 'Main', scope: 'provider_companion_global' },
          { class: `${name}.apps:Desk`, name: 'Desk', scope: 'global' },
          { class: `${name}.apps:Spare`, name: 'Spare', scope: 'provider_companion_patient_specific', icon: '../outside.png' },
        ],
      },
    }));
    writeFileSync(join(folder, 'harness.mock.mjs'), mock);
    writeFileSync(join(folder, 'page.html'), '<p>{{ who }}</p>');
    return folder;
  }

  it('runs the mock platform without any transport or Node API (what the test kit builds on)', async () => {
    // Its files import only one another: no package, no node: module, no global of Node's (comments aside).
    const dir = join(ROOT, 'src', 'platform');
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
      const source = readFileSync(join(dir, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      expect(source, file).not.toMatch(/^\s*(?:import|export)\b[^;]*?\bfrom\s*['"](?!\.\/)|^\s*import\s*['"]|\bimport\(|\brequire\(|\bprocess\.|\bBuffer\b/m);
    }
    const { createPlatform } = await import('../../src/platform/index.js');
    const platform = createPlatform({ effectDelay: 0 });
    const frames: unknown[] = [];
    platform.setBroadcaster((plugin, channel, frame) => frames.push([plugin, channel, frame]));
    const backend = platform.plugin('kit', {
      default: {
        routes: { 'POST /notes/<id>': ({ params, body }, p) => (p.broadcast(`note-${params.id}`, { got: body }), { status: 202, body: { ok: true } }) },
        sockets: { 'note-<id>': ({ params }) => params.id === '1' },
      },
    });
    expect(await backend.handle({ method: 'POST', path: '/notes/1', body: { a: 1 }, staff: platform.staff })).toMatchObject({ status: 202, body: '{"ok":true}', matched: true });
    expect(frames).toEqual([['kit', 'note-1', '{"message":{"got":{"a":1}}}']]);
    expect(await backend.handle({ method: 'POST', path: '/notes/1', staff: null })).toMatchObject({ status: 401 });
    expect(await backend.handle({ method: 'GET', path: '/elsewhere', staff: platform.staff })).toMatchObject({ status: 404, matched: false });
    expect(await backend.authorize({ channel: 'note-1', staff: platform.staff })).toEqual({ allowed: true, reason: '' });
    expect((await backend.authorize({ channel: 'note-2', staff: platform.staff })).allowed).toBe(false);
    expect((await backend.authorize({ channel: 'note-1', staff: null })).reason).toBe('no staff session');
    const patient = await backend.platform.apply({ type: 'CREATE_PATIENT', data: { first_name: 'Kit', last_name: 'Test', birthdate: '2000-01-01' } }, { after: 0 });
    expect(platform.patients.find({ last_name: 'test' })).toEqual([patient]);
    platform.close();
  });

  it('explains a malformed mock module before the server starts', async () => {
    const cases: [string, RegExp][] = [
      ["export const routes = { 'FETCH /x': () => 1 };", /route "FETCH \/x": expected "METHOD \/path"/],
      ["export const routes = { 'GET /x': 1 };", /must be a function \(request, platform\)/],
      ["export const sockets = { 'a b': () => true };", /socket rule "a b"/],
      ["export const launch = { Main: 42 };", /launch\["Main"\] must be a URL string/],
      ['export const routes = {', /could not load it/],
    ];
    for (const [i, [source, message]] of cases.entries()) {
      await expect(startHarness({ port: 0, pluginDirs: [{ dir: plugin(`bad${i}`, source) }], log: () => {} })).rejects.toThrow(message);
    }
  });

  it('answers routes as the contract says: JSON, status objects, files, 401, 404, 405, 400, 500 with one log line', async () => {
    const lines: string[] = [];
    const folder = plugin('edges', `
      export default {
        routes: {
          'GET /plain': () => ({ status: 'submitted', n: 1 }),
          'POST /echo/<id>': ({ params, body, query }) => ({ status: 201, body: { id: params.id, body, q: query.get('q') } }),
          'GET /text': () => ({ status: 418, body: 'teapot' }),
          'GET /nothing': () => undefined,
          'GET /page': ({ staff }) => ({ file: 'page.html', context: { who: '<' + staff.name + '>' } }),
          'GET /escape': () => ({ file: '../outside.html' }),
          'GET /boom': () => { throw new Error('kaboom'); },
        },
        launch: { Main: ({ patient }) => '/plugin-io/api/edges/page' },
      };`);
    const harness = await startHarness({ port: 0, pluginDirs: [{ dir: folder }], log: (line) => lines.push(line) });
    try {
      const cookie = (await fetch(harness.url)).headers.get('set-cookie')!.split(';')[0]!;
      const call = async (path: string, init: RequestInit = {}) => {
        const response = await fetch(`${harness.origin}/plugin-io/api/edges${path}`, { ...init, headers: { cookie, ...init.headers } });
        return [response.status, await response.text(), response.headers.get('content-type')] as const;
      };
      expect(await call('/plain')).toEqual([200, '{"status":"submitted","n":1}', 'application/json']);
      expect(await call('/echo/7?q=x', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' })).toEqual([201, '{"id":"7","body":{"a":1},"q":"x"}', 'application/json']);
      expect(await call('/echo/7', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' })).toEqual([400, 'The request body is not valid JSON (Content-Type says JSON)\n', 'text/plain; charset=utf-8']);
      expect(await call('/text')).toEqual([418, 'teapot', 'text/plain; charset=utf-8']);
      expect((await call('/nothing'))[0]).toBe(204);
      expect(await call('/page')).toEqual([200, '<p>&#60;Dr. Ada Moreno&#62;</p>', 'text/html; charset=utf-8']);
      expect((await call('/escape'))[0]).toBe(500);
      expect(await call('/boom')).toEqual([500, 'The mock\'s route "GET /boom" threw (see the harness\'s terminal)\n', 'text/plain; charset=utf-8']);
      expect(lines.filter((line) => line.includes('kaboom'))).toHaveLength(1);
      expect((await call('/plain', { method: 'DELETE' }))[0]).toBe(405);
      expect((await call('/missing'))[0]).toBe(404);
      // The folder's own files only through a route, as on Canvas: this mock declares none for page.html.
      expect((await call('/page.html'))[0]).toBe(404);
      expect((await fetch(`${harness.origin}/plugin-io/api/edges/plain`)).status).toBe(401);
      // The manifest's non-companion application is not shown; an icon outside the folder is not served.
      expect(harness.apps.map((app) => [app.title, app.icon_url])).toEqual([['Main', null], ['Spare', null]]);
      expect(lines.some((line) => /skipped Desk \(scope global\)/.test(line))).toBe(true);
      expect(lines.some((line) => /skipped icon \.\.\/outside\.png of Spare/.test(line))).toBe(true);
      // An application without a launch URL says what to add, at start and when opened.
      expect(lines.some((line) => /"Spare" has no launch URL yet/.test(line))).toBe(true);
      const launch = async (query: string) => {
        const response = await fetch(`${harness.origin}/companion/api/launch?${query}`, { headers: { cookie } });
        return [response.status, await response.json()];
      };
      expect(await launch('app=edges:global:main')).toEqual([200, { url: '/plugin-io/api/edges/page' }]);
      const [status, body] = await launch(`app=edges:patient:spare&patient_id=${MARIA}`);
      expect([status, body.error]).toEqual([422, expect.stringMatching(/No launch URL for "Spare": add launch: \{ 'edges\.apps:Spare'/)]);
    } finally {
      await harness.close();
    }
  });

  it('takes a manifest application\'s launch URL from --app, with {patient_id} filled in', async () => {
    const folder = plugin('by_option', '');
    const harness = await startHarness({ port: 0, pluginDirs: [{ dir: folder }], apps: [{ plugin: 'by_option', scope: 'patient', title: 'Spare', path: '/app/spare?id={patient_id}' }], log: () => {} });
    try {
      const cookie = (await fetch(harness.url)).headers.get('set-cookie')!.split(';')[0]!;
      expect(harness.apps.map((app) => app.title)).toEqual(['Main', 'Spare']);
      const response = await fetch(`${harness.origin}/companion/api/launch?app=by_option:patient:spare&patient_id=${MARIA}`, { headers: { cookie } });
      expect(await response.json()).toEqual({ url: `/plugin-io/api/by_option/app/spare?id=${MARIA}` });
    } finally {
      await harness.close();
    }
  });

  it("vendor copies what a page loads into the plugin folder's static/, found from the repository, and prints the route that serves it", async () => {
    // A repository in the published layout: repo/NAME/CANVAS_MANIFEST.json.
    const repo = join(dir, 'vendor-repo');
    const folder = join(repo, 'vendored');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'CANVAS_MANIFEST.json'), JSON.stringify({ name: 'vendored', components: {} }));
    // --no-build: this test is about copying; the build has its own (another edit of src/ may be under way).
    const { code, out } = await run(['vendor', '--no-build'], repo);
    expect(code).toBe(0);
    expect(readdirSync(join(folder, 'static'))).toEqual(['canvas-companion.mjs', 'canvas-companion.umd.min.js']);
    for (const file of ['canvas-companion.mjs', 'canvas-companion.umd.min.js']) {
      expect(readFileSync(join(folder, 'static', file))).toEqual(readFileSync(join(ROOT, 'dist', file)));
    }
    expect(out).toMatch(/^Copied canvas-companion\.mjs, canvas-companion\.umd\.min\.js \(canvas-companion \d+\.\d+\.\d+\S*\) into vendored\/static\//);
    expect(out).toContain('class CompanionStatic(StaffSessionAuthMixin, SimpleAPI):');
    expect(out).toContain('LIBRARY = {"canvas-companion.mjs", "canvas-companion.umd.min.js"}');
    expect(out).toContain('content_type="text/javascript; charset=utf-8"');
    expect(out).toContain('render_to_string(f"static/{name}")');
    expect(out).toContain('/plugin-io/api/vendored/static/canvas-companion.umd.min.js?v={{ v }}');

    // What the author asks for besides; and a folder inside the plugin is taken as it is.
    expect((await run(['vendor', '--with', 'canvas-companion.umd.js', 'vendored', '--no-build'], repo)).code).toBe(0);
    expect(readdirSync(join(folder, 'static'))).toEqual(['canvas-companion.mjs', 'canvas-companion.umd.js', 'canvas-companion.umd.min.js']);
    mkdirSync(join(folder, 'static', 'lib'));
    const inside = await run(['vendor', 'static/lib', '--no-build'], folder);
    expect(inside.out).toContain('into static/lib/');
    expect(inside.out).toContain('render_to_string(f"static/lib/{name}")');
    expect(readdirSync(join(folder, 'static', 'lib'))).toEqual(['canvas-companion.mjs', 'canvas-companion.umd.min.js']);

    const empty = mkdtempSync(join(tmpdir(), 'vendor-empty-'));
    try {
      const failures = [
        [['vendor', empty, '--no-build'], /^canvas-companion: vendor: \S+: no CANVAS_MANIFEST\.json there, in a subfolder or above: give your plugin folder/],
        [['vendor', join(dir, 'nope'), '--no-build'], /^canvas-companion: vendor: \S+nope: no such folder$/],
        [['vendor', '--with', 'canvas-companion.umd.jss', repo, '--no-build'], /--with canvas-companion\.umd\.jss: not a file vendor adds: did you mean canvas-companion\.umd\.js\?/],
        [['vendor', 'a', 'b'], /^canvas-companion: vendor: stray argument b: vendor takes one folder \(a already\)/],
      ] as const;
      for (const [args, message] of failures) {
        const { code: status, err } = await run([...args]);
        expect(status, args.join(' ')).toBe(2);
        expect(err.trimEnd()).toMatch(message);
        expect(err.trimEnd().split('\n'), err).toHaveLength(1);
      }
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('the command line: --help everywhere, one line per error, the nearest name for a typo', () => {
  it('prints the help of every command with exit status 0', async () => {
    const helps = [
      [['--help'], /^Usage:\n {2}canvas-companion init/], [['help'], /^Usage:/], [['-h'], /^Usage:/],
      [['harness', '--help'], /^Usage: npx canvas-companion harness/], [['help', 'harness'], /^Usage: npx canvas-companion harness/],
      [['init', '--help'], /^Usage: npx canvas-companion init/], [['help', 'init'], /^Usage: npx canvas-companion init/],
      [['vendor', '-h'], /^Usage: npx canvas-companion vendor/], [['help', 'vendor'], /^Usage: npx canvas-companion vendor/],
      [['build', '--help'], /^Usage: canvas-companion build/], [['help', 'build'], /^Usage: canvas-companion build/],
    ] as const;
    for (const [args, usage] of helps) {
      const { code, out, err } = await run([...args]);
      expect(code, args.join(' ')).toBe(0);
      expect(out, args.join(' ')).toMatch(usage);
      expect(err).toBe('');
    }
  });

  it('says what is wrong in one line, with the nearest option or command, and names stray arguments as such', async () => {
    const errors = [
      [['harness', '--plugin-dri', 'x'], /^canvas-companion: harness: unknown option --plugin-dri: did you mean --plugin-dir\? \(see --help\)/],
      [['harness', 'nothing_here'], /^canvas-companion: harness: stray argument nothing_here: the harness takes options only/],
      [['harness', 'test'], /^canvas-companion: harness: stray argument test: for a plugin folder write --plugin-dir test/],
      [['harnes'], /^canvas-companion: unknown command harnes: did you mean harness\? \(canvas-companion --help lists the commands\)$/],
      [['vendr', '.'], /^canvas-companion: unknown command vendr: did you mean vendor\?/],
      [['frobnicate'], /^canvas-companion: unknown command frobnicate \(canvas-companion --help lists the commands\)$/],
      [['help', 'inti'], /^canvas-companion: unknown command inti: did you mean init\?/],
      [['init', '--scope', 'global'], /^canvas-companion: init: unknown option --scope: did you mean --scopes\?/],
      [['init', '--scopes', 'global,pateint'], /^canvas-companion: init: --scopes global,pateint: "pateint" is not a companion scope: did you mean patient\?/],
      [['init', 'a', 'b'], /^canvas-companion: init: stray argument b: init takes one folder \(a already\)/],
      [['init', '--no-live=yes'], /^canvas-companion: init: --no-live takes no value/],
      [['vendor', '--wiht', 'canvas-companion.umd.js'], /^canvas-companion: vendor: unknown option --wiht: did you mean --with\?/],
      [['build', 'now'], /^canvas-companion: build: stray argument now: build takes no arguments$/],
    ] as const;
    for (const [args, message] of errors) {
      const { code, out, err } = await run([...args]);
      expect(code, args.join(' ')).toBe(2);
      expect(err.trimEnd(), args.join(' ')).toMatch(message);
      expect(err.trimEnd().split('\n'), err).toHaveLength(1);
      expect(out).toBe('');
    }
  });
});

describe('docs/harness.md shows the two measured mocks as they are', () => {
  const readme = readFileSync(join(ROOT, 'docs', 'harness.md'), 'utf8');
  it.each([
    ['register_patient', 60],
    ['patient_messages', 80],
  ])('%s/harness.mock.mjs is under %i lines and in docs/harness.md verbatim, with its line count', (name, limit) => {
    const source = readFileSync(join(FIXTURES, name, 'harness.mock.mjs'), 'utf8');
    const lines = source.trimEnd().split('\n').length;
    expect(lines).toBeLessThan(limit);
    expect(readme).toContain(source.trimEnd());
    expect(readme).toContain(`test/fixtures/${name}/harness.mock.mjs`);
    expect(readme).toMatch(new RegExp(`${lines} lines\\s*\\(\\[\`test/fixtures/${name}/harness\\.mock\\.mjs\`\\]`));
  });
});

describe.runIf(haveChromium())('plugin folders in Chromium at 390×844', () => {
  let harness: Harness;
  let browser: Browser;
  const lines: string[] = [];
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    harness = await startHarness({ port: 0, effectDelay: 300, pluginDirs: [{ dir: REGISTER_DIR }, { dir: MESSAGES_DIR }], log: (line) => lines.push(line) });
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await harness?.close();
  });

  const open = (path = '') => openShellPage(browser, harness.url + path, contexts);

  const openApp = openShellApp;

  /** The page's own port variable (its hand-written INIT_CHANNEL listener sets it). */
  const hasPort = (frame: Frame) => frame.evaluate<boolean>('typeof messagePort !== "undefined" && messagePort !== null').catch(() => false);
  const text = (frame: Frame | Page, selector: string) => frame.locator(selector).first().textContent();
  const iconsLoaded = (page: Page, selector: string) =>
    page.locator(selector).evaluateAll((images) => images.map((image) => (image as HTMLImageElement).complete && (image as HTMLImageElement).naturalWidth > 0));

  it('shows each application in its scope with its manifest icon, and no demo apps', async () => {
    const { page, errors } = await open();
    expect(await page.locator('.app-tile .app-name').allTextContents()).toEqual(['Register Patient', 'Messages']);
    await expect.poll(() => iconsLoaded(page, '.app-tile img.app-icon'), poll).toEqual([true, true]);
    await page.screenshot({ path: shot('home') });
    await page.goto(`${harness.url}patient/${MARIA}/`);
    await expect.poll(() => page.locator('.tab').allTextContents(), poll).toEqual(['Timeline', 'Messages']);
    await expect.poll(() => iconsLoaded(page, '.tab img.tab-icon'), poll).toEqual([true]);
    await page.goto(`${harness.url}patient/${MARIA}/?note=${NOTE}`);
    await expect.poll(() => page.locator('.tab').allTextContents(), poll).toEqual(['Note', 'Messages']);
    await page.screenshot({ path: shot('note-tabs') });
    expect(errors).toEqual([]);
  });

  it('loads each app at exactly its launch URL, hands over the port, and closes on CLOSE_MODAL', async () => {
    const { page, errors } = await open();
    const cases = [
      ['', INBOX, ''],
      [`patient/${MARIA}/`, THREAD, `?patient_id=${MARIA}`],
      [`patient/${MARIA}/?note=${NOTE}`, NOTE_THREAD, `?patient_id=${MARIA}&note_id=${NOTE}`],
    ] as const;
    for (const [path, id, search] of cases) {
      await page.goto(harness.url + path);
      const frame = await openApp(page, id);
      await expect.poll(() => hasPort(frame), poll).toBe(true);
      expect(frame.url()).toBe(`${harness.origin}/plugin-io/api/patient_messages/app/messages${search}`);
      // The page hides its own header where the shell shows the patient.
      expect(await frame.locator('#header').isVisible()).toBe(search === '');
      await frame.locator('#close').click();
      await expect.poll(() => page.locator('.sheet').count(), poll).toBe(0);
      expect(await page.locator(`#log-list li[data-dir="in"][data-type="CLOSE_MODAL"][data-app="${id}"]`).count()).toBe(1);
    }
    expect(errors).toEqual([]);
  });

  it('registers a patient: 202, find, then the companion lands on the new patient page; a second try gets 409', async () => {
    const { page, errors } = await open();
    const frame = await openApp(page, REGISTER);
    await expect.poll(() => hasPort(frame), poll).toBe(true);
    const last = `Lovelace${process.pid}`;
    await frame.locator('input[name="first_name"]').fill('Ada');
    await frame.locator('input[name="last_name"]').fill(last);
    await frame.locator('input[name="birth_date"]').fill('1985-12-10');
    await page.screenshot({ path: shot('register-filled') });
    await frame.locator('#submit').click();
    await page.waitForURL(/\/companion\/patient\/[\da-f]{32}\/$/, { timeout: 10_000 });
    const id = new URL(page.url()).pathname.split('/')[3]!;
    expect(harness.platform.patients.get(id)).toMatchObject({ first_name: 'Ada', last_name: last, birth_date: '1985-12-10' });
    await expect.poll(() => text(page, '[data-testid="patient-name"]'), poll).toBe(`Ada ${last}`);
    expect(await page.locator('.card h2', { hasText: 'Page not found' }).count()).toBe(0);
    await page.screenshot({ path: shot('register-landed') });

    await page.goto(harness.url);
    const again = await openApp(page, REGISTER);
    await again.locator('input[name="first_name"]').fill('Ada');
    await again.locator('input[name="last_name"]').fill(last);
    await again.locator('input[name="birth_date"]').fill('1985-12-10');
    await again.locator('#submit').click();
    await expect.poll(() => text(again, '#status'), poll).toBe('This patient is already registered');
    await page.screenshot({ path: shot('register-duplicate') });
    expect(errors).toEqual([]);
  });

  it('delivers a broadcast live: a message sent in a patient thread shows there and in the inbox', async () => {
    const { context, page: a, errors } = await open(`patient/${MARIA}/`);
    const b = await context.newPage();
    await b.goto(harness.url);
    const thread = await openApp(a, THREAD);
    const inbox = await openApp(b, INBOX);
    await expect.poll(() => thread.locator('#live').getAttribute('data-status'), poll).toBe('live');
    await expect.poll(() => inbox.locator('#live').getAttribute('data-status'), poll).toBe('live');
    const words = `BP log reviewed ${process.pid}`;
    await thread.locator('#text').fill(words);
    await thread.locator('#send button').click();
    await expect.poll(() => thread.locator('li', { hasText: words }).count(), poll).toBe(1);
    await expect.poll(() => inbox.locator('li', { hasText: words }).count(), poll).toBe(1);
    expect(await text(inbox, `li:has-text("${words}") small`)).toBe('Dr. Ada Moreno about Maria Gonzalez');
    await a.screenshot({ path: shot('broadcast-thread') });
    await b.screenshot({ path: shot('broadcast-inbox') });
    expect(errors).toEqual([]);
  });

  it('drops the plugin socket when the session expires (close code 1006); later requests carry no user', async () => {
    const { page, errors } = await open(`patient/${MARIA}/`);
    const thread = await openApp(page, THREAD);
    await expect.poll(() => thread.locator('#live').getAttribute('data-status'), poll).toBe('live');
    const channel = `patient-${MARIA}`;
    const before = harness.sockets('patient_messages', channel);
    expect(before).toBeGreaterThanOrEqual(1);
    const closed = thread.evaluate<number>('new Promise((resolve) => socket.addEventListener("close", (event) => resolve(event.code), { once: true }))');
    await page.locator('[data-action="menu"]').click();
    await page.locator('[data-action="expire"]').click();
    expect(await closed).toBe(1006);
    await expect.poll(() => thread.locator('#live').getAttribute('data-status'), poll).toBe('offline');
    await expect.poll(() => harness.sockets('patient_messages', channel), poll).toBe(before - 1);
    await thread.locator('#text').fill('after expiry');
    await thread.locator('#send button').click();
    await expect.poll(() => text(thread, '#error'), poll).toBe('Your session has ended. Sign in again.');
    // Its reconnects are refused (403), with a line that says why.
    await expect.poll(() => lines.some((line) => line.includes(`403 WebSocket /plugin-io/ws/patient_messages/${channel}/: no staff session`)), poll).toBe(true);
    await page.screenshot({ path: shot('session-expired') });
    expect(errors).toEqual([]);
  });

  it('shows a patient renamed by an effect in the shell header, live', async () => {
    const { page, errors } = await open(`patient/${AIKO}/`);
    await expect.poll(() => text(page, '[data-testid="patient-name"]'), poll).toBe('Aiko Tanaka');
    await harness.platform.apply({ type: 'UPDATE_PATIENT', data: { patient_id: AIKO, last_name: 'Sato' } }, { after: 0 });
    await expect.poll(() => text(page, '[data-testid="patient-name"]'), poll).toBe('Aiko Sato');
    expect(errors).toEqual([]);
  });
});
