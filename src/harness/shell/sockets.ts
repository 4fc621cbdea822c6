/**
 * The Sockets panel: each plugin socket of the session (channel, state, close code and reason,
 * frames each way), and its frames on a click.
 * @module
 */
import type { TraceSocket } from '../../platform/trace.js';
import { $, esc } from './dom.js';
import { chip, followTrace, timeOf, upsertRow } from './rows.js';
import { trace } from './trace-state.js';

const STATE_TONE: Readonly<Record<TraceSocket['state'], string>> = { connecting: 'info', open: 'ok', closed: 'muted', refused: 'bad' };

/** How it ended: `closed 1006`, `refused 403 Forbidden channel`. */
function ending(s: TraceSocket): string {
  if (s.state === 'refused') return [s.status, s.reason].filter((v) => v !== null && v !== '').join(' ');
  if (s.state === 'closed') return [s.code, s.reason].filter((v) => v !== null && v !== '').join(' ');
  return '';
}

function draw(s: TraceSocket): void {
  const end = ending(s);
  const summary = `<summary class="rec-sum"><span class="rec-line">${chip(s.state, STATE_TONE[s.state] ?? 'muted')}<b class="path">${esc(s.channel)}</b><span class="imuted">${esc(s.plugin)}</span>${end ? chip(end, s.code === 1000 ? 'muted' : 'warn') : ''}</span>
    <span class="rec-meta"><span title="frames sent to the page">↓ ${esc(s.frames_out)} out</span><span title="frames from the page">↑ ${esc(s.frames_in)} in</span><time>${esc(timeOf(s.at))}${s.closed_at ? ` → ${esc(timeOf(s.closed_at))}` : ''}</time></span></summary>`;
  const frames = s.frames.length
    ? `<ol class="frames">${s.frames.map((f) => `<li class="frame-${f.dir}"><span class="log-arrow" aria-label="${f.dir === 'out' ? 'to the page' : 'from the page'}">${f.dir === 'out' ? '↓' : '↑'}</span><time>${esc(timeOf(f.at))}</time><code>${esc(f.data)}</code>${f.truncated ? '<small>cut</small>' : ''}</li>`).join('')}</ol>`
    : '<p class="imuted">No frames yet.</p>';
  const row = upsertRow($('#sock-list'), s.id, `<details>${summary}<div class="rec-details">${frames}</div></details>`, `state-${s.state}`);
  row.dataset.state = s.state;
  row.dataset.channel = s.channel;
  row.dataset.code = s.code === null ? '' : String(s.code);
}

/** Wires the panel to the trace. */
export function initSockets(): void {
  followTrace({ panel: 'sockets', kind: 'socket', entries: () => trace.sockets, list: '#sock-list', empty: '#sock-empty', draw });
}
