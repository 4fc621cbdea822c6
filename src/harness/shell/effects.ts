/**
 * The Effects panel: each effect from scheduled to landed (or failed), redrawn in place by id:
 * its state, type (or custom name), plugin, delay, the data it changed and what landing returned.
 * @module
 */
import type { TraceEffect } from '../../platform/trace.js';
import { $, esc, pretty } from './dom.js';
import { block, chip, followTrace, textBlock, timeOf, upsertRow } from './rows.js';
import { trace } from './trace-state.js';

/** A state's chip colour. */
const STATE_TONE: Readonly<Record<TraceEffect['state'], string>> = { scheduled: 'info', landed: 'ok', failed: 'bad', cancelled: 'muted' };

/** One change as a line: `task created 1a2b3c4d`. */
const changeLine = (c: TraceEffect['changes'][number]) => `${c.kind} ${c.action} ${c.id.slice(0, 8)}`;

function draw(e: TraceEffect): void {
  const name = e.type === 'CUSTOM' && e.name ? `CUSTOM ${e.name}` : e.type;
  const changed = e.changes.length ? e.changes.map(changeLine).join(', ') : e.state === 'scheduled' ? 'not landed yet' : 'no change';
  const summary = `<summary class="rec-sum"><span class="rec-line">${chip(e.state, STATE_TONE[e.state] ?? 'muted')}<b class="path">${esc(name)}</b><span class="imuted">${esc(e.plugin ?? 'platform')}</span></span>
    <span class="rec-meta"><span>after ${esc(e.after)} ms</span><time>${esc(timeOf(e.scheduled_at))}${e.landed_at ? ` → ${esc(timeOf(e.landed_at))}` : ''}</time><span class="changed">${esc(changed)}</span></span></summary>`;
  const details = `<div class="rec-details">${block('Data', textBlock(pretty(e.data)))}
    ${block('Changes', e.changes.length ? `<ul class="plain">${e.changes.map((c) => `<li>${esc(`${c.kind} ${c.action} ${c.id}`)}${c.patient_id ? ` <span class="imuted">patient ${esc(c.patient_id)}</span>` : ''}</li>`).join('')}</ul>` : '<p class="imuted">none</p>')}
    ${e.error ? block('Error', `<pre class="body bad">${esc(e.error)}</pre>`) : block('Result', textBlock(e.result === null ? null : pretty(e.result)))}</div>`;
  upsertRow($('#eff-list'), e.id, `<details>${summary}${details}</details>`, `state-${e.state}`).dataset.state = e.state;
}

/** Wires the panel to the trace. */
export function initEffects(): void {
  followTrace({ panel: 'effects', kind: 'effect', entries: () => trace.effects, list: '#eff-list', empty: '#eff-empty', draw });
}
