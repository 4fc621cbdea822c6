/**
 * The sample practice every platform starts with: four staff members, a location, two teams,
 * five patients with contact details, their notes, tasks (labels, comments, assignees, due
 * times), today's schedule, messages, care teams and chart data (conditions, medications,
 * allergies, vitals). Dates are relative to "now", so the chart never ages. IDs are fixed (a
 * link to a sample record works in every session) and in the SDK's formats: patient and staff
 * keys are 32 hex digits, everything else UUIDs.
 * @module
 */
import type {
  AllergyIntolerance, Appointment, CareTeamMembership, Coding, Condition, ContactPoint, Medication, Message, Note, Observation, Patient, PracticeLocation, Staff,
  StaffRole, Task, TaskComment, TaskLabel, Team,
} from './types.js';
import { day } from './values.js';

/** A patient as the platform stores it: reads add the properties (`full_name`…). */
export type StoredPatient = Omit<Patient, 'full_name' | 'preferred_first_name' | 'preferred_full_name' | 'primary_phone_number'>;
/** A task comment as stored: reads add the writer's name. */
export type StoredComment = Omit<TaskComment, 'creator'>;
/** A task as stored: reads add the names and the labels' colors. */
export type StoredTask = Omit<Task, 'patient' | 'assignee' | 'team' | 'creator' | 'labels' | 'comments'> & { labels: string[]; comments: StoredComment[] };
/** An appointment as stored: reads add the names. */
export type StoredAppointment = Omit<Appointment, 'patient' | 'provider' | 'location'>;
/** A message as stored: reads add who sent and got it. */
export type StoredMessage = Omit<Message, 'sender' | 'recipient'>;
/** A care team membership as stored: reads add the staff member's name. */
export type StoredMembership = Omit<CareTeamMembership, 'staff'>;

/** The platform's records, in creation order. */
export interface ChartData {
  /** Every patient. */
  patients: StoredPatient[];
  /** Every note. */
  notes: Note[];
  /** Every task. */
  tasks: StoredTask[];
  /** The practice's task labels. */
  labels: TaskLabel[];
  /** Every appointment. */
  appointments: StoredAppointment[];
  /** Every message. */
  messages: StoredMessage[];
  /** Every care team membership. */
  careTeamMemberships: StoredMembership[];
  /** Every condition. */
  conditions: Condition[];
  /** Every medication. */
  medications: Medication[];
  /** Every allergy. */
  allergyIntolerances: AllergyIntolerance[];
  /** Every observation. */
  observations: Observation[];
}

/** The practice: who works there, where, in which teams. Frozen, as the session's staff member is. */
export interface Practice {
  /** "me" first (the signed-in staff member), then colleagues. */
  staff: readonly Staff[];
  /** Where patients are seen. */
  locations: readonly PracticeLocation[];
  /** Teams tasks can go to. */
  teams: readonly Team[];
}

const MD: StaffRole = { internal_code: 'MD', public_abbreviation: 'MD', name: 'Physician', domain: 'CLI', role_type: 'PROVIDER' };
const RN: StaffRole = { internal_code: 'RN', public_abbreviation: 'RN', name: 'Registered nurse', domain: 'CLI', role_type: 'LICENSED' };
const FRONT: StaffRole = { internal_code: 'FD', public_abbreviation: 'FD', name: 'Front desk', domain: 'ADM', role_type: 'NON-LICENSED' };
const MISSION = 'b1c0ffee-0000-4000-8000-000000000001';

/** key, prefix, first, last, role, NPI. */
const STAFF: readonly (readonly [string, string, string, string, StaffRole, string])[] = [
  ['5f0a2c613b7e4d0a9c550c8e1a6b2d11', 'Dr.', 'Ada', 'Moreno', MD, '1234567893'],
  ['9b3d7e426a1f4c8b8e274f5a9d0c3e22', 'Dr.', 'Sam', 'Okafor', MD, '1245319599'],
  ['c7e1b9d24f0a4e6b8d3c2a1f0e9b8c33', '', 'Jordan', 'Lee', RN, ''],
  ['e4a2c8f06b1d4f3a9e7c5b2d1a0f9e44', '', 'Riley', 'Chen', FRONT, ''],
];

/** Deep-frozen: the practice is shared by every plugin and never changes. */
function frozen<T>(value: T): T {
  if (value && typeof value === 'object') Object.values(value).forEach(frozen);
  return Object.freeze(value);
}

/** The practice of one platform: a fresh frozen copy. */
export function samplePractice(): Practice {
  const staff = STAFF.map(([id, prefix, first_name, last_name, role, npi_number]): Staff => ({
    id, type: 'Staff', name: [prefix, first_name, last_name].filter(Boolean).join(' '), prefix, first_name, middle_name: '', last_name, suffix: '', nickname: '',
    full_name: `${first_name} ${last_name}`, credentialed_name: `${first_name} ${last_name} ${role.public_abbreviation}`, roles: [{ ...role }], active: true, npi_number,
    primary_practice_location_id: MISSION,
  }));
  const [, , nurse, desk] = staff.map((s) => s.id);
  return frozen({
    staff,
    locations: [{ id: MISSION, full_name: 'Mission Street Clinic', short_name: 'Mission', active: true }],
    teams: [
      { id: 'b1c0ffee-0000-4000-8000-000000000011', name: 'Front desk', responsibilities: ['Scheduling', 'Intake forms'], member_ids: [desk!] },
      { id: 'b1c0ffee-0000-4000-8000-000000000012', name: 'Nursing', responsibilities: ['Refills', 'Patient calls'], member_ids: [nurse!] },
    ],
  });
}

/** key, first, last, nickname, birth date, sex, mobile phone, email. */
const PATIENTS: readonly (readonly [string, string, string, string, string, Patient['sex_at_birth'], string, string])[] = [
  ['3e1f7a528c4d4b6ea1f02d9c8b7a6e51', 'Maria', 'Gonzalez', '', '1971-03-02', 'F', '415-555-0132', 'maria.gonzalez@example.com'],
  ['7c2b9d145e3a4f8bb2c16a0e9d8f7c42', 'James', 'Carter', 'Jim', '1958-11-19', 'M', '415-555-0178', 'jcarter@example.com'],
  ['a4d8e2f61b7c4e9a8d3b5c2f1e0a9b83', 'Aiko', 'Tanaka', '', '1990-06-07', 'F', '628-555-0119', 'aiko.t@example.com'],
  ['d9e3f1a72c8b4d5e9f6a1b0c3d2e4f94', 'Robert', 'Nguyen', 'Bob', '1984-01-23', 'M', '510-555-0164', ''],
  ['f2a6c8e04d1b4a7c8e5f3b9d7c1a0e65', 'Fatima', 'Ali', '', '2001-09-14', 'F', '415-555-0101', 'fatima.ali@example.com'],
];

const ICD10 = 'http://hl7.org/fhir/sid/icd-10-cm';
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const SNOMED = 'http://snomed.info/sct';
const LOINC = 'http://loinc.org';
const code = (system: string, value: string, display: string): Coding[] => [{ system, code: value, display }];

/** The ISO time `days` days after `now`, at `hour`:`minute` local time (the schedule's clock). */
function at(now: Date, days: number, hour: number, minute = 0): string {
  const date = new Date(now);
  date.setDate(date.getDate() + days);
  date.setHours(hour, minute, 0, 0);
  return date.toISOString();
}

/**
 * The sample chart as of `now`: patients created 400 days before, the rest dated around it.
 * @param now - "Today".
 * @param practice - Its staff ("me" first), location and teams.
 */
export function sampleData(now: Date, { staff, teams }: Practice): ChartData {
  const created = new Date(now.getTime() - 400 * 86_400_000).toISOString();
  const [me, other, nurse, desk] = staff.map((s) => s.id) as [string, string, string, string];
  const [frontDesk] = teams.map((t) => t.id) as [string];
  const phone = (value: string): ContactPoint => ({ system: 'phone', value, use: 'mobile', use_notes: '', rank: 1, state: 'active', has_consent: true, opted_out: false });
  const email = (value: string): ContactPoint => ({ system: 'email', value, use: 'home', use_notes: '', rank: 1, state: 'active', has_consent: true, opted_out: false });
  const patients = PATIENTS.map(([id, first_name, last_name, nickname, birth_date, sex_at_birth, mobile, mail], i): StoredPatient => ({
    id, first_name, middle_name: '', last_name, prefix: '', suffix: '', nickname, birth_date, sex_at_birth, mrn: String(100231 + i * 17), active: true,
    deceased: false, deceased_datetime: null, deceased_cause: '', deceased_comment: '', default_provider_id: i === 2 ? other : me, default_location_id: MISSION,
    social_security_number: '', administrative_note: '', clinical_note: '', biological_race_codes: [], cultural_ethnicity_codes: [], previous_names: [],
    telecom: [phone(mobile), ...(mail ? [email(mail)] : [])], addresses: [], contacts: [], external_identifiers: [], preferred_pharmacies: [], metadata: [],
    created, modified: created,
  }));
  const [maria, james, aiko, robert, fatima] = PATIENTS.map(([id]) => id) as [string, string, string, string, string];
  const name = (id: string) => staff.find((s) => s.id === id)!.name;

  let n = 0;
  const note = (patient_id: string, type: string, date: number, status: Note['status'], provider: string, commands: [string, string, Record<string, unknown>][]): Note => ({
    id: `0c0ffee0-0000-4000-8000-${String(++n).padStart(12, '0')}`, patient_id, type, date: day(now, date), status, provider: name(provider), provider_id: provider,
    commands: commands.map(([schema_key, label, data], c) => ({
      id: `0c0ffee0-0000-4000-9000-${String(n * 100 + c).padStart(12, '0')}`, schema_key, type: label, text: String(Object.values(data)[0]), data, committed: status === 'signed',
    })),
  });
  const notes = [
    note(maria, 'Office visit', 0, 'open', me, [['reasonForVisit', 'Reason for visit', { comment: 'Follow-up: hypertension, medication review' }], ['hpi', 'History of present illness', { narrative: 'Home readings 130–145 systolic. No headaches or chest pain.' }]]),
    note(maria, 'Telehealth', -21, 'signed', me, [['reasonForVisit', 'Reason for visit', { comment: 'Lab results review' }], ['assess', 'Assessment', { narrative: 'Hypertension, stage 1. Continue lisinopril 10 mg.' }]]),
    note(james, 'Office visit', 0, 'open', me, [['reasonForVisit', 'Reason for visit', { comment: 'Type 2 diabetes check-in' }]]),
    note(aiko, 'Annual physical', -3, 'open', other, [['reasonForVisit', 'Reason for visit', { comment: 'Annual wellness exam' }]]),
    note(robert, 'Office visit', -40, 'signed', me, [['reasonForVisit', 'Reason for visit', { comment: 'Low back pain' }], ['plan', 'Plan', { narrative: 'Physical therapy referral' }]]),
    note(fatima, 'New patient visit', 1, 'open', me, []),
  ];
  const noteId = (i: number) => notes[i]!.id;

  const labels: TaskLabel[] = [['Follow-up', 'blue'], ['Refill', 'purple'], ['Lab', 'teal'], ['Urgent', 'red'], ['Intake', 'orange'], ['Billing', 'green']].map(
    ([label, color], i) => ({ id: `7a5c1abe-0000-4000-8000-${String(i + 1).padStart(12, '0')}`, name: label!, color: color as TaskLabel['color'] }),
  );
  let t = 0;
  const task = (title: string, patient_id: string | null, assignee_id: string | null, due: string | null, more: Partial<StoredTask> = {}): StoredTask => ({
    id: `7a5c0000-0000-4000-8000-${String(++t).padStart(12, '0')}`, created: new Date(now.getTime() - 2 * 86_400_000).toISOString(), modified: now.toISOString(), title,
    status: 'OPEN', priority: null, due, task_type: 'T', patient_id, assignee_id, team_id: null, creator_id: me, labels: [], comments: [], linked_object: null, ...more,
  });
  const comment = (i: number, creator_id: string, body: string, hoursAgo: number): StoredComment => {
    const time = new Date(now.getTime() - hoursAgo * 3_600_000).toISOString();
    return { id: `7a5cc000-0000-4000-8000-${String(i).padStart(12, '0')}`, created: time, modified: time, creator_id, body };
  };
  const tasks = [
    task('Call back about home BP readings', maria, me, at(now, 0, 16), {
      priority: 'urgent', labels: ['Follow-up'], creator_id: nurse, comments: [comment(1, nurse, 'She prefers a call after 3 pm.', 20), comment(2, me, 'Will call after clinic.', 2)],
    }),
    task('Renew lisinopril prescription', maria, me, at(now, 2, 12), { labels: ['Refill'], priority: 'routine' }),
    task('Review A1c result', james, me, at(now, 1, 9), { labels: ['Lab'] }),
    task('Schedule retinal exam', james, desk, at(now, 7, 17), { team_id: frontDesk, creator_id: other }),
    task('Sign PT referral', robert, me, at(now, -1, 17), { priority: 'stat', labels: ['Urgent'], linked_object: { id: 'b1c0ffee-0000-4000-8000-000000000021', type: 'REFERRAL' } }),
    task('Send intake forms', fatima, desk, at(now, 0, 12), { team_id: frontDesk, labels: ['Intake'] }),
    task('Team huddle notes', null, me, at(now, 0, 8, 30), { status: 'COMPLETED' }),
    task('Fax records to cardiology', null, other, at(now, -10, 17), { status: 'CLOSED', creator_id: other }),
  ];

  let a = 0;
  const appointment = (patient_id: string, provider_id: string, start_time: string, duration_minutes: number, status: Appointment['status'], more: Partial<StoredAppointment> = {}): StoredAppointment => ({
    id: `a990c000-0000-4000-8000-${String(++a).padStart(12, '0')}`, patient_id, provider_id, start_time, duration_minutes, status, comment: '', description: '', meeting_link: '',
    location_id: MISSION, note_id: null, note_type: 'Office visit', labels: [], ...more,
  });
  const appointments = [
    appointment(maria, me, at(now, 0, 9), 30, 'arrived', { note_id: noteId(0), description: 'Hypertension follow-up' }),
    appointment(james, me, at(now, 0, 10, 30), 20, 'confirmed', { note_id: noteId(2), description: 'Diabetes check-in' }),
    appointment(aiko, other, at(now, 0, 11), 40, 'confirmed', { description: 'Results review' }),
    appointment(robert, me, at(now, 0, 14), 20, 'confirmed', { note_type: 'Telehealth', location_id: null, meeting_link: 'https://meet.example.com/moreno', description: 'Back pain, PT progress' }),
    appointment(fatima, me, at(now, 1, 9, 30), 45, 'unconfirmed', { note_id: noteId(5), note_type: 'New patient visit', labels: ['New patient'] }),
    appointment(aiko, other, at(now, -3, 15), 40, 'exited', { note_id: noteId(3), note_type: 'Annual physical' }),
  ];

  let m = 0;
  const message = (sender_id: string, recipient_id: string, content: string, sent: string, read: string | null): StoredMessage => ({
    id: `3e55a9e0-0000-4000-8000-${String(++m).padStart(12, '0')}`, created: sent, modified: read ?? sent, content, sender_id, recipient_id, note_id: null, read,
    transmissions: [{ id: `3e55a9e0-0000-4000-9000-${String(m).padStart(12, '0')}`, created: sent, delivered: true, failed: false, contact_point_system: 'noop', contact_point_value: '', comment: '', delivered_by_id: null }],
  });
  const messages = [
    message(james, other, 'Can I get my retinal exam scheduled for next week?', at(now, -2, 11, 15), at(now, -2, 13)),
    message(maria, me, 'Hi Dr. Moreno, my home BP readings this week averaged 138/88.', at(now, -1, 18, 20), at(now, -1, 19)),
    message(me, maria, 'Thanks, Maria. We will go over them at your visit tomorrow.', at(now, -1, 19, 5), at(now, -1, 20, 30)),
    message(maria, me, 'Should I take my lisinopril before I come in?', at(now, 0, 7, 40), null),
  ];

  let c = 0;
  const member = (patient_id: string, staff_id: string, role_code: string, role_display: string, lead = false): StoredMembership => ({
    id: `ca7e0000-0000-4000-8000-${String(++c).padStart(12, '0')}`, patient_id, staff_id, role_code, role_system: SNOMED, role_display, status: 'active', lead,
  });
  const pcp = ['446050000', 'Primary care physician'] as const;
  const careTeamMemberships = [
    member(maria, me, ...pcp, true), member(maria, nurse, '224535009', 'Registered nurse'),
    member(james, me, ...pcp, true), member(james, desk, '159561009', 'Receptionist'),
    member(aiko, other, ...pcp, true),
    member(robert, me, ...pcp, true),
    member(fatima, me, ...pcp, true), member(fatima, nurse, '224535009', 'Registered nurse'),
  ];

  let k = 0;
  const id = (prefix: string) => `${prefix}-0000-4000-8000-${String(++k).padStart(12, '0')}`;
  const condition = (patient_id: string, icd: string, display: string, onset: string): Condition => ({
    id: id('c0dd1710'), patient_id, clinical_status: 'active', onset_date: onset, resolution_date: null, notes: '', surgical: false, codings: code(ICD10, icd, display),
  });
  const conditions = [
    condition(maria, 'I10', 'Essential (primary) hypertension', '2019-04-10'),
    condition(maria, 'E78.5', 'Hyperlipidemia, unspecified', '2021-02-01'),
    condition(james, 'E11.9', 'Type 2 diabetes mellitus without complications', '2015-08-20'),
    condition(robert, 'M54.50', 'Low back pain, unspecified', day(now, -45)),
    condition(fatima, 'J45.909', 'Unspecified asthma, uncomplicated', '2010-05-03'),
  ];
  const medication = (patient_id: string, rxcui: string, display: string, sig: string, start: string): Medication => ({
    id: id('3ed1ca70'), patient_id, status: 'active', start_date: start, end_date: null, clinical_quantity_description: sig, quantity_qualifier_description: 'tablet',
    national_drug_code: '', codings: code(RXNORM, rxcui, display),
  });
  const medications = [
    medication(maria, '314076', 'lisinopril 10 MG Oral Tablet', 'Take 1 tablet by mouth daily', '2019-04-10'),
    medication(james, '860975', 'metformin hydrochloride 500 MG Oral Tablet', 'Take 1 tablet by mouth twice daily', '2015-08-20'),
    { ...medication(fatima, '745679', 'albuterol 0.09 MG/ACTUAT Metered Dose Inhaler', '2 puffs every 4 hours as needed', '2010-05-03'), quantity_qualifier_description: 'inhaler' },
  ];
  const allergy = (patient_id: string, snomed: string, display: string, severity: string, narrative: string): AllergyIntolerance => ({
    id: id('a1e76e00'), patient_id, allergy_intolerance_type: 'allergy', status: 'active', severity, onset_date: null, recorded_date: created.slice(0, 10), narrative,
    codings: code(SNOMED, snomed, display),
  });
  const allergyIntolerances = [
    allergy(maria, '91936005', 'Allergy to penicillin', 'moderate', 'Hives'),
    allergy(robert, '294505008', 'Allergy to sulfonamide', 'mild', 'Rash'),
  ];
  const vital = (patient_id: string, name: string, value: string, units: string, loinc: string, display: string, when: string, note_id: string | null): Observation => ({
    id: id('0b5e7a70'), patient_id, category: 'vital-signs', name, value, units, effective_datetime: when, note_id, codings: code(LOINC, loinc, display),
  });
  const vitals = (patient_id: string, when: string, note_id: string | null, [bp, pulse, weight]: [string, string, string]) => [
    vital(patient_id, 'blood_pressure', bp, 'mm[Hg]', '85354-9', 'Blood pressure panel', when, note_id),
    vital(patient_id, 'pulse', pulse, '/min', '8867-4', 'Heart rate', when, note_id),
    vital(patient_id, 'weight', weight, 'oz', '29463-7', 'Body weight', when, note_id),
  ];
  const observations = [
    ...vitals(maria, at(now, 0, 9, 10), noteId(0), ['142/88', '76', '2720']),
    ...vitals(maria, at(now, -21, 10), noteId(1), ['136/86', '74', '2736']),
    ...vitals(james, at(now, -30, 10, 40), null, ['128/80', '82', '3040']),
  ];
  return { patients, notes, tasks, labels, appointments, messages, careTeamMemberships, conditions, medications, allergyIntolerances, observations };
}
