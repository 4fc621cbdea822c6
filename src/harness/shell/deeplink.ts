/**
 * Deep links: the shell's URL says which app is open, and with which context, so that a reload or
 * a shared link opens it again.
 *
 * - `/companion/?app=<id>`: a global app; `/companion/patient/<id>/?app=<id>`: a patient app (its
 *   tab); `/companion/patient/<id>/?note=<id>&app=<id>`: a note app.
 * - `/companion/?app=<id>&patient_id=X&note_id=Y&staff_id=Z&unchecked=1`: a launch of the Launch
 *   panel with IDs of its own (typed ones unchecked), opened as a modal on the home page.
 * @module
 */
import type { LaunchParams, ShellApp } from './types.js';

/** The IDs a launch may carry, as GET /launch and the deep link name them. */
const ID_KEYS = ['patient_id', 'note_id', 'staff_id'] as const;
/** Every key of the URL that belongs to the open app (dropped when it closes). */
const APP_KEYS = ['app', ...ID_KEYS, 'unchecked'] as const;

/** An app the URL asks to open: its id, and launch parameters of its own (null: the page's context). */
export interface DeepLink {
  app: string;
  params: LaunchParams | null;
}

/** The app the URL asks for, if any. */
export function readDeepLink(search = location.search): DeepLink | null {
  const query = new URLSearchParams(search);
  const app = query.get('app');
  if (!app) return null;
  const params: LaunchParams = {};
  for (const key of ID_KEYS) {
    const value = query.get(key);
    if (value !== null) params[key] = value;
  }
  if (query.get('unchecked') === '1') params.unchecked = true;
  return { app, params: Object.keys(params).length ? params : null };
}

/** The query of GET /companion/api/launch (and of a deep link's launch part). */
export function launchQuery(app: string, params: LaunchParams): URLSearchParams {
  const query = new URLSearchParams({ app });
  for (const key of ID_KEYS) if (params[key] !== undefined) query.set(key, params[key] ?? '');
  if (params.unchecked) query.set('unchecked', '1');
  return query;
}

/** A query as text, with the app id's colons left as they are (allowed in a query, easier to read). */
export const queryText = (query: URLSearchParams) => String(query).replace(/%3A/gi, ':');

/** The page an app opens on by itself: the home page, the patient's, or the note's. */
export function naturalLink(app: ShellApp, patientId: string | undefined, noteId: string | undefined): string {
  const query = new URLSearchParams();
  let path = '/companion/';
  if (app.scope !== 'global' && patientId) {
    path = `/companion/patient/${encodeURIComponent(patientId)}/`;
    if (app.scope === 'note' && noteId) query.set('note', noteId);
  }
  query.set('app', app.id);
  return `${path}?${queryText(query)}`;
}

/** A launch with IDs of its own: a modal on the home page. */
export const explicitLink = (app: ShellApp, params: LaunchParams) => `/companion/?${queryText(launchQuery(app.id, params))}`;

/** Keeps the URL in step with the app showing (history.replaceState: no new history entry). */
export function syncUrl(open: DeepLink | null): void {
  const query = new URLSearchParams(location.search);
  for (const key of APP_KEYS) query.delete(key);
  if (open) for (const [key, value] of launchQuery(open.app, open.params ?? {})) query.set(key, value);
  const search = queryText(query);
  const next = `${location.pathname}${search ? `?${search}` : ''}${location.hash}`;
  if (next !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(history.state, '', next);
}
