/**
 * Effects: what a route asks Canvas to do after it answers, in the SDK's vocabulary (`type` the
 * `EffectType` name, `data` the SDK class's keyword arguments). `apply` checks an effect at once
 * (so a mistake throws in the route, a 500 with the message) and lands it later, when the
 * scheduler says: a timer by default, or the test kit's count of finds.
 * @module
 */
import { checkBroadcast, type Broadcasts } from './broadcast.js';
import { COMMANDS } from './commands.js';
import type { CommandFields, Effect } from './effect-types.js';
import { bool, checkFields, dict, int, string } from './fields.js';
import type { MessageMethod } from './messages.js';
import { checkCommand, type EffectWrites } from './records.js';
import type { ApplyOptions, Change, EffectReport, EffectScheduler } from './types.js';
import { fail, messageOf, nearest } from './values.js';

/** An effect as `apply` reads it: from JS, unchecked. */
type Given = Record<string, unknown> & { type: string };

/** What one effect type does. */
interface EffectKind {
  /** Top-level keys besides `type` (most: just `data`). */
  keys: readonly string[];
  /** Runs in `apply()`, so a mistake throws in the route that applied it. */
  check(effect: Given): void;
  /** Runs when the effect lands; its value resolves `apply()`'s promise. `plugin`: who applied it. */
  land(effect: Given, plugin: string | null): unknown;
}

/** The default scheduler: lands `land` after `after` ms on a timer; returns the cancel. */
export const scheduleOnTimer: EffectScheduler = (land, after) => {
  const timer = setTimeout(land, after);
  return () => clearTimeout(timer);
};

/** What the effects need from their platform. */
export interface EffectsOptions {
  /** The writes effects check and land with. */
  writes: EffectWrites;
  /** Where broadcast effects go. */
  broadcasts: Broadcasts;
  /** Milliseconds before an effect lands when `apply()` is given no `after`. */
  effectDelay: number;
  /** Decides when each effect lands. */
  schedule: EffectScheduler;
  /** Reports an effect that failed when it landed. */
  log: (line: string) => void;
  /** Gets each step of each effect (see {@link EffectReport}). */
  report: (report: EffectReport) => void;
  /** Runs `land`, adding the changes it makes (synchronously) to `into`. */
  watchChanges: <T>(into: Change[], land: () => T) => T;
}

/** One platform's effects. */
export interface Effects {
  /**
   * Checks `effect` now and lands it later; the promise resolves with what landing returned (the
   * record), or rejects when landing failed (logged) or the platform closed first. `plugin` is who applied it.
   * @throws TypeError for an effect that is not an object, of an unknown type, or failing its check.
   */
  apply(effect: Effect, options?: ApplyOptions | null, plugin?: string | null): Promise<unknown>;
  /** Cancels every effect not landed yet. */
  cancelAll(): void;
}

/** The lower-case names of 0.2's effects → what the SDK calls them now. */
const RENAMED: Readonly<Record<string, string>> = {
  create_patient: 'CREATE_PATIENT, with data { first_name, last_name, birthdate, sex_at_birth, … }',
  update_patient: 'UPDATE_PATIENT, with data { patient_id, … }',
  add_command: 'ORIGINATE_<KEY>_COMMAND, e.g. { type: "ORIGINATE_VITALS_COMMAND", data: { note_uuid, pulse: 72 } }',
  create_task: 'CREATE_TASK, with data { title, assignee_id, due, labels, … }',
  update_task: 'UPDATE_TASK, with data { id, status, … }',
  complete_task: 'UPDATE_TASK, with data { id, status: "COMPLETED" }',
  broadcast: 'SIMPLE_API_WEBSOCKET_BROADCAST, with data { channel, message }',
};

/** The Message effect's methods, by effect type. */
const MESSAGE_METHODS: Readonly<Record<string, MessageMethod>> = {
  CREATE_MESSAGE: 'create', CREATE_AND_SEND_MESSAGE: 'create_and_send', SEND_MESSAGE: 'send', EDIT_MESSAGE: 'edit',
};

/** The effect types and what each does. */
function effectKinds({ patients, tasks, messages, originate, note }: EffectWrites, broadcasts: Broadcasts): Record<string, EffectKind> {
  const data = (type: string, check: (where: string, value: unknown) => void, land: (where: string, value: unknown, plugin: string | null) => unknown): EffectKind => ({
    keys: ['data'],
    check: (effect) => check(`${type} data`, effect.data),
    land: (effect, plugin) => land(`${type} data`, effect.data, plugin),
  });
  const kinds: Record<string, EffectKind> = {
    CREATE_PATIENT: data('CREATE_PATIENT', (where, value) => patients.check(where, value, true), (where, value) => patients.create(where, value)),
    UPDATE_PATIENT: data('UPDATE_PATIENT', (where, value) => patients.check(where, value, false), (where, value) => patients.change(where, dict(value, where).patient_id, value)),
    CREATE_TASK: data('CREATE_TASK', (where, value) => tasks.check(where, value, 'add'), (where, value) => tasks.create(where, value)),
    UPDATE_TASK: data('UPDATE_TASK', (where, value) => tasks.check(where, value, 'update'), (where, value) => tasks.change(where, value)),
    CREATE_TASK_COMMENT: data('CREATE_TASK_COMMENT', (where, value) => tasks.check(where, value, 'comment'), (where, value) => tasks.addComment(where, value)),
    SIMPLE_API_WEBSOCKET_BROADCAST: data(
      'SIMPLE_API_WEBSOCKET_BROADCAST',
      (where, value) => {
        const { channel, message } = checkFields(where, value, { channel: string(), message: dict }, ['channel', 'message']);
        checkBroadcast(channel, message);
      },
      (where, value, plugin) => broadcasts.send(plugin, String(dict(value, where).channel), dict(value, where).message as Record<string, unknown>),
    ),
    CUSTOM: {
      keys: ['name', 'run'],
      check(effect) {
        string(200, true)(effect.name, 'CUSTOM: name');
        if (typeof effect.run !== 'function') fail(`CUSTOM: run must be a function, called when the effect lands (got ${typeof effect.run})`);
      },
      land: (effect) => (effect.run as () => unknown)(),
    },
  };
  for (const [type, method] of Object.entries(MESSAGE_METHODS)) {
    kinds[type] = data(type, (where, value) => messages.check(where, value, method), (where, value) => messages.land(where, value, method));
  }
  for (const constant of Object.keys(COMMANDS) as (keyof CommandFields)[]) {
    const type = `ORIGINATE_${constant}_COMMAND`;
    const options = (effect: Given) => ({ line: effect.line_number === undefined ? -1 : int(-1)(effect.line_number, `${type}: line_number`), commit: effect.commit === undefined ? false : bool(effect.commit, `${type}: commit`) });
    kinds[type] = {
      keys: ['data', 'line_number', 'commit'],
      check(effect) {
        options(effect);
        const where = `${type} data`;
        checkCommand(where, constant, effect.data);
        const noteUuid = dict(effect.data, where).note_uuid;
        if (noteUuid === undefined) fail(`${where}: note_uuid is required (the note the command goes into)`);
        if (!note(noteUuid)) fail(`${where}: no note ${JSON.stringify(noteUuid)}`);
      },
      land(effect, plugin) {
        const { note_uuid, ...fields } = dict(effect.data, `${type} data`);
        return originate(`${type} data`, constant, note_uuid, fields, options(effect).commit, plugin);
      },
    };
  }
  return kinds;
}

/** The effects of one platform. */
export function createEffects({ writes, broadcasts, effectDelay, schedule, log, report, watchChanges }: EffectsOptions): Effects {
  const kinds = effectKinds(writes, broadcasts);
  const accepted = () => Object.keys(kinds).filter((type) => !type.startsWith('ORIGINATE_')).concat(`ORIGINATE_<KEY>_COMMAND (KEY: ${Object.keys(COMMANDS).join(', ')})`).join(', ');
  /** Cancels of the effects scheduled and not landed yet. */
  const scheduled = new Set<() => void>();
  let nextId = 1;

  /** The kind of `effect`, its shape checked: known type, known top-level keys, `data` where the type has it. */
  function kindOf(effect: Given): EffectKind {
    const type: unknown = effect.type;
    // Own keys only: an effect type "toString" is unknown, not Object.prototype's.
    if (typeof type !== 'string' || !Object.hasOwn(kinds, type)) {
      const hint = typeof type === 'string' ? RENAMED[type] ?? (Object.hasOwn(kinds, type.toUpperCase()) ? type.toUpperCase() : nearest(type, Object.keys(kinds))) : null;
      fail(`apply: unknown effect type ${JSON.stringify(type) ?? String(type)}${hint ? ` (the SDK's name: ${hint})` : ''}; accepted: ${accepted()}`);
    }
    const kind = kinds[type]!;
    const extra = Object.keys(effect).filter((key) => key !== 'type' && !kind.keys.includes(key));
    if (extra.length) {
      const inData = kind.keys.includes('data') ? `: the SDK class's fields go in data, as its payload {"data": …} has them ({ type: '${type}', data: { ${extra.join(', ')} } })` : '';
      fail(`apply: ${type} takes ${['type', ...kind.keys].join(', ')}, not ${extra.join(', ')}${inData}`);
    }
    if (kind.keys.includes('data') && effect.data === undefined) fail(`apply: ${type} needs data: the SDK class's fields ({ type: '${type}', data: { … } })`);
    return kind;
  }

  function apply(effect: Effect, options: ApplyOptions | null = {}, plugin: string | null = null): Promise<unknown> {
    if (!effect || typeof effect !== 'object') fail('apply(effect): the effect must be an object { type, data }');
    const given = effect as unknown as Given;
    const kind = kindOf(given);
    const own = options?.after !== undefined;
    const after = own ? options.after : effectDelay;
    if (typeof after !== 'number' || !(after >= 0)) fail('apply: after must be a number of milliseconds >= 0');
    kind.check(given);
    const label = given.type === 'CUSTOM' ? `CUSTOM "${String(given.name)}"` : given.type;
    const changes: Change[] = [];
    const base = { id: nextId++, plugin, effect, after, defaulted: !own };
    const tell = (state: EffectReport['state'], outcome: Pick<EffectReport, 'result' | 'error'> = { result: undefined, error: undefined }) =>
      report({ ...base, state, changes: [...changes], ...outcome });
    const landed = new Promise<unknown>((resolve, reject) => {
      let cancel: (() => void) | null = null;
      let done = false;
      const failed = (error: unknown) => {
        log(`effect ${label} failed when it landed: ${messageOf(error)}`);
        tell('failed', { result: undefined, error });
        reject(error);
      };
      const land = () => {
        if (done) return;
        done = true;
        if (cancel) scheduled.delete(cancel);
        try {
          // A custom effect's run may return a promise: its rejection is a failure too.
          Promise.resolve(watchChanges(changes, () => kind.land(given, plugin))).then((result) => {
            tell('landed', { result, error: undefined });
            resolve(result);
          }, failed);
        } catch (error) {
          failed(error);
        }
      };
      // Told before it is scheduled: a scheduler may land it at once.
      tell('scheduled');
      const cancelTimer = schedule(land, after, !own);
      // Only one still to land can be cancelled.
      if (done || typeof cancelTimer !== 'function') return;
      cancel = () => {
        done = true;
        cancelTimer();
        tell('cancelled');
        // Whoever awaits it learns it will never land, rather than waiting forever.
        reject(new Error(`effect ${label} was cancelled before it landed (the platform closed)`));
      };
      scheduled.add(cancel);
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
