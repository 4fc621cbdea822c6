/**
 * The harness at its edges, over plain HTTP and WebSockets (no browser needed): icons go through
 * the plugin folder's file check (symlinks, hidden paths), mock functions that never settle or
 * answer a 1xx, routes that throw null, setup() that throws, a "*" socket rule, the shell's own
 * socket on session expiry, and upgrades that are not WebSocket upgrades.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startHarness, type Harness } from '../../src/harness/index.js';
import { raw } from '../support/raw-http.js';

const poll = { timeout: 10_000, interval: 50 };
/** The mock time limit in these tests: long enough for an answering route on a busy machine, short enough to wait for. */
const MOCK_TIMEOUT_MS = 300;
/** A tiny PNG (1×1). */
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a1b7d6ee0000000049454e44ae426082', 'hex');


/** Opens a WebSocket; resolves 'open' or the refused status. */
function openSocket(url: string, cookie: string): Promise<{ ws: WebSocket; result: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers: { cookie } });
    ws.on('open', () => resolve({ ws, result: 'open' }));
    ws.on('unexpected-response', (_request, response) => resolve({ ws, result: String(response.statusCode) }));
    ws.on('error', () => resolve({ ws, result: 'error' }));
  });
}

describe('companion harness edges', () => {
  const dir = mkdtempSync(join(tmpdir(), 'harness-edges-'));
  const folder = join(dir, 'edgy');
  const lines: string[] = [];
  let harness: Harness;
  let cookie: string;

  beforeAll(async () => {
    mkdirSync(join(folder, 'assets'), { recursive: true });
    mkdirSync(join(folder, '.hidden'), { recursive: true });
    writeFileSync(join(folder, 'assets', 'good.png'), PNG);
    writeFileSync(join(folder, 'assets', 'later.png'), PNG);
    writeFileSync(join(folder, '.hidden', 'icon.png'), PNG);
    symlinkSync('/etc/passwd', join(folder, 'assets', 'passwd.png'));
    writeFileSync(join(folder, 'CANVAS_MANIFEST.json'), JSON.stringify({
      name: 'edgy',
      components: {
        applications: [
          { class: 'edgy.apps:Good', name: 'Good', scope: 'provider_companion_global', icon: 'assets/good.png' },
          { class: 'edgy.apps:Linked', name: 'Linked', scope: 'provider_companion_global', icon: 'assets/passwd.png' },
          { class: 'edgy.apps:Hidden', name: 'Hidden', scope: 'provider_companion_global', icon: '.hidden/icon.png' },
          { class: 'edgy.apps:Later', name: 'Later', scope: 'provider_companion_global', icon: 'assets/later.png' },
        ],
      },
    }));
    writeFileSync(join(folder, 'harness.mock.mjs'), `
      export const routes = {
        'GET /never': () => new Promise(() => {}),
        'GET /continue': () => ({ status: 100 }),
        'GET /switching': () => ({ status: 101, body: 'x' }),
        'GET /null': () => { throw null; },
        'GET /undefined': () => { throw undefined; },
      };
      export const sockets = {
        'stuck-<id>': () => new Promise(() => {}),
        '*': ({ channel }) => channel.startsWith('any-'),
      };
      export const launch = { Good: '/plugin-io/api/edgy/never' };
      export const events = { 'Never ends': () => new Promise(() => {}) };`);
    harness = await startHarness({ port: 0, pluginDirs: [{ dir: folder }], mockTimeout: MOCK_TIMEOUT_MS, log: (line) => lines.push(line) });
    cookie = (await fetch(harness.url)).headers.get('set-cookie')!.split(';')[0]!;
  });
  afterAll(async () => {
    await harness?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (path: string) => {
    const response = await fetch(`${harness.origin}${path}`, { headers: { cookie } });
    return [response.status, await response.text()] as const;
  };
  const linesFor = (text: string) => lines.filter((line) => line.includes(text));

  it('serves an icon only from inside the plugin folder after resolving symlinks, never a hidden one: at start and per request', async () => {
    expect(harness.apps.map((app) => [app.title, Boolean(app.icon_url)])).toEqual([['Good', true], ['Linked', false], ['Hidden', false], ['Later', true]]);
    expect(linesFor('skipped icon assets/passwd.png of Linked')).toHaveLength(1);
    expect(linesFor('skipped icon .hidden/icon.png of Hidden')).toHaveLength(1);
    const good = harness.apps.find((app) => app.title === 'Good')!.icon_url!;
    const response = await fetch(`${harness.origin}${good}`);
    expect([response.status, response.headers.get('content-type'), Buffer.from(await response.arrayBuffer())]).toEqual([200, 'image/png', PNG]);
    // The icon becomes a link out of the folder after start: no longer served.
    const later = harness.apps.find((app) => app.title === 'Later')!.icon_url!;
    unlinkSync(join(folder, 'assets', 'later.png'));
    symlinkSync('/etc/passwd', join(folder, 'assets', 'later.png'));
    const [status, body] = await get(later);
    expect([status, body]).toEqual([404, 'No such icon\n']);
    expect(body).not.toContain('root:');
    expect(linesFor(`404 GET ${later}:`)).toHaveLength(1);
  });

  it('answers 504 with one log line when a route never settles', async () => {
    expect(await get('/plugin-io/api/edgy/never')).toEqual([504, `The mock's route gave no answer within ${MOCK_TIMEOUT_MS} ms\n`]);
    expect(linesFor('504 GET /plugin-io/api/edgy/never: the mock\'s route gave no answer')).toHaveLength(1);
  });

  it('answers 504 with one log line when an outside event from the shell never settles', async () => {
    const answer = await fetch(`${harness.origin}/companion/api/events/edgy/${encodeURIComponent('Never ends')}`, { method: 'POST', headers: { cookie } });
    expect([answer.status, await answer.json()]).toEqual([504, { error: `The event did not finish within ${MOCK_TIMEOUT_MS} ms` }]);
    expect(linesFor('504 event "Never ends" of edgy: it did not finish within')).toHaveLength(1);
  });

  it('refuses the upgrade with 504 and one log line when a socket rule never settles', async () => {
    const { result } = await openSocket(`${harness.origin.replace('http', 'ws')}/plugin-io/ws/edgy/stuck-1/`, cookie);
    expect(result).toBe('504');
    expect(linesFor('504 WebSocket /plugin-io/ws/edgy/stuck-1/: the socket rule gave no answer')).toHaveLength(1);
  });

  it('does not pass a 1xx from a route on: 500 with a clear text and one log line', async () => {
    for (const [path, status] of [['/continue', 100], ['/switching', 101]] as const) {
      const [code, body] = await get(`/plugin-io/api/edgy${path}`);
      expect([code, body]).toEqual([500, expect.stringContaining(`answered status ${status}, which is not a final HTTP answer`)]);
      expect(linesFor(`500 GET /plugin-io/api/edgy${path}: route "GET ${path}" answered status ${status}`)).toHaveLength(1);
    }
  });

  it('answers 500 with a clear text and one log line when a route throws null or undefined', async () => {
    for (const path of ['/null', '/undefined']) {
      expect(await get(`/plugin-io/api/edgy${path}`)).toEqual([500, `The mock's route "GET ${path}" threw (see the harness's terminal)\n`]);
      expect(linesFor(`500 GET /plugin-io/api/edgy${path}: route "GET ${path}" threw`)).toHaveLength(1);
    }
  });

  it('logs a 404 and a bad percent-encoding, and says what was not found', async () => {
    expect(await get('/plugin-io/api/edgy/missing')).toEqual([404, 'No route in edgy\'s mock matches GET /missing\n']);
    expect(linesFor('404 GET /plugin-io/api/edgy/missing: no route in edgy\'s mock matches GET /missing')).toHaveLength(1);
    expect(await get('/plugin-io/api/edgy/a%zz')).toEqual([400, 'Malformed percent-encoding in the path\n']);
    expect(linesFor('400 GET /plugin-io/api/edgy/a%zz: malformed percent-encoding')).toHaveLength(1);
    const [status, body] = await get('/companion/api/nope');
    expect([status, JSON.parse(body)]).toEqual([404, { error: 'No such route: GET /companion/api/nope' }]);
    expect(linesFor('404 GET /companion/api/nope:')).toHaveLength(1);
  });

  it('lets a "*" socket rule decide channels no named rule matches', async () => {
    const allowed = await openSocket(`${harness.origin.replace('http', 'ws')}/plugin-io/ws/edgy/any-thing/`, cookie);
    expect(allowed.result).toBe('open');
    await expect.poll(() => harness.sockets('edgy', 'any-thing'), poll).toBe(1);
    allowed.ws.close();
    const denied = await openSocket(`${harness.origin.replace('http', 'ws')}/plugin-io/ws/edgy/other/`, cookie);
    expect(denied.result).toBe('403');
    expect(linesFor('403 WebSocket /plugin-io/ws/edgy/other/: the rule "*" returned false')).toHaveLength(1);
  });

  it('serves an `Upgrade: h2c` request as plain HTTP (only `Upgrade: websocket` is an upgrade)', async () => {
    const h2c = (path: string, extra = '') => raw(harness.port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${harness.port}\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA${extra}\r\n\r\n`);
    const shell = await h2c('/companion/');
    expect(shell).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(shell).toContain('<!doctype html>');
    const route = await h2c('/plugin-io/api/edgy/missing', `\r\nCookie: ${cookie}`);
    expect(route).toMatch(/^HTTP\/1\.1 404 Not Found\r\n[\s\S]*No route in edgy's mock matches GET \/missing/);
    expect(route).not.toMatch(/WebSocket/);
    // A body cannot be read once Node has handed the socket over: a 400 that says so.
    const post = await raw(harness.port, `POST /plugin-io/api/edgy/x HTTP/1.1\r\nHost: localhost:${harness.port}\r\nConnection: Upgrade\r\nUpgrade: h2c\r\nContent-Length: 3\r\n\r\nabc`);
    expect(post).toMatch(/^HTTP\/1\.1 400 /);
    expect(linesFor('400 POST /plugin-io/api/edgy/x: Upgrade: h2c with a request body')).toHaveLength(1);
  });

  it('drops the shell\'s own socket when the session expires (close code 1006)', async () => {
    const { ws, result } = await openSocket(`${harness.origin.replace('http', 'ws')}/companion/live/`, cookie);
    expect(result).toBe('open');
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    const expire = await fetch(`${harness.origin}/companion/api/session/expire`, { method: 'POST', headers: { cookie } });
    expect(expire.status).toBe(204);
    expect(await closed).toBe(1006);
    expect(linesFor('session expired from the shell')).toEqual([expect.stringContaining('(1 socket dropped)')]);
    // And it cannot come back on the expired session.
    expect((await openSocket(`${harness.origin.replace('http', 'ws')}/companion/live/`, cookie)).result).toBe('403');
    expect(linesFor('403 WebSocket /companion/live/: no staff session')).toHaveLength(1);
  });
});

describe('a mock whose setup() throws', () => {
  const dir = mkdtempSync(join(tmpdir(), 'harness-setup-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stops startup with an OptionError that names the mock file', async () => {
    writeFileSync(join(dir, 'CANVAS_MANIFEST.json'), JSON.stringify({ name: 'broken_setup', components: { applications: [] } }));
    const mock = join(dir, 'harness.mock.mjs');
    writeFileSync(mock, "export function setup() { throw new Error('no seed data'); }");
    const started = startHarness({ port: 0, pluginDirs: [{ dir }], log: () => {} });
    await expect(started).rejects.toMatchObject({ name: 'OptionError', message: `--mock ${mock}: its setup(platform) threw: no seed data` });
  });
});
