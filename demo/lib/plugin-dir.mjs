/**
 * `--plugin-dir PATH`: a Canvas plugin folder. CANVAS_MANIFEST.json gives the plugin's name and its
 * companion applications; files are served from inside the folder only; `--mock FILE` (or the
 * folder's own harness.mock.mjs) is loaded as its backend.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OptionError } from './errors.mjs';

/** Names this module relies on. */
const NAMES = Object.freeze({
  manifest: 'CANVAS_MANIFEST.json',
  /** A mock module the harness picks up from the plugin folder when no --mock is given. */
  mock: 'harness.mock.mjs',
});

/** Manifest scopes the companion shows, and the legacy one. */
export const COMPANION_SCOPES = Object.freeze({
  provider_companion_global: 'global',
  provider_companion: 'global',
  provider_companion_patient_specific: 'patient',
  provider_companion_note_specific: 'note',
});

/** Every scope word the harness accepts (--app, --apps, the manifest): the short ones and the manifest's. */
export const SCOPES = Object.freeze({ global: 'global', patient: 'patient', note: 'note', ...COMPANION_SCOPES });

/**
 * Finds the plugin folder: PATH itself when it holds a manifest, else its only subfolder that does
 * (a plugin repository usually keeps the plugin one level down).
 */
export function findPluginFolder(path) {
  const dir = resolve(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new OptionError(`--plugin-dir ${path}: no such folder`);
  if (existsSync(join(dir, NAMES.manifest))) return dir;
  const inside = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules' && existsSync(join(dir, entry.name, NAMES.manifest)))
    .map((entry) => join(dir, entry.name));
  if (inside.length === 1) return inside[0];
  if (inside.length > 1) throw new OptionError(`--plugin-dir ${path}: several plugins inside (${inside.map((d) => basename(d)).join(', ')}); give one of them`);
  throw new OptionError(`--plugin-dir ${path}: no ${NAMES.manifest} there (nor in a subfolder)`);
}

/**
 * Checks a `--plugin-dir PATH` and its `--mock FILE` (both exist). One check for the command line
 * (before any build) and for startHarness() callers. Returns the plugin folder and the mock file (or null).
 */
export function checkPluginDir(path, mock = null) {
  const dir = findPluginFolder(path);
  const mockFile = mock ? resolve(mock) : null;
  if (mockFile && !existsSync(mockFile)) throw new OptionError(`--mock ${mock}: no such file`);
  return { dir, mockFile };
}

/**
 * Reads a plugin folder's manifest. An app's `icon` is its path relative to the folder (resolved
 * per request with folderFile(), like every file served from the folder).
 * @returns {Promise<{ dir: string, name: string, apps: object[], mock: string|null, skipped: string[] }>}
 */
export async function readPluginFolder(path, mock = null) {
  const { dir, mockFile: given } = checkPluginDir(path, mock);
  const where = `--plugin-dir ${path}: ${NAMES.manifest}`;
  let manifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, NAMES.manifest), 'utf8'));
  } catch (error) {
    throw new OptionError(`${where}: ${error.message}`);
  }
  const name = manifest?.name;
  if (typeof name !== 'string' || !/^\w+$/.test(name)) throw new OptionError(`${where}: "name" must be the plugin name (letters, digits, _), found ${JSON.stringify(name)}`);
  const declared = manifest.components?.applications ?? [];
  if (!Array.isArray(declared)) throw new OptionError(`${where}: components.applications must be an array`);
  const apps = [];
  const skipped = [];
  for (const [i, app] of declared.entries()) {
    const scope = COMPANION_SCOPES[app?.scope];
    if (!scope) {
      skipped.push(`${app?.name ?? `applications[${i}]`} (scope ${app?.scope})`);
      continue;
    }
    if (typeof app.name !== 'string' || !app.name.trim()) throw new OptionError(`${where}: applications[${i}] needs a "name"`);
    let icon = null;
    if (typeof app.icon === 'string' && app.icon) {
      // The same check as any file served from the folder: inside it after resolving symlinks, nothing hidden.
      icon = (await folderFile(dir, app.icon)) ? app.icon : null;
      if (!icon) skipped.push(`icon ${app.icon} of ${app.name} (no such file in the plugin folder, or hidden, or a link out of it)`);
    }
    apps.push({ class: typeof app.class === 'string' ? app.class : null, name: app.name.trim(), scope, description: typeof app.description === 'string' ? app.description : '', icon });
  }
  const mockFile = given ?? (existsSync(join(dir, NAMES.mock)) ? join(dir, NAMES.mock) : null);
  return { dir, name, apps, mock: mockFile, skipped };
}

/** Imports a mock module (an ESM file: default export or named exports). */
export async function importMock(file) {
  try {
    return { ...(await import(pathToFileURL(file).href)) };
  } catch (error) {
    throw new OptionError(`--mock ${file}: could not load it: ${error.message}`);
  }
}

/** Is `file` inside `dir` (both absolute)? */
export function inside(dir, file) {
  const rel = relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * Resolves a request path (decoded, relative to the plugin) to a file inside the folder, or null.
 * Checked after resolving symlinks; hidden files and folders are never served.
 */
export async function folderFile(dir, path) {
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
