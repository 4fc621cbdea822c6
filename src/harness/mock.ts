/**
 * A plugin folder's backend: its mock module (`--mock FILE`) loaded onto the platform, and the
 * answers to /plugin-io/api/NAME/… from its routes, then from the folder's files.
 * @module
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HandledResponse, MockModule, PluginBackend, Staff } from '../platform/index.js';
import { HttpError, messageOf, OptionError, stackOf } from './errors.js';
import { decode, escapeHTML, parseBody, readBody, sendFile, sendText, typeOf } from './http.js';
import { LIBRARY_FILES } from './paths.js';
import { folderFile } from './plugin-dir.js';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Statuses a route may answer: 1xx are not final answers, so a route cannot give one. */
const FINAL_STATUS = { min: 200, max: 599 } as const;

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

/**
 * Imports a mock module (an ESM file: default export or named exports); the platform checks its shape.
 * @throws {@link OptionError} when it does not load (a syntax error, a failing import).
 */
export async function importMock(file: string): Promise<MockModule> {
  try {
    return { ...((await import(pathToFileURL(file).href)) as MockModule) };
  } catch (error) {
    throw new OptionError(`--mock ${file}: could not load it: ${messageOf(error)}`);
  }
}

/** Fills `{{ name }}` placeholders in a page, HTML-escaped (the part of Django templates plugin pages use most). */
function render(template: string, context: Record<string, unknown>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => (Object.hasOwn(context, name) ? escapeHTML(context[name]) : whole));
}

/** A plugin folder on the mock platform. */
export interface FolderPlugin {
  kind: 'folder';
  /** The folder (absolute). */
  dir: string;
  backend: PluginBackend;
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
}

/** Answers /plugin-io/api/NAME/REST for a plugin folder: its mock's routes, else its files, else 404. */
export async function answerFromMock(plugin: FolderPlugin, { request, response, url, name, rest, staff, log, distDir, mockTimeout }: MockRequestContext): Promise<void> {
  const where = `${request.method} ${url.pathname}`;
  let body: unknown = null;
  if (WITH_BODY.has(request.method ?? '')) {
    try {
      body = parseBody(await readBody(request), request.headers['content-type']);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      log(`${error.status} ${where}: ${error.message}`);
      if (response.destroyed) return;
      return sendText(response, error.status, error.message, { connection: 'close' });
    }
  }
  // HEAD runs the GET route; its body is dropped below.
  const method = request.method === 'HEAD' ? 'GET' : (request.method ?? 'GET');
  const answer = await within(plugin.backend.handle({ method, path: rest || '/', query: url.searchParams, headers: { ...request.headers }, body, staff }), mockTimeout);
  if (answer === TIMED_OUT) {
    log(`504 ${where}: the mock's route gave no answer within ${mockTimeout} ms (does it await something that never settles?)`);
    return sendText(response, 504, `The mock's route gave no answer within ${mockTimeout} ms`);
  }
  if (!answer.matched) return answerFromFolder(plugin, { request, response, where, name, rest, log, distDir });
  // `in`, not a truthiness test: a route may throw null or undefined.
  if ('error' in answer) {
    log(`500 ${where}: route "${answer.route}" threw: ${stackOf(answer.error)}`);
    return sendText(response, 500, `The mock's route "${answer.route}" threw (see the harness's terminal)`);
  }
  if (!(answer.status >= FINAL_STATUS.min && answer.status <= FINAL_STATUS.max)) {
    log(`500 ${where}: route "${answer.route}" answered status ${answer.status}; a route answers ${FINAL_STATUS.min}-${FINAL_STATUS.max}`);
    return sendText(response, 500, `The mock's route "${answer.route}" answered status ${answer.status}, which is not a final HTTP answer (${FINAL_STATUS.min}-${FINAL_STATUS.max})`);
  }
  if (answer.status === 401) log(`401 ${where}: no staff session (sign in again from the shell's menu)`);
  else if (answer.status === 405) log(`405 ${where}: the mock's routes for this path allow ${answer.headers.allow}`);
  else if (answer.status >= 400) log(`${answer.status} ${where}: answered so by route "${answer.route}"`);
  if ('file' in answer) return sendRouteFile(response, plugin.dir, answer, where, log);
  response.writeHead(answer.status, { 'cache-control': 'no-store', ...answer.headers });
  response.end(request.method === 'HEAD' ? undefined : answer.body);
}

/** No route matched: a GET gets the folder's file at that path, or the built library under static/; else 404. */
async function answerFromFolder(
  plugin: FolderPlugin,
  { request, response, where, name, rest, log, distDir }: Pick<MockRequestContext, 'request' | 'response' | 'name' | 'rest' | 'log' | 'distDir'> & { where: string },
): Promise<void> {
  if (request.method === 'GET' || request.method === 'HEAD') {
    const path = decode(rest);
    if (path === null) {
      log(`400 ${where}: malformed percent-encoding in the path`);
      return sendText(response, 400, 'Malformed percent-encoding in the path');
    }
    const file = await folderFile(plugin.dir, path);
    if (file) return sendFile(response, file);
    const library = /^\/static\/([^/]+)$/.exec(path)?.[1];
    if (library && LIBRARY_FILES.includes(library) && distDir) return sendFile(response, join(distDir, library));
  }
  log(`404 ${where}: no route in the mock and no such file in ${plugin.dir}`);
  sendText(response, 404, `No route in ${name}'s mock and no such file in its folder`);
}

/** Sends a route's `{ file, context }` answer: a file from the plugin folder, with `{{ name }}` filled in for HTML. */
async function sendRouteFile(response: ServerResponse, dir: string, answer: HandledResponse & { file: string; context: Record<string, unknown> }, where: string, log: (line: string) => void): Promise<void> {
  const file = await folderFile(dir, answer.file);
  if (!file) {
    log(`500 ${where}: the route answered { file: ${JSON.stringify(answer.file)} }, which is not a file inside ${dir}`);
    return sendText(response, 500, `The mock answered with the file ${answer.file}, which is not in the plugin folder`);
  }
  const type = answer.headers['content-type'] ?? typeOf(file);
  const data = await readFile(file);
  const body = /html/.test(type) ? render(data.toString('utf8'), answer.context ?? {}) : data;
  response.writeHead(answer.status, { 'cache-control': 'no-store', ...answer.headers, 'content-type': type }).end(body);
}
