/**
 * The harness never crashes on input and never misleads: hundreds of malformed requests over raw
 * sockets (bad cookies and percent-encoding, absolute-form and bracketed URLs, long URLs (414) and
 * large headers (431), no or a foreign Host, oversized and truncated bodies, garbage, upgrades to
 * unknown paths, upstreams that reset, mock functions that throw or answer objects whose every
 * property read throws), each answered with a 4xx/5xx (or, when the client itself hung up,
 * nothing) and one log line, then a normal request still works. Besides: heads over the parser's
 * limit (431), slow heads (408), a 413 the client can read, a mock's own framing headers dropped,
 * and a socket client that stops reading closed with 1013. 127.0.0.1 only; every loop is bounded.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startHarness, type Harness } from '../../src/harness/index.js';
import { ROOT } from '../support/browser.js';

/** How long one raw exchange may take before the test gives up on it (a bound, not a wait: answers come in milliseconds). */
const EXCHANGE_LIMIT_MS = 5_000;
/** Requests in flight at once: enough to overlap, few enough for a busy 2-core machine. */
const CONCURRENCY = 16;
const ROUNDS = 24;
const poll = { timeout: 10_000, interval: 20 };

/**
 * A mock whose functions throw, or answer, an object every property read of which throws (itself):
 * its getters, its prototype, its keys, its conversion to text. And a route that sets its own framing headers.
 */
const HOSTILE_MOCK = `
const hostile = new Proxy({}, {
  get() { throw hostile; }, getPrototypeOf() { throw hostile; }, ownKeys() { throw hostile; }, has() { throw hostile; },
  getOwnPropertyDescriptor() { throw hostile; }, apply() { throw hostile; },
});
export const launch = { Main: () => { throw hostile; } };
export const routes = {
  'GET /throws': () => { throw hostile; },
  'GET /rejects': async () => { throw hostile; },
  'GET /answers': () => hostile,
  'GET /headers': () => ({ status: 200, headers: hostile, body: 'x' }),
  'GET /context': () => ({ file: 'page.html', context: hostile }),
  'GET /framed': () => ({ status: 200, headers: { 'content-length': '2', 'transfer-encoding': 'chunked', 'x-ok': 'yes' }, body: 'hello world' }),
  'GET /after': () => ({ status: 200, body: 'after' }),
  'POST /touch': (request, platform) => {
    const [patient] = platform.patients.list();
    platform.patients.update(patient.id, { first_name: patient.first_name });
    return { touched: patient.id };
  },
};
export const sockets = { 'evil-<n>': () => { throw hostile; }, 'feed-<n>': () => true };
export function setup(platform) {
  platform.onChange(() => { throw hostile; });
}
`;

interface Exchange {
  /** What was sent, for the failure message. */
  name: string;
  bytes: Buffer;
  /** Half-close after writing (a client that stops sending mid-body), or destroy (one that vanishes). */
  then?: 'end' | 'destroy';
  /** true: the client hangs up itself, so no answer is also fine. */
  mayBeSilent?: boolean;
  /** Another status that is right here. */
  alsoOk?: number;
  /** The one status it must get (else any 4xx/5xx will do). */
  expect?: number;
  /** The one log line this request gets. */
  log: RegExp;
  /** Its log line may be missing: the client hung up first (after the status line), so the server saw nothing wrong. */
  logMayBeMissing?: boolean;
}

/** Sends raw bytes and resolves the status of the first answer line, 0 when the server only closed. */
function exchange(port: number, { bytes, then }: Pick<Exchange, 'name' | 'bytes' | 'then'>): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(-1);
    }, EXCHANGE_LIMIT_MS);
    socket.on('connect', () => {
      socket.write(bytes);
      if (then === 'end') socket.end();
      if (then === 'destroy') socket.destroy();
    });
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      // One status line is all we need; do not wait for keep-alive sockets to close.
      if (/^HTTP\/1\.1 \d{3}/.test(data)) socket.destroy();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      const match = /^HTTP\/1\.1 (\d{3})/.exec(data);
      resolve(match ? Number(match[1]) : 0);
    });
  });
}

const request = (head: string, body: Buffer | string = '') => Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1')]);
const upgradeHeadFor = (host: string, path: string, extra = '') =>
  `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==${extra}`;

/** Sends raw bytes (in pieces, when given several) and resolves everything the server sent until it closed, and whether the client saw an error (a reset). */
function conversation(port: number, pieces: (Buffer | string)[], limit = EXCHANGE_LIMIT_MS): Promise<{ data: string; error: string | null }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    let error: string | null = null;
    const timer = setTimeout(() => socket.destroy(), limit);
    socket.on('connect', async () => {
      for (const piece of pieces) {
        if (socket.destroyed) break;
        // Each piece once the previous one is handed to the kernel: a client still sending.
        if (!socket.write(piece)) await new Promise((drained) => socket.once('drain', drained));
      }
    });
    socket.on('data', (chunk) => (data += chunk.toString('latin1')));
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ data, error });
    });
  });
}

/** A plugin folder for the hostile mock (no manifest app needs a page: the routes are called directly). */
function hostileFolder(dir: string): string {
  const folder = join(dir, 'hostile');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'CANVAS_MANIFEST.json'), JSON.stringify({ name: 'hostile', components: { applications: [{ class: 'hostile.apps:Main', name: 'Main', scope: 'provider_companion_global' }] } }));
  writeFileSync(join(folder, 'page.html'), '<p>{{ who }}</p>');
  writeFileSync(join(folder, 'harness.mock.mjs'), HOSTILE_MOCK);
  return folder;
}

/** Upstreams that fail: one resets every connection at once, one after a partial answer, one answers a status line Node will not pass on. */
async function resettingUpstreams(): Promise<{ servers: Server[]; now: string; midway: string; badStatus: string }> {
  const now = createServer((socket) => socket.resetAndDestroy());
  const midway = createServer((socket) => {
    socket.once('data', () => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\nContent-Type: text/html\r\n\r\n<p>half');
      setImmediate(() => socket.resetAndDestroy());
    });
  });
  const badStatus = createServer((socket) => {
    socket.once('data', () => socket.end('HTTP/1.1 200 O\x7fK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok', 'latin1'));
    socket.on('error', () => {});
  });
  for (const server of [now, midway, badStatus]) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { servers: [now, midway, badStatus], now: origin(now), midway: origin(midway), badStatus: origin(badStatus) };
}

describe('companion harness under malformed input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'harness-fuzz-'));
  let harness: Harness;
  let upstreams: Awaited<ReturnType<typeof resettingUpstreams>>;
  let cookie: string;
  /** Maria's id, as the platform writes it. */
  let maria: string;
  const lines: string[] = [];

  beforeAll(async () => {
    upstreams = await resettingUpstreams();
    harness = await startHarness({
      port: 0,
      effectDelay: 50,
      log: (line) => lines.push(line),
      pluginDirs: [{ dir: join(ROOT, 'test', 'fixtures', 'register_patient') }, { dir: join(ROOT, 'test', 'fixtures', 'patient_messages') }, { dir: hostileFolder(dir) }],
      plugins: [{ name: 'reset_now', url: upstreams.now }, { name: 'reset_midway', url: upstreams.midway }, { name: 'bad_status', url: upstreams.badStatus }],
    });
    cookie = (await fetch(harness.url)).headers.get('set-cookie')!.split(';')[0]!;
    maria = harness.platform.patients.list().find((patient) => patient.first_name === 'Maria')!.id;
  });
  afterAll(async () => {
    await harness?.close();
    for (const server of upstreams?.servers ?? []) await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  /** The malformed requests of one round; `n` varies them from round to round. */
  function round(n: number): Exchange[] {
    const junk = Buffer.from(Array.from({ length: 64 + n }, (_, i) => (i * 37 + n * 101) % 256));
    const create = '/plugin-io/api/register_patient/app/create';
    const json = `Content-Type: application/json\r\nCookie: ${cookie}`;
    const h = `127.0.0.1:${harness.port}`;
    const upgradeHead = (path: string, extra = '') => upgradeHeadFor(h, path, extra);
    const hostile = (path: string) => request(`GET /plugin-io/api/hostile${path} HTTP/1.1\r\nHost: ${h}\r\nConnection: close\r\nCookie: ${cookie}`);
    const unreadable = /a thrown value that cannot be read \(its properties or conversion to text throw\)/;
    return [
      { name: 'cookie x=% over HTTP', bytes: request(`GET /companion/api/home HTTP/1.1\r\nHost: ${h}\r\nConnection: close\r\nCookie: x=%${n}%`), log: /^401 GET \/companion\/api\/home: no staff session/ },
      { name: 'cookie with a broken escape on a plugin route', bytes: request(`GET /plugin-io/api/register_patient/app/register HTTP/1.1\r\nHost: ${h}\r\nConnection: close\r\nCookie: sessionid=%E0%A4%A${n}; x=%`), log: /^401 GET \/plugin-io\/api\/register_patient\/app\/register: no staff session/ },
      { name: 'upgrade with cookie x=%', bytes: request(upgradeHead(`/plugin-io/ws/patient_messages/patient-${maria}/`, `\r\nCookie: x=%${n}`)), log: /^403 WebSocket \/plugin-io\/ws\/patient_messages\/patient-[\da-f-]+\/: no staff session$/ },
      { name: 'bad percent-encoding in a plugin path', bytes: request(`GET /plugin-io/api/register_patient/static/%${n}zz%.js HTTP/1.1\r\nHost: ${h}\r\nConnection: close`), log: /^400 GET \/plugin-io\/api\/register_patient\/static\/%\d+zz%\.js: malformed percent-encoding/ },
      { name: 'bad percent-encoding in a patient path', bytes: request(`GET /companion/patient/%zz${n}/ HTTP/1.1\r\nHost: ${h}\r\nConnection: close`), log: /^404 GET \/companion\/patient\/%zz\d+\/: no such patient/ },
      { name: 'bad percent-encoding in an icon path', bytes: request(`GET /companion/icons/%E0%${n} HTTP/1.1\r\nHost: ${h}\r\nConnection: close`), log: /^404 GET \/companion\/icons\/%E0%\d+: no such app/ },
      { name: 'bracketed absolute-form URL', bytes: request(`GET http://[::1/x${n} HTTP/1.1\r\nHost: ${h}\r\nConnection: close`), log: /^400 GET \"http:\/\/\[::1\/x\d+\": the request target must be a path/ },
      { name: 'absolute-form URL', bytes: request(`GET http://127.0.0.1/companion/?${n} HTTP/1.1\r\nHost: ${h}\r\nConnection: close`), log: /^400 GET \"http:\/\/127\.0\.0\.1\/companion\/\?\d+\": the request target/ },
      { name: 'asterisk-form', bytes: request(`OPTIONS * HTTP/1.1\r\nHost: ${h}\r\nConnection: close`), log: /^400 OPTIONS \"\*\": the request target/ },
      { name: 'scheme-relative path', bytes: request(`GET //evil.example/${n} HTTP/1.1\r\nHost: ${h}\r\nConnection: close`), log: /^400 GET \"\/\/evil\.example\/\d+\": the request target/ },
      { name: 'upgrade with a bracketed URL', bytes: request(upgradeHead(`http://[::1/ws${n}`)), log: /^400 WebSocket \"http:\/\/\[::1\/ws\d+\": the request target/ },
      { name: 'dot segments out of the plugin folder', bytes: request(`GET /plugin-io/api/register_patient/../../../../etc/passwd?${n} HTTP/1.1\r\nHost: ${h}\r\nConnection: close`), log: /^404 GET \/etc\/passwd: the harness has no such page/ },
      { name: 'encoded dot segments', bytes: request(`GET /plugin-io/api/register_patient/%2e%2e/%2e%2e/package.json?${n} HTTP/1.1\r\nHost: ${h}\r\nConnection: close`), log: /^404 GET \/plugin-io\/package\.json: the harness has no such page/ },
      { name: 'hidden file', bytes: request(`GET /plugin-io/api/register_patient/.git/config?${n} HTTP/1.1\r\nHost: ${h}\r\nConnection: close`), log: /^404 GET \/plugin-io\/api\/register_patient\/\.git\/config: no route in register_patient's mock matches GET \/\.git\/config/ },
      { name: 'the manifest', bytes: request(`GET /plugin-io/api/register_patient/CANVAS_MANIFEST.json?${n} HTTP/1.1\r\nHost: ${h}\r\nConnection: close\r\nCookie: ${cookie}`), log: /^404 GET \/plugin-io\/api\/register_patient\/CANVAS_MANIFEST\.json: no route in register_patient's mock matches/ },
      { name: 'the mock module', bytes: request(`GET /plugin-io/api/patient_messages/harness.mock.mjs?${n} HTTP/1.1\r\nHost: ${h}\r\nConnection: close\r\nCookie: ${cookie}`), log: /^404 GET \/plugin-io\/api\/patient_messages\/harness\.mock\.mjs: no route in patient_messages's mock matches/ },
      { name: 'a folder file no route serves', bytes: request(`GET /plugin-io/api/register_patient/templates/register.html?${n} HTTP/1.1\r\nHost: ${h}\r\nConnection: close\r\nCookie: ${cookie}`), log: /^404 GET \/plugin-io\/api\/register_patient\/templates\/register\.html: no route serves templates\/register\.html; on Canvas/ },
      { name: 'declared oversized body', bytes: request(`POST ${create} HTTP/1.1\r\nHost: ${h}\r\n${json}\r\nContent-Length: ${2_000_000 + n}`), log: /^413 POST \/plugin-io\/api\/register_patient\/app\/create: Request body over/ },
      { name: 'oversized chunked body', bytes: request(`POST ${create} HTTP/1.1\r\nHost: ${h}\r\n${json}\r\nTransfer-Encoding: chunked`, `100000\r\n${'a'.repeat(0x100000)}\r\n100\r\n${'b'.repeat(0x100)}\r\n0\r\n\r\n`), log: /^413 POST \/plugin-io\/api\/register_patient\/app\/create: Request body over/ },
      { name: 'truncated body, half-closed', bytes: request(`POST ${create} HTTP/1.1\r\nHost: ${h}\r\n${json}\r\nContent-Length: 500`, `{"first_name":"Tr${n}`), then: 'end', mayBeSilent: true, log: /^400 POST \/plugin-io\/api\/register_patient\/app\/create: The request body broke off/ },
      { name: 'truncated body, vanished', bytes: request(`POST ${create} HTTP/1.1\r\nHost: ${h}\r\n${json}\r\nContent-Length: 500`, '{"first'), then: 'destroy', mayBeSilent: true, log: /^400 POST \/plugin-io\/api\/register_patient\/app\/create: The request body broke off/ },
      { name: 'invalid JSON body', bytes: request(`POST ${create} HTTP/1.1\r\nHost: ${h}\r\nConnection: close\r\n${json}\r\nContent-Length: 7`, `{"a":${n % 10}x`), log: /^400 POST \/plugin-io\/api\/register_patient\/app\/create: The request body is not valid JSON/ },
      { name: 'JSON of the wrong shape', bytes: request(`POST ${create} HTTP/1.1\r\nHost: ${h}\r\nConnection: close\r\n${json}\r\nContent-Length: 4`, 'null'), log: /^400 POST \/plugin-io\/api\/register_patient\/app\/create: answered so by route \"POST \/app\/create\"/ },
      { name: 'upgrade to an unknown path', bytes: request(upgradeHead(`/nowhere/${n}`)), log: /^404 WebSocket \/nowhere\/\d+: no route found$/ },
      { name: 'upgrade without the trailing slash', bytes: request(upgradeHead(`/plugin-io/ws/patient_messages/staff-${n}`, `\r\nCookie: ${cookie}`)), log: /^404 WebSocket \/plugin-io\/ws\/patient_messages\/staff-\d+: no route found \(the path must be/ },
      { name: 'upgrade to an unknown plugin', bytes: request(upgradeHead(`/plugin-io/ws/ghost_${n}/x/`)), log: /^404 WebSocket \/plugin-io\/ws\/ghost_\d+\/x\/: no plugin ghost_\d+$/ },
      { name: 'upgrade to a channel no rule allows', bytes: request(upgradeHead(`/plugin-io/ws/patient_messages/staff-not-me-${n}/`, `\r\nCookie: ${cookie}`)), log: /^403 WebSocket \/plugin-io\/ws\/patient_messages\/staff-not-me-\d+\/: the rule/ },
      { name: 'upgrade with a bad key', bytes: request(`GET /companion/live/ HTTP/1.1\r\nHost: ${h}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${'x'.repeat(n % 7)}\r\nCookie: ${cookie}`), log: /^400 WebSocket \/companion\/live\/: Missing or invalid Sec-WebSocket-Key/ },
      { name: 'upstream resets at once', bytes: request(`GET /plugin-io/api/reset_now/app/${n} HTTP/1.1\r\nHost: ${h}\r\nConnection: close`), log: /^reset_now: could not reach http:\/\/127\.0\.0\.1:\d+ for GET \/plugin-io\/api\/reset_now\/app\/\d+: / },
      // The upstream's 200 was already passed on when it reset: the proxy can only cut the body off.
      { name: 'upstream resets midway', bytes: request(`GET /plugin-io/api/reset_midway/app/${n} HTTP/1.1\r\nHost: ${h}\r\nConnection: close`), mayBeSilent: true, alsoOk: 200, log: /^reset_midway: the answer from http:\/\/127\.0\.0\.1:\d+ to GET \/plugin-io\/api\/reset_midway\/app\/\d+ broke off/, logMayBeMissing: true },
      { name: 'upstream answers a status line with a control character', bytes: request(`GET /plugin-io/api/bad_status/app/${n} HTTP/1.1\r\nHost: ${h}\r\nConnection: close`), log: /^502 GET \/plugin-io\/api\/bad_status\/app\/\d+: bad_status's server at http:\/\/127\.0\.0\.1:\d+ answered a status line or header/ },
      { name: 'upgrade to a resetting upstream', bytes: request(upgradeHead(`/plugin-io/ws/reset_now/c${n}/`)), log: /^reset_now: could not reach http:\/\/127\.0\.0\.1:\d+ for WebSocket \/plugin-io\/ws\/reset_now\/c\d+\/: / },
      { name: 'garbage bytes', bytes: junk, log: /^400 unparsable request: HPE_INVALID_METHOD/ },
      { name: 'header line without a colon', bytes: request(`GET /companion/ HTTP/1.1\r\nHost: ${h}\r\nthis is not a header ${n}`), log: /^400 unparsable request: HPE_INVALID_HEADER_TOKEN/ },
      { name: 'oversized header', bytes: request(`GET /companion/ HTTP/1.1\r\nHost: ${h}\r\nX-Big: ${'y'.repeat(20_000 + n)}`), expect: 431, log: /^431 GET "\/companion\/": headers of \d+ bytes \(over 16384; the largest: x-big, \d+ bytes\)$/ },
      { name: 'oversized cookie', bytes: request(`GET /companion/api/home HTTP/1.1\r\nHost: ${h}\r\nCookie: other_app=${'c'.repeat(20_000 + n)}; ${cookie}`), expect: 431, log: /^431 GET "\/companion\/api\/home": headers of \d+ bytes \(over 16384; the largest: cookie, / },
      { name: 'long URL', bytes: request(`GET /companion/?q=${'u'.repeat(100_000 + n)} HTTP/1.1\r\nHost: ${h}`), expect: 414, log: /^414 GET "\/companion\/\?q=u+…": a URL of \d+ bytes \(over 16384\)$/ },
      { name: 'long upgrade URL', bytes: request(upgradeHead(`/plugin-io/ws/patient_messages/${'w'.repeat(20_000 + n)}/`)), expect: 414, log: /^414 GET "\/plugin-io\/ws\/patient_messages\/w+…": a URL of \d+ bytes/ },
      { name: 'no Host', bytes: request(`GET /companion/api/home HTTP/1.1\r\nConnection: close\r\nCookie: ${cookie}`), expect: 400, log: /^400 GET "\/companion\/api\/home": no Host header$/ },
      { name: 'a foreign Host', bytes: request(`GET /plugin-io/api/register_patient/app/find?${n} HTTP/1.1\r\nHost: rebound${n}.example:${harness.port}\r\nConnection: close\r\nCookie: ${cookie}`), expect: 421, log: /^421 GET "\/plugin-io\/api\/register_patient\/app\/find\?\d+": Host "rebound\d+\.example:\d+" is not the harness's address/ },
      { name: 'a foreign Host on an upgrade', bytes: request(upgradeHeadFor(`rebound${n}.example`, `/plugin-io/ws/hostile/feed-${n}/`, `\r\nCookie: ${cookie}`)), expect: 421, log: /^421 GET "\/plugin-io\/ws\/hostile\/feed-\d+\/": Host "rebound\d+\.example" is not/ },
      { name: 'a route that throws a hostile object', bytes: hostile(`/throws?${n}`), expect: 500, log: new RegExp(`^500 GET /plugin-io/api/hostile/throws: route "GET /throws" threw: ${unreadable.source}`) },
      { name: 'a route that rejects with a hostile object', bytes: hostile(`/rejects?${n}`), expect: 500, log: new RegExp(`^500 GET /plugin-io/api/hostile/rejects: route "GET /rejects" threw: ${unreadable.source}`) },
      { name: 'a route that answers a hostile object', bytes: hostile(`/answers?${n}`), expect: 500, log: new RegExp(`^500 GET /plugin-io/api/hostile/answers: route "GET /answers" threw: ${unreadable.source}`) },
      { name: 'a route whose headers are hostile', bytes: hostile(`/headers?${n}`), expect: 500, log: /^500 GET \/plugin-io\/api\/hostile\/headers: route "GET \/headers" threw/ },
      { name: 'a route whose context is hostile', bytes: hostile(`/context?${n}`), expect: 500, log: new RegExp(`^500 GET /plugin-io/api/hostile/context: route "GET /context" gave a context that cannot be read: ${unreadable.source}`) },
      { name: 'a socket rule that throws a hostile object', bytes: request(upgradeHead(`/plugin-io/ws/hostile/evil-${n}/`, `\r\nCookie: ${cookie}`)), expect: 403, log: new RegExp(`^403 WebSocket /plugin-io/ws/hostile/evil-\\d+/: the rule "evil-<n>" threw: ${unreadable.source}`) },
      { name: 'a launch function that throws a hostile object', bytes: request(`GET /companion/api/launch?app=hostile:global:main&n=${n} HTTP/1.1\r\nHost: ${h}\r\nConnection: close\r\nCookie: ${cookie}`), expect: 500, log: new RegExp(`^hostile: launch URL of "Main" failed: ${unreadable.source}`) },
      { name: 'bad method', bytes: request(`BR3W /companion/ HTTP/1.1\r\nHost: ${h}\r\nConnection: close`), log: /^400 unparsable request: HPE_INVALID_METHOD/ },
      { name: 'a NUL in the path', bytes: request(`GET /plugin-io/api/register_patient/static/a%00${n}.js HTTP/1.1\r\nHost: ${h}\r\nConnection: close`), log: /^404 GET \/plugin-io\/api\/register_patient\/static\/a%00\d+\.js: no route in register_patient's mock matches GET \/static\/a%00\d+\.js$/ },
    ];
  }

  it(`answers ${ROUNDS} rounds of malformed requests with 4xx/5xx, keeps going, and then serves a normal request`, async () => {
    const all = Array.from({ length: ROUNDS }, (_, n) => round(n)).flat();
    expect(all.length).toBeGreaterThanOrEqual(500);
    // Only what these requests log is counted (not the lines of the harness's start).
    lines.length = 0;
    const results: { name: string; status: number; mayBeSilent: boolean; alsoOk?: number; expect?: number }[] = [];
    for (let at = 0; at < all.length; at += CONCURRENCY) {
      const batch = all.slice(at, at + CONCURRENCY);
      const statuses = await Promise.all(batch.map((item) => exchange(harness.port, item)));
      batch.forEach((item, i) => results.push({ name: item.name, status: statuses[i]!, mayBeSilent: Boolean(item.mayBeSilent), alsoOk: item.alsoOk, expect: item.expect }));
    }
    const wrong = results.filter(({ status, mayBeSilent, alsoOk, expect: only }) => (only !== undefined ? status !== only : !((status >= 400 && status <= 599) || (mayBeSilent && status === 0) || status === alsoOk)));
    expect(wrong.map(({ name, status }) => `${name}: ${status}`)).toEqual([]);
    // One log line for each request: as many lines as requests, and each kind's line as often as that kind was sent.
    const missable = all.filter((item) => item.logMayBeMissing).length;
    expect(lines.length).toBeLessThanOrEqual(all.length);
    expect(lines.length).toBeGreaterThanOrEqual(all.length - missable);
    const byPattern = new Map<string, { pattern: RegExp; sent: number; missable: number }>();
    for (const item of all) {
      const entry = byPattern.get(item.log.source) ?? { pattern: item.log, sent: 0, missable: 0 };
      entry.sent++;
      if (item.logMayBeMissing) entry.missable++;
      byPattern.set(item.log.source, entry);
    }
    const miscounted = [...byPattern.values()]
      .map(({ pattern, sent, missable: may }) => ({ pattern: pattern.source, sent, logged: lines.filter((line) => pattern.test(line)).length, may }))
      .filter(({ sent, logged, may }) => logged > sent || logged < sent - may);
    expect(miscounted).toEqual([]);

    // Still serving: the shell, a mock route with the session, and a WebSocket.
    expect((await fetch(harness.url)).status).toBe(200);
    const find = await fetch(`${harness.origin}/plugin-io/api/register_patient/app/find?first_name=Maria&last_name=Gonzalez&birth_date=1971-03-02&after=1970-01-01T00:00:00Z`, { headers: { cookie } });
    expect([find.status, await find.json()]).toEqual([200, { patient_id: maria }]);
    expect(await exchange(harness.port, { name: 'normal upgrade', bytes: request(upgradeHeadFor(`127.0.0.1:${harness.port}`, `/plugin-io/ws/patient_messages/patient-${maria}/`, `\r\nCookie: ${cookie}`)) })).toBe(101);
    // Nothing from outside the plugin folder, or hidden in it, or unrouted, was served.
    const escapes = results.filter((r) => /dot segments|hidden file|the manifest|the mock module|no route serves/.test(r.name));
    expect(escapes.length).toBe(6 * ROUNDS);
    expect(escapes.filter((r) => r.status !== 404 && r.status !== 400)).toEqual([]);
  });

  it('answers a too-large body with a 413 the client reads: the rest is read and dropped, not reset', async () => {
    const create = `${harness.origin}/plugin-io/api/register_patient/app/create`;
    const big = Buffer.alloc(3 * 1_048_576, 0x61);
    const response = await fetch(create, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: big });
    expect([response.status, await response.text()]).toEqual([413, 'Request body over 1048576 bytes\n']);
    // A chunked upload sent in pieces, still being written when the limit passes.
    const head = `POST /plugin-io/api/register_patient/app/create HTTP/1.1\r\nHost: 127.0.0.1:${harness.port}\r\nCookie: ${cookie}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const chunk = `10000\r\n${'b'.repeat(0x10000)}\r\n`;
    const { data, error } = await conversation(harness.port, [head, ...Array.from({ length: 40 }, () => chunk), '0\r\n\r\n']);
    expect(error).toBeNull();
    expect(data).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n[\s\S]*\r\n\r\nRequest body over 1048576 bytes\n$/);
    expect(lines.filter((line) => line.startsWith('413 POST /plugin-io/api/register_patient/app/create: Request body over')).length).toBeGreaterThanOrEqual(2);
  });

  it("frames every answer itself: a mock's Content-Length and Transfer-Encoding are dropped (one log line), the next answer on the connection intact", async () => {
    const h = `127.0.0.1:${harness.port}`;
    const get = (path: string, close = '') => `GET /plugin-io/api/hostile${path} HTTP/1.1\r\nHost: ${h}\r\nCookie: ${cookie}${close}\r\n\r\n`;
    const { data } = await conversation(harness.port, [get('/framed') + get('/framed') + get('/after', '\r\nConnection: close')]);
    const answers = data.split(/(?=HTTP\/1\.1 )/);
    expect(answers).toHaveLength(3);
    for (const answer of answers.slice(0, 2)) {
      expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(answer).toMatch(/\r\ncontent-length: 11\r\n/i);
      expect(answer).not.toMatch(/transfer-encoding/i);
      expect(answer).toMatch(/\r\nx-ok: yes\r\n/i);
      expect(answer.endsWith('\r\n\r\nhello world')).toBe(true);
    }
    expect(answers[2]).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nafter$/);
    expect(lines.filter((line) => line.includes('route "GET /framed" set content-length, transfer-encoding: the harness frames every answer itself'))).toHaveLength(1);
  });

  it('closes a socket client that stops reading with 1013 once its backlog passes the bound, with a log line', async () => {
    const channel = 'feed-1';
    const ws = new WebSocket(`ws://127.0.0.1:${harness.port}/plugin-io/ws/hostile/${channel}/`, { headers: { cookie } });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    await expect.poll(() => harness.sockets('hostile', channel), poll).toBe(1);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    // The client stops reading: what the harness sends piles up in its buffers, then in the harness.
    const raw = (ws as unknown as { _socket: Socket })._socket;
    raw.pause();
    const pad = 'p'.repeat(256 * 1024);
    const logged = () => lines.some((line) => line.startsWith(`WebSocket /plugin-io/ws/hostile/${channel}/:`) && line.endsWith('the client is not reading; closed with 1013'));
    // Bounded: 400 × 256 KiB is far above the kernel's buffers and the 1 MiB bound.
    for (let i = 0; i < 400 && !logged(); i++) {
      harness.platform.broadcast(channel, { pad, i });
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(logged()).toBe(true);
    expect(harness.sockets('hostile', channel)).toBe(0);
    // Reading again, the client gets what was queued and then the close frame.
    raw.resume();
    expect(await closed).toBe(1013);
  });

  it('keeps running when a change listener of the mock throws a hostile object', async () => {
    const touched = await fetch(`${harness.origin}/plugin-io/api/hostile/touch`, { method: 'POST', headers: { cookie } });
    expect(touched.status).toBe(200);
    expect((await fetch(harness.url)).status).toBe(200);
  });
});

describe('heads the parser refuses, and heads that never finish', () => {
  let harness: Harness;
  const lines: string[] = [];
  const HEAD_TIMEOUT_MS = 300;

  beforeAll(async () => {
    harness = await startHarness({ port: 0, headTimeout: HEAD_TIMEOUT_MS, log: (line) => lines.push(line) });
  });
  afterAll(() => harness?.close());

  it('answers a head over the parser\'s limit with 431, and a head that does not finish in time with 408, each with a text and one log line', async () => {
    // Just over the limit: a client that sends much more after the answer would see its connection reset.
    const huge = await conversation(harness.port, [`GET /companion/?q=${'h'.repeat(1_048_576)}`]);
    expect(huge.data).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n[\s\S]*The request's head \(URL and headers\) is over 1 MiB\n$/);
    expect(lines.filter((line) => line === '431 unparsable request: its head (URL and headers) is over 1048576 bytes (HPE_HEADER_OVERFLOW)')).toHaveLength(1);
    // Half a head, then nothing: the harness gives up after the head timeout (the exchange's own limit is far above).
    const slow = await conversation(harness.port, [`GET /companion/ HTTP/1.1\r\nHost: 127.0.0.1:${harness.port}\r\nX-Slow: `]);
    expect(slow.data).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n[\s\S]*The request did not arrive in time\n$/);
    expect(lines.filter((line) => line.startsWith(`408 slow request: its head did not arrive within ${HEAD_TIMEOUT_MS} ms`))).toHaveLength(1);
    expect((await fetch(harness.url)).status).toBe(200);
  });
});

describe('a mock hostile at start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'harness-hostile-start-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stops only the start, with an OptionError that says so, whatever its exports or setup throw', async () => {
    const hostile = 'const hostile = new Proxy({}, { get() { throw hostile; }, ownKeys() { throw hostile; }, getPrototypeOf() { throw hostile; } });';
    const cases = [
      [`${hostile} export const routes = hostile;`, /reading its exports threw: a thrown value that cannot be read/],
      [`${hostile} export default hostile;`, /reading its exports threw: a thrown value that cannot be read/],
      [`${hostile} export function setup() { throw hostile; }`, /its setup\(platform\) threw: a thrown value that cannot be read/],
      [`${hostile} throw hostile;`, /could not load it: a thrown value that cannot be read/],
    ] as const;
    for (const [i, [source, message]] of cases.entries()) {
      const folder = join(dir, `h${i}`);
      mkdirSync(folder);
      writeFileSync(join(folder, 'CANVAS_MANIFEST.json'), JSON.stringify({ name: `h${i}`, components: {} }));
      writeFileSync(join(folder, 'harness.mock.mjs'), source);
      await expect(startHarness({ port: 0, pluginDirs: [{ dir: folder }], log: () => {} }), source).rejects.toMatchObject({ name: 'OptionError', message: expect.stringMatching(message) });
    }
  });
});
