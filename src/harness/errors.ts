/**
 * The harness's own errors, and how a caught value is put into words.
 * @module
 */

/** A mistake in the options or the plugin setup: the CLI prints its message and exits with status 2. */
export class OptionError extends Error {
  override name = 'OptionError';
}

/** An error that becomes an HTTP answer: `status` and a text that says what was wrong. */
export class HttpError extends Error {
  override name = 'HttpError';

  /**
   * @param status - The HTTP status to answer.
   * @param message - The answer's text, and the log line's.
   */
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Reads `read()`, or gives `fallback` when reading throws (a Proxy, a getter that throws). */
function safely<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/** What an unprintable thrown value is called in a log line. */
const UNPRINTABLE = 'a thrown value that cannot be read (its properties or conversion to text throw)';

/** A thrown value as text: its own conversion when that works, else {@link UNPRINTABLE}. */
function textOf(value: unknown): string {
  return safely(() => String(value), UNPRINTABLE);
}

/**
 * The message of a caught value (anything can be thrown, `null` included). Never throws: a value
 * whose every property read throws is described as such.
 */
export function messageOf(error: unknown): string {
  const message = safely(() => (error as { message?: unknown } | null | undefined)?.message, undefined);
  return typeof message === 'string' ? message : textOf(message ?? error);
}

/** The stack of a caught value for a log line, else what {@link messageOf} would say. Never throws. */
export function stackOf(error: unknown): string {
  const stack = safely(() => (error as { stack?: unknown } | null | undefined)?.stack, undefined);
  return typeof stack === 'string' ? stack : messageOf(error);
}

/** The `name` of a caught value (`SyntaxError`), or null when it has none or reading it throws. Never throws. */
export function nameOf(error: unknown): string | null {
  const name = safely(() => (error as { name?: unknown } | null | undefined)?.name, undefined);
  return typeof name === 'string' ? name : null;
}

/** Whether a caught value is an instance of `type`; false when asking throws (a Proxy). Never throws. */
export function isInstance<T>(error: unknown, type: abstract new (...args: never[]) => T): error is T {
  return safely(() => error instanceof type, false);
}

/**
 * A thrown value made safe to pass on: `null`, `undefined` and primitives as they are, any object
 * as a plain Error with its message and stack read once (so code that reads it later, the
 * platform's included, cannot be made to throw again by a hostile object).
 */
export function tame(error: unknown): unknown {
  if (error === null || (typeof error !== 'object' && typeof error !== 'function')) return error;
  const copy = new Error(messageOf(error));
  copy.name = nameOf(error) ?? 'Error';
  copy.stack = stackOf(error);
  return copy;
}
