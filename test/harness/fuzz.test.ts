/**
 * The harness never crashes on input: hundreds of malformed requests over raw sockets (bad
 * cookies and percent-encoding, absolute-form and bracketed URLs, oversized and truncated
 * bodies, garbage, upgrades to unknown paths, upstreams that reset), each answered with a
 * 4xx/5xx (or, when the client itself hung up, nothing), then a normal request still works.
 */
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../src/harness/index.js';
import { ROOT } from '../support/browser.js';

/** How long one raw exchange may take before the test gives up on it (a bound, not a wait: answers come in milliseconds). */
const EXCHANGE_LIMIT_MS = 5_000;
/** Requests in flight at once: enough to overlap, few enough for a busy 2-core machine. */
const CONCURRENCY = 16;
const ROUNDS = 24;
const MARIA = '3e1f7a52-8c4d-4b6e-a1f0-2d9c8b7a6e51';

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
const upgradeHead = (path: string, extra = '') =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==${extra}`;

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
  let harness: Harness;
  let upstreams: Awaited<ReturnType<typeof resettingUpstreams>>;
  let cookie: string;
  const lines: string[] = [];

  beforeAll(async () => {
    upstreams = await resettingUpstreams();
    harness = await startHarness({
      port: 0,
      effectDelay: 50,
      log: (line) => lines.push(line),
      pluginDirs: [{ dir: join(ROOT, 'test', 'fixtures', 'register_patient') }, { dir: join(ROOT, 'test', 'fixtures', 'patient_messages') }],
      plugins: [{ name: 'reset_now', url: upstreams.now }, { name: 'reset_midway', url: upstreams.midway }, { name: 'bad_status', url: upstreams.badStatus }],
    });
    cookie = (await fetch(harness.url)).headers.get('set-cookie')!.split(';')[0]!;
  });
  afterAll(async () => {
    await harness?.close();
    for (const server of upstreams?.servers ?? []) await new Promise((resolve) => server.close(resolve));
  });

  /** The malformed requests of one round; `n` varies them from round to round. */
  function round(n: number): Exchange[] {
    const junk = Buffer.from(Array.from({ length: 64 + n }, (_, i) => (i * 37 + n * 101) % 256));
    const create = '/plugin-io/api/register_patient/app/create';
    const json = `Content-Type: application/json\r\nCookie: ${cookie}`;
    return [
      { name: 'cookie x=% over HTTP', bytes: request(`GET /companion/api/home HTTP/1.1\r\nHost: h\r\nConnection: close\r\nCookie: x=%${n}%`), log: /^401 GET \/companion\/api\/home: no staff session/ },
      { name: 'cookie with a broken escape on a plugin route', bytes: request(`GET /plugin-io/api/register_patient/app/register HTTP/1.1\r\nHost: h\r\nConnection: close\r\nCookie: sessionid=%E0%A4%A${n}; x=%`), log: /^401 GET \/plugin-io\/api\/register_patient\/app\/register: no staff session/ },
      { name: 'upgrade with cookie x=%', bytes: request(upgradeHead(`/plugin-io/ws/patient_messages/patient-${MARIA}/`, `\r\nCookie: x=%${n}`)), log: /^403 WebSocket \/plugin-io\/ws\/patient_messages\/patient-[\da-f-]+\/: no staff session$/ },
      { name: 'bad percent-encoding in a plugin path', bytes: request(`GET /plugin-io/api/register_patient/static/%${n}zz%.js HTTP/1.1\r\nHost: h\r\nConnection: close`), log: /^400 GET \/plugin-io\/api\/register_patient\/static\/%\d+zz%\.js: malformed percent-encoding/ },
      { name: 'bad percent-encoding in a patient path', bytes: request(`GET /companion/patient/%zz${n}/ HTTP/1.1\r\nHost: h\r\nConnection: close`), log: /^404 GET \/companion\/patient\/%zz\d+\/: no such patient/ },
      { name: 'bad percent-encoding in an icon path', bytes: request(`GET /companion/icons/%E0%${n} HTTP/1.1\r\nHost: h\r\nConnection: close`), log: /^404 GET \/companion\/icons\/%E0%\d+: no such app/ },
      { name: 'bracketed absolute-form URL', bytes: request(`GET http://[::1/x${n} HTTP/1.1\r\nHost: h\r\nConnection: close`), log: /^400 GET \"http:\/\/\[::1\/x\d+\": the request target must be a path/ },
      { name: 'absolute-form URL', bytes: request(`GET http://127.0.0.1/companion/?${n} HTTP/1.1\r\nHost: h\r\nConnection: close`), log: /^400 GET \"http:\/\/127\.0\.0\.1\/companion\/\?\d+\": the request target/ },
      { name: 'asterisk-form', bytes: request(`OPTIONS * HTTP/1.1\r\nHost: h\r\nConnection: close`), log: /^400 OPTIONS \"\*\": the request target/ },
      { name: 'scheme-relative path', bytes: request(`GET //evil.example/${n} HTTP/1.1\r\nHost: h\r\nConnection: close`), log: /^400 GET \"\/\/evil\.example\/\d+\": the request target/ },
      { name: 'upgrade with a bracketed URL', bytes: request(upgradeHead(`http://[::1/ws${n}`)), log: /^400 WebSocket \"http:\/\/\[::1\/ws\d+\": the request target/ },
      { name: 'dot segments out of the plugin folder', bytes: request(`GET /plugin-io/api/register_patient/../../../../etc/passwd?${n} HTTP/1.1\r\nHost: h\r\nConnection: close`), log: /^404 GET \/etc\/passwd: the harness has no such page/ },
      { name: 'encoded dot segments', bytes: request(`GET /plugin-io/api/register_patient/%2e%2e/%2e%2e/package.json?${n} HTTP/1.1\r\nHost: h\r\nConnection: close`), log: /^404 GET \/plugin-io\/package\.json: the harness has no such page/ },
      { name: 'hidden file', bytes: request(`GET /plugin-io/api/register_patient/.git/config?${n} HTTP/1.1\r\nHost: h\r\nConnection: close`), log: /^404 GET \/plugin-io\/api\/register_patient\/\.git\/config: no route in the mock and no such file/ },
      { name: 'declared oversized body', bytes: request(`POST ${create} HTTP/1.1\r\nHost: h\r\n${json}\r\nContent-Length: ${2_000_000 + n}`), log: /^413 POST \/plugin-io\/api\/register_patient\/app\/create: Request body over/ },
      { name: 'oversized chunked body', bytes: request(`POST ${create} HTTP/1.1\r\nHost: h\r\n${json}\r\nTransfer-Encoding: chunked`, `100000\r\n${'a'.repeat(0x100000)}\r\n100\r\n${'b'.repeat(0x100)}\r\n0\r\n\r\n`), log: /^413 POST \/plugin-io\/api\/register_patient\/app\/create: Request body over/ },
      { name: 'truncated body, half-closed', bytes: request(`POST ${create} HTTP/1.1\r\nHost: h\r\n${json}\r\nContent-Length: 500`, `{"first_name":"Tr${n}`), then: 'end', mayBeSilent: true, log: /^400 POST \/plugin-io\/api\/register_patient\/app\/create: The request body broke off/ },
      { name: 'truncated body, vanished', bytes: request(`POST ${create} HTTP/1.1\r\nHost: h\r\n${json}\r\nContent-Length: 500`, '{"first'), then: 'destroy', mayBeSilent: true, log: /^400 POST \/plugin-io\/api\/register_patient\/app\/create: The request body broke off/ },
      { name: 'invalid JSON body', bytes: request(`POST ${create} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n${json}\r\nContent-Length: 7`, `{"a":${n % 10}x`), log: /^400 POST \/plugin-io\/api\/register_patient\/app\/create: The request body is not valid JSON/ },
      { name: 'JSON of the wrong shape', bytes: request(`POST ${create} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n${json}\r\nContent-Length: 4`, 'null'), log: /^400 POST \/plugin-io\/api\/register_patient\/app\/create: answered so by route \"POST \/app\/create\"/ },
      { name: 'upgrade to an unknown path', bytes: request(upgradeHead(`/nowhere/${n}`)), log: /^404 WebSocket \/nowhere\/\d+: no route found$/ },
      { name: 'upgrade without the trailing slash', bytes: request(upgradeHead(`/plugin-io/ws/patient_messages/staff-${n}`, `\r\nCookie: ${cookie}`)), log: /^404 WebSocket \/plugin-io\/ws\/patient_messages\/staff-\d+: no route found \(the path must be/ },
      { name: 'upgrade to an unknown plugin', bytes: request(upgradeHead(`/plugin-io/ws/ghost_${n}/x/`)), log: /^404 WebSocket \/plugin-io\/ws\/ghost_\d+\/x\/: no plugin ghost_\d+$/ },
      { name: 'upgrade to a channel no rule allows', bytes: request(upgradeHead(`/plugin-io/ws/patient_messages/staff-not-me-${n}/`, `\r\nCookie: ${cookie}`)), log: /^403 WebSocket \/plugin-io\/ws\/patient_messages\/staff-not-me-\d+\/: the rule/ },
      { name: 'upgrade with a bad key', bytes: request(`GET /companion/live/ HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${'x'.repeat(n % 7)}\r\nCookie: ${cookie}`), log: /^400 WebSocket \/companion\/live\/: Missing or invalid Sec-WebSocket-Key/ },
      { name: 'upstream resets at once', bytes: request(`GET /plugin-io/api/reset_now/app/${n} HTTP/1.1\r\nHost: h\r\nConnection: close`), log: /^reset_now: could not reach http:\/\/127\.0\.0\.1:\d+ for GET \/plugin-io\/api\/reset_now\/app\/\d+: / },
      // The upstream's 200 was already passed on when it reset: the proxy can only cut the body off.
      { name: 'upstream resets midway', bytes: request(`GET /plugin-io/api/reset_midway/app/${n} HTTP/1.1\r\nHost: h\r\nConnection: close`), mayBeSilent: true, alsoOk: 200, log: /^reset_midway: the answer from http:\/\/127\.0\.0\.1:\d+ to GET \/plugin-io\/api\/reset_midway\/app\/\d+ broke off/, logMayBeMissing: true },
      { name: 'upstream answers a status line with a control character', bytes: request(`GET /plugin-io/api/bad_status/app/${n} HTTP/1.1\r\nHost: h\r\nConnection: close`), log: /^502 GET \/plugin-io\/api\/bad_status\/app\/\d+: bad_status's server at http:\/\/127\.0\.0\.1:\d+ answered a status line or header/ },
      { name: 'upgrade to a resetting upstream', bytes: request(upgradeHead(`/plugin-io/ws/reset_now/c${n}/`)), log: /^reset_now: could not reach http:\/\/127\.0\.0\.1:\d+ for WebSocket \/plugin-io\/ws\/reset_now\/c\d+\/: / },
      { name: 'garbage bytes', bytes: junk, log: /^400 unparsable request: HPE_INVALID_METHOD/ },
      { name: 'header line without a colon', bytes: request(`GET /companion/ HTTP/1.1\r\nHost: h\r\nthis is not a header ${n}`), log: /^400 unparsable request: HPE_INVALID_HEADER_TOKEN/ },
      { name: 'oversized header', bytes: request(`GET /companion/ HTTP/1.1\r\nHost: h\r\nX-Big: ${'y'.repeat(20_000 + n)}`), log: /^400 unparsable request: HPE_HEADER_OVERFLOW/ },
      { name: 'bad method', bytes: request(`BR3W /companion/ HTTP/1.1\r\nHost: h\r\nConnection: close`), log: /^400 unparsable request: HPE_INVALID_METHOD/ },
      { name: 'a NUL in the path', bytes: request(`GET /plugin-io/api/register_patient/static/a%00${n}.js HTTP/1.1\r\nHost: h\r\nConnection: close`), log: /^404 GET \/plugin-io\/api\/register_patient\/static\/a%00\d+\.js: no route in the mock and no such file/ },
    ];
  }

  it(`answers ${ROUNDS} rounds of malformed requests with 4xx/5xx, keeps going, and then serves a normal request`, async () => {
    const all = Array.from({ length: ROUNDS }, (_, n) => round(n)).flat();
    expect(all.length).toBeGreaterThanOrEqual(500);
    const results: { name: string; status: number; mayBeSilent: boolean; alsoOk?: number }[] = [];
    for (let at = 0; at < all.length; at += CONCURRENCY) {
      const batch = all.slice(at, at + CONCURRENCY);
      const statuses = await Promise.all(batch.map((item) => exchange(harness.port, item)));
      batch.forEach((item, i) => results.push({ name: item.name, status: statuses[i]!, mayBeSilent: Boolean(item.mayBeSilent), alsoOk: item.alsoOk }));
    }
    const wrong = results.filter(({ status, mayBeSilent, alsoOk }) => !((status >= 400 && status <= 599) || (mayBeSilent && status === 0) || status === alsoOk));
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
    expect([find.status, await find.json()]).toEqual([200, { patient_id: MARIA }]);
    expect(await exchange(harness.port, { name: 'normal upgrade', bytes: request(upgradeHead(`/plugin-io/ws/patient_messages/patient-${MARIA}/`, `\r\nCookie: ${cookie}`)) })).toBe(101);
    // Nothing from outside the plugin folder, or hidden in it, was served.
    const escapes = results.filter((r) => /dot segments|hidden file/.test(r.name));
    expect(escapes.length).toBe(3 * ROUNDS);
    expect(escapes.filter((r) => r.status !== 404 && r.status !== 400)).toEqual([]);
  });

});
