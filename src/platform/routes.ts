/**
 * A plugin's routes: the route table of its mock module, matched as SimpleAPI matches them, and
 * a route's return value turned into a response (`MockResponse` → `HandledResponse`).
 * @module
 */
import { compilePattern } from './paths.js';
import type { HandledResponse, MockRequest, PluginBackend, PluginPlatform, Route, Staff } from './types.js';
import { fail } from './values.js';

/** A route of the table, compiled. */
export interface CompiledRoute {
  /** As written: `"GET /app/tasks/<id>"`. */
  key: string;
  /** Upper case. */
  method: string;
  /** The path, matched whole. */
  pattern: RegExp;
  /** The module's function. */
  handler: Route;
  /** Listed in the module's `publicRoutes`: answered without a staff session. */
  public: boolean;
}

/** A route's answer before the transport's bookkeeping (`matched`, `route`). */
type Normalized = Pick<HandledResponse, 'status' | 'headers'> & ({ body: string | undefined } | { file: string; context: Record<string, unknown> });
/** What `isResponse` recognises: the keys a response object may have. */
interface ResponseObject {
  status?: number;
  body?: unknown;
  headers?: Record<string, unknown>;
  file?: string;
  context?: Record<string, unknown>;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const RESPONSE_KEYS = new Set(['status', 'body', 'headers', 'file', 'context']);
const JSON_TYPE = { 'content-type': 'application/json' };

/**
 * Reads a mock module's route table: `{ "GET /app/tasks": (request, platform) => response }`.
 * `routes` comes from the module unchecked: anything else than such a table throws.
 * @param plugin - The plugin's name, for the error messages.
 * @param publicKeys - The module's `publicRoutes`: route keys that need no staff session.
 * @throws TypeError saying which route is wrong and how.
 */
export function compileRoutes(routes: unknown, plugin: string, publicKeys: ReadonlySet<string> = new Set()): CompiledRoute[] {
  if (routes == null) return [];
  if (typeof routes !== 'object') fail(`${plugin}: routes must be an object of "METHOD /path": function`);
  return Object.entries(routes).map(([key, handler]: [string, unknown]) => {
    const match = /^([A-Z]+) (\/\S*)$/.exec(key);
    const where = `${plugin}: route "${key}"`;
    if (!match || !METHODS.has(match[1]!)) fail(`${where}: expected "METHOD /path" with METHOD one of ${[...METHODS].join(', ')}`);
    if (typeof handler !== 'function') fail(`${where}: the value must be a function (request, platform) => response`);
    return { key, method: match[1]!, pattern: compilePattern(match[2]!, where), handler: handler as Route, public: publicKeys.has(key) };
  });
}

/** Is `value` a response object ({ status, body, headers, file, context }) rather than a JSON body? */
function isResponse(value: unknown): value is ResponseObject {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (!keys.length || !keys.every((key) => RESPONSE_KEYS.has(key))) return false;
  const { status, file } = value as ResponseObject;
  return Number.isInteger(status) || typeof file === 'string';
}

/**
 * A route's return value as `{ status, headers, body | file }`.
 * @throws TypeError for a status that is not an HTTP status.
 */
function normalize(value: unknown): Normalized {
  if (value == null) return { status: 204, headers: {}, body: undefined };
  if (!isResponse(value)) return { status: 200, headers: { ...JSON_TYPE }, body: JSON.stringify(value) };
  const status = value.status ?? 200;
  if (!(status >= 100 && status <= 599)) fail(`response status ${status} is not an HTTP status`);
  const headers: Record<string, string> = {};
  for (const [name, v] of Object.entries(value.headers ?? {})) headers[name.toLowerCase()] = String(v);
  if (typeof value.file === 'string') return { status, headers, file: value.file, context: value.context ?? {} };
  const body = value.body;
  if (body == null) return { status, headers, body: undefined };
  if (typeof body === 'string') {
    headers['content-type'] ??= 'text/plain; charset=utf-8';
    return { status, headers, body };
  }
  headers['content-type'] ??= JSON_TYPE['content-type'];
  return { status, headers, body: JSON.stringify(body) };
}

/**
 * Answers one request from `routes`, as SimpleAPI with `StaffSessionAuthMixin` does: 404 when no
 * path matches, 405 when only other methods do, 401 without a staff session, 500 when the route
 * throws (with `error` set). Never rejects.
 * @param view - What the route gets as `platform`.
 */
export async function handleRequest(routes: readonly CompiledRoute[], request: Parameters<PluginBackend['handle']>[0], view: PluginPlatform): Promise<HandledResponse> {
  const method = String(request.method ?? 'GET').toUpperCase();
  const candidates = routes.map((route) => ({ route, match: route.pattern.exec(request.path) })).filter((c) => c.match);
  if (!candidates.length) return { status: 404, headers: {}, body: undefined, matched: false };
  const found = candidates.find((c) => c.route.method === method);
  if (!found) {
    const allow = [...new Set(candidates.map((c) => c.route.method))].join(', ');
    return { status: 405, headers: { allow, ...JSON_TYPE }, body: JSON.stringify({ error: `${method} is not allowed here` }), matched: true };
  }
  const route = found.route.key;
  // StaffSessionAuthMixin: every route needs a staff session, but a public one (a handler without it).
  if (!request.staff && !found.route.public) return { status: 401, headers: { ...JSON_TYPE }, body: JSON.stringify({ error: 'Provided credentials are invalid' }), matched: true, route };
  const params = { ...found.match?.groups };
  const routeRequest: MockRequest = { ...request, method, params, query: request.query ?? new URLSearchParams(), headers: request.headers ?? {}, body: request.body, staff: request.staff as Staff }; // null only in a public route (documented on MockRequest)
  try {
    const value = await found.route.handler(routeRequest, view);
    return { ...normalize(value), matched: true, route };
  } catch (error) {
    return { status: 500, headers: {}, body: undefined, matched: true, route, error };
  }
}
