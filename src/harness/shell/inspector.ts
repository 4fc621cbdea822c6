/**
 * The workbench's inspector: the tabs (Messages, Requests, Effects, Sockets, Session, Events,
 * Launch, Network), the conditions strip and Export trace. Beside the phone on a wide screen
 * (>= 1024 px), the companion's bottom sheet on a phone (the CSS decides; the DOM is the same).
 * @module
 */
import { $ } from './dom.js';
import { initEffects } from './effects.js';
import { drawEvents, initEvents } from './events.js';
import { initExport } from './export.js';
import { drawLaunchApps, initLaunch } from './launch.js';
import { initMessages } from './messages.js';
import { initNetwork } from './network.js';
import { initPanels } from './panels.js';
import { initRequests } from './requests.js';
import { initSession, refreshSession } from './session.js';
import { initSockets } from './sockets.js';
import { clearTrace } from './trace-state.js';
import type { ShellHooks } from './types.js';

/** Opens or folds the inspector's sheet (phone size; on a wide screen it is always open). */
export function toggleInspector(open = Boolean($('#log-body').hidden)): void {
  $('#log-body').hidden = !open;
  $('#log-toggle').setAttribute('aria-expanded', String(open));
  document.body.classList.toggle('log-open', open);
  // The tab row scrolls at phone size: bring the selected tab into sight.
  if (open) document.querySelector('#itabs [aria-selected="true"]')?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
}

/** Sets up every panel. */
export function initInspector(hooks: ShellHooks): void {
  initMessages();
  initRequests();
  initEffects();
  initSockets();
  initNetwork();
  initSession(hooks);
  initEvents(hooks);
  initLaunch(hooks);
  initExport();
  initPanels();
  $('#log-toggle').addEventListener('click', () => toggleInspector());
  for (const button of document.querySelectorAll('[data-trace-clear]')) button.addEventListener('click', () => void clearTrace());
}

/** The page's data was loaded again: redraw what the panels take from it. */
export function inspectorDataChanged(hooks: ShellHooks): void {
  drawEvents(hooks.data()?.events ?? []);
  drawLaunchApps();
}

/** The session changed (signed in, expired, switched): say who is signed in now. */
export const inspectorSessionChanged = refreshSession;
