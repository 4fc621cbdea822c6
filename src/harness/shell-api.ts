/**
 * The shell's side of the harness: its page, its static files, and the small JSON API the shell
 * reads (session, home, patient page, launch URLs, outside events, each plugin's mock held
 * against its Python, and the workbench's routes from workbench-api.ts).
 * @module
 */
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { canonicalId, type Patient, type Staff } from '../platform/index.js';
import { messageOf } from './errors.js';
import { sendFile, sendHTML, sendJSON } from './http.js';
import { TIMED_OUT, within } from './mock.js';
import { SHELL_DIR } from './paths.js';
import type { ApiContext, RequestContext } from './context.js';
import type { Session } from './session.js';
import { WORKBENCH_API } from './workbench-api.js';

/** The longest ID a launch with `unchecked=1` passes on as typed. */
const TYPED_ID_LIMIT = 200;

/** Routes under /companion/api: "METHOD /path" (`<name>` matches one segment) -> handler. */
const API: Readonly<Record<string, (context: ApiContext) => void | Promise<void>>> = {
  'GET /session': ({ response, current, platform }) =>
    current.staff && current.found ? sendJSON(response, 200, { staff: current.staff, session: current.found.number, staff_members: platform.staffMembers }) : signedOut(response, current),
  'POST /session': ({ response, sessions }) => {
    const { session, cookie } = sessions.signIn();
    sendJSON(response, 200, { staff: session.staff, session: session.number }, { 'set-cookie': cookie });
  },
  'POST /session/expire': ({ response, current, sessions, log }) => {
    const dropped = sessions.expire(current);
    log(`session expired from the shell: plugin routes now answer 401, WebSocket upgrades 403 (${dropped} socket${dropped === 1 ? '' : 's'} dropped)`);
    sendJSON(response, 204);
  },
  'GET /home': ({ response, current, platform, plugins }) => {
    const staff = current.staff ?? platform.staff;
    sendJSON(response, 200, {
      staff, session: current.found?.number ?? null, staff_members: platform.staffMembers, apps: plugins.apps, events: platform.events(),
      patients: platform.patients.list().map((p) => ({ ...patientView(p), open_tasks: platform.tasks.list({ patient_id: p.id, status: 'OPEN' }).length })),
      open_tasks: platform.tasks.list({ assignee_id: staff.id, status: 'OPEN' }).length,
      // Today's schedule and unread messages, as Canvas's home shows them.
      schedule: platform.appointments.list({ provider_id: staff.id, day: today() }),
      unread: platform.messages.list({ staff_id: staff.id, unread: true }).filter((m) => m.recipient_id === staff.id),
    });
  },
  'GET /patients/<id>': ({ response, params, current, platform, plugins }) => {
    const patient = platform.patients.get(params.id ?? '');
    if (!patient) return sendJSON(response, 404, { error: 'No such patient' });
    const of = { patient_id: patient.id };
    sendJSON(response, 200, {
      staff: current.staff, session: current.found?.number ?? null, staff_members: platform.staffMembers, apps: plugins.apps, events: platform.events(), patient: patientView(patient), notes: platform.notes.list(of), tasks: platform.tasks.list(of),
      appointments: platform.appointments.list(of), messages: platform.messages.list(of), care_team: platform.careTeamMemberships.list(of),
      chart: {
        conditions: platform.conditions.list(of), medications: platform.medications.list(of), allergies: platform.allergyIntolerances.list(of),
        vitals: platform.observations.list({ ...of, category: 'vital-signs' }),
      },
    });
  },
  // An outside event of a mock module (its `events` export), from the shell's menu.
  'POST /events/<plugin>/<name>': ({ response, params, current, sessions, platform, log, mockTimeout }) => {
    let name: string;
    try {
      name = decodeURIComponent(params.name ?? '');
    } catch {
      return sendJSON(response, 400, { error: 'The event name is not percent-encoded' });
    }
    const where = `event "${name}" of ${params.plugin}`;
    let ran: Promise<void>;
    try {
      // As work of the caller's session: the effects it applies wait that session's effect_delay.
      ran = sessions.run(current.found ?? null, () => platform.trigger(params.plugin ?? '', name));
    } catch (error) {
      log(`404 ${where}: ${messageOf(error)}`);
      return sendJSON(response, 404, { error: messageOf(error) });
    }
    within(ran, mockTimeout).then((done) => {
      if (done === TIMED_OUT) {
        log(`504 ${where}: it did not finish within ${mockTimeout} ms (does it await something that never settles?)`);
        return sendJSON(response, 504, { error: `The event did not finish within ${mockTimeout} ms` });
      }
      log(`${where} happened (from the shell)`);
      sendJSON(response, 204);
    }, (error: unknown) => {
      log(`${where} threw: ${messageOf(error)}`);
      sendJSON(response, 500, { error: `The event threw: ${messageOf(error)}` });
    });
  },
  // Each plugin folder's mock held against its Python: routes and channels on both sides, and the warnings.
  'GET /checks': ({ response, plugins }) => sendJSON(response, 200, { plugins: plugins.checks }),
  'GET /launch': ({ response, url, current, platform, plugins, log }) => {
    const query = url.searchParams;
    const typed = { patient_id: query.get('patient_id') || null, note_id: query.get('note_id') || null, staff_id: query.get('staff_id') || null };
    let context: { patient: { id: string } | null; note: { id: string } | null; staff: Staff | null };
    if (query.get('unchecked') === '1') {
      // As typed: a page's own handling of IDs that do not exist can be seen.
      const bad = Object.entries(typed).find(([, id]) => id !== null && (id.length > TYPED_ID_LIMIT || /[\0-\x1f\x7f]/.test(id)));
      if (bad) {
        log(`400 GET /companion/api/launch: ${bad[0]} is over ${TYPED_ID_LIMIT} characters or has control characters`);
        return sendJSON(response, 400, { error: `${bad[0]} must be up to ${TYPED_ID_LIMIT} characters, without control characters` });
      }
      context = {
        patient: typed.patient_id === null ? null : { id: typed.patient_id },
        note: typed.note_id === null ? null : { id: typed.note_id },
        staff: typed.staff_id === null ? current.staff : (platform.staffMembers.find((s) => s.id === typed.staff_id) ?? typedStaff(typed.staff_id)),
      };
    } else {
      // Checked against the data: what a launch from the shell's own pages could carry.
      const refuse = (error: string, hint: string) => {
        log(`404 GET /companion/api/launch: ${error} (${hint})`);
        sendJSON(response, 404, { error });
      };
      const patient = typed.patient_id ? platform.patients.get(typed.patient_id) : null;
      if (typed.patient_id && !patient) return refuse('No such patient', `patient_id ${typed.patient_id.slice(0, 80)}; unchecked=1 passes it as typed`);
      const note = typed.note_id ? platform.notes.get(typed.note_id) : null;
      if (typed.note_id && (!note || note.patient_id !== patient?.id)) return refuse('No such note for this patient', `note_id ${typed.note_id.slice(0, 80)}`);
      const staff = typed.staff_id ? platform.staffMembers.find((s) => s.id === typed.staff_id) : current.staff;
      if (staff === undefined) return refuse('No such staff member', `staff_id ${String(typed.staff_id).slice(0, 80)}`);
      context = { patient: patient && { id: patient.id }, note: note && { id: note.id }, staff };
    }
    const result = plugins.launch(query.get('app') ?? '', context);
    if ('error' in result) {
      // A launch function that threw (500) has its line, with the stack, from plugins.launch.
      if (result.status !== 500) log(`${result.status} GET /companion/api/launch: ${result.error}`);
      return sendJSON(response, result.status, { error: result.error });
    }
    sendJSON(response, 200, { url: result.url });
  },
  ...WORKBENCH_API,
};

/** A staff member known only by a typed ID (a launch with `unchecked=1`): every other field empty. */
function typedStaff(id: string): Staff {
  return Object.freeze({
    id, type: 'Staff', name: '', prefix: '', first_name: '', middle_name: '', last_name: '', suffix: '', nickname: '', full_name: '', credentialed_name: '',
    roles: [], active: false, npi_number: '', primary_practice_location_id: null,
  });
}

const patientView = (p: Patient) => ({ ...p, name: `${p.first_name} ${p.last_name}` });

/** The harness's local day, YYYY-MM-DD: the schedule's "today". */
function today(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

/** 401 for a signed-out session; `expired` tells the shell to say why. */
function signedOut(response: ServerResponse, current: Session): void {
  sendJSON(response, 401, { error: 'Signed out', expired: Boolean(current.found) });
}

/**
 * Who may call a route: anyone (`open`), a session the harness knows even when it expired
 * (`known`: its trace is wanted most right after "Expire now"), or a signed-in one (every other route).
 */
const ACCESS: Readonly<Record<string, 'open' | 'known'>> = {
  'GET /session': 'open', 'POST /session': 'open', 'POST /session/expire': 'open', 'GET /trace': 'known',
};

/** The API's routes, compiled once. */
const ROUTES = Object.entries(API).map(([key, handler]) => {
  const [method, path = ''] = key.split(' ');
  return { method, pattern: new RegExp(`^${path.replace(/<(\w+)>/g, '(?<$1>[^/]+)')}$`), handler, access: ACCESS[key] ?? 'signed-in' };
});

/** Answers /companion/api/<path>. */
export function shellApi(context: RequestContext, path: string): void | Promise<void> {
  const { request, response, current, log } = context;
  const route = ROUTES.find((r) => r.method === request.method && r.pattern.test(path));
  if (!route) {
    log(`404 ${request.method} /companion/api${path}: the shell's API has no such route`);
    return sendJSON(response, 404, { error: `No such route: ${request.method} /companion/api${path}` });
  }
  const allowed = route.access === 'open' || (route.access === 'known' ? Boolean(current.found) : Boolean(current.staff));
  if (!allowed) {
    log(`401 ${request.method} /companion/api${path}: no staff session (the shell signs in again when reloaded)`);
    return signedOut(response, current);
  }
  return route.handler({ ...context, params: { ...route.pattern.exec(path)?.groups } });
}

/**
 * The shell page for /companion/...: 200 for the home page and known patients and notes, 404 (the
 * same page, which then says "not found") for anything else.
 */
export async function shellPage({ request, response, url, current, sessions, platform, version, log }: RequestContext): Promise<void> {
  const path = url.pathname;
  let status = path === '/companion/' ? 200 : 404;
  const match = /^\/companion\/patient\/([^/]+)\/$/.exec(path);
  if (match) {
    const id = match[1] ?? '';
    const patient = canonicalId(id) && platform.patients.get(id);
    const noteId = url.searchParams.get('note');
    const note = noteId && platform.notes.get(noteId);
    status = patient && (!noteId || (note && note.patient_id === patient.id)) ? 200 : 404;
  }
  if (status === 404) log(`404 ${request.method} ${path}: no such patient or note (the shell shows "Page not found")`);
  // Opening the companion signs the staff user in (a stand-in for Canvas's login), unless the
  // session was expired on purpose from the menu: then the shell shows "Signed out".
  const headers = current.found ? {} : { 'set-cookie': sessions.signIn().cookie };
  const html = await readFile(join(SHELL_DIR, 'index.html'), 'utf8');
  sendHTML(response, status, html.replaceAll('{{v}}', version), headers);
}

/** /companion/static/<file>: the shell's own built files. */
export function shellFile(response: ServerResponse, name: string): Promise<void> {
  return sendFile(response, join(SHELL_DIR, name));
}
