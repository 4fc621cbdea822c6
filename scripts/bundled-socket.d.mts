import type { Plugin } from 'vite';

/** A rollup (and vite) plugin: `import ReconnectingWebSocket from 'reconnecting-websocket'` gets the trimmed copy. */
export const bundledSocket: Plugin;
