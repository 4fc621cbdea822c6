/**
 * Small helpers the platform's files share: a throwing check, trimmed text, day strings, copies
 * and error messages.
 * @module
 */

/** A channel name, as Canvas's WebSocketAPI accepts it. */
export const CHANNEL = /^[\w-]+$/;

/**
 * Throws a `TypeError` with `message`. An expression, so a check reads `value ?? fail('…')`.
 * TypeError because every failure here is a caller's mistake (a bad effect, route or module).
 */
export function fail(message: string): never {
  throw new TypeError(message);
}

/** `value` trimmed when it is a string, else `''` (so `text(x) || fail(…)` checks "a non-empty string"). */
export function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/** Whether two values are equal as trimmed, case-insensitive strings (`null` and `undefined` as `''`). */
export function same(a: unknown, b: unknown): boolean {
  return String(a ?? '').trim().toLowerCase() === String(b ?? '').trim().toLowerCase();
}

/** The YYYY-MM-DD (UTC) `days` days after `now`. */
export function day(now: Date, days: number): string {
  return new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A deep copy of a record (plain objects, arrays and primitives): reads hand out copies, so a
 * plugin cannot change the chart behind the platform's back. Not `structuredClone`, which
 * jest's jsdom environment does not have.
 */
export function copy<T>(record: T): T {
  if (Array.isArray(record)) return record.map(copy) as T;
  if (record && typeof record === 'object') return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, copy(value)])) as T;
  return record;
}

/** An error's message, or the thrown value itself when it has none. */
export function messageOf(error: unknown): string {
  return String((error as { message?: unknown } | null | undefined)?.message ?? error);
}

/** How many single-character edits turn `a` into `b` (Levenshtein). */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/**
 * The name among `names` closest to `given` (case-insensitive, at most a third of its letters
 * apart), or null: what a "did you mean" says.
 */
export function nearest(given: string, names: Iterable<string>): string | null {
  const lower = given.toLowerCase();
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(given.length / 3)) + 1;
  for (const name of names) {
    const d = distance(lower, name.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}
