/**
 * A mock module as the harness loads it: imported (a module that does not load is reported with
 * file:line:column), its exports checked with the nearest valid name for a typo, the harness's own
 * exports read (`files`, `publicRoutes`), and its functions wrapped so that nothing they throw or
 * answer can stop the server, and an answer of the wrong shape is reported.
 * @module
 */
import { pathToFileURL } from 'node:url';
import type { MockModule, PluginPlatform, Staff } from '../platform/index.js';
import { compilePattern } from '../platform/paths.js';
import { isInstance, messageOf, OptionError, tame } from './errors.js';
import { at, loadError } from './locate.js';
import { didYouMean, nearest } from './options.js';

/**
 * What the harness reads from a mock module besides what the platform reads (routes, sockets,
 * launch, setup, events).
 *
 * ```js
 * // The Python handler that serves static/<name> (e.g. the one `canvas-companion vendor` prints):
 * export const files = { '/static/': 'static' };
 * // Routes of handlers without StaffSessionAuthMixin: served without a staff session.
 * export const publicRoutes = ['POST /webhook'];
 * ```
 */
export type HarnessExports = Pick<MockModule, 'files' | 'publicRoutes'>;

/** Exports the platform reads. */
const PLATFORM_EXPORTS = ['routes', 'sockets', 'launch', 'setup', 'events'] as const;
/** Exports the harness reads itself. */
const HARNESS_EXPORTS = ['files', 'publicRoutes'] as const;
/** Every export a mock module may have. */
export const MOCK_EXPORTS: readonly string[] = Object.freeze([...PLATFORM_EXPORTS, ...HARNESS_EXPORTS]);
/** Names an author reaches for that JavaScript reserves (`export const static` does not parse). */
const RESERVED_HINTS: Readonly<Record<string, string>> = Object.freeze({ static: 'files', public: 'publicRoutes' });

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** The keys a route's response object may have (see MockResponse). */
const RESPONSE_KEYS = ['status', 'body', 'headers', 'file', 'context'];

/** A `files` line: a URL prefix served from a folder of the plugin. */
export interface FilesLine {
  /** `/static/` */
  prefix: string;
  /** `static`, relative to the plugin folder. */
  folder: string;
  /** Served without a staff session. */
  public: boolean;
}

/** A mock module ready for the platform, and what the harness itself reads from it. */
export interface PreparedMock {
  /** The module to hand to `platform.plugin()`: the author's exports with wrapped functions. */
  module: MockModule;
  /** Its `files` lines. */
  files: FilesLine[];
  /** Its route keys, in order. */
  routeKeys: string[];
  /** Its socket channel patterns, in order. */
  socketKeys: string[];
  /** The route keys and `files` prefixes marked public. */
  publicKeys: ReadonlySet<string>;
  /**
   * The staff member to hand to the platform for a request: the session's, else (for a route
   * marked public) a stand-in the route never sees (its `request.staff` is null), else null (401).
   */
  staffFor(method: string, path: string, staff: Staff | null): Staff | null;
}

/**
 * Imports a mock module (an ESM file: default export or named exports).
 * @throws {@link OptionError} when it does not load, with `file:line:column` and the line.
 */
export async function importMock(file: string): Promise<Record<string, unknown>> {
  try {
    return { ...((await import(pathToFileURL(file).href)) as Record<string, unknown>) };
  } catch (error) {
    const { position, message } = await loadError(file, error);
    throw new OptionError(`--mock ${at(file, position, `could not load it: ${message}`)}`);
  }
}

/** The stand-in staff member of a signed-out request to a public route (the route gets null). */
const SIGNED_OUT = Object.freeze({ id: '', type: 'Staff' }) as unknown as Staff;

/** Is `value` a function? (Typed for the module's unchecked exports.) */
const isFunction = (value: unknown): value is (...args: unknown[]) => unknown => typeof value === 'function';

/**
 * Calls a mock function; whatever it throws comes out {@link tame}d (a plain Error), so that no
 * code that reads it later can be made to throw again. A promise it returns is tamed the same way.
 */
function guarded<T extends unknown[]>(fn: (...args: T) => unknown, self: unknown = undefined): (...args: T) => unknown {
  return (...args: T) => {
    let value: unknown;
    try {
      value = fn.apply(self, args);
    } catch (error) {
      throw tame(error);
    }
    let promise = false;
    try {
      promise = value instanceof Promise;
    } catch {
      // A value whose prototype cannot be read (a hostile Proxy): handed on as it is.
    }
    return promise ? (value as Promise<unknown>).catch((error: unknown) => Promise.reject(tame(error))) : value;
  };
}

/** The view a mock function gets, whose `onChange` listeners throw only tamed errors. */
function guardedView(view: PluginPlatform, cache: WeakMap<object, PluginPlatform>): PluginPlatform {
  if (!view || typeof view !== 'object') return view;
  let wrapped = cache.get(view);
  if (!wrapped) {
    // Descriptors, not a spread: `staff` is a getter (the session's staff member, asked each time).
    const onChange = (listener: Parameters<PluginPlatform['onChange']>[0]) => view.onChange(guarded(listener) as typeof listener);
    wrapped = Object.freeze(Object.defineProperties({}, { ...Object.getOwnPropertyDescriptors(view), onChange: { value: onChange, enumerable: true } })) as PluginPlatform;
    cache.set(view, wrapped);
  }
  return wrapped;
}

/** Keys that stand for a response key (`statusCode` for `status`), besides a change of case. */
const RESPONSE_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  statusCode: 'status', status_code: 'status', stauts: 'status', statsu: 'status', json: 'body', header: 'headers', contxt: 'context', ctx: 'context',
});

/**
 * What is wrong with a route's answer that the platform serves as a JSON body although it looks
 * meant as a response (`{ status: 404, error }`, `{ statusCode: 404, body }`, `{ body }`), or null
 * for an answer that is plainly data (`{ status: 'submitted', … }`) or a response.
 */
export function shapeMistake(value: unknown): string | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const keys = Object.keys(value);
  const { status, file } = value as { status?: unknown; file?: unknown };
  const unknown = keys.filter((key) => !RESPONSE_KEYS.includes(key));
  // The platform's own rule: only response keys, and a numeric status or a file.
  if (!unknown.length && (Number.isInteger(status) || typeof file === 'string')) return null;
  const numeric = Number.isInteger(status) && (status as number) >= 100 && (status as number) <= 599;
  const text = typeof status === 'string' && /^\d{3}$/.test(status);
  const statusLike = (v: unknown) => Number.isInteger(v) || (typeof v === 'string' && /^\d{3}$/.test(v));
  // A near-miss counts beside a response key, or as a status with a status for value: `{ header: 'Title' }` is data.
  const beside = keys.some((key) => RESPONSE_KEYS.includes(key));
  const misspelt = unknown.flatMap((key) => {
    const to = RESPONSE_ALIASES[key] ?? RESPONSE_KEYS.find((known) => known === key.toLowerCase());
    return to && (beside || (to === 'status' && statusLike((value as Record<string, unknown>)[key]))) ? [[key, to] as const] : [];
  });
  const others = unknown.filter((key) => !misspelt.some(([k]) => k === key));
  const onlyResponseKeys = keys.length > 0 && !unknown.length;
  if (!numeric && !text && typeof file !== 'string' && !misspelt.length && !onlyResponseKeys) return null;
  const tips: string[] = [];
  if (text) tips.push(`status must be a number (status: ${Number(status)})`);
  for (const [key, to] of misspelt) tips.push(`"${key}": did you mean ${to}?`);
  if (others.length && (numeric || text)) tips.push(`did you mean { status: ${Number(status)}, body: { ${others.map((key) => `${key}: …`).join(', ')} } }?`);
  else if (others.length && typeof file === 'string') tips.push(`${others.join(', ')} is no key of a file answer`);
  if (onlyResponseKeys && status === undefined && file === undefined) tips.push('add a status, e.g. { status: 200, body: … }');
  return `a response is { status, body?, headers? } or { file, context?, status?, headers? }${tips.length ? `: ${tips.join('; ')}` : ''}`;
}

/** A route key in the form the platform takes, for a key that is not: `get /x` → `GET /x`; null when nothing is near. */
function routeKeySuggestion(key: string): string | null {
  const [word = '', ...rest] = key.trim().split(/\s+/);
  const method = METHODS.includes(word.toUpperCase()) ? word.toUpperCase() : nearest(word.toUpperCase(), METHODS);
  const path = rest.join('');
  if (!method) return null;
  return `${method} ${path.startsWith('/') ? path : `/${path}`}`;
}

/** Options of {@link prepareMock}. */
export interface PrepareOptions {
  /** The plugin's name. */
  name: string;
  /** The mock file, for messages. */
  file: string;
  log: (line: string) => void;
}

/**
 * Checks a mock module's exports and wraps its functions for the platform.
 * @param exports - The module's namespace, as imported (anything: it comes from JS).
 * @throws {@link OptionError} for a module the platform could not take either, saying what to write,
 *   or one whose exports throw when read.
 */
export function prepareMock(exports: Record<string, unknown>, options: PrepareOptions): PreparedMock {
  try {
    return prepare(exports, options);
  } catch (error) {
    if (isInstance(error, OptionError)) throw error;
    throw new OptionError(`--mock ${options.file}: reading its exports threw: ${messageOf(error)}`);
  }
}

/** {@link prepareMock}'s work: anything an export's getter or Proxy throws comes out as it was thrown. */
function prepare(exports: Record<string, unknown>, { name, file, log }: PrepareOptions): PreparedMock {
  const where = `--mock ${file}`;
  // As the platform reads it: a default export adds to the named ones (and wins where both give one).
  const source: Record<string, unknown> = exports.default && typeof exports.default === 'object' ? { ...exports, ...(exports.default as Record<string, unknown>) } : { ...exports };
  delete source.default;
  for (const key of Object.keys(source)) {
    if (MOCK_EXPORTS.includes(key)) continue;
    const hint = Object.hasOwn(RESERVED_HINTS, key) ? `: did you mean ${RESERVED_HINTS[key]}? (${key} is a reserved word in JavaScript modules)` : didYouMean(key, MOCK_EXPORTS);
    log(`${name}: the mock exports "${key}", which is not part of a mock module (${MOCK_EXPORTS.join(', ')})${hint}`);
  }

  const routes = source.routes;
  const routeKeys = routes && typeof routes === 'object' ? Object.keys(routes) : [];
  for (const key of routeKeys) {
    const match = /^([A-Z]+) (\/\S*)$/.exec(key);
    if (match && METHODS.includes(match[1]!)) continue;
    const suggestion = routeKeySuggestion(key);
    throw new OptionError(`${where}: ${name}: route "${key}": expected "METHOD /path" with METHOD one of ${METHODS.join(', ')}${suggestion && suggestion !== key ? `: did you mean "${suggestion}"?` : ''}`);
  }
  const files = readFiles(source.files, where);
  const publicKeys = readPublic(source.publicRoutes, where);
  for (const line of files) line.public = publicKeys.has(line.prefix);

  const views = new WeakMap<object, PluginPlatform>();
  const reported = new Set<string>();
  /** A route, wrapped: a public route's stand-in staff becomes null; a wrong answer shape is logged once. */
  const wrapRoute = (key: string, route: (...args: unknown[]) => unknown) => {
    const call = guarded(route);
    return async (request: { staff?: Staff | null }, view: PluginPlatform) => {
      const given = request?.staff === SIGNED_OUT ? { ...request, staff: null } : request;
      const value = await call(given, guardedView(view, views));
      let mistake: string | null = null;
      try {
        mistake = shapeMistake(value);
      } catch {
        // A value that cannot be inspected: the platform's own handling reports it.
      }
      if (mistake && !reported.has(`${key} ${mistake}`)) {
        reported.add(`${key} ${mistake}`);
        log(`${name}: route "${key}" answered ${preview(value)}, which is served as a 200 JSON body: ${mistake}`);
      }
      return value;
    };
  };
  const wrapTable = (table: unknown, wrap: (key: string, fn: (...args: unknown[]) => unknown) => unknown) => {
    if (!table || typeof table !== 'object') return table;
    return Object.fromEntries(Object.entries(table).map(([key, fn]) => [key, isFunction(fn) ? wrap(key, fn) : fn]));
  };
  const withView = (fn: (...args: unknown[]) => unknown) => {
    const call = guarded(fn);
    return (request: unknown, view: PluginPlatform) => call(request, guardedView(view, views));
  };
  const setup = source.setup;
  const module = {
    ...source,
    routes: wrapTable(routes, wrapRoute),
    sockets: wrapTable(source.sockets, (_key, fn) => withView(fn)),
    launch: wrapTable(source.launch, (_key, fn) => withView(fn)),
    // Called on the module, as it was written: `this` in a setup function is the module.
    setup: isFunction(setup) ? (view: PluginPlatform) => guarded(setup, source)(guardedView(view, views)) : setup,
    // Outside events (the platform runs them): what they throw is tamed too.
    events: wrapTable(source.events, (_key, fn) => {
      const call = guarded(fn);
      return (view: PluginPlatform, ...rest: unknown[]) => call(guardedView(view, views), ...rest);
    }),
  } as MockModule;
  delete (module as Record<string, unknown>).files;
  delete (module as Record<string, unknown>).publicRoutes;
  for (const key of ['routes', 'sockets', 'launch', 'setup', 'events'] as const) if (module[key] === undefined) delete module[key];

  const compiled = routeKeys.flatMap((key) => {
    try {
      const [method = '', path = ''] = key.split(' ');
      return [{ key, method, pattern: compilePattern(path, key) }];
    } catch {
      return []; // the platform says what is wrong with it
    }
  });
  return {
    module,
    files,
    routeKeys,
    socketKeys: source.sockets && typeof source.sockets === 'object' ? Object.keys(source.sockets) : [],
    publicKeys,
    staffFor(method, path, staff) {
      if (staff) return staff;
      // The route that answers, as the platform picks it: the first whose method and path match.
      const route = compiled.find((r) => r.method === method && r.pattern.test(path));
      return route && publicKeys.has(route.key) ? SIGNED_OUT : null;
    },
  };
}

/** A short preview of a route's answer for a log line: `{ status: 404, error: … }`. */
function preview(value: unknown): string {
  const entries = Object.entries(value as Record<string, unknown>).slice(0, 6);
  const shown = entries.map(([key, v]) => `${key}: ${typeof v === 'number' ? v : typeof v === 'string' && v.length < 24 ? JSON.stringify(v) : '…'}`);
  return `{ ${shown.join(', ')}${Object.keys(value as object).length > entries.length ? ', …' : ''} }`;
}

/**
 * Reads the `files` export: `{ '/static/': 'static' }`.
 * @throws {@link OptionError} saying what to write instead.
 */
function readFiles(files: unknown, where: string): FilesLine[] {
  if (files === undefined) return [];
  if (!files || typeof files !== 'object' || Array.isArray(files)) throw new OptionError(`${where}: files must be an object { '/static/': 'static' } (URL prefix → folder of the plugin)`);
  return Object.entries(files).map(([prefix, folder]) => {
    if (!/^\/(?:[\w.~-]+\/)*$/.test(prefix) || prefix.includes('/../') || prefix.includes('/./')) {
      const fixed = `/${prefix.replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');
      throw new OptionError(`${where}: files["${prefix}"]: a prefix is a path under the plugin starting and ending with / (did you mean '${fixed}'?)`);
    }
    if (typeof folder !== 'string' || folder.startsWith('/') || folder.includes('\\') || folder.split('/').some((part) => part === '..' || part.startsWith('.') && part !== '.')) {
      throw new OptionError(`${where}: files["${prefix}"]: the folder must be a path inside the plugin folder (e.g. 'static'), found ${JSON.stringify(folder)}`);
    }
    return { prefix, folder: folder.replace(/\/+$/, '') || '.', public: false };
  });
}

/**
 * Reads the `publicRoutes` export: route keys and `files` prefixes.
 * @throws {@link OptionError} for anything but an array of strings.
 */
function readPublic(keys: unknown, where: string): Set<string> {
  if (keys === undefined) return new Set();
  if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'string')) throw new OptionError(`${where}: publicRoutes must be an array of route keys, e.g. ['POST /webhook']`);
  return new Set(keys as string[]);
}
