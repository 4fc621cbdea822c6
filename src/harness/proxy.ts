/**
 * `--plugin NAME=URL`: forwards /plugin-io/api/NAME/... and /plugin-io/ws/NAME/... (WebSocket
 * upgrades too) to the plugin author's local server, so their page is same-origin with the shell
 * as it is on Canvas. Paths and queries are forwarded unchanged.
 * @module
 */
import http, { type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { Staff } from '../platform/index.js';
import { wait } from './conditions.js';
import { escapeHTML, refuseUpgrade, sendHTML, sendText } from './http.js';
import type { AnswerNotes } from './trace.js';

/** Hop-by-hop headers (and `host`), never forwarded as they came. */
const HOP = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host'];
/** How long the author's server may take to answer, in ms. */
const UPSTREAM_TIMEOUT = 30_000;

/** What both kinds of forwarding get. */
interface Forward {
  /** The plugin's name. */
  name: string;
  /** The author's server (an origin). */
  origin: string;
  request: IncomingMessage;
  /** The session's staff member; null when signed out (no user headers are sent). */
  staff: Staff | null;
  log: (line: string) => void;
}

/** Headers to send upstream: hop-by-hop ones dropped, and the session headers Canvas sets from the cookie. */
function upstreamHeaders(request: IncomingMessage, target: URL, staff: Staff | null): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { ...request.headers };
  for (const name of HOP) delete headers[name];
  // Canvas strips these when the browser sends them itself and sets them from the session.
  delete headers['canvas-logged-in-user-id'];
  delete headers['canvas-logged-in-user-type'];
  if (staff) {
    headers['canvas-logged-in-user-id'] = staff.id;
    headers['canvas-logged-in-user-type'] = 'Staff';
  }
  headers.host = target.host;
  headers['x-forwarded-host'] = request.headers.host ?? '';
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-for'] = request.socket.remoteAddress ?? '';
  return headers;
}

/** A connection error in words an author acts on. */
function describe(error: NodeJS.ErrnoException): string {
  if (error.code === 'ECONNREFUSED') return `nothing is listening there (${error.code})`;
  if (error.code === 'ENOTFOUND') return `the host name does not resolve (${error.code})`;
  return error.code ? `${error.message} (${error.code})` : error.message;
}

const timedOut = () => Object.assign(new Error(`no answer within ${UPSTREAM_TIMEOUT / 1000} s`), { code: 'ETIMEDOUT' });

/** The page shown in the app's iframe when the author's server cannot be reached. */
function unreachablePage(name: string, origin: string, path: string, reason: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Plugin server unreachable</title><style>
body{font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:20px;color:#1d2733;background:#fff}
h1{font-size:19px;margin:0 0 12px;color:#a3261b}code{font:14px ui-monospace,Menlo,Consolas,monospace;background:#f1f3f5;padding:1px 4px;border-radius:4px;word-break:break-all}
p{margin:0 0 12px}</style></head><body>
<h1>Could not reach your plugin server</h1>
<p>The harness forwards <code>/plugin-io/api/${escapeHTML(name)}/…</code> to <code>${escapeHTML(origin)}</code>, and the request for
<code>${escapeHTML(path)}</code> failed: ${escapeHTML(reason)}.</p>
<p>Is your server running on that address? Start it (or fix <code>--plugin ${escapeHTML(name)}=URL</code>), then close this app and open it again.</p>
</body></html>`;
}

/**
 * Forwards one HTTP request, and its answer back; a server that cannot be reached gets a page that says so.
 * `notes` (for the trace) learns whether the author's server answered.
 */
export function proxyRequest({ name, origin, request, response, staff, log, notes = { source: 'harness', route: null, body: null } }: Forward & { response: ServerResponse; notes?: AnswerNotes }): void {
  const target = new URL(origin);
  let clientGone = false;
  const client = target.protocol === 'https:' ? https : http;
  const upstream = client.request(
    { protocol: target.protocol, hostname: target.hostname, port: target.port, method: request.method, path: request.url, headers: upstreamHeaders(request, target, staff), timeout: UPSTREAM_TIMEOUT },
    (answer) => {
      const headers = { ...answer.headers };
      for (const hop of HOP) if (hop !== 'host') delete headers[hop];
      try {
        response.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
        notes.source = 'proxy';
      } catch (error) {
        // A status line or header Node will not send on (e.g. "200 O\x7fK"): a 502 that says so.
        answer.resume();
        const { code, message } = error as NodeJS.ErrnoException;
        log(`502 ${request.method} ${request.url}: ${name}'s server at ${origin} answered a status line or header the harness cannot pass on: ${message}`);
        for (const header of response.getHeaderNames()) response.removeHeader(header);
        response.statusMessage = '';
        return sendText(response, 502, `Your plugin server's answer cannot be passed on (${code ?? message}): check its status line and headers`);
      }
      answer.pipe(response);
      // The status is sent already: all the proxy can do is cut the body off, and say so.
      answer.on('error', (error) => {
        if (clientGone) return;
        log(`${name}: the answer from ${origin} to ${request.method} ${request.url} broke off: ${describe(error)}`);
        response.destroy();
      });
    },
  );
  upstream.on('timeout', () => upstream.destroy(timedOut()));
  upstream.on('error', (error) => {
    // Our own destroy() after the browser went away is not the author's server failing.
    if (clientGone) return;
    const reason = describe(error);
    log(`${name}: could not reach ${origin} for ${request.method} ${request.url}: ${reason}`);
    if (response.headersSent) return void response.destroy();
    sendHTML(response, 502, unreachablePage(name, origin, request.url ?? '', reason));
  });
  request.pipe(upstream);
  response.on('close', () => {
    clientGone = true;
    upstream.destroy();
  });
}

/** What {@link proxyUpgrade} gets besides the request. */
export interface ForwardUpgrade extends Forward {
  socket: Duplex;
  head: Buffer;
  /**
   * Called once the upgrade succeeded, with a function that ends both sides (the harness calls it
   * when the session expires, and on close) and the socket to the author's server.
   */
  opened(drop: () => void, upstream: Duplex): void;
  /**
   * Called when the upgrade is refused (by the author's server, or because it cannot be reached).
   * @default nothing
   */
  refused?: (status: number, reason: string) => void;
  /**
   * Milliseconds to wait before passing on each chunk from the author's server (the session's
   * latency; asked per chunk, chunks keep their order).
   * @default no wait
   */
  delay?: () => number;
}

/** Bytes of a proxied socket a latency may hold back before the author's server is paused. */
const HELD_LIMIT = 1_048_576;

/**
 * Passes the author's server's bytes on to the page: each chunk after `delay()` ms when one is
 * asked, in order (a chunk stands for a frame: the harness does not read a proxied socket's
 * frames); straight through, with backpressure, while none is.
 * @param first - Bytes that came with the upgrade's answer.
 */
function relay(from: Duplex, to: Duplex, delay: () => number, first: Buffer): void {
  let last = Promise.resolve();
  let waiting = 0;
  /** Bytes held back by the delay; past {@link HELD_LIMIT} the author's server is paused, as a slow network would. */
  let held = 0;
  const pass = (chunk: Buffer) => {
    const ms = delay();
    if (!ms && !waiting) {
      if (to.write(chunk)) return;
      from.pause();
      to.once('drain', () => from.resume());
      return;
    }
    waiting++;
    held += chunk.length;
    if (held > HELD_LIMIT) from.pause();
    // Due `ms` after it came, not after the chunk before it: latency delays chunks, it does not add up.
    const due = performance.now() + ms;
    last = last.then(() => (to.writable ? wait(due - performance.now()) : undefined)).then(() => {
      waiting--;
      held -= chunk.length;
      if (to.writable) to.write(chunk);
      if (held <= HELD_LIMIT && from.isPaused()) from.resume();
    });
  };
  if (first.length) pass(first);
  from.on('data', pass);
  from.on('end', () => void last.then(() => to.end()));
}

/** Forwards one WebSocket upgrade and then the raw bytes both ways; a refusal's status is passed on. */
export function proxyUpgrade({ name, origin, request, socket, head, staff, log, opened, refused = () => {}, delay = () => 0 }: ForwardUpgrade): void {
  const target = new URL(origin);
  const client = target.protocol === 'https:' ? https : http;
  const headers = upstreamHeaders(request, target, staff);
  headers.connection = 'Upgrade';
  headers.upgrade = request.headers.upgrade ?? 'websocket';
  const upstream = client.request({ protocol: target.protocol, hostname: target.hostname, port: target.port, method: 'GET', path: request.url, headers, timeout: UPSTREAM_TIMEOUT });
  let upgraded = false;
  let clientGone = false;
  upstream.on('upgrade', (answer, upstreamSocket, upstreamHead) => {
    upgraded = true;
    const lines = [`HTTP/1.1 101 ${answer.statusMessage || 'Switching Protocols'}`];
    for (let i = 0; i < answer.rawHeaders.length; i += 2) lines.push(`${answer.rawHeaders[i]}: ${answer.rawHeaders[i + 1]}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length) upstreamSocket.write(head);
    socket.pipe(upstreamSocket);
    relay(upstreamSocket, socket, delay, upstreamHead);
    const end = () => {
      socket.destroy();
      upstreamSocket.destroy();
    };
    socket.on('error', end).on('close', end);
    upstreamSocket.on('error', end).on('close', end);
    opened(end, upstreamSocket);
  });
  upstream.on('response', (answer) => {
    // The author's server refused the upgrade (e.g. 403 from its authenticate()): pass the status on.
    log(`${name}: WebSocket ${request.url} refused by ${origin} with ${answer.statusCode}`);
    answer.resume();
    refused(answer.statusCode ?? 502, `refused by ${origin}`);
    refuseUpgrade(socket, answer.statusCode ?? 502, answer.statusMessage || 'Refused');
  });
  upstream.on('timeout', () => upstream.destroy(timedOut()));
  upstream.on('error', (error) => {
    // Our own destroy() after the browser went away is not the author's server failing.
    if (clientGone) return;
    log(`${name}: could not reach ${origin} for WebSocket ${request.url}: ${describe(error)}`);
    refused(502, `could not reach ${origin}: ${describe(error)}`);
    refuseUpgrade(socket, 502, 'Bad Gateway');
  });
  // The browser left before the upstream answered: stop asking it.
  socket.once('close', () => {
    if (upgraded) return;
    clientGone = true;
    upstream.destroy();
  });
  upstream.end();
}
