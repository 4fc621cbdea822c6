/**
 * The mock Canvas platform: everything a plugin's backend sees that is not a transport. Staff,
 * patients, notes and tasks in memory; effects that land after the answer (`apply`); broadcasts
 * to the plugin's sockets (`broadcast`, delivered by whatever transport registered itself);
 * a plugin's routes, socket rules and launch URLs from its mock module ({@link MockModule}).
 *
 * No Node APIs: the harness serves it over HTTP and WebSockets, and the test kit runs the same
 * code in a page with a fake `fetch` and `WebSocket`.
 * @module
 */
import { createBackend } from './backend.js';
import { createBroadcasts } from './broadcast.js';
import { createEffects, scheduleOnTimer } from './effects.js';
import { createRecords } from './records.js';
import { sampleData, sampleStaff } from './sample-data.js';
import type { Change, Platform, PlatformOptions } from './types.js';
import { messageOf } from './values.js';

export { parseBody } from './body.js';
export { canonicalId } from './ids.js';
export type {
  ApplyOptions, Change, Command, Effect, EffectScheduler, HandledResponse, Launch, MockModule, MockRequest, MockResponse, Note, Patient, Platform,
  PlatformOptions, PluginBackend, PluginPlatform, Route, SocketRequest, SocketRule, Staff, Task,
} from './types.js';

/**
 * Creates a mock platform with the sample chart: two staff members (the first signed in), five
 * patients, their notes, and tasks.
 * @param options - {@link PlatformOptions}; every option has a default.
 */
export function createPlatform({ effectDelay = 1200, now = new Date(), log = () => {}, schedule = scheduleOnTimer }: PlatformOptions = {}): Platform {
  const staffMembers = sampleStaff();
  const [me, other] = staffMembers;
  const listeners = new Set<(change: Change) => void>();
  const emit = (change: Change) => {
    // A copy: a listener may unsubscribe (or subscribe another) while it runs.
    for (const listener of [...listeners]) {
      try {
        listener(change);
      } catch (error) {
        log(`a change listener failed: ${messageOf(error)}`);
      }
    }
  };
  const records = createRecords({ data: sampleData(now, me, other), me, staffMembers, emit });
  const broadcasts = createBroadcasts();
  const effects = createEffects({ records, broadcasts, effectDelay, schedule, log });

  const platform: Platform = {
    staff: me,
    staffMembers,
    ...records,
    apply: (effect, options) => effects.apply(effect, options),
    broadcast: (channel, message) => broadcasts.send(null, channel, message),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setBroadcaster: broadcasts.setDelivery,
    plugin: (name, mock = {}) => createBackend(name, mock, { platform, effects, broadcasts }),
    close() {
      effects.cancelAll();
      listeners.clear();
      broadcasts.setDelivery(null);
    },
  };
  return platform;
}
