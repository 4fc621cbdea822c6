/**
 * Async effects: create a record through a SimpleAPI route, then find it once the platform has
 * applied the effect (effects run after the route's answer, in a platform worker).
 * @module
 */
import { reportCallbackError } from './channel.js';
import { CompanionError, isCompanionError } from './errors.js';
import { requestJSON } from './http.js';
import type { Subscription } from './realtime.js';

/** Options of {@link createAndFind}. */
export interface CreateAndFindOptions<T> {
  /** URL of the route that emits the effect; it is POSTed exactly once, never retried. */
  create: string;
  /** JSON body of the create POST. */
  body?: unknown;
  /**
   * URL of the lookup route. A string gets the answer's `lookup_params` entries and
   * `after=<lookup_started_at>` appended to its query; a function gets the create answer and
   * returns the whole URL (it is called for each find).
   */
  find: string | ((ack: any) => string);
  /**
   * Picks the record out of a find's answer; `null` or `undefined` means "not there yet".
   * Not called for an empty answer (also "not yet").
   * @default the answer's `id`, else its first non-empty `*_id` value
   */
  select?: (found: any) => T | null | undefined;
  /**
   * Time between the starts of two finds, in ms (the first starts this long after the create
   * answer). A find starts only after the previous one settled, so they never overlap; one find
   * always starts at the deadline.
   * @default 500
   */
  interval?: number;
  /**
   * Wall-clock time from the create answer until giving up, in ms. Also each find's own
   * request timeout.
   * @default 5000
   */
  timeout?: number;
  /** Stops everything; the promise then rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Called with the create answer (the 202 body) as soon as it arrives, e.g. to show "Saving…". */
  onAccepted?: (ack: any) => void;
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

function firstId(found: any): unknown {
  return found.id || Object.entries(found).find(([key, value]) => /_id$/.test(key) && value)?.[1];
}

/**
 * Creates a record through an effect and resolves with it once a lookup confirms it exists:
 * POSTs `create` once, then GETs `find` every `interval` ms until `select` returns a record.
 *
 * - A failed create rejects at once with its {@link requestJSON} error; nothing is polled
 *   (Canvas drops every effect of a non-2xx answer).
 * - A find that fails with a 5xx `HTTP_ERROR`, `NETWORK_ERROR` or `TIMEOUT` is retried; any other
 *   failure (401/403 `UNAUTHORIZED`, 404 `NOT_FOUND`, another 4xx, `INVALID_RESPONSE`, an error
 *   thrown by `find` or `select`) rejects at once.
 * - While the page is hidden no find is sent; when it becomes visible again a find runs at once.
 *   The deadline is wall-clock, so after a long lock that find is the last one.
 * - Gives up with `EFFECT_TIMEOUT` (the last failure as `cause`) when a find that started at or
 *   after the deadline finds nothing. Never resolves without a record.
 * - After it settles, no request, timer or listener remains.
 *
 * @example
 * ```ts
 * const patientId = await createAndFind({ create: apiUrl('/app/create'), body: form, find: apiUrl('/app/find') });
 * ```
 * @throws RangeError at once for a negative `interval` or `timeout`. Rejects with `signal.reason` when aborted
 *   (the create may still have happened if the POST was already sent).
 */
export function createAndFind<T = string>(options: CreateAndFindOptions<T>): Promise<T> {
  const { create, body, find, select = firstId as (found: any) => T, interval = 500, timeout = 5000, signal, onAccepted, wake, fetch } = options;
  if (!(interval >= 0 && timeout >= 0)) throw new RangeError('timeout must be >= 0');
  const doc = globalThis.document;
  // Set by a wake message, by the page becoming visible, or by an abort: find (or stop) at once.
  let again = false;
  let resume: (() => void) | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const kick = () => {
    again = true;
    resume?.();
  };
  const unlisten = (wake as any)?.[Symbol.for('canvas-companion.wake')]?.(kick) as (() => void) | undefined;
  doc?.addEventListener('visibilitychange', kick);
  signal?.addEventListener('abort', kick);
  return (async () => {
    try {
      const ack = await requestJSON(create, { method: 'POST', body, signal, fetch });
      const deadline = Date.now() + timeout;
      try {
        onAccepted?.(ack);
      } catch (error) {
        reportCallbackError(error);
      }
      for (let started = Date.now(), last; ; ) {
        // Sleep until the next find is due (never later than the deadline, so that one find
        // starts at it) or a kick. While hidden, only a kick ends the sleep: a locked phone's
        // timers are frozen anyway, and the wall-clock deadline makes the next find the last.
        await new Promise<void>((wakeUp) => {
          resume = wakeUp;
          if (!doc?.hidden) timer = setTimeout(wakeUp, again ? 0 : Math.min(started + interval, deadline) - Date.now());
        });
        clearTimeout(timer);
        if (signal?.aborted) throw signal.reason;
        if (doc?.hidden) continue;
        again = false;
        started = Date.now();
        const plain = typeof find == 'string';
        try {
          const found = await requestJSON(plain ? find : find(ack), {
            query: plain ? { ...ack?.lookup_params, after: ack?.lookup_started_at } : {},
            signal,
            timeout,
            fetch,
          });
          const value = found == null ? undefined : select(found);
          if (value != null) return value;
        } catch (error) {
          // Only 5xx, NETWORK_ERROR and TIMEOUT are worth another try.
          if (!isCompanionError(error) || error.status! < 500) throw error;
          last = error;
        }
        if (started >= deadline && !again) throw new CompanionError('EFFECT_TIMEOUT', `No record within ${timeout} ms`, { cause: last });
      }
    } finally {
      clearTimeout(timer);
      doc?.removeEventListener('visibilitychange', kick);
      signal?.removeEventListener('abort', kick);
      unlisten?.();
    }
  })();
}
