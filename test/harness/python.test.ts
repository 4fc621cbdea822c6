/**
 * The mock held against the plugin's own Python, read statically with python3's ast: every Python
 * route the mock lacks and every mock route or socket rule without a Python counterpart is warned
 * at start, with where; the comparison is on the shell's API; a Python route that only renders a
 * file is served without a mock line (the handler `canvas-companion vendor` prints included); and
 * without python3 one line says that nothing is checked.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, vendorLibrary, vendorReport, type Harness } from '../../src/harness/index.js';
import { ROOT } from '../support/browser.js';

const API = `
import re
from http import HTTPStatus

from canvas_sdk.effects.simple_api import JSONResponse, Response
from canvas_sdk.handlers.simple_api import SimpleAPI, SimpleAPIRoute, StaffSessionAuthMixin, api
from canvas_sdk.templates import render_to_string

FILES = {"app.js": "text/javascript", "app.css": "text/css"}


class Api(StaffSessionAuthMixin, SimpleAPI):
    PREFIX = "/app"

    @api.get("/items")
    def items(self):
        return [JSONResponse({"items": []})]

    @api.post("/items")
    def add(self):
        return [JSONResponse({}, status_code=HTTPStatus.ACCEPTED)]

    @api.get("/items/<id>")
    def item(self):
        return [JSONResponse({"id": self.request.path_params["id"]})]

    @api.get("/static/<name>")
    def files(self):
        name = self.request.path_params["name"]
        if name not in FILES:
            return [Response(status_code=HTTPStatus.NOT_FOUND)]
        return [Response(render_to_string(f"static/{name}").encode(), content_type=FILES[name])]


class Hook(SimpleAPI):
    def authenticate(self, credentials) -> bool:
        return True

    @api.post("/hook")
    def hook(self):
        return []


class Forgotten(SimpleAPI):
    @api.get("/forgotten")
    def forgotten(self):
        return []


class Thing(StaffSessionAuthMixin, SimpleAPIRoute):
    PATH = "/routes/thing"

    def get(self):
        return []

    def post(self):
        return []


class Unlisted(StaffSessionAuthMixin, SimpleAPI):
    @api.get("/unlisted")
    def unlisted(self):
        return []
`;

const LIVE = `
import re

from canvas_sdk.handlers.simple_api.websocket import WebSocketAPI


class Live(WebSocketAPI):
    def authenticate(self) -> bool:
        user = self.websocket.logged_in_user
        channel = self.websocket.channel
        if channel == f"staff-{user.get('id')}":
            return True
        if channel in {"lobby", "news"}:
            return True
        return re.fullmatch(r"room-\\d+", channel) is not None
`;

const MOCK = `
export const publicRoutes = ['GET /app/items', 'POST /hook', 'GET /app/itemz', 'GET /nowhere'];
export const routes = {
  'GET /app/items': () => ({ items: [] }),
  'GET /app/items/<item>': ({ params }) => ({ id: params.item }),
  'GET /app/itemz': () => [],
  'POST /hook': () => null,
  'GET /forgotten': () => null,
  'GET /routes/thing': () => null,
};
export const sockets = {
  'staff-<id>': ({ params, staff }) => params.id === staff.id,
  lobby: () => true,
  'room-<n>': () => true,
  'other-<x>': () => true,
};`;

describe('the mock held against the plugin\'s Python', () => {
  const dir = mkdtempSync(join(tmpdir(), 'harness-python-'));
  const folder = join(dir, 'drift');
  const lines: string[] = [];
  let harness: Harness;
  let cookie: string;

  beforeAll(async () => {
    mkdirSync(join(folder, 'handlers'), { recursive: true });
    mkdirSync(join(folder, 'static'), { recursive: true });
    writeFileSync(join(folder, 'CANVAS_MANIFEST.json'), JSON.stringify({
      name: 'drift',
      components: {
        applications: [],
        handlers: ['Api', 'Hook', 'Forgotten', 'Thing'].map((name) => ({ class: `drift.handlers.api:${name}`, description: name })).concat({ class: 'drift.handlers.live:Live', description: 'sockets' }),
      },
    }));
    writeFileSync(join(folder, 'handlers', '__init__.py'), '');
    writeFileSync(join(folder, 'handlers', 'api.py'), API);
    writeFileSync(join(folder, 'handlers', 'live.py'), LIVE);
    writeFileSync(join(folder, 'handlers', 'broken.py'), 'def oops(:\n    pass\n');
    writeFileSync(join(folder, 'static', 'app.js'), 'export {};');
    writeFileSync(join(folder, 'static', 'other.js'), 'export {};');
    writeFileSync(join(folder, 'harness.mock.mjs'), MOCK);
    harness = await startHarness({ port: 0, pluginDirs: [{ dir: folder }], log: (line) => lines.push(line) });
    cookie = (await fetch(harness.url)).headers.get('set-cookie')!.split(';')[0]!;
  });
  afterAll(async () => {
    await harness?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('warns at start for each Python route the mock lacks and each mock route with no Python counterpart, saying where', () => {
    const warnings = lines.filter((line) => line.startsWith('drift: '));
    expect(warnings).toEqual(expect.arrayContaining([
      'drift: handlers/broken.py:1:10: invalid syntax: the harness cannot read this file\'s routes',
      'drift: handlers/api.py:60 Unlisted is not listed in CANVAS_MANIFEST.json under components.handlers: Canvas does not load it (add { "class": "drift.handlers.api:Unlisted" })',
      expect.stringMatching(/^drift: handlers\/api\.py:19 Api: the Python route POST \/app\/items has no mock route: add 'POST \/app\/items': \(request, platform\) => … to the mock's routes \(the mock has "GET \/app\/items"\)$/),
      expect.stringMatching(/^drift: handlers\/api\.py:\d+ Thing: the Python route POST \/routes\/thing has no mock route/),
      'drift: the mock marks GET /app/items public, but Api (handlers/api.py:12) has StaffSessionAuthMixin: Canvas answers 401 without a session',
      'drift: handlers/api.py:44 Forgotten has no authentication mixin and no authenticate(): SimpleAPI\'s default authenticate() returns False, so Canvas answers 401 to every request',
      'drift: the mock route "GET /app/itemz" has no Python route: on Canvas it answers 404: did you mean GET /app/items (handlers/api.py:15)?',
      'drift: publicRoutes names "GET /nowhere", which is no route of the mock or the Python nor a files prefix',
      expect.stringMatching(/^drift: handlers\/live\.py:\d+ Live: authenticate\(\) allows channel news, which no socket rule of the mock matches: add 'news': \(request, platform\) => … to the mock's sockets$/),
      'drift: the mock\'s socket rule "other-<x>" matches no channel the WebSocketAPI\'s authenticate() names (staff-<id>, lobby, news, re:room-\\d+)',
    ]));
    // Nothing for what matches: parameter names may differ, a regex rule covers its pattern, a file-only route needs no line.
    expect(warnings.filter((line) => /GET \/app\/items\/<|room-<n>|"lobby"|staff-<id>,? which|\/static\/<name> has no mock/.test(line))).toEqual([]);
    expect(warnings).toHaveLength(10);
  });

  it('gives the comparison on the shell\'s API', async () => {
    const response = await fetch(`${harness.origin}/companion/api/checks`, { headers: { cookie } });
    const { plugins } = await response.json();
    const [check] = plugins;
    expect(check).toMatchObject({ plugin: 'drift', python: 'read', note: expect.stringMatching(/^Python 3\.\d+\.\d+: 4 files, 6 handlers$/) });
    const row = (key: string) => check.routes.find((r: { key: string }) => r.key === key);
    expect(row('GET /app/items/<id>')).toMatchObject({ mock: 'GET /app/items/<item>', served: 'mock', python: { file: 'handlers/api.py', class: 'Api', auth: 'staff' } });
    expect(row('GET /app/static/<name>')).toMatchObject({ mock: null, served: 'python-file', python: { serves_file: true } });
    expect(row('POST /app/items')).toMatchObject({ mock: null, served: null });
    expect(row('GET /app/itemz')).toMatchObject({ python: null, mock: 'GET /app/itemz', served: 'mock' });
    expect(row('POST /hook')).toMatchObject({ public: true, python: { auth: 'own' } });
    expect(check.channels).toEqual(expect.arrayContaining([{ python: 'news', at: expect.stringMatching(/^handlers\/live\.py:\d+$/), mock: null }, { python: null, at: null, mock: 'other-<x>' }]));
    expect(check.warnings).toHaveLength(10);
  });

  it('serves a Python route that only renders a file without a mock line, only the names it lets through', async () => {
    const file = await fetch(`${harness.origin}/plugin-io/api/drift/app/static/app.js`, { headers: { cookie } });
    expect([file.status, file.headers.get('content-type'), await file.text()]).toEqual([200, 'text/javascript', 'export {};']);
    // other.js is in static/, but FILES does not name it: the handler answers 404.
    expect((await fetch(`${harness.origin}/plugin-io/api/drift/app/static/other.js`, { headers: { cookie } })).status).toBe(404);
  });
});

describe('the handler `canvas-companion vendor` prints', () => {
  const dir = mkdtempSync(join(tmpdir(), 'harness-vendored-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is read as a file-only route: the vendored library is served with no mock line for it', async () => {
    writeFileSync(join(dir, 'CANVAS_MANIFEST.json'), JSON.stringify({ name: 'vendored', components: { handlers: [{ class: 'vendored.handlers.companion_static:CompanionStatic', description: 'library' }] } }));
    const report = vendorReport(vendorLibrary({ dir }), dir);
    // The Python block of the report: its lines indented by four spaces, from the first import to the last return.
    const python = report.split('\n').slice(report.split('\n').findIndex((line) => line.startsWith('    from http')))
      .filter((_line, i, all) => i < all.findIndex((line) => line.startsWith('(If your plugin')))
      .map((line) => line.replace(/^ {4}/, '')).join('\n');
    expect(python).toContain('class CompanionStatic(StaffSessionAuthMixin, SimpleAPI):');
    mkdirSync(join(dir, 'handlers'));
    writeFileSync(join(dir, 'handlers', 'companion_static.py'), python);
    writeFileSync(join(dir, 'harness.mock.mjs'), 'export const routes = {};');
    const lines: string[] = [];
    const harness = await startHarness({ port: 0, pluginDirs: [{ dir }], log: (line) => lines.push(line) });
    try {
      const cookie = (await fetch(harness.url)).headers.get('set-cookie')!.split(';')[0]!;
      const library = await fetch(`${harness.origin}/plugin-io/api/vendored/static/canvas-companion.umd.min.js`, { headers: { cookie } });
      expect([library.status, library.headers.get('content-type'), library.headers.get('cache-control')]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable']);
      expect(await library.text()).toBe(readFileSync(join(ROOT, 'dist', 'canvas-companion.umd.min.js'), 'utf8'));
      expect(harness.checks[0]?.routes).toEqual([expect.objectContaining({ key: 'GET /static/<name>', served: 'python-file' })]);
      expect(lines.filter((line) => line.startsWith('vendored: '))).toEqual([]);
    } finally {
      await harness.close();
    }
  });
});

describe('without python3', () => {
  it('says so in one line and checks nothing', async () => {
    const lines: string[] = [];
    const fixtures = ['register_patient', 'patient_messages'].map((name) => ({ dir: join(ROOT, 'test', 'fixtures', name) }));
    const harness = await startHarness({ port: 0, pluginDirs: fixtures, python: 'python3-that-is-not-installed', log: (line) => lines.push(line) });
    try {
      expect(lines.filter((line) => /python3-that-is-not-installed/.test(line))).toEqual([
        'python3-that-is-not-installed is not installed (or not on PATH): the mocks are not checked against their plugins\' Python (install Python 3 to have them checked)',
      ]);
      expect(harness.checks.map((check) => check.python)).toEqual(['no-interpreter', 'no-interpreter']);
    } finally {
      await harness.close();
    }
  });

  it('finds nothing to warn in the repository\'s fixture plugins, whose mocks match their Python', async () => {
    const lines: string[] = [];
    const fixtures = ['register_patient', 'patient_messages'].map((name) => ({ dir: join(ROOT, 'test', 'fixtures', name) }));
    const harness = await startHarness({ port: 0, pluginDirs: fixtures, log: (line) => lines.push(line) });
    try {
      expect(harness.checks.map((check) => [check.plugin, check.python, check.warnings])).toEqual([['register_patient', 'read', []], ['patient_messages', 'read', []]]);
      expect(lines).toEqual([]);
    } finally {
      await harness.close();
    }
  });
});
