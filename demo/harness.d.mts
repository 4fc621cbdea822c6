/** Types of demo/harness.mjs, for the tests and the bin (the harness itself is plain JavaScript). */
import type { Platform } from './lib/platform.mjs';

export type { MockModule, Platform, PluginPlatform } from './lib/platform.mjs';

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
  /** The mock module. @default harness.mock.mjs in the plugin folder, when there is one */
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

/** An app as the shell lists it. */
export interface ShellApp {
  id: string;
  plugin: string;
  scope: 'global' | 'patient' | 'note';
  title: string;
  description: string;
  /** The manifest icon, served by the harness; null without one. */
  icon_url: string | null;
}

export interface HarnessOptions {
  /** Port on 127.0.0.1; 0 picks a free one. @default 4173 */
  port?: number;
  pluginDirs?: HarnessPluginDir[];
  plugins?: HarnessPlugin[];
  apps?: HarnessApp[];
  /** Show the demo plugin even though other plugins are given. @default false (it shows when none is given) */
  demo?: boolean;
  /** Milliseconds before an effect lands when a mock gives no `after`. @default 1200 */
  effectDelay?: number;
  /** Where log lines go. @default console.log with a "[harness] " prefix */
  log?: (line: string) => void;
  /** The built library (served as static/canvas-companion.* to plugins that have not vendored it). @default <package>/dist */
  distDir?: string;
  /** How long a mock route or socket rule may take before the harness answers 504 (ms). @default 30000 */
  mockTimeout?: number;
}

export interface Harness {
  /** `http://127.0.0.1:<port>/companion/` */
  url: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  /** The mock platform: patients, notes, tasks, apply, broadcast. */
  platform: Platform;
  apps: ShellApp[];
  /** name -> origin of each --plugin proxy */
  plugins: Map<string, string>;
  /** name -> folder of each plugin folder */
  folders: Map<string, string>;
  /** How many sockets are open on a plugin's channel. */
  sockets(plugin: string, channel: string): number;
  /** Stops the server, its sockets and pending effects. */
  close(): Promise<void>;
}

export interface ParsedOptions {
  help: boolean;
  port: number;
  plugins: HarnessPlugin[];
  apps: HarnessApp[];
  pluginDirs: HarnessPluginDir[];
  effectDelay: number;
  demo: boolean;
  /** False with --no-build. */
  build: boolean;
}

export function startHarness(options?: HarnessOptions): Promise<Harness>;
/** The demo plugin's folder. */
export const DEMO_PLUGIN_DIR: string;

/** A mistake in the options; the CLI prints the message and exits with status 2. */
export class OptionError extends Error {}
export const HELP: string;
export function parsePlugin(text: string): HarnessPlugin;
export function parseApp(text: string): HarnessApp;
export function parseArgs(argv: string[], env?: Record<string, string | undefined>): Promise<ParsedOptions>;
