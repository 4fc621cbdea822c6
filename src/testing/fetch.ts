/**
 * A `fetch` for the mock platform: turns the page's request into what a plugin backend handles
 * (the same request the harness's HTTP server builds), and its answer into a `Response`.
 * @module
 */
import { parseBody, type HandledResponse, type PluginBackend } from '../platform/index.js';
import { pageWindow } from '../page.js';
import { bodyText, headerRecord, makeResponse } from './response.js';

/** A request the page sent, as `platform.requests` records it. */
export interface RecordedRequest {
  /** Upper case. */
  method: string;
  /** Relative to the plugin: `/app/find` for `/plugin-io/api/<plugin>/app/find`. */
  path: string;
  query: URLSearchParams;
  /** As the route saw it: parsed JSON, text, or null. */
  body: unknown;
  /** The route key that matched (`'GET /app/tasks/<id>'`), if any. */
  route?: string | undefined;
  /** The answer's status; undefined while the route runs. */
  status?: number | undefined;
  /** What the route threw, when it did (the answer is a 500). */
  error?: unknown;
}

/** What the fetch asks the platform. */
export interface FetchServer {
  /** The plugin the platform serves. */
  readonly plugin: string;
  /** True once the platform was closed: every fetch then fails as a network error. */
  closed(): boolean;
  /** Calls `listener` when the platform closes (requests still in flight then fail); returns its remover. */
  onClose(listener: () => void): () => void;
  /** Signed-in staff, or null (every route then answers 401). */
  staff(): Parameters<PluginBackend['handle']>[0]['staff'];
  /** A request arrived (before it is answered): record it, count it. */
  arrived(request: RecordedRequest): void;
  handle: PluginBackend['handle'];
  log(line: string): void;
}

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// Statuses under 200 never get here: toResponse turns them into a 500.
const NO_BODY_STATUS = new Set([204, 205, 304]);

function textResponse(status: number, text: string, signal?: AbortSignal | null): Response {
  return makeResponse(text, status, { 'content-type': 'text/plain; charset=utf-8' }, signal);
}

/** The `Response` for a handled answer. */
function toResponse(answer: HandledResponse, method: string, signal: AbortSignal | null | undefined): Response {
  if ('file' in answer) {
    return textResponse(501, `canvas-companion/testing serves no plugin files: route "${answer.route}" answered { file: ${JSON.stringify(answer.file)} }`, signal);
  }
  // The Response constructor accepts 200 to 599 only.
  if (answer.status < 200) return textResponse(500, `route "${answer.route}" answered status ${answer.status}`, signal);
  const body = NO_BODY_STATUS.has(answer.status) || method === 'HEAD' ? null : (answer.body ?? null);
  return makeResponse(body, answer.status, answer.headers, signal);
}

/** Rejects with the signal's reason when it aborts first. */
export function abortable<T>(work: Promise<T>, signal: AbortSignal | null | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise((resolve, reject) => {
    const abort = () => reject(signal.reason);
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

/** Rejects as a network error (a `TypeError`) when the platform closes first, as a request to a server that shut down does. */
function failOnClose<T>(work: Promise<T>, server: FetchServer): Promise<T> {
  return new Promise((resolve, reject) => {
    const stop = server.onClose(() => reject(new TypeError('canvas-companion/testing: the mock platform was closed (close()) while the request was in flight')));
    work.then(resolve, reject).finally(stop);
  });
}

/** Marks a kit `fetch` (across copies of the kit), so that one kit backend holds the global at a time. */
const KIT_FETCH = Symbol.for('canvas-companion/testing.fetch');

/** Marks `fetch` as a kit backend's (see {@link refuseSecondBackend}). */
export function markKitFetch(fetch: typeof globalThis.fetch): void {
  Object.defineProperty(fetch, KIT_FETCH, { value: true });
}

/** Throws while a kit backend (a mockPlatform() or a replayTrace()) holds the global `fetch`: one at a time. */
export function refuseSecondBackend(): void {
  const current = globalThis.fetch as unknown as Record<symbol, unknown> | undefined;
  if (current?.[KIT_FETCH] === true) {
    throw new Error('canvas-companion/testing: another mockPlatform() or replayTrace() is installed on globalThis: close() or restore() it first');
  }
}

/** Request-like input: a `Request` of any realm (happy-dom's, jsdom's, Node's). */
export function isRequest(input: unknown): input is Request {
  return typeof input === 'object' && input !== null && 'url' in input && 'method' in input && typeof (input as Request).text === 'function';
}

/**
 * Where a page's `fetch` call goes: its URL (resolved against the page), its method (upper case)
 * and its signal.
 * @param verb - What the kit does with the page's origin, for the error: `'mocked'`, `'replayed'`.
 * @throws TypeError, as a browser's fetch rejects, for what is not a URL and for another origin
 *   than the page's (the kit answers none: an unreachable server or a CORS failure looks so).
 */
export function fetchTarget(input: RequestInfo | URL, init: RequestInit, verb: string): { url: URL; method: string; signal: AbortSignal | null | undefined } {
  const base = pageWindow()?.location.href;
  const given = isRequest(input) ? input.url : String(input);
  let url: URL;
  try {
    url = new URL(given, base);
  } catch {
    throw new TypeError(`canvas-companion/testing: ${given} is not a URL${base ? '' : ' (outside a DOM, give absolute URLs)'}`);
  }
  const pageOrigin = base === undefined ? url.origin : new URL(base).origin;
  if (url.origin !== pageOrigin) throw new TypeError(`canvas-companion/testing: fetch to ${url.href}: only the page's own origin (${pageOrigin}) is ${verb}`);
  const method = (init.method ?? (isRequest(input) ? input.method : 'GET')).toUpperCase();
  return { url, method, signal: init.signal ?? (isRequest(input) ? input.signal : undefined) };
}

/**
 * A `fetch` that answers the page's same-origin requests under `/plugin-io/api/<plugin>/` from
 * `server`, without timers or network. Another plugin's path, or another path on the page's
 * origin, is a 404; another origin is a network error (a `TypeError`), as an unreachable
 * server or a CORS failure is.
 */
export function createFetch(server: FetchServer): typeof fetch {
  async function answer(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
    if (server.closed()) throw new TypeError('canvas-companion/testing: the mock platform was closed (close()): no server answers');
    const { url, method, signal } = fetchTarget(input, init, 'mocked');
    const headers = headerRecord(init.headers ?? (isRequest(input) ? input.headers : undefined));
    const prefix = `/plugin-io/api/${server.plugin}`;
    const under = url.pathname === prefix || url.pathname.startsWith(prefix + '/');
    if (!under) {
      server.log(`404 ${method} ${url.pathname}: the mock platform serves /plugin-io/api/${server.plugin}/ only`);
      return textResponse(404, `canvas-companion/testing: no route for ${url.pathname} (the mock platform serves ${prefix}/)`, signal);
    }
    const path = url.pathname.slice(prefix.length) || '/';
    let text = '';
    if (WITH_BODY.has(method)) {
      const body = init.body !== undefined ? init.body : isRequest(input) ? await input.text() : null;
      text = await bodyText(body);
    }
    const parsed = parseBody(text, headers['content-type'] ?? '');
    const record: RecordedRequest = { method, path, query: url.searchParams, body: 'body' in parsed ? parsed.body : text };
    server.arrived(record);
    if (!('body' in parsed)) {
      record.status = 400;
      return textResponse(400, parsed.error, signal);
    }
    // As the harness: HEAD runs the GET route, and the body is dropped (toResponse).
    const handled = await server.handle({ method: method === 'HEAD' ? 'GET' : method, path, query: url.searchParams, headers, body: parsed.body, staff: server.staff() });
    record.route = handled.route;
    record.status = handled.status;
    if (handled.error !== undefined) {
      record.error = handled.error;
      server.log(`500 ${method} ${path}: route "${handled.route}" threw: ${(handled.error as Error)?.stack ?? handled.error}`);
    }
    return toResponse(handled, method, signal);
  }
  return (input: RequestInfo | URL, init?: RequestInit) =>
    abortable(failOnClose(answer(input, init ?? {}), server), init?.signal ?? (isRequest(input) ? input.signal : undefined));
}
