#!/usr/bin/env node
/**
 * `canvas-companion`: the package's command line. The commands' code is in the built harness
 * (dist/harness/harness.mjs, from src/harness/), which also parses their options.
 *
 *   canvas-companion harness [options]   the companion harness
 *   canvas-companion init [DIR]          a plugin with a companion app (or the app added to a plugin)
 *   canvas-companion vendor [DIR]        copies the library files a page loads into a plugin's static/
 *   canvas-companion build               (a checkout only; the package's `prepare`) builds dist/ if stale
 *
 * Every command takes --help. Errors are one line on stderr, exit status 2 for a bad option.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
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
  canvas-companion init [DIR]          Make a Canvas plugin with a Provider Companion app in DIR (or add the
                                       app to the plugin DIR holds): manifest, Python, page, mock, tests.
  canvas-companion harness [options]   Start the companion harness (a local stand-in for Canvas's
                                       Provider Companion) on the plugin in the current folder.
  canvas-companion vendor [DIR]        Copy the library files a page loads into the plugin's static/ folder,
                                       and print the SimpleAPI route that serves them.
  canvas-companion build               In a checkout of canvas-companion: build dist/ when it is missing or
                                       older than src/ (the package's prepare script; installed, a no-op).
  canvas-companion help COMMAND        A command's options (as "canvas-companion COMMAND --help").
  canvas-companion --version`;

/** Prints `message` as one line on stderr and exits with `status`. */
function fail(message, status = 2) {
  console.error(`canvas-companion: ${String(message).replace(/\s*\n\s*/g, ' ')}`);
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

function runBuild() {
  console.log('canvas-companion: building the library (dist/ is missing or older than src/)');
  const result = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) fail('the build failed (see above); fix it, or start with --no-build to use dist/ as it is', 1);
}

/** Builds dist/ when it is stale (see isStale); returns whether it did. */
function ensureBuilt(harness) {
  if (!isStale(harness)) return false;
  runBuild();
  return true;
}

/** Each command's option parser and help text, by their names in the built harness. */
const PARSERS = {
  harness: { parse: 'parseArgs', help: 'HELP' },
  init: { parse: 'parseInitArgs', help: 'INIT_HELP' },
  vendor: { parse: 'parseVendorArgs', help: 'VENDOR_HELP' },
};

/** `command`'s options, parsed by the harness as built; a bad one exits with status 2. */
async function parseOptions(harness, command, argv) {
  try {
    return await harness[PARSERS[command].parse](argv);
  } catch (error) {
    if (!(error instanceof harness.OptionError)) throw error;
    // A stale build may not know an option added to src/ since: say so rather than build first.
    const stale = isStale(harness) ? ' (dist/ is older than src/: run npm run build if this option is new)' : '';
    fail(`${command}: ${error.message}${stale}`);
  }
}

/**
 * The built harness and `command`'s options. Options are parsed first, with the harness as built,
 * so a bad one fails before any build; only when none is built yet (a fresh checkout) does the
 * build come first. Null after printing the command's --help.
 */
async function prepare(command, argv) {
  let loaded = await loadHarness();
  let options = loaded && (await parseOptions(loaded, command, argv));
  // --no-build is a flag and never an option's value, so argv tells even when nothing parsed it yet.
  const build = options ? options.build && !options.help : !argv.includes('--no-build');
  if (build && ensureBuilt(loaded)) {
    // Parsed again by the harness just built, which knows the options of src/ as it is now.
    loaded = await loadHarness(Boolean(loaded));
    options = null;
  }
  if (!loaded) fail(`the library is not built (${DIST} has no harness/harness.mjs): run npm run build`, 1);
  options ??= await parseOptions(loaded, command, argv);
  if (options.help) {
    console.log(loaded[PARSERS[command].help]);
    return null;
  }
  return { loaded, options };
}

/**
 * Runs `work`: an OptionError it throws (a mistake the message explains) exits with status 2, a
 * file system error (a folder that cannot be written, a full disk) with status 1, each in one line.
 */
async function attempt(loaded, command, work) {
  try {
    return await work();
  } catch (error) {
    if (error instanceof loaded.OptionError) fail(`${command}: ${error.message}`);
    if (typeof error?.code === 'string' && error.syscall) fail(`${command}: ${error.message}`, 1);
    throw error;
  }
}

async function harness(argv) {
  const prepared = await prepare('harness', argv);
  if (!prepared) return;
  const { loaded, options } = prepared;
  let running;
  try {
    running = await loaded.startHarness(options);
  } catch (error) {
    if (error instanceof loaded.OptionError || error.code === 'EADDRINUSE') fail(`harness: ${error.message}`, error instanceof loaded.OptionError ? 2 : 1);
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

async function vendor(argv) {
  const prepared = await prepare('vendor', argv);
  if (!prepared) return;
  const { loaded, options } = prepared;
  const vendored = await attempt(loaded, 'vendor', () => loaded.vendorLibrary({ dir: options.dir, with: options.with }));
  console.log(loaded.vendorReport(vendored));
}

async function init(argv) {
  const prepared = await prepare('init', argv);
  if (!prepared) return;
  const { loaded, options } = prepared;
  const { dir, name, scopes, live, install, package: spec } = options;
  const result = await attempt(loaded, 'init', () => loaded.initPlugin({ dir, name, scopes, live, install, package: spec }));
  console.log(`\n${loaded.initReport(result)}`);
  if (result.installed === false) fail('init: npm install failed (see above); the plugin is written: run npm install in it', 1);
}

/** `help [COMMAND]`: the usage, or a command's own help. */
async function help(argv) {
  const [command, ...more] = argv;
  if (command === undefined) return console.log(USAGE);
  if (more.length) fail(`help: stray argument ${more[0]}: help takes one command`);
  if (command === 'build') return console.log(BUILD_HELP);
  if (!Object.hasOwn(PARSERS, command)) return unknownCommand(command);
  await COMMANDS[command](['--help']);
}

const BUILD_HELP = `Usage: canvas-companion build

In a checkout of canvas-companion: builds dist/ (npm run build) when it is missing or older than
src/. It is the package's prepare script; in an installed package it does nothing.`;

async function buildCommand(argv) {
  if (argv.includes('--help') || argv.includes('-h')) return console.log(BUILD_HELP);
  if (argv.length) fail(`build: ${argv[0].startsWith('-') ? `unknown option ${argv[0]}` : `stray argument ${argv[0]}`}: build takes no arguments`);
  ensureBuilt(await loadHarness());
}

/** Exits with status 2 for an unknown command, naming the nearest one when the harness is built. */
async function unknownCommand(command) {
  const loaded = await loadHarness().catch(() => null);
  const near = loaded?.didYouMean?.(command, Object.keys(COMMANDS).filter((name) => /^\w/.test(name))) ?? '';
  fail(`unknown command ${command}${near} (canvas-companion --help lists the commands)`);
}

const usage = () => console.log(USAGE);
const showVersion = () => console.log(version());
/** Commands: name -> (arguments) => void. */
const COMMANDS = {
  harness,
  init,
  vendor,
  build: buildCommand,
  help,
  '--help': usage,
  '-h': usage,
  '--version': showVersion,
  '-v': showVersion,
};

const [command = 'help', ...rest] = process.argv.slice(2);
if (Object.hasOwn(COMMANDS, command)) await COMMANDS[command](rest);
else await unknownCommand(command);
