/**
 * `canvas-companion init [DIR]`: a plugin with a companion app an author can run in the harness,
 * test with `npm test` and install on Canvas; or that app added to a plugin DIR holds already.
 * @module
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { messageOf, OptionError } from '../errors.js';
import { didYouMean, readArgs, type OptionTable } from '../options.js';
import { ROOT } from '../paths.js';
import { findPluginFolders, MANIFEST, scopeOf, type Scope } from '../plugin-dir.js';
import { companionComponents, mergeManifest, newManifest } from './manifest.js';
import { hasPackage, npmInstall, ownVersion, packageJson, packSelf } from './package.js';
import { readTemplate, TEMPLATE_NAME, type Feature } from './template.js';
import { VENDORED_FILES } from './vendor.js';

/** Every companion scope, in the order the manifest lists them. */
export const ALL_SCOPES: readonly Scope[] = Object.freeze(['global', 'patient', 'note']);

/** Options of {@link initPlugin}. */
export interface InitOptions {
  /**
   * The repository: a new or empty folder, or one that holds a plugin already (DIR itself, or
   * DIR/NAME/ as published plugins keep it), which then gets the companion app added.
   * @default '.'
   */
  dir?: string;
  /**
   * The new plugin's name: its Python package and folder (lower-case letters, digits, `_`).
   * @default DIR's name, lower-cased, other characters as `_` (a plugin DIR holds: its manifest's name)
   */
  name?: string | null;
  /**
   * The scopes that get an application, all opening the same page.
   * @default all three: global, patient, note
   */
  scopes?: readonly Scope[];
  /**
   * Live updates: the WebSocket handler, a broadcast when tasks change, and the page's subscription.
   * @default true
   */
  live?: boolean;
  /**
   * Run `npm install` in DIR afterwards.
   * @default true
   */
  install?: boolean;
  /**
   * Where package.json gets canvas-companion from, as npm writes it (`file:…`, a tarball path, a
   * git URL, a version range once it is on the registry).
   * @default the running canvas-companion, packed into DIR: `file:canvas-companion-<version>.tgz`
   */
  package?: string | null;
  /**
   * Where the built library is (copied into the plugin's static/).
   * @default <package>/dist
   */
  distDir?: string;
  /**
   * Where progress lines go.
   * @default console.log
   */
  log?: (line: string) => void;
}

/** What {@link initPlugin} did. */
export interface InitResult {
  /** The repository (absolute). */
  root: string;
  /** The plugin folder, with its manifest (absolute). */
  pluginDir: string;
  name: string;
  scopes: Scope[];
  live: boolean;
  /** Whether the plugin was there already (its manifest and package.json got entries added). */
  added: boolean;
  /** Files written, relative to the repository, sorted. */
  written: string[];
  /** Files that were there and were left as they were, relative to the repository. */
  kept: string[];
  /** canvas-companion's entry in package.json; null when package.json had one already. */
  spec: string | null;
  /** Whether `npm install` succeeded; null when it was not run. */
  installed: boolean | null;
}

/** Files that may exist already and are then left as they are. */
const KEEP = /(^|\/)(README\.md|\.gitignore|__init__\.py|assets\/companion\.png)$/;
/** Python's keywords: none can be a package name. */
const PYTHON_KEYWORDS = new Set('false none true and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '));

/** The plugin name made from a folder's name (`My Plugin` → `my_plugin`). */
export const nameFromFolder = (folder: string): string => folder.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');

/** Why `name` cannot be a plugin's name, or null when it can. */
function badName(name: string): string | null {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) return 'a plugin name is lower-case letters, digits and _, starting with a letter (it is a Python package)';
  if (PYTHON_KEYWORDS.has(name)) return `${name} is a Python keyword, so it cannot name a Python package`;
  return null;
}

/** The title made from a plugin name (`my_plugin` → `My plugin`). */
const titleOf = (name: string): string => {
  const words = name.replace(/_+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** Reads a JSON file of the repository, or null when it is not there. */
function readJSON(file: string, where: string): unknown {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new OptionError(`${where}: ${messageOf(error)}`);
  }
}

/** Where the plugin goes: the plugin DIR holds already, or a new folder DIR/NAME. */
function layout(root: string, dir: string, name: string | null | undefined): { pluginDir: string; name: string; added: boolean } {
  const found = existsSync(root) ? findPluginFolders(root) : [];
  const named = (pluginDir: string) => (readJSON(join(pluginDir, MANIFEST), relative(root, join(pluginDir, MANIFEST))) as { name?: unknown } | null)?.name;
  const pick = found.length > 1 && name ? found.filter((pluginDir) => named(pluginDir) === name) : found;
  if (pick.length > 1 || (found.length > 1 && !pick.length)) {
    throw new OptionError(`${dir}: several plugins inside (${found.map((pluginDir) => basename(pluginDir)).join(', ')}): give the one to add the app to with --name NAME`);
  }
  const [existing] = pick;
  if (existing) {
    const manifestName = named(existing);
    if (typeof manifestName !== 'string' || badName(manifestName)) throw new OptionError(`${dir}: ${relative(root, join(existing, MANIFEST))} has no usable "name" (${JSON.stringify(manifestName)})`);
    if (name && name !== manifestName) throw new OptionError(`${dir}: --name ${name}, but the plugin there is ${manifestName}`);
    return { pluginDir: existing, name: manifestName, added: true };
  }
  const chosen = name ?? nameFromFolder(basename(root));
  const problem = badName(chosen);
  if (problem) throw new OptionError(`${dir}: ${name ? `--name ${name}` : `the folder name gives "${chosen}"`}: ${problem}${name ? '' : ' (give --name NAME)'}`);
  return { pluginDir: join(root, chosen), name: chosen, added: false };
}

/**
 * Writes a plugin with a companion app into `dir` (see {@link InitOptions}): manifest, Python
 * Application and SimpleAPI (and WebSocket) handlers, the page on the vendored library, its mock
 * module and tests, package.json, README. Never writes over a file that exists: code files that
 * exist stop it before anything is written; a README, .gitignore or `__init__.py` is kept; the
 * manifest and package.json get entries added.
 * @throws {@link OptionError} for a bad name or scope, files in the way, or a failed `npm pack`.
 */
export async function initPlugin({
  dir = '.', name = null, scopes = ALL_SCOPES, live = true, install = true, package: given = null, distDir = join(ROOT, 'dist'), log = console.log,
}: InitOptions = {}): Promise<InitResult> {
  const root = resolve(dir);
  if (existsSync(root) && !statSync(root).isDirectory()) throw new OptionError(`${dir}: not a folder`);
  if (!scopes.length) throw new OptionError('give at least one scope (--scopes global,patient,note)');
  const missing = VENDORED_FILES.filter((file) => !existsSync(join(distDir, file)));
  if (missing.length) throw new OptionError(`the library is not built (${missing.join(', ')} missing in ${distDir}): in a checkout run npm run build`);

  const { pluginDir, name: plugin, added } = layout(root, dir, name);
  const pluginPath = relative(root, pluginDir).split('\\').join('/');
  const inPlugin = (path: string) => (pluginPath ? `${pluginPath}/${path}` : path);
  const title = titleOf(plugin);
  const features = new Set<Feature>([...scopes, ...(live ? ['live' as const] : []), ...(scopes.some((scope) => scope !== 'global') ? ['chart' as const] : [])]);

  const packageFile = join(root, 'package.json');
  const existingPackage = readJSON(packageFile, 'package.json');
  const tarball = `canvas-companion-${ownVersion()}.tgz`;
  const spec = hasPackage(existingPackage) ? null : (given ?? `file:${tarball}`);
  /** Whether init packs the package it runs from into the repository (no --package, none in package.json). */
  const packs = spec !== null && given === null;

  // Path in the repository → contents. The template's plugin folder goes where the plugin is.
  const files = new Map<string, string | Buffer>();
  // The tests import the plugin's files from the plugin folder, wherever it is (repo/NAME/, or the repository itself).
  const words = { [`../${TEMPLATE_NAME}/`]: pluginPath ? `../${pluginPath}/` : '../', CANVAS_COMPANION_SPEC: spec ?? 'your package.json' };
  for (const [path, data] of readTemplate({ name: plugin, title, features, words })) {
    files.set(path.startsWith(`${plugin}/`) ? inPlugin(path.slice(plugin.length + 1)) : path, data);
  }
  const components = companionComponents(plugin, title, scopes, live);
  const manifestPath = inPlugin(MANIFEST);
  const manifest = added ? mergeManifest(readJSON(join(pluginDir, MANIFEST), manifestPath), components, manifestPath) : newManifest(plugin, title, components);
  files.set(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  if (spec !== null) files.set('package.json', `${JSON.stringify(packageJson(existingPackage, plugin, spec), null, 2)}\n`);
  for (const file of VENDORED_FILES) files.set(inPlugin(`static/${file}`), readFileSync(join(distDir, file)));

  // Nothing is written over: the manifest and package.json were merged above, the library is ours.
  const replaced = new Set([manifestPath, 'package.json', ...VENDORED_FILES.map((file) => inPlugin(`static/${file}`))]);
  const kept: string[] = [];
  const conflicts: string[] = [];
  for (const path of files.keys()) {
    if (replaced.has(path) || !existsSync(join(root, path))) continue;
    (KEEP.test(path) ? kept : conflicts).push(path);
  }
  if (conflicts.length) throw new OptionError(`${dir}: ${conflicts.join(', ')} exist already; init writes over none of your files (move them, or init another folder)`);
  for (const path of kept) files.delete(path);

  mkdirSync(root, { recursive: true });
  if (packs) {
    log(`Packing canvas-companion ${ownVersion()} into ${tarball} (it is not on the npm registry yet)`);
    const packed = packSelf(root);
    if (packed !== tarball) throw new OptionError(`npm pack wrote ${packed}, not ${tarball}: give --package file:${packed}`);
  }
  for (const [path, data] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), data);
  }
  const written = [...files.keys(), ...(packs ? [tarball] : [])].sort();

  let installed: boolean | null = null;
  if (install) {
    log(`Running npm install in ${relative(process.cwd(), root) || '.'}`);
    installed = await npmInstall(root);
  }
  return { root, pluginDir, name: plugin, scopes: [...scopes], live, added, written, kept: kept.sort(), spec, installed };
}

/** What `init` prints when it is done: what it wrote, and what to run next. */
export function initReport({ root, name, scopes, live, added, written, kept, installed }: InitResult, cwd: string = process.cwd()): string {
  const where = relative(cwd, root) || '.';
  const lines = [
    `${added ? `Added a companion app to the plugin ${name}` : `Created the plugin ${name}`} in ${where}/ (apps: ${scopes.join(', ')}${live ? '; live updates' : ''}):`,
    ...written.map((path) => `  ${path}`),
  ];
  if (kept.length) lines.push(`Kept as they were: ${kept.join(', ')}`);
  const steps = [
    ...(where === '.' ? [] : [[`cd ${where}`, '']]),
    ...(installed ? [] : [['npm install', installed === false ? 'it failed above: run it again' : '']]),
    ['npx canvas-companion harness', 'the apps in a mock companion, http://127.0.0.1:4173/companion/'],
    ['npm test', "the page's tests"],
  ];
  lines.push('', 'Next:', ...steps.map(([command = '', what = '']) => `  ${command.padEnd(30)} ${what}`.trimEnd()));
  return lines.join('\n');
}

/** `init`'s command line, parsed: the fields of {@link InitOptions} it sets, and the bin's own flags. */
export interface InitArgs {
  dir: string;
  name: string | null;
  scopes: Scope[];
  live: boolean;
  install: boolean;
  package: string | null;
  /** `-h` or `--help`: print {@link INIT_HELP} and write nothing. */
  help: boolean;
  /** False with --no-build. */
  build: boolean;
}

/** `--scopes LIST`: comma-separated scope words (short or the manifest's), each once. */
function parseScopes(text: string): Scope[] {
  const scopes = new Set<Scope>();
  for (const word of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    const scope = scopeOf(word);
    if (!scope) throw new OptionError(`--scopes ${text}: "${word}" is not a companion scope${didYouMean(word, ALL_SCOPES)} (global, patient, note)`);
    scopes.add(scope);
  }
  if (!scopes.size) throw new OptionError(`--scopes ${text}: give one or more of global, patient, note`);
  return ALL_SCOPES.filter((scope) => scopes.has(scope));
}

/** A flag that sets one field of the arguments. */
const setFlag = (key: 'live' | 'install' | 'build', value: boolean) => ({ args, flag }: { args: InitArgs; flag(): void }) => {
  flag();
  args[key] = value;
};

const INIT_OPTIONS: OptionTable<{ args: InitArgs }> = {
  '-h': ({ args }) => void (args.help = true),
  '--help': ({ args }) => void (args.help = true),
  '--name': ({ args, take }) => void (args.name = take()),
  '--scopes': ({ args, take }) => void (args.scopes = parseScopes(take())),
  '--no-live': setFlag('live', false),
  '--no-install': setFlag('install', false),
  '--package': ({ args, take }) => void (args.package = take()),
  '--no-build': setFlag('build', false),
};

/**
 * Parses `init`'s arguments (after `canvas-companion init`).
 * @throws {@link OptionError} for an unknown option (with the nearest one), a bad scope, or a second folder.
 */
export async function parseInitArgs(argv: readonly string[]): Promise<InitArgs> {
  const args: InitArgs = { dir: '.', name: null, scopes: [...ALL_SCOPES], live: true, install: true, package: null, help: false, build: true };
  let given: string | null = null;
  await readArgs(argv, INIT_OPTIONS, { args }, (arg) => {
    if (given !== null) throw new OptionError(`stray argument ${arg}: init takes one folder (${given} already)`);
    given = args.dir = arg;
  });
  return args;
}

/** What `canvas-companion init --help` prints. */
export const INIT_HELP = `Usage: npx canvas-companion init [DIR] [options]

Makes a Canvas plugin with a Provider Companion app in DIR (default: the current folder), ready to
run in the harness, test and install:

  NAME/CANVAS_MANIFEST.json         an application per scope, and the handlers
  NAME/applications/companion.py    Application classes: on_open() opens the page
  NAME/handlers/companion_api.py    SimpleAPI + StaffSessionAuthMixin: the page, its data, files
  NAME/handlers/companion_live.py   WebSocketAPI, and a broadcast when tasks change (not with --no-live)
  NAME/templates/, NAME/static/     the page, on the library copied into static/
  NAME/harness.mock.mjs             the Python's stand-in, in the harness and the tests
  test/, vitest.config.mjs          the page's tests (vitest, happy-dom, canvas-companion/testing)
  package.json, README.md

Then, in DIR: npx canvas-companion harness (the apps, in a mock companion) and npm test.

When DIR holds a plugin already (DIR/CANVAS_MANIFEST.json, or DIR/NAME/CANVAS_MANIFEST.json as
published plugins keep it), the app is added to it: its manifest and package.json get entries, and
no file of yours is written over (init stops first if one is in the way).

Options:
  --name NAME        The plugin's name (its Python package): lower-case letters, digits, _.
                     Default: DIR's name, lower-cased, other characters as _.
  --scopes LIST      The scopes that get an app, e.g. --scopes patient,note. Default: global,patient,note
                     (one page for all three, as the companion docs recommend).
  --no-live          No WebSocket handler, broadcast or subscription.
  --package SPEC     Where package.json gets canvas-companion (a file:, tarball, git or version spec).
                     Default: this canvas-companion, packed into DIR as canvas-companion-${ownVersion()}.tgz
                     (it is not on the npm registry yet).
  --no-install       Do not run npm install afterwards.
  --no-build         In a checkout of canvas-companion: use dist/ as it is, even when src/ is newer.
  -h, --help         Shows this help.`;

