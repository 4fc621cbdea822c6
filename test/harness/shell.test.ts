/**
 * The companion harness (src/harness/) end to end, in real Chromium at phone size (390×844): the shell
 * plays the host (INIT_CHANNEL, CLOSE_MODAL, RESIZE, NOTE_TAB_CHANGE), the demo plugin (a plugin
 * folder with its own harness.mock.mjs) runs on the built library against the mock platform
 * (session cookie, delayed effects, WebSocket channels), and `--plugin` proxies to a server of the
 * test's own. Screenshots go to test-results/harness/ (not committed).
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { DEMO_PLUGIN_DIR, nearest, parseApp, parseArgs, parsePlugin, startHarness, type Harness } from '../../src/harness/index.js';
import { haveChromium, launchChromium, openShellApp, openShellPage, ROOT } from '../support/browser.js';

const ME = '5f0a2c613b7e4d0a9c550c8e1a6b2d11';
const OTHER_STAFF = '9b3d7e426a1f4c8b8e274f5a9d0c3e22';
const MARIA = '3e1f7a528c4d4b6ea1f02d9c8b7a6e51';
const NOTE = '0c0ffee0-0000-4000-8000-000000000001';
const TASKS_GLOBAL = 'demo_plugin:global:my-tasks';
const REGISTER = 'demo_plugin:global:register-patient';
const TASKS_PATIENT = 'demo_plugin:patient:tasks';
const VITALS = 'demo_plugin:note:vitals';
const LIBRARY = '/plugin-io/api/demo_plugin/static/canvas-companion.mjs';
const SHOTS = join(ROOT, 'test-results', 'harness');
const BIN = join(ROOT, 'bin', 'canvas-companion.mjs');
const FIXTURES = join(ROOT, 'test', 'fixtures');
const shot = (name: string) => join(SHOTS, `harness-${name}.png`);
const poll = { timeout: 10_000, interval: 100 };

/** The author's page for --plugin: raw handshake code (no library), its user header, and a WebSocket. */
const UPSTREAM_PAGE = (user: string) => `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>mine</title></head><body><h1>My plugin</h1><p id="user">${user}</p><p id="ws">waiting</p><button id="close" style="min-height:44px">Close</button>
<script>
  window.got = { port: null, ws: null, closed: null };
  addEventListener('message', (e) => {
    if (e.data && e.data.type === 'INIT_CHANNEL' && e.source === parent && e.origin === location.origin && e.ports[0]) {
      got.port = e.ports[0];
      got.port.start();
    }
  });
  const ws = new WebSocket('ws://' + location.host + '/plugin-io/ws/my_plugin/echo/');
  ws.onmessage = (e) => { got.ws = JSON.parse(e.data).message; document.getElementById('ws').textContent = e.data; };
  ws.onclose = (e) => { got.closed = e.code; };
  document.getElementById('close').onclick = () => got.port.postMessage({ type: 'CLOSE_MODAL' });
</script></body></html>`;

interface Upstream {
  server: Server;
  origin: string;
  seen: { path: string; user: string | null }[];
}

async function startUpstream(): Promise<Upstream> {
  const seen: Upstream['seen'] = [];
  const server = createServer((request, response) => {
    const user = (request.headers['canvas-logged-in-user-id'] as string | undefined) ?? null;
    seen.push({ path: request.url ?? '', user });
    if (request.url?.startsWith('/plugin-io/api/my_plugin/app/page')) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(UPSTREAM_PAGE(user ?? 'no user'));
    } else response.writeHead(404).end();
  });
  const wss = new WebSocketServer({ server, path: '/plugin-io/ws/my_plugin/echo/' });
  wss.on('connection', (socket, request) => {
    socket.send(JSON.stringify({ message: { hello: 'upstream', user: request.headers['canvas-logged-in-user-id'] ?? null } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A WebSocket upgrade's outcome: 101 when it opened, else the HTTP status that refused it. */
function upgrade(url: string, cookie?: string): Promise<{ status: number; socket?: WebSocket }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers: cookie ? { cookie } : {} });
    socket.on('open', () => resolve({ status: 101, socket }));
    socket.on('unexpected-response', (request, response) => {
      resolve({ status: response.statusCode ?? 0 });
      request.destroy();
    });
    socket.on('error', (error) => reject(error));
  });
}

describe('companion harness: options and the mock platform', () => {
  let harness: Harness;
  let cookie: string;
  const lines: string[] = [];

  beforeAll(async () => {
    harness = await startHarness({ port: 0, effectDelay: 300, log: (line) => lines.push(line) });
    const response = await fetch(harness.url);
    cookie = response.headers.get('set-cookie')!.split(';')[0]!;
  });
  afterAll(() => harness?.close());

  it('parses --plugin, --app and --apps, and says what is wrong with a bad one', async () => {
    expect(parsePlugin('my_plugin=http://127.0.0.1:8000/')).toEqual({ name: 'my_plugin', url: 'http://127.0.0.1:8000' });
    expect(() => parsePlugin('my_plugin')).toThrow(/NAME=URL/);
    expect(() => parsePlugin('my-plugin=http://127.0.0.1:8000')).toThrow(/letters, digits and _/);
    expect(() => parsePlugin('x=ftp://127.0.0.1')).toThrow(/http:\/\//);
    expect(() => parsePlugin('x=http://127.0.0.1:8000/base')).toThrow(/only the origin/);
    expect(parseApp('my_plugin:patient:Plan: v2:/app/plan?x=1')).toEqual({ plugin: 'my_plugin', scope: 'patient', title: 'Plan: v2', path: '/app/plan?x=1' });
    expect(parseApp('my_plugin:provider_companion_note_specific:Scribe:/plugin-io/api/my_plugin/app/s').path).toBe('/app/s');
    expect(() => parseApp('my_plugin:chart:X:/a')).toThrow(/global, patient, note/);
    expect(() => parseApp('my_plugin:global:/a')).toThrow(/NAME:SCOPE:TITLE:PATH/);
    expect(() => parseApp('my_plugin:global:X:/plugin-io/api/other/a')).toThrow(/outside/);
    await expect(parseArgs(['--port'], {})).rejects.toThrow(/needs a value/);
    await expect(parseArgs(['--verbose'], {})).rejects.toThrow(/unknown option --verbose/);
    await expect(parseArgs([], { PORT: 'abc' })).rejects.toThrow(/PORT/);
    await expect(parseArgs(['--apps', 'no-such-file.json'], {})).rejects.toThrow(/no such file/);
    const fromFile = await parseArgs(['--apps', join(ROOT, 'docs', 'apps.example.json'), '--port=0'], {});
    expect(fromFile.plugins).toEqual([{ name: 'my_plugin', url: 'http://127.0.0.1:8000' }]);
    expect(fromFile.apps.map((app) => app.scope)).toEqual(['global', 'patient', 'note']);
    expect(fromFile.port).toBe(0);
    await expect(startHarness({ port: 0, apps: [{ plugin: 'ghost', scope: 'global', title: 'G', path: '/' }], log: () => {} })).rejects.toThrow(/--plugin ghost=URL/);
  });

  it('parses --plugin-dir and --mock, pairing each mock with its folder, and refuses what does not exist', async () => {
    const register = join(FIXTURES, 'register_patient');
    const messages = join(FIXTURES, 'patient_messages');
    const mock = join(messages, 'harness.mock.mjs');
    const parsed = await parseArgs(['--plugin-dir', register, '--plugin-dir', messages, '--mock', mock, '--demo', '--no-build'], {});
    expect(parsed.pluginDirs).toEqual([{ dir: register, mock: null }, { dir: messages, mock }]);
    expect([parsed.demo, parsed.build]).toEqual([true, false]);
    // A --mock before any --plugin-dir belongs to the next one.
    expect((await parseArgs(['--mock', mock, '--plugin-dir', messages], {})).pluginDirs).toEqual([{ dir: messages, mock }]);
    // The repository root holds no manifest, and several plugins below it: say which to pick.
    await expect(parseArgs(['--plugin-dir', FIXTURES], {})).rejects.toThrow(/several plugins inside \(.*register_patient/);
    await expect(parseArgs(['--plugin-dir', join(ROOT, 'src')], {})).rejects.toThrow(/no CANVAS_MANIFEST\.json there/);
    await expect(parseArgs(['--plugin-dir', join(ROOT, 'nope')], {})).rejects.toThrow(/no such folder/);
    await expect(parseArgs(['--plugin-dir', messages, '--mock', 'nope.mjs'], {})).rejects.toThrow(/--mock nope\.mjs: no such file/);
    await expect(parseArgs(['--mock', mock], {})).rejects.toThrow(/no --plugin-dir to go with it/);
    await expect(parseArgs(['--plugin-dir', messages, '--mock', mock, '--mock', mock], {})).rejects.toThrow(/has a mock already/);
    await expect(parseArgs(['--demo=yes'], {})).rejects.toThrow(/takes no value/);
  });

  it('names the nearest option for a typo, and a stray argument as such', async () => {
    await expect(parseArgs(['--plugin-dri', 'x'], {})).rejects.toThrow(/^unknown option --plugin-dri: did you mean --plugin-dir\? \(see --help\)$/);
    await expect(parseArgs(['--efect-delay=5'], {})).rejects.toThrow(/^unknown option --efect-delay: did you mean --effect-delay\?/);
    await expect(parseArgs(['--PORT', '1'], {})).rejects.toThrow(/did you mean --port\?/);
    await expect(parseArgs(['--quiet'], {})).rejects.toThrow(/^unknown option --quiet \(see --help\)$/);
    await expect(parseArgs(['oops'], {}, ROOT)).rejects.toThrow(/^stray argument oops: the harness takes options only \(see --help\)$/);
    // A folder given bare was most likely meant as the plugin folder.
    await expect(parseArgs(['test'], {}, ROOT)).rejects.toThrow(/^stray argument test: for a plugin folder write --plugin-dir test/);
    await expect(parseArgs(['--port', '0', 'test'], {}, ROOT)).rejects.toThrow(/stray argument test/);
    expect(nearest('--plugn', ['--plugin', '--plugin-dir', '--port'])).toBe('--plugin');
    expect(nearest('harnes', ['harness', 'init', 'vendor'])).toBe('harness');
    expect(nearest('--verbose', ['--plugin', '--port', '--demo'])).toBeNull();
  });

  it('takes the plugin of the current folder when none is given: its manifest, else each subfolder with one, else the demo', async () => {
    // A repository of plugins, each in its folder as published: the two fixture plugins and a
    // folder without a manifest (a copy, so that other fixtures added to test/fixtures do not count).
    const plugins = mkdtempSync(join(tmpdir(), 'harness-repo-'));
    try {
      for (const name of ['register_patient', 'patient_messages']) cpSync(join(FIXTURES, name), join(plugins, name), { recursive: true });
      mkdirSync(join(plugins, 'docs'));
      writeFileSync(join(plugins, 'docs', 'README.md'), '# Not a plugin\n');
      const register = join(plugins, 'register_patient');
      expect((await parseArgs([], {}, register)).pluginDirs).toEqual([{ dir: register, mock: null }]);
      expect((await parseArgs(['--port=0'], {}, plugins)).pluginDirs.map((entry) => entry.dir)).toEqual([join(plugins, 'patient_messages'), register]);
      // This repository holds no plugin at its root nor one level down: the demo shows.
      expect((await parseArgs([], {}, ROOT)).pluginDirs).toEqual([]);
      // Given plugins are the only ones.
      expect((await parseArgs(['--plugin', 'mine=http://127.0.0.1:8000'], {}, plugins)).pluginDirs).toEqual([]);
      expect((await parseArgs(['--plugin-dir', register], {}, plugins)).pluginDirs).toEqual([{ dir: register, mock: null }]);
      // The mock is the one next to the manifest, also when the repository folder is given.
      const repo = await startHarness({ port: 0, pluginDirs: (await parseArgs([], {}, plugins)).pluginDirs, log: () => {} });
      try {
        expect(repo.apps.map((app) => app.plugin)).toEqual(['patient_messages', 'patient_messages', 'patient_messages', 'register_patient']);
      } finally {
        await repo.close();
      }
    } finally {
      rmSync(plugins, { recursive: true, force: true });
    }
  });

  it('shows the demo plugin only when no other plugin is given, or with demo: true', async () => {
    const dirs = [{ dir: join(FIXTURES, 'register_patient') }];
    const alone = await startHarness({ port: 0, pluginDirs: dirs, log: () => {} });
    const withDemo = await startHarness({ port: 0, pluginDirs: dirs, demo: true, log: () => {} });
    try {
      expect(alone.apps.map((app) => app.id)).toEqual(['register_patient:global:register-patient']);
      expect(withDemo.apps.map((app) => app.plugin)).toEqual(['demo_plugin', 'demo_plugin', 'demo_plugin', 'demo_plugin', 'register_patient']);
      expect([...withDemo.folders.values()]).toEqual([DEMO_PLUGIN_DIR, join(FIXTURES, 'register_patient')]);
    } finally {
      await alone.close();
      await withDemo.close();
    }
  });

  it('reports a port in use', async () => {
    await expect(startHarness({ port: harness.port, log: () => {} })).rejects.toThrow(new RegExp(`port ${harness.port} .* is in use`));
  });

  it('runs as the canvas-companion bin: prints the URL, stops on SIGTERM, exits 2 on a bad option before any build', async () => {
    const cli = spawn(process.execPath, [BIN, 'harness', '--no-build'], { env: { ...process.env, PORT: '0' } });
    let out = '';
    cli.stdout.on('data', (chunk) => (out += chunk));
    await expect.poll(() => out, poll).toMatch(/open http:\/\/127\.0\.0\.1:\d+\/companion\//);
    const url = /open (\S+)/.exec(out)![1]!;
    expect((await fetch(url)).status).toBe(200);
    cli.kill('SIGTERM');
    expect(await new Promise((resolve) => cli.on('exit', (code) => resolve(code)))).toBe(0);

    // Without --no-build: a stale dist/ would be rebuilt, but only after the options are checked.
    for (const [args, message] of [[['--plugin', 'nope'], /--plugin nope: expected NAME=URL/], [['--plugn'], /unknown option --plugn/]] as const) {
      const bad = spawn(process.execPath, [BIN, 'harness', ...args]);
      let err = '';
      let stdout = '';
      bad.stderr.on('data', (chunk) => (err += chunk));
      bad.stdout.on('data', (chunk) => (stdout += chunk));
      expect(await new Promise((resolve) => bad.on('exit', (code) => resolve(code)))).toBe(2);
      expect(err).toMatch(message);
      expect(stdout).not.toMatch(/building/);
    }
    const unknown = spawn(process.execPath, [BIN, 'harnes']);
    expect(await new Promise((resolve) => unknown.on('exit', (code) => resolve(code)))).toBe(2);
  });

  it('answers plugin routes 401 with a JSON error without the session cookie', async () => {
    const response = await fetch(`${harness.origin}/plugin-io/api/demo_plugin/app/tasks/data.json`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: expect.any(String) });
    const ok = await fetch(`${harness.origin}/plugin-io/api/demo_plugin/app/tasks/data.json`, { headers: { cookie } });
    expect(ok.status).toBe(200);
    expect((await ok.json()).channel).toBe(`staff-${ME}`);
    // No route in the plugin: 404 with a short text that says what was not found (Canvas's own 404 is empty).
    const missing = await fetch(`${harness.origin}/plugin-io/api/demo_plugin/app/nothing`, { headers: { cookie } });
    expect([missing.status, await missing.text()]).toEqual([404, "No route in demo_plugin's mock matches GET /app/nothing\n"]);
  });

  it('applies effects later: 202 with lookup params, and /find says null until the record lands', async () => {
    const create = await fetch(`${harness.origin}/plugin-io/api/demo_plugin/app/create`, {
      method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ first_name: 'Ida', last_name: 'Later', birth_date: '1980-02-03' }),
    });
    expect(create.status).toBe(202);
    const ack = await create.json();
    expect(ack.lookup_params).toEqual({ first_name: 'Ida', last_name: 'Later', birth_date: '1980-02-03' });
    const find = `${harness.origin}/plugin-io/api/demo_plugin/app/find?${new URLSearchParams({ ...ack.lookup_params, after: ack.lookup_started_at })}`;
    expect(await (await fetch(find, { headers: { cookie } })).json()).toEqual({ patient_id: null });
    await expect.poll(async () => (await (await fetch(find, { headers: { cookie } })).json()).patient_id, poll).toMatch(/^[\da-f]{32}$/);
  });

  it('answers 404 for unknown patients and notes, in the shell page and in its API', async () => {
    const status = async (path: string) => (await fetch(`${harness.origin}${path}`, { headers: { cookie } })).status;
    expect(await status(`/companion/patient/${MARIA}/`)).toBe(200);
    expect(await status(`/companion/patient/${MARIA}/?note=${NOTE}`)).toBe(200);
    expect(await status('/companion/patient/00000000000040008000000000000000/')).toBe(404);
    // A key matches exactly, as on Canvas: Maria's key dashed or in upper case is no patient.
    expect(await status('/companion/patient/3e1f7a52-8c4d-4b6e-a1f0-2d9c8b7a6e51/')).toBe(404);
    expect(await status(`/companion/patient/${MARIA.toUpperCase()}/`)).toBe(404);
    // A note of another patient is no note of this one.
    expect(await status(`/companion/patient/${MARIA}/?note=0c0ffee0-0000-4000-8000-000000000003`)).toBe(404);
    expect(await status('/companion/patient/not-a-uuid/')).toBe(404);
    expect(await status('/companion/nowhere/')).toBe(404);
    expect(await status('/companion/api/patients/00000000000040008000000000000000')).toBe(404);
    expect(await status(`/companion/api/launch?app=demo_plugin:note:vitals&patient_id=${MARIA}&note_id=0c0ffee0-0000-4000-8000-000000000003`)).toBe(404);
    // The launch URL is exactly what the mock's on_open gives: the note app gets both ids, the global one none.
    const launch = async (query: string) => (await (await fetch(`${harness.origin}/companion/api/launch?${query}`, { headers: { cookie } })).json()).url;
    expect(await launch(`app=demo_plugin:note:vitals&patient_id=${MARIA}&note_id=${NOTE}`)).toBe(`/plugin-io/api/demo_plugin/app/vitals?patient_id=${MARIA}&note_id=${NOTE}`);
    expect(await launch(`app=demo_plugin:global:my-tasks`)).toBe('/plugin-io/api/demo_plugin/app/tasks');
  });

  it('lands platform effects in the shell: a renamed patient, a command in a note, a completed task', async () => {
    const james = '7c2b9d145e3a4f8bb2c16a0e9d8f7c42';
    const jamesNote = '0c0ffee0-0000-4000-8000-000000000003';
    const shell = async () => (await fetch(`${harness.origin}/companion/api/patients/${james}`, { headers: { cookie } })).json();
    const { platform } = harness;
    const task = platform.tasks.list({ patient_id: james })[0]!;
    await Promise.all([
      platform.apply({ type: 'UPDATE_PATIENT', data: { patient_id: james, first_name: 'Jimmy' } }, { after: 0 }),
      platform.apply({ type: 'ORIGINATE_PLAN_COMMAND', data: { note_uuid: jamesNote, narrative: 'Recheck A1c in 3 months' } }, { after: 0 }),
      platform.apply({ type: 'UPDATE_TASK', data: { id: task.id, status: 'COMPLETED' } }, { after: 0 }),
    ]);
    const data = await shell();
    expect(data.patient.name).toBe('Jimmy Carter');
    expect(data.notes.find((n: { id: string }) => n.id === jamesNote).commands.at(-1)).toMatchObject({ type: 'Plan', text: 'Recheck A1c in 3 months' });
    expect(data.tasks.find((t: { id: string }) => t.id === task.id).status).toBe('COMPLETED');
    // A mistaken effect throws at once, where the route can see it.
    expect(() => platform.apply({ type: 'CREATE_PATIENT', data: { first_name: '', last_name: 'X', birthdate: '2000-01-01' } })).toThrow(/first_name/);
    expect(() => platform.apply({ type: 'launch_rockets' } as never)).toThrow(/unknown effect type/);
    // One that fails when it lands (the note was signed meanwhile) rejects and is logged; nothing crashes.
    const signed = '0c0ffee0-0000-4000-8000-000000000002';
    await expect(platform.apply({ type: 'ORIGINATE_PLAN_COMMAND', data: { note_uuid: signed, narrative: 'Too late' } }, { after: 0 })).rejects.toThrow(/signed/);
    expect(lines.some((line) => /effect ORIGINATE_PLAN_COMMAND failed when it landed/.test(line))).toBe(true);
  });

  it('upgrades the plugin WebSocket only for a channel the session may use, with the trailing slash', async () => {
    const ws = `ws://127.0.0.1:${harness.port}/plugin-io/ws/demo_plugin`;
    expect((await upgrade(`${ws}/staff-${ME}/`)).status).toBe(403);
    expect((await upgrade(`${ws}/staff-${OTHER_STAFF}/`, cookie)).status).toBe(403);
    expect((await upgrade(`${ws}/staff-${ME}`, cookie)).status).toBe(404);
    expect(lines.some((line) => line.includes('trailing slash'))).toBe(true);
    const { status, socket } = await upgrade(`${ws}/patient-${MARIA}/`, cookie);
    expect(status).toBe(101);
    const frame = new Promise<unknown>((resolve) => socket!.once('message', (data) => resolve(JSON.parse(String(data)))));
    const task = await fetch(`${harness.origin}/plugin-io/api/demo_plugin/app/tasks`, {
      method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ title: 'Socket check', patient_id: MARIA }),
    });
    expect(task.status).toBe(202);
    expect(await frame).toEqual({ message: { type: 'tasks_changed', task_id: expect.any(String) } });
    socket!.close();
  });
});

describe.runIf(haveChromium())('companion harness in Chromium at 390×844', () => {
  let harness: Harness;
  let upstream: Upstream;
  let browser: Browser;
  const lines: string[] = [];
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    upstream = await startUpstream();
    harness = await startHarness({
      port: 0,
      effectDelay: 400,
      demo: true,
      log: (line) => lines.push(line),
      plugins: [{ name: 'my_plugin', url: upstream.origin }, { name: 'gone_plugin', url: `http://127.0.0.1:${await closedPort()}` }],
      apps: [
        { plugin: 'my_plugin', scope: 'global', title: 'Mine', path: '/app/page' },
        { plugin: 'gone_plugin', scope: 'patient', title: 'Gone', path: '/app/' },
      ],
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await harness?.close();
    upstream?.server.closeAllConnections();
    await new Promise((resolve) => upstream?.server.close(resolve));
  });

  const open = (path = '') => openShellPage(browser, harness.url + path, contexts);

  const openApp = openShellApp;

  /** The library's own view, in the frame: has the host's port arrived? (A string, so vitest leaves its import() alone.) */
  const connected = (frame: Frame) => frame.evaluate<boolean>(`import('${LIBRARY}').then((lib) => lib.isHostConnected())`).catch(() => false);
  const text = (frame: Frame | Page, selector: string) => frame.locator(selector).first().textContent();

  it('opens each demo app in its scope and hands each its port with INIT_CHANNEL', async () => {
    const { page, errors } = await open();
    const cases = [
      ['', TASKS_GLOBAL, 'global'],
      ['', REGISTER, 'global'],
      [`patient/${MARIA}/`, TASKS_PATIENT, 'patient'],
      [`patient/${MARIA}/?note=${NOTE}`, VITALS, 'note'],
    ] as const;
    for (const [path, id, scope] of cases) {
      await page.goto(harness.url + path);
      const frame = await openApp(page, id);
      await expect.poll(() => connected(frame), poll).toBe(true);
      const url = new URL(frame.url());
      expect(url.searchParams.get('patient_id')).toBe(scope === 'global' ? null : MARIA);
      expect(url.searchParams.get('note_id')).toBe(scope === 'note' ? NOTE : null);
      expect(await frame.evaluate(() => document.documentElement.dataset.companionScope)).toBe(scope);
      // applyScope + CSS: the page's own header shows only where the shell shows no patient.
      expect(await frame.locator('.page-header').isVisible()).toBe(scope === 'global');
      expect(await page.locator(`#log-list li[data-dir="out"][data-type="INIT_CHANNEL"][data-app="${id}"]`).count()).toBe(1);
      await page.screenshot({ path: shot(`open-${id.replaceAll(':', '-')}`) });
    }
    expect(errors).toEqual([]);
  });

  it('closes the modal on CLOSE_MODAL and logs it', async () => {
    const { page, errors } = await open();
    const frame = await openApp(page, TASKS_GLOBAL);
    await expect.poll(() => connected(frame), poll).toBe(true);
    await expect.poll(() => frame.locator('.task').count(), poll).toBeGreaterThan(0);
    await page.locator('#log-toggle').click();
    await page.screenshot({ path: shot('log-open') });
    await frame.locator('#close').click();
    await expect.poll(() => page.locator('.sheet').count(), poll).toBe(0);
    expect(await page.locator('#log-list li[data-dir="in"][data-type="CLOSE_MODAL"]').count()).toBe(1);
    expect(await page.locator('#backdrop').isHidden()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('keeps the message log across shell navigation until it is cleared; the badge counts what it lists', async () => {
    const { page, errors } = await open();
    const frame = await openApp(page, TASKS_GLOBAL);
    await expect.poll(() => connected(frame), poll).toBe(true);
    await page.locator('.sheet-close').click();
    const listed = () => page.locator('#log-list li').count();
    const badge = async () => Number(await text(page, '#log-count'));
    const before = await listed();
    expect(before).toBeGreaterThanOrEqual(3);
    expect(await badge()).toBe(before);
    await page.getByRole('link', { name: /^Maria Gonzalez/ }).click();
    await page.waitForURL(`**/companion/patient/${MARIA}/`);
    await expect.poll(listed, poll).toBe(before);
    expect(await badge()).toBe(before);
    expect(await page.locator(`#log-list li[data-type="INIT_CHANNEL"][data-app="${TASKS_GLOBAL}"]`).count()).toBe(1);
    await page.locator('#log-toggle').click();
    await page.screenshot({ path: shot('log-after-navigation') });
    await page.locator('#log-clear').click();
    expect([await listed(), await badge()]).toEqual([0, 0]);
    await page.reload();
    await page.locator('.top .title').first().waitFor();
    expect([await listed(), await badge()]).toEqual([0, 0]);
    expect(errors).toEqual([]);
  });

  it('registers a patient: create, find, then the shell shows the new patient', async () => {
    const { page, errors } = await open();
    const frame = await openApp(page, REGISTER);
    await expect.poll(() => connected(frame), poll).toBe(true);
    const last = `Hopper${process.pid}`;
    await frame.locator('#first_name').fill('Grace');
    await frame.locator('#last_name').fill(last);
    await frame.locator('#birth_date').fill('1990-04-05');
    await page.screenshot({ path: shot('register-filled') });
    await frame.locator('#submit').click();
    await page.waitForURL(/\/companion\/patient\/[\da-f]{32}\/$/, { timeout: 10_000 });
    const id = new URL(page.url()).pathname.split('/')[3]!;
    expect(harness.platform.patients.get(id)).toMatchObject({ first_name: 'Grace', last_name: last });
    await expect.poll(() => text(page, '[data-testid="patient-name"]'), poll).toBe(`Grace ${last}`);
    expect(await page.locator('.sheet').count()).toBe(0);
    await page.screenshot({ path: shot('register-landed') });
    expect(errors).toEqual([]);
  });

  it('adds vitals from a note tab: RESIZE and NOTE_TAB_CHANGE, then CLOSE_MODAL and the note shows them', async () => {
    const { page, errors } = await open(`patient/${MARIA}/?note=${NOTE}`);
    expect(await text(page, '[data-testid="note-line"]')).toContain('Office visit');
    const frame = await openApp(page, VITALS);
    await expect.poll(() => connected(frame), poll).toBe(true);
    // The page asked for a short modal; the shell's header (patient, note) stays above it.
    await expect.poll(async () => (await page.locator('.sheet').boundingBox())?.height ?? 0, poll).toBeLessThan(500);
    await page.locator('[data-tab="note"]').click();
    expect(await page.locator('.sheet').isHidden()).toBe(true);
    await expect.poll(() => frame.evaluate(() => document.documentElement.dataset.noteTab), poll).toBe('note');
    await page.locator(`[data-tab="${VITALS}"]`).click();
    await expect.poll(() => frame.evaluate(() => document.documentElement.dataset.noteTab), poll).toBe(VITALS);
    await frame.locator('#bp_sys').fill('128');
    await frame.locator('#bp_dia').fill('82');
    await frame.locator('#pulse').fill('72');
    await page.screenshot({ path: shot('vitals-filled') });
    if (process.env.HARNESS_DOCS_SCREENSHOT) await page.screenshot({ path: join(ROOT, 'docs', 'harness-phone.png') });
    await frame.locator('#submit').click();
    await expect.poll(() => page.locator('.sheet').count(), poll).toBe(0);
    await expect.poll(() => text(page, '.command.vitals'), poll).toContain('BP 128/82 mmHg · Pulse 72 /min');
    await page.screenshot({ path: shot('vitals-in-note') });
    expect(errors).toEqual([]);
  });

  it('shows a task created in one page live in another (global and patient channels)', async () => {
    const { context, page: a, errors } = await open();
    const b = await context.newPage();
    await b.goto(`${harness.url}patient/${MARIA}/`);
    const mine = await openApp(a, TASKS_GLOBAL);
    const patient = await openApp(b, TASKS_PATIENT);
    await expect.poll(() => mine.locator('#live').getAttribute('data-status'), poll).toBe('open');
    await expect.poll(() => patient.locator('#live').getAttribute('data-status'), poll).toBe('open');
    const title = `Live task ${process.pid}`;
    await patient.locator('#title').fill(title);
    await patient.locator('#add button').click();
    const landed = (frame: Frame) => frame.locator('.task:not(.pending) .task-title', { hasText: title }).count();
    await expect.poll(() => landed(mine), poll).toBe(1);
    await expect.poll(() => landed(patient), poll).toBe(1);
    // The shell's own timeline, behind the modal, follows the mock data too.
    await expect.poll(() => text(b, '[data-testid="timeline-tasks"]'), poll).toContain(title);
    // Completing it in one page shows in the other.
    await mine.locator('.task', { hasText: title }).locator('input[type="checkbox"]').click();
    await expect.poll(() => patient.locator('.task.completed', { hasText: title }).count(), poll).toBe(1);
    await b.screenshot({ path: shot('live-patient') });
    await a.screenshot({ path: shot('live-global') });
    expect(errors).toEqual([]);
  });

  it('shows a clear message in the plugin page when the session cookie is gone or expired', async () => {
    const { context, page, errors } = await open();
    const frame = await openApp(page, TASKS_GLOBAL);
    await expect.poll(() => frame.locator('#live').getAttribute('data-status'), poll).toBe('open');
    await context.clearCookies();
    await frame.locator('#refresh').click();
    await expect.poll(() => frame.locator('#alert').isVisible(), poll).toBe(true);
    expect(await text(frame, '#alert')).toMatch(/session has ended/);
    expect(await frame.locator('.task').count()).toBeGreaterThan(0);
    await page.screenshot({ path: shot('session-cleared') });

    // Expired from the shell's menu: the socket drops, its reconnects get 403, the probe 401.
    const second = await open();
    const tasks = await openApp(second.page, TASKS_GLOBAL);
    await expect.poll(() => tasks.locator('#live').getAttribute('data-status'), poll).toBe('open');
    await second.page.locator('[data-action="menu"]').click();
    await second.page.locator('[data-action="expire"]').click();
    await expect.poll(() => text(second.page, '.banner'), poll).toMatch(/Session expired/);
    await expect.poll(() => tasks.locator('#live').getAttribute('data-status'), { ...poll, timeout: 20_000 }).toBe('unauthorized');
    await tasks.locator('#title').fill('After expiry');
    await tasks.locator('#add button').click();
    await expect.poll(() => text(tasks, '#alert'), poll).toMatch(/session has ended/);
    await second.page.screenshot({ path: shot('session-expired') });
    // Signing in again from the banner restores the plugin's routes.
    await second.page.locator('.banner [data-action="signin"]').click();
    await expect.poll(() => second.page.locator('.banner').count(), poll).toBe(0);
    await tasks.locator('#refresh').click();
    await expect.poll(() => tasks.locator('#alert').isHidden(), poll).toBe(true);
    expect([...errors, ...second.errors]).toEqual([]);
  });

  it('proxies --plugin pages and WebSockets to the author server, and explains an unreachable one', async () => {
    const { page, errors } = await open();
    const frame = await openApp(page, 'my_plugin:global:mine');
    // Same origin as the shell, with the session headers Canvas would add.
    await expect.poll(() => text(frame, '#user'), poll).toBe(ME);
    expect(new URL(frame.url()).origin).toBe(harness.origin);
    await expect.poll(() => frame.evaluate(() => (window as any).got.port !== null), poll).toBe(true);
    await expect.poll(() => frame.evaluate(() => (window as any).got.ws), poll).toEqual({ hello: 'upstream', user: ME });
    await page.screenshot({ path: shot('proxy') });
    await frame.locator('#close').click();
    await expect.poll(() => page.locator('.sheet').count(), poll).toBe(0);

    // Expiring the session drops the proxied socket too (1006), and later requests carry no user.
    const expiring = await open();
    const mine = await openApp(expiring.page, 'my_plugin:global:mine');
    await expect.poll(() => mine.evaluate(() => (window as any).got.ws), poll).toEqual({ hello: 'upstream', user: ME });
    await expiring.page.locator('[data-action="menu"]').click();
    await expiring.page.locator('[data-action="expire"]').click();
    await expect.poll(() => mine.evaluate(() => (window as any).got.closed), poll).toBe(1006);
    expect(await mine.evaluate(() => fetch('/plugin-io/api/my_plugin/app/page?after-expiry').then((r) => r.status))).toBe(200);
    expect(upstream.seen.find((entry) => entry.path.endsWith('?after-expiry'))).toEqual({ path: '/plugin-io/api/my_plugin/app/page?after-expiry', user: null });
    expect(expiring.errors).toEqual([]);

    // A forged session header from the browser never reaches the author's server.
    await fetch(`${harness.origin}/plugin-io/api/my_plugin/app/page?forged`, { headers: { 'canvas-logged-in-user-id': 'forged' } });
    expect(upstream.seen.find((entry) => entry.path.endsWith('?forged'))).toEqual({ path: '/plugin-io/api/my_plugin/app/page?forged', user: null });

    await page.goto(`${harness.url}patient/${MARIA}/`);
    const gone = await openApp(page, 'gone_plugin:patient:gone');
    await expect.poll(() => text(gone, 'h1'), poll).toBe('Could not reach your plugin server');
    expect(await text(gone, 'body')).toMatch(/nothing is listening there/);
    expect(lines.some((line) => /gone_plugin: could not reach http:\/\/127\.0\.0\.1:\d+ for GET \/plugin-io\/api\/gone_plugin\/app\//.test(line))).toBe(true);
    await page.screenshot({ path: shot('proxy-unreachable') });
    expect(errors).toEqual([]);
  });
});
