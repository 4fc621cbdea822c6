/**
 * Effects: what a route asks Canvas to do after it answers. `apply` checks an effect at once (so
 * a mistake throws in the route, a 500 with the message) and lands it later, when the scheduler
 * says: a timer by default, or the test kit's count of finds.
 * @module
 */
import { checkBroadcast, type Broadcasts } from './broadcast.js';
import { canonicalId } from './ids.js';
import { checkPatientFields } from './records.js';
import type { ApplyOptions, Effect, EffectScheduler, PluginPlatform } from './types.js';
import { fail, messageOf, text } from './values.js';

/** An effect of one type, as `apply` receives it. */
type EffectOf<T extends Effect['type']> = Extract<Effect, { type: T }>;
/** An effect as it lands: with the plugin that applied it (null: the platform itself). */
type Landing<T extends Effect['type']> = EffectOf<T> & { plugin: string | null };

/** What one effect type does. */
interface EffectKind<T extends Effect['type']> {
  /** Runs in `apply()`, so a mistake throws in the route that applied it. Its fields come from JS unchecked. */
  check(effect: EffectOf<T>): void;
  /** Runs when the effect lands; resolves `apply()`'s promise. */
  land(effect: Landing<T>): unknown;
}
/**
 * Any effect's kind, as `apply` calls it: with the effect it was looked up by. Methods (checked
 * both ways) so that each `EffectKind` is one; TypeScript cannot pair a union's kind and effect.
 */
interface AnyEffectKind {
  check(effect: Effect): void;
  land(effect: Landing<Effect['type']>): unknown;
}

/** The default scheduler: lands `land` after `after` ms on a timer; returns the cancel. */
export const scheduleOnTimer: EffectScheduler = (land, after) => {
  const timer = setTimeout(land, after);
  return () => clearTimeout(timer);
};

/** What the effects need from their platform. */
export interface EffectsOptions {
  /** The records effects change. */
  records: Pick<PluginPlatform, 'patients' | 'notes' | 'tasks'>;
  /** Where `broadcast` effects go. */
  broadcasts: Broadcasts;
  /** Milliseconds before an effect lands when `apply()` is given no `after`. */
  effectDelay: number;
  /** Decides when each effect lands. */
  schedule: EffectScheduler;
  /** Reports an effect that failed when it landed. */
  log: (line: string) => void;
}

/** One platform's effects. */
export interface Effects {
  /**
   * Checks `effect` now and lands it later; the promise resolves with what landing returned (the
   * record), or rejects (and logs) when landing failed. `plugin` is who applied it.
   * @throws TypeError for an effect that is not an object, of an unknown type, or failing its check.
   */
  apply(effect: Effect, options?: ApplyOptions | null, plugin?: string | null): Promise<unknown>;
  /** Cancels every effect not landed yet. */
  cancelAll(): void;
}

/** The effects of one platform. */
export function createEffects({ records: { patients, notes, tasks }, broadcasts, effectDelay, schedule, log }: EffectsOptions): Effects {
  const kinds: { [T in Effect['type']]: EffectKind<T> } = {
    create_patient: { check: (e) => checkPatientFields(e, false), land: (e) => patients.add(e) },
    update_patient: {
      check: (e) => (canonicalId(e.patient_id) ?? fail('update_patient needs a patient_id'), checkPatientFields(e, true)),
      land: ({ type, patient_id, ...fields }) => patients.update(patient_id, fields),
    },
    add_command: {
      check: (e) => (canonicalId(e.note_id) ?? fail('add_command needs a note_id'), text(e.command) || fail('add_command needs a command type, e.g. "Vitals"')),
      // An origin the effect names wins over the plugin that applied it.
      land: (e) => notes.addCommand(e.note_id, { type: e.command, text: e.text, origin: e.origin ?? e.plugin ?? undefined }),
    },
    create_task: { check: (e) => text(e.title) || fail('create_task needs a title'), land: ({ type, ...fields }) => tasks.add(fields) },
    update_task: { check: (e) => canonicalId(e.task_id) ?? fail('update_task needs a task_id'), land: ({ type, task_id, ...fields }) => tasks.update(task_id, fields) },
    complete_task: { check: (e) => canonicalId(e.task_id) ?? fail('complete_task needs a task_id'), land: (e) => tasks.update(e.task_id, { status: 'completed' }) },
    broadcast: { check: (e) => checkBroadcast(e.channel, e.message), land: (e) => broadcasts.send(e.plugin, e.channel, e.message) },
  };
  /** Cancels of the effects scheduled and not landed yet. */
  const scheduled = new Set<() => void>();

  function apply(effect: Effect, options: ApplyOptions | null = {}, plugin: string | null = null): Promise<unknown> {
    if (!effect || typeof effect !== 'object') fail('apply(effect): the effect must be an object { type, ... }');
    // Own keys only: an effect type "toString" is unknown, not Object.prototype's.
    const kind: AnyEffectKind = Object.hasOwn(kinds, effect.type)
      ? kinds[effect.type]
      : fail(`apply: unknown effect type "${String(effect.type)}" (known: ${Object.keys(kinds).join(', ')})`);
    const own = options?.after !== undefined;
    const after = own ? options.after : effectDelay;
    if (typeof after !== 'number' || !(after >= 0)) fail('apply: after must be a number of milliseconds >= 0');
    kind.check(effect);
    const pending = { ...effect, plugin: (effect as { plugin?: string | null }).plugin ?? plugin };
    const landed = new Promise<unknown>((resolve, reject) => {
      let cancel: (() => void) | null = null;
      let done = false;
      const land = () => {
        if (done) return;
        done = true;
        if (cancel) scheduled.delete(cancel);
        try {
          resolve(kind.land(pending));
        } catch (error) {
          log(`effect ${effect.type} failed when it landed: ${messageOf(error)}`);
          reject(error);
        }
      };
      cancel = schedule(land, after, !own);
      // A scheduler may land it at once; only one still to land can be cancelled.
      if (!done && typeof cancel === 'function') scheduled.add(cancel);
    });
    // A failed effect is logged; nobody has to await it.
    landed.catch(() => {});
    return landed;
  }

  return {
    apply,
    cancelAll() {
      for (const cancel of [...scheduled]) cancel();
      scheduled.clear();
    },
  };
}
