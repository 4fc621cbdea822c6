/**
 * `canvas-companion vendor [DIR]`: copies the library files a page loads into the plugin folder's
 * static/ folder (what Canvas deploys), and says how the plugin serves them.
 * @module
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { OptionError } from '../errors.js';
import { didYouMean, readArgs, type OptionTable } from '../options.js';
import { ROOT } from '../paths.js';
import { enclosingPluginFolder, findPluginFolder, MANIFEST } from '../plugin-dir.js';
import { ownVersion } from './package.js';

/** What a page loads: the ESM file (`<script type="module">`) and the minified UMD file (`<script>`). */
export const VENDORED_FILES: readonly string[] = Object.freeze(['canvas-companion.mjs', 'canvas-companion.umd.min.js']);

/** What an author may ask for besides (`--with FILE`), and what each is. */
export const EXTRA_FILES: Readonly<Record<string, string>> = Object.freeze({
  'canvas-companion.umd.js': 'the UMD file unminified, with development warnings',
  'canvas-companion.d.mts': 'types of the ESM file, for an editor',
  'canvas-companion.d.ts': 'types of the UMD file (the CanvasCompanion global), for an editor',
});

/** Options of {@link vendorLibrary}. */
export interface VendorOptions {
  /**
   * A plugin folder, a repository holding one in a subfolder, or a folder inside a plugin folder.
   * @default '.'
   */
  dir?: string;
  /** Files of {@link EXTRA_FILES} to copy besides {@link VENDORED_FILES}. */
  with?: readonly string[];
  /**
   * Where the built library is.
   * @default <package>/dist
   */
  distDir?: string;
}

/** What {@link vendorLibrary} copied, and where. */
export interface Vendored {
  /** The plugin's name, from its manifest (`my_plugin` when unreadable). */
  name: string;
  /** The plugin folder (absolute). */
  pluginDir: string;
  /** The folder the files went to (absolute): the plugin's static/, or the folder given inside it. */
  target: string;
  /** The file names copied. */
  files: string[];
}

/**
 * Where `vendor DIR` copies to: DIR's plugin folder's static/ (DIR holding the manifest, or its
 * only subfolder that does), or DIR itself when it is a folder inside a plugin folder.
 * @throws {@link OptionError} for a missing folder, several plugins, or no plugin at all.
 */
export function vendorTarget(dir: string): { pluginDir: string; target: string } {
  const path = resolve(dir);
  if (!existsSync(path) || !statSync(path).isDirectory()) throw new OptionError(`${dir}: no such folder`);
  const enclosing = enclosingPluginFolder(path);
  if (enclosing && enclosing !== path) return { pluginDir: enclosing, target: path };
  try {
    const pluginDir = findPluginFolder(dir, '');
    return { pluginDir, target: join(pluginDir, 'static') };
  } catch (error) {
    if (error instanceof OptionError && /no CANVAS_MANIFEST/.test(error.message)) {
      throw new OptionError(`${dir}: no ${MANIFEST} there, in a subfolder or above: give your plugin folder (files go into its static/)`);
    }
    throw error;
  }
}

/**
 * Copies {@link VENDORED_FILES} (and the extras asked for) into the plugin folder's static/.
 * @throws {@link OptionError} for a target that is not a plugin, an unknown extra, or an unbuilt library.
 */
export function vendorLibrary({ dir = '.', with: extras = [], distDir = join(ROOT, 'dist') }: VendorOptions = {}): Vendored {
  for (const extra of extras) {
    if (!Object.hasOwn(EXTRA_FILES, extra)) throw new OptionError(`--with ${extra}: not a file vendor adds${didYouMean(extra, Object.keys(EXTRA_FILES))} (it adds ${Object.keys(EXTRA_FILES).join(', ')})`);
  }
  const { pluginDir, target } = vendorTarget(dir);
  const files = [...new Set([...VENDORED_FILES, ...extras])];
  const missing = files.filter((name) => !existsSync(join(distDir, name)));
  if (missing.length) throw new OptionError(`the library is not built (${missing.join(', ')} missing in ${distDir}): in a checkout run npm run build`);
  mkdirSync(target, { recursive: true });
  for (const name of files) copyFileSync(join(distDir, name), join(target, name));
  return { name: pluginNameOf(pluginDir), pluginDir, target, files };
}

/** The plugin's name from its manifest, or `my_plugin` when the manifest says none. */
function pluginNameOf(pluginDir: string): string {
  try {
    const name: unknown = JSON.parse(readFileSync(join(pluginDir, MANIFEST), 'utf8')).name;
    if (typeof name === 'string' && /^\w+$/.test(name)) return name;
  } catch {
    // An unreadable manifest: the route below uses a placeholder name.
  }
  return 'my_plugin';
}

/** What `vendor` prints: what it copied, and the SimpleAPI route and script tags that serve it. */
export function vendorReport({ name, pluginDir, target, files }: Vendored, cwd: string = process.cwd()): string {
  const copied = `Copied ${files.join(', ')} (canvas-companion ${ownVersion()}) into ${relative(cwd, target) || '.'}/`;
  // A plugin made by `init` serves them already, from its own route.
  if (existsSync(join(pluginDir, 'handlers', 'companion_api.py'))) {
    return `${copied}\n\n${name}/handlers/companion_api.py serves them (GET /app/static/<name>); add any new name to its STATIC and to harness.mock.mjs.`;
  }
  const at = relative(pluginDir, target).split('\\').join('/') || '.';
  const scripts = files.filter((file) => /\.m?js$/.test(file));
  // Django's template engine reads {{, {% and {# as tags: such a file cannot go through render_to_string.
  const unsafe = scripts.filter((file) => /\{[{%#]/.test(readFileSync(join(target, file), 'utf8')));
  return `${copied}

Serve them from your plugin with a SimpleAPI handler, e.g. ${name}/handlers/companion_static.py
(and list it under "handlers" in ${MANIFEST} as "${name}.handlers.companion_static:CompanionStatic"):

    from http import HTTPStatus

    from canvas_sdk.effects.simple_api import Response
    from canvas_sdk.handlers.simple_api import SimpleAPI, StaffSessionAuthMixin, api
    from canvas_sdk.templates import render_to_string

    LIBRARY = {${scripts.map((file) => `"${file}"`).join(', ')}}


    class CompanionStatic(StaffSessionAuthMixin, SimpleAPI):
        """Serves the canvas-companion files copied into ${at}/."""

        PREFIX = "/static"

        @api.get("/<name>")
        def library(self) -> list[Response]:
            name = self.request.path_params["name"]
            if name not in LIBRARY:
                return [Response(b"", status_code=HTTPStatus.NOT_FOUND)]
            return [
                Response(
                    render_to_string(f"${at}/{name}").encode(),
                    status_code=HTTPStatus.OK,
                    content_type="text/javascript; charset=utf-8",
                    # Pages load it with ?v=<start time>: a new deploy is a new URL, so a long cache is safe.
                    headers={"Cache-Control": "public, max-age=31536000, immutable"},
                )
            ]

(If your plugin already serves /static/<name>, add these names to that handler instead:
two handlers matching one path make Canvas answer 500.)

In your page's template, with "v" set once when the plugin starts (as the reference plugins do),
e.g. V = str(int(time.time())) and render_to_string("templates/page.html", {"v": V}):

    <script src="/plugin-io/api/${name}/static/canvas-companion.umd.min.js?v={{ v }}"></script>
or
    <script type="module">
      import { closeModal, getContext } from '/plugin-io/api/${name}/static/canvas-companion.mjs?v={{ v }}';
    </script>
${unsafe.length ? `\nWarning: ${unsafe.join(', ')} contain {{, {% or {#, which Django templates treat as tags: serve those bytes without render_to_string.\n` : ''}`;
}

/** `vendor`'s command line, parsed. */
export interface VendorArgs extends Required<Pick<VendorOptions, 'dir'>> {
  with: string[];
  /** `-h` or `--help`: print {@link VENDOR_HELP} and copy nothing. */
  help: boolean;
  /** False with --no-build. */
  build: boolean;
}

const VENDOR_OPTIONS: OptionTable<{ args: VendorArgs }> = {
  '-h': ({ args }) => void (args.help = true),
  '--help': ({ args }) => void (args.help = true),
  '--with': ({ args, take }) => void args.with.push(take()),
  '--no-build': ({ args, flag }) => {
    flag();
    args.build = false;
  },
};

/**
 * Parses `vendor`'s arguments: one folder at most, `--with FILE` (repeatable), `--no-build`, `--help`.
 * @throws {@link OptionError} for an unknown option (with the nearest one) or a second folder.
 */
export async function parseVendorArgs(argv: readonly string[]): Promise<VendorArgs> {
  const args: VendorArgs = { dir: '.', with: [], help: false, build: true };
  let given: string | null = null;
  await readArgs(argv, VENDOR_OPTIONS, { args }, (arg) => {
    if (given !== null) throw new OptionError(`stray argument ${arg}: vendor takes one folder (${given} already)`);
    given = args.dir = arg;
  });
  return args;
}

/** What `canvas-companion vendor --help` prints. */
export const VENDOR_HELP = `Usage: npx canvas-companion vendor [DIR] [options]

Copies the library files a page loads, ${VENDORED_FILES.join(' and ')},
into your plugin folder's static/ folder (what Canvas deploys), then prints the SimpleAPI route
that serves them.

DIR (default: the current folder) is your plugin folder (it holds ${MANIFEST}), a repository
that keeps the plugin in a subfolder (repo/NAME/${MANIFEST}, as published plugins do), or a
folder inside the plugin folder to copy into instead of static/.

Options:
  --with FILE   Copy FILE too; repeatable. One of:
${Object.entries(EXTRA_FILES).map(([file, what]) => `                  ${file.padEnd(26)} ${what}`).join('\n')}
  --no-build    In a checkout of canvas-companion: copy dist/ as it is, even when src/ is newer.
  -h, --help    Shows this help.

Run it again after updating canvas-companion: the files are replaced.`;

