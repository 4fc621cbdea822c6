/**
 * The workbench's conditions: how one session's plugin requests and sockets misbehave on purpose
 * (latency, offline, effect delay, one failing route). The table that checks a `PUT
 * /companion/api/conditions` body, and the helpers that apply the conditions. The shell's own
 * routes and feed never go through them.
 * @module
 */
import type { Conditions, Failure } from '../platform/index.js';
import { didYouMean } from './options.js';


/** The ranges the conditions accept, in ms. */
export const CONDITION_LIMITS = { latency: 30_000, effectDelay: 600_000, path: 2_000 } as const;

/** The methods a failure may name (`*`: any). */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', '*'];

/** A checked value, or what is wrong with it (naming the field and what it accepts). */
type Checked<T> = { value: T } | { error: string };

/** A value in a message: its JSON, cut short. */
function shown(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = typeof value;
  }
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/** A whole number of milliseconds from 0 to `max`. */
const milliseconds = (field: string, max: number) => (value: unknown): Checked<number> =>
  Number.isInteger(value) && (value as number) >= 0 && (value as number) <= max
    ? { value: value as number }
    : { error: `${field} must be a whole number of milliseconds from 0 to ${max} (got ${shown(value)})` };

/** The keys of a failure and how each is checked. */
const FAILURE_FIELDS: Readonly<Record<keyof Failure, (value: unknown) => Checked<unknown>>> = {
  method: (value) =>
    typeof value === 'string' && METHODS.includes(value.toUpperCase())
      ? { value: value.toUpperCase() }
      : { error: `failure.method must be an HTTP method (${METHODS.slice(0, -1).join(', ')}) or '*' for any (got ${shown(value)})` },
  path: (value) =>
    typeof value === 'string' && value.startsWith('/plugin-io/api/') && value.length <= CONDITION_LIMITS.path && !/[\s?#\0-\x1f\x7f]/.test(value)
      ? { value }
      : { error: `failure.path must be a path starting with /plugin-io/api/ (no query, no spaces, up to ${CONDITION_LIMITS.path} characters), e.g. /plugin-io/api/my_plugin/tasks (got ${shown(value)})` },
  answer: (value) =>
    value === 'drop' || (Number.isInteger(value) && (value as number) >= 400 && (value as number) <= 599)
      ? { value }
      : { error: `failure.answer must be a status from 400 to 599, or 'drop' to cut the connection (got ${shown(value)})` },
};

/** Checks a failure: null, or an object with exactly method, path and answer. */
function checkFailure(value: unknown): Checked<Failure | null> {
  if (value === null) return { value: null };
  const accepted = `failure must be null or { "method": "GET", "path": "/plugin-io/api/<plugin>/…", "answer": 503 or "drop" }`;
  if (typeof value !== 'object' || Array.isArray(value)) return { error: `${accepted} (got ${shown(value)})` };
  const keys = Object.keys(FAILURE_FIELDS);
  const unknown = Object.keys(value).find((key) => !keys.includes(key));
  if (unknown !== undefined) return { error: `failure has no key ${shown(unknown)}${didYouMean(unknown, keys)}; ${accepted}` };
  const failure: Record<string, unknown> = {};
  for (const [key, check] of Object.entries(FAILURE_FIELDS)) {
    const checked = check((value as Record<string, unknown>)[key]);
    if ('error' in checked) return checked;
    failure[key] = checked.value;
  }
  return { value: failure as unknown as Failure };
}

/** Each condition and how a value of it is checked. */
const CONDITION_FIELDS: Readonly<Record<keyof Conditions, (value: unknown) => Checked<unknown>>> = {
  latency: milliseconds('latency', CONDITION_LIMITS.latency),
  offline: (value) => (typeof value === 'boolean' ? { value } : { error: `offline must be true or false (got ${shown(value)})` }),
  effect_delay: (value) => {
    if (value === null) return { value };
    const checked = milliseconds('effect_delay', CONDITION_LIMITS.effectDelay)(value);
    return 'error' in checked ? { error: `${checked.error.replace(' (got', ", or null for the harness's --effect-delay (got")}` } : checked;
  },
  failure: checkFailure,
};

/**
 * The conditions after a change: `change` is a partial {@link Conditions} as a PUT body gives it
 * (parsed JSON, unchecked).
 * @returns the whole new conditions, or the error naming the field and what it accepts.
 */
export function changeConditions(current: Conditions, change: unknown): Checked<Conditions> {
  const names = Object.keys(CONDITION_FIELDS);
  if (!change || typeof change !== 'object' || Array.isArray(change)) {
    return { error: `The body must be a JSON object with the conditions to change (${names.join(', ')}), e.g. {"latency": 800}` };
  }
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(change)) {
    const check = Object.hasOwn(CONDITION_FIELDS, key) ? CONDITION_FIELDS[key as keyof Conditions] : undefined;
    if (!check) return { error: `Unknown condition ${shown(key)}${didYouMean(key, names)}; the conditions are ${names.join(', ')}` };
    const checked = check(value);
    if ('error' in checked) return checked;
    next[key] = checked.value;
  }
  return { value: next as unknown as Conditions };
}

/** The conditions in words, for the terminal: `latency 800 ms, offline, failure 503 on GET /plugin-io/api/x/y`. */
export function describeConditions({ latency, offline, effect_delay, failure }: Conditions): string {
  const parts = [
    latency ? `latency ${latency} ms` : '',
    offline ? 'offline' : '',
    effect_delay === null ? '' : `effect delay ${effect_delay} ms`,
    failure ? `failure ${failure.answer} on ${failure.method} ${failure.path}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'none (plugin requests and sockets as usual)';
}

/**
 * Resolves once `ms` have passed (at once for 0), never earlier: a timer may fire a little early
 * by the clock, so it is set again for what is left. It does not keep a stopping process alive.
 */
export function wait(ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  const until = performance.now() + ms;
  return new Promise((resolve) => {
    const check = () => {
      const left = until - performance.now();
      if (left <= 0) resolve();
      else setTimeout(check, Math.ceil(left)).unref();
    };
    check();
  });
}

/** A session's conditions, read at each step: a PUT may change them while a request waits. */
export interface HasConditions {
  conditions: Conditions;
}

/** What the conditions decided for one plugin request: answer it, cut its connection, or fail it with a status. */
export type RequestVerdict = { kind: 'answer' } | { kind: 'cut' } | { kind: 'fail'; status: number; body: { error: string } };

/**
 * Applies the session's conditions to one plugin request before it is answered: offline cuts it at
 * once, latency waits (offline is asked again after), a matching failure cuts or fails it.
 * @param touched - Gets what touched the request, as its trace lists it (`latency 800 ms`, `offline`, `failure 503`).
 */
export async function holdRequest(session: HasConditions, method: string, path: string, touched: string[]): Promise<RequestVerdict> {
  const offline = (): boolean => {
    if (session.conditions.offline && !touched.includes('offline')) touched.push('offline');
    return session.conditions.offline;
  };
  if (offline()) return { kind: 'cut' };
  const { latency } = session.conditions;
  if (latency) {
    touched.push(`latency ${latency} ms`);
    await wait(latency);
    if (offline()) return { kind: 'cut' };
  }
  const { failure } = session.conditions;
  if (!failure || (failure.method !== '*' && failure.method !== method) || failure.path !== path) return { kind: 'answer' };
  touched.push(`failure ${failure.answer}`);
  if (failure.answer === 'drop') return { kind: 'cut' };
  return { kind: 'fail', status: failure.answer, body: { error: `Failure injected by the harness's workbench (${failure.answer} for ${failure.method} ${failure.path})` } };
}

/**
 * Applies the session's conditions to one plugin socket upgrade before it is accepted: offline
 * refuses at once, latency waits (offline is asked again after).
 * @returns whether the upgrade may go on.
 */
export async function holdUpgrade(session: HasConditions): Promise<boolean> {
  if (session.conditions.offline) return false;
  await wait(session.conditions.latency);
  return !session.conditions.offline;
}

/** How long an effect of the session waits: its own `after`, else the session's effect_delay, else the harness's. */
export function effectDelayOf(session: HasConditions | null, after: number, defaulted: boolean): number {
  const own = session?.conditions.effect_delay;
  return defaulted && own != null ? own : after;
}
