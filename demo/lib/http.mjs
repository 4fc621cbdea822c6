/** Small response and request helpers shared by the harness's routes. */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseBody as parseBodyText } from './platform.mjs';

/** Limits of this module. */
const LIMITS = Object.freeze({
  /** Largest request body the harness reads (bytes); larger ones get 413. */
  body: 1_048_576,
});

/** Content types by file extension. */
export const TYPES = Object.freeze({
  '.html': 'text/html; charset=utf-8', '.htm': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.map': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2', '.woff': 'font/woff', '.wasm': 'application/wasm',
});

/** The content type of a file name. */
export const typeOf = (file) => TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';

/** An error that becomes an HTTP answer: `status` and a text that says what was wrong. */
export class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** Sends a JSON body (or an empty body for `undefined`). */
export function sendJSON(response, status, body, headers = {}) {
  if (body === undefined) return void response.writeHead(status, headers).end();
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));
}

/** Sends a short plain-text answer (errors the harness itself gives). */
export function sendText(response, status, text, headers = {}) {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers }).end(`${text}\n`);
}

/** Sends an HTML page that must never be cached (a stale page in an iframe is hard to spot). */
export function sendHTML(response, status, html, headers = {}) {
  response.writeHead(status, { 'content-type': TYPES['.html'], 'cache-control': 'no-store', ...headers }).end(html);
}

/** Sends a file; 404 with an empty body when it does not exist. */
export async function sendFile(response, file, headers = {}) {
  let data;
  try {
    data = await readFile(file);
  } catch {
    return void response.writeHead(404).end();
  }
  response.writeHead(200, { 'content-type': typeOf(file), 'cache-control': 'no-cache', ...headers }).end(data);
}

/** Escapes text for HTML. */
export function escapeHTML(value) {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Decodes percent-encoding; null when it is malformed (`%`, `%zz`, a lone surrogate). */
export function decode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

/** Parses the Cookie header. A value with broken percent-encoding is kept as it was sent. */
export function cookies(request) {
  const out = {};
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
export function requestUrl(request) {
  const target = request.url ?? '';
  if (!target.startsWith('/') || target.startsWith('//')) return null;
  try {
    return new URL(target, 'http://127.0.0.1');
  } catch {
    return null;
  }
}

/** Reads a request body as a Buffer (at most 1 MiB; HttpError 413 beyond, 400 when the client gives up). */
export function readBody(request, limit = LIMITS.body) {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    if (declared > limit) return reject(new HttpError(413, `Request body over ${limit} bytes`));
    const chunks = [];
    let size = 0;
    let done = false;
    const finish = (error, value) => {
      if (done) return;
      done = true;
      if (error) reject(error);
      else resolve(value);
    };
    request.on('data', (chunk) => {
      size += chunk.length;
      if (size > limit) {
        finish(new HttpError(413, `Request body over ${limit} bytes`));
        request.pause();
      } else chunks.push(chunk);
    });
    request.on('end', () => finish(null, Buffer.concat(chunks)));
    request.on('error', () => finish(new HttpError(400, 'The request body broke off')));
    request.on('close', () => finish(new HttpError(400, 'The request body broke off')));
  });
}

/**
 * A body as a mock route sees it (the platform core's parseBody, shared with the test kit's fetch).
 * HttpError 400 for JSON that does not parse.
 */
export function parseBody(buffer, contentType = '') {
  const parsed = parseBodyText(buffer.toString('utf8'), contentType);
  if ('error' in parsed) throw new HttpError(400, parsed.error);
  return parsed.body;
}

/** Answers a WebSocket upgrade with a plain HTTP status and closes the socket (what a denied Canvas upgrade does). */
export function refuseUpgrade(socket, status, reason) {
  if (!socket.writable) return void socket.destroy();
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
