/**
 * A harness trace replayed in a unit test: the launch URL an app was opened with, a `fetch`
 * giving the recorded answers of the plugin's routes, the messages the shell sent to the page
 * (to send again through a {@link TestHost}) and those the page sent (to compare).
 * @module
 */
import type { HostMessage } from '../channel.js';
import { TRACE_FORMAT, type Trace, type TraceMessage, type TraceRequest } from '../platform/index.js';
import type { TestHost } from './host.js';
import { launch } from './launch.js';
import { abortable, fetchTarget, isRequest, markKitFetch, refuseSecondBackend } from './fetch.js';
import { bodyText, makeResponse } from './response.js';

/** Options of {@link replayTrace}. */
export interface ReplayOptions {
  /**
   * The app to replay (its id, `<plugin>:<scope>:<slug>`, as the trace's messages name it), when
   * the trace holds several.
   * @default the app of the first frame the trace opened (or the trace's only app)
   */
  app?: string;
  /**
   * Query parameters left out when a request is matched with the recorded ones: values that differ
   * from run to run (a timestamp, a cache-buster).
   * @default []
   */
  ignoreParams?: readonly string[];
  /**
   * Where the replay reports a request the trace has no answer for, and an answer whose body the
   * trace cut.
   * @default console.warn
   */
  log?: (line: string) => void;
}

/** A request the page sent to {@link TraceReplay.fetch}, shaped as the trace records requests. */
export interface ReplayedRequest {
  /** Upper case. */
  method: string;
  /** The path, without the query: `/plugin-io/api/my_plugin/app/tasks`. */
  path: string;
  /** The query with its `?`, or `''`. */
  query: string;
  /** The body as text; null when there was none (or until it was read). */
  body: string | null;
  /** The status answered: the recorded one, 404 when the trace had none; null for a network error. */
  status: number | null;
  /** The recorded request whose answer was given; null when the trace had none for this request. */
  answer: TraceRequest | null;
}

/** What {@link replayTrace} returns. */
export interface TraceReplay {
  /** The trace, as read. */
  readonly trace: Trace;
  /** The replayed app's id; null when the trace has no message of any app (only its requests replay then). */
  readonly app: string | null;
  /** The URL (path and query) the trace opened the app with; null when it has none (no frame of it opened, or the log had forgotten it). */
  readonly url: string | null;
  /**
   * Sets the page's URL to {@link TraceReplay.url}, on the page's own origin, as `launch()` does:
   * `resetState()` and `host.reset()` put back the URL from before the first launch.
   * @returns The page's new URL.
   * @throws TypeError without a recorded URL, for one not under `/plugin-io/api/<plugin>/`, and
   *   where `launch()` throws (outside a DOM, on an opaque origin).
   */
  launch(): string;
  /**
   * A `fetch` answering each request with the recorded answer for the same method, path and
   * query (parameters in any order): the n-th identical request gets the n-th recorded answer,
   * and the last one again once they run out. A recorded request that got no answer (offline,
   * a dropped connection) rejects with `TypeError('Failed to fetch')`, as a browser's fetch does.
   * A request the trace never saw gets a 404 whose JSON `{ error }` names it and the recorded
   * requests nearest to it (logged too). Another origin than the page's rejects with a
   * `TypeError`. Honours `signal`. Pass it as the library's `fetch` option, or `install()` it.
   */
  readonly fetch: typeof fetch;
  /** Every request `fetch` got, in order of arrival. */
  readonly requests: readonly ReplayedRequest[];
  /**
   * Puts `fetch` on `globalThis` (the `WebSocket` is left alone: sockets are not replayed);
   * returns {@link TraceReplay.restore}.
   * @throws Error while a `mockPlatform()` or another replay is installed: one fake backend at a
   *   time (restore or close it first).
   */
  install(): () => void;
  /** Puts back the `fetch` that `install()` replaced, where it is still this replay's. */
  restore(): void;
  /** What the shell sent to the app's page, in order, as the page's port got it (`INIT_CHANNEL` left out: `connectHost()` stands for it). */
  readonly hostMessages: readonly HostMessage[];
  /**
   * What the app's page sent through its port, in order (what `host.messages` records), so a test
   * can compare: `expect(host.messages).toEqual(replay.pageMessages)`. Messages it posted to
   * `window.parent` instead, which Canvas ignores, are left out.
   */
  readonly pageMessages: readonly unknown[];
  /**
   * Sends {@link TraceReplay.hostMessages} through `host`, one after the other: each once the
   * page's `onHostMessage()` handlers ran on the one before. Until the page adds its first
   * handler they wait in the port, as `host.send()` does.
   * @throws TypeError (as a rejection) when `host` is not a `TestHost`.
   */
  sendHostMessages(host: TestHost): Promise<void>;
}

/** Headers of the recorded answer that describe the bytes on the wire, not the text the trace kept (maybe cut). */
const WIRE_HEADERS = new Set(['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive']);
const NO_BODY_STATUS = new Set([204, 205, 304]);

/** A value named in an error: its JSON (cut), or its kind. */
function shown(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A plain object (not null, not an array). */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Throws the TypeError of a bad input: where, what was expected, what was given. */
function fail(where: string, expected: string, value: unknown): never {
  throw new TypeError(`replayTrace(): ${where}: expected ${expected}, got ${shown(value)}`);
}

/** The trace, read from its JSON text or taken as given, with the parts the replay uses checked. */
function readTrace(input: unknown): Trace {
  let trace = input;
  if (typeof input === 'string') {
    try {
      trace = JSON.parse(input.replace(/^\uFEFF/, ''));
    } catch (error) {
      throw new TypeError(`replayTrace(): the text is not JSON (${(error as Error).message})`);
    }
  }
  if (!isRecord(trace)) fail('the trace', 'a Trace object or its JSON text (the shell\'s "Export trace" file)', trace);
  if (trace.format !== TRACE_FORMAT) {
    const hint = trace.format === undefined && 'requests' in trace ? ' (GET /companion/api/trace answers a part of it: use the shell\'s "Export trace")' : '';
    fail('format', `"${TRACE_FORMAT}"${hint}`, trace.format);
  }
  if (trace.version !== 1) throw new TypeError(`replayTrace(): unknown trace version ${shown(trace.version)}: this canvas-companion/testing reads version 1`);
  for (const key of ['messages', 'requests', 'effects', 'sockets']) {
    if (!Array.isArray(trace[key])) fail(`trace.${key}`, 'an array', trace[key]);
  }
  (trace.messages as unknown[]).forEach((message, i) => {
    const where = `trace.messages[${i}]`;
    if (!isRecord(message)) fail(where, 'an object', message);
    if (message.dir !== 'out' && message.dir !== 'in' && message.dir !== 'info') fail(`${where}.dir`, '"out", "in" or "info"', message.dir);
    if (typeof message.app_id !== 'string') fail(`${where}.app_id`, 'a string', message.app_id);
    if (message.url !== undefined && typeof message.url !== 'string') fail(`${where}.url`, 'a string or no url', message.url);
  });
  (trace.requests as unknown[]).forEach((request, i) => {
    const where = `trace.requests[${i}]`;
    if (!isRecord(request)) fail(where, 'an object', request);
    if (typeof request.method !== 'string' || request.method === '') fail(`${where}.method`, 'an HTTP method', request.method);
    if (typeof request.path !== 'string' || !request.path.startsWith('/')) fail(`${where}.path`, 'a path starting with "/"', request.path);
    if (typeof request.query !== 'string' || !(request.query === '' || request.query.startsWith('?'))) fail(`${where}.query`, '"" or a query starting with "?"', request.query);
    const { status, response } = request;
    // What a Response can be made with: fetch never hands a page a status under 200.
    if (status !== null && !(Number.isInteger(status) && (status as number) >= 200 && (status as number) <= 599)) {
      fail(`${where}.status`, 'null (no answer) or a status from 200 to 599', status);
    }
    if (response === null || response === undefined) return;
    if (!isRecord(response) || !isRecord(response.headers)) fail(`${where}.response`, 'null or { headers, body }', response);
    if (response.body !== null && typeof response.body !== 'string') fail(`${where}.response.body`, 'a string or null', response.body);
  });
  return trace as unknown as Trace;
}

/** The app to replay: the one asked for, else the first opened, else the only one. */
function chooseApp(messages: readonly TraceMessage[], asked: unknown): string | null {
  const ids = [...new Set(messages.map((message) => message.app_id))];
  const named = () => (ids.length ? ids.map((id) => `"${id}" (${messages.find((m) => m.app_id === id)?.app})`).join(', ') : 'none');
  if (asked !== undefined) {
    if (typeof asked !== 'string') fail('options.app', "an app id (a string: '<plugin>:<scope>:<slug>')", asked);
    if (!ids.includes(asked)) throw new TypeError(`replayTrace(): the trace has no app "${asked}"; its apps: ${named()}`);
    return asked;
  }
  const opened = messages.find((message) => message.dir === 'info' && message.url !== undefined);
  if (opened) return opened.app_id;
  if (ids.length > 1) throw new TypeError(`replayTrace(): the trace opened no frame, and has several apps: pass { app }, one of ${named()}`);
  return ids[0] ?? null;
}

/** A query as matched: its parameters sorted (order does not matter), the ignored ones left out. */
function queryKey(query: string, ignored: ReadonlySet<string>): string {
  const params = [...new URLSearchParams(query)].filter(([name]) => !ignored.has(name));
  params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return new URLSearchParams(params).toString();
}

/** The recorded requests nearest to one the trace never saw, under the same plugin: the same path first, then the longest shared start (a typo's), the same method. */
function nearest(method: string, path: string, recorded: readonly TraceRequest[]): string[] {
  const plugin = path.split('/').slice(0, 4).join('/') + '/';
  const shared = (other: string) => {
    let n = 0;
    while (n < other.length && other[n] === path[n]) n += 1;
    return n;
  };
  const scores = new Map<string, number>();
  for (const request of recorded) {
    const label = `${request.method} ${request.path}${request.query}`;
    if (scores.has(label) || !(request.path + '/').startsWith(plugin)) continue;
    scores.set(label, (request.path === path ? 1e6 : 0) + shared(request.path) * 2 + (request.method === method ? 1 : 0));
  }
  return [...scores].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([label]) => label);
}


/**
 * Turns a trace the harness's workbench exported (the shell's "Export trace") into a unit test
 * of one app's page: its launch URL, a `fetch` giving the recorded answers, the shell's messages
 * to send again and the page's to compare. Sockets, effects and timings are not replayed (the
 * trace keeps them for reading: `replay.trace`).
 *
 * @example
 * ```ts
 * const replay = replayTrace(readFileSync('test/traces/vitals.json', 'utf8'));
 * replay.launch();
 * replay.install();
 * const host = connectHost();
 * mountVitalsPage(document.body);
 * await replay.sendHostMessages(host);
 * await vi.waitFor(() => expect(host.messages).toEqual(replay.pageMessages));
 * ```
 * @param trace - The trace file's text, or the parsed {@link Trace}.
 * @throws TypeError for what is not a trace (another `format`, an unknown `version`, a missing
 *   array, a malformed message or request, naming where), for an `app` the trace does not have,
 *   or no `app` where the trace opened no frame and has several apps (the error lists them).
 */
export function replayTrace(trace: Trace | string, options: ReplayOptions = {}): TraceReplay {
  if (typeof options !== 'object' || options === null) fail('options', 'an object', options);
  const { ignoreParams = [], log = (line: string) => console.warn('canvas-companion/testing: ' + line) } = options;
  if (!Array.isArray(ignoreParams) || !ignoreParams.every((name) => typeof name === 'string')) fail('options.ignoreParams', 'an array of parameter names', ignoreParams);
  if (typeof log !== 'function') fail('options.log', 'a function', log);
  const read = readTrace(trace);
  const app = chooseApp(read.messages, options.app);
  const url = read.messages.find((message) => message.app_id === app && message.dir === 'info' && message.url !== undefined)?.url ?? null;

  const hostMessages: HostMessage[] = [];
  const pageMessages: unknown[] = [];
  read.messages.forEach((message, i) => {
    if (message.app_id !== app) return;
    if (message.dir === 'out') {
      const { data } = message;
      if (!isRecord(data) || typeof data.type !== 'string') fail(`trace.messages[${i}].data`, 'a message { type: string }', data);
      if (data.type !== 'INIT_CHANNEL') hostMessages.push(data as HostMessage);
    } else if (message.dir === 'in' && message.via !== 'window') pageMessages.push(message.data);
  });
  Object.freeze(hostMessages);
  Object.freeze(pageMessages);

  // The recorded answers of each method + path + query, in order; `served` counts those given.
  const ignored = new Set(ignoreParams);
  const keyOf = (method: string, path: string, query: string) => `${method.toUpperCase()} ${path}?${queryKey(query, ignored)}`;
  const answers = new Map<string, { recorded: TraceRequest[]; served: number }>();
  for (const request of read.requests) {
    const key = keyOf(request.method, request.path, request.query);
    const entry = answers.get(key) ?? { recorded: [], served: 0 };
    entry.recorded.push(request);
    answers.set(key, entry);
  }
  const requests: ReplayedRequest[] = [];

  /** The Response of a recorded answer. */
  function respond(recorded: TraceRequest & { status: number }, method: string, label: string, signal: AbortSignal | null | undefined): Response {
    const { status } = recorded;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(recorded.response?.headers ?? {})) {
      if (!WIRE_HEADERS.has(name.toLowerCase())) headers[name] = String(value);
    }
    if (recorded.response?.truncated) log(`${label}: answering with the body the trace cut (truncated): the page reads only its start`);
    const body = NO_BODY_STATUS.has(status) || method === 'HEAD' ? null : (recorded.response?.body ?? null);
    return makeResponse(body, status, headers, signal);
  }

  const replayFetch = (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const signal = init.signal ?? (isRequest(input) ? input.signal : undefined);
    // Aborted before it was sent: nothing reached the server, so no recorded answer is used up.
    if (signal?.aborted) return Promise.reject(signal.reason);
    let picked: TraceRequest | null;
    let record: ReplayedRequest;
    // Picked at the call, before any await: identical requests get the recorded answers in the order they were made.
    try {
      const { url: target, method } = fetchTarget(input, init, 'replayed');
      const entry = answers.get(keyOf(method, target.pathname, target.search));
      picked = entry ? entry.recorded[Math.min(entry.served, entry.recorded.length - 1)]! : null;
      if (entry) entry.served += 1;
      record = { method, path: target.pathname, query: target.search, body: null, status: picked ? picked.status : 404, answer: picked };
      requests.push(record);
    } catch (error) {
      return Promise.reject(error);
    }
    const answer = async (): Promise<Response> => {
      const { method, path, query } = record;
      if (method !== 'GET' && method !== 'HEAD') {
        const body = init.body !== undefined ? init.body : isRequest(input) ? await input.text() : null;
        record.body = body == null ? null : await bodyText(body);
      }
      const label = `${method} ${path}${query}`;
      if (picked === null) {
        const near = nearest(method, path, read.requests);
        const plugin = path.split('/').slice(0, 4).join('/');
        const error = `canvas-companion/testing: the trace has no answer for ${label} (${near.length ? `recorded near it: ${near.join(', ')}` : `it recorded no request under ${plugin}/`})`;
        log(`404 ${error.replace('canvas-companion/testing: ', '')}`);
        return makeResponse(method === 'HEAD' ? null : JSON.stringify({ error }), 404, { 'content-type': 'application/json' }, signal);
      }
      // No answer was recorded (offline, a dropped connection): what a browser's fetch rejects with.
      if (picked.status === null) throw new TypeError('Failed to fetch');
      return respond(picked as TraceRequest & { status: number }, method, label, signal);
    };
    return abortable(answer(), signal);
  };
  markKitFetch(replayFetch);

  /** The global `fetch` install() replaced, while installed. */
  let installed: { fetch: typeof globalThis.fetch } | undefined;
  const replay: TraceReplay = {
    trace: read,
    app,
    url,
    launch() {
      if (url === null) throw new TypeError(`replayTrace(): the trace has no launch URL for ${app === null ? 'any app' : `"${app}"`} (no frame of it opened, or the shell's log had forgotten it)`);
      const { pathname, search, hash } = new URL(url, 'http://trace.invalid');
      const match = /^\/plugin-io\/api\/(\w+)(\/.*)$/.exec(pathname);
      if (!match) throw new TypeError(`replayTrace(): the trace opened "${app}" at ${url}, not under /plugin-io/api/<plugin>/: launch() sets companion URLs only`);
      // launch() keeps a query given with the path, and records the URL to put back.
      return launch({ plugin: match[1]!, path: `${match[2]}${search}${hash}` });
    },
    fetch: replayFetch as typeof fetch,
    requests,
    install() {
      if (!installed) {
        refuseSecondBackend();
        installed = { fetch: globalThis.fetch };
        globalThis.fetch = replay.fetch;
      }
      return replay.restore;
    },
    restore() {
      if (!installed) return;
      // Only what is still ours goes back: a global the test replaced since stays.
      if (globalThis.fetch === replay.fetch) globalThis.fetch = installed.fetch;
      installed = undefined;
    },
    hostMessages,
    pageMessages,
    async sendHostMessages(host) {
      if (!isRecord(host) || typeof host.send !== 'function') fail('sendHostMessages(host)', 'a TestHost (from connectHost())', host);
      for (const message of hostMessages) await host.send(message);
    },
  };
  return Object.freeze(replay);
}
