/**
 * The sample chart every platform starts with: two staff members, five patients, their notes,
 * and tasks for "me" and a colleague. Dates are relative to "today", so the chart never ages.
 * @module
 */
import type { Note, Patient, Staff, Task } from './types.js';
import { day } from './values.js';

/** A task as the platform stores it: reads add the patient's and assignee's names. */
export type StoredTask = Omit<Task, 'patient' | 'assignee'>;

/** The platform's records, in creation order. */
export interface ChartData {
  /** Every patient. */
  patients: Patient[];
  /** Every note. */
  notes: Note[];
  /** Every task, without the names reads add. */
  tasks: StoredTask[];
}

/** The signed-in staff member ("me") and a colleague, whose channels the session may not use. */
const STAFF: readonly Staff[] = [
  { id: '5f0a2c61-3b7e-4d0a-9c55-0c8e1a6b2d11', name: 'Dr. Ada Moreno', type: 'Staff' },
  { id: '9b3d7e42-6a1f-4c8b-8e27-4f5a9d0c3e22', name: 'Dr. Sam Okafor', type: 'Staff' },
];

/** id, first name, last name, birth date, sex. */
const PATIENTS: readonly (readonly [string, string, string, string, string])[] = [
  ['3e1f7a52-8c4d-4b6e-a1f0-2d9c8b7a6e51', 'Maria', 'Gonzalez', '1971-03-02', 'F'],
  ['7c2b9d14-5e3a-4f8b-b2c1-6a0e9d8f7c42', 'James', 'Carter', '1958-11-19', 'M'],
  ['a4d8e2f6-1b7c-4e9a-8d3b-5c2f1e0a9b83', 'Aiko', 'Tanaka', '1990-06-07', 'F'],
  ['d9e3f1a7-2c8b-4d5e-9f6a-1b0c3d2e4f94', 'Robert', 'Nguyen', '1984-01-23', 'M'],
  ['f2a6c8e0-4d1b-4a7c-8e5f-3b9d7c1a0e65', 'Fatima', 'Ali', '2001-09-14', 'F'],
];

/** A frozen copy of the staff for one platform: "me" first, then the colleague. */
export function sampleStaff(): [me: Staff, other: Staff] {
  const [me, other] = STAFF.map((member) => Object.freeze({ ...member }));
  return [me!, other!];
}

/**
 * The sample chart as of `now`: patients created 400 days before, notes and tasks dated around it.
 * @param now - "Today".
 * @param me - The signed-in staff member: provider of most notes, assignee of most tasks.
 * @param other - The colleague.
 */
export function sampleData(now: Date, me: Staff, other: Staff): ChartData {
  const created = new Date(now.getTime() - 400 * 86_400_000).toISOString();
  const patients: Patient[] = PATIENTS.map(([id, first_name, last_name, birth_date, sex]) => ({ id, first_name, last_name, birth_date, sex, created }));
  const [maria, james, aiko, robert, fatima] = PATIENTS.map(([id]) => id) as [string, string, string, string, string];
  // Fixed ids, so a link to a sample note or task works in every session.
  let n = 0;
  const note = (patient_id: string, type: string, date: number, status: Note['status'], provider: string, commands: Note['commands']): Note => ({
    id: `0c0ffee0-0000-4000-8000-${String(++n).padStart(12, '0')}`, patient_id, type, date: day(now, date), status, provider, commands,
  });
  const notes = [
    note(maria, 'Office visit', 0, 'open', me.name, [{ type: 'Reason for visit', text: 'Follow-up: hypertension, medication review' }, { type: 'History of present illness', text: 'Home readings 130–145 systolic. No headaches or chest pain.' }]),
    note(maria, 'Telehealth', -21, 'signed', me.name, [{ type: 'Reason for visit', text: 'Lab results review' }, { type: 'Assessment', text: 'Hypertension, stage 1. Continue lisinopril 10 mg.' }]),
    note(james, 'Office visit', 0, 'open', me.name, [{ type: 'Reason for visit', text: 'Type 2 diabetes check-in' }]),
    note(aiko, 'Annual physical', -3, 'open', other.name, [{ type: 'Reason for visit', text: 'Annual wellness exam' }]),
    note(robert, 'Office visit', -40, 'signed', me.name, [{ type: 'Reason for visit', text: 'Low back pain' }, { type: 'Plan', text: 'Physical therapy referral' }]),
    note(fatima, 'New patient visit', 1, 'open', me.name, []),
  ];
  let t = 0;
  const task = (title: string, patient_id: string | null, assignee_id: string, due: number, status: Task['status'] = 'open'): StoredTask => ({
    id: `7a5c0000-0000-4000-8000-${String(++t).padStart(12, '0')}`, title, patient_id, assignee_id, due: day(now, due), status, created: now.toISOString(),
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
  return { patients, notes, tasks };
}
