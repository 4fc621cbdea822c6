/**
 * The inspector's tabs: which panel shows, kept across the shell's navigation, and the counts
 * beside the tab names.
 * @module
 */
import { $ } from './dom.js';

/** The inspector's panels, in tab order. */
export const PANELS = ['messages', 'requests', 'effects', 'sockets', 'session', 'events', 'launch', 'network'] as const;
export type PanelName = (typeof PANELS)[number];

const PANEL_KEY = 'companion-harness-panel';
const shown = new Set<(name: PanelName) => void>();

/** The panel showing now. */
export function currentPanel(): PanelName {
  const saved = sessionStorage.getItem(PANEL_KEY);
  return (PANELS as readonly string[]).includes(saved ?? '') ? (saved as PanelName) : 'messages';
}

/** Calls `listener` each time a panel is shown (to refresh what it reads from the harness). */
export function onPanelShown(listener: (name: PanelName) => void): void {
  shown.add(listener);
}

/** Shows one panel and selects its tab; `focus` moves the keyboard focus to the tab. */
export function showPanel(name: PanelName, focus = false): void {
  try {
    sessionStorage.setItem(PANEL_KEY, name);
  } catch {
    // Storage blocked: the panel still shows.
  }
  for (const panel of PANELS) {
    const tab = $(`#itab-${panel}`);
    tab.setAttribute('aria-selected', String(panel === name));
    tab.tabIndex = panel === name ? 0 : -1;
    $(`#panel-${panel}`).hidden = panel !== name;
  }
  const tab = $(`#itab-${name}`);
  tab.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  if (focus) tab.focus();
  for (const listener of shown) listener(name);
}

/** Sets the count beside a tab's name ('' hides it). */
export function setCount(name: PanelName, count: number | string): void {
  $(`#itab-${name} .itab-count`).textContent = String(count || '');
}

/** Wires the tab row: a click shows its panel, arrow keys move along the tabs. */
export function initPanels(): void {
  const row = $('#itabs');
  row.addEventListener('click', (event) => {
    const tab = event.target instanceof Element ? event.target.closest<HTMLElement>('[data-panel]') : null;
    if (tab) showPanel(tab.dataset.panel as PanelName);
  });
  row.addEventListener('keydown', (event) => {
    const step = ({ ArrowRight: 1, ArrowLeft: -1 } as Record<string, number>)[event.key];
    if (!step) return;
    const at = PANELS.indexOf(currentPanel());
    showPanel(PANELS[(at + step + PANELS.length) % PANELS.length]!, true);
    event.preventDefault();
  });
  showPanel(currentPanel());
}
