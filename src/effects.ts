/**
 * Async effects: create a record through a SimpleAPI route, then find it once the platform has
 * applied the effect (effects run after the route's answer, in a platform worker).
 * @module
 */
import { CompanionError, isCompanionError } from './errors.js';
import { fetchOf, requestJSON, withQuery } from './http.js';
import type { Subscription } from './realtime.js';
import { checkDelay, checkFunction, checkSignal, isRecord } from './checks.js';
import { warnUnknownOptions } from './dev.js';
import { pageWindow } from './page.js';
import { callSafely } from './report.js';

// Bundlers' development flag, read behind `typeof process` (see dev.ts); not Node's whole type.
declare const process: { env: { NODE_ENV?: string } };

/** Options of {@link findCreated}: how to look for a record that a create answer announced. */
export interface FindCreatedOptions<T> {
  /**
   * URL of the lookup route. A string gets the create answer's `lookup_params` entries and
   * `after=<lookup_started_at>` appended to its query; a function gets the create answer and
   * returns the whole URL (it is called for each find).
   */
  find: string | ((ack: any) => string);
  /**
   * Picks the record out of a find's answer; `null` or `undefined` means "not there yet".
   * Not called for an empty answer (also "not yet").
   * @default the answer's `id` when it has that key, else the value of its one key ending in
   *   `_id` (an empty string counts as "not yet"). An answer with several `_id` keys and no `id`
   *   is ambiguous: the promise rejects with a `TypeError` naming them, asking for a `select`.
   */
  select?: (found: any) => T | null | undefined;
  /**
   * Time between the starts of two finds, in ms (the first starts this long after the create
   * answer, or after the call to `findCreated`). A find starts only after the previous one
   * settled, so they never overlap; one find always starts at the deadline.
   * @default 500
   */
  interval?: number;
  /**
   * Wall-clock time from the create answer (or the call to `findCreated`) until giving up, in
   * ms; at most 2³¹−1, or `Infinity`. Also each find's own request timeout.
   * @default 5000
   */
  timeout?: number;
  /**
   * Stops everything; the promise then rejects with `signal.reason`. Anything else than an
   * `AbortSignal` (or `null`) is a `TypeError`.
   */
  signal?: AbortSignal;
  /**
   * A live subscription (from `subscribe()`) on which the plugin broadcasts when records land:
   * each message on it runs a find at once (right after the one in flight, if any) instead of
   * at the next poll. Only listened to until the promise settles.
   */
  wake?: Subscription;
  /**
   * The `fetch` to use (for tests, or Node).
   * @default globalThis.fetch
   */
  fetch?: typeof fetch;
}

/** Options of {@link createAndFind}: the create request, then {@link FindCreatedOptions}. */
export interface CreateAndFindOptions<T> extends FindCreatedOptions<T> {
  /** URL of the route that emits the effect; it is POSTed exactly once, never retried. */
  create: string;
  /** JSON body of the create POST. */
  body?: unknown;
  /** Called with the create answer (the 202 body) as soon as it arrives, e.g. to show "Saving…". */
  onAccepted?: (ack: any) => void;
}

/**
 * The default `select`: the answer's `id`, else its one `*_id` value; `''` is "not yet". Never a
 * guess: in `{ patient_id: null, created_by_id: "…" }` the creator's ID is not the record's, so
 * several `*_id` keys are a mistake to report, not a choice to make.
 * @throws TypeError naming the keys when there are several `*_id` keys and no `id`.
 */
function selectId(found: any): unknown {
  const idKeys = found.id !== undefined ? ['id'] : Object.keys(found).filter((key) => key.endsWith('_id'));
  if (idKeys.length > 1) throw new TypeError(`find answer has several IDs (${idKeys}): pass select`);
  const id = idKeys.length === 1 ? found[idKeys[0]!] : undefined;
  return id === '' ? undefined : id;
}

/** The options of {@link findCreated}, for the development warnings; {@link createAndFind} adds its own. */
const FIND_OPTIONS = ['find', 'select', 'interval', 'timeout', 'signal', 'wake', 'fetch'];

/** Worth another find: a 5xx answer, no answer, or a find that timed out. */
function isTransient(error: unknown): boolean {
  if (!isCompanionError(error)) return false;
  if (error.code === 'NETWORK_ERROR' || error.code === 'TIMEOUT') return true;
  return error.code === 'HTTP_ERROR' && (error.status ?? 0) >= 500;
}

/**
 * The URL of a find: what a function `find` returns for the ack, or a string `find` with the
 * ack's `lookup_params` and `after=<lookup_started_at>` appended to its query.
 */
function findUrl(find: FindCreatedOptions<unknown>['find'], ack: any): string {
  if (typeof find !== 'string') return find(ack);
  const lookup = ack?.lookup_params;
  return withQuery(find, { ...(isRecord(lookup) ? lookup : {}), after: ack?.lookup_started_at });
}

/** The options both functions share, with the defaults filled in; checked at once, before anything is sent. */
type FindSettings<T> = FindCreatedOptions<T> & { interval: number; timeout: number };

function findSettings<T>(options: FindCreatedOptions<T>): FindSettings<T> {
  const { find, select, wake, signal, interval = 500, timeout = 5000 } = options;
  if (typeof find !== 'string' && typeof find !== 'function') throw new TypeError('find must be a URL or a function');
  if (select !== undefined) checkFunction('select', select);
  if (wake !== undefined && typeof wake?.listen !== 'function') throw new TypeError('wake must be a subscription');
  checkDelay('interval', interval, false);
  checkDelay('timeout', timeout, true);
  checkSignal(signal);
  // The finds come later: a missing fetch is a mistake to throw now, with the others.
  fetchOf(options);
  return { ...options, interval, timeout };
}

/**
 * What ends the poll loop's sleep early: a message on `wake`, the page becoming visible, an
 * abort. Listening starts when it is made and stops at `dispose()`.
 */
function createWaker(wake: Subscription | undefined, signal: AbortSignal | undefined) {
  const doc = pageWindow()?.document;
  let woken = false;
  let resume: (() => void) | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const kick = () => {
    woken = true;
    resume?.();
  };
  const unlisten = wake?.listen(kick);
  doc?.addEventListener('visibilitychange', kick);
  signal?.addEventListener('abort', kick);
  return {
    isHidden: () => doc?.hidden === true,
    /**
     * Sleeps `delay` ms, or less if woken. While hidden, only a kick ends the sleep. Then forgets
     * the kicks so far: the find that follows sees whatever they announced.
     */
    async sleep(delay: number): Promise<void> {
      await new Promise<void>((wakeUp) => {
        resume = wakeUp;
        // A locked phone's timers are frozen anyway; the wall-clock deadline makes the next find the last.
        if (!doc?.hidden) timer = setTimeout(wakeUp, woken ? 0 : delay);
      });
      clearTimeout(timer);
      woken = false;
    },
    // No timer is left to clear: each sleep clears its own, and the loop settles only between sleeps.
    dispose() {
      doc?.removeEventListener('visibilitychange', kick);
      signal?.removeEventListener('abort', kick);
      unlisten?.();
    },
  };
}

/** The poll loop of {@link findCreated}, with its options already checked. */
async function poll<T>(ack: unknown, settings: FindSettings<T>, waker: ReturnType<typeof createWaker>): Promise<T> {
  const { find, select = selectId as (found: any) => T, interval, timeout, signal, fetch } = settings;
  const deadline = Date.now() + timeout;
  let nextFind = Date.now() + interval;
  let lastFailure: unknown;
  for (;;) {
    // One find always starts at the deadline, so the wait never runs past it.
    await waker.sleep(Math.min(nextFind, deadline) - Date.now());
    if (signal?.aborted) throw signal.reason;
    if (waker.isHidden()) continue;
    const started = Date.now();
    try {
      const found = await requestJSON(findUrl(find, ack), { signal, timeout, fetch });
      const record = found == null ? undefined : select(found);
      if (record != null) return record;
    } catch (error) {
      if (!isTransient(error)) throw error;
      lastFailure = error;
    }
    // The deadline holds whatever woke this find: a find that started at or after it is the last.
    if (started >= deadline) {
      throw new CompanionError('EFFECT_TIMEOUT', `no record within ${timeout} ms`, { cause: lastFailure, ack });
    }
    nextFind = started + interval;
  }
}

/**
 * Looks for a record that a create answer announced, until a lookup confirms it exists or the
 * deadline passes: the polling half of {@link createAndFind}, for a page that timed out and
 * offers "Check again" without POSTing a second time (`error.ack` of `EFFECT_TIMEOUT` is the
 * create answer to pass).
 *
 * - A find that fails with a 5xx `HTTP_ERROR`, `NETWORK_ERROR` or `TIMEOUT` is retried; any other
 *   failure (401/403 `UNAUTHORIZED`, 404 `NOT_FOUND`, another 4xx, `INVALID_RESPONSE`, an error
 *   thrown by `find` or `select`) rejects at once.
 * - While the page is hidden no find is sent; when it becomes visible again a find runs at once.
 *   The deadline is wall-clock, so after a long lock that find is the last one.
 * - Gives up with `EFFECT_TIMEOUT` (the last failure as `cause`, the create answer as `ack`)
 *   right after the first find that started at or after the deadline, whatever woke it. Never
 *   resolves without a record.
 * - After it settles, no request, timer or listener remains.
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (isCompanionError(error, 'EFFECT_TIMEOUT')) checkAgain.onclick = () => findCreated(error.ack, { find: apiUrl('/app/find') });
 * }
 * ```
 * @throws TypeError or RangeError at once for bad options. Rejects with `signal.reason` when aborted.
 */
export function findCreated<T = string>(ack: unknown, options: FindCreatedOptions<T>): Promise<T> {
  const settings = findSettings(options ?? ({} as FindCreatedOptions<T>));
  if (typeof process === 'object' && process.env.NODE_ENV !== 'production') warnUnknownOptions('findCreated', options, FIND_OPTIONS);
  const waker = createWaker(settings.wake, settings.signal);
  return poll(ack, settings, waker).finally(waker.dispose);
}

/**
 * Creates a record through an effect and resolves with it once a lookup confirms it exists:
 * POSTs `create` once, then GETs `find` every `interval` ms until `select` returns a record
 * (as {@link findCreated}, which it is built on).
 *
 * - A failed create rejects at once with its {@link requestJSON} error; nothing is polled
 *   (Canvas drops every effect of a non-2xx answer).
 * - The create POST is never sent twice. On `EFFECT_TIMEOUT` the error's `ack` is the create
 *   answer: offer "Check again" with `findCreated(error.ack, options)`, not another create.
 * - A `wake` message that arrives while the POST is in flight runs the first find at once.
 *
 * @example
 * ```ts
 * const patientId = await createAndFind({ create: apiUrl('/app/create'), body: form, find: apiUrl('/app/find') });
 * ```
 * @throws TypeError or RangeError at once for bad options. Rejects with `signal.reason` when
 *   aborted (the create may still have happened if the POST was already sent).
 */
export function createAndFind<T = string>(options: CreateAndFindOptions<T>): Promise<T> {
  const settings = findSettings(options ?? ({} as CreateAndFindOptions<T>));
  const { create, body, signal, onAccepted, fetch } = options;
  if (typeof create !== 'string') throw new TypeError('create must be a URL');
  if (typeof process === 'object' && process.env.NODE_ENV !== 'production') {
    warnUnknownOptions('createAndFind', options, ['create', 'body', 'onAccepted', ...FIND_OPTIONS]);
  }
  // Sent now, so a body JSON cannot encode throws here, before any listener is added.
  const created = requestJSON(create, { method: 'POST', body, signal, fetch });
  // Listening starts before the answer: a record can land, and be announced, before it.
  const waker = createWaker(settings.wake, signal);
  const found = created.then((ack) => {
    callSafely(onAccepted, ack);
    return poll(ack, settings, waker);
  });
  return found.finally(waker.dispose);
}
