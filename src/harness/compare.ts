/**
 * The mock held against the plugin's own Python: every Python route the mock lacks, every mock
 * route or socket rule with no Python counterpart, and public routes the Python guards (or the
 * reverse), so that a mock cannot drift from the backend it stands for.
 * @module
 */
import type { FilesLine, PreparedMock } from './mock-module.js';
import { nearest } from './options.js';
import type { PythonAuth, PythonHandler, PythonReport, PythonSkipped } from './python.js';

/** One route, as the Python declares it and as the mock plays it. */
export interface RouteRow {
  /** `GET /app/tasks/<id>`: as the Python writes it, else as the mock does. */
  key: string;
  /** The Python route, or null when only the mock has it. */
  python: { file: string; line: number; class: string; auth: PythonAuth; serves_file: boolean } | null;
  /** The mock route key or `files` prefix that plays it; null: the mock has none. */
  mock: string | null;
  /** How the harness answers it: a mock route, a `files` line, the Python's own file, or nothing (404). */
  served: 'mock' | 'files' | 'python-file' | null;
  /** Marked public in the mock (no staff session needed). */
  public: boolean;
}

/** One channel rule, as the WebSocketAPI names it and as the mock's socket rules play it. */
export interface ChannelRow {
  /** The Python's channel pattern (`staff-<id>`) or regex (`re:…`); null when only the mock has the rule. */
  python: string | null;
  /** Where the Python names it. */
  at: string | null;
  /** The mock's socket rule that matches it; null: none. */
  mock: string | null;
}

/** The comparison of one plugin folder, as the shell's API gives it. */
export interface PluginCheck {
  plugin: string;
  /** `read`, or why the Python was not read. */
  python: 'read' | PythonSkipped['skipped'];
  /** What the Python read says besides (the interpreter, or why it was skipped). */
  note: string;
  routes: RouteRow[];
  channels: ChannelRow[];
  /** Each a line the harness logged at start. */
  warnings: string[];
}

/** `<anything>` → `<>`: route and channel patterns compared without their parameter names. */
const shape = (key: string): string => key.replace(/<[^<>]*>/g, '<>');

/** What each auth kind needs, for the warnings. */
const AUTH_NAMES: Readonly<Record<PythonAuth, string>> = Object.freeze({
  staff: 'StaffSessionAuthMixin', patient: 'PatientSessionAuthMixin', 'api-key': 'APIKeyAuthMixin', basic: 'BasicAuthMixin', own: 'its own authenticate()', none: 'no authenticate()',
});

/** The manifest class of a handler: `plugin.handlers.api:Class`. */
const classPath = (plugin: string, handler: PythonHandler) => `${plugin}.${handler.file.replace(/\.py$/, '').replace(/\/__init__$/, '').split('/').join('.')}:${handler.class}`;

/** Channels a mock rule stands for, each parameter filled in with a few kinds of value: `room-<n>` → `room-1`, `room-x1`, … */
const samples = (key: string) => ['1', 'x1', 'a', '3e1f7a528c4d4b6ea1f02d9c8b7a6e51', '3e1f7a52-8c4d-4b6e-a1f0-2d9c8b7a6e51'].map((value) => key.replace(/<[^<>]*>/g, value));

/** Does the Python's channel rule cover the mock's socket key? */
function channelMatches(python: { pattern: string } | { regex: string }, key: string): boolean {
  if (key === '*') return true;
  if ('pattern' in python) return shape(python.pattern) === shape(key);
  try {
    const regex = new RegExp(`^(?:${python.regex})$`);
    return samples(key).some((channel) => regex.test(channel));
  } catch {
    return false;
  }
}

/**
 * Compares a plugin's mock with its Python.
 * @param files - The mock's `files` lines.
 */
export function compareWithPython(plugin: string, mock: Pick<PreparedMock, 'routeKeys' | 'socketKeys' | 'publicKeys'> & { files: readonly FilesLine[] }, read: PythonReport | PythonSkipped): PluginCheck {
  const warnings: string[] = [];
  const warn = (line: string) => warnings.push(`${plugin}: ${line}`);
  /** publicRoutes entries that name nothing in `known`, with the nearest. */
  const unknownPublic = (known: ReadonlySet<string>) => {
    for (const key of mock.publicKeys) {
      const near = known.has(key) ? null : nearest(key, known);
      if (!known.has(key)) warn(`publicRoutes names "${key}", which is no route of the mock or the Python nor a files prefix${near ? `: did you mean "${near}"?` : ''}`);
    }
  };
  if ('skipped' in read) {
    unknownPublic(new Set([...mock.routeKeys, ...mock.files.map((l) => l.prefix)]));
    return { plugin, python: read.skipped, note: read.reason, routes: mock.routeKeys.map((key) => ({ key, python: null, mock: key, served: 'mock', public: mock.publicKeys.has(key) })), channels: [], warnings };
  }
  for (const error of read.errors) warn(`${error.file}:${error.line}:${error.col}: ${error.message}: the harness cannot read this file's routes`);
  for (const handler of read.handlers) {
    for (const problem of handler.problems) warn(`${handler.file}:${handler.line} ${handler.class}: ${problem}`);
    if (handler.listed === false) warn(`${handler.file}:${handler.line} ${handler.class} is not listed in CANVAS_MANIFEST.json under components.handlers: Canvas does not load it (add { "class": "${classPath(plugin, handler)}" })`);
  }
  const unknown = read.handlers.filter((handler) => handler.listed === null);
  if (unknown.length) warn(`CANVAS_MANIFEST.json lists no handlers under components.handlers: Canvas loads none of ${unknown.map((h) => h.class).join(', ')} (the harness plays them as if it did)`);
  const live = read.handlers.filter((handler) => handler.listed !== false);

  // Routes: each Python route, then each mock route and files line left over.
  const routes: RouteRow[] = [];
  const usedKeys = new Set<string>();
  const usedPrefixes = new Set<string>();
  const pythonKeys: { key: string; at: string }[] = [];
  for (const handler of live.filter((h) => h.kind !== 'socket')) {
    for (const route of handler.routes) {
      const key = `${route.method} ${route.path}`;
      const at = `${handler.file}:${route.line}`;
      pythonKeys.push({ key, at });
      const mockKey = mock.routeKeys.find((k) => shape(k) === shape(key)) ?? null;
      const line = mockKey ? undefined : route.method === 'GET' ? mock.files.find((l) => shape(key) === `GET ${l.prefix}<>`) : undefined;
      if (mockKey) usedKeys.add(mockKey);
      if (line) usedPrefixes.add(line.prefix);
      const served = mockKey ? 'mock' : line ? 'files' : route.serves ? 'python-file' : null;
      const isPublic = mock.publicKeys.has(mockKey ?? line?.prefix ?? key);
      routes.push({ key, python: { file: handler.file, line: route.line, class: handler.class, auth: handler.auth, serves_file: Boolean(route.serves) }, mock: mockKey ?? line?.prefix ?? null, served, public: isPublic });
      if (!served) {
        const near = nearest(shape(key), mock.routeKeys.map(shape));
        const hint = near ? ` (the mock has "${mock.routeKeys.find((k) => shape(k) === near)}")` : '';
        warn(`${at} ${handler.class}: the Python route ${key} has no mock route: add '${key}': (request, platform) => … to the mock's routes${hint}`);
      }
      if (isPublic && handler.auth !== 'own' && handler.auth !== 'none') {
        warn(`the mock marks ${mockKey ?? line?.prefix ?? key} public, but ${handler.class} (${handler.file}:${handler.line}) has ${AUTH_NAMES[handler.auth]}: Canvas answers 401 without a session`);
      }
    }
    if (handler.auth === 'none') warn(`${handler.file}:${handler.line} ${handler.class} has no authentication mixin and no authenticate(): SimpleAPI's default authenticate() returns False, so Canvas answers 401 to every request`);
  }
  const nearPython = (key: string) => {
    const near = nearest(shape(key), pythonKeys.map((p) => shape(p.key)));
    const found = near ? pythonKeys.find((p) => shape(p.key) === near) : undefined;
    return found ? `: did you mean ${found.key} (${found.at})?` : '';
  };
  for (const key of mock.routeKeys.filter((k) => !usedKeys.has(k))) {
    routes.push({ key, python: null, mock: key, served: 'mock', public: mock.publicKeys.has(key) });
    warn(`the mock route "${key}" has no Python route: on Canvas it answers 404${nearPython(key)}`);
  }
  for (const line of mock.files.filter((l) => !usedPrefixes.has(l.prefix))) {
    const key = `GET ${line.prefix}<name>`;
    routes.push({ key, python: null, mock: line.prefix, served: 'files', public: line.public });
    warn(`the mock's files line '${line.prefix}' has no Python route ${key}: on Canvas those files answer 404${nearPython(key)}`);
  }
  unknownPublic(new Set([...mock.routeKeys, ...mock.files.map((l) => l.prefix), ...pythonKeys.map((p) => p.key)]));

  // Channels: only when the Python has a WebSocketAPI whose channel rules the reader understood.
  const sockets = live.filter((h) => h.kind === 'socket');
  const channels: ChannelRow[] = [];
  if (!sockets.length && mock.socketKeys.length) {
    warn(`the mock has socket rules (${mock.socketKeys.join(', ')}), but the Python has no WebSocketAPI handler: Canvas refuses every socket`);
  }
  const rules = sockets.flatMap((handler) => (handler.channels ?? []).map((rule) => ({ rule, handler })));
  if (sockets.length && sockets.every((handler) => handler.channels !== null)) {
    const usedRules = new Set<string>();
    for (const { rule, handler } of rules) {
      const name = 'pattern' in rule ? rule.pattern : `re:${rule.regex}`;
      const at = `${handler.file}:${rule.line}`;
      const key = mock.socketKeys.find((k) => k !== '*' && channelMatches(rule, k)) ?? mock.socketKeys.find((k) => k === '*') ?? null;
      if (key) usedRules.add(key);
      channels.push({ python: name, at, mock: key });
      if (!key) warn(`${at} ${handler.class}: authenticate() allows channel ${name}, which no socket rule of the mock matches: add '${'pattern' in rule ? rule.pattern : 'channel-<id>'}': (request, platform) => … to the mock's sockets`);
    }
    for (const key of mock.socketKeys.filter((k) => !usedRules.has(k) && !rules.some(({ rule }) => channelMatches(rule, k)))) {
      channels.push({ python: null, at: null, mock: key });
      warn(`the mock's socket rule "${key}" matches no channel the WebSocketAPI's authenticate() names (${rules.map(({ rule }) => ('pattern' in rule ? rule.pattern : `re:${rule.regex}`)).join(', ') || 'none'})`);
    }
  }
  return { plugin, python: 'read', note: `Python ${read.python}: ${read.files} file${read.files === 1 ? '' : 's'}, ${read.handlers.length} handler${read.handlers.length === 1 ? '' : 's'}`, routes, channels, warnings };
}
