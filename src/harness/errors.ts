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

/** The message of a caught value (anything can be thrown, `null` included). */
export function messageOf(error: unknown): string {
  return String((error as { message?: unknown } | null | undefined)?.message ?? error);
}

/** The stack of a caught value for a log line, else what {@link messageOf} would say. */
export function stackOf(error: unknown): string {
  return String((error as { stack?: unknown } | null | undefined)?.stack ?? error);
}
