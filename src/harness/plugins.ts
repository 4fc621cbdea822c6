/**
 * The plugins the harness plays: plugin folders on the mock platform, and --plugin NAME=URL
 * proxies. Also the apps the shell shows, and what each app's on_open() returns.
 * @module
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Platform, PluginBackend, SocketRequest, Staff } from '../platform/index.js';
import { compareWithPython, type PluginCheck } from './compare.js';
import { messageOf, OptionError } from './errors.js';
import { filesLineRoutes, pythonFileRoutes } from './file-routes.js';
import { sendText } from './http.js';
import { importMock, prepareMock } from './mock-module.js';
import { answerFromMock, TIMED_OUT, within, type FolderPlugin, type MockRequestContext } from './mock.js';
import { checkApp, checkPlugin, didYouMean, type HarnessApp, type HarnessPlugin, type HarnessPluginDir } from './options.js';
import { DEMO_PLUGIN_DIR, LIBRARY_FILES } from './paths.js';
import { folderFile, readPluginFolder, type ManifestApp, type Scope } from './plugin-dir.js';
import { proxyRequest } from './proxy.js';
import { readPython } from './python.js';

export type { FolderPlugin } from './mock.js';

/** A plugin served by the author's own server. */
export interface ProxyPlugin {
  kind: 'proxy';
  /** The server's origin. */
  url: string;
}

/** A plugin as the harness holds it. */
export type LoadedPlugin = FolderPlugin | ProxyPlugin;

/** An app as the shell lists it. */
export interface ShellApp {
  /** `<plugin>:<scope>:<slug of the title>`, with `-2`, `-3`… when two would be the same. */
  id: string;
  plugin: string;
  scope: Scope;
  title: string;
  description: string;
  /** The manifest icon, served by the harness; null without one. */
  icon_url: string | null;
}

/** An app as the harness holds it: where its icon is, and the manifest application or `--app` path behind it. */
interface App extends Omit<ShellApp, 'icon_url'> {
  /** The icon, relative to its plugin folder. */
  icon: string | null;
  manifest: ManifestApp | null;
  /** An `--app` path, relative to the plugin; null: the mock's launch gives the URL. */
  path: string | null;
}

/** Where an app opens: the patient and note of the shell page, and the signed-in staff member. */
export interface LaunchContext {
  patient: { id: string } | null;
  note: { id: string } | null;
  staff: Staff | null;
}

/** An app's launch URL, or why there is none (and the status the shell's API answers). */
export type Launched = { url: string } | { status: number; error: string };

/** A socket rule's verdict, with the status a refusal answers (504 when the rule gave no answer in time). */
export interface Verdict {
  allowed: boolean;
  reason: string;
  status: number;
}

/** The loaded plugins and apps. */
export interface Plugins {
  /** What the shell lists. */
  apps: ShellApp[];
  /** name -> origin of each --plugin proxy */
  proxies: Map<string, string>;
  /** name -> folder of each --plugin-dir plugin */
  folders: Map<string, string>;
  /** Each plugin folder's mock held against its Python. */
  checks: PluginCheck[];
  /** A plugin by name; null when the harness has none of that name. */
  get(name: string): LoadedPlugin | null;
  /** A plugin folder's socket rule for a channel, time-limited. */
  authorize(plugin: FolderPlugin, request: Omit<SocketRequest, 'params' | 'staff'> & { staff: Staff | null }): Promise<Verdict>;
  /** The app's launch URL for this patient and note, as its on_open() would return it. */
  launch(appId: string, context: LaunchContext): Launched;
  /**
   * The icon file of an app, or null: resolved per request through the folder's file check
   * (inside the plugin folder after resolving symlinks, nothing hidden), since a link may change after start.
   */
  iconOf(appId: string): Promise<string | null>;
  /** Answers /plugin-io/api/NAME/REST: the plugin's mock and files, or its server through the proxy. */
  handle(context: Omit<MockRequestContext, 'log' | 'distDir' | 'mockTimeout'>): Promise<void>;
}

/** What {@link loadPlugins} loads, and what the plugins need to run. */
export interface LoadOptions {
  pluginDirs: HarnessPluginDir[];
  plugins: HarnessPlugin[];
  apps: HarnessApp[];
  platform: Platform;
  log: (line: string) => void;
  /** Where the built library is (served to plugin folders that have not copied it); null: nowhere. */
  distDir: string | null;
  /** How long a mock route or socket rule may take before the harness answers 504, in ms. */
  mockTimeout: number;
  /** The Python interpreter that reads plugins' Python (`python3`). */
  python: string;
}

const slug = (text: string) => text.toLowerCase().replace(/\W+/g, '-').replace(/^-|-$/g, '') || 'app';

/**
 * Loads plugin folders (manifest, mock module, its setup) and proxies, and checks apps.
 * @throws {@link OptionError} for a plugin given twice, a mock that does not load or set up, or an app of no plugin.
 */
export async function loadPlugins({ pluginDirs, plugins, apps, platform, log, distDir, mockTimeout, python }: LoadOptions): Promise<Plugins> {
  const byName = new Map<string, LoadedPlugin>();
  const shellApps: App[] = [];
  const ids = new Set<string>();
  const addApp = (app: Omit<App, 'id'>) => {
    let id = `${app.plugin}:${app.scope}:${slug(app.title)}`;
    for (let n = 2; ids.has(id); n++) id = `${app.plugin}:${app.scope}:${slug(app.title)}-${n}`;
    ids.add(id);
    shellApps.push({ ...app, id });
  };

  const checks: PluginCheck[] = [];
  let noPython = false;
  for (const { dir, mock } of pluginDirs) {
    const folder = await readPluginFolder(dir, mock);
    if (byName.has(folder.name)) throw new OptionError(`plugin ${folder.name} is given twice (--plugin-dir ${dir})`);
    for (const line of folder.skipped) log(`${folder.name}: skipped ${line}`);
    const prepared = prepareMock(folder.mock ? await importMock(folder.mock) : {}, { name: folder.name, file: folder.mock ?? '', log });
    if (!folder.mock) log(`${folder.name}: no mock module (--mock FILE or ${folder.dir}/harness.mock.mjs): only the routes of its Python that render a file answer`);
    for (const line of prepared.files) {
      const path = join(folder.dir, line.folder);
      if (!existsSync(path) || !statSync(path).isDirectory()) log(`${folder.name}: the mock's files line '${line.prefix}' names the folder ${line.folder}, which the plugin folder does not have`);
    }
    let backend: PluginBackend;
    try {
      backend = platform.plugin(folder.name, prepared.module);
    } catch (error) {
      throw new OptionError(`--mock ${folder.mock}: ${messageOf(error)}`);
    }
    try {
      await backend.setup();
    } catch (error) {
      throw new OptionError(`--mock ${folder.mock}: its setup(platform) threw: ${messageOf(error)}`);
    }
    const read = await readPython(folder.dir, { python });
    if ('skipped' in read && read.skipped === 'no-interpreter' && !noPython) {
      noPython = true;
      log(`${read.reason}: the mocks are not checked against their plugins' Python (install Python 3 to have them checked)`);
    } else if ('skipped' in read && read.skipped === 'failed') log(`${folder.name}: its Python was not read: ${read.reason}`);
    const check = compareWithPython(folder.name, prepared, read);
    for (const line of check.warnings) log(line);
    checks.push(check);
    const fileRoutes = [...filesLineRoutes(prepared.files), ...('skipped' in read ? [] : pythonFileRoutes(read.handlers, prepared.publicKeys))];
    // The built-in demo relies on the build for the library: no "run vendor" line for its pages.
    const said = new Set(folder.dir === DEMO_PLUGIN_DIR ? LIBRARY_FILES.map((name) => `static/${name}`) : []);
    byName.set(folder.name, { kind: 'folder', dir: folder.dir, backend, mock: prepared, mockFile: folder.mock, fileRoutes, check, said });
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
  const appKeys = (app: App) => (app.manifest ? [app.manifest.class, app.manifest.class?.split(':').pop(), app.manifest.name].filter((key): key is string => Boolean(key)) : []);
  for (const app of shellApps) {
    const plugin = byName.get(app.plugin);
    if (app.path || plugin?.kind !== 'folder' || !app.manifest) continue;
    if (!appKeys(app).some((key) => plugin.backend.launchKeys.includes(key))) log(`${app.plugin}: "${app.title}" has no launch URL yet (add it to the mock's launch, keyed by its class or name, or use --app)`);
  }
  for (const [name, plugin] of byName) {
    if (plugin.kind !== 'folder') continue;
    const known = shellApps.filter((app) => app.plugin === name).flatMap(appKeys);
    for (const key of plugin.backend.launchKeys.filter((k) => !known.includes(k))) {
      log(`${name}: the mock's launch key "${key}" names no companion application of its CANVAS_MANIFEST.json${didYouMean(key, known)}`);
    }
  }

  function launch(appId: string, { patient, note, staff }: LaunchContext): Launched {
    const app = shellApps.find((a) => a.id === appId);
    if (!app) return { status: 404, error: `No app ${appId}` };
    const plugin = byName.get(app.plugin);
    if (app.path) {
      const base = `/plugin-io/api/${app.plugin}${app.path}`;
      if (/\{(patient_id|note_id)\}/.test(base)) {
        return { url: base.replaceAll('{patient_id}', encodeURIComponent(patient?.id ?? '')).replaceAll('{note_id}', encodeURIComponent(note?.id ?? '')) };
      }
      // Without placeholders the IDs go in the query, as the shell's own launches do.
      const url = new URL(base, 'http://x');
      if (app.scope !== 'global' && patient) url.searchParams.set('patient_id', patient.id);
      if (app.scope === 'note' && note) url.searchParams.set('note_id', note.id);
      return { url: `${url.pathname}${url.search}` };
    }
    let url: string | null = null;
    try {
      url = plugin?.kind === 'folder' && app.manifest ? plugin.backend.launchUrl(app.manifest, { patient, note, staff }) : null;
    } catch (error) {
      log(`${app.plugin}: launch URL of "${app.title}" failed: ${messageOf(error)}`);
      return { status: 500, error: `The mock's launch function for "${app.title}" failed: ${messageOf(error)}` };
    }
    if (!url) {
      const key = app.manifest?.class ?? app.title;
      return { status: 422, error: `No launch URL for "${app.title}": add launch: { '${key}': ({ patient, note }) => '/plugin-io/api/${app.plugin}/...' } to the mock module, or --app "${app.plugin}:${app.scope}:${app.title}:/path"` };
    }
    if (!/^(\/plugin-io\/api\/|https?:\/\/)/.test(url)) log(`${app.plugin}: launch URL ${url} of "${app.title}" is not under /plugin-io/api/${app.plugin}/: on Canvas the iframe would load that address as is`);
    return { url };
  }

  const proxies = new Map<string, string>();
  const folders = new Map<string, string>();
  for (const [name, plugin] of byName) {
    if (plugin.kind === 'proxy') proxies.set(name, plugin.url);
    else folders.set(name, plugin.dir);
  }

  return {
    apps: shellApps.map((app) => ({
      id: app.id, plugin: app.plugin, scope: app.scope, title: app.title, description: app.description,
      icon_url: app.icon ? `/companion/icons/${encodeURIComponent(app.id)}` : null,
    })),
    proxies,
    folders,
    checks,
    get: (name) => byName.get(name) ?? null,
    async authorize(plugin, request) {
      const verdict = await within(plugin.backend.authorize(request), mockTimeout);
      if (verdict === TIMED_OUT) return { allowed: false, status: 504, reason: `the socket rule gave no answer within ${mockTimeout} ms` };
      return { allowed: verdict.allowed, reason: verdict.reason, status: 403 };
    },
    launch,
    async iconOf(appId) {
      const app = shellApps.find((a) => a.id === appId);
      const plugin = app?.icon ? byName.get(app.plugin) : null;
      return plugin?.kind === 'folder' && app?.icon ? folderFile(plugin.dir, app.icon) : null;
    },
    async handle(context) {
      const { request, response, url, name, staff } = context;
      const plugin = byName.get(name);
      if (!plugin) {
        log(`404 ${request.method} ${url.pathname}: no plugin ${name} (add --plugin-dir PATH or --plugin ${name}=URL)`);
        return sendText(response, 404, `No plugin ${name} in the harness`);
      }
      if (plugin.kind === 'proxy') return proxyRequest({ name, origin: plugin.url, request, response, staff, log, ...(context.notes ? { notes: context.notes } : {}) });
      return answerFromMock(plugin, { ...context, log, distDir, mockTimeout });
    },
  };
}
