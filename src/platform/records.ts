/**
 * The platform's patients, notes and tasks: reads that return copies, writes that check their
 * fields (they take what a mock module gives, unchecked by any type) and report each change.
 * @module
 */
import { canonicalId, uuid } from './ids.js';
import type { ChartData, StoredTask } from './sample-data.js';
import type { Change, Note, Patient, PluginPlatform, Staff, Task } from './types.js';
import { copy, day, fail, same, text } from './values.js';

/** The fields of a new patient, checked. */
type NewPatientFields = Pick<Patient, 'first_name' | 'last_name' | 'birth_date'> & { sex?: string };
/** Fields of a patient to change, checked. */
type PatientChanges = Partial<Pick<Patient, 'first_name' | 'last_name' | 'birth_date' | 'sex'>>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** What the writes take; JS callers may leave them out, and the checks then say what is missing. */
type NoteFields = Parameters<PluginPlatform['notes']['add']>[0];
type CommandFields = Parameters<PluginPlatform['notes']['addCommand']>[1];
type TaskFields = Parameters<PluginPlatform['tasks']['add']>[0];

/** Open tasks list before completed ones. */
const STATUS_ORDER: Record<Task['status'], number> = { open: 0, completed: 1 };

/**
 * A patient's fields, checked and trimmed: names 1 to 100 characters, a YYYY-MM-DD birth date,
 * and `sex` as a string. With `partial`, only the fields given are checked and returned.
 * @throws TypeError naming the first field that is wrong.
 */
export function checkPatientFields(fields: Readonly<Record<string, unknown>>, partial: false): NewPatientFields;
export function checkPatientFields(fields: Readonly<Record<string, unknown>>, partial: true): PatientChanges;
export function checkPatientFields(fields: Readonly<Record<string, unknown>>, partial: boolean): PatientChanges {
  const out: PatientChanges = {};
  for (const key of ['first_name', 'last_name'] as const) {
    if (fields[key] === undefined && partial) continue;
    const value = text(fields[key]);
    if (!value || value.length > 100) fail(`${key} must be a non-empty string of at most 100 characters`);
    out[key] = value;
  }
  if (fields.birth_date !== undefined || !partial) {
    const birthDate = fields.birth_date;
    if (typeof birthDate !== 'string' || !DATE.test(birthDate) || Number.isNaN(Date.parse(birthDate))) fail('birth_date must be a date, YYYY-MM-DD');
    out.birth_date = birthDate;
  }
  if (fields.sex !== undefined) out.sex = String(fields.sex);
  return out;
}

/** What the records need from their platform. */
export interface RecordsOptions {
  /** The records, changed in place. */
  data: ChartData;
  /** "me": the default provider of notes and assignee of tasks. */
  me: Staff;
  /** The staff whose names tasks show. */
  staffMembers: readonly Staff[];
  /** Reports a change to the platform's listeners. */
  emit: (change: Change) => void;
}

/** The patients, notes and tasks of one platform, as `platform.patients`, `.notes` and `.tasks`. */
export function createRecords({ data, me, staffMembers, emit }: RecordsOptions): Pick<PluginPlatform, 'patients' | 'notes' | 'tasks'> {
  const findPatient = (id: unknown) => data.patients.find((p) => p.id === canonicalId(id)) ?? null;
  const findNote = (id: unknown) => data.notes.find((n) => n.id === canonicalId(id)) ?? null;
  const findTask = (id: unknown) => data.tasks.find((x) => x.id === canonicalId(id)) ?? null;
  const needPatient = (id: unknown, what: string) => findPatient(id) ?? fail(`${what}: no patient ${String(id)}`);

  const patients: PluginPlatform['patients'] = {
    list: () => [...data.patients].sort((a, b) => a.last_name.localeCompare(b.last_name) || a.first_name.localeCompare(b.first_name)).map(copy),
    get(id) {
      const found = findPatient(id);
      return found && copy(found);
    },
    find(fields = {}, { since } = {}) {
      const after = since === undefined ? -Infinity : Date.parse(since);
      if (Number.isNaN(after)) fail(`patients.find: since "${since}" is not a time`);
      return data.patients
        .filter((p) => Object.entries(fields).every(([key, value]) => value === undefined || same(p[key as keyof Patient], value)))
        // Not `>= after`: a record whose time does not parse is never excluded.
        .filter((p) => !(Date.parse(p.created) < after))
        .sort((a, b) => b.created.localeCompare(a.created))
        .map(copy);
    },
    add(fields) {
      const patient: Patient = { id: uuid(), sex: '', ...checkPatientFields(fields ?? {}, false), created: new Date().toISOString() };
      data.patients.push(patient);
      emit({ kind: 'patient', action: 'created', patient_id: patient.id, record: copy(patient) });
      return copy(patient);
    },
    update(id, fields) {
      const patient = needPatient(id, 'patients.update');
      Object.assign(patient, checkPatientFields(fields ?? {}, true));
      emit({ kind: 'patient', action: 'updated', patient_id: patient.id, record: copy(patient) });
      return copy(patient);
    },
  };

  const notes: PluginPlatform['notes'] = {
    list: ({ patient_id } = {}) => data.notes.filter((n) => patient_id === undefined || n.patient_id === canonicalId(patient_id)).sort((a, b) => b.date.localeCompare(a.date)).map(copy),
    get(id) {
      const found = findNote(id);
      return found && copy(found);
    },
    add(fields = {} as NoteFields) {
      const patient = needPatient(fields.patient_id, 'notes.add');
      const note: Note = {
        id: uuid(), patient_id: patient.id, type: text(fields.type) || 'Office visit', date: fields.date ?? day(new Date(), 0),
        status: fields.status === 'signed' ? 'signed' : 'open', provider: fields.provider ?? me.name, commands: [],
      };
      data.notes.push(note);
      emit({ kind: 'note', action: 'created', patient_id: note.patient_id, note_id: note.id, record: copy(note) });
      return copy(note);
    },
    addCommand(id, command = {} as CommandFields) {
      const note = findNote(id) ?? fail(`add_command: no note ${id}`);
      if (note.status !== 'open') fail(`add_command: note ${note.id} is signed`);
      const type = text(command.type) || fail('add_command: the command needs a type (e.g. "Vitals")');
      note.commands.push({ type, text: String(command.text ?? ''), ...(command.origin ? { origin: String(command.origin) } : {}), added: new Date().toISOString() });
      emit({ kind: 'note', action: 'updated', patient_id: note.patient_id, note_id: note.id, record: copy(note) });
      return copy(note);
    },
  };

  const staffName = (id: string) => staffMembers.find((s) => s.id === id)?.name ?? 'Unknown';
  /** A stored task as reads return it: a new object, with the patient's and the assignee's names. */
  const taskView = (x: StoredTask): Task => {
    const p = x.patient_id ? findPatient(x.patient_id) : null;
    return { ...x, patient: p && { id: p.id, name: `${p.first_name} ${p.last_name}` }, assignee: { id: x.assignee_id, name: staffName(x.assignee_id) } };
  };

  const tasks: PluginPlatform['tasks'] = {
    list({ assignee_id, patient_id, status } = {}) {
      return data.tasks
        .filter((x) => (assignee_id === undefined || x.assignee_id === assignee_id) && (patient_id === undefined || x.patient_id === canonicalId(patient_id)))
        .filter((x) => status === undefined || x.status === status)
        .sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.due.localeCompare(b.due) || a.created.localeCompare(b.created))
        .map(taskView);
    },
    get(id) {
      const found = findTask(id);
      return found ? taskView(found) : null;
    },
    add(fields = {} as TaskFields) {
      const title = text(fields.title);
      if (!title || title.length > 500) fail('create_task: title must be a non-empty string');
      const patient_id = fields.patient_id == null ? null : needPatient(fields.patient_id, 'create_task').id;
      const task: StoredTask = {
        id: uuid(), title, patient_id, assignee_id: fields.assignee_id ?? me.id, due: fields.due ?? day(new Date(), 0), status: 'open', created: new Date().toISOString(),
      };
      data.tasks.push(task);
      emit({ kind: 'task', action: 'created', task_id: task.id, patient_id, staff_ids: [task.assignee_id], record: taskView(task) });
      return taskView(task);
    },
    update(id, fields = {}) {
      const task = findTask(id) ?? fail(`update_task: no task ${id}`);
      if (fields.status !== undefined && fields.status !== 'open' && fields.status !== 'completed') fail('update_task: status is "open" or "completed"');
      if (fields.status !== undefined) task.status = fields.status;
      if (fields.title !== undefined) task.title = text(fields.title) || fail('update_task: title must be a non-empty string');
      if (fields.due !== undefined) task.due = String(fields.due);
      emit({ kind: 'task', action: 'updated', task_id: task.id, patient_id: task.patient_id, staff_ids: [task.assignee_id], record: taskView(task) });
      return taskView(task);
    },
  };

  return { patients, notes, tasks };
}
