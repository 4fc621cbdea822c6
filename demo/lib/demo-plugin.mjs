/**
 * The built-in demo plugin's backend: what its SimpleAPI handler (with StaffSessionAuthMixin),
 * its WebSocketAPI handler and a BaseHandler that broadcasts on data events would do on Canvas.
 *
 * Routes are relative to /plugin-io/api/demo_plugin and matched on the whole path, as SimpleAPI does.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { escapeHTML, readJSON, sendFile, sendHTML, sendJSON } from './http.mjs';

const HERE = join(import.meta.dirname, '..', 'plugin');
const UUID = /^[\da-f]{8}-?[\da-f]{4}-?[\da-f]{4}-?[\da-f]{4}-?[\da-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const LIBRARY = new Set(['canvas-companion.umd.js', 'canvas-companion.umd.min.js', 'canvas-companion.mjs']);

/** The demo plugin's apps, as its CANVAS_MANIFEST.json would declare them. */
export const DEMO_APPS = Object.freeze([
  { plugin: 'demo_plugin', scope: 'global', title: 'My tasks', path: '/app/tasks', icon: 'tasks', description: 'Tasks assigned to me, live' },
  { plugin: 'demo_plugin', scope: 'global', title: 'Register patient', path: '/app/register', icon: 'register', description: 'Create, then find, then open' },
  { plugin: 'demo_plugin', scope: 'patient', title: 'Tasks', path: '/app/tasks', icon: 'tasks', description: "This patient's tasks, live" },
  { plugin: 'demo_plugin', scope: 'note', title: 'Vitals', path: '/app/vitals', icon: 'vitals', description: 'Record vitals into this note' },
]);

/** Canonical (dashed, lower-case) form of a UUID, or null. */
function uuid(value) {
  if (typeof value !== 'string' || !UUID.test(value.trim())) return null;
  const hex = value.trim().replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function accepted(response, body = {}) {
  sendJSON(response, 202, { status: 'submitted', ...body });
}

/**
 * Handles one request under /plugin-io/api/demo_plugin. `path` is relative to the plugin.
 * @param {object} ctx harness context: { store, later, log, distDir, version }
 * @param {object|null} staff the session's staff user, or null
 */
export async function handleDemoPlugin(ctx, request, response, path, url, staff) {
  const { store } = ctx;
  const method = request.method;
  let match;

  // Static files: the library (copied from dist/, as a plugin copies it into its static folder) and the pages' own files.
  if (method === 'GET' && (match = /^\/static\/([\w.-]+\.(?:js|mjs|css|svg))$/.exec(path))) {
    const file = match[1];
    return sendFile(response, LIBRARY.has(file) ? join(ctx.distDir, file) : join(HERE, 'static', file));
  }

  // StaffSessionAuthMixin: every other route needs a staff session.
  if (!staff) {
    ctx.log(`401 ${method} /plugin-io/api/demo_plugin${path}: no staff session (sign in again from the shell's menu)`);
    return sendJSON(response, 401, { error: 'Provided credentials are invalid' });
  }
  const query = url.searchParams;

  if (method === 'GET' && (match = /^\/app\/(tasks|register|vitals)$/.exec(path))) {
    const html = await readFile(join(HERE, `${match[1]}.html`), 'utf8');
    return sendHTML(response, 200, html.replaceAll('{{v}}', ctx.version).replaceAll('{{staff}}', escapeHTML(staff.name)));
  }

  if (method === 'GET' && path === '/app/me') return sendJSON(response, 200, { id: staff.id, name: staff.name, type: 'Staff' });

  if (method === 'GET' && path === '/app/tasks/data.json') {
    const raw = query.get('patient_id');
    if (raw) {
      const id = uuid(raw);
      const patient = id && store.getPatient(id);
      if (!patient) return sendJSON(response, 404, { error: `No patient ${raw}` });
      return sendJSON(response, 200, {
        scope: 'patient', channel: `patient-${id}`, staff: { id: staff.id, name: staff.name },
        patient: { id, name: store.patientName(patient) }, tasks: store.listTasks({ patientId: id }),
      });
    }
    return sendJSON(response, 200, { scope: 'global', channel: `staff-${staff.id}`, staff: { id: staff.id, name: staff.name }, tasks: store.listTasks({ assigneeId: staff.id }) });
  }

  if (method === 'POST' && path === '/app/tasks') {
    const body = await readJSON(request).catch(() => null);
    const title = typeof body?.title === 'string' ? body.title.trim() : '';
    if (!title || title.length > 200) return sendJSON(response, 400, { error: 'A task needs a title of 1 to 200 characters' });
    let patientId = null;
    if (body.patient_id) {
      patientId = uuid(body.patient_id);
      if (!patientId || !store.getPatient(patientId)) return sendJSON(response, 404, { error: 'No such patient' });
    }
    ctx.later(() => store.createTask({ title, patient_id: patientId, assignee_id: staff.id }));
    return accepted(response, { lookup_params: { title, patient_id: patientId }, lookup_started_at: new Date().toISOString() });
  }

  if (method === 'POST' && (match = /^\/app\/tasks\/([^/]+)\/status$/.exec(path))) {
    const task = store.getTask(uuid(match[1]) ?? '');
    if (!task) return sendJSON(response, 404, { error: 'No such task' });
    const body = await readJSON(request).catch(() => null);
    if (body?.status !== 'open' && body?.status !== 'completed') return sendJSON(response, 400, { error: 'status must be "open" or "completed"' });
    ctx.later(() => store.setTaskStatus(task.id, body.status));
    return accepted(response);
  }

  // The documented create (202 + lookup params) and find pair.
  if (method === 'POST' && path === '/app/create') {
    const body = await readJSON(request).catch(() => null);
    const first = typeof body?.first_name === 'string' ? body.first_name.trim() : '';
    const last = typeof body?.last_name === 'string' ? body.last_name.trim() : '';
    const birth = body?.birth_date;
    if (!first || !last || first.length > 80 || last.length > 80) return sendJSON(response, 400, { error: 'First and last name are required' });
    if (typeof birth !== 'string' || !DATE.test(birth) || Number.isNaN(Date.parse(birth)) || birth > new Date().toISOString().slice(0, 10)) {
      return sendJSON(response, 400, { error: 'Birth date must be a past date (YYYY-MM-DD)' });
    }
    const lookup = { first_name: first, last_name: last, birth_date: birth };
    const duplicates = store.matchPatients(lookup);
    if (duplicates.length) {
      return sendJSON(response, 409, { error: 'A patient with this name and birth date already exists', duplicates: duplicates.map((p) => ({ id: p.id, name: store.patientName(p) })) });
    }
    const sex = ['F', 'M', 'O'].includes(body.sex) ? body.sex : '';
    ctx.later(() => store.createPatient({ ...lookup, sex }));
    return accepted(response, { lookup_params: lookup, lookup_started_at: new Date().toISOString() });
  }

  if (method === 'GET' && path === '/app/find') {
    const lookup = { first_name: query.get('first_name') ?? '', last_name: query.get('last_name') ?? '', birth_date: query.get('birth_date') ?? '' };
    const after = query.get('after');
    if (!after || Number.isNaN(Date.parse(after))) return sendJSON(response, 400, { error: 'after must be an ISO time' });
    const found = store.findPatient(lookup, after);
    return sendJSON(response, 200, { patient_id: found ? found.id : null });
  }

  // Note scope: originate a vitals command in the note; it lands later, like any effect.
  if (method === 'POST' && path === '/app/vitals') {
    const noteId = uuid(query.get('note_id') ?? '');
    const note = noteId && store.getNote(noteId);
    if (!note) return sendJSON(response, 404, { error: 'No such note' });
    if (query.get('patient_id') && uuid(query.get('patient_id')) !== note.patient_id) return sendJSON(response, 400, { error: 'The note belongs to another patient' });
    if (note.status !== 'open') return sendJSON(response, 409, { error: 'The note is signed; vitals cannot be added' });
    const body = await readJSON(request).catch(() => null);
    const fields = { bp_sys: [50, 260], bp_dia: [30, 160], pulse: [20, 250] };
    const values = {};
    for (const [key, [min, max]] of Object.entries(fields)) {
      const value = body?.[key];
      if (value === undefined || value === null || value === '') continue;
      const number = Number(value);
      if (!Number.isInteger(number) || number < min || number > max) return sendJSON(response, 400, { error: `${key} must be a whole number from ${min} to ${max}` });
      values[key] = number;
    }
    if (!Object.keys(values).length) return sendJSON(response, 400, { error: 'Enter at least one value' });
    if ((values.bp_sys === undefined) !== (values.bp_dia === undefined)) return sendJSON(response, 400, { error: 'Blood pressure needs both numbers' });
    const parts = [];
    if (values.bp_sys !== undefined) parts.push(`BP ${values.bp_sys}/${values.bp_dia} mmHg`);
    if (values.pulse !== undefined) parts.push(`Pulse ${values.pulse} /min`);
    ctx.later(() => store.addCommand(note.id, { type: 'Vitals', text: parts.join(' · '), by: staff.name, origin: 'demo_plugin' }));
    return accepted(response);
  }

  // No route matched in the plugin: Canvas answers 404 with an empty body.
  return sendJSON(response, 404);
}

/**
 * The WebSocketAPI's authenticate(): may this session use this channel?
 * @returns {string|null} why not, or null when allowed
 */
export function demoChannelDenied(store, staff, channel) {
  if (!staff) return 'no staff session';
  if (channel === `staff-${staff.id}`) return null;
  const patient = /^patient-(.+)$/.exec(channel);
  if (patient && store.getPatient(uuid(patient[1]) ?? '')) return null;
  return `channel ${channel} is not this session's (use staff-${staff.id} or patient-<uuid>)`;
}

/** The demo plugin's data-event handler: broadcast a small hint; pages refetch over HTTP. */
export function attachDemoBroadcasts(store, broadcast) {
  const onChange = (change) => {
    if (change.kind === 'task') {
      const message = { type: 'tasks_changed', task_id: change.taskId };
      for (const id of change.staffIds) broadcast(`staff-${id}`, message);
      if (change.patientId) broadcast(`patient-${change.patientId}`, message);
    } else if (change.kind === 'patient') {
      for (const id of change.staffIds) broadcast(`staff-${id}`, { type: 'patient_created', patient_id: change.patientId });
    } else if (change.kind === 'note') {
      broadcast(`patient-${change.patientId}`, { type: 'note_changed', note_id: change.noteId });
    }
  };
  store.events.on('change', onChange);
  return () => store.events.off('change', onChange);
}
