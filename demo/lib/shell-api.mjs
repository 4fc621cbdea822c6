/**
 * The shell's side of the harness: its page, static files, app icons, and the small JSON API the
 * shell reads (session, home, patient page, launch URLs). A route table: "METHOD /path" -> handler.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalId } from './platform.mjs';
import { sendFile, sendHTML, sendJSON } from './http.mjs';

const SHELL = join(import.meta.dirname, '..', 'shell');

/** Routes under /companion/api: (ctx) => void, ctx = { request, response, url, params, current, harness }. */
const API = {
  'GET /session': ({ response, current }) => (current.staff ? sendJSON(response, 200, { staff: current.staff }) : signedOut(response, current)),
  'POST /session': ({ response, sessions }) => sendJSON(response, 200, { staff: sessions.staff }, { 'set-cookie': sessions.signIn() }),
  'POST /session/expire': ({ response, current, sessions, log }) => {
    const dropped = sessions.expire(current);
    log(`session expired from the shell: plugin routes now answer 401, WebSocket upgrades 403 (${dropped} socket${dropped === 1 ? '' : 's'} dropped)`);
    sendJSON(response, 204);
  },
  'GET /home': ({ response, current, platform, plugins }) => {
    const staff = current.staff;
    sendJSON(response, 200, {
      staff, apps: plugins.apps,
      patients: platform.patients.list().map((p) => ({ ...patientView(p), open_tasks: platform.tasks.list({ patient_id: p.id, status: 'open' }).length })),
      open_tasks: platform.tasks.list({ assignee_id: staff.id, status: 'open' }).length,
    });
  },
  'GET /patients/<id>': ({ response, params, current, platform, plugins }) => {
    const patient = platform.patients.get(params.id);
    if (!patient) return sendJSON(response, 404, { error: 'No such patient' });
    sendJSON(response, 200, { staff: current.staff, apps: plugins.apps, patient: patientView(patient), notes: platform.notes.list({ patient_id: patient.id }), tasks: platform.tasks.list({ patient_id: patient.id }) });
  },
  'GET /launch': ({ response, url, current, platform, plugins }) => {
    const query = url.searchParams;
    const patientId = query.get('patient_id');
    const noteId = query.get('note_id');
    const patient = patientId ? platform.patients.get(patientId) : null;
    if (patientId && !patient) return sendJSON(response, 404, { error: 'No such patient' });
    const note = noteId ? platform.notes.get(noteId) : null;
    if (noteId && (!note || note.patient_id !== patient?.id)) return sendJSON(response, 404, { error: 'No such note for this patient' });
    const result = plugins.launch(query.get('app') ?? '', { patient: patient && { id: patient.id }, note: note && { id: note.id }, staff: current.staff });
    if (result.error) return sendJSON(response, result.status ?? 422, { error: result.error });
    sendJSON(response, 200, { url: result.url });
  },
};

const patientView = (p) => ({ ...p, name: `${p.first_name} ${p.last_name}` });

function signedOut(response, current) {
  sendJSON(response, 401, { error: 'Signed out', expired: Boolean(current.found) });
}

const compiled = Object.entries(API).map(([key, handler]) => {
  const [method, path] = key.split(' ');
  return { method, pattern: new RegExp(`^${path.replace(/<(\w+)>/g, '(?<$1>[^/]+)')}$`), handler, open: path.startsWith('/session') };
});

/** Answers /companion/api/<path>. */
export function shellApi(ctx, path) {
  const route = compiled.find((r) => r.method === ctx.request.method && r.pattern.test(path));
  if (!route) {
    ctx.log(`404 ${ctx.request.method} /companion/api${path}: the shell's API has no such route`);
    return sendJSON(ctx.response, 404, { error: `No such route: ${ctx.request.method} /companion/api${path}` });
  }
  if (!route.open && !ctx.current.staff) {
    ctx.log(`401 ${ctx.request.method} /companion/api${path}: no staff session (the shell signs in again when reloaded)`);
    return signedOut(ctx.response, ctx.current);
  }
  return route.handler({ ...ctx, params: { ...route.pattern.exec(path).groups } });
}

/**
 * The shell page for /companion/...: 200 for the home page and known patients and notes, 404 (the
 * same page, which then says "not found") for anything else.
 */
export async function shellPage({ request, response, url, current, sessions, platform, version, log }) {
  const path = url.pathname;
  let status = 404;
  if (path === '/companion/') status = 200;
  const match = /^\/companion\/patient\/([^/]+)\/$/.exec(path);
  if (match) {
    const patient = canonicalId(match[1]) && platform.patients.get(match[1]);
    const noteId = url.searchParams.get('note');
    const note = noteId && platform.notes.get(noteId);
    status = patient && (!noteId || note?.patient_id === patient.id) ? 200 : 404;
  }
  if (status === 404) log(`404 ${request.method} ${path}: no such patient or note (the shell shows "Page not found")`);
  // Opening the companion signs the staff user in (a stand-in for Canvas's login), unless the
  // session was expired on purpose from the menu: then the shell shows "Signed out".
  const headers = current.found ? {} : { 'set-cookie': sessions.signIn() };
  const html = await readFile(join(SHELL, 'index.html'), 'utf8');
  sendHTML(response, status, html.replaceAll('{{v}}', version), headers);
}

/** /companion/static/<file>: the shell's own files. */
export function shellFile(response, name) {
  return sendFile(response, join(SHELL, name));
}
