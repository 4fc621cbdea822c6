/**
 * The platform's records: notes here, the other kinds in their own files, all on one set of
 * lookups. Reads return copies; writes check their fields (they take what a mock module gives,
 * unchecked by any type) and report each change.
 * @module
 */
import { createChart } from './chart.js';
import { COMMANDS, commandByKey } from './commands.js';
import type { CommandFields } from './effect-types.js';
import { bool, checkFields, checkFilter, date, oneOf, string } from './fields.js';
import { canonicalId, uuid } from './ids.js';
import { createLookups } from './lookups.js';
import { createMessages } from './messages.js';
import { createPatients } from './patients.js';
import type { ChartData, Practice } from './sample-data.js';
import { createTasks } from './tasks.js';
import type { Change, Note, PluginPlatform } from './types.js';
import { copy, day, fail, text } from './values.js';

/** What the records need from their platform. */
export interface RecordsOptions {
  /** The records, changed in place. */
  data: ChartData;
  /** Staff ("me" first: the default provider of notes), locations, teams. */
  practice: Practice;
  /** Reports a change to the platform's listeners. */
  emit: (change: Change) => void;
  /** Reports a lookup by a key in another form (dashed, upper case), which Canvas would not find. */
  log: (line: string) => void;
}

/** The record stores of a platform, as `platform.patients`, `.tasks`… */
export type RecordStores = Pick<
  PluginPlatform,
  'patients' | 'notes' | 'tasks' | 'appointments' | 'messages' | 'careTeamMemberships' | 'conditions' | 'medications' | 'allergyIntolerances' | 'observations'
>;

/** A command's fields as the note holds them: checked against the command class, `note_uuid` apart. */
export function checkCommand(where: string, constant: keyof CommandFields, data: unknown): { command_uuid: string | null; fields: Record<string, unknown> } {
  const spec = { note_uuid: string(100), command_uuid: (v: unknown, n: string) => (v === null ? null : canonicalId(v) ?? fail(`${n} must be a UUID (got ${JSON.stringify(v)})`)), ...COMMANDS[constant].spec };
  const { command_uuid = null, note_uuid: _note, ...fields } = checkFields(where, data, spec, []) as Record<string, unknown>;
  if (constant === 'REASON_FOR_VISIT' && fields.structured === true && !fields.coding) fail(`${where}: a structured reason for visit needs a coding`);
  return { command_uuid: command_uuid as string | null, fields };
}

/** Adds a command to an open note, as `ORIGINATE_<KEY>_COMMAND` lands. */
export type Originate = (where: string, constant: keyof CommandFields, noteId: unknown, data: Record<string, unknown>, commit: boolean, origin?: string | null) => Note;

/** The writes effects check and land with: the stores' own, with the `where` of their messages. */
export interface EffectWrites {
  /** Patient effects. */
  patients: ReturnType<typeof createPatients>;
  /** Task effects. */
  tasks: ReturnType<typeof createTasks>;
  /** Message effects. */
  messages: ReturnType<typeof createMessages>;
  /** Command effects. */
  originate: Originate;
  /** The note with this id, or null. */
  note(id: unknown): Note | null;
}

/** The records of one platform. */
/** What `notes.add()` takes. */
const NOTE_FIELDS = { patient_id: string(100, true), type: string(100), date, status: oneOf({ OPEN: 'open', SIGNED: 'signed' }), provider_id: string(100) };

export function createRecords({ data, practice, emit, log }: RecordsOptions): RecordStores & { writes: EffectWrites } {
  const lookups = createLookups(data, practice, emit, log);
  const [me] = practice.staff;
  const findNote = (id: unknown) => data.notes.find((n) => n.id === canonicalId(id)) ?? null;
  const noteChanged = (note: Note, action: Change['action']) => {
    lookups.emit({ kind: 'note', action, id: note.id, note_id: note.id, patient_id: note.patient_id, staff_ids: note.provider_id ? [note.provider_id] : [], record: note });
    return copy(note);
  };

  const notes: PluginPlatform['notes'] = {
    list(filter = {}) {
      checkFilter('notes.list', filter, ['patient_id']);
      const { patient_id } = filter;
      return data.notes.filter((n) => patient_id === undefined || n.patient_id === patient_id).sort((a, b) => b.date.localeCompare(a.date)).map(copy);
    },
    get(id) {
      const found = findNote(id);
      return found && copy(found);
    },
    add(given = {} as Parameters<PluginPlatform['notes']['add']>[0]) {
      // Checked as every other write is: an unknown key or a bad status is an error, not dropped.
      const fields = checkFields('notes.add', given, NOTE_FIELDS, ['patient_id']);
      const patient = lookups.needPatient(fields.patient_id, 'notes.add');
      const provider = fields.provider_id === undefined ? me! : lookups.needStaff(fields.provider_id, 'notes.add: provider_id');
      const note: Note = {
        id: uuid(), patient_id: patient.id, type: text(fields.type) || 'Office visit', date: fields.date ?? day(new Date(), 0),
        status: fields.status ?? 'open', provider: provider.name, provider_id: provider.id, commands: [],
      };
      data.notes.push(note);
      return noteChanged(note, 'created');
    },
    addCommand(id, command = {} as Parameters<PluginPlatform['notes']['addCommand']>[1]) {
      const where = 'notes.addCommand';
      const { schema_key, data: fields = {}, commit = false, origin, command_uuid } = checkFields(where, command, { schema_key: string(50), data: (v) => v, commit: bool, origin: string(100), command_uuid: string(100) }, ['schema_key']) as {
        schema_key: string; data?: Record<string, unknown>; commit?: boolean; origin?: string; command_uuid?: string;
      };
      const kind = commandByKey(schema_key) ?? fail(`${where}: unknown command "${schema_key}"; the platform has ${Object.values(COMMANDS).map((c) => c.schema_key).join(', ')}`);
      return originate(`${where}: ${schema_key}`, kind.constant, id, { ...fields, command_uuid }, commit, origin);
    },
  };

  /**
   * Adds a command to an open note: what `ORIGINATE_<KEY>_COMMAND` lands with.
   * @throws TypeError for an unknown or signed note, or a field the command does not take.
   */
  const originate: Originate = (where, constant, noteId, data, commit, origin) => {
    const note = findNote(noteId) ?? fail(`${where}: no note ${JSON.stringify(noteId)}`);
    if (note.status !== 'open') fail(`${where}: note ${note.id} is signed: commands go into open notes only`);
    const { command_uuid, fields } = checkCommand(where, constant, { ...data, note_uuid: note.id });
    if (command_uuid && note.commands.some((c) => c.id === command_uuid)) fail(`${where}: the note has a command ${command_uuid} already`);
    const kind = COMMANDS[constant];
    note.commands.push({
      id: command_uuid ?? uuid(), schema_key: kind.schema_key, type: kind.label, text: kind.summary(fields), data: fields, committed: commit,
      ...(origin ? { origin } : {}), added: new Date().toISOString(),
    });
    return noteChanged(note, 'updated');
  };

  const patients = createPatients(lookups);
  const tasks = createTasks(lookups);
  const messages = createMessages(lookups);
  return {
    patients: { list: patients.list, get: patients.get, find: patients.find, add: patients.add, update: patients.update },
    notes,
    tasks: { list: tasks.list, get: tasks.get, add: tasks.add, update: tasks.update, comment: tasks.comment, labels: tasks.labels },
    messages: { list: messages.list, get: messages.get, add: messages.add, update: messages.update, send: messages.send },
    ...createChart(lookups),
    writes: { patients, tasks, messages, originate, note: (id) => (findNote(id) ? copy(findNote(id)!) : null) },
  };
}
