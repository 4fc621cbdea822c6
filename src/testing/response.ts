/**
 * Responses and request headers for the mock `fetch`, in whatever environment the test runs:
 * the environment's own `Response` where it has one (browsers, happy-dom, Node, vitest's jsdom),
 * else a small stand-in (jest's jsdom environment has no `Response` or `Headers`).
 * @module
 */

/** Request headers as lower-case names and string values, from any form `fetch` accepts. */
export function headerRecord(headers: HeadersInit | null | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  if (headers == null) return record;
  const entries: Iterable<[string, string]> =
    Array.isArray(headers) || typeof (headers as Headers).entries !== 'function'
      ? (Array.isArray(headers) ? (headers as [string, string][]) : Object.entries(headers as Record<string, string>))
      : (headers as Headers).entries();
  // Lower-cased here: happy-dom's Headers keeps the case the page gave.
  for (const [name, value] of entries) record[String(name).toLowerCase()] = String(value);
  return record;
}

/** What a page reads of a response, for environments without `Response`. */
function standInResponse(body: string | null, status: number, headers: Record<string, string>, signal?: AbortSignal | null): Response {
  const lower = headerRecord(headers);
  let used = false;
  const read = async () => {
    // As with a real fetch: once the request is aborted, its body can no longer be read.
    if (signal?.aborted) throw signal.reason;
    if (used) throw new TypeError('body already read');
    used = true;
    return body ?? '';
  };
  const response = {
    ok: status >= 200 && status < 300,
    status,
    statusText: '',
    url: '',
    redirected: false,
    type: 'basic',
    headers: { get: (name: string) => lower[name.toLowerCase()] ?? null, has: (name: string) => name.toLowerCase() in lower },
    get bodyUsed() {
      return used;
    },
    text: read,
    json: async () => JSON.parse(await read()),
    clone: () => standInResponse(body, status, headers, signal),
  };
  return response as unknown as Response;
}

/**
 * A response with a text body (or none), status 200 to 599, whose body cannot be read once
 * `signal` aborted. Its `text()` and `json()` read the body without the environment's streams: Node's use `queueMicrotask`, which jest's default fake
 * timers fake, and would stall until the test ran the microtasks by hand.
 */
export function makeResponse(body: string | null, status: number, headers: Record<string, string>, signal?: AbortSignal | null): Response {
  if (typeof Response !== 'function') return standInResponse(body, status, headers, signal);
  const response = new Response(body, { status, headers });
  const standIn = standInResponse(body, status, headers, signal);
  Object.defineProperties(response, {
    text: { value: standIn.text, configurable: true },
    json: { value: standIn.json, configurable: true },
    bodyUsed: { get: () => standIn.bodyUsed, configurable: true },
  });
  return response;
}

/** The text of a request body that is not a string (URLSearchParams, Blob, FormData…). */
export async function bodyText(body: unknown): Promise<string> {
  if (body == null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (typeof Response !== 'function') throw new TypeError('canvas-companion/testing: send a string body in this environment');
  return new Response(body as BodyInit).text();
}
