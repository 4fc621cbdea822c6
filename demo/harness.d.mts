/** Types of demo/harness.mjs, for the tests (the harness itself is plain JavaScript). */

/** A plugin served by your own local server. */
export interface HarnessPlugin {
  /** The plugin's name (`\w+`), as in /plugin-io/api/NAME/. */
  name: string;
  /** Your server's origin, e.g. `http://127.0.0.1:8000`; paths are forwarded unchanged. */
  url: string;
}

/** An app the shell shows. */
export interface HarnessApp {
  plugin: string;
  /** `global`, `patient` or `note` (or the manifest's `provider_companion_*` names). */
  scope: string;
  title: string;
  /** The page under /plugin-io/api/<plugin> (or the full path) that on_open() would return. */
  path: string;
}

/** An app as the shell lists it. */
export interface ShellApp {
  id: string;
  plugin: string;
  scope: 'global' | 'patient' | 'note';
  title: string;
  url: string;
}

export interface HarnessOptions {
  /** Port on 127.0.0.1; 0 picks a free one. @default 4173 */
  port?: number;
  plugins?: HarnessPlugin[];
  apps?: HarnessApp[];
  /** Milliseconds before the mock platform applies an effect. @default 1200 */
  effectDelay?: number;
  /** Where log lines go. @default console.log with a "[harness]" prefix */
  log?: (line: string) => void;
  /** The built library. @default <repo>/dist */
  distDir?: string;
}

export interface Harness {
  /** `http://127.0.0.1:<port>/companion/` */
  url: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  /** The in-memory mock data (staff, patients, notes, tasks). */
  store: any;
  apps: ShellApp[];
  plugins: Map<string, string>;
  /** Stops the server, its sockets and pending effects. */
  close(): Promise<void>;
}

export function startHarness(options?: HarnessOptions): Promise<Harness>;

/** A mistake in the options; the CLI prints the message and exits with status 2. */
export class OptionError extends Error {}
export const HELP: string;
export function parsePlugin(text: string): HarnessPlugin;
export function parseApp(text: string): HarnessApp;
export function parseArgs(argv: string[], env?: Record<string, string | undefined>): Promise<{
  help: boolean;
  port: number;
  plugins: HarnessPlugin[];
  apps: HarnessApp[];
  effectDelay: number;
}>;
