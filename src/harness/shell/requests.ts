/**
 * The Requests panel: every call of a plugin route in this session (method, path, status, time,
 * who answered), its headers and bodies on a click, the conditions that touched it, and "Fail this
 * route", which fills the Network panel's failure with it.
 * @module
 */
import type { TraceRequest } from '../../platform/trace.js';
import { $, esc } from './dom.js';
import { block, chip, followTrace, headersTable, textBlock, timeOf, upsertRow } from './rows.js';
import { trace } from './trace-state.js';

/** A status's chip colour, by its hundreds. */
const STATUS_TONE: Readonly<Record<string, string>> = { '1': 'info', '2': 'ok', '3': 'info', '4': 'warn', '5': 'bad' };
/** Who answered, as the row says it. */
const SOURCES: Readonly<Record<TraceRequest['source'], string>> = { mock: 'mock', file: 'file', proxy: 'your server', harness: 'harness' };

/** The event "Fail this route" sends; the Network panel takes it. */
export const FAIL_ROUTE = 'workbench-fail-route';

/** The path, its `/plugin-io/api/<plugin>` part dimmed: what differs between rows is the rest. */
function pathHtml(r: TraceRequest): string {
  const prefix = `/plugin-io/api/${r.plugin}`;
  // At phone size the CSS shortens `/plugin-io/api` to `…`; the text (and a search for it) keeps it.
  return r.path.startsWith(prefix) ? `<span class="prefix"><span class="pio">/plugin-io/api</span>/${esc(r.plugin)}</span>${esc(r.path.slice(prefix.length))}` : esc(r.path);
}

function draw(r: TraceRequest): void {
  const status = r.status === null ? chip('no answer', 'bad') : chip(String(r.status), STATUS_TONE[String(r.status)[0] ?? ''] ?? 'muted');
  const who = r.route ? `${SOURCES[r.source] ?? r.source} · ${r.route}` : (SOURCES[r.source] ?? r.source);
  const summary = `<summary class="rec-sum"><span class="rec-line"><b class="method">${esc(r.method)}</b><span class="path" title="${esc(r.path + r.query)}">${pathHtml(r)}<span class="query">${esc(r.query)}</span></span>${status}</span>
    <span class="rec-meta"><span>${esc(r.ms)} ms</span><span>${esc(who)}</span><span>${r.session === null ? 'no session' : `session ${esc(r.session)}`}</span><time>${esc(timeOf(r.at))}</time>
    ${r.conditions.map((c) => chip(c, 'cond')).join('')}</span></summary>`;
  const details = `<div class="rec-details">
    ${block('Request headers', headersTable(r.request.headers))}${block('Request body', textBlock(r.request.body, r.request.truncated))}
    ${r.response ? `${block('Response headers', headersTable(r.response.headers))}${block('Response body', textBlock(r.response.body, r.response.truncated))}` : block('Response', '<p class="imuted">No answer was sent (the connection was cut).</p>')}
    <button type="button" class="ibtn" data-fail-method="${esc(r.method)}" data-fail-path="${esc(r.path)}">Fail this route</button></div>`;
  upsertRow($('#req-list'), r.id, `<details>${summary}${details}</details>`, r.conditions.length ? 'touched' : '');
}

/** Wires the panel to the trace and its "Fail this route" buttons. */
export function initRequests(): void {
  followTrace({ panel: 'requests', kind: 'request', entries: () => trace.requests, list: '#req-list', empty: '#req-empty', draw });
  $('#req-list').addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest<HTMLElement>('[data-fail-path]') : null;
    if (!button) return;
    document.dispatchEvent(new CustomEvent(FAIL_ROUTE, { detail: { method: button.dataset.failMethod ?? '*', path: button.dataset.failPath ?? '' } }));
  });
}
