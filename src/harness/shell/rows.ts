/**
 * The rows of the Requests, Effects and Sockets panels: one `<details>` per entry, drawn again in
 * place (same position, same open state) when the entry changes.
 * @module
 */
import { $, esc, pretty } from './dom.js';
import { setCount, type PanelName } from './panels.js';
import { onTrace, type TraceChange } from './trace-state.js';

/** Draws or redraws the row of entry `id` in `list`; new rows go at the end. */
export function upsertRow(list: HTMLElement, id: number, html: string, cls = ''): HTMLElement {
  let row = list.querySelector<HTMLElement>(`:scope > li[data-id="${id}"]`);
  const open = row?.querySelector('details')?.open ?? false;
  // A list scrolled to its end follows new rows; one scrolled back stays where it is.
  const scroller = row ? null : list.closest<HTMLElement>('.ipanel');
  const atEnd = scroller !== null && scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 32;
  if (!row) {
    row = document.createElement('li');
    row.dataset.id = String(id);
    list.append(row);
  }
  row.className = `rec${cls ? ` ${cls}` : ''}`;
  row.innerHTML = html;
  const details = row.querySelector('details');
  if (details) details.open = open;
  if (scroller && atEnd) scroller.scrollTop = scroller.scrollHeight;
  return row;
}

/** Draws every row of `entries` (in id order), dropping the rest. */
function redrawRows<T extends { id: number }>(list: HTMLElement, entries: Iterable<T>, draw: (entry: T) => void): void {
  list.replaceChildren();
  for (const entry of entries) draw(entry);
}

/** One panel's list of trace entries: its panel, its list and empty note, and how a row is drawn. */
export interface TraceList<T extends { id: number }> {
  panel: PanelName;
  /** The change kind of its entries. */
  kind: Exclude<TraceChange['kind'], 'reset' | 'conditions'>;
  /** The entries, by id (read each time: a reset replaces the map). */
  entries: () => Map<number, T>;
  /** The list's and the empty note's ids: `#req-list`, `#req-empty`. */
  list: string;
  empty: string;
  draw: (entry: T) => void;
}

/**
 * Keeps a panel's list in step with the trace: every row drawn again on a reset, one row on its
 * entry's change, the oldest rows dropped as the harness forgets them; the tab's count and the
 * empty note follow.
 */
export function followTrace<T extends { id: number }>({ panel, kind, entries, list, empty, draw }: TraceList<T>): void {
  onTrace((change) => {
    if (change.kind === 'reset') redrawRows($(list), entries().values(), draw);
    else if (change.kind === kind) {
      const entry = entries().get(change.id);
      if (entry) draw(entry);
      const rows = $(list);
      while (rows.children.length > entries().size) rows.firstElementChild?.remove();
    } else return;
    setCount(panel, entries().size);
    $(empty).hidden = entries().size > 0;
  });
}

/** A chip: `tone` picks its colour (ok, warn, bad, info, muted). */
export const chip = (text: string, tone = 'muted') => `<span class="ichip ${tone}">${esc(text)}</span>`;

/** A labelled block of the details: headers as a table, a body or value as text. */
export function block(title: string, content: string): string {
  return `<div class="rec-block"><h4>${esc(title)}</h4>${content}</div>`;
}

/** Headers as a two-column table. */
export function headersTable(headers: Record<string, string> | undefined): string {
  const rows = Object.entries(headers ?? {});
  return rows.length ? `<table class="kv">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>` : '<p class="imuted">none</p>';
}

/** A body or value, pretty when it is JSON. */
export function textBlock(text: string | null | undefined, truncated = false): string {
  if (text === null || text === undefined || text === '') return '<p class="imuted">none</p>';
  let shown = text;
  try {
    shown = pretty(JSON.parse(text));
  } catch {
    // Not JSON: shown as it is.
  }
  return `<pre class="body">${esc(shown)}</pre>${truncated ? '<p class="imuted">cut at the trace’s limit</p>' : ''}`;
}

/** A time of day from an ISO time, with milliseconds. */
export function timeOf(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : `${date.toLocaleTimeString('en-GB', { hour12: false })}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}
