/**
 * Where the harness finds what it serves. This file is two levels below the package root both
 * built (dist/harness/harness.mjs) and as source (src/harness/, as the tests import it).
 * @module
 */
import { join } from 'node:path';

/** The package root (a checkout of canvas-companion, or the installed package). */
export const ROOT = join(import.meta.dirname, '..', '..');

/** The demo plugin folder: shown when no other plugin is given, or with `demo: true`. */
export const DEMO_PLUGIN_DIR = join(ROOT, 'demo', 'plugin');

/** The shell's built files (index.html, shell.css, shell.js), written by the build next to the harness. */
export const SHELL_DIR = join(ROOT, 'dist', 'harness', 'shell');

/** The built library files a plugin page loads (each self-contained, licence banner included), in dist/. */
export const LIBRARY_FILES: readonly string[] = Object.freeze(['canvas-companion.mjs', 'canvas-companion.umd.js', 'canvas-companion.umd.min.js']);
