/**
 * Command-line options of `canvas-companion harness` (and `npm run demo`) and the apps file,
 * parsed and checked with messages that say what to type instead. Nothing here builds or starts.
 * @module
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { messageOf, OptionError } from './errors.js';
import { checkPluginDir, findPluginFolders, scopeOf, type Scope } from './plugin-dir.js';

/** The port when neither `PORT` nor `--port` gives one. */
export const DEFAULT_PORT = 4173;
/** Milliseconds an effect takes to land when a mock gives no `after`. */
export const DEFAULT_EFFECT_DELAY = 1200;

/** A plugin served by your own local server (`--plugin NAME=URL`). */
export interface HarnessPlugin {
  /** The plugin's name (`\w+`), as in /plugin-io/api/NAME/. */
  name: string;
  /** Your server's origin, e.g. `http://127.0.0.1:8000`; paths are forwarded unchanged. */
  url: string;
}

/** A plugin folder (`--plugin-dir PATH`, `--mock FILE`). */
export interface HarnessPluginDir {
  /** The folder with CANVAS_MANIFEST.json (or a folder whose only plugin subfolder has it). */
  dir: string;
  /**
   * The mock module.
   * @default harness.mock.mjs in the plugin folder, when there is one
   */
  mock?: string | null;
}

/** An app given by `--app` or `--apps`. */
export interface HarnessApp {
  plugin: string;
  /** `global`, `patient` or `note` (or the manifest's `provider_companion_*` names). */
  scope: string;
  title: string;
  /** What on_open() returns, under /plugin-io/api/<plugin> (or the full path); `{patient_id}` / `{note_id}` are filled in. */
  path: string;
}

/** An app once checked: a short scope, a trimmed title and a path relative to the plugin. */
export interface CheckedApp extends HarnessApp {
  scope: Scope;
}

/** The harness's command line, parsed: what {@link startHarness} takes, and the bin's own flags. */
export interface ParsedOptions {
  /** `-h` or `--help`: print {@link HELP} and start nothing. */
  help: boolean;
  port: number;
  plugins: HarnessPlugin[];
  apps: CheckedApp[];
  pluginDirs: HarnessPluginDir[];
  effectDelay: number;
  demo: boolean;
  /** False with --no-build. */
  build: boolean;
  /** `--host NAME` (repeatable): names besides 127.0.0.1, localhost and [::1] that requests may use. */
  hosts: string[];
}

/** What `canvas-companion harness --help` prints. */
export const HELP = `Usage: npx canvas-companion harness [options]      (in this repository: npm run demo -- [options])

Starts the companion harness on http://127.0.0.1:$PORT/companion/ (PORT defaults to ${DEFAULT_PORT}).
Open that URL in a phone-sized window (browser dev tools, device toolbar, 390x844).

With no --plugin-dir or --plugin, the plugin in the current folder: the folder itself when it holds
CANVAS_MANIFEST.json, else each subfolder that does (as published plugins keep repo/NAME/); none:
the demo plugin.

Your plugin folder, on a mock platform:
  --plugin-dir PATH     A Canvas plugin folder (PATH or its only subfolder holds CANVAS_MANIFEST.json).
                        Its companion applications appear in the shell with their names and icons;
                        its files are served under /plugin-io/api/NAME/ only through its routes, as
                        on Canvas (the mock's files export, or its Python's file routes). Repeatable.
  --mock FILE           The plugin's backend: an ES module with routes, socket rules and launch URLs
                        (see docs/getting-started.md). Belongs to the --plugin-dir before it (or the
                        next one). Default: harness.mock.mjs next to the plugin's CANVAS_MANIFEST.json.

Your own server instead:
  --plugin NAME=URL     Proxy /plugin-io/api/NAME/... and /plugin-io/ws/NAME/... (WebSocket upgrades
                        too) to your server at URL (an origin, e.g. http://127.0.0.1:8000); paths are
                        forwarded unchanged. Requests carry canvas-logged-in-user-id / -type while the
                        harness session is signed in, as Canvas sets them. Repeatable.

Apps:
  --app NAME:SCOPE:TITLE:PATH
                        An app of plugin NAME. SCOPE is global (launcher), patient (patient tab) or
                        note (note tab); provider_companion_* names work too. PATH is what on_open()
                        returns, under /plugin-io/api/NAME (or the full path). {patient_id} and
                        {note_id} in PATH are filled in; without them the shell appends patient_id
                        (patient and note scope) and note_id (note scope). For a --plugin-dir plugin,
                        an app with the same scope and TITLE as a manifest application gives that
                        application's launch URL. Repeatable.
                          --app "my_plugin:patient:Care plan:/app/plan?patient_id={patient_id}"
  --apps FILE           Plugins and apps from a JSON file (see docs/apps.example.json):
                          { "plugins": { "my_plugin": "http://127.0.0.1:8000" },
                            "apps": [ { "plugin": "my_plugin", "scope": "global",
                                        "title": "Tasks", "path": "/app/tasks" } ] }
  --demo                Show the built-in demo plugin too (it shows by itself when no plugin is given).

Server:
  --port N              Port to listen on (overrides PORT; 0 picks a free one).
  --effect-delay MS     How long effects take to land when a mock gives no { after } (default ${DEFAULT_EFFECT_DELAY}).
  --host NAME           Also answer requests for NAME (e.g. a tunnel's or proxy's name; NAME:PORT as is).
                        Without it, only 127.0.0.1, localhost and [::1] with the port: any other Host
                        gets 421 (a web page cannot reach the harness by DNS rebinding). Repeatable.
  --no-build            In a checkout of canvas-companion: use dist/ as it is, even when src/ is newer.
  -h, --help            Shows this help.

Stop the server with Ctrl-C.`;

/**
 * Parses `NAME=URL`.
 * @throws {@link OptionError} saying what to write instead.
 */
export function parsePlugin(text: string): HarnessPlugin {
  const at = String(text).indexOf('=');
  if (at < 1) throw new OptionError(`--plugin ${text}: expected NAME=URL, e.g. --plugin my_plugin=http://127.0.0.1:8000`);
  return checkPlugin(text.slice(0, at), text.slice(at + 1), `--plugin ${text}`);
}

/**
 * Checks a plugin name and target origin.
 * @param where - Where they were given, to start the error message.
 * @returns The plugin, its `url` reduced to the origin.
 * @throws {@link OptionError} saying what to write instead.
 */
export function checkPlugin(name: unknown, url: unknown, where: string): HarnessPlugin {
  if (typeof name !== 'string' || !/^\w+$/.test(name)) throw new OptionError(`${where}: the plugin name "${name}" must be letters, digits and _ only (like a Canvas plugin name)`);
  let target: URL;
  try {
    target = new URL(String(url));
  } catch {
    throw new OptionError(`${where}: "${url}" is not a URL; expected e.g. http://127.0.0.1:8000`);
  }
  if (!/^https?:$/.test(target.protocol)) throw new OptionError(`${where}: the URL must start with http:// or https://`);
  if (target.pathname !== '/' || target.search || target.hash || target.username) {
    throw new OptionError(`${where}: give only the origin (e.g. ${target.origin}); paths are forwarded unchanged, so your server answers /plugin-io/api/${name}/...`);
  }
  return { name, url: target.origin };
}

/**
 * Parses `NAME:SCOPE:TITLE:PATH`; the path is what follows the last `:/`, so a title may hold colons.
 * @throws {@link OptionError} saying what to write instead.
 */
export function parseApp(text: string): CheckedApp {
  const value = String(text);
  const first = value.indexOf(':');
  const second = value.indexOf(':', first + 1);
  const split = value.lastIndexOf(':/');
  if (first < 1 || second < 0 || split <= second) {
    throw new OptionError(`--app ${text}: expected NAME:SCOPE:TITLE:PATH, e.g. --app "my_plugin:global:My tasks:/app/tasks"`);
  }
  return checkApp({ plugin: value.slice(0, first), scope: value.slice(first + 1, second), title: value.slice(second + 1, split), path: value.slice(split + 1) }, `--app ${text}`);
}

/**
 * Checks one app, `{ plugin, scope, title, path }`, from a file or a caller (so anything at all).
 * @param where - Where it was given, to start the error message.
 * @returns It with a short scope, a trimmed title and a path relative to the plugin (`/app/tasks`).
 * @throws {@link OptionError} saying what to write instead.
 */
export function checkApp(app: unknown, where: string): CheckedApp {
  if (!app || typeof app !== 'object') throw new OptionError(`${where}: an app is an object { plugin, scope, title, path }`);
  const { plugin, scope, title, path } = app as Partial<Record<keyof HarnessApp, unknown>>;
  if (typeof plugin !== 'string' || !/^\w+$/.test(plugin)) throw new OptionError(`${where}: "plugin" must be a plugin name (letters, digits, _)`);
  const short = scopeOf(String(scope).trim());
  if (!short) throw new OptionError(`${where}: scope "${scope}" is not one of global, patient, note`);
  if (typeof title !== 'string' || !title.trim()) throw new OptionError(`${where}: the app needs a title`);
  if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//') || /[\s\\]/.test(path)) {
    throw new OptionError(`${where}: the path "${path}" must start with / (e.g. /app/tasks) and hold no spaces`);
  }
  let relative = path;
  const prefix = `/plugin-io/api/${plugin}`;
  if (path.startsWith('/plugin-io/')) {
    if (!(path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}?`))) throw new OptionError(`${where}: the path "${path}" is outside ${prefix}/`);
    relative = path.slice(prefix.length) || '/';
    if (relative.startsWith('?')) relative = `/${relative}`;
  }
  return { plugin, scope: short, title: title.trim(), path: relative };
}

/**
 * Reads an apps file: `{ plugins?: {NAME: URL}, apps: [...] }`, or just the apps array.
 * @throws {@link OptionError} for a file that is missing, not JSON, or holds a bad plugin or app.
 */
export async function readAppsFile(file: string): Promise<{ plugins: HarnessPlugin[]; apps: CheckedApp[] }> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(resolve(file), 'utf8'));
  } catch (error) {
    throw new OptionError(`--apps ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : messageOf(error)}`);
  }
  const object = (Array.isArray(data) ? null : data) as { apps?: unknown; plugins?: unknown } | null;
  const list = Array.isArray(data) ? data : object?.apps;
  if (!Array.isArray(list)) throw new OptionError(`--apps ${file}: expected { "apps": [ ... ] } or an array of apps`);
  const plugins = Object.entries(object?.plugins || {}).map(([name, url]) => checkPlugin(name, url, `--apps ${file}: plugins.${name}`));
  return { plugins, apps: list.map((app: unknown, i) => checkApp(app, `--apps ${file}: apps[${i}]`)) };
}

/** A whole number from 0 to `max`, from an option's text. */
function integer(text: string, what: string, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(String(text).trim()) || value > max) throw new OptionError(`${what}: "${text}" is not a whole number from 0 to ${max}`);
  return value;
}

/**
 * The nearest of `candidates` to a mistyped `word` (edits, with a swap of two neighbours counted as
 * one: `--plugin-dri` → `--plugin-dir`), or null when none is close enough to be a likely typo.
 */
export function nearest(word: string, candidates: Iterable<string>): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  // Close enough: a couple of edits, or a third of the word (long names tolerate more).
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => rows[i]![j]!;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, at(i - 2, j - 2) + 1);
      rows[i]![j] = value;
    }
  }
  return at(a.length, b.length);
}

/** " (did you mean X?)" for the nearest candidate, or "" when none is near. */
export const didYouMean = (word: string, candidates: Iterable<string>): string => {
  const near = nearest(word, candidates);
  return near ? `: did you mean ${near}?` : '';
};

/** What an option's handler gets besides the command's own state: the option's value, or a check that it has none. */
export interface OptionTaker {
  /** The option's value (`--x=value`, or the next argument); throws when there is none. */
  take(): string;
  /** Throws when a flag was given a value (`--demo=yes`). */
  flag(): void;
}

/** A command's options: name → handler, which gets the command's state and {@link OptionTaker}. */
export type OptionTable<State> = Readonly<Record<string, (step: State & OptionTaker) => void | Promise<void>>>;

/**
 * Runs a command's arguments through its option table, in order. Arguments that are not options go
 * to `positional`, which throws an {@link OptionError} for one it does not take.
 * @throws {@link OptionError} for an unknown option (with the nearest known one), a missing or
 *   unexpected value, or what a handler throws.
 */
export async function readArgs<State extends object>(
  argv: readonly string[],
  table: OptionTable<State>,
  state: State,
  positional: (arg: string) => void,
): Promise<void> {
  const args = [...argv];
  for (let given = args.shift(); given !== undefined; given = args.shift()) {
    // "-" alone is a value (stdin, by convention), never an option.
    if (!given.startsWith('-') || given === '-') {
      positional(given);
      continue;
    }
    const eq = given.indexOf('=');
    const [arg, value] = given.startsWith('--') && eq > 0 ? [given.slice(0, eq), given.slice(eq + 1)] : [given, undefined];
    const take = () => {
      if (value !== undefined) return value;
      const next = args[0];
      if (next === undefined || next.startsWith('--')) throw new OptionError(`${arg} needs a value (see --help)`);
      args.shift();
      return next;
    };
    const flag = () => {
      if (value !== undefined) throw new OptionError(`${arg} takes no value`);
    };
    const handle = Object.hasOwn(table, arg) ? table[arg] : undefined;
    if (!handle) throw new OptionError(`unknown option ${arg}${didYouMean(arg, Object.keys(table).filter((name) => name.startsWith('--')))} (see --help)`);
    await handle({ ...state, take, flag });
  }
}

/** The harness's parsing state: the options so far, and the --mock files waiting for a --plugin-dir. */
interface HarnessState {
  options: ParsedOptions;
  /** --mock files given before any --plugin-dir: they belong to the next one. */
  waiting: string[];
}

/** Each option, and what it does. */
const OPTIONS: OptionTable<HarnessState> = {
  '-h': ({ options }) => void (options.help = true),
  '--help': ({ options }) => void (options.help = true),
  '--plugin': ({ options, take }) => void options.plugins.push(parsePlugin(take())),
  '--plugin-dir': ({ options, take, waiting }) => {
    const path = take();
    checkPluginDir(path);
    options.pluginDirs.push({ dir: path, mock: waiting.shift() ?? null });
  },
  '--mock': ({ options, take, waiting }) => {
    const file = take();
    const last = options.pluginDirs.at(-1);
    if (last && !last.mock) last.mock = file;
    else if (last && !waiting.length) throw new OptionError(`--mock ${file}: --plugin-dir ${last.dir} has a mock already (${last.mock}); give each --plugin-dir its own --mock after it`);
    else waiting.push(file);
  },
  '--app': ({ options, take }) => void options.apps.push(parseApp(take())),
  '--apps': async ({ options, take }) => {
    const file = await readAppsFile(take());
    options.plugins.push(...file.plugins);
    options.apps.push(...file.apps);
  },
  '--port': ({ options, take }) => void (options.port = integer(take(), '--port', 65_535)),
  '--effect-delay': ({ options, take }) => void (options.effectDelay = integer(take(), '--effect-delay', 60_000)),
  '--demo': ({ options, flag }) => {
    flag();
    options.demo = true;
  },
  '--host': ({ options, take }) => {
    const name = take().trim();
    if (!/^(?:[\w.-]+|\[[\da-fA-F:.]+\])(?::\d{1,5})?$/.test(name)) throw new OptionError(`--host ${name}: expected a host name (e.g. my-tunnel.example, or my-tunnel.example:443)`);
    options.hosts.push(name);
  },
  '--no-build': ({ options, flag }) => {
    flag();
    options.build = false;
  },
};

/** The message for an argument the harness does not take: it takes options only. */
function strayArgument(arg: string, cwd: string): OptionError {
  // A folder given bare was most likely meant as a plugin folder.
  const folder = existsSync(resolve(cwd, arg)) && statSync(resolve(cwd, arg)).isDirectory();
  const hint = folder ? `: for a plugin folder write --plugin-dir ${arg}` : ': the harness takes options only';
  return new OptionError(`stray argument ${arg}${hint} (see --help)`);
}

/**
 * Parses the harness's arguments (after `canvas-companion harness`). Checks that plugin folders
 * and mock files exist; reads nothing else and builds nothing. With no `--plugin-dir`,
 * `--plugin` or `--apps` plugin, the plugins of `cwd` are taken: `cwd` itself when it holds a
 * CANVAS_MANIFEST.json, else each subfolder that does (none: the demo plugin shows).
 * @param env - Where `PORT` is read.
 * @param cwd - Where a plugin is looked for when none is given.
 * @throws {@link OptionError} for the first bad option or stray argument, saying what to write instead.
 */
export async function parseArgs(argv: readonly string[], env: Record<string, string | undefined> = process.env, cwd: string = process.cwd()): Promise<ParsedOptions> {
  const options: ParsedOptions = {
    help: false, port: env.PORT ? integer(env.PORT, 'PORT', 65_535) : DEFAULT_PORT, plugins: [], apps: [], pluginDirs: [],
    effectDelay: DEFAULT_EFFECT_DELAY, demo: false, build: true, hosts: [],
  };
  const waiting: string[] = [];
  await readArgs(argv, OPTIONS, { options, waiting }, (arg) => {
    throw strayArgument(arg, cwd);
  });
  if (waiting.length) throw new OptionError(`--mock ${waiting[0]}: no --plugin-dir to go with it (add --plugin-dir PATH)`);
  for (const { dir, mock } of options.pluginDirs) checkPluginDir(dir, mock);
  if (!options.pluginDirs.length && !options.plugins.length) options.pluginDirs.push(...findPluginFolders(cwd).map((dir) => ({ dir, mock: null })));
  return options;
}
