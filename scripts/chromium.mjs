// Where the browser tests, the benchmarks and scripts/ensure-chromium.mjs find Chromium: the
// CHROMIUM_PATH environment variable when set (any Chromium or Chrome build), else Debian's.

/** Debian's Chromium, used when CHROMIUM_PATH is unset or empty. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/**
 * The Chromium executable to launch: `CHROMIUM_PATH`, else {@link DEFAULT_CHROMIUM}.
 * @param {Record<string, string | undefined>} [env]
 * @returns {string}
 */
export function chromiumPath(env = process.env) {
  return env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
}

/**
 * Launch flags that keep a headless Chromium off the (closed) network and quiet.
 * @type {readonly string[]}
 */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
