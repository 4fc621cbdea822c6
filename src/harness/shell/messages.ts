/**
 * The Messages panel: every message between the shell and plugin pages, both ways, kept across
 * the shell's navigation (sessionStorage, same tab) until cleared, filterable by app and by type.
 * @module
 */
import type { TraceMessage } from '../../platform/trace.js';
import { $, clock, esc } from './dom.js';
import type { Direction, LogEntry } from './types.js';

/** Where the message log is kept while the shell navigates (cleared with the panel's Clear button). */
const LOG_KEY = 'companion-harness-log';
const LOG_MAX = 300;

const log: LogEntry[] = [];

const ARROWS: Readonly<Record<Direction, { arrow: string; label: string }>> = {
  out: { arrow: '→', label: 'to plugin' },
  in: { arrow: '←', label: 'from plugin' },
  info: { arrow: '•', label: 'shell' },
};

/** Adds an entry to the log, the list and the saved copy. */
export function recordEntry(entry: LogEntry): void {
  log.push(entry);
  if (log.length > LOG_MAX) log.shift();
  showEntry(entry);
  scheduleSave();
}

/** Whether an entry passes the app and type filters. */
function passes(item: HTMLElement): boolean {
  const app = $<HTMLSelectElement>('#log-app').value;
  const type = $<HTMLSelectElement>('#log-type').value;
  return (!app || item.dataset.app === app) && (!type || (item.dataset.type || item.dataset.dir) === type);
}

/** Adds an option to a filter select the first time its value shows up. */
function offer(select: HTMLSelectElement, value: string, label: string): void {
  if (!value || [...select.options].some((option) => option.value === value)) return;
  select.add(new Option(label, value));
}

/** Adds one entry to the list; the badge counts exactly the entries listed. */
function showEntry(entry: LogEntry): void {
  const item = document.createElement('li');
  item.className = `log-${entry.dir}`;
  item.dataset.dir = entry.dir;
  item.dataset.type = entry.type;
  item.dataset.app = entry.appId;
  const { arrow, label } = ARROWS[entry.dir] ?? ARROWS.info;
  item.innerHTML = `<div class="log-head"><span class="log-arrow" aria-label="${label}">${arrow}</span>
    <b>${esc(entry.type || entry.detail)}</b><span class="log-app">${esc(entry.app)}</span><time>${clock(new Date(entry.at))}</time></div>
    ${entry.text !== null ? `<code>${esc(entry.text)}</code><small>${esc(entry.detail)}</small>` : ''}`;
  offer($<HTMLSelectElement>('#log-app'), entry.appId, entry.app);
  // The shell's own notes (no type) filter together as "shell notes".
  offer($<HTMLSelectElement>('#log-type'), entry.type || (entry.dir === 'info' ? 'info' : ''), entry.type || 'shell notes');
  item.hidden = !passes(item);
  const list = $('#log-list');
  list.append(item);
  while (list.children.length > LOG_MAX) list.firstElementChild?.remove();
  list.scrollTop = list.scrollHeight;
  $('#log-count').textContent = String(list.children.length);
  $('#log-last').textContent = `${arrow} ${entry.type || entry.detail} · ${entry.app}`;
}

function saveLog(): void {
  try {
    sessionStorage.setItem(LOG_KEY, JSON.stringify(log));
  } catch {
    // Storage full or blocked: the log still works for this page.
  }
}

let saveTimer: number | undefined;
/**
 * Saves the log soon, once for a burst of messages: the whole log is written each time, and a page
 * posting in a loop must not make the shell do it per message. Leaving the page saves at once.
 */
function scheduleSave(): void {
  if (saveTimer !== undefined) return;
  saveTimer = window.setTimeout(() => {
    saveTimer = undefined;
    saveLog();
  }, 250);
}

/** Shows what was logged before the shell navigated (same tab, until cleared). */
export function restoreLog(): void {
  let saved: unknown = [];
  try {
    saved = JSON.parse(sessionStorage.getItem(LOG_KEY) ?? '[]');
  } catch {
    saved = [];
  }
  if (!Array.isArray(saved)) return;
  for (const entry of saved.slice(-LOG_MAX) as unknown[]) {
    if (!entry || typeof entry !== 'object' || typeof (entry as LogEntry).at !== 'string') continue;
    log.push(entry as LogEntry);
    showEntry(entry as LogEntry);
  }
}

function clearLog(): void {
  log.length = 0;
  saveLog();
  $('#log-list').replaceChildren();
  $('#log-count').textContent = '0';
  $('#log-last').textContent = 'Log cleared';
  for (const id of ['#log-app', '#log-type']) {
    const select = $<HTMLSelectElement>(id);
    select.length = 1;
    select.value = '';
  }
}

function applyFilters(): void {
  for (const item of $('#log-list').children) (item as HTMLElement).hidden = !passes(item as HTMLElement);
}

/** The log as a trace keeps it: each message's data parsed back from its JSON. */
export function traceMessages(): TraceMessage[] {
  return log.map((entry) => {
    let data: unknown = null;
    if (entry.text !== null) {
      try {
        data = JSON.parse(entry.text);
      } catch {
        data = entry.text;
      }
    }
    return { at: entry.at, dir: entry.dir, app: entry.app, app_id: entry.appId, type: entry.type, data, detail: entry.detail, ...(entry.url === undefined ? {} : { url: entry.url }), ...(entry.via === undefined ? {} : { via: entry.via }) };
  });
}

/** Wires the panel's Clear button and filters. */
export function initMessages(): void {
  // What a burst left unsaved is saved as the shell navigates away.
  addEventListener('pagehide', () => {
    clearTimeout(saveTimer);
    saveTimer = undefined;
    saveLog();
  });
  $('#log-clear').addEventListener('click', clearLog);
  $('#log-app').addEventListener('change', applyFilters);
  $('#log-type').addEventListener('change', applyFilters);
}
