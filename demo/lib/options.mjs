/**
 * Command-line options of `canvas-companion harness` (and `npm run demo`) and the apps file,
 * parsed and checked with messages that say what to type instead. Nothing here builds or starts.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { OptionError } from './errors.mjs';
import { checkPluginDir, SCOPES } from './plugin-dir.mjs';

export { OptionError };

/** Defaults of the harness options. */
export const DEFAULTS = Object.freeze({ port: 4173, effectDelay: 1200 });

export const HELP = `Usage: npx canvas-companion harness [options]      (in this repository: npm run demo -- [options])

Starts the companion harness on http://127.0.0.1:$PORT/companion/ (PORT defaults to 4173).
Open that URL in a phone-sized window (browser dev tools, device toolbar, 390x844).

Your plugin folder, on a mock platform:
  --plugin-dir PATH     A Canvas plugin folder (PATH or its only subfolder holds CANVAS_MANIFEST.json).
                        Its companion applications appear in the shell with their names and icons;
                        its files are served under /plugin-io/api/NAME/. Repeatable.
  --mock FILE           The plugin's backend: an ES module with routes, socket rules and launch URLs
                        (see the README, "Try your own plugin"). Belongs to the --plugin-dir before it
                        (or the next one). Default: harness.mock.mjs in the plugin folder, if any.

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
  --apps FILE           Plugins and apps from a JSON file (see demo/apps.example.json):
                          { "plugins": { "my_plugin": "http://127.0.0.1:8000" },
                            "apps": [ { "plugin": "my_plugin", "scope": "global",
                                        "title": "Tasks", "path": "/app/tasks" } ] }
  --demo                Show the built-in demo plugin too (it shows by itself when no plugin is given).

Server:
  --port N              Port to listen on (overrides PORT; 0 picks a free one).
  --effect-delay MS     How long effects take to land when a mock gives no { after } (default 1200).
  --no-build            In a checkout of canvas-companion: use dist/ as it is, even when src/ is newer.
  -h, --help            Shows this help.

Stop the server with Ctrl-C.`;

/** Parses `NAME=URL`. */
export function parsePlugin(text) {
  const at = String(text).indexOf('=');
  if (at < 1) throw new OptionError(`--plugin ${text}: expected NAME=URL, e.g. --plugin my_plugin=http://127.0.0.1:8000`);
  return checkPlugin(text.slice(0, at), text.slice(at + 1), `--plugin ${text}`);
}

/** Checks a plugin name and target origin; returns `{ name, url }` with `url` an origin. */
export function checkPlugin(name, url, where) {
  if (typeof name !== 'string' || !/^\w+$/.test(name)) throw new OptionError(`${where}: the plugin name "${name}" must be letters, digits and _ only (like a Canvas plugin name)`);
  let target;
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

/** Parses `NAME:SCOPE:TITLE:PATH`; the path is what follows the last ":/". */
export function parseApp(text) {
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
 * Checks one app: `{ plugin, scope, title, path }`. Returns it with a short scope and a path
 * relative to the plugin (`/app/tasks`).
 */
export function checkApp(app, where) {
  if (!app || typeof app !== 'object') throw new OptionError(`${where}: an app is an object { plugin, scope, title, path }`);
  const { plugin, scope, title, path } = app;
  if (typeof plugin !== 'string' || !/^\w+$/.test(plugin)) throw new OptionError(`${where}: "plugin" must be a plugin name (letters, digits, _)`);
  const short = SCOPES[String(scope).trim()];
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

/** Reads an apps file: `{ plugins?: {NAME: URL}, apps: [...] }` or just the apps array. */
export async function readAppsFile(file) {
  let data;
  try {
    data = JSON.parse(await readFile(resolve(file), 'utf8'));
  } catch (error) {
    throw new OptionError(`--apps ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  }
  const list = Array.isArray(data) ? data : data?.apps;
  if (!Array.isArray(list)) throw new OptionError(`--apps ${file}: expected { "apps": [ ... ] } or an array of apps`);
  const plugins = Object.entries((!Array.isArray(data) && data.plugins) || {}).map(([name, url]) => checkPlugin(name, url, `--apps ${file}: plugins.${name}`));
  return { plugins, apps: list.map((app, i) => checkApp(app, `--apps ${file}: apps[${i}]`)) };
}

function integer(text, what, max) {
  const value = Number(text);
  if (!/^\d+$/.test(String(text).trim()) || value > max) throw new OptionError(`${what}: "${text}" is not a whole number from 0 to ${max}`);
  return value;
}

/**
 * Parses the harness's arguments (after `canvas-companion harness`). Checks that plugin folders
 * and mock files exist; reads nothing else and builds nothing.
 * @returns {Promise<import('../harness.d.mts').ParsedOptions>}
 */
export async function parseArgs(argv, env = process.env) {
  const options = {
    help: false, port: env.PORT ? integer(env.PORT, 'PORT', 65_535) : DEFAULTS.port, plugins: [], apps: [], pluginDirs: [],
    effectDelay: DEFAULTS.effectDelay, demo: false, build: true,
  };
  const args = [...argv];
  /** --mock files given before any --plugin-dir: they belong to the next one. */
  const waiting = [];
  while (args.length) {
    let arg = args.shift();
    let value;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) [arg, value] = [arg.slice(0, eq), arg.slice(eq + 1)];
    const take = () => {
      if (value !== undefined) return value;
      if (!args.length || args[0].startsWith('--')) throw new OptionError(`${arg} needs a value (see --help)`);
      return args.shift();
    };
    const flag = () => {
      if (value !== undefined) throw new OptionError(`${arg} takes no value`);
    };
    if (arg === '-h' || arg === '--help') options.help = true;
    else if (arg === '--plugin') options.plugins.push(parsePlugin(take()));
    else if (arg === '--plugin-dir') {
      const path = take();
      checkPluginDir(path);
      options.pluginDirs.push({ dir: path, mock: waiting.shift() ?? null });
    } else if (arg === '--mock') {
      const file = take();
      const last = options.pluginDirs.at(-1);
      if (last && !last.mock) last.mock = file;
      else if (last && !waiting.length) throw new OptionError(`--mock ${file}: --plugin-dir ${last.dir} has a mock already (${last.mock}); give each --plugin-dir its own --mock after it`);
      else waiting.push(file);
    } else if (arg === '--app') options.apps.push(parseApp(take()));
    else if (arg === '--apps') {
      const file = await readAppsFile(take());
      options.plugins.push(...file.plugins);
      options.apps.push(...file.apps);
    } else if (arg === '--port') options.port = integer(take(), '--port', 65_535);
    else if (arg === '--effect-delay') options.effectDelay = integer(take(), '--effect-delay', 60_000);
    else if (arg === '--demo') (flag(), (options.demo = true));
    else if (arg === '--no-build') (flag(), (options.build = false));
    else throw new OptionError(`unknown option ${arg} (see --help)`);
  }
  if (waiting.length) throw new OptionError(`--mock ${waiting[0]}: no --plugin-dir to go with it (add --plugin-dir PATH)`);
  for (const { dir, mock } of options.pluginDirs) checkPluginDir(dir, mock);
  return options;
}
