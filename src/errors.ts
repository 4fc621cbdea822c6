/**
 * The one error class of the library, and a cross-realm check for it.
 * @module
 */

/**
 * What went wrong, as a stable string. Codes are API: changing one is a breaking change.
 * Messages are for people and may change.
 *
 * | code | when |
 * | --- | --- |
 * | `HOST_TIMEOUT` | the host's port did not arrive in time |
 * | `INVALID_ID` | a patient or note ID is not a UUID |
 * | `NAVIGATION_BLOCKED` | the top window could not be navigated |
 * | `UNAUTHORIZED` | 401 or 403: session expired or not permitted |
 * | `NOT_FOUND` | 404 |
 * | `HTTP_ERROR` | any other non-2xx answer |
 * | `NETWORK_ERROR` | the request never got an answer |
 * | `INVALID_RESPONSE` | the body is not the JSON promised |
 * | `TIMEOUT` | a request's deadline passed |
 * | `EFFECT_TIMEOUT` | a created record was not found before the deadline |
 * | `INVALID_CHANNEL` | a plugin or channel name the server would refuse |
 */
export type CompanionErrorCode =
  | 'HOST_TIMEOUT'
  | 'INVALID_ID'
  | 'NAVIGATION_BLOCKED'
  | 'UNAUTHORIZED'
  | 'NOT_FOUND'
  | 'HTTP_ERROR'
  | 'NETWORK_ERROR'
  | 'INVALID_RESPONSE'
  | 'TIMEOUT'
  | 'EFFECT_TIMEOUT'
  | 'INVALID_CHANNEL';

/** Extra facts an error can carry. */
export interface CompanionErrorOptions {
  /** HTTP status of the answer that caused the error, when there was one. */
  status?: number;
  /** The underlying error (for `EFFECT_TIMEOUT`, the last failure seen). */
  cause?: unknown;
  /** The parsed body of a non-2xx answer: its JSON value, else its text; `undefined` when empty. */
  body?: unknown;
  /** For `EFFECT_TIMEOUT`: the create answer, to look for the record again with `findCreated()`. */
  ack?: unknown;
}

/**
 * A failure the caller can handle at run time. Programmer mistakes (wrong argument types)
 * throw the built-in `TypeError` or `RangeError` instead.
 */
export class CompanionError extends Error {
  /** Stable machine-readable reason; see {@link CompanionErrorCode}. */
  readonly code: CompanionErrorCode;
  /** HTTP status, for errors that come from an answer; otherwise `undefined`. */
  readonly status?: number;
  /**
   * For errors from a non-2xx answer: its body, parsed as JSON when it is JSON, else its text;
   * `undefined` when empty. E.g. a 400's field errors or a 409's duplicates.
   */
  readonly body?: unknown;
  /**
   * For `EFFECT_TIMEOUT`: the create answer (the 202 body). Pass it to `findCreated()` to look
   * again without creating a second record.
   */
  readonly ack?: unknown;

  /**
   * @param code - Stable reason.
   * @param message - Human-readable detail.
   * @param options - HTTP status, answer body, create answer and underlying cause.
   */
  constructor(code: CompanionErrorCode, message: string, options?: CompanionErrorOptions) {
    super(message, options);
    this.name = 'CompanionError';
    this.code = code;
    this.status = options?.status;
    this.body = options?.body;
    this.ack = options?.ack;
  }
}

/**
 * Tells whether `value` is a {@link CompanionError}, optionally with a given code.
 * Checks the name as well as `instanceof`, so errors from another frame or from a second
 * copy of the library on the page count too.
 *
 * @example
 * ```ts
 * catch (error) { if (isCompanionError(error, 'UNAUTHORIZED')) showSignInAgain(); }
 * ```
 */
export function isCompanionError(value: unknown, code?: CompanionErrorCode): value is CompanionError {
  const error = value as CompanionError | null;
  return (
    (value instanceof CompanionError || (error?.name === 'CompanionError' && typeof error.code === 'string')) &&
    (code === undefined || error!.code === code)
  );
}
