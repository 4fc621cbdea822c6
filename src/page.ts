/**
 * The page's window and global object, read so that page code cannot shadow or replace them.
 * @module
 * @internal
 */

/**
 * The page's window, or `undefined` outside a browser (SSR, Node tooling). Read through the
 * `window` binding, which page code cannot shadow or replace (unlike `parent`, `self` or `globalThis`).
 */
export function pageWindow(): Window | undefined {
  return typeof window === 'object' ? window : undefined;
}

/**
 * The global object: the page's window in a browser (a page's `var globalThis = null` cannot
 * take it away), else `globalThis`. The page-wide state and the default `fetch` and `WebSocket`
 * are read from it.
 */
export function globalScope(): typeof globalThis {
  // In a browser the window is the global object, so it has every global's type.
  return (pageWindow() ?? globalThis) as typeof globalThis;
}
