/**
 * What the library tells the developer: console warnings, and errors thrown by their callbacks.
 * @module
 * @internal
 */

/** Warns in the console, with the library's prefix. */
export function warn(message: string): void {
  console.warn('canvas-companion: ' + message);
}

/**
 * Reports an error thrown by a caller's callback the way the DOM reports a throwing event
 * listener (to `window.onerror`), without stopping the loop that called it.
 */
export function reportCallbackError(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

/** Calls a caller's callback; if it throws, reports the error and carries on. */
export function callSafely<T>(callback: ((value: T) => void) | undefined, value: T): void {
  try {
    callback?.(value);
  } catch (error) {
    reportCallbackError(error);
  }
}
