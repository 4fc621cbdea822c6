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

/** A deep copy: reads hand out copies, so a plugin cannot change the chart behind the platform's back. */
export function copy<T>(record: T): T {
  return structuredClone(record);
}

/** An error's message, or the thrown value itself when it has none. */
export function messageOf(error: unknown): string {
  return String((error as { message?: unknown } | null | undefined)?.message ?? error);
}
