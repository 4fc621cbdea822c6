/**
 * Small response and request helpers shared by the harness's routes.
 * @module
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { extname } from 'node:path';
import type { Duplex } from 'node:stream';
import { parseBody as parseBodyText } from '../platform/index.js';
import { HttpError } from './errors.js';

/** Content types by file extension (lower case, with the dot). */
export const TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.html': 'text/html; charset=utf-8', '.htm': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.map': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2', '.woff': 'font/woff', '.wasm': 'application/wasm',
});

/** The content type of a file name; `application/octet-stream` when the extension is unknown. */
export const typeOf = (file: string): string => TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';

/** Sends a JSON body, or an empty body when `body` is `undefined`. */
export function sendJSON(response: ServerResponse, status: number, body?: unknown, headers: OutgoingHttpHeaders = {}): void {
  if (body === undefined) return void response.writeHead(status, headers).end();
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));
}

/** Sends a short plain-text answer (errors the harness itself gives), newline-terminated. */
export function sendText(response: ServerResponse, status: number, text: string, headers: OutgoingHttpHeaders = {}): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers }).end(`${text}\n`);
}

/** Sends an HTML page that must never be cached (a stale page in an iframe is hard to spot). */
export function sendHTML(response: ServerResponse, status: number, html: string, headers: OutgoingHttpHeaders = {}): void {
  response.writeHead(status, { 'content-type': TYPES['.html'], 'cache-control': 'no-store', ...headers }).end(html);
}

/** Sends a file; 404 with an empty body when it cannot be read. */
export async function sendFile(response: ServerResponse, file: string, headers: OutgoingHttpHeaders = {}): Promise<void> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch {
    return void response.writeHead(404).end();
  }
  response.writeHead(200, { 'content-type': typeOf(file), 'cache-control': 'no-cache', ...headers }).end(data);
}

/** Escapes text for HTML (element content and quoted attributes). */
export function escapeHTML(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Decodes percent-encoding; null when it is malformed (`%`, `%zz`, a lone surrogate). */
export function decode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** Parses the Cookie header. A value with broken percent-encoding is kept as it was sent. */
export function cookies(request: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  const header = request.headers.cookie;
  for (const part of (typeof header === 'string' ? header : '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) {
      const raw = part.slice(at + 1).trim();
      out[part.slice(0, at).trim()] = decode(raw) ?? raw;
    }
  }
  return out;
}

/**
 * The request target as a URL, or null when it is not a plain path (absolute-form
 * `GET http://host/x`, `*`, or anything `new URL` refuses).
 */
export function requestUrl(request: IncomingMessage): URL | null {
  const target = request.url ?? '';
  if (!target.startsWith('/') || target.startsWith('//')) return null;
  try {
    return new URL(target, 'http://127.0.0.1');
  } catch {
    return null;
  }
}

/**
 * Reads a request body. Over the limit it stops reading (the request is left paused).
 * @param limit - The largest body read, in bytes; 1 MiB unless given.
 * @throws {@link HttpError} 413 for a larger body, 400 when the client gives up before its end.
 */
export function readBody(request: IncomingMessage, limit = 1_048_576): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => new HttpError(413, `Request body over ${limit} bytes`);
    if (Number(request.headers['content-length']) > limit) return reject(tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    // The first of data-over-limit, end, error and close decides.
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      outcome();
    };
    const brokeOff = () => settle(() => reject(new HttpError(400, 'The request body broke off')));
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      // Paused until whoever answers the 413 reads the rest (sendTextAndDrain).
      request.off('data', onData).pause();
      settle(() => reject(tooLarge()));
    };
    request.on('data', onData);
    request.on('end', () => settle(() => resolve(Buffer.concat(chunks))));
    request.on('error', brokeOff);
    request.on('close', brokeOff);
  });
}

/** How much of a refused body the harness reads and drops before it closes the connection, and for how long. */
export const DRAIN_LIMIT = { bytes: 16 * 1_048_576, ms: 10_000 } as const;

/**
 * Answers a request whose body is refused (413) while the client may still be sending it: the
 * answer goes out at once, then the rest of the body is read and dropped (up to
 * {@link DRAIN_LIMIT}) before the connection closes. Closing at once would reset the connection
 * under a client still writing, which then never sees the answer.
 */
export function sendTextAndDrain(request: IncomingMessage, response: ServerResponse, status: number, text: string, limits = DRAIN_LIMIT): void {
  answerAndDrain(request, response, status, `${text}\n`, 'text/plain; charset=utf-8', limits);
}

/** {@link sendTextAndDrain} with a JSON body (the shell's API answers its errors as `{ error }`). */
export function sendJSONAndDrain(request: IncomingMessage, response: ServerResponse, status: number, value: unknown, limits = DRAIN_LIMIT): void {
  answerAndDrain(request, response, status, JSON.stringify(value), 'application/json', limits);
}

/** Sends `body` at once, then reads and drops the rest of the request (see {@link sendTextAndDrain}). */
function answerAndDrain(request: IncomingMessage, response: ServerResponse, status: number, body: string, type: string, { bytes, ms }: typeof DRAIN_LIMIT): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body), connection: 'close' });
  response.write(body);
  let drained = 0;
  let timer: NodeJS.Timeout | undefined;
  const finish = () => {
    clearTimeout(timer);
    request.off('data', count).off('end', finish).off('close', finish);
    response.end();
  };
  const count = (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > bytes) finish();
  };
  if (request.readableEnded) return finish();
  timer = setTimeout(finish, ms);
  request.on('data', count).on('end', finish).on('close', finish);
  request.resume();
}

/**
 * A body as a mock route sees it (the platform's parseBody, shared with the test kit's fetch).
 * @throws {@link HttpError} 400 for JSON that does not parse.
 */
export function parseBody(buffer: Buffer, contentType = ''): unknown {
  const parsed = parseBodyText(buffer.toString('utf8'), contentType);
  if ('error' in parsed) throw new HttpError(400, parsed.error);
  return parsed.body;
}

/**
 * Answers a WebSocket upgrade (or a request Node could not parse) with a plain HTTP status and
 * closes the socket (what a denied Canvas upgrade does).
 * @param text - A plain-text body saying why; none unless given.
 */
export function refuseUpgrade(socket: Duplex, status: number, reason: string, text = ''): void {
  if (!socket.writable) return void socket.destroy();
  const body = text ? `${text}\n` : '';
  const type = body ? 'Content-Type: text/plain; charset=utf-8\r\n' : '';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\n${type}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}
