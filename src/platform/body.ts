/**
 * Request bodies as routes see them. Both transports use this: the harness's HTTP server and the
 * test kit's `fetch`, so a route gets the same body from either.
 * @module
 */

/**
 * A request body as a route sees it: parsed JSON when `contentType` says JSON, else the text, or
 * null when empty; `{ error }` (a 400's message) for JSON that does not parse.
 * @param text - The body as text.
 * @param contentType - The request's Content-Type header. @default ''
 */
export function parseBody(text: string, contentType = ''): { body: unknown } | { error: string } {
  if (!text.trim()) return { body: null };
  if (!/\bjson\b/i.test(contentType)) return { body: text };
  try {
    return { body: JSON.parse(text) as unknown };
  } catch {
    return { error: 'The request body is not valid JSON (Content-Type says JSON)' };
  }
}
