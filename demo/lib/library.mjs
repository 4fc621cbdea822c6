/** The built library files a plugin page loads (each self-contained, licence banner included), in dist/. */
export const LIBRARY_FILES = Object.freeze(['canvas-companion.mjs', 'canvas-companion.umd.js', 'canvas-companion.umd.min.js']);
