/** Debian's Chromium, used when CHROMIUM_PATH is unset or empty. */
export const DEFAULT_CHROMIUM: string;
/** The Chromium executable to launch: `CHROMIUM_PATH`, else {@link DEFAULT_CHROMIUM}. */
export function chromiumPath(env?: Record<string, string | undefined>): string;
/** Launch flags that keep a headless Chromium off the (closed) network and quiet. */
export const CHROMIUM_ARGS: readonly string[];
