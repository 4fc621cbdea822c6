/**
 * The mock Provider Companion shell (browser code, built to dist/harness/shell/shell.js). It plays
 * the host side of the contract a plugin page sees on Canvas: apps open in a modal whose iframe
 * gets a MessagePort with INIT_CHANNEL on load; the shell closes the modal on CLOSE_MODAL, honours
 * RESIZE, tells note apps about note-tab changes with NOTE_TAB_CHANGE, and logs every message both ways.
 * Its URL names the app open (deep links, deeplink.ts); the workbench's inspector (inspector.ts and
 * its panels) sits beside it on a wide screen and in its bottom sheet on a phone.
 * @module
 */
import type { Task } from '../../platform/index.js';
import { launchQuery, readDeepLink, syncUrl, type DeepLink } from './deeplink.js';
import { $, esc, toast } from './dom.js';
import { restartFeed, startFeed } from './feed.js';
import { initInspector, inspectorDataChanged, inspectorSessionChanged } from './inspector.js';
import { recordEntry, restoreLog } from './messages.js';
import type { Direction, HomeData, LaunchParams, LogEntry, PatientData, PatientView, ShellApp, ShellHooks } from './types.js';

type Route = { name: 'home' } | { name: 'patient'; id: string; noteId: string | null } | { name: 'notfound' };
/** An app open in a modal. */
interface Frame {
  app: ShellApp;
  url: string | undefined;
  /** The launch parameters it was opened with (a Launch panel or deep-link launch); null: the page's context. */
  launch: LaunchParams | null;
  sheet: HTMLElement;
  /** Null when the app did not open (the sheet says why). */
  iframe: HTMLIFrameElement | null;
  /** The shell's end of the channel handed over on the frame's last load. */
  port: MessagePort | null;
}

/** A patient key, as Canvas's patient URLs carry it: 32 lower-case hex digits, no dashes. */
const PATIENT_KEY = /^[\da-f]{32}$/;

const ICONS = {
  back: '<path d="M15 5l-7 7 7 7"/>',
  more: '<circle cx="5" cy="12" r="1.6"/><circle cx="12" cy="12" r="1.6"/><circle cx="19" cy="12" r="1.6"/>',
  close: '<path d="M6 6l12 12M18 6L6 18"/>',
  chevron: '<path d="M9 5l7 7-7 7"/>',
};
const icon = (name: keyof typeof ICONS, cls = 'ico') => `<svg class="${cls}" viewBox="0 0 24 24" aria-hidden="true">${ICONS[name]}</svg>`;
/** An app's icon from its manifest, or its initials. */
const appIcon = (app: ShellApp, cls = 'app-icon') => (app.icon_url
  ? `<img class="${cls}" src="${esc(app.icon_url)}" alt="" aria-hidden="true">`
  : `<span class="${cls} letter" aria-hidden="true">${esc(initials(app.title))}</span>`);

function parseRoute(): Route {
  if (location.pathname === '/companion/') return { name: 'home' };
  const id = /^\/companion\/patient\/([^/]+)\/$/.exec(location.pathname)?.[1];
  if (id && PATIENT_KEY.test(id)) return { name: 'patient', id, noteId: new URLSearchParams(location.search).get('note') };
  return { name: 'notfound' };
}

const state = {
  route: parseRoute(),
  data: null as HomeData | PatientData | null,
  signedOut: false,
  expired: false,
  /** 'timeline' | 'note' | an app id */
  tab: 'timeline',
  /** Open app frames. */
  frames: [] as Frame[],
  /** App ids whose launch URL is being fetched. */
  opening: new Set<string>(),
  /** The app the URL asked for on load, opened once the page's data is there. */
  deepLink: readDeepLink() as DeepLink | null,
};
if (state.route.name === 'patient' && state.route.noteId) state.tab = 'note';

/** The patient page's data; null at home. */
const patientData = () => (state.data && 'patient' in state.data ? state.data : null);
const noteId = () => (state.route.name === 'patient' ? state.route.noteId : null);
const note = () => patientData()?.notes.find((n) => n.id === noteId()) ?? null;
const appsFor = (scope: ShellApp['scope']) => (state.data?.apps ?? []).filter((app) => app.scope === scope);

// ---- formatting -------------------------------------------------------------------------------

function formatDate(iso: string, withYear = true): string {
  const date = new Date(`${iso}T00:00:00`);
  return date.toLocaleDateString('en-US', { month: 'short', day: 'numeric', ...(withYear ? { year: 'numeric' } : {}) });
}
function age(birth: string): number {
  const b = new Date(`${birth}T00:00:00`);
  const now = new Date();
  return now.getFullYear() - b.getFullYear() - (now < new Date(now.getFullYear(), b.getMonth(), b.getDate()) ? 1 : 0);
}
function relativeDay(iso: string): string {
  const today = localDay(new Date().toISOString());
  const days = Math.round((Date.parse(iso) - Date.parse(today)) / 86_400_000);
  if (days === 0) return 'today';
  if (days === 1) return 'tomorrow';
  if (days === -1) return 'yesterday';
  return formatDate(iso, false);
}
const initials = (name: string) => name.split(/\s+/).map((w) => w[0]).join('').slice(0, 2).toUpperCase();
/** A patient's page (and note) in the shell: IDs come from mocks' data, so they are encoded. */
const pageLink = (patientId: string, noteId?: string | null) => `/companion/patient/${encodeURIComponent(patientId)}/${noteId ? `?note=${encodeURIComponent(noteId)}` : ''}`;
/** Sex, age and date of birth, as the patient list and header show them. */
const patientLine = (p: PatientView) => [p.sex_at_birth, p.birth_date && `${age(p.birth_date)} y`, p.birth_date && `DOB ${formatDate(p.birth_date)}`].filter(Boolean).join(' · ');
/** A time of day from an ISO time: `4:00 PM`. */
const timeOf = (iso: string) => new Date(iso).toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' });
/** The local day of an ISO time, YYYY-MM-DD. */
const localDay = (iso: string) => new Date(iso).toLocaleDateString('en-CA');
/** When a task is due: `today 4:00 PM`, `May 7 12:00 PM`; `no due date`. */
const dueText = (iso: string | null) => (iso ? `${relativeDay(localDay(iso))} ${timeOf(iso)}` : 'no due date');
/** A task's status as its chip says it. */
const TASK_STATUS: Readonly<Record<Task['status'], string>> = { OPEN: 'Open', COMPLETED: 'Done', CLOSED: 'Closed' };
/** A list section, or nothing when `items` is empty and `empty` is not given. */
const section = (title: string, items: string[], empty = '', testid = '') => (items.length || empty
  ? `<section class="section"><h2 class="section-title">${esc(title)}</h2><ul class="list"${testid ? ` data-testid="${testid}"` : ''}>${items.join('') || `<li class="muted pad">${esc(empty)}</li>`}</ul></section>`
  : '');
/** A row that links nowhere. */
const staticRow = (title: string, sub: string, chip = '', cls = '') => `<li class="row static${cls}"><span class="row-main"><span class="row-title">${title}</span><span class="row-sub">${sub}</span></span>${chip}</li>`;

// ---- data -------------------------------------------------------------------------------------

async function load(): Promise<void> {
  const route = state.route;
  if (route.name === 'notfound') return render();
  let response: Response;
  try {
    response = await fetch(route.name === 'home' ? '/companion/api/home' : `/companion/api/patients/${route.id}`, { cache: 'no-store' });
  } catch {
    return toast('The harness server is not answering. Is npm run demo still running?');
  }
  if (response.status === 401) {
    const body = (await response.json().catch(() => ({}))) as { expired?: boolean };
    state.signedOut = true;
    state.expired = Boolean(body.expired);
    return render();
  }
  if (response.status === 404) {
    state.route = { name: 'notfound' };
    return render();
  }
  state.signedOut = false;
  state.expired = false;
  state.data = (await response.json()) as HomeData | PatientData;
  render();
  inspectorDataChanged(hooks);
  openDeepLink();
}

/** Opens the app the URL named on load (once: a reload or a shared link), or says why it cannot. */
function openDeepLink(): void {
  const link = state.deepLink;
  if (!link || !state.data) return;
  state.deepLink = null;
  if (!state.data.apps.some((app) => app.id === link.app)) {
    syncUrl(null);
    return toast(`No app ${link.app} in this harness: the link names an app of another plugin set.`);
  }
  void openApp(link.app, link.params ?? undefined);
}

let reloadTimer: number | undefined;
function scheduleReload(): void {
  clearTimeout(reloadTimer);
  reloadTimer = window.setTimeout(() => void load(), 120);
}

// ---- rendering ------------------------------------------------------------------------------

function render(): void {
  renderHeader();
  renderView();
  const patient = patientData()?.patient;
  document.title = patient ? `${patient.name} · Companion` : 'Companion (harness)';
}

function menuButton(): string {
  return `<button type="button" class="icon-btn" data-action="menu" aria-label="Menu" aria-haspopup="dialog">${icon('more')}</button>`;
}

function renderHeader(): void {
  const data = state.data;
  const parts: string[] = [];
  const current = note();
  const page = patientData();
  if (state.route.name === 'patient' && page) {
    const p = page.patient;
    const back = current ? pageLink(p.id) : '/companion/';
    parts.push(`<div class="bar">
      <a class="icon-btn" href="${esc(back)}" aria-label="${current ? 'Back to the patient' : 'Back to the companion'}">${icon('back')}</a>
      <span class="avatar" aria-hidden="true">${esc(initials(p.name))}</span>
      <div class="who"><h1 class="title" data-testid="patient-name">${esc(p.name)}</h1>
        <div class="sub">${esc(patientLine(p))}</div>
        <div class="sub" data-testid="patient-contacts">${esc([p.nickname && `“${p.nickname}”`, ...p.telecom.map((c) => c.value)].filter(Boolean).join(' · '))}</div></div>
      ${menuButton()}</div>`);
    if (current) {
      parts.push(`<div class="note-line" data-testid="note-line"><b>${esc(current.type)}</b> · ${esc(formatDate(current.date))}
        <span class="chip ${esc(current.status)}">${current.status === 'open' ? 'Open' : 'Signed'}</span></div>`);
    }
    const first: [string, string] = current ? ['note', 'Note'] : ['timeline', 'Timeline'];
    const tabs: [string, string, ShellApp?][] = [first, ...appsFor(current ? 'note' : 'patient').map((app): [string, string, ShellApp] => [app.id, app.title, app])];
    parts.push(`<nav class="tabs" role="tablist" aria-label="${current ? 'Note tabs' : 'Patient tabs'}">${tabs
      .map(([id, title, app]) => `<button type="button" role="tab" class="tab" data-tab="${esc(id)}" aria-selected="${state.tab === id}"${app ? ` title="${esc(app.plugin)}"` : ''}>${app ? appIcon(app, 'tab-icon') : ''}${esc(title)}</button>`)
      .join('')}</nav>`);
  } else {
    parts.push(`<div class="bar"><span class="logo" aria-hidden="true">C</span>
      <div class="who"><h1 class="title">Companion</h1><div class="sub">${esc(data?.staff?.name ?? 'Canvas harness')}</div></div>
      ${menuButton()}</div>`);
  }
  if (state.signedOut && state.data) {
    parts.push(`<div class="banner" role="alert"><span>${state.expired ? 'Session expired: plugin requests now get 401.' : 'Signed out.'}</span>
      <button type="button" class="btn small" data-action="signin">Sign in</button></div>`);
  }
  $('#top').innerHTML = parts.join('');
}

function renderView(): void {
  const view = $('#view');
  const data = state.data;
  if (state.route.name === 'notfound') {
    view.innerHTML = `<div class="card empty"><h2>Page not found</h2><p>The companion has no page at ${esc(location.pathname)}.</p><a class="btn" href="/companion/">Go to the companion</a></div>`;
    return;
  }
  if (!data) {
    view.innerHTML = state.signedOut
      ? `<div class="card empty"><h2>${state.expired ? 'Your session expired' : 'You are signed out'}</h2>
         <p>The harness plays Canvas's login: sign in to get a staff session cookie.</p>
         <button type="button" class="btn" data-action="signin">Sign in as Dr. Ada Moreno</button></div>`
      : '<p class="empty">Loading…</p>';
    return;
  }
  if (!('patient' in data)) {
    const apps = appsFor('global');
    view.innerHTML = `<section class="section"><h2 class="section-title">Apps</h2>
      ${apps.length ? `<div class="launcher">${apps.map((app) => `<button type="button" class="app-tile" data-open="${esc(app.id)}" aria-label="${esc(app.title)}" title="${esc(app.description || app.plugin)}">
        ${appIcon(app)}<span class="app-name">${esc(app.title)}</span></button>`).join('')}</div>`
        : '<p class="muted">No global apps.</p>'}</section>
      ${section('Today', data.schedule.map((a) => `<li><a class="row" href="${esc(pageLink(a.patient_id, a.note_id))}">
        <span class="row-main"><span class="row-title">${esc(timeOf(a.start_time))} · ${esc(a.patient.name)}</span>
        <span class="row-sub">${esc([a.note_type, `${a.duration_minutes} min`, a.description].filter(Boolean).join(' · '))}</span></span>
        <span class="chip">${esc(a.status)}</span>${icon('chevron', 'ico chev-r')}</a></li>`), 'No appointments today.', 'schedule')}
      ${section('Unread messages', data.unread.map((m) => staticRow(esc(m.sender.name), esc(m.content))), '', 'unread')}
      <section class="section"><h2 class="section-title">Patients</h2><ul class="list">
      ${data.patients.map((p) => `<li><a class="row" href="${esc(pageLink(p.id))}"><span class="avatar small" aria-hidden="true">${esc(initials(p.name))}</span>
        <span class="row-main"><span class="row-title">${esc(p.name)}</span><span class="row-sub">${esc(patientLine(p))}</span></span>
        ${p.open_tasks ? `<span class="count" title="Open tasks">${p.open_tasks}</span>` : ''}${icon('chevron', 'ico chev-r')}</a></li>`).join('')}
      </ul></section>`;
    return;
  }
  const current = note();
  if (current) {
    view.innerHTML = `<section class="section"><div class="card note">
      <div class="note-meta">${esc(current.provider)}</div>
      ${current.commands.length ? `<ul class="commands">${current.commands.map((c) => `<li class="command${c.type === 'Vitals' ? ' vitals' : ''}" data-command="${esc(c.type)}">
        <span class="command-type">${esc(c.type)}${c.origin ? ` <span class="tag">${esc(c.origin)}</span>` : ''}</span><span class="command-text">${esc(c.text)}</span></li>`).join('')}</ul>`
        : '<p class="muted">No commands in this note yet.</p>'}
      </div>${appsFor('note').length ? `<p class="hint">Note apps open from the tabs above.</p>` : ''}</section>`;
    return;
  }
  if (noteId()) {
    view.innerHTML = `<div class="card empty"><h2>Note not found</h2><a class="btn" href="${esc(pageLink(data.patient.id))}">Back to the patient</a></div>`;
    return;
  }
  view.innerHTML = `<section class="section"><h2 class="section-title">Notes</h2><ul class="list">
    ${data.notes.map((n) => `<li><a class="row" href="?note=${esc(encodeURIComponent(n.id))}"><span class="row-main"><span class="row-title">${esc(n.type)}</span>
      <span class="row-sub">${esc(formatDate(n.date))} · ${esc(n.provider)} · ${n.commands.length} command${n.commands.length === 1 ? '' : 's'}</span></span>
      <span class="chip ${esc(n.status)}">${n.status === 'open' ? 'Open' : 'Signed'}</span>${icon('chevron', 'ico chev-r')}</a></li>`).join('') || '<li class="muted pad">No notes.</li>'}
    </ul></section>
    ${section('Tasks', data.tasks.map((t) => staticRow(
      `${esc(t.title)}${t.labels.map((l) => ` <span class="tag">${esc(l.name)}</span>`).join('')}`,
      `Due ${esc(dueText(t.due))} · ${esc(t.assignee?.name ?? t.team?.name ?? 'Unassigned')}${t.comments.length ? ` · ${t.comments.length} comment${t.comments.length === 1 ? '' : 's'}` : ''}`,
      `<span class="chip ${esc(t.status.toLowerCase())}">${TASK_STATUS[t.status]}</span>`, t.status === 'OPEN' ? '' : ' done',
    )), 'No tasks.', 'timeline-tasks')}
    ${section('Appointments', data.appointments.map((a) => staticRow(esc(`${formatDate(localDay(a.start_time))} ${timeOf(a.start_time)} · ${a.note_type}`), esc(`${a.provider.name} · ${a.duration_minutes} min`), `<span class="chip">${esc(a.status)}</span>`)), '', 'appointments')}
    ${section('Messages', data.messages.map((m) => staticRow(esc(`${m.sender.name} → ${m.recipient.name}`), esc(m.content), m.read ? '' : '<span class="chip">Unread</span>')), '', 'messages')}
    ${section('Care team', data.care_team.map((c) => staticRow(esc(c.staff.name), esc(c.role_display), c.lead ? '<span class="tag">Lead</span>' : '')), '', 'care-team')}
    ${section('Chart', [
      ...data.chart.conditions.map((c) => staticRow(esc(c.codings[0]?.display ?? ''), esc(`Condition · ${c.clinical_status}`))),
      ...data.chart.medications.map((m) => staticRow(esc(m.codings[0]?.display ?? ''), esc(`Medication · ${m.clinical_quantity_description}`))),
      ...data.chart.allergies.map((a) => staticRow(esc(a.codings[0]?.display ?? ''), esc(`Allergy · ${[a.severity, a.narrative].filter(Boolean).join(' · ')}`))),
      ...data.chart.vitals.slice(0, 6).map((v) => staticRow(esc(`${v.name.replace(/_/g, ' ')} ${v.value} ${v.units}`), esc(`Vitals · ${formatDate(localDay(v.effective_datetime))}`))),
    ], '', 'chart')}`;
}

// ---- app frames: the host side of the MessagePort contract ---------------------------------------

/**
 * Asks the harness what the app's on_open() returns: `{ url }`, or `{ error }` to show instead. The
 * context is the page's (its patient and note), unless `params` gives one of its own.
 */
async function launch(app: ShellApp, params: LaunchParams | null): Promise<{ url?: string; error?: string }> {
  let query: URLSearchParams;
  if (params) query = launchQuery(app.id, params);
  else {
    query = new URLSearchParams({ app: app.id });
    const patient = patientData()?.patient;
    const current = note();
    if (app.scope !== 'global' && patient) query.set('patient_id', patient.id);
    if (app.scope === 'note' && current) query.set('note_id', current.id);
  }
  try {
    const response = await fetch(`/companion/api/launch?${query}`, { cache: 'no-store' });
    const body = (await response.json().catch(() => ({}))) as { url?: unknown; error?: string };
    return response.ok && typeof body.url === 'string' ? { url: body.url } : { error: body.error ?? `The harness answered ${response.status}` };
  } catch {
    return { error: 'The harness server is not answering.' };
  }
}

/**
 * Opens an app: in the page's context (its tab, for a patient or note app), or with launch
 * parameters of its own (`params`: from the Launch panel or a deep link), as a modal over the page.
 */
async function openApp(id: string, params?: LaunchParams): Promise<void> {
  const app = state.data?.apps.find((a) => a.id === id);
  if (!app || state.opening.has(id)) return;
  const own = params ?? null;
  const inTab = !own && app.scope !== 'global';
  // One modal at a time; a note's apps stay alive behind their tabs while the note is open.
  for (const frame of [...state.frames]) if (!(inTab && app.scope === 'note' && frame.app.scope === 'note' && !frame.launch)) closeFrame(frame, 'replaced by another app');
  let frame = state.frames.find((f) => f.app.id === app.id);
  if (!frame) {
    state.opening.add(id);
    const launched = await launch(app, own).finally(() => state.opening.delete(id));
    frame = createFrame(app, own, launched);
  }
  if (inTab) setTab(app.id);
  else showFrames(frame);
}

function createFrame(app: ShellApp, own: LaunchParams | null, { url, error }: { url?: string; error?: string }): Frame {
  const sheet = document.createElement('section');
  sheet.className = 'sheet';
  sheet.setAttribute('role', 'dialog');
  sheet.setAttribute('aria-label', app.title);
  sheet.dataset.app = app.id;
  sheet.innerHTML = `<div class="sheet-bar"><div class="sheet-title"><b>${esc(app.title)}</b><span>${esc(app.plugin)} · ${esc(app.scope)}</span></div>
    <button type="button" class="icon-btn sheet-close" aria-label="Close ${esc(app.title)}">${icon('close')}</button></div>`;
  const frame: Frame = { app, url, launch: own, sheet, iframe: null, port: null };
  sheet.querySelector('.sheet-close')?.addEventListener('click', () => closeFrame(frame, 'closed from the shell'));
  if (error !== undefined || url === undefined) {
    // No launch URL: say why, where the page would have been.
    const box = document.createElement('div');
    box.className = 'sheet-error';
    box.setAttribute('role', 'alert');
    box.innerHTML = `<h2>This app did not open</h2><p>${esc(error)}</p>`;
    sheet.append(box);
  } else {
    const iframe = (frame.iframe = document.createElement('iframe'));
    iframe.title = app.title;
    iframe.allow = 'clipboard-read; clipboard-write';
    iframe.src = url;
    sheet.append(iframe);
    iframe.addEventListener('load', () => connect(frame, iframe));
  }
  $('#sheets').append(sheet);
  state.frames.push(frame);
  if (error !== undefined || url === undefined) record('info', frame, null, `not opened: ${error}`);
  else {
    const loaded = url.replace(location.origin, '');
    record('info', frame, null, `opened ${loaded}`, { url: loaded });
  }
  return frame;
}

/** On every load of the iframe: a new channel, port2 transferred with INIT_CHANNEL to the frame's origin. */
function connect(frame: Frame, iframe: HTMLIFrameElement): void {
  frame.port?.close();
  const channel = new MessageChannel();
  frame.port = channel.port1;
  channel.port1.onmessage = (event) => onPortMessage(frame, event.data);
  const targetOrigin = new URL(iframe.src).origin;
  iframe.contentWindow?.postMessage({ type: 'INIT_CHANNEL' }, targetOrigin, [channel.port2]);
  record('out', frame, { type: 'INIT_CHANNEL' }, `window.postMessage to ${targetOrigin}, MessagePort transferred`, { via: 'window' });
}

function send(frame: Frame, message: { type: string } & Record<string, unknown>): void {
  if (!frame.port) return;
  frame.port.postMessage(message);
  record('out', frame, message, 'port', { via: 'port' });
}

/** What Canvas does with a message from a page's port: only CLOSE_MODAL and RESIZE are acted on. */
const PORT_MESSAGES: Readonly<Record<string, { detail: string; act: (frame: Frame, data: Record<string, unknown>) => void }>> = {
  CLOSE_MODAL: { detail: 'port: closing the modal', act: (frame) => closeFrame(frame, 'CLOSE_MODAL') },
  RESIZE: { detail: 'port: resizing the modal', act: (frame, data) => resizeFrame(frame, data) },
};

function onPortMessage(frame: Frame, data: unknown): void {
  const type = data && typeof data === 'object' ? (data as { type?: unknown }).type : undefined;
  const known = typeof type === 'string' && Object.hasOwn(PORT_MESSAGES, type) ? PORT_MESSAGES[type] : undefined;
  if (!known) return record('in', frame, data, 'port: not a message Canvas acts on', { via: 'port' });
  record('in', frame, data, known.detail, { via: 'port' });
  known.act(frame, data as Record<string, unknown>);
}

function resizeFrame(frame: Frame, { width, height }: { width?: unknown; height?: unknown }): void {
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;
  const bar = frame.sheet.querySelector<HTMLElement>('.sheet-bar')?.offsetHeight ?? 0;
  if (ok(height)) {
    frame.sheet.style.top = 'auto';
    frame.sheet.style.height = `min(${Math.ceil(height) + bar}px, calc(100% - var(--top) - var(--log-h)))`;
  }
  if (ok(width)) frame.sheet.style.width = `min(${Math.ceil(width)}px, 100%)`;
}

function closeFrame(frame: Frame, why: string): void {
  const at = state.frames.indexOf(frame);
  if (at < 0) return;
  state.frames.splice(at, 1);
  frame.port?.close();
  frame.port = null;
  frame.sheet.remove();
  record('info', frame, null, `modal closed (${why})`);
  if (state.tab === frame.app.id) {
    if (frame.app.scope === 'note') setTab('note');
    else state.tab = 'timeline';
  }
  showFrames();
  if (state.data) renderHeader();
}

/** Shows one frame (or none) and the backdrop behind it. */
function showFrames(visible: Frame | null = state.frames.find((f) => f.app.id === state.tab || f.app.scope === 'global' || f.launch) ?? null): void {
  for (const frame of state.frames) frame.sheet.hidden = frame !== visible;
  $('#backdrop').hidden = !visible;
  document.body.classList.toggle('modal-open', Boolean(visible));
  // The URL names the app showing, so that a reload or a shared link opens it again.
  syncUrl(visible ? { app: visible.app.id, params: visible.launch } : null);
}

/** Switches the patient or note tab; in a note, every live note app hears NOTE_TAB_CHANGE, as on Canvas. */
function setTab(tab: string): void {
  state.tab = tab;
  renderHeader();
  showFrames(state.frames.find((f) => f.app.id === tab) ?? null);
  const patient = patientData()?.patient;
  if (note() && patient) {
    for (const frame of state.frames) {
      if (frame.app.scope === 'note') send(frame, { type: 'NOTE_TAB_CHANGE', tab, patient: { id: patient.id } });
    }
  }
}

// Plugins that post to window.parent instead of the port: Canvas ignores those; log them so authors see why.
window.addEventListener('message', (event) => {
  const frame = state.frames.find((f) => f.iframe && f.iframe.contentWindow === event.source);
  if (frame) record('in', frame, event.data, `window.postMessage from ${event.origin}: ignored, Canvas listens on the port only`, { via: 'window' });
});

// ---- message log ----------------------------------------------------------------------------

function describeData(data: unknown): string {
  try {
    return JSON.stringify(data);
  } catch {
    return String(data);
  }
}

/** Logs a message (or the shell's note, `info`); `also`: the URL a frame opened at, how a message travelled. */
function record(dir: Direction, frame: Frame, data: unknown, detail: string, also: Pick<LogEntry, 'url' | 'via'> = {}): void {
  const type = data && typeof data === 'object' && typeof (data as { type?: unknown }).type === 'string' ? (data as { type: string }).type : '';
  recordEntry({ at: new Date().toISOString(), dir, app: frame.app.title, appId: frame.app.id, type, text: data === null ? null : describeData(data), detail, ...also });
}

// ---- session ----------------------------------------------------------------------------------

async function expireSession(): Promise<void> {
  await fetch('/companion/api/session/expire', { method: 'POST' });
  state.signedOut = true;
  state.expired = true;
  render();
  toast('Session expired. Open plugin pages now get 401 from their routes.');
  void inspectorSessionChanged();
}

async function signIn(): Promise<void> {
  const response = await fetch('/companion/api/session', { method: 'POST' });
  if (!response.ok) return toast('Could not sign in.');
  state.signedOut = false;
  toast('Signed in with a fresh session cookie.');
  // The feed follows the session's cookie: connect again for the new session's trace.
  restartFeed();
  await load();
  void inspectorSessionChanged();
}

// ---- events -----------------------------------------------------------------------------------

/** Makes a mock module's outside event happen (POST /companion/api/events/<plugin>/<name>); the live feed then reloads the page. */
async function triggerEvent(plugin: string, name: string): Promise<void> {
  const response = await fetch(`/companion/api/events/${encodeURIComponent(plugin)}/${encodeURIComponent(name)}`, { method: 'POST' }).catch(() => null);
  const body = response && !response.ok ? ((await response.json().catch(() => ({}))) as { error?: string }) : {};
  toast(!response ? 'The harness server is not answering.' : response.ok ? `${name}: done.` : `${name}: ${body.error ?? `the harness answered ${response.status}`}`);
}

/** The menu's "Outside events" buttons: one per event of the mock modules. */
function renderEvents(menu: HTMLDialogElement): void {
  const events = state.data?.events ?? [];
  let box = menu.querySelector<HTMLElement>('#menu-events');
  if (!box) {
    box = document.createElement('div');
    box.id = 'menu-events';
    menu.querySelector('[data-action="close-menu"]')?.before(box);
  }
  box.innerHTML = events.length
    ? `<p class="menu-who">Outside events</p>${events.map((e) => `<button type="button" class="menu-item" data-action="event" data-plugin="${esc(e.plugin)}" data-name="${esc(e.name)}">${esc(e.name)}<small>${esc(e.plugin)}: the mock module's event</small></button>`).join('')}`
    : '';
}

/** The menu's actions, by `data-action`; `target` is the element clicked. */
const ACTIONS: Readonly<Record<string, (menu: HTMLDialogElement, target: HTMLElement) => void>> = {
  menu: (menu) => {
    $('#menu-who').textContent = state.signedOut ? 'Signed out' : `Signed in as ${state.data?.staff?.name ?? 'staff'}`;
    renderEvents(menu);
    menu.showModal();
  },
  event: (menu, target) => {
    menu.close();
    void triggerEvent(target.dataset.plugin ?? '', target.dataset.name ?? '');
  },
  'close-menu': (menu) => menu.close(),
  expire: (menu) => {
    menu.close();
    void expireSession();
  },
  signin: (menu) => {
    if (menu.open) menu.close();
    void signIn();
  },
};

document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target.closest<HTMLElement>('[data-open],[data-tab],[data-action]') : null;
  if (!target) return;
  const { open, tab, action } = target.dataset;
  if (open) return void openApp(open);
  if (tab) {
    if (tab === 'timeline' || tab === 'note') return setTab(tab);
    const frame = state.frames.find((f) => f.app.id === tab);
    return frame ? setTab(tab) : void openApp(tab);
  }
  if (action && Object.hasOwn(ACTIONS, action)) ACTIONS[action]?.($<HTMLDialogElement>('#menu'), target);
});
$<HTMLDialogElement>('#menu').addEventListener('click', (event) => {
  if (event.target === event.currentTarget) (event.currentTarget as HTMLDialogElement).close();
});
document.addEventListener('keydown', (event) => {
  // Escape in the inspector (a field, a select) is the inspector's, not the app's.
  const inInspector = event.target instanceof Element && event.target.closest('#log') !== null;
  if (event.key === 'Escape' && !inInspector && !$<HTMLDialogElement>('#menu').open) {
    const frame = state.frames.find((f) => !f.sheet.hidden);
    if (frame) closeFrame(frame, 'Escape');
  }
});

// Sizes the sheets between the shell's header and the log bar.
const sizes = new ResizeObserver(() => {
  document.documentElement.style.setProperty('--top', `${$('#top').offsetHeight}px`);
  document.documentElement.style.setProperty('--log-h', `${$('#log-toggle').offsetHeight}px`);
});
sizes.observe($('#top'));
sizes.observe($('#log-toggle'));

/** What the inspector's panels may ask of the companion. */
const hooks: ShellHooks = {
  data: () => state.data,
  reload: load,
  expire: expireSession,
  signIn,
  trigger: triggerEvent,
  open: openApp,
};

initInspector(hooks);
restoreLog();
void load();
startFeed({ changed: scheduleReload });
