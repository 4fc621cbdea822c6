/**
 * A plugin folder's backend: the answers to /plugin-io/api/NAME/… from its mock's routes, then
 * from the routes that serve its files (the mock's `files` lines, the Python's file-only routes),
 * else a 404 that says what Canvas needs.
 * @module
 */
import { validateHeaderName, validateHeaderValue, type IncomingMessage, type ServerResponse } from 'node:http';
import type { PluginBackend, Staff } from '../platform/index.js';
import type { PluginCheck } from './compare.js';
import { HttpError, messageOf, stackOf } from './errors.js';
import { noRoute, sendPluginFile, type FileRoute, type ServeFileContext } from './file-routes.js';
import { decode, parseBody, readBody, sendJSON, sendText, sendTextAndDrain } from './http.js';
import type { PreparedMock } from './mock-module.js';
import { nearest } from './options.js';
import type { AnswerNotes } from './trace.js';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Statuses a route may answer: 1xx are not final answers, so a route cannot give one. */
const FINAL_STATUS = { min: 200, max: 599 } as const;
/** Headers that frame the message on the connection: the harness sets them, never a mock. */
const FRAMING = ['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'proxy-connection'];

/** What {@link within} resolves when the limit passed first. */
export const TIMED_OUT = Symbol('timed out');

/**
 * Resolves what `promise` resolves, or {@link TIMED_OUT} after `ms`: a mock function that never
 * settles gets an answer instead of a hung request.
 */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** A plugin folder on the mock platform. */
export interface FolderPlugin {
  kind: 'folder';
  /** The folder (absolute). */
  dir: string;
  backend: PluginBackend;
  /** Its mock module as the harness read it. */
  mock: PreparedMock;
  /** The mock module's file (never served); null without one. */
  mockFile: string | null;
  /** The routes that serve its files: its `files` lines, then its Python's file-only routes. */
  fileRoutes: FileRoute[];
  /** Its mock held against its Python. */
  check: PluginCheck;
  /** Lines logged once already (a library file served from the build, headers dropped). */
  said: Set<string>;
}

/** One request to a plugin folder, and what answering it needs. */
export interface MockRequestContext {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  /** The plugin's name. */
  name: string;
  /** The path after /plugin-io/api/NAME (may be empty). */
  rest: string;
  /** The session's staff member; null when signed out (routes answer 401). */
  staff: Staff | null;
  log: (line: string) => void;
  /** Where the built library is, for plugins that have not copied it into static/; null: nowhere. */
  distDir: string | null;
  /** How long a route may take before the answer is 504, in ms. */
  mockTimeout: number;
  /**
   * Filled in for the workbench's trace as the request is answered: who answered, the route, the body.
   * @default a record nobody reads
   */
  notes?: AnswerNotes;
}

/** The answer to a signed-out request, as StaffSessionAuthMixin gives it. */
const SIGNED_OUT_BODY = { error: 'Provided credentials are invalid' };

/**
 * A route's headers without the framing ones (logged once per route), and checked: a header HTTP
 * cannot carry is an error saying which.
 */
function routeHeaders(plugin: FolderPlugin, headers: Record<string, string>, route: string, log: (line: string) => void): Record<string, string> {
  const kept: Record<string, string> = {};
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (FRAMING.includes(name)) {
      dropped.push(name);
      continue;
    }
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch (error) {
      throw new HttpError(500, `The mock's route "${route}" answered a header HTTP cannot carry (${JSON.stringify(name).slice(0, 60)}: ${messageOf(error)})`);
    }
    kept[name] = value;
  }
  const said = `${route} ${dropped.join(',')}`;
  if (dropped.length && !plugin.said.has(said)) {
    plugin.said.add(said);
    log(`route "${route}" set ${dropped.join(', ')}: the harness frames every answer itself (Content-Length), so the mock's ${dropped.length === 1 ? 'header is' : 'headers are'} dropped`);
  }
  return kept;
}

/** Answers /plugin-io/api/NAME/REST for a plugin folder: its mock's routes, else its file routes, else 404. */
export async function answerFromMock(plugin: FolderPlugin, context: MockRequestContext): Promise<void> {
  const { request, response, url, name, rest, staff, log, mockTimeout, notes = { source: 'harness', route: null, body: null } } = context;
  const where = `${request.method} ${url.pathname}`;
  let body: unknown = null;
  if (WITH_BODY.has(request.method ?? '')) {
    try {
      const read = await readBody(request);
      notes.body = read;
      body = parseBody(read, request.headers['content-type']);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      log(`${error.status} ${where}: ${error.message}`);
      if (response.destroyed) return;
      // A 413 while the client is still sending: answered at once, the rest read and dropped, so the client can read it.
      if (error.status === 413) return sendTextAndDrain(request, response, 413, error.message);
      return sendText(response, error.status, error.message, { connection: 'close' });
    }
  }
  // HEAD runs the GET route; its body is dropped below.
  const method = request.method === 'HEAD' ? 'GET' : (request.method ?? 'GET');
  const path = rest || '/';
  const handled = plugin.backend.handle({ method, path, query: url.searchParams, headers: { ...request.headers }, body, staff: plugin.mock.staffFor(method, path, staff) });
  const answer = await within(handled, mockTimeout);
  if (answer === TIMED_OUT) {
    log(`504 ${where}: the mock's route gave no answer within ${mockTimeout} ms (does it await something that never settles?)`);
    return sendText(response, 504, `The mock's route gave no answer within ${mockTimeout} ms`);
  }
  if (!answer.matched) return answerFromFiles(plugin, { ...context, notes }, where);
  notes.route = answer.route ?? null;
  // A route ran unless the platform answered for it (405, or 401 as StaffSessionAuthMixin does).
  if (answer.route !== undefined && !(answer.status === 401 && !staff)) notes.source = 'mock';
  // `in`, not a truthiness test: a route may throw null or undefined.
  if ('error' in answer) {
    log(`500 ${where}: route "${answer.route}" threw: ${stackOf(answer.error)}`);
    return sendText(response, 500, `The mock's route "${answer.route}" threw (see the harness's terminal)`);
  }
  if (!(answer.status >= FINAL_STATUS.min && answer.status <= FINAL_STATUS.max)) {
    log(`500 ${where}: route "${answer.route}" answered status ${answer.status}; a route answers ${FINAL_STATUS.min}-${FINAL_STATUS.max}`);
    return sendText(response, 500, `The mock's route "${answer.route}" answered status ${answer.status}, which is not a final HTTP answer (${FINAL_STATUS.min}-${FINAL_STATUS.max})`);
  }
  const route = answer.route ?? `${method} ${path}`;
  let headers: Record<string, string>;
  try {
    headers = routeHeaders(plugin, answer.headers, route, (line) => log(`${where}: ${line}`));
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    log(`500 ${where}: ${error.message}`);
    return sendText(response, 500, error.message);
  }
  if (answer.status === 401) log(`401 ${where}: no staff session (sign in again from the shell's menu)`);
  else if (answer.status === 405) log(`405 ${where}: the mock's routes for this path allow ${answer.headers.allow}`);
  else if (answer.status >= 400) log(`${answer.status} ${where}: answered so by route "${answer.route}"`);
  if ('file' in answer) {
    return sendPluginFile(answer.file, serveContext(plugin, context, where), {
      type: headers['content-type'] ?? null, headers, context: answer.context, status: answer.status, from: `route "${route}"`,
    });
  }
  const content = answer.body ?? '';
  response.writeHead(answer.status, { 'cache-control': 'no-store', ...headers, 'content-length': Buffer.byteLength(content) });
  response.end(request.method === 'HEAD' ? undefined : content);
}

/** What serving one of the plugin's files needs. */
function serveContext(plugin: FolderPlugin, { request, response, log, distDir }: MockRequestContext, where: string): ServeFileContext {
  return { response, dir: plugin.dir, mockFile: plugin.mockFile, distDir, where, head: request.method === 'HEAD', log, warned: plugin.said };
}

/** No mock route matched: a route that serves files (with the session it needs), else a 404 that says what Canvas needs. */
async function answerFromFiles(plugin: FolderPlugin, context: MockRequestContext, where: string): Promise<void> {
  const { request, response, name, rest, staff, log } = context;
  const method = request.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD') {
    const path = decode(rest || '/');
    if (path === null) {
      log(`400 ${where}: malformed percent-encoding in the path`);
      return sendText(response, 400, 'Malformed percent-encoding in the path');
    }
    for (const route of plugin.fileRoutes) {
      const file = path.includes('\0') ? null : route.fileFor(path);
      if (file === null) continue;
      if (!route.public && !staff) {
        log(`401 ${where}: no staff session (${route.from} needs one, as StaffSessionAuthMixin does; mark it public in the mock's publicRoutes if its handler has none)`);
        return sendJSON(response, 401, SIGNED_OUT_BODY);
      }
      if (context.notes) context.notes.source = 'file';
      return sendPluginFile(file, serveContext(plugin, context, where), { type: route.contentType(file), headers: route.headers, context: route.rendered ? {} : null, missing: route.missing, from: route.from });
    }
  }
  const keys = [...plugin.mock.routeKeys, ...plugin.fileRoutes.map((route) => route.key)];
  const near = nearest(`${method === 'HEAD' ? 'GET' : method} ${rest || '/'}`, keys);
  return noRoute({ response, dir: plugin.dir, mockFile: plugin.mockFile, where, log }, { name, method, rest: rest || '/', near });
}
