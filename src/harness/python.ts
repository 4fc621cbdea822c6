/**
 * The plugin's own Python, read statically: python/plugin_routes.py run by `python3` (its `ast`
 * module only; nothing of the plugin is imported or run). What each SimpleAPI handler serves, how
 * it authenticates, and which channels its WebSocketAPI allows, for holding the mock against it.
 * @module
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { messageOf } from './errors.js';

/** The reader script: beside the built harness (dist/harness/python/), or beside this file in src/harness/. */
export const READER = join(import.meta.dirname, 'python', 'plugin_routes.py');

/** How a handler class authenticates: a mixin's kind, its own `authenticate()`, or neither (always 401). */
export type PythonAuth = 'staff' | 'patient' | 'api-key' | 'basic' | 'own' | 'none';

/** A route that only renders a file of the folder: the file, or a folder with a path parameter. */
export type PythonServes = { file: string } | { folder: string; param: string; names: string[] | null };

/** One route of a SimpleAPI handler (or a SimpleAPIRoute's method). */
export interface PythonRoute {
  /** Upper case. */
  method: string;
  /** PREFIX + the decorator's path, as Canvas matches it (`/app/tasks/<id>`). */
  path: string;
  line: number;
  /** The method's name. */
  function: string;
  /** Set when the route only renders a file with a content type: the harness serves it without a mock line. */
  serves?: PythonServes;
  /** The fixed content type of a file-only route. */
  content_type?: string | null;
  /** Per file name, when the content type is looked up (`STATIC[name]`). */
  content_types?: Record<string, string> | null;
  /** Its constant headers, lower-case names. */
  headers?: Record<string, string>;
}

/** A channel the WebSocketAPI's authenticate() names: a pattern (`staff-<id>`), or a regex it matches. */
export type PythonChannel = ({ pattern: string } | { regex: string }) & { line: number };

/** A SimpleAPI, SimpleAPIRoute or WebSocketAPI class of the plugin. */
export interface PythonHandler {
  /** Relative to the plugin folder. */
  file: string;
  line: number;
  class: string;
  kind: 'api' | 'route' | 'socket';
  /** Whether CANVAS_MANIFEST.json lists it under handlers (Canvas loads only those); null: the manifest lists none. */
  listed: boolean | null;
  auth: PythonAuth;
  routes: PythonRoute[];
  /** The channels a WebSocketAPI's authenticate() names; null when it names none the reader understands. */
  channels: PythonChannel[] | null;
  /** What the reader could not follow in this class. */
  problems: string[];
}

/** What the reader found in a plugin folder. */
export interface PythonReport {
  /** The interpreter's version. */
  python: string;
  /** How many .py files were read. */
  files: number;
  /** Files that do not parse. */
  errors: { file: string; line: number; col: number; message: string }[];
  handlers: PythonHandler[];
}

/** Why there is no report: no .py file in the folder, no interpreter, or the reader failed. */
export type PythonSkipped = { skipped: 'no-python-files' | 'no-interpreter' | 'failed'; reason: string };

/** Options of {@link readPython}. */
export interface ReadPythonOptions {
  /**
   * The interpreter's command.
   * @default 'python3'
   */
  python?: string;
  /**
   * How long the reader may take, in ms.
   * @default 15000
   */
  timeout?: number;
}

/** Whether `dir` holds a .py file (hidden folders, node_modules and __pycache__ skipped; a bounded look). */
export function hasPythonFiles(dir: string, depth = 6): boolean {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  if (entries.some((entry) => entry.isFile() && entry.name.endsWith('.py'))) return true;
  return depth > 0 && entries.some((entry) => entry.isDirectory() && !/^(\.|node_modules$|__pycache__$)/.test(entry.name) && hasPythonFiles(join(dir, entry.name), depth - 1));
}

/** Reads the plugin folder's Python with {@link READER}; never rejects. */
export function readPython(dir: string, { python = 'python3', timeout = 15_000 }: ReadPythonOptions = {}): Promise<PythonReport | PythonSkipped> {
  if (!hasPythonFiles(dir)) return Promise.resolve({ skipped: 'no-python-files', reason: 'no .py file in the plugin folder' });
  return new Promise((resolve) => {
    execFile(python, [READER, dir], { timeout, maxBuffer: 16 * 1024 * 1024, windowsHide: true }, (error, stdout, stderr) => {
      if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') return resolve({ skipped: 'no-interpreter', reason: `${python} is not installed (or not on PATH)` });
      if (error) return resolve({ skipped: 'failed', reason: `${python} ${READER} failed: ${String(stderr).trim().split('\n').at(-1) || messageOf(error)}` });
      try {
        resolve(JSON.parse(stdout) as PythonReport);
      } catch (parseError) {
        resolve({ skipped: 'failed', reason: `the reader's output is not JSON: ${messageOf(parseError)}` });
      }
    });
  });
}
