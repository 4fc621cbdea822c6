/**
 * Small helpers every part of the shell uses: the page's elements, HTML escaping, times, the toast
 * and the shell API's fetch.
 * @module
 */

/** The element for `selector`; the shell page always has it. */
export function $<E extends HTMLElement = HTMLElement>(selector: string): E {
  const element = document.querySelector<E>(selector);
  if (!element) throw new Error(`The shell page has no ${selector}`);
  return element;
}

/** `value` as text safe inside HTML (elements and quoted attributes). */
export const esc = (value: unknown): string => String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A time of day with milliseconds: `14:03:07.123`. */
export function clock(date: Date): string {
  return `${date.toLocaleTimeString('en-GB', { hour12: false })}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

/** `value` as indented JSON, or as text when JSON cannot hold it. */
export function pretty(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

let toastTimer: number | undefined;
/** Shows a short note at the bottom of the companion for 4 s. */
export function toast(text: string): void {
  const element = $('#toast');
  element.textContent = text;
  element.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => (element.hidden = true), 4000);
}

/** What a shell API call gave: its status and JSON body (`{}` when none); status 0 when the harness did not answer. */
export interface ApiAnswer<T> {
  ok: boolean;
  status: number;
  body: T & { error?: string };
}

/** Calls `/companion/api<path>`, sending `json` as the body when given; never throws. */
export async function api<T = Record<string, unknown>>(path: string, init: { method?: string; json?: unknown } = {}): Promise<ApiAnswer<T>> {
  try {
    const response = await fetch(`/companion/api${path}`, {
      method: init.method ?? 'GET',
      cache: 'no-store',
      ...(init.json === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.json) }),
    });
    const body = (await response.json().catch(() => ({}))) as T & { error?: string };
    return { ok: response.ok, status: response.status, body };
  } catch {
    return { ok: false, status: 0, body: { error: 'The harness server is not answering.' } as T & { error?: string } };
  }
}

/** The error text of a failed call: the harness's own words, else its status. */
export const failure = (answer: ApiAnswer<unknown>): string => answer.body.error ?? (answer.status ? `The harness answered ${answer.status}` : 'The harness server is not answering.');
