/**
 * A companion launch in a test: the page URL Canvas would load in the iframe.
 * @module
 */
import { pageWindow } from '../page.js';

/** Options of {@link launch}. */
export interface LaunchOptions {
  /** The patient (`patient_id`): patient or note scope. Given as is, so invalid IDs can be tested too. */
  patientId?: string;
  /** The note (`note_id`): note scope, with `patientId`. */
  noteId?: string;
  /**
   * The plugin's name (`\w+`): the `<plugin>` of `/plugin-io/api/<plugin>/…`.
   * @default 'my_plugin' (also {@link mockPlatform}'s default)
   */
  plugin?: string;
  /**
   * The page's path under the plugin, from `/`; it may carry a query of its own.
   * @default '/app/'
   */
  path?: string;
}

/** The defaults of the test kit, shared by {@link launch} and {@link mockPlatform}. */
export const KIT_DEFAULTS = {
  plugin: 'my_plugin',
  path: '/app/',
} as const;

/** The page URL before the first launch() since the last reset, which resetState() puts back. */
let beforeLaunch: string | undefined;

/**
 * Puts back the page URL seen before the first {@link launch} (called by `resetState()` and
 * `host.reset()`), so a launch does not leak into the next test. Nothing when no launch ran.
 */
export function restoreLaunch(): void {
  const page = pageWindow();
  if (beforeLaunch !== undefined && page) page.history.replaceState(page.history.state, '', beforeLaunch);
  beforeLaunch = undefined;
}

/**
 * Sets the page's URL, on its own origin, with `history.replaceState`, as Canvas launches a
 * companion app: `/plugin-io/api/<plugin><path>?patient_id=…&note_id=…`. Then `getContext()`,
 * `pluginName()` and `apiUrl()` see that launch. `resetState()` and `host.reset()` put back the
 * URL from before the first launch.
 *
 * @example
 * ```ts
 * launch({ patientId: '3e1f7a528c4d4b6ea1f02d9c8b7a6e51', path: '/app/tasks' });
 * getContext().scope; // 'patient'
 * ```
 * @returns The page's new URL.
 * @throws TypeError outside a DOM, when the page's origin is opaque (e.g. `about:blank`: give
 *   the test environment a URL), for a plugin that is not `\w+` or a path not starting with `/`.
 */
export function launch(options: LaunchOptions = {}): string {
  const { patientId, noteId, plugin = KIT_DEFAULTS.plugin, path = KIT_DEFAULTS.path } = options;
  const page = pageWindow();
  if (!page) throw new TypeError('launch() needs a DOM (happy-dom, jsdom or a browser)');
  if (page.location.origin === 'null') {
    throw new TypeError(`launch() needs a page with an http(s) URL, not ${page.location.href}: set the test environment's URL`);
  }
  if (typeof plugin !== 'string' || !/^\w+$/.test(plugin)) throw new TypeError(`plugin ${String(plugin)} is not \\w+`);
  if (typeof path !== 'string' || !path.startsWith('/')) throw new TypeError('path must start with "/"');
  const url = new URL(`/plugin-io/api/${plugin}${path}`, page.location.origin);
  beforeLaunch ??= page.location.href;
  if (patientId !== undefined) url.searchParams.set('patient_id', patientId);
  if (noteId !== undefined) url.searchParams.set('note_id', noteId);
  page.history.replaceState(page.history.state, '', url.href);
  return page.location.href;
}
