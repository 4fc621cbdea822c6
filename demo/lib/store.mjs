/**
 * The mock Canvas data behind the harness: staff, patients, notes and tasks, in memory.
 * Every change emits one 'change' event, so the plugin's WebSocket and the shell can react.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';

/** The signed-in staff user ("me") and a colleague, whose channel the session may not use. */
export const STAFF = Object.freeze([
  Object.freeze({ id: '5f0a2c61-3b7e-4d0a-9c55-0c8e1a6b2d11', name: 'Dr. Ada Moreno', type: 'Staff' }),
  Object.freeze({ id: '9b3d7e42-6a1f-4c8b-8e27-4f5a9d0c3e22', name: 'Dr. Sam Okafor', type: 'Staff' }),
]);

const PATIENTS = [
  ['3e1f7a52-8c4d-4b6e-a1f0-2d9c8b7a6e51', 'Maria', 'Gonzalez', '1971-03-02', 'F'],
  ['7c2b9d14-5e3a-4f8b-b2c1-6a0e9d8f7c42', 'James', 'Carter', '1958-11-19', 'M'],
  ['a4d8e2f6-1b7c-4e9a-8d3b-5c2f1e0a9b83', 'Aiko', 'Tanaka', '1990-06-07', 'F'],
  ['d9e3f1a7-2c8b-4d5e-9f6a-1b0c3d2e4f94', 'Robert', 'Nguyen', '1984-01-23', 'M'],
  ['f2a6c8e0-4d1b-4a7c-8e5f-3b9d7c1a0e65', 'Fatima', 'Ali', '2001-09-14', 'F'],
];

/** A date `days` from `now` as YYYY-MM-DD. */
function day(now, days) {
  return new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Creates a fresh store. `now` fixes "today" for the sample dates.
 * @param {{ now?: Date }} [options]
 */
export function createStore({ now = new Date() } = {}) {
  const events = new EventEmitter();
  const [me, other] = STAFF;
  const patients = PATIENTS.map(([id, first_name, last_name, birth_date, sex]) => ({
    id, first_name, last_name, birth_date, sex, created: new Date(now.getTime() - 400 * 86_400_000).toISOString(),
  }));
  const [maria, james, aiko, robert, fatima] = patients.map((p) => p.id);
  let n = 0;
  const noteId = () => `0c0ffee0-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  const notes = [
    { id: noteId(), patient_id: maria, type: 'Office visit', date: day(now, 0), status: 'open', provider: me.name,
      commands: [{ type: 'Reason for visit', text: 'Follow-up: hypertension, medication review' }, { type: 'History of present illness', text: 'Home readings 130–145 systolic. No headaches or chest pain.' }] },
    { id: noteId(), patient_id: maria, type: 'Telehealth', date: day(now, -21), status: 'signed', provider: me.name,
      commands: [{ type: 'Reason for visit', text: 'Lab results review' }, { type: 'Assessment', text: 'Hypertension, stage 1. Continue lisinopril 10 mg.' }] },
    { id: noteId(), patient_id: james, type: 'Office visit', date: day(now, 0), status: 'open', provider: me.name,
      commands: [{ type: 'Reason for visit', text: 'Type 2 diabetes check-in' }] },
    { id: noteId(), patient_id: aiko, type: 'Annual physical', date: day(now, -3), status: 'open', provider: other.name,
      commands: [{ type: 'Reason for visit', text: 'Annual wellness exam' }] },
    { id: noteId(), patient_id: robert, type: 'Office visit', date: day(now, -40), status: 'signed', provider: me.name,
      commands: [{ type: 'Reason for visit', text: 'Low back pain' }, { type: 'Plan', text: 'Physical therapy referral' }] },
    { id: noteId(), patient_id: fatima, type: 'New patient visit', date: day(now, 1), status: 'open', provider: me.name, commands: [] },
  ];
  let t = 0;
  const task = (title, patient_id, assignee_id, due, status = 'open') => ({
    id: `7a5c0000-0000-4000-8000-${String(++t).padStart(12, '0')}`, title, patient_id, assignee_id, due: day(now, due), status,
    created: now.toISOString(),
  });
  const tasks = [
    task('Call back about home BP readings', maria, me.id, 0),
    task('Renew lisinopril prescription', maria, me.id, 2),
    task('Review A1c result', james, me.id, 1),
    task('Schedule retinal exam', james, other.id, 7),
    task('Sign PT referral', robert, me.id, -1),
    task('Send intake forms', fatima, other.id, 0),
    task('Team huddle notes', null, me.id, 0, 'completed'),
  ];

  const emit = (change) => events.emit('change', change);
  const getPatient = (id) => patients.find((p) => p.id === id) ?? null;
  const name = (p) => `${p.first_name} ${p.last_name}`;
  const staffName = (id) => STAFF.find((s) => s.id === id)?.name ?? 'Unknown';
  const taskView = (x) => {
    const p = x.patient_id ? getPatient(x.patient_id) : null;
    return { ...x, patient: p && { id: p.id, name: name(p) }, assignee: { id: x.assignee_id, name: staffName(x.assignee_id) } };
  };

  return {
    events,
    staff: STAFF,
    me,
    getStaff: (id) => STAFF.find((s) => s.id === id) ?? null,
    patientName: name,
    listPatients: () => [...patients].sort((a, b) => a.last_name.localeCompare(b.last_name)),
    getPatient,
    /** Patients with this exact name and birth date (case-insensitive names). */
    matchPatients({ first_name, last_name, birth_date }) {
      const same = (a, b) => a.trim().toLowerCase() === String(b).trim().toLowerCase();
      return patients.filter((p) => same(p.first_name, first_name) && same(p.last_name, last_name) && p.birth_date === birth_date);
    },
    /** The newest match created at or after `after` (an ISO time), as the documented /find does. */
    findPatient(query, after) {
      const since = Date.parse(after);
      return this.matchPatients(query).filter((p) => !(Date.parse(p.created) < since)).sort((a, b) => b.created.localeCompare(a.created))[0] ?? null;
    },
    createPatient({ first_name, last_name, birth_date, sex = '' }) {
      const patient = { id: randomUUID(), first_name: first_name.trim(), last_name: last_name.trim(), birth_date, sex, created: new Date().toISOString() };
      patients.push(patient);
      emit({ kind: 'patient', patientId: patient.id, staffIds: [me.id] });
      return patient;
    },
    notesFor: (patientId) => notes.filter((x) => x.patient_id === patientId).sort((a, b) => b.date.localeCompare(a.date)),
    getNote: (id) => notes.find((x) => x.id === id) ?? null,
    addCommand(noteId, command) {
      const note = notes.find((x) => x.id === noteId);
      if (!note) return null;
      note.commands.push({ ...command, added: new Date().toISOString() });
      emit({ kind: 'note', patientId: note.patient_id, noteId, staffIds: [] });
      return note;
    },
    /** Tasks assigned to `assigneeId`, or all tasks of `patientId`; open first, then by due date. */
    listTasks({ assigneeId, patientId }) {
      const rank = (x) => (x.status === 'open' ? 0 : 1);
      return tasks
        .filter((x) => (patientId ? x.patient_id === patientId : x.assignee_id === assigneeId))
        .sort((a, b) => rank(a) - rank(b) || a.due.localeCompare(b.due) || a.created.localeCompare(b.created))
        .map(taskView);
    },
    getTask: (id) => tasks.find((x) => x.id === id) ?? null,
    createTask({ title, patient_id = null, assignee_id = me.id, due = day(new Date(), 0) }) {
      const created = { id: randomUUID(), title, patient_id, assignee_id, due, status: 'open', created: new Date().toISOString() };
      tasks.push(created);
      emit({ kind: 'task', taskId: created.id, patientId: patient_id, staffIds: [assignee_id] });
      return created;
    },
    setTaskStatus(id, status) {
      const found = tasks.find((x) => x.id === id);
      if (!found) return null;
      found.status = status;
      emit({ kind: 'task', taskId: id, patientId: found.patient_id, staffIds: [found.assignee_id] });
      return found;
    },
  };
}
