/**
 * The mock Provider Companion shell. It plays the host side of the contract a plugin page sees on
 * Canvas: apps open in a modal whose iframe gets a MessagePort with INIT_CHANNEL on load; the
 * shell closes the modal on CLOSE_MODAL, honours RESIZE, tells note apps about note-tab changes
 * with NOTE_TAB_CHANGE, and logs every message both ways.
 */

const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;
const $ = (selector) => document.querySelector(selector);
const esc = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const ICONS = {
  back: '<path d="M15 5l-7 7 7 7"/>',
  more: '<circle cx="5" cy="12" r="1.6"/><circle cx="12" cy="12" r="1.6"/><circle cx="19" cy="12" r="1.6"/>',
  close: '<path d="M6 6l12 12M18 6L6 18"/>',
  chevron: '<path d="M9 5l7 7-7 7"/>',
};
const icon = (name, cls = 'ico') => `<svg class="${cls}" viewBox="0 0 24 24" aria-hidden="true">${ICONS[name] ?? ''}</svg>`;
/** An app's icon from its manifest, or its initials. */
const appIcon = (app, cls = 'app-icon') => (app.icon_url
  ? `<img class="${cls}" src="${esc(app.icon_url)}" alt="" aria-hidden="true">`
  : `<span class="${cls} letter" aria-hidden="true">${esc(initials(app.title))}</span>`);
/** Where the message log is kept while the shell navigates (cleared with the log's Clear button). */
const LOG_KEY = 'companion-harness-log';
const LOG_MAX = 300;

function parseRoute() {
  if (location.pathname === '/companion/') return { name: 'home' };
  const match = /^\/companion\/patient\/([^/]+)\/$/.exec(location.pathname);
  if (match && UUID.test(match[1])) return { name: 'patient', id: match[1].toLowerCase(), noteId: new URLSearchParams(location.search).get('note') };
  return { name: 'notfound' };
}

const state = {
  route: parseRoute(),
  data: null,
  signedOut: false,
  expired: false,
  /** 'timeline' | 'note' | an app id */
  tab: 'timeline',
  /** open app frames: { app, url, sheet, iframe, port } */
  frames: [],
  /** app ids whose launch URL is being fetched */
  opening: new Set(),
  log: [],
};
if (state.route.name === 'patient' && state.route.noteId) state.tab = 'note';

const note = () => (state.route.noteId && state.data?.notes?.find((n) => n.id === state.route.noteId)) || null;
const appsFor = (scope) => (state.data?.apps ?? []).filter((app) => app.scope === scope);

// ---- formatting -------------------------------------------------------------------------------

function formatDate(iso, withYear = true) {
  const date = new Date(`${iso}T00:00:00`);
  return date.toLocaleDateString('en-US', { month: 'short', day: 'numeric', ...(withYear ? { year: 'numeric' } : {}) });
}
function age(birth) {
  const b = new Date(`${birth}T00:00:00`);
  const now = new Date();
  return now.getFullYear() - b.getFullYear() - (now < new Date(now.getFullYear(), b.getMonth(), b.getDate()) ? 1 : 0);
}
function relativeDay(iso) {
  const today = new Date().toISOString().slice(0, 10);
  const days = Math.round((Date.parse(iso) - Date.parse(today)) / 86_400_000);
  if (days === 0) return 'today';
  if (days === 1) return 'tomorrow';
  if (days === -1) return 'yesterday';
  return formatDate(iso, false);
}
const initials = (name) => name.split(/\s+/).map((w) => w[0]).join('').slice(0, 2).toUpperCase();
function clock(date) {
  return `${date.toLocaleTimeString('en-GB', { hour12: false })}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

// ---- data -------------------------------------------------------------------------------------

async function load() {
  const route = state.route;
  if (route.name === 'notfound') return render();
  let response;
  try {
    response = await fetch(route.name === 'home' ? '/companion/api/home' : `/companion/api/patients/${route.id}`, { cache: 'no-store' });
  } catch {
    return toast('The harness server is not answering. Is npm run demo still running?');
  }
  if (response.status === 401) {
    const body = await response.json().catch(() => ({}));
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
  state.data = await response.json();
  render();
}

let reloadTimer;
function scheduleReload() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(() => void load(), 120);
}

/** The shell's own live feed (not a plugin channel): refetch when the mock data changes. */
let liveSocket = null;
let liveTimer;
let liveDelay = 1000;
function connectLive(reconnect = false) {
  clearTimeout(liveTimer);
  liveSocket?.close();
  const socket = (liveSocket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/companion/live/`));
  socket.addEventListener('open', () => {
    liveDelay = 1000;
    if (reconnect) scheduleReload();
  });
  socket.addEventListener('message', scheduleReload);
  socket.addEventListener('close', () => {
    if (liveSocket !== socket) return;
    liveTimer = setTimeout(() => connectLive(true), liveDelay);
    liveDelay = Math.min(liveDelay * 2, 15_000);
  });
}

// ---- rendering ------------------------------------------------------------------------------

function render() {
  renderHeader();
  renderView();
  document.title = state.data?.patient ? `${state.data.patient.name} · Companion` : 'Companion (harness)';
}

function menuButton() {
  return `<button type="button" class="icon-btn" data-action="menu" aria-label="Menu" aria-haspopup="dialog">${icon('more')}</button>`;
}

function renderHeader() {
  const data = state.data;
  const parts = [];
  const current = note();
  if (state.route.name === 'patient' && data?.patient) {
    const p = data.patient;
    const back = current ? `/companion/patient/${p.id}/` : '/companion/';
    parts.push(`<div class="bar">
      <a class="icon-btn" href="${back}" aria-label="${current ? 'Back to the patient' : 'Back to the companion'}">${icon('back')}</a>
      <span class="avatar" aria-hidden="true">${esc(initials(p.name))}</span>
      <div class="who"><h1 class="title" data-testid="patient-name">${esc(p.name)}</h1>
        <div class="sub">${esc([p.sex, `${age(p.birth_date)} y`, `DOB ${formatDate(p.birth_date)}`].filter(Boolean).join(' · '))}</div></div>
      ${menuButton()}</div>`);
    if (current) {
      parts.push(`<div class="note-line" data-testid="note-line"><b>${esc(current.type)}</b> · ${esc(formatDate(current.date))}
        <span class="chip ${current.status}">${current.status === 'open' ? 'Open' : 'Signed'}</span></div>`);
    }
    const first = current ? ['note', 'Note'] : ['timeline', 'Timeline'];
    const tabs = [first, ...appsFor(current ? 'note' : 'patient').map((app) => [app.id, app.title, app])];
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

function renderView() {
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
  if (state.route.name === 'home') {
    const apps = appsFor('global');
    view.innerHTML = `<section class="section"><h2 class="section-title">Apps</h2>
      ${apps.length ? `<div class="launcher">${apps.map((app) => `<button type="button" class="app-tile" data-open="${esc(app.id)}" aria-label="${esc(app.title)}" title="${esc(app.description || app.plugin)}">
        ${appIcon(app)}<span class="app-name">${esc(app.title)}</span></button>`).join('')}</div>`
        : '<p class="muted">No global apps.</p>'}</section>
      <section class="section"><h2 class="section-title">Patients</h2><ul class="list">
      ${data.patients.map((p) => `<li><a class="row" href="/companion/patient/${p.id}/"><span class="avatar small" aria-hidden="true">${esc(initials(p.name))}</span>
        <span class="row-main"><span class="row-title">${esc(p.name)}</span><span class="row-sub">${esc([p.sex, `${age(p.birth_date)} y`, `DOB ${formatDate(p.birth_date)}`].filter(Boolean).join(' · '))}</span></span>
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
  if (state.route.noteId) {
    view.innerHTML = `<div class="card empty"><h2>Note not found</h2><a class="btn" href="/companion/patient/${data.patient.id}/">Back to the patient</a></div>`;
    return;
  }
  view.innerHTML = `<section class="section"><h2 class="section-title">Notes</h2><ul class="list">
    ${data.notes.map((n) => `<li><a class="row" href="?note=${n.id}"><span class="row-main"><span class="row-title">${esc(n.type)}</span>
      <span class="row-sub">${esc(formatDate(n.date))} · ${esc(n.provider)} · ${n.commands.length} command${n.commands.length === 1 ? '' : 's'}</span></span>
      <span class="chip ${n.status}">${n.status === 'open' ? 'Open' : 'Signed'}</span>${icon('chevron', 'ico chev-r')}</a></li>`).join('') || '<li class="muted pad">No notes.</li>'}
    </ul></section>
    <section class="section"><h2 class="section-title">Tasks</h2><ul class="list" data-testid="timeline-tasks">
    ${data.tasks.map((t) => `<li class="row static${t.status === 'completed' ? ' done' : ''}"><span class="row-main"><span class="row-title">${esc(t.title)}</span>
      <span class="row-sub">Due ${esc(relativeDay(t.due))} · ${esc(t.assignee.name)}</span></span><span class="chip ${t.status}">${t.status === 'open' ? 'Open' : 'Done'}</span></li>`).join('') || '<li class="muted pad">No tasks.</li>'}
    </ul></section>`;
}

// ---- app frames: the host side of the MessagePort contract ---------------------------------------

/** Asks the harness what the app's on_open() returns here: `{ url }`, or `{ error }` to show instead. */
async function launch(app) {
  const params = new URLSearchParams({ app: app.id });
  if (app.scope !== 'global') params.set('patient_id', state.data.patient.id);
  if (app.scope === 'note') params.set('note_id', note().id);
  try {
    const response = await fetch(`/companion/api/launch?${params}`, { cache: 'no-store' });
    const body = await response.json().catch(() => ({}));
    return response.ok && typeof body.url === 'string' ? { url: body.url } : { error: body.error ?? `The harness answered ${response.status}` };
  } catch {
    return { error: 'The harness server is not answering.' };
  }
}

async function openApp(id) {
  const app = state.data?.apps.find((a) => a.id === id);
  if (!app || state.opening.has(id)) return;
  // One modal at a time; a note's apps stay alive behind their tabs while the note is open.
  for (const frame of [...state.frames]) if (!(app.scope === 'note' && frame.app.scope === 'note')) closeFrame(frame, 'replaced by another app');
  let frame = state.frames.find((f) => f.app.id === app.id);
  if (!frame) {
    state.opening.add(id);
    const launched = await launch(app).finally(() => state.opening.delete(id));
    frame = createFrame(app, launched);
  }
  if (app.scope === 'global') showFrames(frame);
  else setTab(app.id);
}

function createFrame(app, { url, error }) {
  const sheet = document.createElement('section');
  sheet.className = 'sheet';
  sheet.setAttribute('role', 'dialog');
  sheet.setAttribute('aria-label', app.title);
  sheet.dataset.app = app.id;
  sheet.innerHTML = `<div class="sheet-bar"><div class="sheet-title"><b>${esc(app.title)}</b><span>${esc(app.plugin)} · ${esc(app.scope)}</span></div>
    <button type="button" class="icon-btn sheet-close" aria-label="Close ${esc(app.title)}">${icon('close')}</button></div>`;
  const frame = { app, url, sheet, iframe: null, port: null };
  sheet.querySelector('.sheet-close').addEventListener('click', () => closeFrame(frame, 'closed from the shell'));
  if (error) {
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
    iframe.addEventListener('load', () => connect(frame));
  }
  $('#sheets').append(sheet);
  state.frames.push(frame);
  record('info', frame, null, error ? `not opened: ${error}` : `opened ${url.replace(location.origin, '')}`);
  return frame;
}

/** On every load of the iframe: a new channel, port2 transferred with INIT_CHANNEL to the frame's origin. */
function connect(frame) {
  frame.port?.close();
  const channel = new MessageChannel();
  frame.port = channel.port1;
  channel.port1.onmessage = (event) => onPortMessage(frame, event.data);
  const targetOrigin = new URL(frame.iframe.src).origin;
  frame.iframe.contentWindow.postMessage({ type: 'INIT_CHANNEL' }, targetOrigin, [channel.port2]);
  record('out', frame, { type: 'INIT_CHANNEL' }, `window.postMessage to ${targetOrigin}, MessagePort transferred`);
}

function send(frame, message) {
  if (!frame.port) return;
  frame.port.postMessage(message);
  record('out', frame, message, 'port');
}

function onPortMessage(frame, data) {
  const type = data && typeof data === 'object' ? data.type : undefined;
  if (type === 'CLOSE_MODAL') {
    record('in', frame, data, 'port: closing the modal');
    closeFrame(frame, 'CLOSE_MODAL');
  } else if (type === 'RESIZE') {
    record('in', frame, data, 'port: resizing the modal');
    resizeFrame(frame, data);
  } else {
    record('in', frame, data, 'port: not a message Canvas acts on');
  }
}

function resizeFrame(frame, { width, height }) {
  const ok = (n) => typeof n === 'number' && Number.isFinite(n) && n >= 0;
  const bar = frame.sheet.querySelector('.sheet-bar').offsetHeight;
  if (ok(height)) {
    frame.sheet.style.top = 'auto';
    frame.sheet.style.height = `min(${Math.ceil(height) + bar}px, calc(100% - var(--top) - var(--log-h)))`;
  }
  if (ok(width)) frame.sheet.style.width = `min(${Math.ceil(width)}px, 100%)`;
}

function closeFrame(frame, why) {
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
function showFrames(visible = state.frames.find((f) => f.app.id === state.tab || f.app.scope === 'global') ?? null) {
  for (const frame of state.frames) frame.sheet.hidden = frame !== visible;
  $('#backdrop').hidden = !visible;
  document.body.classList.toggle('modal-open', Boolean(visible));
}

/** Switches the patient or note tab; in a note, every live note app hears NOTE_TAB_CHANGE, as on Canvas. */
function setTab(tab) {
  state.tab = tab;
  renderHeader();
  showFrames(state.frames.find((f) => f.app.id === tab) ?? null);
  if (note()) {
    for (const frame of state.frames) {
      if (frame.app.scope === 'note') send(frame, { type: 'NOTE_TAB_CHANGE', tab, patient: { id: state.data.patient.id } });
    }
  }
}

// Plugins that post to window.parent instead of the port: Canvas ignores those; log them so authors see why.
window.addEventListener('message', (event) => {
  const frame = state.frames.find((f) => f.iframe && f.iframe.contentWindow === event.source);
  if (frame) record('in', frame, event.data, `window.postMessage from ${event.origin}: ignored, Canvas listens on the port only`);
});

// ---- message log ----------------------------------------------------------------------------

function describeData(data) {
  try {
    return JSON.stringify(data);
  } catch {
    return String(data);
  }
}

function record(dir, frame, data, detail) {
  const type = data && typeof data === 'object' && typeof data.type === 'string' ? data.type : '';
  const entry = { at: new Date().toISOString(), dir, app: frame.app.title, appId: frame.app.id, type, text: data === null ? null : describeData(data), detail };
  state.log.push(entry);
  if (state.log.length > LOG_MAX) state.log.shift();
  showEntry(entry);
  saveLog();
}

/** Adds one entry to the list; the badge counts exactly the entries listed. */
function showEntry(entry) {
  const item = document.createElement('li');
  item.className = `log-${entry.dir}`;
  item.dataset.dir = entry.dir;
  item.dataset.type = entry.type;
  item.dataset.app = entry.appId;
  const arrow = entry.dir === 'out' ? '→' : entry.dir === 'in' ? '←' : '•';
  item.innerHTML = `<div class="log-head"><span class="log-arrow" aria-label="${entry.dir === 'out' ? 'to plugin' : entry.dir === 'in' ? 'from plugin' : 'shell'}">${arrow}</span>
    <b>${esc(entry.type || entry.detail)}</b><span class="log-app">${esc(entry.app)}</span><time>${clock(new Date(entry.at))}</time></div>
    ${entry.text !== null ? `<code>${esc(entry.text)}</code><small>${esc(entry.detail)}</small>` : ''}`;
  const list = $('#log-list');
  list.append(item);
  while (list.children.length > LOG_MAX) list.firstElementChild.remove();
  list.scrollTop = list.scrollHeight;
  $('#log-count').textContent = String(list.children.length);
  $('#log-last').textContent = `${arrow} ${entry.type || entry.detail} · ${entry.app}`;
}

function saveLog() {
  try {
    sessionStorage.setItem(LOG_KEY, JSON.stringify(state.log));
  } catch {
    // Storage full or blocked: the log still works for this page.
  }
}

/** Shows what was logged before the shell navigated (same tab, until cleared). */
function restoreLog() {
  let saved = [];
  try {
    saved = JSON.parse(sessionStorage.getItem(LOG_KEY) ?? '[]');
  } catch {
    saved = [];
  }
  if (!Array.isArray(saved)) return;
  for (const entry of saved.slice(-LOG_MAX)) {
    if (!entry || typeof entry !== 'object' || typeof entry.at !== 'string') continue;
    state.log.push(entry);
    showEntry(entry);
  }
}

function toggleLog(open = $('#log-body').hidden) {
  $('#log-body').hidden = !open;
  $('#log-toggle').setAttribute('aria-expanded', String(open));
  document.body.classList.toggle('log-open', open);
}

// ---- session ----------------------------------------------------------------------------------

let toastTimer;
function toast(text) {
  const element = $('#toast');
  element.textContent = text;
  element.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (element.hidden = true), 4000);
}

async function expireSession() {
  await fetch('/companion/api/session/expire', { method: 'POST' });
  state.signedOut = true;
  state.expired = true;
  render();
  toast('Session expired. Open plugin pages now get 401 from their routes.');
}

async function signIn() {
  const response = await fetch('/companion/api/session', { method: 'POST' });
  if (!response.ok) return toast('Could not sign in.');
  state.signedOut = false;
  toast('Signed in with a fresh session cookie.');
  if (liveSocket?.readyState !== WebSocket.OPEN) {
    liveDelay = 1000;
    connectLive(true);
  }
  await load();
}

// ---- events -----------------------------------------------------------------------------------

document.addEventListener('click', (event) => {
  const target = event.target.closest('[data-open],[data-tab],[data-action]');
  if (!target) return;
  if (target.dataset.open) return openApp(target.dataset.open);
  if (target.dataset.tab) {
    const tab = target.dataset.tab;
    if (tab === 'timeline' || tab === 'note') return setTab(tab);
    const frame = state.frames.find((f) => f.app.id === tab);
    return frame ? setTab(tab) : openApp(tab);
  }
  const menu = $('#menu');
  switch (target.dataset.action) {
    case 'menu':
      $('#menu-who').textContent = state.signedOut ? 'Signed out' : `Signed in as ${state.data?.staff?.name ?? 'staff'}`;
      menu.showModal();
      break;
    case 'close-menu':
      menu.close();
      break;
    case 'expire':
      menu.close();
      void expireSession();
      break;
    case 'signin':
      if (menu.open) menu.close();
      void signIn();
      break;
  }
});
$('#menu').addEventListener('click', (event) => {
  if (event.target === event.currentTarget) event.currentTarget.close();
});
$('#log-toggle').addEventListener('click', () => toggleLog());
$('#log-clear').addEventListener('click', () => {
  state.log.length = 0;
  saveLog();
  $('#log-list').replaceChildren();
  $('#log-count').textContent = '0';
  $('#log-last').textContent = 'Log cleared';
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && !$('#menu').open) {
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

restoreLog();
void load();
connectLive();
