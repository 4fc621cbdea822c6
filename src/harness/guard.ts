/**
 * What every request passes before any session, route, proxy or socket: a `Host` that is the
 * harness's own address (a page on another name that resolves to 127.0.0.1, DNS rebinding, is
 * refused), and a head of a sane size (414 for a long URL, 431 for large headers).
 * @module
 */
import type { IncomingMessage } from 'node:http';

/** Request head limits, in bytes: the URL, the headers together, and what Node's parser takes at most. */
export const HEAD_LIMITS = Object.freeze({ url: 16_384, headers: 16_384, parser: 1_048_576 });

/** A request refused before it reaches a route: the status, its reason phrase, the answer's text and the log line. */
export interface Refusal {
  status: number;
  reason: string;
  text: string;
  log: string;
}

/** The names this harness answers to, with its port: 127.0.0.1, localhost, [::1], and the `--host` names. */
export function allowedHosts(port: number, names: readonly string[] = []): Set<string> {
  const hosts = new Set<string>();
  for (const name of ['127.0.0.1', 'localhost', '[::1]', ...names.map((n) => n.trim().toLowerCase()).filter(Boolean)]) {
    // A name given with its own port (a reverse proxy's) is taken as it is.
    if (/:\d+$/.test(name) && !/^[^[]*:[^\]]*:/.test(name)) {
      hosts.add(name);
      continue;
    }
    hosts.add(`${name}:${port}`);
    // On the default port a browser sends the name alone; so does one behind a proxy on 80 or 443.
    if (port === 80 || !['127.0.0.1', 'localhost', '[::1]'].includes(name)) hosts.add(name);
  }
  return hosts;
}

/** A value for a log line: quoted, and cut to `max` characters. */
export const quoted = (value: string, max = 100): string => JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);

/** The size of the request's header lines as sent (`name: value\r\n` each). */
function headerBytes(request: IncomingMessage): { total: number; largest: string; largestBytes: number } {
  let total = 0;
  let largest = '';
  let largestBytes = 0;
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const bytes = Buffer.byteLength(request.rawHeaders[i]!) + Buffer.byteLength(request.rawHeaders[i + 1]!) + 4;
    total += bytes;
    if (bytes > largestBytes) [largest, largestBytes] = [request.rawHeaders[i]!.toLowerCase(), bytes];
  }
  return { total, largest, largestBytes };
}

const kib = (bytes: number) => `${Math.ceil(bytes / 1024)} KiB`;

/**
 * Checks a request's head: its Host (present, and one of `hosts`), its URL's length and its
 * headers' size. Null when it may go on.
 * @param port - The harness's port, for the texts.
 */
export function checkHead(request: IncomingMessage, hosts: ReadonlySet<string>, port: number): Refusal | null {
  const what = `${request.method} ${quoted(request.url ?? '', 80)}`;
  const host = request.headers.host;
  if (host === undefined || host === '') {
    return {
      status: 400, reason: 'Bad Request',
      text: 'The request has no Host header: HTTP/1.1 requires one, and the harness answers only requests for its own address',
      log: `400 ${what}: no Host header`,
    };
  }
  if (!hosts.has(host.toLowerCase())) {
    const own = `127.0.0.1:${port}, localhost:${port} or [::1]:${port}`;
    return {
      status: 421, reason: 'Misdirected Request',
      text: `This harness answers only requests for its own address (${own}), not for ${quoted(host)}: a page on another name may not reach it. If you reach the harness through that name on purpose, start it with --host ${host.replace(/:\d+$/, '')}`,
      log: `421 ${what}: Host ${quoted(host)} is not the harness's address (${own}; --host NAME adds one)`,
    };
  }
  const urlBytes = Buffer.byteLength(request.url ?? '');
  if (urlBytes > HEAD_LIMITS.url) {
    return {
      status: 414, reason: 'URI Too Long',
      text: `The URL is ${kib(urlBytes)}; the harness takes URLs up to ${kib(HEAD_LIMITS.url)}: send large data in a POST body`,
      log: `414 ${what}: a URL of ${urlBytes} bytes (over ${HEAD_LIMITS.url})`,
    };
  }
  const { total, largest, largestBytes } = headerBytes(request);
  if (total > HEAD_LIMITS.headers) {
    const cookies = largest === 'cookie' ? ` Cookies are the largest: every server on ${host.replace(/:\d+$/, '')} shares them, whatever its port. Clear that name's cookies, or open the harness at http://${host.startsWith('localhost') ? '127.0.0.1' : 'localhost'}:${port}/companion/` : '';
    return {
      status: 431, reason: 'Request Header Fields Too Large',
      text: `The request's headers are ${kib(total)}; the harness takes up to ${kib(HEAD_LIMITS.headers)}.${cookies}`,
      log: `431 ${what}: headers of ${total} bytes (over ${HEAD_LIMITS.headers}; the largest: ${largest}, ${largestBytes} bytes)`,
    };
  }
  return null;
}
