#!/usr/bin/env node
/**
 * `canvas-companion`: the package's command line.
 *
 *   canvas-companion harness [options]   the companion harness (dist/harness/harness.mjs, built from
 *                                        src/harness/); --help lists options
 *   canvas-companion vendor DIR          copies the built library into a plugin's static/ folder
 *   canvas-companion build               (a checkout only; the package's `prepare`) builds dist/ if stale
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist');
/** The built harness: it also knows the option parser and the library's file names. */
const HARNESS = join(DIST, 'harness', 'harness.mjs');
/** What the harness serves besides the library, written by the same build. */
const SHELL = ['index.html', 'shell.css', 'shell.js'].map((name) => join(DIST, 'harness', 'shell', name));
/** What a build reads: present only in a checkout (installed from npm, dist/ ships built). */
const SOURCES = [join(ROOT, 'src'), join(ROOT, 'rollup.config.mjs')];

const USAGE = `Usage:
  canvas-companion harness [options]   Start the companion harness (a local stand-in for Canvas's
                                       Provider Companion). "canvas-companion harness --help" lists options.
  canvas-companion vendor DIR          Copy the library's files into DIR (a plugin folder: into its static/),
                                       and print the SimpleAPI route that serves them.
  canvas-companion build                In a checkout of canvas-companion: build dist/ when it is missing or
                                       older than src/ (the package's prepare script; installed, a no-op).
  canvas-companion --version`;

function fail(message, status = 2) {
  console.error(`canvas-companion: ${message}`);
  process.exit(status);
}

const version = () => JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;

/** Newest modification time under `path` (a file or folder), in ms. */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/**
 * Imports the built harness; null when it is not built. `fresh` skips the copy an earlier import
 * left in the module cache (after a rebuild).
 */
async function loadHarness(fresh = false) {
  if (!existsSync(HARNESS)) return null;
  const url = pathToFileURL(HARNESS);
  if (fresh) url.search = `?${Date.now()}`;
  return import(url.href);
}

/**
 * In a checkout (src/ is there): is dist/ missing or older than src/? Installed from npm there is
 * no src/, and never anything to build.
 */
function isStale(harness) {
  if (!SOURCES.every(existsSync)) return false;
  if (!harness) return true;
  const built = [...harness.LIBRARY_FILES.map((name) => join(DIST, name)), HARNESS, ...SHELL];
  return !built.every(existsSync) || Math.min(...built.map((file) => statSync(file).mtimeMs)) < Math.max(...SOURCES.map(newest));
}

function build() {
  console.log('canvas-companion: building the library (dist/ is missing or older than src/)');
  const result = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) fail('the build failed (see above); fix it, or start with --no-build to use dist/ as it is', 1);
}

/** Builds dist/ when it is stale (see isStale); returns whether it did. */
function ensureBuilt(harness) {
  if (!isStale(harness)) return false;
  build();
  return true;
}

/** The harness's options, parsed by `harness`; a bad one exits with status 2. */
async function parseOptions(harness, argv) {
  try {
    return await harness.parseArgs(argv);
  } catch (error) {
    if (!(error instanceof harness.OptionError)) throw error;
    // A stale build may not know an option added to src/ since: say so rather than build first.
    const stale = isStale(harness) ? '\n(dist/ is older than src/: run npm run build if this option is new)' : '';
    fail(`${error.message}\n(canvas-companion harness --help lists the options)${stale}`);
  }
}

async function harness(argv) {
  // Options first, with the harness as built, so a bad one fails before any build. Only when none is
  // built yet (a fresh checkout) does the build come first: the built harness is what parses them.
  let loaded = await loadHarness();
  let options = loaded && (await parseOptions(loaded, argv));
  // --no-build is a flag and never an option's value, so argv tells even when nothing parsed it yet.
  const build = options ? options.build && !options.help : !argv.includes('--no-build');
  if (build && ensureBuilt(loaded)) {
    // Parsed again by the harness just built, which knows the options of src/ as it is now.
    loaded = await loadHarness(Boolean(loaded));
    options = null;
  }
  if (!loaded) fail(`the library is not built (${DIST} has no harness/harness.mjs): run npm run build`);
  options ??= await parseOptions(loaded, argv);
  if (options.help) {
    console.log(loaded.HELP);
    return;
  }
  let running;
  try {
    running = await loaded.startHarness(options);
  } catch (error) {
    if (error instanceof loaded.OptionError || error.code === 'EADDRINUSE') fail(error.message, error instanceof loaded.OptionError ? 2 : 1);
    throw error;
  }
  // The harness is a development server: a bug in a mock module's own timers must not stop it.
  process.on('uncaughtException', (error) => console.error(`[harness] uncaught error (the server keeps running): ${error?.stack ?? error}`));
  process.on('unhandledRejection', (error) => console.error(`[harness] unhandled rejection (the server keeps running): ${error?.stack ?? error}`));

  const lines = [`\n  Companion harness: open ${running.url}`, '  (phone size: your browser\'s device toolbar at 390 x 844)\n'];
  const count = (plugin) => running.apps.filter((app) => app.plugin === plugin).length;
  const apps = (n) => `${n} app${n === 1 ? '' : 's'}`;
  const width = Math.max(14, ...[...running.folders.keys(), ...running.plugins.keys()].map((name) => name.length + 1));
  for (const [name, dir] of running.folders) lines.push(`  ${name.padEnd(width)} ${relative(process.cwd(), dir) || '.'}, ${apps(count(name))}`);
  for (const [name, url] of running.plugins) lines.push(`  ${name.padEnd(width)} -> ${url}, ${apps(count(name))}${count(name) ? '' : `  (add one: --app "${name}:global:Title:/path")`}`);
  lines.push(`\n  Effects land after ${options.effectDelay} ms unless a mock says { after }. Ctrl-C stops the server.\n`);
  console.log(lines.join('\n'));

  let stopping = false;
  const stop = (signal) => {
    if (stopping) process.exit(130);
    stopping = true;
    console.log(`\n  ${signal}: stopping the harness`);
    running.close().then(() => process.exit(0));
    // Never hang on a stuck connection.
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** The plugin's name from CANVAS_MANIFEST.json in `dir` or its parent, or a placeholder. */
function pluginName(dir) {
  for (const folder of [dir, dirname(dir)]) {
    try {
      const name = JSON.parse(readFileSync(join(folder, 'CANVAS_MANIFEST.json'), 'utf8')).name;
      if (typeof name === 'string' && /^\w+$/.test(name)) return { name, folder };
    } catch {
      // No manifest here: try the parent.
    }
  }
  return { name: 'my_plugin', folder: null };
}

async function vendor(argv) {
  if (argv.length !== 1 || argv[0].startsWith('-')) fail(`vendor takes one folder: canvas-companion vendor DIR (a plugin folder, or the static/ folder itself)`);
  const given = resolve(argv[0]);
  if (!existsSync(given) || !statSync(given).isDirectory()) fail(`vendor ${argv[0]}: no such folder`);
  const target = existsSync(join(given, 'CANVAS_MANIFEST.json')) ? join(given, 'static') : given;
  const harness = await loadHarness();
  if (!harness) fail(`the library is not built (harness/harness.mjs missing in ${DIST}); in a checkout run npm run build`, 1);
  const LIBRARY = harness.LIBRARY_FILES;
  const missing = LIBRARY.filter((name) => !existsSync(join(DIST, name)));
  if (missing.length) fail(`the library is not built (${missing.join(', ')} missing in ${DIST}); in a checkout run npm run build`, 1);
  mkdirSync(target, { recursive: true });
  for (const name of LIBRARY) copyFileSync(join(DIST, name), join(target, name));
  const { name, folder } = pluginName(target);
  const at = folder ? relative(folder, target).split('\\').join('/') || '.' : basename(target);
  // Django's template engine reads {{, {% and {# as tags: a file containing them cannot go through render_to_string.
  const unsafe = LIBRARY.filter((file) => /\{[{%#]/.test(readFileSync(join(DIST, file), 'utf8')));
  console.log(`Copied ${LIBRARY.join(', ')} (canvas-companion ${version()}) into ${relative(process.cwd(), target) || '.'}/

Serve them from your plugin with a SimpleAPI handler, e.g. ${name}/handlers/companion_static.py
(and list it under "handlers" in CANVAS_MANIFEST.json as "${name}.handlers.companion_static:CompanionStatic"):

    from http import HTTPStatus

    from canvas_sdk.effects.simple_api import Response
    from canvas_sdk.handlers.simple_api import SimpleAPI, StaffSessionAuthMixin, api
    from canvas_sdk.templates import render_to_string

    LIBRARY = {${LIBRARY.map((file) => `"${file}"`).join(', ')}}


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

(If your plugin already serves /static/<name>, add these three names to that handler instead:
two handlers matching one path make Canvas answer 500.)

In your page's template, with "v" set once when the plugin starts (as the reference plugins do),
e.g. V = str(int(time.time())) and render_to_string("templates/page.html", {"v": V}):

    <script src="/plugin-io/api/${name}/static/canvas-companion.umd.min.js?v={{ v }}"></script>
or
    <script type="module">
      import { closeModal, getContext } from '/plugin-io/api/${name}/static/canvas-companion.mjs?v={{ v }}';
    </script>
${unsafe.length ? `\nWarning: ${unsafe.join(', ')} contain {{, {% or {#, which Django templates treat as tags: serve those bytes without render_to_string.\n` : ''}`);
}

const usage = () => console.log(USAGE);
const showVersion = () => console.log(version());
/** Commands: name -> (arguments) => void. */
const COMMANDS = {
  harness,
  vendor,
  build: async (argv) => (argv.length ? fail(`build takes no arguments\n${USAGE}`) : ensureBuilt(await loadHarness())),
  '--version': showVersion,
  '-v': showVersion,
  help: usage,
  '--help': usage,
  '-h': usage,
};

const [command = 'help', ...rest] = process.argv.slice(2);
if (!Object.hasOwn(COMMANDS, command)) fail(`unknown command ${command}\n${USAGE}`);
await COMMANDS[command](rest);
