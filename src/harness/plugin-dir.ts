/**
 * `--plugin-dir PATH`: a Canvas plugin folder. CANVAS_MANIFEST.json gives the plugin's name and its
 * companion applications; files are served from inside the folder only.
 * @module
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { messageOf, OptionError } from './errors.js';
import { jsonError } from './locate.js';
import { scopeNote } from './scope-note.js';

/** Where an app shows in the shell: the launcher, a patient tab, a note tab. */
export type Scope = 'global' | 'patient' | 'note';

/** The file that makes a folder a Canvas plugin. */
export const MANIFEST = 'CANVAS_MANIFEST.json';
/** The mock module the harness picks up from the plugin folder when no --mock is given. */
export const MOCK_FILE = 'harness.mock.mjs';

/** Manifest scopes the companion shows (the last one is the legacy name of the first). */
const COMPANION_SCOPES: Readonly<Record<string, Scope>> = Object.freeze({
  provider_companion_global: 'global',
  provider_companion: 'global',
  provider_companion_patient_specific: 'patient',
  provider_companion_note_specific: 'note',
});

/** Every scope word the harness accepts (--app, --apps): the short ones and the manifest's. */
const SCOPES: Readonly<Record<string, Scope>> = Object.freeze({ global: 'global', patient: 'patient', note: 'note', ...COMPANION_SCOPES });

// Own keys only: "constructor" is no scope.
const lookUp = (table: Readonly<Record<string, Scope>>, word: unknown): Scope | null =>
  typeof word === 'string' && Object.hasOwn(table, word) ? (table[word] ?? null) : null;

/** The short scope of a scope word (`patient`, `provider_companion_patient_specific`, …); null for anything else. */
export const scopeOf = (word: unknown): Scope | null => lookUp(SCOPES, word);

/** An application of the manifest that the companion shows. */
export interface ManifestApp {
  /** `pkg.module:Class`, when the manifest gives one. */
  class: string | null;
  name: string;
  scope: Scope;
  description: string;
  /** The icon's path relative to the plugin folder; null without one (or when it is not a file inside). */
  icon: string | null;
}

/** A plugin folder as its manifest describes it. */
export interface PluginFolder {
  /** The folder that holds the manifest (absolute). */
  dir: string;
  name: string;
  apps: ManifestApp[];
  /** The mock module: the one given, else the folder's own harness.mock.mjs, else null. */
  mock: string | null;
  /** What was left out, for a log line each (non-companion applications, icons that are not files). */
  skipped: string[];
}

/**
 * The plugin folders at `path`: `path` itself when it holds a manifest, else each of its
 * subfolders that does (not hidden, not node_modules), sorted; none for a missing or unreadable
 * folder. Published plugins keep the manifest one level down (`repo/<name>/CANVAS_MANIFEST.json`).
 */
export function findPluginFolders(path: string): string[] {
  const dir = resolve(path);
  if (existsSync(join(dir, MANIFEST))) return [dir];
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules' && existsSync(join(dir, entry.name, MANIFEST)))
      .map((entry) => join(dir, entry.name))
      .sort();
  } catch {
    return [];
  }
}

/**
 * Finds the plugin folder: PATH itself when it holds a manifest, else its only subfolder that does
 * (a plugin repository usually keeps the plugin one level down).
 * @param option - The option that gave PATH, to start the error message ('' for none).
 * @throws {@link OptionError} when there is none, or several.
 */
export function findPluginFolder(path: string, option = '--plugin-dir'): string {
  const where = option ? `${option} ${path}` : path;
  const dir = resolve(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new OptionError(`${where}: no such folder`);
  const [only, ...more] = findPluginFolders(dir);
  if (only === undefined) throw new OptionError(`${where}: no ${MANIFEST} there (nor in a subfolder)`);
  if (more.length) throw new OptionError(`${where}: several plugins inside (${[only, ...more].map((d) => basename(d)).join(', ')}); give one of them`);
  return only;
}

/** The plugin folder that holds `path` (`path` itself or the nearest parent with a manifest), or null. */
export function enclosingPluginFolder(path: string): string | null {
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    if (existsSync(join(dir, MANIFEST))) return dir;
    if (dirname(dir) === dir) return null;
  }
}

/**
 * Checks a `--plugin-dir PATH` and its `--mock FILE` (both exist): one check for the command line
 * (before any build) and for startHarness() callers.
 * @returns The plugin folder and the mock file (absolute), or null for no mock.
 * @throws {@link OptionError} saying which is missing.
 */
export function checkPluginDir(path: string, mock: string | null = null): { dir: string; mockFile: string | null } {
  const dir = findPluginFolder(path);
  const mockFile = mock ? resolve(mock) : null;
  if (mockFile && !existsSync(mockFile)) throw new OptionError(`--mock ${mock}: no such file`);
  return { dir, mockFile };
}

/** A manifest as read: anything JSON, checked field by field. */
interface ManifestJSON {
  name?: unknown;
  components?: { applications?: unknown };
}
type ApplicationJSON = { [key in 'class' | 'name' | 'scope' | 'description' | 'icon']?: unknown } | null | undefined;

/**
 * Reads a plugin folder's manifest. An app's `icon` stays a path relative to the folder: it is
 * resolved per request with {@link folderFile}, like every file served from the folder.
 * @throws {@link OptionError} for a missing folder or mock, or a manifest that says no plugin name.
 */
export async function readPluginFolder(path: string, mock: string | null = null): Promise<PluginFolder> {
  const { dir, mockFile: given } = checkPluginDir(path, mock);
  const file = join(dir, MANIFEST);
  const where = `--plugin-dir ${path}: ${file}`;
  let manifest: ManifestJSON | null;
  let text = '';
  try {
    text = await readFile(file, 'utf8');
    manifest = JSON.parse(text) as ManifestJSON | null;
  } catch (error) {
    throw new OptionError(`--plugin-dir ${path}: ${text ? jsonError(file, text, error) : `${file}: ${messageOf(error)}`}`);
  }
  const name = manifest?.name;
  if (typeof name !== 'string' || !/^\w+$/.test(name)) throw new OptionError(`${where}: "name" must be the plugin name (letters, digits, _), found ${JSON.stringify(name)}`);
  const declared = manifest?.components?.applications ?? [];
  if (!Array.isArray(declared)) throw new OptionError(`${where}: components.applications must be an array`);
  const apps: ManifestApp[] = [];
  const skipped: string[] = [];
  for (const [i, app] of (declared as ApplicationJSON[]).entries()) {
    const scope = lookUp(COMPANION_SCOPES, app?.scope);
    if (!app || !scope) {
      skipped.push(`${app?.name ?? `applications[${i}]`} (${scopeNote(app?.scope)})`);
      continue;
    }
    if (typeof app.name !== 'string' || !app.name.trim()) throw new OptionError(`${where}: applications[${i}] needs a "name"`);
    let icon: string | null = null;
    if (typeof app.icon === 'string' && app.icon) {
      // The same check as any file served from the folder: inside it after resolving symlinks, nothing hidden.
      icon = (await folderFile(dir, app.icon)) ? app.icon : null;
      if (!icon) skipped.push(`icon ${app.icon} of ${app.name} (no such file in the plugin folder, or hidden, or a link out of it)`);
    }
    apps.push({
      class: typeof app.class === 'string' ? app.class : null,
      name: app.name.trim(),
      scope,
      description: typeof app.description === 'string' ? app.description : '',
      icon,
    });
  }
  const mockFile = given ?? (existsSync(join(dir, MOCK_FILE)) ? join(dir, MOCK_FILE) : null);
  return { dir, name, apps, mock: mockFile, skipped };
}

/** Is `file` inside `dir` (both absolute, `dir` itself excluded)? */
export function inside(dir: string, file: string): boolean {
  const rel = relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * Resolves a request path (decoded, relative to the plugin) to a file inside the folder, or null.
 * Checked after resolving symlinks; hidden files and folders are never served.
 */
export async function folderFile(dir: string, path: string): Promise<string | null> {
  if (path.includes('\0') || path.includes('\\')) return null;
  const parts = path.split('/').filter(Boolean);
  if (!parts.length || parts.some((part) => part.startsWith('.'))) return null;
  const file = resolve(dir, ...parts);
  if (!inside(dir, file)) return null;
  try {
    const [realDir, realFile] = await Promise.all([realpath(dir), realpath(file)]);
    if (!inside(realDir, realFile) || !statSync(realFile).isFile()) return null;
    return realFile;
  } catch {
    return null;
  }
}
