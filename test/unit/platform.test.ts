// The mock Canvas platform (src/platform), on its own: no transport, no Node API, in a page
// (happy-dom). The test kit's suites (test/kit) cover it behind fetch and WebSocket, the harness's
// behind HTTP; these cover what neither transport reaches: every check, record and effect type.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { canonicalId, createPlatform, keyOf, parseBody, type Change, type EffectScheduler, type Platform, type PlatformOptions, type Staff } from '../../src/platform/index.js';

// Patient and staff keys: 32 lower-case hex digits, no dashes (as Canvas's Patient.id and Staff.id).
const MARIA = '3e1f7a528c4d4b6ea1f02d9c8b7a6e51';
const JAMES = '7c2b9d145e3a4f8bb2c16a0e9d8f7c42';
const OKAFOR = '9b3d7e426a1f4c8b8e274f5a9d0c3e22';
// Everything else: UUIDs.
const OPEN_NOTE = '0c0ffee0-0000-4000-8000-000000000001';
const SIGNED_NOTE = '0c0ffee0-0000-4000-8000-000000000002';
const TASK = '7a5c0000-0000-4000-8000-000000000001';
const FRONT_DESK = 'b1c0ffee-0000-4000-8000-000000000011';
const NOW = new Date('2026-05-05T10:00:00.000Z');
const KEY = /^[\da-f]{32}$/;
const V4 = /^[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/;

let platform: Platform | undefined;
const log = vi.fn<(line: string) => void>();

function start(options: PlatformOptions = {}): Platform {
  platform = createPlatform({ now: NOW, log, ...options });
  return platform;
}

/** A scheduler that holds every effect until the test lands it. */
function heldScheduler() {
  const held: { land: () => void; after: number; defaulted: boolean; cancelled: boolean }[] = [];
  const schedule: EffectScheduler = (land, after, defaulted) => {
    const entry = { land, after, defaulted, cancelled: false };
    held.push(entry);
    return () => {
      entry.cancelled = true;
    };
  };
  return { held, schedule };
}

/** Lands every effect at once. */
const atOnce: EffectScheduler = (land) => (land(), () => {});

/** The local day of an ISO time, as the schedule's `day` filter compares it. */
const localDay = (iso: string) => new Date(iso).toLocaleDateString('en-CA');

afterEach(() => {
  platform?.close();
  platform = undefined;
  log.mockReset();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('the module', () => {
  it('imports only its own files: no Node API, no other part of the package', () => {
    // Vitest runs from the repository root.
    const dir = join(process.cwd(), 'src', 'platform');
    for (const file of readdirSync(dir)) {
      // Code only: the doc comments show authors `import(…)` types.
      const source = readFileSync(join(dir, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      for (const [, from] of source.matchAll(/\bfrom\s+'([^']+)'/g)) expect(`${file}: ${from}`).toMatch(/: \.\/[\w-]+\.js$/);
      expect(source, file).not.toMatch(/\brequire\(|\bprocess\.|\bBuffer\b|\bimport\(/);
    }
  });
});

describe('ids and bodies', () => {
  it('canonicalId takes dashed or 32-digit UUIDs in any case, and nothing else', () => {
    expect(canonicalId(' 0C0FFEE0000040008000000000000001 ')).toBe(OPEN_NOTE);
    expect(canonicalId('0c0ffee0-00004000-8000-000000000001')).toBe(OPEN_NOTE);
    for (const bad of ['', 'g'.repeat(32), OPEN_NOTE.slice(1), 42, null, undefined, {}]) expect(canonicalId(bad)).toBeNull();
  });

  it('keyOf takes a Canvas key exactly: 32 lower-case hex digits, no dashes', () => {
    expect(keyOf(MARIA)).toBe(MARIA);
    for (const bad of [MARIA.toUpperCase(), ` ${MARIA}`, '3e1f7a52-8c4d-4b6e-a1f0-2d9c8b7a6e51', MARIA.slice(1), 42, null]) expect(keyOf(bad)).toBeNull();
  });

  it('parseBody: JSON when the type says so, else text; null when blank; an error for bad JSON', () => {
    expect(parseBody(' \n')).toEqual({ body: null });
    expect(parseBody('{"a":1}', 'application/json; charset=utf-8')).toEqual({ body: { a: 1 } });
    expect(parseBody('{"a":1}', 'application/vnd.api+JSON')).toEqual({ body: { a: 1 } });
    expect(parseBody('{"a":1}')).toEqual({ body: '{"a":1}' });
    expect(parseBody('{', 'application/json')).toEqual({ error: expect.stringContaining('not valid JSON') });
  });

  it('new patients get keys and other records v4 UUIDs, also where crypto.randomUUID is missing (an insecure page)', () => {
    const { patients, tasks } = start();
    expect(patients.add({ first_name: 'With', last_name: 'Crypto' }).id).toMatch(KEY);
    expect(tasks.add({ title: 'With crypto' }).id).toMatch(V4);
    vi.stubGlobal('crypto', {});
    expect(patients.add({ first_name: 'No', last_name: 'Crypto' }).id).toMatch(KEY);
    expect(tasks.add({ title: 'No crypto' }).id).toMatch(V4);
  });
});

describe('the sample practice', () => {
  it('has four frozen staff members with keys, name parts and roles; a location and two teams', () => {
    const { staff, staffMembers, practiceLocations, teams } = start();
    expect(staffMembers.map((s) => [s.name, s.credentialed_name, s.roles[0]!.role_type])).toEqual([
      ['Dr. Ada Moreno', 'Ada Moreno MD', 'PROVIDER'], ['Dr. Sam Okafor', 'Sam Okafor MD', 'PROVIDER'], ['Jordan Lee', 'Jordan Lee RN', 'LICENSED'], ['Riley Chen', 'Riley Chen FD', 'NON-LICENSED'],
    ]);
    expect(staff).toBe(staffMembers[0]);
    expect(staff).toMatchObject({ id: expect.stringMatching(KEY), type: 'Staff', prefix: 'Dr.', first_name: 'Ada', last_name: 'Moreno', full_name: 'Ada Moreno', active: true });
    expect(Object.isFrozen(staff) && Object.isFrozen(staff.roles) && Object.isFrozen(staff.roles[0])).toBe(true);
    expect(practiceLocations).toEqual([{ id: expect.stringMatching(V4), full_name: 'Mission Street Clinic', short_name: 'Mission', active: true }]);
    expect(teams.map((t) => t.name)).toEqual(['Front desk', 'Nursing']);
  });

  it('has five patients with contact points and nicknames, their notes, and tasks with due times, labels and comments', () => {
    const { staff, patients, notes, tasks } = start();
    expect(patients.list().map((p) => p.last_name)).toEqual(['Ali', 'Carter', 'Gonzalez', 'Nguyen', 'Tanaka']);
    expect(patients.get(MARIA)).toMatchObject({
      id: MARIA, birth_date: '1971-03-02', sex_at_birth: 'F', nickname: '', primary_phone_number: '415-555-0132', full_name: 'Maria Gonzalez',
      telecom: [{ system: 'phone', value: '415-555-0132', use: 'mobile', rank: 1 }, { system: 'email', value: 'maria.gonzalez@example.com' }],
    });
    expect(patients.get(JAMES)).toMatchObject({ nickname: 'Jim', preferred_first_name: 'Jim', preferred_full_name: 'Jim Carter' });
    expect(notes.get(OPEN_NOTE)).toMatchObject({ patient_id: MARIA, date: '2026-05-05', status: 'open', provider: 'Dr. Ada Moreno', provider_id: staff.id });
    expect(notes.get(OPEN_NOTE)!.commands[0]).toMatchObject({ schema_key: 'reasonForVisit', type: 'Reason for visit', data: { comment: expect.any(String) }, id: expect.stringMatching(/-/) });
    expect(notes.list({ patient_id: MARIA }).map((n) => n.date)).toEqual(['2026-05-05', '2026-04-14']);
    const task = tasks.get(TASK)!;
    expect(task).toMatchObject({
      status: 'OPEN', priority: 'urgent', patient: { id: MARIA, name: 'Maria Gonzalez' }, assignee: { id: staff.id, name: 'Dr. Ada Moreno' }, creator: { name: 'Jordan Lee' },
      labels: [{ name: 'Follow-up', color: 'blue' }], comments: [{ body: 'She prefers a call after 3 pm.', creator: { name: 'Jordan Lee' } }, { creator: { name: 'Dr. Ada Moreno' } }],
    });
    // A due time, not a date: today at 16:00 local time.
    expect(new Date(task.due!).getHours()).toBe(16);
    expect(localDay(task.due!)).toBe(localDay(NOW.toISOString()));
    expect(tasks.labels().map((l) => l.name)).toEqual(['Follow-up', 'Refill', 'Lab', 'Urgent', 'Intake', 'Billing']);
  });

  it('has today\'s schedule, messages, care teams and chart data', () => {
    const { staff, appointments, messages, careTeamMemberships, conditions, medications, allergyIntolerances, observations } = start();
    const today = appointments.list({ provider_id: staff.id, day: localDay(NOW.toISOString()) });
    expect(today.map((a) => [a.patient.name, a.status])).toEqual([['Maria Gonzalez', 'arrived'], ['James Carter', 'confirmed'], ['Robert Nguyen', 'confirmed']]);
    expect(today[0]).toMatchObject({ note_id: OPEN_NOTE, duration_minutes: 30, provider: { id: staff.id, name: 'Dr. Ada Moreno' }, location: { name: 'Mission' } });
    expect(today[2]).toMatchObject({ note_type: 'Telehealth', meeting_link: expect.stringMatching(/^https:/), location: null });
    expect(appointments.list({ patient_id: MARIA })).toHaveLength(1);
    const thread = messages.list({ patient_id: MARIA });
    expect(thread.map((m) => [m.sender.name, m.recipient.type, m.read === null])).toEqual([
      ['Maria Gonzalez', 'Staff', false], ['Dr. Ada Moreno', 'Patient', false], ['Maria Gonzalez', 'Staff', true],
    ]);
    expect(messages.list({ staff_id: staff.id, unread: true }).map((m) => m.content)).toEqual(['Should I take my lisinopril before I come in?']);
    expect(thread[0]!.transmissions).toEqual([expect.objectContaining({ delivered: true, failed: false, contact_point_system: 'noop' })]);
    expect(careTeamMemberships.list({ patient_id: MARIA }).map((c) => [c.staff.name, c.role_display, c.lead])).toEqual([
      ['Dr. Ada Moreno', 'Primary care physician', true], ['Jordan Lee', 'Registered nurse', false],
    ]);
    expect(conditions.list({ patient_id: MARIA }).map((c) => c.codings[0]!.code)).toEqual(['I10', 'E78.5']);
    expect(medications.list({ patient_id: MARIA })[0]!.codings[0]).toEqual({ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '314076', display: 'lisinopril 10 MG Oral Tablet' });
    expect(allergyIntolerances.list({ patient_id: MARIA })).toMatchObject([{ severity: 'moderate', narrative: 'Hives' }]);
    const vitals = observations.list({ patient_id: MARIA, category: 'vital-signs', name: 'blood_pressure' });
    expect(vitals.map((v) => v.value)).toEqual(['142/88', '136/86']);
  });

  it('reads return copies', () => {
    const { patients, notes, tasks, messages } = start();
    patients.get(MARIA)!.telecom.pop();
    notes.get(OPEN_NOTE)!.commands.pop();
    tasks.get(TASK)!.comments.pop();
    messages.list()[0]!.transmissions.pop();
    expect(patients.get(MARIA)!.telecom).toHaveLength(2);
    expect(notes.get(OPEN_NOTE)!.commands).toHaveLength(2);
    expect(tasks.get(TASK)!.comments).toHaveLength(2);
    expect(messages.list()[0]!.transmissions).toHaveLength(1);
  });
});

describe('records', () => {
  it('patients: a key in another form finds nothing, as on Canvas, and the log says why (once)', () => {
    const { patients, tasks } = start();
    const dashed = '3e1f7a52-8c4d-4b6e-a1f0-2d9c8b7a6e51';
    expect(patients.get(dashed)).toBeNull();
    expect(patients.get(dashed)).toBeNull();
    expect(patients.get(MARIA.toUpperCase())).toBeNull();
    expect(log.mock.calls.map(([line]) => line)).toEqual([
      `no patient or staff member "${dashed}" is not a Canvas key: patient and staff ids are 32 lower-case hex digits without dashes ("${MARIA}"): Canvas would not find it either`,
      expect.stringContaining(`"${MARIA.toUpperCase()}" is not a Canvas key`),
    ]);
    expect(() => tasks.add({ title: 'X', patient_id: dashed })).toThrow(`tasks.add: patient_id: no patient "${dashed}" (`);
  });

  it('patients: find and list by fields; add and update take the Patient effect\'s fields', () => {
    const { patients, staffMembers, practiceLocations } = start();
    expect(patients.find({ last_name: ' CARTER ' }).map((p) => p.first_name)).toEqual(['James']);
    expect(patients.list({ first_name: 'maria' }).map((p) => p.id)).toEqual([MARIA]);
    expect(patients.find({}, { since: '2026-01-01' })).toEqual([]);
    expect(() => patients.find({}, { since: 'soon' })).toThrow('since "soon" is not a time');
    const added = patients.add({
      first_name: 'Kit', last_name: 'Test', birthdate: '2000-01-01', sex_at_birth: 'UNK', nickname: 'K', default_provider_id: staffMembers[1]!.id, default_location_id: practiceLocations[0]!.id,
      contact_points: [{ system: 'phone', value: '555-0100', use: 'mobile', rank: 2 }, { system: 'phone', value: '555-0101', use: 'home', rank: 1, has_consent: true }],
      addresses: [{ line1: '1 Main St', country: 'US', city: 'Oakland' }], metadata: [{ key: 'source', value: 'kit' }],
      contacts: [{ name: 'Pat Test', phone_number: '5550100100', categories: [{ code: 'EMC', code_system: 'sys', name: 'Emergency contact' }] }],
    });
    expect(added).toMatchObject({
      id: expect.stringMatching(KEY), birth_date: '2000-01-01', sex_at_birth: 'UNK', preferred_first_name: 'K', primary_phone_number: '555-0101', default_provider_id: staffMembers[1]!.id,
      addresses: [{ line1: '1 Main St', city: 'Oakland', use: 'home', type: 'both', state: 'active' }], metadata: [{ key: 'source', value: 'kit' }],
      contacts: [{ name: 'Pat Test', phone_number: '5550100100', id: expect.stringMatching(V4) }],
    });
    expect(patients.find({}, { since: '2026-01-01' })).toEqual([added]);
    const contact = added.contacts[0]!.id;
    const changed = patients.update(added.id, {
      last_name: 'G', nickname: null, metadata: [{ key: 'source', value: 'changed' }, { key: 'more', value: '1' }],
      contacts: [{ contact_identifier: contact, email: 'pat@example.com' }, { name: 'Second' }],
    });
    expect(changed).toMatchObject({ last_name: 'G', nickname: '', preferred_first_name: 'Kit', metadata: [{ key: 'source', value: 'changed' }, { key: 'more', value: '1' }] });
    expect(changed.contacts.map((c) => [c.name, c.email])).toEqual([['Pat Test', 'pat@example.com'], ['Second', '']]);
    expect(patients.update(added.id, { contacts: [{ contact_identifier: contact, inactive: true }] }).contacts.map((c) => c.name)).toEqual(['Second']);
    expect(patients.update(added.id, { contact_points: null }).primary_phone_number).toBeNull();
    expect(() => patients.update(MARIA, { contacts: [{ contact_identifier: contact, inactive: true }] })).toThrow(`contacts[0]: the patient has no contact ${contact}`);
    expect(() => patients.update('nope', {})).toThrow('patients.update: no patient "nope"');
  });

  it('patients: a wrong or unknown field is an error naming it and what the SDK accepts', () => {
    const { patients } = start();
    const cases: [Record<string, unknown>, string | RegExp][] = [
      [{ first_name: 'A', last_name: 'B', birth_date: '2000-01-01' }, 'patients.add: unknown field "birth_date" (the Patient effect calls it birthdate; the record reads birth_date); accepted: patient_id, first_name, last_name,'],
      [{ first_name: 'A', last_name: 'B', sex: 'F' }, 'unknown field "sex" (the SDK calls it sex_at_birth'],
      [{ first_name: 'A', last_name: 'B', phone: '555' }, 'phones and emails are contact_points'],
      [{ first_name: 'A', last_name: 'B', preferred_name: 'X' }, 'the SDK has no preferred name: use nickname'],
      [{ first_name: 'A', last_name: 'B', nicknme: 'X' }, 'unknown field "nicknme" (did you mean "nickname"?)'],
      [{ first_name: 'A', last_name: 'B', birthdate: '2000-13-01' }, 'patients.add: birthdate must be a date, YYYY-MM-DD (got "2000-13-01")'],
      [{ first_name: 'A', last_name: 'B', birthdate: '2000-01-01T10:00:00Z' }, 'must be a date, YYYY-MM-DD: a date without a time (Python datetime.date)'],
      [{ first_name: 'A', last_name: 'B', sex_at_birth: 'female' }, 'sex_at_birth must be one of "F", "M", "O", "UNK", "" (got "female")'],
      [{ first_name: ' ', last_name: 'B' }, 'first_name must be a non-empty string of at most 100 characters'],
      [{ last_name: 'B' }, 'patients.add: first_name is required'],
      [{ first_name: 'A', last_name: 'B', patient_id: MARIA }, `a patient ${MARIA} exists already`],
      [{ first_name: 'A', last_name: 'B', patient_id: 'ABC' }, 'patient_id must be 32 lower-case hex digits, as generate_patient_id() makes'],
      [{ first_name: 'A', last_name: 'B', contact_points: [{ system: 'phone', value: '1' }] }, 'contact_points[0]: use is required'],
      [{ first_name: 'A', last_name: 'B', contact_points: [{ system: 'sms', value: '1', use: 'home', rank: 1 }] }, 'contact_points[0]: system must be one of "phone", "fax", "email", "pager", "other"'],
      [{ first_name: 'A', last_name: 'B', contacts: [{ phone_number: '555' }] }, 'phone_number must be exactly 10 digits'],
      [{ first_name: 'A', last_name: 'B', contacts: [{ comments: 'x' }] }, 'a new contact needs a name or a related_patient'],
      [{ first_name: 'A', last_name: 'B', default_provider_id: 'nobody' }, /default_provider_id: no staff member "nobody"; staff: 5f0a/],
    ];
    for (const [fields, message] of cases) expect(() => patients.add(fields as never)).toThrow(message);
  });

  it('notes: add to a patient; commands by schema_key into open notes only, checked as the SDK\'s command classes', () => {
    const { notes, staff, staffMembers } = start();
    expect(notes.add({ patient_id: MARIA })).toMatchObject({ type: 'Office visit', status: 'open', provider: staff.name, provider_id: staff.id, commands: [] });
    expect(notes.add({ patient_id: MARIA, provider_id: staffMembers[1]!.id }).provider).toBe('Dr. Sam Okafor');
    expect(() => notes.add({ patient_id: 'nope' })).toThrow('notes.add: no patient "nope"');
    expect(() => notes.add({ patient_id: MARIA, title: 'Visit' } as never)).toThrow('notes.add: unknown field "title"');
    expect(() => notes.add({ patient_id: MARIA, status: 'draft' as never })).toThrow('status must be one of "open", "signed" (got "draft")');
    expect(() => notes.add({ patient_id: MARIA, date: '2026-02-30' })).toThrow('date must be a date, YYYY-MM-DD');
    expect(notes.add({ patient_id: MARIA, status: 'SIGNED' as never, date: '2026-11-02' })).toMatchObject({ status: 'signed', date: '2026-11-02' });
    const vitals = notes.addCommand(OPEN_NOTE, { schema_key: 'vitals', data: { blood_pressure_systole: 132, blood_pressure_diastole: 84, pulse: 72, pulse_rhythm: 'REGULAR' }, origin: 'kit' }).commands.at(-1);
    expect(vitals).toMatchObject({ schema_key: 'vitals', type: 'Vitals', text: 'BP 132/84 mmHg · Pulse 72 /min', origin: 'kit', committed: false, data: { pulse_rhythm: 0 }, added: expect.any(String) });
    expect(notes.addCommand(OPEN_NOTE, { schema_key: 'plan', data: { narrative: 'Recheck in 3 months' }, commit: true }).commands.at(-1)).toMatchObject({ type: 'Plan', text: 'Recheck in 3 months', committed: true });
    expect(() => notes.addCommand(SIGNED_NOTE, { schema_key: 'plan' })).toThrow('is signed: commands go into open notes only');
    expect(() => notes.addCommand(OPEN_NOTE, { schema_key: 'Vitals' })).toThrow('notes.addCommand: unknown command "Vitals"; the platform has vitals, plan, hpi, reasonForVisit, assess, goal, task');
    expect(() => notes.addCommand(OPEN_NOTE, { schema_key: 'vitals', data: { pulse: 20 } })).toThrow('pulse must be a whole number from 30 to 250 (got 20)');
    expect(() => notes.addCommand(OPEN_NOTE, { schema_key: 'vitals', data: { bp: 1 } })).toThrow('unknown field "bp"; accepted: note_uuid, command_uuid, height,');
    expect(() => notes.addCommand('nope', { schema_key: 'plan' })).toThrow('no note "nope"');
  });

  it('tasks: OPEN, then COMPLETED, then CLOSED, each by due time; filters; add, update and comment take the task effects\' fields', () => {
    const { tasks, staff, staffMembers, teams } = start();
    expect(tasks.list({ assignee_id: staff.id }).map((t) => t.status)).toEqual(['OPEN', 'OPEN', 'OPEN', 'OPEN', 'COMPLETED']);
    const open = tasks.list({ status: 'OPEN' }).map((t) => t.due!);
    expect(open).toEqual([...open].sort());
    expect(tasks.list().at(-1)!.status).toBe('CLOSED');
    expect(tasks.list({ patient_id: MARIA, status: 'OPEN' })).toHaveLength(2);
    expect(tasks.list({ label: 'Refill' }).map((t) => t.title)).toEqual(['Renew lisinopril prescription']);
    expect(tasks.list({ team_id: FRONT_DESK }).map((t) => t.assignee!.name)).toEqual(['Riley Chen', 'Riley Chen']);
    expect(() => tasks.list({ status: 'open' as never })).toThrow('tasks.list: status must be one of "OPEN", "COMPLETED", "CLOSED" (got "open")');
    const added = tasks.add({ title: 'Call', team_id: teams[1]!.id, due: new Date('2026-05-06T15:30:00Z'), priority: 'STAT', labels: ['Refill', 'New one'] });
    expect(added).toMatchObject({ title: 'Call', status: 'OPEN', assignee: null, assignee_id: null, team: { name: 'Nursing' }, due: '2026-05-06T15:30:00.000Z', priority: 'stat', creator: null, created: added.modified });
    expect(added.labels).toEqual([{ id: expect.any(String), name: 'Refill', color: 'purple' }, { id: expect.any(String), name: 'New one', color: 'grey' }]);
    const reassigned = tasks.update(added.id, { assignee_id: staffMembers[1]!.id, status: 'CLOSED', labels: [], due: null });
    expect(reassigned).toMatchObject({ assignee: { name: 'Dr. Sam Okafor' }, status: 'CLOSED', labels: [], due: null });
    const commented = tasks.comment({ task_id: added.id, body: 'Called twice.', author_id: staff.id });
    expect(commented.comments).toEqual([{ id: expect.stringMatching(V4), created: expect.any(String), modified: expect.any(String), creator_id: staff.id, creator: { id: staff.id, name: 'Dr. Ada Moreno' }, body: 'Called twice.' }]);
    expect(commented.modified >= reassigned.modified).toBe(true);
    // A task without a due date lists after those with one, as order_by("due") lists it.
    const undated = tasks.add({ title: 'Someday', assignee_id: staff.id });
    expect(tasks.list({ assignee_id: staff.id, status: 'OPEN' }).at(-1)!.id).toBe(undated.id);
  });

  it('tasks: a wrong or unknown field is an error naming it and what the SDK accepts', () => {
    const { tasks } = start();
    const cases: [() => unknown, string | RegExp][] = [
      [() => tasks.add({ title: 'X', due: '2026-05-05' }), 'tasks.add: due must be a date-time, ISO 8601 with a time such as 2026-05-05T16:00:00Z, or a Date: a date alone has no time (Python datetime, not date) (got "2026-05-05")'],
      [() => tasks.add({ title: 'X', status: 'open' as never }), 'status must be one of "OPEN", "COMPLETED", "CLOSED" (got "open")'],
      [() => tasks.add({ title: 'X', priority: 'high' as never }), 'priority must be one of "stat", "urgent", "routine"'],
      [() => tasks.add({ title: 'X', assignee_id: 'someone' }), /tasks.add: assignee_id: no staff member "someone"; staff: /],
      [() => tasks.add({ title: 'X', team_id: 'team' }), /team_id: no team "team"; teams: .*Front desk/],
      [() => tasks.add({ title: 'X', linked_object_id: 'r1' }), 'linked_object_id and linked_object_type go together'],
      [() => tasks.add({ title: 'x'.repeat(501) }), 'title must be a non-empty string of at most 500 characters'],
      [() => tasks.add({ title: 'X', assignee: 'me' } as never), 'unknown field "assignee" (the effect takes assignee_id (a staff key)); accepted: id, assignee_id,'],
      [() => tasks.update(TASK, { task_id: TASK } as never), 'unknown field "task_id" (UpdateTask calls the task id just id)'],
      [() => tasks.update(TASK, { author_id: 'x' } as never), 'unknown field "author_id"'],
      [() => tasks.update('nope', {}), 'tasks.update: no task "nope"'],
      [() => tasks.comment({ task_id: TASK, body: ' ' }), 'body must be a non-empty string'],
      [() => tasks.comment({ task_id: TASK, text: 'x' } as never), 'unknown field "text" (AddTaskComment calls it body)'],
    ];
    for (const [write, message] of cases) expect(write).toThrow(message);
  });

  it('appointments: a schedule by provider and day; writes with the data model\'s names', () => {
    const { appointments, staff, staffMembers } = start();
    const day = localDay(NOW.toISOString());
    expect(appointments.list({ provider_id: staffMembers[1]!.id, day }).map((a) => a.patient.name)).toEqual(['Aiko Tanaka']);
    const late = new Date(NOW);
    late.setHours(23, 30, 0, 0);
    const added = appointments.add({ patient_id: JAMES, provider_id: staff.id, start_time: late, labels: ['Late'] });
    expect(added).toMatchObject({ status: 'unconfirmed', duration_minutes: 30, note_type: 'Office visit', location: { name: 'Mission' }, patient: { name: 'James Carter' }, labels: ['Late'] });
    expect(appointments.list({ provider_id: staff.id, day }).at(-1)!.id).toBe(added.id);
    expect(appointments.update(added.id, { status: 'arrived' })).toMatchObject({ status: 'arrived' });
    expect(() => appointments.add({ patient_id: JAMES, provider_id: staff.id } as never)).toThrow('appointments.add: start_time is required');
    expect(appointments.update(added.id, { status: 'ROOMED' as never }).status).toBe('roomed');
    expect(() => appointments.update(added.id, { status: 'here' as never })).toThrow('status must be one of "unconfirmed", "attempted", "confirmed", "arrived"');
    expect(() => appointments.add({ patient_id: JAMES, provider_id: staff.id, start_time: NOW, labels: ['a', 'b', 'c', 'd'] })).toThrow('labels takes at most 3 items');
    expect(() => appointments.list({ doctor: staff.id } as never)).toThrow('appointments.list: unknown filter "doctor"; accepted: provider_id, patient_id, status, day');
    expect(() => appointments.update('nope', {})).toThrow('appointments.update: no record "nope"');
  });

  it('refuses a list filter it does not know, naming the nearest: a typo must not list every record', () => {
    const { tasks, messages, notes } = createPlatform();
    expect(() => tasks.list({ assigne_id: 'x' } as never)).toThrow('tasks.list: unknown filter "assigne_id" (did you mean "assignee_id"?); accepted: assignee_id, patient_id, team_id, status, label');
    expect(() => messages.list({ state: 'unread' } as never)).toThrow('messages.list: unknown filter "state"');
    expect(() => notes.list({ patient: MARIA } as never)).toThrow('notes.list: unknown filter "patient"; accepted: patient_id');
    expect(() => tasks.list('OPEN' as never)).toThrow('tasks.list: the filter must be an object (got "OPEN")');
    // Keys given as undefined filter nothing, as before.
    expect(tasks.list({ status: undefined }).length).toBe(tasks.list().length);
  });

  it('messages: threads by patient or staff, unread ones; writes with the Message effect\'s fields', () => {
    const { messages, staff } = start();
    const sent = messages.add({ sender_id: staff.id, recipient_id: MARIA, content: 'See you at 9.' });
    expect(sent).toMatchObject({ sender: { id: staff.id, type: 'Staff', name: 'Dr. Ada Moreno' }, recipient: { type: 'Patient', name: 'Maria Gonzalez' }, read: null, note_id: null });
    expect(sent.transmissions).toHaveLength(1);
    const draft = messages.add({ sender_id: staff.id, recipient_id: JAMES, content: 'Draft' }, { send: false });
    expect(draft.transmissions).toEqual([]);
    expect(messages.send(draft.id).transmissions).toHaveLength(1);
    const unread = messages.list({ staff_id: staff.id, unread: true })[0]!;
    const read = messages.update(unread.id, { read: '2026-05-05T10:05:00Z' });
    expect(read).toMatchObject({ read: '2026-05-05T10:05:00.000Z', content: unread.content });
    expect(messages.list({ staff_id: staff.id, unread: true }).map((m) => m.id)).toEqual([sent.id, draft.id]);
    expect(() => messages.add({ sender_id: staff.id, recipient_id: 'nobody', content: 'x' })).toThrow('messages.add: recipient_id: no patient or staff member "nobody"');
    expect(() => messages.add({ sender_id: staff.id, recipient_id: MARIA, content: ' ' })).toThrow('message content cannot be empty');
    expect(() => messages.add({ sender_id: staff.id, recipient_id: MARIA, text: 'x' } as never)).toThrow('unknown field "text" (the Message effect calls it content)');
    expect(() => messages.update('nope', {})).toThrow('messages.update: no message "nope"');
  });

  it('care teams and chart data: reads by patient, writes checked', () => {
    const { careTeamMemberships, conditions, observations, allergyIntolerances, medications, staffMembers } = start();
    expect(careTeamMemberships.add({ patient_id: JAMES, staff_id: staffMembers[2]!.id, role_display: 'Care coordinator' })).toMatchObject({ status: 'active', lead: false, staff: { name: 'Jordan Lee' } });
    const lab = observations.add({ patient_id: JAMES, category: 'laboratory', name: 'Hemoglobin A1c', value: 7.2, units: '%' });
    expect(lab).toMatchObject({ value: '7.2', note_id: null, codings: [] });
    expect(observations.list({ patient_id: JAMES })[0]!.id).toBe(lab.id);
    const condition = conditions.add({ patient_id: JAMES, codings: [{ system: 'icd', code: 'I10', display: 'Hypertension' }], onset_date: '2026-01-02' });
    expect(conditions.update(condition.id, { clinical_status: 'resolved', resolution_date: '2026-05-01' })).toMatchObject({ clinical_status: 'resolved', resolution_date: '2026-05-01' });
    expect(allergyIntolerances.add({ patient_id: JAMES, codings: [{ system: 's', code: '1', display: 'Latex' }] })).toMatchObject({ allergy_intolerance_type: 'allergy', status: 'active' });
    expect(() => conditions.add({ patient_id: JAMES, codings: [] })).toThrow('conditions.add: codings needs at least one { system, code, display }');
    expect(() => medications.add({ patient_id: 'x', codings: [{ system: 's', code: '1', display: 'd' }] })).toThrow('medications.add: patient_id: no patient "x"');
    expect(() => observations.add({ patient_id: JAMES, name: 'pulse', value: 70, note_id: 'nope' })).toThrow('observations.add: note_id: no note "nope"');
  });

  it('reports every change to listeners, whoever made it, with the staff it concerns; a listener that throws is logged', () => {
    const { patients, notes, tasks, messages, appointments, staff, staffMembers, onChange } = start();
    const changes: unknown[] = [];
    const off = onChange((change: Change) => changes.push([change.kind, change.action, change.patient_id, change.staff_ids, change.id === change.record.id]));
    onChange(() => {
      throw new Error('listener bug');
    });
    const patient = patients.add({ first_name: 'A', last_name: 'B' });
    notes.addCommand(OPEN_NOTE, { schema_key: 'plan' });
    const task = tasks.add({ title: 'T', patient_id: MARIA, assignee_id: staff.id });
    tasks.update(task.id, { assignee_id: staffMembers[1]!.id });
    messages.add({ sender_id: MARIA, recipient_id: staff.id, content: 'Hi' });
    appointments.add({ patient_id: MARIA, provider_id: staffMembers[1]!.id, start_time: NOW });
    off();
    tasks.update(task.id, { status: 'COMPLETED' });
    expect(changes).toEqual([
      ['patient', 'created', patient.id, [], true],
      ['note', 'updated', MARIA, [staff.id], true],
      ['task', 'created', MARIA, [staff.id], true],
      ['task', 'updated', MARIA, [staffMembers[1]!.id, staff.id], true],
      ['message', 'created', MARIA, [staff.id], true],
      ['appointment', 'created', MARIA, [staffMembers[1]!.id], true],
    ]);
    expect(log).toHaveBeenCalledWith('a change listener failed: listener bug');
  });
});

describe('effects', () => {
  it('land after effectDelay on a timer by default, or after their own `after`', async () => {
    vi.useFakeTimers();
    const { apply, tasks } = start({ effectDelay: 500 });
    const landed = apply({ type: 'CREATE_TASK', data: { title: 'Later' } });
    const soon = apply({ type: 'CREATE_TASK', data: { title: 'Sooner' } }, { after: 100 });
    await vi.advanceTimersByTimeAsync(100);
    expect(await soon).toMatchObject({ title: 'Sooner' });
    expect(tasks.list().some((t) => t.title === 'Later')).toBe(false);
    await vi.advanceTimersByTimeAsync(400);
    expect(await landed).toMatchObject({ title: 'Later' });
  });

  it('are the SDK\'s: checked at once, landed when the scheduler says, with their delay and whether it is the default', async () => {
    const { held, schedule } = heldScheduler();
    const { apply, patients, notes, tasks, messages, staff } = start({ schedule, effectDelay: 50 });
    const unread = messages.list({ staff_id: staff.id, unread: true })[0]!;
    const results = [
      apply({ type: 'CREATE_PATIENT', data: { first_name: 'E', last_name: 'F', birthdate: '1999-09-09', sex_at_birth: 'F', contact_points: [{ system: 'email', value: 'e@example.com', use: 'home', rank: 1 }] } }),
      apply({ type: 'UPDATE_PATIENT', data: { patient_id: MARIA, last_name: 'G', nickname: 'Mari' } }, { after: 0 }),
      apply({ type: 'ORIGINATE_VITALS_COMMAND', data: { note_uuid: OPEN_NOTE, pulse: 72 }, commit: true }),
      apply({ type: 'ORIGINATE_HPI_COMMAND', data: { note_uuid: OPEN_NOTE, narrative: 'Better.' } }),
      apply({ type: 'UPDATE_TASK', data: { id: TASK, title: 'U', status: 'COMPLETED', assignee_id: OKAFOR } }),
      apply({ type: 'CREATE_TASK_COMMENT', data: { task_id: TASK, body: 'Done.', author_id: staff.id } }),
      apply({ type: 'CREATE_AND_SEND_MESSAGE', data: { sender_id: staff.id, recipient_id: MARIA, content: 'Yes, take it.' } }),
      apply({ type: 'EDIT_MESSAGE', data: { message_id: unread.id, sender_id: MARIA, recipient_id: staff.id, content: null, read: NOW } }),
    ];
    expect(held.map((h) => [h.after, h.defaulted])).toEqual([[50, true], [0, false], [50, true], [50, true], [50, true], [50, true], [50, true], [50, true]]);
    expect(patients.get(MARIA)!.last_name).toBe('Gonzalez');
    held.forEach((h) => h.land());
    held.forEach((h) => h.land()); // landing twice does nothing
    await Promise.all(results);
    expect(patients.find({ first_name: 'E' })).toMatchObject([{ birth_date: '1999-09-09', sex_at_birth: 'F', telecom: [{ system: 'email', value: 'e@example.com' }] }]);
    expect(patients.get(MARIA)).toMatchObject({ last_name: 'G', preferred_first_name: 'Mari' });
    // The platform's own apply gives no origin.
    expect(notes.get(OPEN_NOTE)!.commands.slice(-2)).toMatchObject([{ schema_key: 'vitals', text: 'Pulse 72 /min', committed: true }, { schema_key: 'hpi', text: 'Better.' }]);
    expect(notes.get(OPEN_NOTE)!.commands.at(-1)).not.toHaveProperty('origin');
    expect(tasks.get(TASK)).toMatchObject({ title: 'U', status: 'COMPLETED', assignee: { id: OKAFOR }, comments: [{}, {}, { body: 'Done.' }] });
    expect(messages.list({ patient_id: MARIA }).at(-1)).toMatchObject({ content: 'Yes, take it.', transmissions: [{ delivered: true }] });
    expect(messages.get(unread.id)).toMatchObject({ read: NOW.toISOString(), content: unread.content });
  });

  it('a draft message is created unsent, and SEND_MESSAGE sends it', async () => {
    const { apply, messages, staff } = start({ schedule: atOnce });
    const draft = (await apply({ type: 'CREATE_MESSAGE', data: { sender_id: staff.id, recipient_id: JAMES, content: 'Draft' } })) as { id: string };
    expect(messages.get(draft.id)!.transmissions).toEqual([]);
    await apply({ type: 'SEND_MESSAGE', data: { message_id: draft.id, sender_id: staff.id, recipient_id: JAMES, content: null } });
    expect(messages.get(draft.id)!.transmissions).toHaveLength(1);
  });

  it('throw for a malformed effect, naming the mistake and what is accepted', () => {
    const { apply, staff } = start();
    const cases: [unknown, unknown, string | RegExp][] = [
      [null, undefined, /the effect must be an object \{ type, data \}/],
      [{ type: 'teleport' }, undefined, /^apply: unknown effect type "teleport"; accepted: CREATE_PATIENT, UPDATE_PATIENT, CREATE_TASK, UPDATE_TASK, CREATE_TASK_COMMENT, SIMPLE_API_WEBSOCKET_BROADCAST, CUSTOM, CREATE_MESSAGE, CREATE_AND_SEND_MESSAGE, SEND_MESSAGE, EDIT_MESSAGE, ORIGINATE_<KEY>_COMMAND \(KEY: VITALS, PLAN, HPI, REASON_FOR_VISIT, ASSESS, GOAL, TASK\)$/],
      [{ type: 'toString' }, undefined, /unknown effect type "toString"/],
      [{ type: 'create_task', title: 'x' }, undefined, 'unknown effect type "create_task" (the SDK\'s name: CREATE_TASK, with data { title, assignee_id, due, labels, … })'],
      [{ type: 'complete_task', task_id: TASK }, undefined, '(the SDK\'s name: UPDATE_TASK, with data { id, status: "COMPLETED" })'],
      [{ type: 'add_command' }, undefined, 'ORIGINATE_<KEY>_COMMAND, e.g.'],
      [{ type: 'create_message' }, undefined, '(the SDK\'s name: CREATE_MESSAGE)'],
      [{ type: 'CREATE_TASKS' }, undefined, '(the SDK\'s name: CREATE_TASK)'],
      [{ type: 'CREATE_TASK', title: 'x' }, undefined, 'apply: CREATE_TASK takes type, data, not title: the SDK class\'s fields go in data, as its payload {"data": …} has them ({ type: \'CREATE_TASK\', data: { title } })'],
      [{ type: 'CREATE_TASK' }, undefined, 'apply: CREATE_TASK needs data'],
      [{ type: 'CREATE_TASK', data: { title: 'x' } }, { after: -1 }, /after must be a number of milliseconds >= 0/],
      [{ type: 'CREATE_TASK', data: { title: 'x' } }, { after: Number.NaN }, /after must be a number/],
      [{ type: 'CREATE_TASK', data: { title: ' ' } }, undefined, 'CREATE_TASK data: title must be a non-empty string'],
      [{ type: 'CREATE_TASK', data: { title: 'x', due: '2026-05-05' } }, undefined, 'CREATE_TASK data: due must be a date-time'],
      [{ type: 'CREATE_TASK', data: { title: 'x', assignee_id: 'nobody' } }, undefined, 'CREATE_TASK data: assignee_id: no staff member "nobody"'],
      [{ type: 'UPDATE_TASK', data: { task_id: TASK, status: 'COMPLETED' } }, undefined, 'CREATE_TASK data'.replace('CREATE', 'UPDATE') + ': unknown field "task_id" (UpdateTask calls the task id just id)'],
      [{ type: 'UPDATE_TASK', data: { id: TASK, status: 'completed' } }, undefined, 'UPDATE_TASK data: status must be one of "OPEN", "COMPLETED", "CLOSED" (got "completed")'],
      [{ type: 'UPDATE_TASK', data: { status: 'OPEN' } }, undefined, 'UPDATE_TASK data: id is required'],
      [{ type: 'CREATE_TASK_COMMENT', data: { task_id: 'nope', body: 'x' } }, undefined, 'CREATE_TASK_COMMENT data: no task "nope"'],
      [{ type: 'CREATE_PATIENT', data: { first_name: 'E', last_name: 'F', birth_date: '2000-01-01' } }, undefined, 'CREATE_PATIENT data: unknown field "birth_date" (the Patient effect calls it birthdate'],
      [{ type: 'CREATE_PATIENT', data: { first_name: 'E' } }, undefined, 'CREATE_PATIENT data: last_name is required'],
      [{ type: 'UPDATE_PATIENT', data: { last_name: 'G' } }, undefined, 'UPDATE_PATIENT data: patient_id: no patient undefined'],
      [{ type: 'UPDATE_PATIENT', data: { patient_id: 'nope', last_name: 'G' } }, undefined, 'UPDATE_PATIENT data: patient_id: no patient "nope"'],
      [{ type: 'ORIGINATE_VITALS_COMMAND', data: { pulse: 70 } }, undefined, 'ORIGINATE_VITALS_COMMAND data: note_uuid is required'],
      [{ type: 'ORIGINATE_VITALS_COMMAND', data: { note_uuid: 'nope' } }, undefined, 'ORIGINATE_VITALS_COMMAND data: no note "nope"'],
      [{ type: 'ORIGINATE_VITALS_COMMAND', data: { note_uuid: OPEN_NOTE, pulse_rhythm: 'STEADY' } }, undefined, 'pulse_rhythm must be one of 0, 1, 2 (got "STEADY")'],
      [{ type: 'ORIGINATE_PLAN_COMMAND', data: { note_uuid: OPEN_NOTE }, commit: 'yes' }, undefined, 'ORIGINATE_PLAN_COMMAND: commit must be true or false'],
      [{ type: 'ORIGINATE_PLAN_COMMAND', data: { note_uuid: OPEN_NOTE, text: 'x' } }, undefined, 'ORIGINATE_PLAN_COMMAND data: unknown field "text"; accepted: note_uuid, command_uuid, narrative'],
      [{ type: 'ORIGINATE_REASON_FOR_VISIT_COMMAND', data: { note_uuid: OPEN_NOTE, structured: true } }, undefined, 'a structured reason for visit needs a coding'],
      [{ type: 'CREATE_MESSAGE', data: { sender_id: staff.id, recipient_id: MARIA } }, undefined, 'CREATE_MESSAGE data: content is required'],
      [{ type: 'CREATE_MESSAGE', data: { sender_id: staff.id, recipient_id: MARIA, content: 'x', message_id: TASK } }, undefined, 'can\'t set message_id when creating a message'],
      [{ type: 'CREATE_MESSAGE', data: { sender_id: 'nobody', recipient_id: MARIA, content: 'x' } }, undefined, 'CREATE_MESSAGE data: sender_id: no patient or staff member "nobody"'],
      [{ type: 'EDIT_MESSAGE', data: { sender_id: staff.id, recipient_id: MARIA, content: null } }, undefined, 'EDIT_MESSAGE data: message_id is required to edit a message'],
      [{ type: 'EDIT_MESSAGE', data: { message_id: TASK, sender_id: staff.id, recipient_id: MARIA, content: null } }, undefined, `can't edit message ${TASK}: it does not exist`],
      [{ type: 'EDIT_MESSAGE', data: { message_id: TASK, sender_id: staff.id, recipient_id: MARIA, content: null, read: '2026-05-05' } }, undefined, 'read must be a date-time'],
      [{ type: 'SIMPLE_API_WEBSOCKET_BROADCAST', data: { channel: 'a b', message: {} } }, undefined, /channel "a b" must match/],
      [{ type: 'SIMPLE_API_WEBSOCKET_BROADCAST', data: { channel: 'a', message: [1] } }, undefined, 'SIMPLE_API_WEBSOCKET_BROADCAST data: message must be an object'],
      [{ type: 'CUSTOM', run: () => {} }, undefined, 'CUSTOM: name must be a non-empty string'],
      [{ type: 'CUSTOM', name: 'x', run: 'later' }, undefined, 'CUSTOM: run must be a function, called when the effect lands (got string)'],
      [{ type: 'CUSTOM', name: 'x', run: () => {}, data: {} }, undefined, 'apply: CUSTOM takes type, name, run, not data'],
    ];
    for (const [effect, options, message] of cases) expect(() => apply(effect as never, options as never), JSON.stringify(effect)).toThrow(message);
  });

  it('that fail when they land reject and are logged; close() cancels those not landed', async () => {
    const { held, schedule } = heldScheduler();
    const { apply, notes, close } = start({ schedule });
    const note = notes.add({ patient_id: MARIA, status: 'signed' });
    const failing = apply({ type: 'ORIGINATE_PLAN_COMMAND', data: { note_uuid: note.id, narrative: 'x' } });
    apply({ type: 'CREATE_TASK', data: { title: 'Never' } });
    held[0]!.land();
    await expect(failing).rejects.toThrow('is signed');
    expect(log).toHaveBeenCalledWith(expect.stringContaining('effect ORIGINATE_PLAN_COMMAND failed when it landed: ORIGINATE_PLAN_COMMAND data: note'));
    close();
    expect(held.map((h) => h.cancelled)).toEqual([false, true]);
    expect(SIGNED_NOTE).toMatch(V4);
  });

  it('a custom effect runs when it lands, under the same scheduler; what it returns resolves apply, what it throws is logged', async () => {
    const { held, schedule } = heldScheduler();
    const { apply, tasks, close } = start({ schedule, effectDelay: 70 });
    const run = vi.fn(() => tasks.update(TASK, { status: 'CLOSED' }));
    const landed = apply({ type: 'CUSTOM', name: 'fax sent', run });
    const failing = apply({ type: 'CUSTOM', name: 'fax failed', run: async () => Promise.reject(new Error('no line')) });
    const cancelled = apply({ type: 'CUSTOM', name: 'never', run }, { after: 5 });
    expect(held.map((h) => [h.after, h.defaulted])).toEqual([[70, true], [70, true], [5, false]]);
    expect(run).not.toHaveBeenCalled();
    held[0]!.land();
    held[1]!.land();
    expect(await landed).toMatchObject({ id: TASK, status: 'CLOSED' });
    await expect(failing).rejects.toThrow('no line');
    expect(log).toHaveBeenCalledWith('effect CUSTOM "fax failed" failed when it landed: no line');
    close();
    expect(held[2]!.cancelled).toBe(true);
    expect(run).toHaveBeenCalledTimes(1);
    await expect(cancelled).rejects.toThrow('effect CUSTOM "never" was cancelled before it landed (the platform closed)');
  });

  it('a scheduler may land at once', async () => {
    const { apply } = start({ schedule: atOnce });
    expect(await apply({ type: 'UPDATE_TASK', data: { id: TASK, status: 'COMPLETED' } })).toMatchObject({ status: 'COMPLETED' });
  });

  it('report each step to onEffect: scheduled, then landed with its changes and result, failed, or cancelled', async () => {
    const { held, schedule } = heldScheduler();
    const { apply, onEffect, close } = start({ schedule, effectDelay: 50 });
    const steps: { id: number; state: string; plugin: string | null; after: number; defaulted: boolean; changes: string[]; result: unknown; error: unknown }[] = [];
    onEffect(({ id, state, plugin, after, defaulted, changes, result, error }) => steps.push({ id, state, plugin, after, defaulted, changes: changes.map((c) => `${c.kind} ${c.action} ${c.id}`), result, error }));
    const landed = apply({ type: 'UPDATE_TASK', data: { id: TASK, status: 'CLOSED' } });
    const failing = apply({ type: 'CUSTOM', name: 'boom', run: () => Promise.reject(new Error('no line')) }, { after: 5 });
    apply({ type: 'CREATE_TASK', data: { title: 'Never' } });
    expect(steps.map((s) => [s.id, s.state, s.after, s.defaulted])).toEqual([[1, 'scheduled', 50, true], [2, 'scheduled', 5, false], [3, 'scheduled', 50, true]]);
    held[0]!.land();
    held[1]!.land();
    await landed;
    await expect(failing).rejects.toThrow('no line');
    expect(steps.slice(3)).toEqual([
      { id: 1, state: 'landed', plugin: null, after: 50, defaulted: true, changes: [`task updated ${TASK}`], result: expect.objectContaining({ id: TASK, status: 'CLOSED' }), error: undefined },
      { id: 2, state: 'failed', plugin: null, after: 5, defaulted: false, changes: [], result: undefined, error: new Error('no line') },
    ]);
    close();
    expect(steps.at(-1)).toMatchObject({ id: 3, state: 'cancelled', changes: [] });
    expect(held[2]!.cancelled).toBe(true);
  });

  it('onEffect: a listener that throws is logged and the others still hear; unsubscribing stops it', async () => {
    const { apply, onEffect } = start({ schedule: atOnce });
    const heard: string[] = [];
    onEffect(() => {
      throw new Error('listener broke');
    });
    const stop = onEffect((step) => heard.push(step.state));
    await apply({ type: 'UPDATE_TASK', data: { id: TASK, status: 'COMPLETED' } });
    expect(heard).toEqual(['scheduled', 'landed']);
    expect(log).toHaveBeenCalledWith('an effect listener failed: listener broke');
    stop();
    await apply({ type: 'UPDATE_TASK', data: { id: TASK, status: 'OPEN' } });
    expect(heard).toHaveLength(2);
  });
});

describe('broadcasts', () => {
  it('frame the message for the registered delivery, which says how many sockets got it', async () => {
    const frames: unknown[] = [];
    const { broadcast, setBroadcaster, apply, close } = start({ schedule: atOnce });
    expect(broadcast('a', { x: 1 })).toBe(0);
    setBroadcaster((plugin, channel, frame) => frames.push([plugin, channel, frame]));
    expect(broadcast('staff-1', { x: 1 })).toBe(1);
    await apply({ type: 'SIMPLE_API_WEBSOCKET_BROADCAST', data: { channel: 'c', message: { y: 2 } } });
    expect(frames).toEqual([[null, 'staff-1', '{"message":{"x":1}}'], [null, 'c', '{"message":{"y":2}}']]);
    expect(() => broadcast('a/b', {})).toThrow(TypeError);
    close();
    expect(broadcast('a', {})).toBe(0);
  });
});

describe('a plugin backend', () => {
  const me = (): Staff => platform!.staff;

  it('answers routes as SimpleAPI: JSON, 204, status objects, files, 401, 404, 405, 500', async () => {
    const backend = start().plugin('kit', {
      routes: {
        'GET /plain': () => ({ status: 'submitted', n: 1 }),
        'GET /number': () => 42,
        'GET /nothing': () => null,
        'GET /text': () => ({ status: 409, body: 'taken', headers: { 'X-Why': 1 } }),
        'GET /html': () => ({ status: 200, body: '<p>', headers: { 'Content-Type': 'text/html' } }),
        'GET /empty': () => ({ status: 202 }),
        'GET /page': ({ staff }) => ({ file: 'page.html', context: { who: staff.name } }),
        'GET /bad-status': () => ({ status: 700 }),
        'POST /items/<id>': ({ params, query, headers, body, method }) => ({ status: 201, body: { params, q: query.get('q'), headers, body, method } }),
        'PUT /items/<id>': () => null,
        'GET /a.b/<x>': ({ params }) => params,
        'GET /boom': async () => {
          throw new Error('kaboom');
        },
      },
    });
    const handle = (method: string, path: string, extra: object = {}) => backend.handle({ method, path, staff: me(), ...extra });
    expect(await handle('GET', '/plain')).toEqual({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"submitted","n":1}', matched: true, route: 'GET /plain' });
    expect(await handle('get', '/number')).toMatchObject({ status: 200, body: '42' });
    expect(await handle('GET', '/nothing')).toMatchObject({ status: 204, body: undefined });
    expect(await handle('GET', '/text')).toMatchObject({ status: 409, headers: { 'x-why': '1', 'content-type': 'text/plain; charset=utf-8' }, body: 'taken' });
    expect(await handle('GET', '/html')).toMatchObject({ headers: { 'content-type': 'text/html' } });
    expect(await handle('GET', '/empty')).toEqual({ status: 202, headers: {}, body: undefined, matched: true, route: 'GET /empty' });
    expect(await handle('GET', '/page')).toMatchObject({ status: 200, file: 'page.html', context: { who: 'Dr. Ada Moreno' } });
    expect(await handle('GET', '/bad-status')).toMatchObject({ status: 500, error: expect.objectContaining({ message: 'response status 700 is not an HTTP status' }) });
    expect(await handle('POST', '/items/7', { query: new URLSearchParams('q=1'), headers: { a: 'b' }, body: { z: 1 } })).toMatchObject({
      status: 201, body: '{"params":{"id":"7"},"q":"1","headers":{"a":"b"},"body":{"z":1},"method":"POST"}',
    });
    expect(await handle('DELETE', '/items/7')).toMatchObject({ status: 405, headers: { allow: 'POST, PUT' }, body: '{"error":"DELETE is not allowed here"}' });
    expect(await handle('GET', '/a.b/1')).toMatchObject({ status: 200, body: '{"x":"1"}' });
    expect(await handle('GET', '/aXb/1')).toMatchObject({ status: 404, matched: false });
    expect(await handle('GET', '/plain/')).toMatchObject({ status: 404, matched: false });
    expect(await handle('GET', '/boom')).toMatchObject({ status: 500, body: undefined, route: 'GET /boom', error: expect.objectContaining({ message: 'kaboom' }) });
    expect(await backend.handle({ method: 'GET', path: '/plain', staff: null })).toMatchObject({ status: 401, body: '{"error":"Provided credentials are invalid"}', route: 'GET /plain' });
  });

  it('gives its functions a frozen view: the shared data, with apply and broadcast in the plugin\'s name', async () => {
    const frames: unknown[] = [];
    const core = start({ schedule: (land) => (land(), () => {}) });
    core.setBroadcaster((plugin, channel, frame) => frames.push([plugin, channel, frame]));
    const backend = core.plugin('kit', {
      routes: {
        'POST /note': async (request, platform) => {
          platform.broadcast('n', { got: request.body });
          await platform.apply({ type: 'ORIGINATE_VITALS_COMMAND', data: { note_uuid: OPEN_NOTE, pulse: 70 } });
          return null;
        },
      },
    });
    expect(Object.isFrozen(backend.platform)).toBe(true);
    expect(backend.platform).toMatchObject({ plugin: 'kit', staff: core.staff, patients: core.patients });
    await backend.handle({ method: 'POST', path: '/note', body: 1, staff: me() });
    expect(frames).toEqual([['kit', 'n', '{"message":{"got":1}}']]);
    expect(core.notes.get(OPEN_NOTE)!.commands.at(-1)).toMatchObject({ type: 'Vitals', origin: 'kit' });
  });

  it('authorizes sockets: a channel name and a session first, then the matching rule (`*` last); only true allows', async () => {
    const backend = start().plugin('kit', {
      sockets: {
        'staff-<id>': ({ params, staff }) => params.id === staff.id,
        'pair-<a>-<b>': ({ params }) => {
          throw new Error(`${params.a}|${params.b}`);
        },
        'maybe-<x>': () => 'yes' as never,
        '*': ({ channel, params }) => channel.startsWith('star') && params.channel === channel,
      },
    });
    const authorize = (channel: string, staff: Staff | null = me()) => backend.authorize({ channel, staff });
    expect(await authorize(`staff-${me().id}`)).toEqual({ allowed: true, reason: '' });
    expect(await authorize(`staff-${platform!.staffMembers[1]!.id}`)).toEqual({ allowed: false, reason: 'the rule "staff-<id>" returned false' });
    expect(await authorize('a b')).toEqual({ allowed: false, reason: 'channel "a b" must match [\\w-]+' });
    expect(await authorize('staff-1', null)).toEqual({ allowed: false, reason: 'no staff session' });
    expect(await authorize('pair-x-y-z')).toMatchObject({ allowed: false, reason: 'the rule "pair-<a>-<b>" threw: x|y-z', error: expect.any(Error) });
    expect(await authorize('maybe-1')).toEqual({ allowed: false, reason: 'the rule "maybe-<x>" returned "yes" (only true allows)' });
    expect((await authorize('starry')).allowed).toBe(true);
    expect(await start().plugin('none', {}).authorize({ channel: 'a', staff: me() })).toEqual({ allowed: false, reason: 'the mock module exports no socket rules' });
    expect((await start().plugin('one', { sockets: { 'a-<x>': () => true } }).authorize({ channel: 'b', staff: me() })).reason).toBe('no socket rule matches channel b (rules: a-<x>)');
  });

  it('gives launch URLs by full class, class name, then app name', () => {
    const backend = start().plugin('kit', {
      launch: {
        'pkg.apps:Main': ({ patient, note, staff }) => `/main/${patient?.id}/${note?.id}/${staff.name}`,
        Short: '/short',
        Named: (context, platform) => `/named/${platform.plugin}`,
        Empty: () => '',
      },
    });
    expect(backend.launchKeys).toEqual(['pkg.apps:Main', 'Short', 'Named', 'Empty']);
    expect(backend.launchUrl({ class: 'pkg.apps:Main', name: 'X' }, { patient: { id: 'p' } })).toBe('/main/p/undefined/Dr. Ada Moreno');
    expect(backend.launchUrl({ class: 'other:Short', name: 'Named' }, {})).toBe('/short');
    expect(backend.launchUrl({ class: null, name: 'Named' }, {})).toBe('/named/kit');
    expect(backend.launchUrl({ name: 'None' }, {})).toBeNull();
    expect(() => backend.launchUrl({ name: 'Empty' }, {})).toThrow('kit: launch["Empty"] returned "", not a URL');
  });

  it('runs setup once, on the module, and merges a default export over the named ones', async () => {
    const setup = vi.fn(function (this: unknown) {
      return this;
    });
    const backend = start().plugin('kit', { routes: { 'GET /named': () => 1 }, default: { routes: { 'GET /default': () => 2 }, setup } } as never);
    expect(backend.routes).toEqual(['GET /default']);
    await backend.setup();
    expect(setup).toHaveBeenCalledWith(backend.platform);
    expect(setup.mock.results[0]!.value).toMatchObject({ setup });
  });

  it('refuses a malformed module, saying what is wrong', () => {
    const core = start();
    const cases: [string, unknown, RegExp][] = [
      ['bad name', {}, /plugin name "bad name" must be letters/],
      ['kit', 5, /the mock module must export routes, sockets and launch/],
      ['kit', { routes: 5 }, /routes must be an object/],
      ['kit', { routes: { 'FETCH /x': () => 1 } }, /route "FETCH \/x": expected "METHOD \/path" with METHOD one of GET, POST, PUT, PATCH, DELETE/],
      ['kit', { routes: { 'GET /x': 1 } }, /must be a function \(request, platform\) => response/],
      ['kit', { routes: { 'GET /<a>/<a>': () => 1 } }, /parameter <a> appears twice/],
      ['kit', { sockets: 5 }, /sockets must be an object/],
      ['kit', { sockets: { 'a b': () => true } }, /socket rule "a b": a channel pattern is/],
      ['kit', { sockets: { a: true } }, /must be a function \(request, platform\) => boolean/],
      ['kit', { launch: 5 }, /launch must be an object/],
      ['kit', { launch: { Main: 42 } }, /launch\["Main"\] must be a URL string/],
      ['kit', { setup: 5 }, /setup must be a function/],
      ['kit', { events: [] }, /events must be an object of "what happens": \(platform\) => void/],
      ['kit', { events: { ' ': () => {} } }, /an event needs a name/],
      ['kit', { events: { 'It rains': 'wet' } }, /event "It rains" must be a function \(platform\) => void/],
    ];
    for (const [name, mock, message] of cases) expect(() => core.plugin(name, mock as never)).toThrow(message);
    expect(core.plugin('kit', { launch: null, setup: undefined } as never).launchKeys).toEqual([]);
  });

  it('runs its outside events on demand with its view, and the platform lists and triggers every plugin\'s', async () => {
    const core = start({ schedule: (land) => (land(), () => {}) });
    const changes: string[] = [];
    core.onChange((change) => changes.push(`${change.kind} ${change.action}`));
    const seen: unknown[] = [];
    const backend = core.plugin('inbox', {
      events: {
        'Maria writes a message': (platform) => {
          seen.push(platform.plugin);
          platform.messages.add({ sender_id: MARIA, recipient_id: platform.staff.id, content: 'Can I come in earlier?' });
        },
        'A lab result arrives': async (platform) => {
          await platform.apply({ type: 'CUSTOM', name: 'lab', run: () => platform.observations.add({ patient_id: MARIA, category: 'laboratory', name: 'Hemoglobin A1c', value: 7.2, units: '%' }) });
        },
        'Something breaks': () => {
          throw new Error('broken');
        },
      },
    });
    core.plugin('other', { events: { 'Maria writes a message': () => {} } });
    expect(backend.events).toEqual(['Maria writes a message', 'A lab result arrives', 'Something breaks']);
    expect(core.events()).toEqual([
      { plugin: 'inbox', name: 'Maria writes a message' }, { plugin: 'inbox', name: 'A lab result arrives' }, { plugin: 'inbox', name: 'Something breaks' },
      { plugin: 'other', name: 'Maria writes a message' },
    ]);
    await backend.trigger('Maria writes a message');
    await core.trigger('inbox', 'A lab result arrives');
    expect(seen).toEqual(['inbox']);
    expect(changes).toEqual(['message created', 'observation created']);
    expect(core.messages.list({ patient_id: MARIA }).at(-1)).toMatchObject({ content: 'Can I come in earlier?', read: null, sender: { type: 'Patient', name: 'Maria Gonzalez' } });
    expect(core.observations.list({ patient_id: MARIA, category: 'laboratory' })[0]).toMatchObject({ name: 'Hemoglobin A1c', value: '7.2' });
    await expect(backend.trigger('Something breaks')).rejects.toThrow('broken');
    expect(() => backend.trigger('Maria writes a mesage')).toThrow('inbox: no event "Maria writes a mesage" (did you mean "Maria writes a message"?); its events: "Maria writes a message", "A lab result arrives", "Something breaks"');
    expect(() => core.trigger('nobody', 'x')).toThrow('trigger: no plugin "nobody"; the platform has inbox, other');
    expect(() => core.plugin('quiet', {}).trigger('x')).toThrow('its mock module exports no events');
  });
});

