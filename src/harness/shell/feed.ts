/**
 * The shell's own live feed (/companion/live/, not a plugin channel): `{type: 'changed'}` makes the
 * companion load its data again; every other frame is a TraceUpdate for the inspector. On each
 * (re)connect the inspector reads the whole trace, since updates sent meanwhile were missed.
 * @module
 */
import { loadConditions } from './network.js';
import { applyUpdate, loadTrace } from './trace-state.js';

/** What the feed calls back. */
export interface FeedHooks {
  /** The mock data changed: load the page's data again. */
  changed(): void;
}

let hooks: FeedHooks;
let socket: WebSocket | null = null;
let timer: number | undefined;
let delay = 1000;

function onFrame(event: MessageEvent): void {
  let update: unknown;
  try {
    update = JSON.parse(String(event.data));
  } catch {
    return;
  }
  if (!update || typeof update !== 'object') return;
  if ((update as { type?: unknown }).type === 'changed') hooks.changed();
  else applyUpdate(update as { type?: unknown });
}

/** Opens the feed (again, closing the old one); `reconnect` also reloads the page's data. */
export function connectFeed(reconnect = false): void {
  clearTimeout(timer);
  socket?.close();
  const ws = (socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/companion/live/`));
  ws.addEventListener('open', () => {
    delay = 1000;
    if (reconnect) hooks.changed();
    void loadTrace().then((ok) => (ok ? undefined : loadConditions()));
  });
  // Frames still buffered on a feed replaced since (a sign-in) belong to the session before.
  ws.addEventListener('message', (event) => {
    if (socket === ws) onFrame(event);
  });
  ws.addEventListener('close', () => {
    if (socket !== ws) return;
    timer = window.setTimeout(() => connectFeed(true), delay);
    delay = Math.min(delay * 2, 15_000);
  });
}

/** Starts the feed. */
export function startFeed(feedHooks: FeedHooks): void {
  hooks = feedHooks;
  connectFeed();
}

/** Connects again at once (after a sign-in: the feed follows the session's cookie). */
export function restartFeed(): void {
  delay = 1000;
  connectFeed(true);
}
