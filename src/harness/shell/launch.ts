/**
 * The Launch panel: open any app with a context picked from the data (patient, note, staff
 * member) or typed (IDs sent unchecked, invalid ones too, to see how a page copes). It shows the
 * exact URL the app's on_open() gives (GET /companion/api/launch) before Open, and the shell link
 * that opens it: a picked context opens on its natural page, typed IDs as a modal on the home page.
 * @module
 */
import { explicitLink, launchQuery, naturalLink } from './deeplink.js';
import { $, api, esc, failure } from './dom.js';
import { onPanelShown } from './panels.js';
import type { HomeData, LaunchParams, PatientData, ShellApp, ShellHooks, Staff } from './types.js';

let hooks: ShellHooks;
/** People to pick from: GET /home's patients and staff members (read when the panel shows). */
let people: { patients: HomeData['patients']; staff: readonly Staff[]; me: Staff | null } = { patients: [], staff: [], me: null };
/** A patient's notes, by patient id. */
const notes = new Map<string, PatientData['notes']>();
/** Counts previews, so that only the newest answer is shown. */
let previewSeq = 0;
let previewTimer: number | undefined;

const select = (id: string) => $<HTMLSelectElement>(id);
const field = (id: string) => $<HTMLInputElement>(id);
const typed = () => field('#ln-typed').checked;
const apps = () => hooks.data()?.apps ?? [];
const chosenApp = (): ShellApp | undefined => apps().find((a) => a.id === select('#ln-app').value);

/** Scope names as the select groups them. */
const SCOPES: readonly [ShellApp['scope'], string][] = [['global', 'Global apps'], ['patient', 'Patient apps'], ['note', 'Note apps']];

function drawApps(): void {
  const app = select('#ln-app');
  const was = app.value;
  app.innerHTML = SCOPES.map(([scope, label]) => {
    const of = apps().filter((a) => a.scope === scope);
    return of.length ? `<optgroup label="${esc(label)}">${of.map((a) => `<option value="${esc(a.id)}">${esc(a.title)} (${esc(a.plugin)})</option>`).join('')}</optgroup>` : '';
  }).join('');
  if (was && apps().some((a) => a.id === was)) app.value = was;
}

function drawPeople(): void {
  const patient = select('#ln-patient');
  const data = hooks.data();
  // The patient picked, else the one of the page.
  const was = patient.value || (data && 'patient' in data ? data.patient.id : '');
  patient.innerHTML = people.patients.map((p) => `<option value="${esc(p.id)}">${esc(p.name)}</option>`).join('');
  if (people.patients.some((p) => p.id === was)) patient.value = was;
  const staff = select('#ln-staff');
  const chosen = staff.value;
  staff.innerHTML = `<option value="">Signed in${people.me ? `: ${esc(people.me.name)}` : ''}</option>${people.staff.filter((s) => s.id !== people.me?.id).map((s) => `<option value="${esc(s.id)}">${esc(s.name)}</option>`).join('')}`;
  if ([...staff.options].some((o) => o.value === chosen)) staff.value = chosen;
}

async function drawNotes(): Promise<void> {
  const id = select('#ln-patient').value;
  const note = select('#ln-note');
  if (id && !notes.has(id)) {
    const answer = await api<PatientData>(`/patients/${encodeURIComponent(id)}`);
    notes.set(id, answer.ok ? answer.body.notes : []);
  }
  if (select('#ln-patient').value !== id) return; // picked another meanwhile
  const was = note.value || new URLSearchParams(location.search).get('note') || '';
  const list = notes.get(id) ?? [];
  note.innerHTML = list.length ? list.map((n) => `<option value="${esc(n.id)}">${esc(n.type)} · ${esc(n.date)}${n.status === 'open' ? '' : ' (signed)'}</option>`).join('') : '<option value="">No notes</option>';
  if (list.some((n) => n.id === was)) note.value = was;
}

/** Reads the patients and staff members to pick from. */
async function loadPeople(): Promise<void> {
  const answer = await api<HomeData>('/home');
  if (!answer.ok) return;
  people = { patients: answer.body.patients, staff: answer.body.staff_members ?? [answer.body.staff], me: answer.body.staff };
  drawPeople();
  await drawNotes();
}

/** What the form asks for: the launch parameters, and whether they open on the app's natural page. */
function chosen(app: ShellApp): { params: LaunchParams; natural: boolean } {
  if (typed()) {
    const params: LaunchParams = { unchecked: true };
    for (const [key, id] of [['patient_id', '#ln-patient-id'], ['note_id', '#ln-note-id'], ['staff_id', '#ln-staff-id']] as const) {
      if (field(id).value !== '') params[key] = field(id).value;
    }
    return { params, natural: false };
  }
  const params: LaunchParams = {};
  if (app.scope !== 'global' && select('#ln-patient').value) params.patient_id = select('#ln-patient').value;
  if (app.scope === 'note' && select('#ln-note').value) params.note_id = select('#ln-note').value;
  if (select('#ln-staff').value) params.staff_id = select('#ln-staff').value;
  // Another staff member has no page of their own: that launch opens as a modal, like typed IDs.
  return { params, natural: !params.staff_id };
}

/** The shell link that opens the choice. */
function linkOf(app: ShellApp): string {
  const { params, natural } = chosen(app);
  return natural ? naturalLink(app, params.patient_id, params.note_id) : explicitLink(app, params);
}

/** Enables what the app's scope uses, then asks the harness for the URL. */
function update(): void {
  const app = chosenApp();
  for (const label of document.querySelectorAll<HTMLElement>('#ln-form .picked')) label.hidden = typed();
  for (const label of document.querySelectorAll<HTMLElement>('#ln-form .typed')) label.hidden = !typed();
  select('#ln-patient').disabled = !app || app.scope === 'global';
  select('#ln-note').disabled = !app || app.scope !== 'note';
  $('#ln-link').textContent = app ? linkOf(app) : '';
  clearTimeout(previewTimer);
  previewTimer = window.setTimeout(() => void preview(), 120);
}

async function preview(): Promise<void> {
  const app = chosenApp();
  const out = $('#ln-url');
  const open = $<HTMLButtonElement>('#ln-open');
  if (!app) {
    out.textContent = 'No app to open.';
    open.disabled = true;
    return;
  }
  const seq = ++previewSeq;
  out.classList.add('pending');
  const answer = await api<{ url?: string }>(`/launch?${launchQuery(app.id, chosen(app).params)}`);
  if (seq !== previewSeq) return;
  out.classList.remove('pending');
  out.classList.toggle('bad', !answer.ok);
  out.textContent = answer.ok && typeof answer.body.url === 'string' ? answer.body.url : `Not opened: ${failure(answer)}`;
  out.dataset.ready = String(seq);
  open.disabled = false;
}

/** The page part of a URL: its path, and the note it shows. */
const pageOf = (url: URL) => `${url.pathname}?${url.searchParams.get('note') ?? ''}`;

async function open(): Promise<void> {
  const app = chosenApp();
  if (!app) return;
  const { params, natural } = chosen(app);
  const target = new URL(linkOf(app), location.href);
  // Already on that page: open here (the log and the inspector stay); else go there, as a shared link would.
  if (pageOf(target) === pageOf(new URL(location.href))) await hooks.open(app.id, natural ? undefined : params);
  else location.assign(target.href);
}

/** Redraws the app list (the page's data was loaded again). */
export function drawLaunchApps(): void {
  if (!hooks) return;
  drawApps();
  update();
}

/** Wires the panel. */
export function initLaunch(shell: ShellHooks): void {
  hooks = shell;
  const form = $('#ln-form');
  form.addEventListener('change', (event) => {
    if (event.target === select('#ln-patient')) void drawNotes().then(update);
    else update();
  });
  form.addEventListener('input', (event) => {
    if (event.target instanceof HTMLInputElement && event.target.type === 'text') update();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void open();
  });
  onPanelShown((name) => {
    if (name === 'launch') void loadPeople().then(update);
  });
  drawApps();
}
