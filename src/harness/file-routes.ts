/**
 * A plugin's files, served as Canvas serves them: only through a route. Two kinds of route serve
 * files without a mock function: a mock's `files` line (`{ '/static/': 'static' }`, mirroring a
 * Python handler such as the one `canvas-companion vendor` prints), and a Python route that only
 * renders a file of the folder (`render_to_string("static/app.js")` with a content type).
 * @module
 */
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { basename, join, relative } from 'node:path';
import { compilePattern } from '../platform/paths.js';
import { messageOf } from './errors.js';
import { decode, sendText, typeOf } from './http.js';
import type { FilesLine } from './mock-module.js';
import { LIBRARY_FILES } from './paths.js';
import { folderFile, MANIFEST } from './plugin-dir.js';
import type { PythonHandler } from './python.js';
import { render } from './template.js';

/** A route that serves files of the plugin folder. */
export interface FileRoute {
  /** As the comparison shows it: `GET /static/<name>`. */
  key: string;
  /** The file (relative to the plugin folder) this route serves at `path` (decoded), or null. */
  fileFor(path: string): string | null;
  /** Served without a staff session. */
  public: boolean;
  /** The content type of a file it serves; null: by the file's extension. */
  contentType(file: string): string | null;
  /** Headers it adds (lower-case names). */
  headers: Record<string, string>;
  /** Where it is declared: `the mock's files line '/static/'`, `handlers/api.py:42`. */
  from: string;
  /** Whether the file goes through Django's template engine first (`render_to_string`). */
  rendered: boolean;
  /**
   * The status when the file it names is missing: 404 for a `files` line (a handler that serves a
   * folder answers so), 500 for a Python route that renders a fixed file (render_to_string raises).
   */
  missing: number;
}

/** The routes of a mock's `files` lines: each prefix serves the files directly in its folder. */
export function filesLineRoutes(lines: readonly FilesLine[]): FileRoute[] {
  return lines.map((line) => ({
    key: `GET ${line.prefix}<name>`,
    fileFor(path) {
      const name = path.startsWith(line.prefix) ? path.slice(line.prefix.length) : null;
      return name && !name.includes('/') ? (line.folder === '.' ? name : `${line.folder}/${name}`) : null;
    },
    public: line.public,
    contentType: () => null,
    headers: {},
    from: `the mock's files line '${line.prefix}'`,
    rendered: false,
    missing: 404,
  }));
}

/** The Python routes that only render a file of the folder, served as their handler would. */
export function pythonFileRoutes(handlers: readonly PythonHandler[], publicKeys: ReadonlySet<string>): FileRoute[] {
  return handlers.flatMap((handler) =>
    handler.listed === false ? [] : handler.routes.flatMap((route) => {
      const serves = route.serves;
      if (!serves || route.method !== 'GET') return [];
      let pattern: RegExp;
      try {
        pattern = compilePattern(route.path, route.path);
      } catch {
        return [];
      }
      const key = `GET ${route.path}`;
      return [{
        key,
        fileFor(path: string) {
          const match = pattern.exec(path);
          if (!match) return null;
          if ('file' in serves) return serves.file;
          const name = match.groups?.[serves.param];
          if (!name || (serves.names && !serves.names.includes(name))) return null;
          return `${serves.folder}/${name}`;
        },
        // Canvas's own rule: a mixin or authenticate() decides; the mock may mark it public.
        public: publicKeys.has(key),
        contentType: (file: string) => route.content_types?.[basename(file)] ?? route.content_type ?? null,
        headers: route.headers ?? {},
        from: `${handler.file}:${route.line}`,
        rendered: true,
        missing: 500,
      } satisfies FileRoute];
    }));
}

/** Content types whose files Django's template engine reads as text (render_to_string). */
const TEXT = /^(text\/|application\/(json|javascript)|image\/svg)/;

/** What serving a file needs. */
export interface ServeFileContext {
  response: ServerResponse;
  /** The plugin folder. */
  dir: string;
  /** The mock module, never served. */
  mockFile: string | null;
  /** Where the built library is (a plugin that has not vendored it gets the built copy, with a warning). */
  distDir: string | null;
  /** `GET /plugin-io/api/…`, for log lines. */
  where: string;
  /** HEAD: headers only. */
  head: boolean;
  log: (line: string) => void;
  /** Library files already warned about (one warning per file). */
  warned: Set<string>;
}

/** Is `file` (relative to the folder) the manifest or the mock module, which Canvas never serves? */
export function isPrivate(dir: string, file: string, mockFile: string | null): boolean {
  const path = relative(dir, join(dir, file));
  return path === MANIFEST || (mockFile !== null && join(dir, path) === mockFile);
}

/**
 * Sends the file a route names (relative to the plugin folder): 404 for the manifest or the mock
 * module; `missing` when it is not a file inside the folder. A library file (`canvas-companion.*`)
 * the plugin has not vendored is served from the build, with a warning that Canvas would not.
 * @param type - The route's content type (null: by extension).
 * @param headers - The route's headers.
 * @param context - A template context when the file goes through the template engine, else null.
 * @param missing - The status for a file that is not in the folder: 500 where Canvas's
 *   render_to_string would raise (a route's `{ file }`, a Python route), 404 for a `files` line.
 */
export async function sendPluginFile(
  file: string,
  { response, dir, mockFile, distDir, where, head, log, warned }: ServeFileContext,
  { type = null, headers = {}, context = null, status = 200, missing = 500, from }: { type?: string | null; headers?: Record<string, string>; context?: Record<string, unknown> | null; status?: number; missing?: number; from: string },
): Promise<void> {
  if (isPrivate(dir, file, mockFile)) {
    log(`404 ${where}: ${from} names ${file}, which the harness never serves (Canvas serves only what a route renders: never the manifest or the mock)`);
    return sendText(response, 404, `${file} is never served`);
  }
  let path = await folderFile(dir, file);
  const fromFolder = path !== null;
  if (!path) {
    const name = basename(file);
    if (!(LIBRARY_FILES.includes(name) && distDir)) {
      const canvas = missing === 500 ? ' (on Canvas, render_to_string raises: 500)' : '';
      log(`${missing} ${where}: ${from} serves ${file}, which is not a file inside ${dir}${canvas}`);
      return sendText(response, missing, `${from[0]!.toUpperCase()}${from.slice(1)} serves ${file}, which is not a file in the plugin folder`);
    }
    path = join(distDir, name);
    if (!warned.has(file)) {
      warned.add(file);
      log(`${where}: ${file} is not in the plugin folder: the harness serves the built copy of ${name}, but Canvas would answer 404 (or 500): run npx canvas-companion vendor to copy it in`);
    }
  }
  const data = await readFile(path);
  const contentType = type ?? typeOf(path);
  let body: Buffer | string = data;
  // The built library is served as built (it is not the plugin's file to render).
  if (context && fromFolder && TEXT.test(contentType)) {
    let rendered;
    try {
      rendered = render(data.toString('utf8'), context);
    } catch (error) {
      log(`500 ${where}: ${from} gave a context that cannot be read: ${messageOf(error)}`);
      return sendText(response, 500, `The context of ${from} cannot be read (see the harness's terminal)`);
    }
    const { html, missing } = rendered;
    if (missing.length) log(`${where}: ${file} has no value for ${missing.map((name) => `{{ ${name} }}`).join(', ')}: rendered "" as Django does (${from})`);
    body = html;
  }
  response.writeHead(status, { 'cache-control': 'no-cache', ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(head ? undefined : body);
}

/**
 * The 404 for a path no route serves: when it names a file of the folder (or a library file), the
 * text says what Canvas needs; else which route keys are near.
 */
export async function noRoute(
  { response, dir, mockFile, where, log }: Pick<ServeFileContext, 'response' | 'dir' | 'mockFile' | 'where' | 'log'>,
  { name, method, rest, near }: { name: string; method: string; rest: string; near: string | null },
): Promise<void> {
  const path = decode(rest) ?? rest;
  const file = method === 'GET' || method === 'HEAD' ? path.replace(/^\/+/, '') : '';
  const isFile = file !== '' && !isPrivate(dir, file, mockFile) && ((await folderFile(dir, file)) !== null || LIBRARY_FILES.includes(basename(file)));
  if (isFile) {
    const slash = path.lastIndexOf('/');
    const prefix = path.slice(0, slash + 1);
    const folder = file.slice(0, file.lastIndexOf('/')) || '.';
    const advice = `on Canvas a plugin's files are reachable only through its routes: add the SimpleAPI route that serves it (npx canvas-companion vendor prints one), and its mock line: export const files = { '${prefix}': '${folder}' }`;
    log(`404 ${where}: no route serves ${file}; ${advice}`);
    return sendText(response, 404, `No route of ${name} serves ${path}: ${advice}`);
  }
  // As sent (still percent-encoded): a decoded path may hold control characters.
  log(`404 ${where}: no route in ${name}'s mock matches ${method} ${rest}${near ? ` (did you mean "${near}"?)` : ''}`);
  sendText(response, 404, `No route in ${name}'s mock matches ${method} ${rest}`);
}
