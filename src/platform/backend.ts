/**
 * One plugin's backend: its mock module checked and compiled (routes, socket rules, launch URLs,
 * setup, events), and the view of the platform its functions receive.
 * @module
 */
import type { Broadcasts } from './broadcast.js';
import type { Effects } from './effects.js';
import { compileRoutes, handleRequest } from './routes.js';
import { authorizeUpgrade, compileSockets } from './sockets.js';
import type { Launch, MockEvent, MockModule, Platform, PluginBackend, PluginPlatform } from './types.js';
import { withoutStaff, withStaff } from './signed-in.js';
import { fail, nearest } from './values.js';

/** What a backend needs from its platform: its shared data (what a plugin's view shows of it). */
export interface BackendOptions {
  /** The platform the plugin runs on: its staff and records. */
  platform: Omit<PluginPlatform, 'plugin' | 'apply' | 'broadcast'> & Pick<Platform, 'onChange'>;
  /** Applies effects in the plugin's name. */
  effects: Effects;
  /** Broadcasts to the plugin's sockets. */
  broadcasts: Broadcasts;
}

/**
 * Reads a mock module's events: `{ "Maria writes a message": (platform) => … }`.
 * @throws TypeError saying which event is wrong.
 */
function compileEvents(events: unknown, plugin: string): Map<string, MockEvent> {
  if (events == null) return new Map();
  if (typeof events !== 'object' || Array.isArray(events)) fail(`${plugin}: events must be an object of "what happens": (platform) => void`);
  return new Map(Object.entries(events).map(([name, run]: [string, unknown]) => {
    if (!name.trim()) fail(`${plugin}: an event needs a name (what happens, e.g. "Maria writes a message")`);
    if (typeof run !== 'function') fail(`${plugin}: event "${name}" must be a function (platform) => void`);
    return [name, run as MockEvent];
  }));
}

/**
 * The backend of plugin `name` from its mock module's exports (named, or a default export).
 * @param mock - The module as imported: checked here, as it comes from JS.
 * @throws TypeError for a bad name or a malformed module, saying what is wrong.
 */
export function createBackend(name: string, mock: MockModule | { default?: MockModule }, { platform, effects, broadcasts }: BackendOptions): PluginBackend {
  if (typeof name !== 'string' || !/^\w+$/.test(name)) fail(`plugin name "${String(name)}" must be letters, digits and _`);
  if (!mock || typeof mock !== 'object') fail(`${name}: the mock module must export routes, sockets and launch (an object)`);
  const exports = mock as Record<string, unknown>;
  // A default export adds to the named ones (and wins where both give the same export).
  const source = exports.default && typeof exports.default === 'object' ? { ...exports, ...exports.default } : exports;
  const publicRoutes = source.publicRoutes ?? [];
  if (!Array.isArray(publicRoutes) || !publicRoutes.every((key) => typeof key === 'string')) fail(`${name}: publicRoutes must be a list of route keys such as "POST /webhook"`);
  const routes = compileRoutes(source.routes, name, new Set(publicRoutes as string[]));
  const sockets = compileSockets(source.sockets, name);
  const events = compileEvents(source.events, name);
  const launch = (source.launch ?? {}) as Record<string, Launch>;
  if (typeof launch !== 'object') fail(`${name}: launch must be an object { "<application class or name>": url or ({ patient, note, staff }) => url }`);
  for (const [key, value] of Object.entries(launch as Record<string, unknown>)) {
    if (typeof value !== 'string' && typeof value !== 'function') fail(`${name}: launch["${key}"] must be a URL string or a function returning one`);
  }
  if (source.setup !== undefined && typeof source.setup !== 'function') fail(`${name}: setup must be a function (platform) => void`);

  /** What the mock's functions receive as `platform`: the shared data, with apply and broadcast for this plugin. */
  const own: Omit<PluginPlatform, 'staff'> = {
    ...withoutStaff(platform),
    plugin: name,
    apply: (effect, options) => effects.apply(effect, options, name),
    broadcast: (channel, message) => broadcasts.send(name, channel, message),
  };
  const view: PluginPlatform = Object.freeze(withStaff(own, () => platform.staff));

  return {
    name,
    platform: view,
    routes: routes.map((r) => r.key),
    channels: sockets.map((s) => s.key),
    launchKeys: Object.keys(launch),
    events: [...events.keys()],
    trigger(event) {
      const run = events.get(event);
      if (!run) {
        const near = typeof event === 'string' ? nearest(event, events.keys()) : null;
        const known = events.size ? `its events: ${[...events.keys()].map((e) => JSON.stringify(e)).join(', ')}` : 'its mock module exports no events';
        fail(`${name}: no event ${JSON.stringify(event)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}; ${known}`);
      }
      // Called with the module as `this`, as setup is; an event may be async.
      return Promise.resolve().then(() => run.call(source, view)).then(() => undefined);
    },
    async setup() {
      // Called on the module, as it was written: `this` in a setup function is the module.
      const module = source as MockModule;
      if (module.setup) await module.setup(view);
    },
    handle: (request) => handleRequest(routes, request, view),
    authorize: (request) => authorizeUpgrade(sockets, request, view),
    launchUrl(app, context) {
      // Full class, then the class name after ":", then the app's name.
      const keys = [app.class, app.class?.split(':').pop(), app.name].filter(Boolean) as string[];
      const key = keys.find((k) => Object.hasOwn(launch, k));
      if (key === undefined) return null;
      const value = launch[key];
      const url: unknown = typeof value === 'function' ? value({ patient: context.patient ?? null, note: context.note ?? null, staff: context.staff ?? platform.staff }, view) : value;
      if (typeof url !== 'string' || !url) fail(`${name}: launch["${key}"] returned ${JSON.stringify(url)}, not a URL`);
      return url;
    },
  };
}
