/**
 * When the mock platform's effects land, in a test: after some milliseconds (the platform's own
 * `apply`, exactly as in the harness), or after a number of finds, or when the test says so.
 * @module
 */
import type { Effect, PluginPlatform } from '../../demo/lib/platform.mjs';

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

/**
 * How a held effect lands: the same data calls the platform's own `apply` makes when its timer
 * fires (demo/lib/platform.mjs, EFFECTS), made now instead of on a timer.
 */
const LANDING: Record<Effect['type'], (effect: any, platform: PluginPlatform) => unknown> = {
  create_patient: (effect, platform) => platform.patients.add(effect),
  update_patient: ({ type, patient_id, ...fields }, platform) => platform.patients.update(patient_id, fields),
  add_command: (effect, platform) => platform.notes.addCommand(effect.note_id, { type: effect.command, text: effect.text, origin: effect.origin ?? platform.plugin }),
  create_task: ({ type, ...fields }, platform) => platform.tasks.add(fields),
  update_task: ({ type, task_id, ...fields }, platform) => platform.tasks.update(task_id, fields),
  complete_task: (effect, platform) => platform.tasks.update(effect.task_id, { status: 'completed' }),
  broadcast: (effect, platform) => platform.broadcast(effect.channel, effect.message),
};

interface Held {
  effect: Effect;
  /** Finds still to come; it lands when this reaches 0. */
  remaining: number;
  resolve: (record: unknown) => void;
  reject: (error: unknown) => void;
}

/** A matcher for `"METHOD /path"` with `<name>` segments, as route keys are written; every GET when undefined. */
function findMatcher(find: string | undefined): (request: CountedRequest) => boolean {
  if (find === undefined) return (request) => request.method === 'GET';
  if (typeof find !== 'string') throw new TypeError('effects.find must be "METHOD /path"');
  const source = find.split(/<\w+>/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+');
  const pattern = new RegExp(`^${source}$`);
  return (request) => pattern.test(`${request.method} ${request.path}`);
}

/**
 * The `apply` routes get in a test, and the hooks that land held effects.
 * @param platform - The plugin's view of the platform (its `apply` is used for `{ after }` timing).
 */
export function createEffects(platform: PluginPlatform, timing: EffectTiming | undefined, log: (line: string) => void) {
  const held: Held[] = [];
  const finds = timing != null && 'finds' in timing ? timing : undefined;
  if (finds && !(finds.finds >= 1)) throw new RangeError('effects.finds must be 1 or more (or Infinity)');
  const isFind = findMatcher(finds?.find);

  function landHeld(entry: Held): void {
    held.splice(held.indexOf(entry), 1);
    try {
      entry.resolve(LANDING[entry.effect.type](entry.effect, platform));
    } catch (error) {
      log(`effect ${entry.effect.type} failed when it landed: ${(error as Error)?.message ?? error}`);
      entry.reject(error);
    }
  }

  return {
    /** `platform.apply` as routes see it in a test. */
    apply(effect: Effect, options?: { after?: number }): Promise<unknown> {
      if (!finds || options?.after !== undefined) return platform.apply(effect, options);
      if (effect == null || typeof effect !== 'object' || !Object.hasOwn(LANDING, effect.type)) {
        throw new TypeError(`apply: unknown effect type "${(effect as Effect | null)?.type}" (known: ${Object.keys(LANDING).join(', ')})`);
      }
      const landed = new Promise((resolve, reject) => held.push({ effect: { ...effect }, remaining: finds.finds, resolve, reject }));
      // Nobody has to await it; a failure is logged.
      landed.catch(() => {});
      return landed;
    },
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
