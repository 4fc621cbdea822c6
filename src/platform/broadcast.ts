/**
 * Broadcasts to the plugin's sockets: checked here, framed as Canvas frames them, and handed to
 * whichever transport registered its delivery (the harness's WebSocket server, the kit's sockets).
 * @module
 */
import type { Platform } from './types.js';
import { CHANNEL, fail } from './values.js';

/** A transport's delivery, as `setBroadcaster` registers it. */
export type Delivery = Parameters<Platform['setBroadcaster']>[0];

/** One platform's broadcasts. */
export interface Broadcasts {
  /** Registers the transport's delivery (null: none; broadcasts then reach no socket). */
  setDelivery(deliver: Delivery): void;
  /** Sends `{"message": message}` on `channel` to `plugin`'s sockets (null: every plugin's); returns how many got it. */
  send(plugin: string | null, channel: string, message: Record<string, unknown>): number;
}

/**
 * Throws unless `channel` is a channel name and `message` an object.
 * Both come from mock modules unchecked, hence the `unknown`.
 */
export function checkBroadcast(channel: unknown, message: unknown): void {
  if (typeof channel !== 'string' || !CHANNEL.test(channel)) fail(`broadcast: channel "${String(channel)}" must match [\\w-]+ (letters, digits, _ and -)`);
  if (!message || typeof message !== 'object' || Array.isArray(message)) fail('broadcast: the message must be an object (Canvas Broadcast takes a dict)');
}

/** The broadcasts of one platform, with no delivery until a transport registers one. */
export function createBroadcasts(): Broadcasts {
  let deliver: Delivery = null;
  return {
    setDelivery(fn) {
      deliver = fn;
    },
    send(plugin, channel, message) {
      checkBroadcast(channel, message);
      const frame = JSON.stringify({ message });
      return deliver ? deliver(plugin, channel, frame) : 0;
    },
  };
}
