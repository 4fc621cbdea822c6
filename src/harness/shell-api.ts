/**
 * The shell's side of the harness: its page, its static files, and the small JSON API the shell
 * reads (session, home, patient page, launch URLs, outside events, and each plugin's mock held
 * against its Python).
 * @module
 */
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { canonicalId, type Patient } from '../platform/index.js';
import { messageOf } from './errors.js';
import { sendFile, sendHTML, sendJSON } from './http.js';
import { SHELL_DIR } from './paths.js';
import type { RequestContext } from './context.js';
import type { Session } from './session.js';

/** What a shell API route gets: the request's context and the `<name>` parts of its path. */
type ApiContext = RequestContext & { params: Record<string, string> };

/** Routes under /companion/api: "METHOD /path" (`<name>` matches one segment) -> handler. */
const API: Readonly<Record<string, (context: ApiContext) => void>> = {
  'GET /session': ({ response, current }) => (current.staff ? sendJSON(response, 200, { staff: current.staff }) : signedOut(response, current)),
  'POST /session': ({ response, sessions }) => sendJSON(response, 200, { staff: sessions.staff }, { 'set-cookie': sessions.signIn() }),
  'POST /session/expire': ({ response, current, sessions, log }) => {
    const dropped = sessions.expire(current);
    log(`session expired from the shell: plugin routes now answer 401, WebSocket upgrades 403 (${dropped} socket${dropped === 1 ? '' : 's'} dropped)`);
    sendJSON(response, 204);
  },
  'GET /home': ({ response, current, platform, plugins }) => {
    const staff = current.staff ?? platform.staff;
    sendJSON(response, 200, {
      staff, apps: plugins.apps, events: platform.events(),
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
      staff: current.staff, apps: plugins.apps, events: platform.events(), patient: patientView(patient), notes: platform.notes.list(of), tasks: platform.tasks.list(of),
      appointments: platform.appointments.list(of), messages: platform.messages.list(of), care_team: platform.careTeamMemberships.list(of),
      chart: {
        conditions: platform.conditions.list(of), medications: platform.medications.list(of), allergies: platform.allergyIntolerances.list(of),
        vitals: platform.observations.list({ ...of, category: 'vital-signs' }),
      },
    });
  },
  // An outside event of a mock module (its `events` export), from the shell's menu.
  'POST /events/<plugin>/<name>': ({ response, params, platform, log }) => {
    let name: string;
    try {
      name = decodeURIComponent(params.name ?? '');
    } catch {
      return sendJSON(response, 400, { error: 'The event name is not percent-encoded' });
    }
    const where = `event "${name}" of ${params.plugin}`;
    let ran: Promise<void>;
    try {
      ran = platform.trigger(params.plugin ?? '', name);
    } catch (error) {
      log(`404 ${where}: ${messageOf(error)}`);
      return sendJSON(response, 404, { error: messageOf(error) });
    }
    ran.then(() => {
      log(`${where} happened (from the shell)`);
      sendJSON(response, 204);
    }, (error: unknown) => {
      log(`${where} threw: ${messageOf(error)}`);
      sendJSON(response, 500, { error: `The event threw: ${messageOf(error)}` });
    });
  },
  // Each plugin folder's mock held against its Python: routes and channels on both sides, and the warnings.
  'GET /checks': ({ response, plugins }) => sendJSON(response, 200, { plugins: plugins.checks }),
  'GET /launch': ({ response, url, current, platform, plugins }) => {
    const query = url.searchParams;
    const patientId = query.get('patient_id');
    const noteId = query.get('note_id');
    const patient = patientId ? platform.patients.get(patientId) : null;
    if (patientId && !patient) return sendJSON(response, 404, { error: 'No such patient' });
    const note = noteId ? platform.notes.get(noteId) : null;
    if (noteId && (!note || note.patient_id !== patient?.id)) return sendJSON(response, 404, { error: 'No such note for this patient' });
    const result = plugins.launch(query.get('app') ?? '', { patient: patient && { id: patient.id }, note: note && { id: note.id }, staff: current.staff });
    if ('error' in result) return sendJSON(response, result.status, { error: result.error });
    sendJSON(response, 200, { url: result.url });
  },
};

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

/** The API's routes, compiled once; the /session routes are the ones open without a session. */
const ROUTES = Object.entries(API).map(([key, handler]) => {
  const [method, path = ''] = key.split(' ');
  return { method, pattern: new RegExp(`^${path.replace(/<(\w+)>/g, '(?<$1>[^/]+)')}$`), handler, open: path.startsWith('/session') };
});

/** Answers /companion/api/<path>. */
export function shellApi(context: RequestContext, path: string): void {
  const { request, response, current, log } = context;
  const route = ROUTES.find((r) => r.method === request.method && r.pattern.test(path));
  if (!route) {
    log(`404 ${request.method} /companion/api${path}: the shell's API has no such route`);
    return sendJSON(response, 404, { error: `No such route: ${request.method} /companion/api${path}` });
  }
  if (!route.open && !current.staff) {
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
  const headers = current.found ? {} : { 'set-cookie': sessions.signIn() };
  const html = await readFile(join(SHELL_DIR, 'index.html'), 'utf8');
  sendHTML(response, status, html.replaceAll('{{v}}', version), headers);
}

/** /companion/static/<file>: the shell's own built files. */
export function shellFile(response: ServerResponse, name: string): Promise<void> {
  return sendFile(response, join(SHELL_DIR, name));
}
