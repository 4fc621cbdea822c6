/**
 * Checks that several modules share, of callers' arguments and options and of the data answers
 * carry, and the timer that honours the delays they allow.
 * @module
 * @internal
 */

/** The longest delay `setTimeout` honours (2³¹−1 ms, about 24.8 days); past it, it fires at once. */
export const MAX_TIMEOUT = 2 ** 31 - 1;

/**
 * Checks a caller's timeout or delay option: a number from 0 to {@link MAX_TIMEOUT}, or
 * `Infinity` where `allowInfinity` says it means "for ever".
 *
 * @param name - The option's name, for the error message.
 * @throws RangeError naming the option otherwise.
 */
export function checkDelay(name: string, value: unknown, allowInfinity: boolean): void {
  const isDelay = typeof value === 'number' && value >= 0 && (value <= MAX_TIMEOUT || (allowInfinity && value === Infinity));
  if (!isDelay) {
    throw new RangeError(`${name} must be 0 to ${MAX_TIMEOUT} ms${allowInfinity ? ' or Infinity' : ''}`);
  }
}

/** @throws TypeError naming the argument or option unless `value` is a function. */
export function checkFunction(name: string, value: unknown): void {
  if (typeof value !== 'function') throw new TypeError(`${name} must be a function`);
}

/**
 * @throws TypeError unless `signal` is absent (`undefined`, or `null` as `fetch` allows) or can be
 * listened to as an `AbortSignal` (one from another realm, a frame or jsdom, counts too).
 */
export function checkSignal(signal: unknown): void {
  if (signal != null && typeof (signal as AbortSignal).addEventListener !== 'function') throw new TypeError('signal must be an AbortSignal');
}

/** Tells whether `value` is an object with named fields: not `null`, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value != null && typeof value === 'object' && !Array.isArray(value);
}

/** Like `setTimeout`, except that an infinite delay (allowed by {@link checkDelay}) sets no timer at all. */
export function startTimer(callback: () => void, delay: number): ReturnType<typeof setTimeout> | undefined {
  return delay === Infinity ? undefined : setTimeout(callback, delay);
}
