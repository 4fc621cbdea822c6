/**
 * When the mock platform's effects land, in a test: after some milliseconds (the platform's own
 * timer, exactly as in the harness), or after a number of finds, or when the test says so. The
 * platform core checks and lands every effect; this only decides when, as its scheduler.
 * @module
 */
import type { EffectScheduler } from '../platform/index.js';

/**
 * When an effect that a route applies without its own `after` lands:
 * - `{ after: ms }`: that many milliseconds after `apply()` (fake timers move it too);
 * - `{ finds: n, find? }`: just before the n-th `find` request after `apply()` is answered, so
 *   that request sees it. `find` is `"METHOD /path"` like a route key (`'GET /app/find'`,
 *   `'GET /app/tasks/<id>'`; the query does not count); when left out every GET counts.
 *   `finds: Infinity` holds effects until the test calls `platform.land()`.
 */
export type EffectTiming = { after: number } | { finds: number; find?: string };

/** A request, as the effect timing sees it. */
export interface CountedRequest {
  method: string;
  /** Relative to the plugin, without the query. */
  path: string;
}

interface Held {
  land: () => void;
  /** Finds still to come; it lands when this reaches 0. */
  remaining: number;
}

/**
 * A matcher for `"METHOD /path"` with `<name>` segments (each one path segment), as route keys
 * are written. Used by `effects.find` and by `platform.count()`.
 */
export function requestPattern(pattern: string): (request: CountedRequest) => boolean {
  const source = pattern.split(/<\w+>/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+');
  const compiled = new RegExp(`^${source}$`);
  return (request) => compiled.test(`${request.method} ${request.path}`);
}

/** What counts as a find: `find`, or every GET when undefined. */
function findMatcher(find: string | undefined): (request: CountedRequest) => boolean {
  if (find === undefined) return (request) => request.method === 'GET';
  if (typeof find !== 'string') throw new TypeError('effects.find must be "METHOD /path"');
  return requestPattern(find);
}

/**
 * The platform core's effect scheduler for `timing`, and the hooks that land held effects.
 * Effects with a route's own `after`, and all effects under `{ after }` timing, go on a timer.
 */
export function createEffects(timing: EffectTiming | undefined) {
  const held: Held[] = [];
  const finds = timing != null && 'finds' in timing ? timing : undefined;
  if (finds && !(finds.finds >= 1)) throw new RangeError('effects.finds must be 1 or more (or Infinity)');
  const isFind = findMatcher(finds?.find);

  function landHeld(entry: Held): void {
    const index = held.indexOf(entry);
    if (index < 0) return;
    held.splice(index, 1);
    entry.land();
  }

  const schedule: EffectScheduler = (land, after, defaulted) => {
    if (!finds || !defaulted) {
      const timer = setTimeout(land, after);
      return () => clearTimeout(timer);
    }
    const entry: Held = { land, remaining: finds.finds };
    held.push(entry);
    return () => {
      const index = held.indexOf(entry);
      if (index >= 0) held.splice(index, 1);
    };
  };

  return {
    schedule,
    /** Called as each request arrives, before it is answered. */
    arrived(request: CountedRequest): void {
      if (!finds || !isFind(request)) return;
      for (const entry of [...held]) {
        entry.remaining -= 1;
        if (entry.remaining <= 0) landHeld(entry);
      }
    },
    /** Lands every held effect now; returns how many. */
    landAll(): number {
      const all = [...held];
      all.forEach(landHeld);
      return all.length;
    },
  };
}
