/**
 * Plugin HTTP: URLs under the plugin's SimpleAPI prefix, and JSON requests that carry the
 * Canvas session cookie.
 * @module
 */
import { CompanionError } from './errors.js';

/** Query parameters: `null` and `undefined` values are left out, others turned into strings. */
export type QueryParams = Record<string, string | number | boolean | null | undefined>;

/** Options of {@link apiUrl}. */
export interface ApiUrlOptions {
  /**
   * The plugin's name (`\w+`).
   * @default pluginName(), read from the page's own path
   */
  plugin?: string;
  /** Query parameters to append, encoded. */
  query?: QueryParams;
}

/** Options of {@link requestJSON}. */
export interface RequestJSONOptions {
  /**
   * HTTP method.
   * @default 'POST' when `body` is given, else 'GET'
   */
  method?: string;
  /** Sent as JSON (`JSON.stringify`) with `Content-Type: application/json`. */
  body?: unknown;
  /** Query parameters to append to the URL, encoded. */
  query?: QueryParams;
  /** Cancels the request; the promise then rejects with `signal.reason`. */
  signal?: AbortSignal;
  /**
   * Deadline for the whole request, answer body included, in ms; past it the promise rejects
   * with `TIMEOUT`. `Infinity` waits for ever.
   * @default 30000
   */
  timeout?: number;
  /**
   * The `fetch` to use (for tests, or Node).
   * @default globalThis.fetch
   */
  fetch?: typeof fetch;
}

/**
 * The plugin's name, read from a path of the form `/plugin-io/api/<plugin_name>/…`.
 *
 * @param path - The path to read; by default the page's own `location.pathname`.
 * @returns The name, or `null` when the path is not under `/plugin-io/api/` (e.g. a page served
 *   elsewhere, or outside a browser).
 */
export function pluginName(path = globalThis.location?.pathname): string | null {
  return /^\/plugin-io\/api\/(\w+)(\/|$)/.exec(path!)?.[1] ?? null;
}

function withQuery(url: string, query: QueryParams = {}): string {
  const text = String(new URLSearchParams(Object.entries(query).filter((entry) => entry[1] != null) as string[][]));
  return text ? url + (url.includes('?') ? '&' : '?') + text : url;
}

/**
 * The URL of one of the plugin's SimpleAPI routes: `/plugin-io/api/<plugin><path>[?query]`.
 * The path is kept exactly, trailing slash included, because SimpleAPI matches the whole path.
 *
 * @example
 * ```ts
 * apiUrl('/app/find', { query: { name: 'Ada' } }) // '/plugin-io/api/my_plugin/app/find?name=Ada'
 * ```
 * @throws TypeError if `path` does not start with `/`, or if no plugin name is given and the
 *   page is not served under `/plugin-io/api/<plugin>/` (or the name is not `\w+`).
 */
export function apiUrl(path: string, options: ApiUrlOptions = {}): string {
  const plugin = options.plugin ?? pluginName() ?? '';
  if (path?.[0] != '/' || !/^\w+$/.test(plugin)) {
    throw new TypeError('apiUrl() needs a path starting with "/" and, off plugin pages, { plugin }');
  }
  return withQuery(`/plugin-io/api/${plugin}${path}`, options.query);
}

/**
 * Sends a same-origin request with the session cookie and reads a JSON answer.
 * Never sends `Prefer: respond-async` (which would make Canvas drop the handler's answer).
 *
 * @returns The parsed body, or `null` for a 204 or an empty body.
 * @throws CompanionError (as a rejection): `UNAUTHORIZED` for 401 and 403 (the message is the
 *   body's `error` when it has one), `NOT_FOUND` for 404, `HTTP_ERROR` for any other non-2xx,
 *   `NETWORK_ERROR` when no answer came (the fetch error is the `cause`), `INVALID_RESPONSE` when
 *   the body is not JSON, `TIMEOUT` after `timeout` ms. Rejects with `signal.reason` when aborted.
 *   Throws `RangeError` at once for a negative `timeout`, `TypeError` for a body JSON cannot encode.
 */
export function requestJSON<T = any>(url: string, options: RequestJSONOptions = {}): Promise<T> {
  const { body, signal, timeout = 30_000, fetch: send = fetch } = options;
  if (!(timeout >= 0)) throw new RangeError('timeout must be >= 0');
  const type = 'application/json';
  const controller = new AbortController();
  const init: RequestInit = {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    credentials: 'same-origin',
    headers: body === undefined ? { accept: type } : { accept: type, 'content-type': type },
    body: JSON.stringify(body),
    signal: controller.signal,
  };
  url = withQuery(url, options.query);
  const stop = () => controller.abort(signal!.reason);
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (async () => {
    let response: Response;
    let text: string;
    let data = null;
    if (signal?.aborted) throw signal.reason;
    signal?.addEventListener('abort', stop);
    // Past 2^31-1 ms, setTimeout would fire at once: such a timeout means "for ever".
    if (timeout < 2 ** 31) timer = setTimeout(() => controller.abort(new CompanionError('TIMEOUT', `${url}: no answer in ${timeout} ms`)), timeout);
    try {
      response = await send(url, init);
      text = await response.text();
    } catch (cause) {
      // An abort or our timeout also rejects the fetch: report the signal's reason then.
      throw controller.signal.aborted ? controller.signal.reason : new CompanionError('NETWORK_ERROR', `${url}: no answer`, { cause });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
    }
    const { ok, status } = response;
    const auth = status == 401 || status == 403;
    try {
      if (text.trim()) data = JSON.parse(text);
    } catch (cause) {
      if (ok) throw new CompanionError('INVALID_RESPONSE', `${url}: not JSON`, { status, cause });
    }
    if (ok) return data;
    // Canvas's 401s carry {"error": "…"}, and so do many plugins' 4xx answers; other bodies may be anything.
    throw new CompanionError(
      auth ? 'UNAUTHORIZED' : status == 404 ? 'NOT_FOUND' : 'HTTP_ERROR',
      (typeof data?.error == 'string' && data.error) || `${url}: HTTP ${status}${auth ? ': signed out or not permitted' : ''}`,
      { status },
    );
  })();
}
