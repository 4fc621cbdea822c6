/** Small response and request helpers shared by the harness's routes. */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
};

/** Sends a JSON body (or an empty body for `undefined`). */
export function sendJSON(response, status, body, headers = {}) {
  if (body === undefined) return void response.writeHead(status, headers).end();
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));
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
  response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache', ...headers }).end(data);
}

/** Escapes text for HTML. */
export function escapeHTML(value) {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Parses the Cookie header. */
export function cookies(request) {
  const out = {};
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) out[part.slice(0, at).trim()] = decodeURIComponent(part.slice(at + 1).trim());
  }
  return out;
}

/** Reads a JSON request body (at most 64 KiB). Resolves `undefined` for an empty body; rejects a malformed one. */
export function readJSON(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    request.on('data', (chunk) => {
      size += chunk.length;
      if (size > 65_536) reject(new Error('body too large'));
      else chunks.push(chunk);
    });
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (!text) return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new Error('body is not JSON'));
      }
    });
    request.on('error', reject);
  });
}

/** Answers a WebSocket upgrade with a plain HTTP status and closes the socket (what a denied Canvas upgrade does). */
export function refuseUpgrade(socket, status, reason) {
  if (!socket.writable) return void socket.destroy();
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
