/**
 * The launch context: which patient and note the page was opened for, read from its URL.
 * @module
 */
import { pageWindow } from './page.js';
import { warn } from './report.js';

/** Launch in global scope: no patient, no note. */
export interface GlobalContext {
  scope: 'global';
  patientId: null;
  noteId: null;
  /** The launch URL's query parameters (after repairing a `¬e_id=` mis-encoding). */
  params: URLSearchParams;
}
/** Launch in patient scope: a patient, no note. */
export interface PatientContext {
  scope: 'patient';
  /** The patient's UUID, as given in the URL. A hint, not authorization: the server must check it. */
  patientId: string;
  noteId: null;
  /** The launch URL's query parameters. */
  params: URLSearchParams;
}
/** Launch in note scope: a patient and one of their notes. */
export interface NoteContext {
  scope: 'note';
  /** The patient's UUID, as given in the URL. A hint, not authorization: the server must check it. */
  patientId: string;
  /** The note's UUID, as given in the URL. A hint, not authorization: the server must check it. */
  noteId: string;
  /** The launch URL's query parameters. */
  params: URLSearchParams;
}
/** What {@link getContext} reads from a launch URL; `scope` tells which IDs are there. */
export type CompanionContext = GlobalContext | PatientContext | NoteContext;

/** The three companion scopes. */
export type CompanionScope = CompanionContext['scope'];

/** Options of {@link getContext}. */
export interface GetContextOptions {
  /**
   * Query parameter that holds the patient's UUID.
   * @default 'patient_id'
   */
  patientParam?: string;
  /**
   * Query parameter that holds the note's UUID.
   * @default 'note_id'
   */
  noteParam?: string;
}

// 8 hex digits, then three groups of 4 and a last of 12, each after the same separator: all four dashes or none.
const UUID = /^[\da-f]{8}(-?)([\da-f]{4}\1){3}[\da-f]{12}$/i;

/**
 * Tells whether `value` is a Canvas ID: a UUID, 32 hex digits with or without its four dashes, any case.
 */
export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** One ID from the query: trimmed, valid and unambiguous, else null. */
function readId(params: URLSearchParams, name: string): string | null {
  const values = params.getAll(name).map((value) => value.trim()).filter(Boolean);
  return isValidId(values[0]) && new Set(values).size === 1 ? values[0] : null;
}

/**
 * The query of a URL with its `?` (`location.search`): from the first `?` to any `#`. A fragment
 * is never a query. The `?` is kept so that `URLSearchParams` removes exactly that one, as the URL
 * standard does: in `??patient_id=…` the parameter is named `?patient_id`, as Django sees it.
 */
function queryOf(url: string): string {
  const beforeFragment = url.split('#', 1)[0]!;
  const queryStart = beforeFragment.indexOf('?');
  return queryStart === -1 ? '' : beforeFragment.slice(queryStart);
}

/**
 * Reads the launch context from the page's URL: `patient_id` and `note_id` in the query string,
 * as the companion app's `on_open()` puts them there. Never throws, whatever it is given: a
 * missing, empty, malformed or conflicting ID counts as absent, input that cannot be read (or no
 * `location`, outside a browser) is global scope, and a note ID without a patient ID is an
 * invalid launch (global scope, with a warning). A `¬e_id=` (what `&note_id=` becomes when
 * `&not` is read as an HTML entity, as in a copy of the docs' example) is read as `note_id=`,
 * with a warning.
 *
 * The IDs are hints from the URL, not authorization: the plugin's server must check that the
 * session user may see them.
 *
 * @param url - The URL to read. Default: the page's `location.href`.
 * @param options - Names of the query parameters.
 * @example
 * ```ts
 * const context = getContext();
 * if (context.scope === 'note') loadNote(context.patientId, context.noteId);
 * ```
 */
export function getContext(url?: string | URL, options?: GetContextOptions): CompanionContext {
  try {
    const { patientParam = 'patient_id', noteParam = 'note_id' } = options ?? {};
    const search = queryOf(String(url ?? pageWindow()?.location.href ?? ''));
    const repaired = search.replace(/(¬|%C2%AC)e_id=/gi, '&note_id=');
    if (repaired !== search) warn('write "&note_id=", not "¬e_id=", in the launch URL');
    const params = new URLSearchParams(repaired);
    const patientId = readId(params, patientParam);
    const noteId = readId(params, noteParam);
    if (noteId && !patientId) warn(`invalid launch: ${noteParam} without ${patientParam}`);
    const scope = patientId == null ? 'global' : noteId == null ? 'patient' : 'note';
    return { scope, patientId, noteId: scope === 'note' ? noteId : null, params } as CompanionContext;
  } catch {
    // A throwing toString, a hostile Proxy as options: nothing readable, so no launch context,
    // as in a URL without a query.
    return getContext('');
  }
}

/**
 * Marks `root` with `data-companion-scope="global|patient|note"`, so the page can hide its own
 * header in patient and note scope, where the companion already shows the patient, with CSS:
 * `[data-companion-scope="patient"] .page-header { display: none }`. Outside a browser, with no
 * `root` given, it marks nothing.
 *
 * @param context - The launch context. Default: `getContext()`.
 * @param root - The element to mark. Default: `document.documentElement`.
 * @returns The context used.
 * @throws TypeError if `root` is given and is not an element.
 */
export function applyScope(context: CompanionContext = getContext(), root?: Element): CompanionContext {
  const target = root ?? pageWindow()?.document.documentElement;
  if (target == null) return context;
  if (typeof target.setAttribute !== 'function') throw new TypeError('root must be an element');
  target.setAttribute('data-companion-scope', context.scope);
  return context;
}

/** Tells whether the page runs inside a frame (as it does in the Provider Companion); `false` outside a browser. */
export function isEmbedded(): boolean {
  const page = pageWindow();
  if (!page) return false;
  try {
    // `window.top` cannot be replaced by page code (unlike `self` or `parent`).
    return page.top !== page;
  } catch {
    // Some browsers throw when `top` is cross-origin: that is a frame too.
    return true;
  }
}
