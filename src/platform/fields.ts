/**
 * Field checks for what mock modules hand the platform (effect data, record writes): each takes
 * a value from JS unchecked and returns it as stored, or throws a TypeError naming the field and
 * what it accepts. A table of checks is a spec; {@link checkFields} reads an object against one,
 * refusing fields it does not know (never a silent drop).
 * @module
 */
import { fail, nearest } from './values.js';

/** A field check: the value as stored, or a TypeError naming `name` and what it takes. */
export type Check<T> = (value: unknown, name: string) => T;
/** Field name → its check. */
export type Spec = Record<string, Check<unknown>>;
/** What {@link checkFields} returns for a spec: the given fields, checked. */
export type Checked<S extends Spec> = { [K in keyof S]?: ReturnType<S[K]> };

/** A short picture of a value for an error message. */
export function shown(value: unknown): string {
  if (value instanceof Date) return `Date ${Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()}`;
  if (typeof value === 'function') return 'a function';
  try {
    const json = JSON.stringify(value);
    return json === undefined ? String(value) : json.length > 60 ? `${json.slice(0, 57)}…` : json;
  } catch {
    // Neither JSON nor a string for some values (a hostile Proxy): their kind at least.
    try {
      return String(value);
    } catch {
      return typeof value;
    }
  }
}

/**
 * Checks a `list()` filter: an object whose keys (those not undefined) are all ones the list can
 * filter by. A misspelt key would otherwise filter nothing and list every record.
 * @returns the given entries.
 * @throws TypeError naming the unknown key, the nearest accepted one and all of them.
 */
export function checkFilter(where: string, filter: unknown, accepted: readonly string[]): [string, unknown][] {
  if (filter === null || typeof filter !== 'object' || Array.isArray(filter)) fail(`${where}: the filter must be an object (got ${shown(filter)})`);
  const given = Object.entries(filter).filter(([, value]) => value !== undefined);
  for (const [key] of given) {
    if (!accepted.includes(key)) {
      const near = nearest(key, accepted);
      fail(`${where}: unknown filter "${key}"${near ? ` (did you mean "${near}"?)` : ''}; accepted: ${accepted.join(', ')}`);
    }
  }
  return given;
}

/** A string of at most `max` characters (`required`: not blank either). */
export const string = (max = 100_000, required = false): Check<string> => (value, name) => {
  if (typeof value !== 'string' || value.length > max || (required && !value.trim())) {
    fail(`${name} must be a ${required ? 'non-empty ' : ''}string${max < 100_000 ? ` of at most ${max} characters` : ''} (got ${shown(value)})`);
  }
  return value;
};

/** `null` (Python's None) or what `check` takes. */
export const nullable = <T>(check: Check<T>): Check<T | null> => (value, name) => (value === null ? null : check(value, name));

/** true or false. */
export const bool: Check<boolean> = (value, name) => (typeof value === 'boolean' ? value : fail(`${name} must be true or false (got ${shown(value)})`));

/** A whole number from `min` to `max`. */
export const int = (min = -Infinity, max = Infinity): Check<number> => (value, name) => {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  return fail(`${name} must be a whole number${Number.isFinite(min) ? ` from ${min} to ${max}` : ''} (got ${shown(value)})`);
};

/** A finite number from `min` to `max`. */
export const number = (min = -Infinity, max = Infinity): Check<number> => (value, name) => {
  if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) return value;
  return fail(`${name} must be a number${Number.isFinite(min) ? ` from ${min} to ${max}` : ''} (got ${shown(value)})`);
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;
const validDate = (value: unknown): value is Date => value instanceof Date && !Number.isNaN(value.getTime());

/** A date, as Python's `datetime.date`: `'YYYY-MM-DD'` (a real day), or a JS Date (its UTC day). Stored as `'YYYY-MM-DD'`. */
export const date: Check<string> = (value, name) => {
  if (validDate(value)) return value.toISOString().slice(0, 10);
  const midnight = typeof value === 'string' && DATE.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
  // Not a real day when it does not parse, or parses into another one (Feb 30 → Mar 2).
  if (!Number.isNaN(midnight) && new Date(midnight).toISOString().startsWith(value as string)) return value as string;
  const timeToo = typeof value === 'string' && DATE_TIME.test(value) ? ': a date without a time (Python datetime.date)' : '';
  return fail(`${name} must be a date, YYYY-MM-DD${timeToo} (got ${shown(value)})`);
};

/**
 * A date-time, as Python's `datetime`: an ISO 8601 string with a time (`'2026-05-05T16:00:00Z'`;
 * without an offset it is local time, as JS reads it) or a JS Date. Stored as ISO UTC. A date
 * alone is refused: Python's strict models refuse a `date` for a `datetime`.
 */
export const dateTime: Check<string> = (value, name) => {
  if (validDate(value)) return value.toISOString();
  if (typeof value === 'string' && DATE_TIME.test(value) && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  const dateOnly = typeof value === 'string' && DATE.test(value) ? ': a date alone has no time (Python datetime, not date)' : '';
  return fail(`${name} must be a date-time, ISO 8601 with a time such as 2026-05-05T16:00:00Z, or a Date${dateOnly} (got ${shown(value)})`);
};

/**
 * One of an enum's stored values, or a member's name (as Python writes `TaskPriority.STAT`):
 * stored as the value.
 * @param table - Member name → value.
 */
export const oneOf = <V extends string | number>(table: Readonly<Record<string, V>>): Check<V> => {
  const values = Object.values(table);
  return (value, name) => {
    if (values.includes(value as V)) return value as V;
    if (typeof value === 'string' && Object.hasOwn(table, value)) return table[value]!;
    return fail(`${name} must be one of ${values.map((v) => JSON.stringify(v)).join(', ')} (got ${shown(value)})`);
  };
};

/** A list, each item checked (named `name[i]`). */
export const listOf = <T>(check: Check<T>, max = Infinity): Check<T[]> => (value, name) => {
  if (!Array.isArray(value)) return fail(`${name} must be a list (got ${shown(value)})`);
  if (value.length > max) fail(`${name} takes at most ${max} items (got ${value.length})`);
  return value.map((item, i) => check(item, `${name}[${i}]`));
};

/** A plain object (a Python dict): any keys. */
export const dict: Check<Record<string, unknown>> = (value, name) => {
  if (!value || typeof value !== 'object' || Array.isArray(value) || value instanceof Date) return fail(`${name} must be an object (got ${shown(value)})`);
  return value as Record<string, unknown>;
};

/** An object of the fields `spec` gives (a dataclass such as PatientContactPoint), `required` ones present. */
export const shape = <S extends Spec>(spec: S, required: readonly (keyof S & string)[] = []): Check<Checked<S>> => (value, name) => checkFields(name, value, spec, required);

/**
 * Reads `data` against `spec`: every field must be one the spec names (else an error naming it,
 * the nearest accepted name or a `hints` entry, and the accepted ones), and `required` ones
 * must be given. Fields given as `undefined` count as not given.
 * @param where - What is read, for messages: `'CREATE_PATIENT data'`.
 * @param hints - Names authors reach for that the SDK spells otherwise → what to write instead.
 * @throws TypeError naming the first field that is wrong.
 */
export function checkFields<S extends Spec>(where: string, data: unknown, spec: S, required: readonly (keyof S & string)[] = [], hints: Readonly<Record<string, string>> = {}): Checked<S> {
  const fields = dict(data, where);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (!Object.hasOwn(spec, key)) {
      const hint = Object.hasOwn(hints, key) ? hints[key] : nearest(key, Object.keys(spec)) && `did you mean "${nearest(key, Object.keys(spec))}"?`;
      fail(`${where}: unknown field "${key}"${hint ? ` (${hint})` : ''}; accepted: ${Object.keys(spec).join(', ')}`);
    }
    if (value !== undefined) out[key] = spec[key]!(value, `${where}: ${key}`);
  }
  for (const key of required) if (out[key] === undefined) fail(`${where}: ${key} is required`);
  return out as Checked<S>;
}
