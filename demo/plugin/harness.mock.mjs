// The demo plugin's backend on the harness's mock platform: what its SimpleAPI handler (with
// StaffSessionAuthMixin), its WebSocketAPI and a BaseHandler on data events do on Canvas.
// Written on the same public mock API as any plugin's harness.mock.mjs (see the README).

/** Cache-busting for the pages' scripts, set once per start as the reference plugins do. */
const v = Date.now().toString(36);
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[\da-f]{8}-?[\da-f]{4}-?[\da-f]{4}-?[\da-f]{4}-?[\da-f]{12}$/i;
/** What the page's status change asks for → the SDK's TaskStatus. */
const STATUS = { OPEN: 'OPEN', COMPLETED: 'COMPLETED' };
const error = (status, message, extra = {}) => ({ status, body: { error: message, ...extra } });
const accepted = (extra = {}) => ({ status: 202, body: { status: 'submitted', ...extra } });
/** A page: the template, with the cache-busting value and the staff member's name filled in. */
const page = (name) => ({ staff }) => ({ file: `templates/${name}.html`, context: { v, staff: staff.name } });

export const launch = {
  'demo_plugin.applications.tasks:MyTasks': () => '/plugin-io/api/demo_plugin/app/tasks',
  'demo_plugin.applications.register:RegisterPatient': () => '/plugin-io/api/demo_plugin/app/register',
  'demo_plugin.applications.tasks:PatientTasks': ({ patient }) => `/plugin-io/api/demo_plugin/app/tasks?patient_id=${patient.id}`,
  'demo_plugin.applications.vitals:Vitals': ({ patient, note }) => `/plugin-io/api/demo_plugin/app/vitals?patient_id=${patient.id}&note_id=${note.id}`,
};

export const files = { '/static/': 'static' }; // the SimpleAPI route that serves static/<name>

export const routes = {
  'GET /app/tasks': page('tasks'),
  'GET /app/register': page('register'),
  'GET /app/vitals': page('vitals'),
  'GET /app/me': ({ staff }) => ({ id: staff.id, name: staff.name, type: 'Staff' }),

  'GET /app/tasks/data.json': ({ query, staff }, platform) => {
    const me = { id: staff.id, name: staff.name };
    const raw = query.get('patient_id');
    if (!raw) return { scope: 'global', channel: `staff-${staff.id}`, staff: me, tasks: platform.tasks.list({ assignee_id: staff.id }) };
    const patient = platform.patients.get(raw);
    if (!patient) return error(404, `No patient ${raw}`);
    return { scope: 'patient', channel: `patient-${patient.id}`, staff: me, patient: { id: patient.id, name: `${patient.first_name} ${patient.last_name}` }, tasks: platform.tasks.list({ patient_id: patient.id }) };
  },

  'POST /app/tasks': ({ body, staff }, platform) => {
    const title = typeof body?.title === 'string' ? body.title.trim() : '';
    if (!title || title.length > 200) return error(400, 'A task needs a title of 1 to 200 characters');
    const patient = body.patient_id ? platform.patients.get(body.patient_id) : null;
    if (body.patient_id && !patient) return error(404, 'No such patient');
    // AddTask(title=…, patient_id=…, assignee_id=…, author_id=…).apply()
    platform.apply({ type: 'CREATE_TASK', data: { title, patient_id: patient?.id ?? null, assignee_id: staff.id, author_id: staff.id } });
    return accepted({ lookup_params: { title, patient_id: patient?.id ?? null }, lookup_started_at: new Date().toISOString() });
  },

  'POST /app/tasks/<id>/status': ({ params, body }, platform) => {
    const task = platform.tasks.get(params.id);
    if (!task) return error(404, 'No such task');
    if (!Object.hasOwn(STATUS, body?.status ?? '')) return error(400, 'status must be "OPEN" or "COMPLETED"');
    // UpdateTask(id=…, status=TaskStatus.COMPLETED).apply()
    platform.apply({ type: 'UPDATE_TASK', data: { id: task.id, status: STATUS[body.status] } });
    return accepted();
  },

  // The documented create (202 + lookup params) and find pair.
  'POST /app/create': ({ body }, platform) => {
    const first = typeof body?.first_name === 'string' ? body.first_name.trim() : '';
    const last = typeof body?.last_name === 'string' ? body.last_name.trim() : '';
    const birth = body?.birth_date;
    if (!first || !last || first.length > 80 || last.length > 80) return error(400, 'First and last name are required');
    if (typeof birth !== 'string' || !DATE.test(birth) || Number.isNaN(Date.parse(birth)) || birth > new Date().toISOString().slice(0, 10)) {
      return error(400, 'Birth date must be a past date (YYYY-MM-DD)');
    }
    const lookup = { first_name: first, last_name: last, birth_date: birth };
    const duplicates = platform.patients.find(lookup);
    if (duplicates.length) {
      return error(409, 'A patient with this name and birth date already exists', { duplicates: duplicates.map((p) => ({ id: p.id, name: `${p.first_name} ${p.last_name}` })) });
    }
    // Patient(first_name=…, last_name=…, birthdate=…, sex_at_birth=…).create()
    platform.apply({ type: 'CREATE_PATIENT', data: { first_name: first, last_name: last, birthdate: birth, sex_at_birth: ['F', 'M', 'O'].includes(body.sex) ? body.sex : '' } });
    return accepted({ lookup_params: lookup, lookup_started_at: new Date().toISOString() });
  },

  'GET /app/find': ({ query }, platform) => {
    const after = query.get('after');
    if (!after || Number.isNaN(Date.parse(after))) return error(400, 'after must be an ISO time');
    const lookup = { first_name: query.get('first_name') ?? '', last_name: query.get('last_name') ?? '', birth_date: query.get('birth_date') ?? '' };
    const [found] = platform.patients.find(lookup, { since: after });
    return { patient_id: found ? found.id : null };
  },

  // Note scope: originate a vitals command in the note; it lands later, like any effect.
  'POST /app/vitals': ({ query, body }, platform) => {
    const note = UUID.test(query.get('note_id') ?? '') && platform.notes.get(query.get('note_id'));
    if (!note) return error(404, 'No such note');
    if (query.get('patient_id') && platform.patients.get(query.get('patient_id'))?.id !== note.patient_id) return error(400, 'The note belongs to another patient');
    if (note.status !== 'open') return error(409, 'The note is signed; vitals cannot be added');
    const ranges = { bp_sys: [50, 260], bp_dia: [30, 160], pulse: [30, 250] };
    const values = {};
    for (const [key, [min, max]] of Object.entries(ranges)) {
      const value = body?.[key];
      if (value === undefined || value === null || value === '') continue;
      const number = Number(value);
      if (!Number.isInteger(number) || number < min || number > max) return error(400, `${key} must be a whole number from ${min} to ${max}`);
      values[key] = number;
    }
    if (!Object.keys(values).length) return error(400, 'Enter at least one value');
    if ((values.bp_sys === undefined) !== (values.bp_dia === undefined)) return error(400, 'Blood pressure needs both numbers');
    // VitalsCommand(note_uuid=…, blood_pressure_systole=…, …).originate()
    platform.apply({
      type: 'ORIGINATE_VITALS_COMMAND',
      data: { note_uuid: note.id, blood_pressure_systole: values.bp_sys, blood_pressure_diastole: values.bp_dia, pulse: values.pulse },
    });
    return accepted();
  },
};

// The WebSocketAPI's authenticate(): my own staff channel, or a patient that exists.
export const sockets = {
  'staff-<id>': ({ params, staff }) => params.id === staff.id,
  'patient-<id>': ({ params }, platform) => platform.patients.get(params.id) !== null,
};

// What happens outside the plugin: the shell's menu offers these as buttons, tests call platform.trigger(name).
export const events = {
  'Dr. Okafor assigns you a task': (platform) => {
    const [maria] = platform.patients.list({ first_name: 'Maria' });
    const okafor = platform.staffMembers.find((s) => s.last_name === 'Okafor');
    const due = new Date(Date.now() + 86_400_000).toISOString();
    platform.tasks.add({ title: 'Review outside cardiology records', patient_id: maria.id, assignee_id: platform.staff.id, author_id: okafor.id, due, labels: ['Follow-up'] });
  },
};

// The BaseHandler on data events: broadcast a small hint; pages refetch over HTTP.
export function setup(platform) {
  platform.onChange((change) => {
    if (change.kind === 'task') {
      const message = { type: 'tasks_changed', task_id: change.task_id };
      for (const id of change.staff_ids) platform.broadcast(`staff-${id}`, message);
      if (change.patient_id) platform.broadcast(`patient-${change.patient_id}`, message);
    } else if (change.kind === 'patient' && change.action === 'created') {
      platform.broadcast(`staff-${platform.staff.id}`, { type: 'patient_created', patient_id: change.patient_id });
    } else if (change.kind === 'note') {
      platform.broadcast(`patient-${change.patient_id}`, { type: 'note_changed', note_id: change.note_id });
    }
  });
}
