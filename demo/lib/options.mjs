/**
 * Command-line options of `npm run demo` and the apps file, parsed and checked with messages
 * that say what to type instead.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

/** A mistake in the options: the CLI prints its message and exits with status 2. */
export class OptionError extends Error {
  name = 'OptionError';
}

/** The built-in plugin's name. */
export const DEMO_PLUGIN = 'demo_plugin';

/** Accepted scope words: the short ones and the manifest's. */
const SCOPES = {
  global: 'global', patient: 'patient', note: 'note',
  provider_companion_global: 'global', provider_companion_patient_specific: 'patient', provider_companion_note_specific: 'note',
};

export const HELP = `Usage: npm run demo -- [options]

Starts the companion harness on http://127.0.0.1:$PORT/companion/ (PORT defaults to 4173).
Open that URL in a phone-sized window (browser dev tools, device toolbar, 390x844).

Options:
  --plugin NAME=URL     Proxy /plugin-io/api/NAME/... and /plugin-io/ws/NAME/... (WebSocket
                        upgrades too) to your local server at URL, e.g.
                          --plugin my_plugin=http://127.0.0.1:8000
                        URL is an origin (no path): paths are forwarded unchanged, so your server
                        sees /plugin-io/api/my_plugin/app/... exactly as Canvas would route them.
                        The request carries canvas-logged-in-user-id / -type headers while the
                        harness session is signed in, as Canvas sets them. Repeatable.
  --app NAME:SCOPE:TITLE:PATH
                        Adds an app of plugin NAME to the shell. SCOPE is global (launcher),
                        patient (patient tab) or note (note tab); the manifest names
                        provider_companion_global|_patient_specific|_note_specific work too.
                        PATH is the page under /plugin-io/api/NAME (or the full /plugin-io/api/NAME/...
                        path) that on_open() would return; the shell appends patient_id and note_id.
                          --app "my_plugin:patient:Care plan:/app/plan"
                        Repeatable.
  --apps FILE           Reads plugins and apps from a JSON file (see demo/apps.example.json):
                          { "plugins": { "my_plugin": "http://127.0.0.1:8000" },
                            "apps": [ { "plugin": "my_plugin", "scope": "global",
                                        "title": "Tasks", "path": "/app/tasks" } ] }
  --port N              Port to listen on (overrides PORT; 0 picks a free one).
  --effect-delay MS     How long the mock platform takes to apply effects (default 1200).
  -h, --help            Shows this help.

The built-in demo plugin (demo_plugin) is always there. Stop the server with Ctrl-C.`;

/** Parses `NAME=URL`. */
export function parsePlugin(text) {
  const at = String(text).indexOf('=');
  if (at < 1) throw new OptionError(`--plugin ${text}: expected NAME=URL, e.g. --plugin my_plugin=http://127.0.0.1:8000`);
  return checkPlugin(text.slice(0, at), text.slice(at + 1), `--plugin ${text}`);
}

/** Checks a plugin name and target origin; returns `{ name, url }` with `url` an origin. */
export function checkPlugin(name, url, where) {
  if (!/^\w+$/.test(name)) throw new OptionError(`${where}: the plugin name "${name}" must be letters, digits and _ only (like a Canvas plugin name)`);
  if (name === DEMO_PLUGIN) throw new OptionError(`${where}: ${DEMO_PLUGIN} is the built-in demo plugin; give yours another name`);
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
 * Parses the CLI's arguments (after `node demo/server.mjs`).
 * @returns {Promise<{ help: boolean, port: number, plugins: {name: string, url: string}[], apps: object[], effectDelay: number }>}
 */
export async function parseArgs(argv, env = process.env) {
  const options = { help: false, port: env.PORT ? integer(env.PORT, 'PORT', 65_535) : 4173, plugins: [], apps: [], effectDelay: 1200 };
  const args = [...argv];
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
    if (arg === '-h' || arg === '--help') options.help = true;
    else if (arg === '--plugin') options.plugins.push(parsePlugin(take()));
    else if (arg === '--app') options.apps.push(parseApp(take()));
    else if (arg === '--apps') {
      const file = await readAppsFile(take());
      options.plugins.push(...file.plugins);
      options.apps.push(...file.apps);
    } else if (arg === '--port') options.port = integer(take(), '--port', 65_535);
    else if (arg === '--effect-delay') options.effectDelay = integer(take(), '--effect-delay', 60_000);
    else throw new OptionError(`unknown option ${arg} (see --help)`);
  }
  return options;
}

/**
 * Checks plugins and apps together: unique plugin names, apps only for known plugins.
 * @returns {{ plugins: Map<string, string>, apps: object[] }}
 */
export function checkSetup(plugins, apps) {
  const map = new Map();
  for (const plugin of plugins) {
    const { name, url } = checkPlugin(plugin?.name, plugin?.url, `plugin ${plugin?.name}`);
    if (map.has(name) && map.get(name) !== url) throw new OptionError(`plugin ${name} is given twice, with ${map.get(name)} and ${url}`);
    map.set(name, url);
  }
  const checked = apps.map((app, i) => {
    const ok = checkApp(app, `app ${app?.title ?? i}`);
    if (ok.plugin !== DEMO_PLUGIN && !map.has(ok.plugin)) {
      throw new OptionError(`app "${ok.title}" belongs to plugin ${ok.plugin}, which has no --plugin ${ok.plugin}=URL`);
    }
    return ok;
  });
  return { plugins: map, apps: checked };
}
