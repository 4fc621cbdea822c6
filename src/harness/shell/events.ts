/**
 * The Events panel: the mock modules' named outside events as buttons (the menu offers them too).
 * @module
 */
import { $, esc } from './dom.js';
import { setCount } from './panels.js';
import type { ShellEvent, ShellHooks } from './types.js';

/** Draws one button per outside event. */
export function drawEvents(events: readonly ShellEvent[]): void {
  $('#ev-list').innerHTML = events.length
    ? events.map((e) => `<button type="button" class="ibtn event" data-event-plugin="${esc(e.plugin)}" data-event-name="${esc(e.name)}">${esc(e.name)}<small>${esc(e.plugin)}</small></button>`).join('')
    : '<p class="iempty">No outside events: a mock module lists them in its <code>events</code> export.</p>';
  setCount('events', events.length);
}

/** Wires the panel's buttons. */
export function initEvents(hooks: ShellHooks): void {
  $('#ev-list').addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest<HTMLButtonElement>('[data-event-name]') : null;
    if (!button) return;
    button.disabled = true;
    void hooks.trigger(button.dataset.eventPlugin ?? '', button.dataset.eventName ?? '').finally(() => (button.disabled = false));
  });
  drawEvents(hooks.data()?.events ?? []);
}
