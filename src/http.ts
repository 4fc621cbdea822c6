/**
 * Plugin HTTP: URLs under the plugin's SimpleAPI prefix, and JSON requests that carry the
 * Canvas session cookie.
 * @module
 */
import { CompanionError, type CompanionErrorCode } from './errors.js';
import { checkDelay, checkSignal, startTimer } from './checks.js';
import { warnUnknownOptions } from './dev.js';
import { globalScope, pageWindow } from './page.js';

// Bundlers' development flag, read behind `typeof process` (see dev.ts); not Node's whole type.
declare const process: { env: { NODE_ENV?: string } };

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
  /**
   * Sent as JSON (`JSON.stringify`) with `Content-Type: application/json`. A body JSON cannot
   * encode (a function, a symbol, a cycle), or any body with `GET` or `HEAD`, is a `TypeError`.
   */
  body?: unknown;
  /** Query parameters to append to the URL, encoded. */
  query?: QueryParams;
  /**
   * Cancels the request; the promise then rejects with `signal.reason`. Anything else than an
   * `AbortSignal` (or `null`) is a `TypeError`.
   */
  signal?: AbortSignal;
  /**
   * Deadline for the whole request, answer body included, in ms; past it the promise rejects
   * with `TIMEOUT`. At most 2³¹−1 ms; `Infinity` waits for ever.
   * @default 30000
   */
  timeout?: number;
  /**
   * The `fetch` to use (for tests, or Node).
   * @default globalThis.fetch
   */
  fetch?: typeof fetch;
}

const JSON_TYPE = 'application/json';
const PLUGIN_PATH = /^\/plugin-io\/api\/(\w+)(\/|$)/;
const PLUGIN_NAME = /^\w+$/;
/**
 * What could take a path out of the plugin's prefix: a dot segment (`.` or `..`, percent-encoded
 * or not), with which URL resolution climbs; a backslash, a `/` to the URL parser (and `%5C`, one
 * to a server that decodes it); a tab or newline, which the parser drops (`.<tab>.` is `..`).
 */
const ESCAPE_FROM_PREFIX = /\/(\.|%2e){1,2}(\/|$)|[\\\t\n\r]|%5c/i;
/** The options of {@link requestJSON}, for the development warnings. */
const REQUEST_OPTIONS = ['method', 'body', 'query', 'signal', 'timeout', 'fetch'];

/**
 * The plugin's name, read from a path of the form `/plugin-io/api/<plugin_name>/…`.
 *
 * @param path - The path to read; by default the page's own `location.pathname`.
 * @returns The name, or `null` when the path is not under `/plugin-io/api/` (e.g. a page served
 *   elsewhere, or outside a browser).
 */
export function pluginName(path: string | undefined = pageWindow()?.location.pathname): string | null {
  if (typeof path !== 'string') return null;
  return PLUGIN_PATH.exec(path)?.[1] ?? null;
}

/**
 * `url` with `query`'s entries appended, encoded; `null` and `undefined` values are left out.
 * @internal Also for effects.
 */
export function withQuery(url: string, query: QueryParams = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value != null) params.append(key, String(value));
  }
  const text = params.toString();
  if (!text) return url;
  return url + (url.includes('?') ? '&' : '?') + text;
}

/**
 * The URL of one of the plugin's SimpleAPI routes: `/plugin-io/api/<plugin><path>[?query]`.
 * The path is kept exactly, trailing slash included, because SimpleAPI matches the whole path.
 * It never leaves the plugin's prefix: a path with a dot segment or a backslash is refused.
 *
 * @example
 * ```ts
 * apiUrl('/app/find', { query: { name: 'Ada' } }) // '/plugin-io/api/my_plugin/app/find?name=Ada'
 * ```
 * @throws TypeError if `path` does not start with `/`; if its path part (before any `?` or `#`)
 *   has a dot segment (`.`, `..`, percent-encoded too: `%2e`, `.%2E`…), a backslash (or `%5C`), a
 *   tab or a newline; or if no plugin name is given and the page is not served under
 *   `/plugin-io/api/<plugin>/` (or the name is not `\w+`).
 */
export function apiUrl(path: string, options: ApiUrlOptions = {}): string {
  // Only the path part is checked for a way out: a query may hold anything.
  if (typeof path !== 'string' || !path.startsWith('/') || ESCAPE_FROM_PREFIX.test(path.split(/[?#]/, 1)[0]!)) {
    throw new TypeError('path must start with "/", without dot segments or backslashes');
  }
  const plugin = options.plugin ?? pluginName();
  if (plugin == null) {
    throw new TypeError('no plugin name: pass { plugin }');
  }
  if (!PLUGIN_NAME.test(plugin)) throw new TypeError(`plugin ${plugin} is not \\w+`);
  return withQuery(`/plugin-io/api/${plugin}${path}`, options.query);
}

/** The JSON text of a request body, or `undefined` for none. */
function encodeBody(body: unknown, method: string): string | undefined {
  if (body === undefined) return undefined;
  if (method === 'GET' || method === 'HEAD') throw new TypeError(`body with ${method}`);
  let text: string | undefined;
  try {
    text = JSON.stringify(body);
  } catch (cause) {
    throw new TypeError('body is not JSON-encodable', { cause });
  }
  // JSON.stringify returns undefined, without throwing, for a function or a symbol.
  if (text === undefined) throw new TypeError('body is not JSON-encodable');
  return text;
}

/** What JSON itself counts as whitespace: space, tab, CR, LF (not a no-break space). */
const JSON_WHITESPACE = /^[ \t\r\n]*$/;

/** The codes of the statuses that have their own; every other non-2xx is `HTTP_ERROR`. */
const CODE_FOR_STATUS: Record<number, CompanionErrorCode | undefined> = { 401: 'UNAUTHORIZED', 403: 'UNAUTHORIZED', 404: 'NOT_FOUND' };

/** The error for a non-2xx answer. */
function httpError(url: string, status: number, body: unknown): CompanionError {
  const code = CODE_FOR_STATUS[status] ?? 'HTTP_ERROR';
  // Canvas's 401s carry {"error": "…"}, and so do many plugins' 4xx answers; other bodies may be anything.
  const bodyError = (body as { error?: unknown } | null | undefined)?.error;
  const fallback = `${url}: HTTP ${status}` + (code === 'UNAUTHORIZED' ? ': signed out or not permitted' : '');
  const message = typeof bodyError === 'string' && bodyError !== '' ? bodyError : fallback;
  return new CompanionError(code, message, { status, body });
}

/**
 * Tells whether `response` followed a redirect to an HTML page: the sign-in page in front of an
 * expired session (a plugin's API answers JSON), so the same as a 401.
 * @internal Also for realtime's `authProbe`.
 */
export function isSignInRedirect(response: Response): boolean {
  return response.redirected && /html/i.test(response.headers.get('content-type') ?? '');
}

/**
 * Why a redirected answer is not the plugin's own, judged before its body is read; `undefined`
 * when it is (or was not redirected). One that ended on another origin than the request's (CORS
 * allowing it) is never read; one that ended on an HTML page is a sign-in page.
 */
function redirectRefusal(url: string, response: Response): CompanionError | undefined {
  if (!response.redirected) return undefined;
  const { status } = response;
  const answeredFrom = new URL(response.url).origin;
  // Outside a browser a relative URL has no origin of its own: the answer's is taken as its.
  if (answeredFrom !== new URL(url, pageWindow()?.location.href ?? response.url).origin) {
    return new CompanionError('INVALID_RESPONSE', `${url}: redirected to ${answeredFrom}`, { status });
  }
  if (isSignInRedirect(response)) return new CompanionError('UNAUTHORIZED', `${url}: redirected to a sign-in page`, { status });
  return undefined;
}

/** The `fetch` a call uses: its own option, else the global one. @throws TypeError when there is none. */
export function fetchOf(options: { fetch?: typeof fetch }): typeof fetch {
  const send = options.fetch ?? globalScope().fetch;
  if (typeof send !== 'function') throw new TypeError('no fetch: pass { fetch }');
  return send;
}

/**
 * Sends a same-origin request with the session cookie and reads a JSON answer.
 * Never sends `Prefer: respond-async` (which would make Canvas drop the handler's answer).
 *
 * @returns The parsed body, or `null` for a 204 or an empty body (nothing but JSON whitespace:
 *   space, tab, CR, LF).
 * @throws CompanionError (as a rejection): `UNAUTHORIZED` for 401 and 403 (the message is the
 *   body's `error` when it has one), and for a redirect that ended on an HTML page (a sign-in
 *   page); `NOT_FOUND` for 404, `HTTP_ERROR` for any other non-2xx (each with `status` and the
 *   answer's `body`), `NETWORK_ERROR` when no answer came (the fetch error is the `cause`),
 *   `INVALID_RESPONSE` when a 2xx body is not JSON or too large to read, or when the answer came
 *   from another origin than the one asked (a redirect: its body is never read), `TIMEOUT` after
 *   `timeout` ms. Rejects with `signal.reason` when aborted. Throws at once, before anything is
 *   sent: `RangeError` for a bad `timeout`, `TypeError` for a body JSON cannot encode or a body
 *   with `GET`/`HEAD`, a `signal` that is not an `AbortSignal`, or without a `fetch`.
 */
export function requestJSON<T = any>(url: string, options: RequestJSONOptions = {}): Promise<T> {
  const { body, signal, timeout = 30_000 } = options;
  if (typeof url !== 'string') throw new TypeError('url must be a string');
  checkDelay('timeout', timeout, true);
  checkSignal(signal);
  if (typeof process === 'object' && process.env.NODE_ENV !== 'production') warnUnknownOptions('requestJSON', options, REQUEST_OPTIONS);
  const send = fetchOf(options);
  const method = options.method ?? (body === undefined ? 'GET' : 'POST');
  if (typeof method !== 'string') throw new TypeError('method must be a string');
  const encoded = encodeBody(body, method.toUpperCase());
  const init: RequestInit = {
    method: method.toUpperCase(),
    credentials: 'same-origin',
    headers: encoded === undefined ? { accept: JSON_TYPE } : { accept: JSON_TYPE, 'content-type': JSON_TYPE },
    body: encoded,
  };
  return exchange<T>(send, withQuery(url, options.query), init, timeout, signal);
}

/**
 * Sends a checked request and reads its JSON answer, within `timeout` ms and until `signal`
 * aborts: the asynchronous half of {@link requestJSON}, whose argument errors throw at once.
 */
async function exchange<T>(send: typeof fetch, url: string, init: RequestInit, timeout: number, signal?: AbortSignal): Promise<T> {
  if (signal?.aborted) throw signal.reason;
  const controller = new AbortController();
  const abortWithCaller = () => controller.abort(signal!.reason);
  signal?.addEventListener('abort', abortWithCaller);
  const timer = startTimer(() => controller.abort(new CompanionError('TIMEOUT', `${url}: no answer in ${timeout} ms`)), timeout);
  let response: Response;
  let refusal: CompanionError | undefined;
  let text = '';
  try {
    response = await send(url, { ...init, signal: controller.signal });
    refusal = redirectRefusal(url, response);
    // A refused answer's body is never read: end the exchange, so its connection does not stay open.
    if (refusal) controller.abort(refusal);
    else text = await response.text();
  } catch (cause) {
    // An abort or our timeout also rejects the fetch: report the signal's reason then.
    if (controller.signal.aborted) throw controller.signal.reason;
    throw new CompanionError('NETWORK_ERROR', `${url}: no answer`, { cause });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', abortWithCaller);
  }
  if (refusal) throw refusal;
  const { ok, status } = response;
  // Chromium reads a body past about 512 MiB as "": known when the answer declared its length, as Django's do.
  if (ok && text === '' && init.method !== 'HEAD' && Number(response.headers?.get('content-length')) > 0) {
    throw new CompanionError('INVALID_RESPONSE', `${url}: body too large to read`, { status });
  }
  // The body: its JSON value, else (not from a 2xx) its text; `undefined` when empty (JSON whitespace only).
  let body: unknown;
  try {
    body = JSON_WHITESPACE.test(text) ? undefined : JSON.parse(text);
  } catch (cause) {
    // A 2xx answer promised JSON; another one's body may be plain text.
    if (ok) throw new CompanionError('INVALID_RESPONSE', `${url}: not JSON`, { status, body: text, cause });
    body = text;
  }
  if (!ok) throw httpError(url, status, body);
  return (body ?? null) as T;
}
