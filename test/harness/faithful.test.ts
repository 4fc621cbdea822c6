/**
 * Green in the harness means green on Canvas: a plugin's files are served only through its routes
 * (a mock's `files` line, a route's `{ file }`, a Python route that only renders a file), never its
 * manifest or mock; every route needs the staff session unless the mock marks it public; and only
 * requests for the harness's own address are answered (a foreign `Host` gets 421 before any
 * session, route, proxy or socket).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs, startHarness, type Harness } from '../../src/harness/index.js';
import { ROOT } from '../support/browser.js';
import { raw } from '../support/raw-http.js';


/** A plugin folder `name` under `dir`: a manifest with one global app, `files` (path → content), and the mock. */
function pluginFolder(dir: string, name: string, mock: string, files: Record<string, string> = {}): string {
  const folder = join(dir, name);
  for (const [path, content] of Object.entries({ ...files, 'harness.mock.mjs': mock })) {
    mkdirSync(join(folder, path, '..'), { recursive: true });
    writeFileSync(join(folder, path), content);
  }
  writeFileSync(join(folder, 'CANVAS_MANIFEST.json'), JSON.stringify({ name, components: { applications: [{ class: `${name}.apps:Main`, name: 'Main', scope: 'provider_companion_global' }] } }));
  return folder;
}

const PAGE = '<p>{{ who }}</p><p>{{ patient_id }}</p>';

describe('serving like Canvas: plugin files only through routes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'harness-faithful-'));
  const lines: string[] = [];
  let harness: Harness;
  let cookie: string;

  beforeAll(async () => {
    const common = { 'static/app.js': 'console.log("app");', 'static/app.css': 'p{}', 'templates/page.html': PAGE, 'handlers/api.py': '# not a handler' };
    // No files line: nothing of the folder is reachable but what a route answers.
    pluginFolder(dir, 'bare', `export const routes = { 'GET /app/page': ({ staff }) => ({ file: 'templates/page.html', context: { who: staff.name } }) };`, common);
    pluginFolder(dir, 'served', `
      export const files = { '/static/': 'static', '/': '.' };
      export const publicRoutes = ['POST /hook'];
      export const routes = {
        'POST /hook': ({ staff, body }) => ({ status: 202, body: { staff, got: body } }),
        'GET /private': ({ staff }) => ({ staff: staff.name }),
        'GET /manifest': () => ({ file: 'CANVAS_MANIFEST.json' }),
        'GET /mock': () => ({ file: 'harness.mock.mjs' }),
      };`, common);
    // A public files line, and a Python route that only renders a file (no mock line for it).
    pluginFolder(dir, 'from_python', `export const files = { '/pub/': 'public' }; export const publicRoutes = ['/pub/'];`, {
      'public/open.css': 'b{}',
      'static/main.js': 'export const main = "{{ nothing }}";',
      'handlers/__init__.py': '',
      'handlers/api.py': `
from canvas_sdk.effects.simple_api import Response
from canvas_sdk.handlers.simple_api import SimpleAPI, StaffSessionAuthMixin, api
from canvas_sdk.templates import render_to_string


class Files(StaffSessionAuthMixin, SimpleAPI):
    @api.get("/main.js")
    def main(self):
        """The page's script."""
        return [Response(render_to_string("static/main.js").encode(), content_type="text/javascript")]


class Open(SimpleAPI):
    def authenticate(self, credentials) -> bool:
        return True

    @api.get("/pub/<name>")
    def public(self):
        return [Response(render_to_string(f"public/{self.request.path_params['name']}").encode(), content_type="text/css")]
`,
    });
    harness = await startHarness({ port: 0, pluginDirs: ['bare', 'served', 'from_python'].map((name) => ({ dir: join(dir, name) })), log: (line) => lines.push(line) });
    cookie = (await fetch(harness.url)).headers.get('set-cookie')!.split(';')[0]!;
  });
  afterAll(async () => {
    await harness?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (path: string, init: RequestInit & { signedOut?: boolean } = {}) => {
    const response = await fetch(`${harness.origin}/plugin-io/api${path}`, { ...init, headers: init.signedOut ? init.headers : { cookie, ...init.headers } });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };
  const linesFor = (text: string) => lines.filter((line) => line.includes(text));

  it('answers 404 for a folder file no route serves, saying what Canvas needs, in the text and one log line', async () => {
    for (const file of ['static/app.js', 'templates/page.html', 'handlers/api.py']) {
      const { status, text } = await get(`/bare/${file}`);
      expect(status, file).toBe(404);
      expect(text).toContain(`No route of bare serves /${file}: on Canvas a plugin's files are reachable only through its routes`);
      expect(text).toContain('npx canvas-companion vendor prints one');
      expect(text).toContain(`export const files = { '/${file.split('/')[0]}/': '${file.split('/')[0]}' }`);
      expect(linesFor(`404 GET /plugin-io/api/bare/${file}: no route serves ${file}`)).toHaveLength(1);
    }
    // The page itself comes through its route, {{ }} filled in.
    expect((await get('/bare/app/page')).text).toBe('<p>Dr. Ada Moreno</p><p></p>');
  });

  it('never serves the manifest or the mock module, through no route, line or { file }', async () => {
    for (const path of ['/bare/CANVAS_MANIFEST.json', '/bare/harness.mock.mjs', '/served/CANVAS_MANIFEST.json', '/served/harness.mock.mjs', '/served/manifest', '/served/mock']) {
      const { status, text } = await get(path);
      expect(status, path).toBe(404);
      expect(text).not.toContain('"name"');
      expect(text).not.toContain('export const');
    }
    expect(linesFor('which the harness never serves')).toHaveLength(4);
  });

  it('serves a files line as the Python handler would: the folder\'s files (one segment), with the session', async () => {
    expect(await get('/served/static/app.js')).toEqual({ status: 200, type: 'text/javascript; charset=utf-8', text: 'console.log("app");' });
    expect((await get('/served/static/app.css')).type).toBe('text/css; charset=utf-8');
    // One segment only, as @api.get("/static/<name>") matches; nothing hidden or outside.
    expect((await get('/served/static/nope.js')).status).toBe(404);
    expect((await get('/served/templates/page.html')).status).toBe(404);
    expect((await get('/served/static/..%2F..%2Fpackage.json')).status).toBe(404);
    // Without the staff session: 401, as StaffSessionAuthMixin answers.
    const signedOut = await get('/served/static/app.js', { signedOut: true });
    expect([signedOut.status, JSON.parse(signedOut.text)]).toEqual([401, { error: 'Provided credentials are invalid' }]);
    expect(linesFor('401 GET /plugin-io/api/served/static/app.js: no staff session')).toHaveLength(1);
  });

  it('serves the built library through a declared route when the plugin has not vendored it, with one warning; without a route, 404', async () => {
    const library = await get('/served/static/canvas-companion.mjs');
    expect([library.status, library.text]).toEqual([200, readFileSync(join(ROOT, 'dist', 'canvas-companion.mjs'), 'utf8')]);
    await get('/served/static/canvas-companion.mjs');
    expect(linesFor('static/canvas-companion.mjs is not in the plugin folder: the harness serves the built copy')).toHaveLength(1);
    const unrouted = await get('/bare/static/canvas-companion.umd.min.js');
    expect(unrouted.status).toBe(404);
    expect(unrouted.text).toContain('npx canvas-companion vendor');
  });

  it('runs a route the mock marks public without a session (request.staff null); others still need one', async () => {
    const hook = await get('/served/hook', { signedOut: true, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect([hook.status, JSON.parse(hook.text)]).toEqual([202, { staff: null, got: { a: 1 } }]);
    const signedIn = await get('/served/hook', { method: 'POST', body: '' });
    expect(JSON.parse(signedIn.text).staff.id).toBe(harness.platform.staff.id);
    expect((await get('/served/private', { signedOut: true })).status).toBe(401);
  });

  it('serves a Python route that only renders a file, without a mock line: its content type, Django\'s rendering, its auth', async () => {
    const main = await get('/from_python/main.js');
    expect(main).toEqual({ status: 200, type: 'text/javascript', text: 'export const main = "";' });
    expect(linesFor('static/main.js has no value for {{ nothing }}: rendered "" as Django does (handlers/api.py:')).toHaveLength(1);
    expect((await get('/from_python/main.js', { signedOut: true })).status).toBe(401);
    // A public files line (publicRoutes names its prefix) needs no session.
    expect(await get('/from_python/pub/open.css', { signedOut: true })).toMatchObject({ status: 200, text: 'b{}' });
  });
});

describe('only this machine\'s names: the Host header', () => {
  const dir = mkdtempSync(join(tmpdir(), 'harness-host-'));
  const lines: string[] = [];
  const upstreamSeen: string[] = [];
  let upstream: Server;
  let harness: Harness;

  beforeAll(async () => {
    upstream = createServer((request, response) => {
      upstreamSeen.push(request.url ?? '');
      response.end('upstream');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const folder = pluginFolder(dir, 'hosted', `export const routes = { 'GET /x': () => ({ ok: 1 }) }; export const sockets = { '*': () => true };`);
    harness = await startHarness({
      port: 0, pluginDirs: [{ dir: folder }], plugins: [{ name: 'mine', url: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` }],
      hosts: ['dev.example.test'], log: (line) => lines.push(line),
    });
  });
  afterAll(async () => {
    await harness?.close();
    await new Promise((resolve) => upstream?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const request = (path: string, host: string | null, extra = '') => raw(harness.port, `GET ${path} HTTP/1.1\r\n${host === null ? '' : `Host: ${host}\r\n`}Connection: close${extra}\r\n\r\n`);
  const upgrade = (path: string, host: string) =>
    raw(harness.port, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);

  it('refuses a foreign Host with 421 and a clear text before any session, route, proxy or socket', async () => {
    const before = lines.length;
    for (const path of ['/companion/', '/companion/api/home', '/plugin-io/api/hosted/x', '/plugin-io/api/mine/anything']) {
      const answer = await request(path, `rebound.example:${harness.port}`);
      expect(answer, path).toMatch(/^HTTP\/1\.1 421 Misdirected Request\r\n/);
      expect(answer).not.toMatch(/set-cookie/i);
      expect(answer).toContain(`This harness answers only requests for its own address (127.0.0.1:${harness.port}, localhost:${harness.port} or [::1]:${harness.port}), not for "rebound.example:${harness.port}"`);
      expect(answer).toContain('start it with --host rebound.example');
    }
    for (const path of ['/companion/live/', '/plugin-io/ws/hosted/any/', '/plugin-io/ws/mine/any/']) {
      expect(await upgrade(path, 'rebound.example'), path).toMatch(/^HTTP\/1\.1 421 Misdirected Request\r\n[\s\S]*not for "rebound\.example"/);
    }
    expect(upstreamSeen).toEqual([]);
    expect(harness.sockets('hosted', 'any')).toBe(0);
    const refused = lines.slice(before);
    expect(refused).toHaveLength(7);
    expect(refused.every((line) => /^421 GET "\/[^"]*": Host "rebound\.example(:\d+)?" is not the harness's address/.test(line))).toBe(true);
  });

  it('answers 127.0.0.1, localhost and [::1] with the port, and the names given with --host', async () => {
    for (const host of [`127.0.0.1:${harness.port}`, `localhost:${harness.port}`, `[::1]:${harness.port}`, `LOCALHOST:${harness.port}`, 'dev.example.test', `dev.example.test:${harness.port}`]) {
      expect(await request('/companion/', host), host).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    }
    for (const host of ['127.0.0.1', 'localhost', `127.0.0.1:${harness.port + 1}`, '127.0.0.1.nip.io', 'dev.example.test.evil']) {
      expect(await request('/companion/', host), host).toMatch(/^HTTP\/1\.1 421 /);
    }
    // The printed URL works as before.
    expect((await fetch(harness.url)).status).toBe(200);
  });

  it('takes --host NAME on the command line (repeatable), and refuses what is not a host name', async () => {
    expect((await parseArgs(['--host', 'dev.example.test', '--host=tunnel.example:443'], {})).hosts).toEqual(['dev.example.test', 'tunnel.example:443']);
    expect((await parseArgs([], {})).hosts).toEqual([]);
    await expect(parseArgs(['--host', 'http://x.test/'], {})).rejects.toThrow('--host http://x.test/: expected a host name (e.g. my-tunnel.example, or my-tunnel.example:443)');
  });

  it('answers a request without Host 400 with a text and one log line', async () => {
    const answer = await request('/companion/', null);
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*The request has no Host header/);
    expect(lines.filter((line) => line === '400 GET "/companion/": no Host header')).toHaveLength(1);
  });
});
