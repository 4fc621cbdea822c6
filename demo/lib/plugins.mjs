/**
 * The plugins the harness plays: plugin folders on the mock platform (their mock module's routes,
 * then their files), and --plugin NAME=URL proxies. Also the apps the shell shows, and what each
 * app's on_open() returns.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OptionError } from './errors.mjs';
import { decode, escapeHTML, HttpError, parseBody, readBody, sendFile, sendText, typeOf } from './http.mjs';
import { LIBRARY_FILES } from './library.mjs';
import { checkApp, checkPlugin } from './options.mjs';
import { folderFile, importMock, readPluginFolder } from './plugin-dir.mjs';
import { proxyRequest } from './proxy.mjs';

/** Defaults of this module. */
export const DEFAULTS = Object.freeze({
  /** How long a mock route or socket rule may take before the harness answers 504 (ms). */
  mockTimeout: 30_000,
});
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Statuses a route may answer: 1xx are not final answers, so a route cannot give one. */
const FINAL_STATUS = Object.freeze({ min: 200, max: 599 });
/** What `within()` resolves when the limit passed first. */
export const TIMED_OUT = Symbol('timed out');

/**
 * Resolves what `promise` resolves, or TIMED_OUT after `ms`: a mock function that never settles
 * gets an answer instead of a hung request.
 */
export function within(promise, ms) {
  let timer;
  const limit = new Promise((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

const slug = (text) => text.toLowerCase().replace(/\W+/g, '-').replace(/^-|-$/g, '') || 'app';

/** Fills `{{ name }}` placeholders in a page, HTML-escaped (the part of Django templates plugin pages use most). */
function render(template, context) {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name) => (Object.hasOwn(context, name) ? escapeHTML(context[name]) : whole));
}

/**
 * Loads plugin folders and proxies, and checks apps.
 * @param {object} options { pluginDirs: {dir, mock}[], plugins: {name, url}[], apps, platform, log, distDir }
 */
export async function loadPlugins({ pluginDirs, plugins, apps, platform, log, distDir, mockTimeout = DEFAULTS.mockTimeout }) {
  /** name -> { kind: 'folder', dir, backend } | { kind: 'proxy', url } */
  const byName = new Map();
  const shellApps = [];
  const ids = new Set();
  const addApp = (app) => {
    let id = `${app.plugin}:${app.scope}:${slug(app.title)}`;
    for (let n = 2; ids.has(id); n++) id = `${app.plugin}:${app.scope}:${slug(app.title)}-${n}`;
    ids.add(id);
    shellApps.push({ ...app, id });
  };

  for (const { dir, mock } of pluginDirs) {
    const folder = await readPluginFolder(dir, mock);
    if (byName.has(folder.name)) throw new OptionError(`plugin ${folder.name} is given twice (--plugin-dir ${dir})`);
    for (const line of folder.skipped) log(`${folder.name}: skipped ${line}`);
    let module = {};
    if (folder.mock) module = await importMock(folder.mock);
    else log(`${folder.name}: no mock module (--mock FILE or ${folder.dir}/harness.mock.mjs): its routes answer 404, its files are served`);
    let backend;
    try {
      backend = platform.plugin(folder.name, module);
    } catch (error) {
      throw new OptionError(`--mock ${folder.mock}: ${error.message}`);
    }
    try {
      await backend.setup();
    } catch (error) {
      throw new OptionError(`--mock ${folder.mock}: its setup(platform) threw: ${error?.message ?? error}`);
    }
    byName.set(folder.name, { kind: 'folder', dir: folder.dir, backend });
    for (const app of folder.apps) {
      addApp({ plugin: folder.name, scope: app.scope, title: app.name, description: app.description, icon: app.icon, manifest: app, path: null });
    }
  }
  for (const plugin of plugins) {
    const { name, url } = checkPlugin(plugin?.name, plugin?.url, `plugin ${plugin?.name}`);
    const known = byName.get(name);
    if (known && !(known.kind === 'proxy' && known.url === url)) throw new OptionError(`plugin ${name} is given twice${known.kind === 'proxy' ? `, with ${known.url} and ${url}` : ' (as a folder and as --plugin)'}`);
    byName.set(name, { kind: 'proxy', url });
  }
  apps.forEach((given, i) => {
    const app = checkApp(given, `app ${given?.title ?? i}`);
    const plugin = byName.get(app.plugin);
    if (!plugin) throw new OptionError(`app "${app.title}" belongs to plugin ${app.plugin}, which has no --plugin-dir or --plugin ${app.plugin}=URL`);
    // Same scope and title as a manifest application: this gives that application's launch URL.
    const declared = shellApps.find((a) => a.plugin === app.plugin && a.scope === app.scope && a.title === app.title);
    if (declared) declared.path = app.path;
    else addApp({ plugin: app.plugin, scope: app.scope, title: app.title, description: plugin.kind === 'proxy' ? `Proxied to ${plugin.url}` : '', icon: null, manifest: null, path: app.path });
  });
  for (const app of shellApps) {
    const plugin = byName.get(app.plugin);
    if (app.path || plugin.kind !== 'folder') continue;
    const keys = [app.manifest.class, app.manifest.class?.split(':').pop(), app.manifest.name];
    if (!keys.some((key) => key && plugin.backend.launchKeys.includes(key))) log(`${app.plugin}: "${app.title}" has no launch URL yet (add it to the mock's launch, keyed by its class or name, or use --app)`);
  }

  /** What the shell lists. */
  const publicApps = shellApps.map((app) => ({
    id: app.id, plugin: app.plugin, scope: app.scope, title: app.title, description: app.description,
    icon_url: app.icon ? `/companion/icons/${encodeURIComponent(app.id)}` : null,
  }));

  /**
   * The app's launch URL for this patient and note, as its on_open() would return it.
   * @returns {{ url: string } | { error: string }}
   */
  function launch(appId, { patient, note, staff }) {
    const app = shellApps.find((a) => a.id === appId);
    if (!app) return { status: 404, error: `No app ${appId}` };
    const plugin = byName.get(app.plugin);
    if (app.path) {
      const base = `/plugin-io/api/${app.plugin}${app.path}`;
      if (/\{(patient_id|note_id)\}/.test(base)) {
        return { url: base.replaceAll('{patient_id}', encodeURIComponent(patient?.id ?? '')).replaceAll('{note_id}', encodeURIComponent(note?.id ?? '')) };
      }
      const url = new URL(base, 'http://x');
      if (app.scope !== 'global' && patient) url.searchParams.set('patient_id', patient.id);
      if (app.scope === 'note' && note) url.searchParams.set('note_id', note.id);
      return { url: `${url.pathname}${url.search}` };
    }
    let url = null;
    try {
      url = plugin.kind === 'folder' && app.manifest ? plugin.backend.launchUrl(app.manifest, { patient, note, staff }) : null;
    } catch (error) {
      log(`${app.plugin}: launch URL of "${app.title}" failed: ${error.message}`);
      return { status: 500, error: `The mock's launch function for "${app.title}" failed: ${error.message}` };
    }
    if (!url) {
      const key = app.manifest?.class ?? app.title;
      return { status: 422, error: `No launch URL for "${app.title}": add launch: { '${key}': ({ patient, note }) => '/plugin-io/api/${app.plugin}/...' } to the mock module, or --app "${app.plugin}:${app.scope}:${app.title}:/path"` };
    }
    if (!/^(\/plugin-io\/api\/|https?:\/\/)/.test(url)) log(`${app.plugin}: launch URL ${url} of "${app.title}" is not under /plugin-io/api/${app.plugin}/: on Canvas the iframe would load that address as is`);
    return { url };
  }

  /**
   * The icon file of an app, or null: resolved per request through the folder's file check (inside
   * the plugin folder after resolving symlinks, nothing hidden), since a link may change after start.
   */
  async function iconOf(appId) {
    const app = shellApps.find((a) => a.id === appId);
    const plugin = app?.icon ? byName.get(app.plugin) : null;
    return plugin?.kind === 'folder' ? folderFile(plugin.dir, app.icon) : null;
  }

  /** Sends a route's `{ file, context }` answer: a file from the plugin folder, with `{{ name }}` filled in for HTML. */
  async function sendRouteFile(response, dir, answer, where) {
    const file = await folderFile(dir, answer.file);
    if (!file) {
      log(`500 ${where}: the route answered { file: ${JSON.stringify(answer.file)} }, which is not a file inside ${dir}`);
      return sendText(response, 500, `The mock answered with the file ${answer.file}, which is not in the plugin folder`);
    }
    const type = answer.headers['content-type'] ?? typeOf(file);
    let body = await readFile(file);
    if (/html/.test(type)) body = render(body.toString('utf8'), answer.context ?? {});
    response.writeHead(answer.status, { 'cache-control': 'no-store', ...answer.headers, 'content-type': type }).end(body);
  }

  /** Handles /plugin-io/api/NAME/REST. */
  async function handle({ request, response, url, name, rest, staff }) {
    const plugin = byName.get(name);
    const where = `${request.method} ${url.pathname}`;
    if (!plugin) {
      log(`404 ${where}: no plugin ${name} (add --plugin-dir PATH or --plugin ${name}=URL)`);
      return sendText(response, 404, `No plugin ${name} in the harness`);
    }
    if (plugin.kind === 'proxy') return proxyRequest({ name, origin: plugin.url, request, response, staff, log });
    let body = null;
    if (WITH_BODY.has(request.method)) {
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
    const answer = await within(plugin.backend.handle({ method: request.method === 'HEAD' ? 'GET' : request.method, path: rest || '/', query: url.searchParams, headers: { ...request.headers }, body, staff }), mockTimeout);
    if (answer === TIMED_OUT) {
      log(`504 ${where}: the mock's route gave no answer within ${mockTimeout} ms (does it await something that never settles?)`);
      return sendText(response, 504, `The mock's route gave no answer within ${mockTimeout} ms`);
    }
    if (!answer.matched) {
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
      return sendText(response, 404, `No route in ${name}'s mock and no such file in its folder`);
    }
    // `in`, not a truthiness test: a route may throw null or undefined.
    if ('error' in answer) {
      log(`500 ${where}: route "${answer.route}" threw: ${answer.error?.stack ?? answer.error}`);
      return sendText(response, 500, `The mock's route "${answer.route}" threw (see the harness's terminal)`);
    }
    if (!(answer.status >= FINAL_STATUS.min && answer.status <= FINAL_STATUS.max)) {
      log(`500 ${where}: route "${answer.route}" answered status ${answer.status}; a route answers ${FINAL_STATUS.min}-${FINAL_STATUS.max}`);
      return sendText(response, 500, `The mock's route "${answer.route}" answered status ${answer.status}, which is not a final HTTP answer (${FINAL_STATUS.min}-${FINAL_STATUS.max})`);
    }
    if (answer.status === 401) log(`401 ${where}: no staff session (sign in again from the shell's menu)`);
    else if (answer.status === 405) log(`405 ${where}: the mock's routes for this path allow ${answer.headers.allow}`);
    else if (answer.status >= 400) log(`${answer.status} ${where}: answered so by route "${answer.route}"`);
    if (answer.file !== undefined) return sendRouteFile(response, plugin.dir, answer, where);
    response.writeHead(answer.status, { 'cache-control': 'no-store', ...answer.headers });
    response.end(request.method === 'HEAD' ? undefined : answer.body);
  }

  return {
    apps: publicApps,
    /** name -> origin of each --plugin proxy */
    proxies: new Map([...byName].filter(([, p]) => p.kind === 'proxy').map(([name, p]) => [name, p.url])),
    /** name -> folder of each --plugin-dir plugin */
    folders: new Map([...byName].filter(([, p]) => p.kind === 'folder').map(([name, p]) => [name, p.dir])),
    get: (name) => byName.get(name) ?? null,
    /** A plugin folder's socket rule for a channel, time-limited: `{ allowed, reason, status }`. */
    async authorize(plugin, request) {
      const verdict = await within(plugin.backend.authorize(request), mockTimeout);
      if (verdict === TIMED_OUT) return { allowed: false, status: 504, reason: `the socket rule gave no answer within ${mockTimeout} ms` };
      return { ...verdict, status: 403 };
    },
    launch,
    iconOf,
    handle,
  };
}
