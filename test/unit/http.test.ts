import { afterEach, describe, expect, it, vi } from 'vitest';
import { isCompanionError, type CompanionError } from '../../src/errors.js';
import { apiUrl, pluginName, requestJSON, type RequestJSONOptions } from '../../src/http.js';

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

type Answer = Response | (() => Response | Promise<Response>);

/** A fetch stand-in that records its calls and answers with `answer`. */
function fakeFetch(answer: Answer = () => json({})) {
  return vi.fn(async (_url: RequestInfo | URL, _init?: RequestInit) => (typeof answer == 'function' ? answer() : answer));
}

function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });
}

/** A fetch that never answers but rejects with the signal's reason when aborted, like the real one. */
function hangingFetch() {
  return vi.fn(
    (_url: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_, reject) => init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason))),
  );
}

async function failure(promise: Promise<unknown>): Promise<CompanionError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  return error as CompanionError;
}

describe('pluginName', () => {
  it("reads the plugin from the page's path", () => {
    expect(pluginName()).toBe('demo_plugin');
  });

  it.each([
    ['/plugin-io/api/my_plugin/app/', 'my_plugin'],
    ['/plugin-io/api/x1', 'x1'],
    ['/plugin-io/api/a/b/c?d', 'a'],
  ])('%s → %s', (path, name) => {
    expect(pluginName(path)).toBe(name);
  });

  it.each(['/companion/', '/plugin-io/api/', '/plugin-io/api/my-plugin/app/', '/x/plugin-io/api/p/', '/plugin-io/ws/p/c/', '', '/plugin-io/api/p%2F/'])(
    'returns null for %j',
    (path) => {
      expect(pluginName(path)).toBeNull();
    },
  );

  it('returns null outside a browser', () => {
    vi.stubGlobal('window', undefined);
    expect(pluginName()).toBeNull();
  });
});

describe('apiUrl', () => {
  it("prefixes the page's plugin and keeps the path exactly", () => {
    expect(apiUrl('/app/')).toBe('/plugin-io/api/demo_plugin/app/');
    expect(apiUrl('/app/find')).toBe('/plugin-io/api/demo_plugin/app/find');
    expect(apiUrl('/')).toBe('/plugin-io/api/demo_plugin/');
  });

  it('takes the plugin from the options', () => {
    expect(apiUrl('/tasks/', { plugin: 'other_plugin' })).toBe('/plugin-io/api/other_plugin/tasks/');
  });

  it('encodes query values and leaves out null and undefined', () => {
    const url = apiUrl('/app/find', { query: { name: 'Ada & Bob', note: 'a=b?c#d', n: 3, ok: false, none: null, missing: undefined, é: 'ü' } });
    expect(url).toBe('/plugin-io/api/demo_plugin/app/find?name=Ada+%26+Bob&note=a%3Db%3Fc%23d&n=3&ok=false&%C3%A9=%C3%BC');
    expect(new URL(url, 'http://x').searchParams.get('name')).toBe('Ada & Bob');
  });

  it('appends to a query already in the path', () => {
    expect(apiUrl('/app/find?x=1', { query: { tag: 'a b' } })).toBe('/plugin-io/api/demo_plugin/app/find?x=1&tag=a+b');
  });

  it('adds no "?" for an empty query', () => {
    expect(apiUrl('/app/', { query: {} })).toBe('/plugin-io/api/demo_plugin/app/');
    expect(apiUrl('/app/', { query: { a: undefined } })).toBe('/plugin-io/api/demo_plugin/app/');
  });

  it('a path that looks like another host stays under the plugin prefix', () => {
    expect(apiUrl('//evil.example/x')).toBe('/plugin-io/api/demo_plugin//evil.example/x');
  });

  it.each(['app/find', '', 'https://evil.example/x', 42, null, undefined])('throws TypeError for path %j', (path) => {
    expect(() => apiUrl(path as string)).toThrow(TypeError);
  });

  it.each(['my-plugin', '../x', '', 'a/b'])('throws TypeError for plugin %j', (plugin) => {
    expect(() => apiUrl('/app/', { plugin })).toThrow(TypeError);
  });

  it.each([
    '/..',
    '/app/..',
    '/app/../../admin',
    '/app/./find',
    '/.',
    '/app/%2e%2e/admin',
    '/app/%2E%2E/admin',
    '/app/.%2e/admin',
    '/app/%2e./admin',
    '/app/%2e/find',
    '/app\\..\\admin',
    '/app\\find',
    '/app/%5c../admin',
    '/app/%5C',
    '/app/.\t./admin',
    '/app/.\n./admin',
    '/app/\r/x',
    '/../other_plugin/app?x=1',
  ])('refuses %j, a way out of the plugin prefix, with a TypeError naming the path', (path) => {
    expect(() => apiUrl(path)).toThrow(TypeError);
    expect(() => apiUrl(path)).toThrow(/path .*dot segments or backslashes/);
  });

  it.each(['/app/...', '/app/.well-known/x', '/app/x..y/', '/app/..x', '/app/%2e%2e%2e', '/app/find?next=../../admin', '/app/find?path=a\\b', '/app/#/../x'])(
    'keeps %j, which cannot leave the prefix',
    (path) => {
      expect(apiUrl(path)).toBe(`/plugin-io/api/demo_plugin${path}`);
    },
  );

  it('whatever the path, the URL it builds resolves under /plugin-io/api/<plugin>/, or it throws', () => {
    const pieces = ['.', '..', '%2e', '%2E', '%2e%2e', '.%2e', '\\', '%5c', 'a', '', '\t', '?', '#', '//'];
    let built = 0;
    for (const a of pieces) {
      for (const b of pieces) {
        for (const c of pieces) {
          const path = `/${a}/${b}${c}`;
          let url: string;
          try {
            url = apiUrl(path);
          } catch (error) {
            expect(error).toBeInstanceOf(TypeError);
            continue;
          }
          built += 1;
          expect(new URL(url, 'http://127.0.0.1:4173/').pathname, path).toMatch(/^\/plugin-io\/api\/demo_plugin\//);
        }
      }
    }
    expect(built).toBeGreaterThan(100);
  });

  it('outside /plugin-io/api/ without { plugin } throws a TypeError that says what to do', () => {
    vi.stubGlobal('location', { pathname: '/static/page.html' });
    expect(() => apiUrl('/app/')).toThrow(/\{ plugin \}/);
    expect(apiUrl('/app/', { plugin: 'p' })).toBe('/plugin-io/api/p/app/');
  });
});

describe('requestJSON', () => {
  it('GETs same-origin JSON with the cookie and no Prefer header', async () => {
    const send = fakeFetch(json({ ok: 1 }));
    await expect(requestJSON('/plugin-io/api/p/x', { fetch: send })).resolves.toEqual({ ok: 1 });
    expect(send).toHaveBeenCalledTimes(1);
    const [url, init] = send.mock.calls[0]!;
    expect(url).toBe('/plugin-io/api/p/x');
    expect(init!.method).toBe('GET');
    expect(init!.credentials).toBe('same-origin');
    expect(init!.body).toBeUndefined();
    const headers = new Headers(init!.headers);
    expect(headers.get('accept')).toBe('application/json');
    expect(headers.has('content-type')).toBe(false);
    expect(headers.has('prefer')).toBe(false);
    expect(init!.signal).toBeInstanceOf(AbortSignal);
  });

  it('POSTs a body as JSON with its content type', async () => {
    const send = fakeFetch(json({ id: 'x' }, 201));
    await expect(requestJSON('/c', { body: { a: [1, 'b'] }, fetch: send })).resolves.toEqual({ id: 'x' });
    const init = send.mock.calls[0]![1]!;
    expect(init.method).toBe('POST');
    expect(init.body).toBe('{"a":[1,"b"]}');
    expect(new Headers(init.headers).get('content-type')).toBe('application/json');
    expect(new Headers(init.headers).has('prefer')).toBe(false);
  });

  it('uses the given method and appends the query', async () => {
    const send = fakeFetch(json(null));
    await requestJSON('/c?a=1', { method: 'PUT', body: 0, query: { b: 'x y' }, fetch: send });
    expect(send.mock.calls[0]![0]).toBe('/c?a=1&b=x+y');
    expect(send.mock.calls[0]![1]!.method).toBe('PUT');
    expect(send.mock.calls[0]![1]!.body).toBe('0');
  });

  it('uses the global fetch by default', async () => {
    const send = fakeFetch(json([1]));
    vi.stubGlobal('fetch', send);
    await expect(requestJSON('/x')).resolves.toEqual([1]);
    expect(send).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['204', () => new Response(null, { status: 204 })],
    ['an empty 200', () => new Response('', { status: 200 })],
    ['a blank 202', () => new Response(' \n', { status: 202 })],
  ])('gives null for %s', async (_, answer) => {
    await expect(requestJSON('/x', { fetch: fakeFetch(answer) })).resolves.toBeNull();
  });

  it('gives null for a body of JSON whitespace only (space, tab, CR, LF)', async () => {
    await expect(requestJSON('/x', { fetch: fakeFetch(() => new Response(' \t\r\n \n', { status: 200 })) })).resolves.toBeNull();
  });

  it.each([
    ['a lone no-break space', '\u00a0'],
    ['a line separator', '\u2028'],
    ['a form feed', '\f'],
    ['a byte-order mark after text', ' \ufeff'],
  ])('%s is not an empty body: INVALID_RESPONSE', async (_, text) => {
    const error = await failure(requestJSON('/x', { fetch: fakeFetch(() => new Response(text, { status: 200 })) }));
    expect(error.code).toBe('INVALID_RESPONSE');
    expect(error.body).toBe(text);
  });

  it('an error answer whose body is a no-break space carries it as text', async () => {
    const error = await failure(requestJSON('/x', { fetch: fakeFetch(() => new Response('\u00a0', { status: 500 })) }));
    expect([error.code, error.body]).toEqual(['HTTP_ERROR', '\u00a0']);
  });

  it('a 2xx read as "" although it declared a length (Chromium, past about 512 MiB) is INVALID_RESPONSE, never null', async () => {
    const tooLarge = () => new Response('', { status: 200, headers: { 'content-type': 'application/json', 'content-length': '600000000' } });
    const error = await failure(requestJSON('/x', { fetch: fakeFetch(tooLarge) }));
    expect(error.code).toBe('INVALID_RESPONSE');
    expect(error.status).toBe(200);
    expect(error.message).toMatch(/too large/);
    // A HEAD answer declares the length of a body it never has; a declared 0 is empty.
    await expect(requestJSON('/x', { method: 'HEAD', fetch: fakeFetch(tooLarge) })).resolves.toBeNull();
    const zero = () => new Response('', { status: 200, headers: { 'content-length': '0' } });
    await expect(requestJSON('/x', { fetch: fakeFetch(zero) })).resolves.toBeNull();
    // A hand-made answer without headers is read as before.
    const bare = { ok: true, status: 200, text: async () => '' } as unknown as Response;
    await expect(requestJSON('/x', { fetch: fakeFetch(bare) })).resolves.toBeNull();
  });

  it('401 with an error body is UNAUTHORIZED with that message', async () => {
    const error = await failure(requestJSON('/x', { fetch: fakeFetch(json({ error: 'Provided credentials are invalid' }, 401)) }));
    expect(isCompanionError(error, 'UNAUTHORIZED')).toBe(true);
    expect(error.message).toBe('Provided credentials are invalid');
    expect(error.status).toBe(401);
  });

  it.each([
    [401, '', /signed out/],
    [403, '', /not permitted/],
    [403, '<html>Forbidden</html>', /not permitted/],
    [401, '{"error": ""}', /signed out/],
  ])('%i with body %j is UNAUTHORIZED with a clear message', async (status, body, message) => {
    const error = await failure(requestJSON('/x', { fetch: fakeFetch(() => new Response(body, { status })) }));
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.status).toBe(status);
    expect(error.message).toMatch(message);
  });

  it.each([
    [404, 'NOT_FOUND'],
    [500, 'HTTP_ERROR'],
    [502, 'HTTP_ERROR'],
    [400, 'HTTP_ERROR'],
    [409, 'HTTP_ERROR'],
    [302, 'HTTP_ERROR'],
  ])('%i is %s with its status', async (status, code) => {
    const error = await failure(requestJSON('/x', { fetch: fakeFetch(() => new Response('', { status })) }));
    expect(isCompanionError(error, code as never)).toBe(true);
    expect(error.status).toBe(status);
    expect(error.message).toContain('/x');
  });

  it("any non-2xx takes its message from the body's string `error`", async () => {
    const conflict = await failure(requestJSON('/x', { fetch: fakeFetch(json({ error: 'A patient with that name exists' }, 409)) }));
    expect(isCompanionError(conflict, 'HTTP_ERROR')).toBe(true);
    expect(conflict.message).toBe('A patient with that name exists');
    const odd = await failure(requestJSON('/x', { fetch: fakeFetch(json({ error: { nested: true } }, 400)) }));
    expect(odd.message).toContain('HTTP 400');
  });

  it('a rejected fetch is NETWORK_ERROR with the cause', async () => {
    const cause = new TypeError('Failed to fetch');
    const error = await failure(requestJSON('/x', { fetch: vi.fn().mockRejectedValue(cause) }));
    expect(error.code).toBe('NETWORK_ERROR');
    expect(error.cause).toBe(cause);
  });

  it('a body that breaks off is NETWORK_ERROR', async () => {
    const cause = new TypeError('network error');
    const response = { ok: true, status: 200, text: () => Promise.reject(cause) } as unknown as Response;
    const error = await failure(requestJSON('/x', { fetch: fakeFetch(response) }));
    expect(error.code).toBe('NETWORK_ERROR');
    expect(error.cause).toBe(cause);
  });

  it('a 2xx body that is not JSON is INVALID_RESPONSE', async () => {
    const error = await failure(requestJSON('/x', { fetch: fakeFetch(() => new Response('<html>Sign in</html>', { status: 200 })) }));
    expect(error.code).toBe('INVALID_RESPONSE');
    expect(error.status).toBe(200);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('times out with TIMEOUT, aborts the fetch and leaves no timer', async () => {
    vi.useFakeTimers();
    const send = hangingFetch();
    const promise = requestJSON('/x', { timeout: 1000, fetch: send });
    const settled = failure(promise);
    await vi.advanceTimersByTimeAsync(999);
    expect(send.mock.calls[0]![1]!.signal!.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const error = await settled;
    expect(error.code).toBe('TIMEOUT');
    expect(send.mock.calls[0]![1]!.signal!.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('the default timeout is 30 s; Infinity sets no timer', async () => {
    vi.useFakeTimers();
    const settled = failure(requestJSON('/x', { fetch: hangingFetch() }));
    await vi.advanceTimersByTimeAsync(29_999);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect((await settled).code).toBe('TIMEOUT');

    const controller = new AbortController();
    const forever = failure(requestJSON('/x', { timeout: Infinity, signal: controller.signal, fetch: hangingFetch() }));
    expect(vi.getTimerCount()).toBe(0);
    controller.abort();
    await forever;
  });

  it('clears its timer after an answer', async () => {
    vi.useFakeTimers();
    await requestJSON('/x', { fetch: fakeFetch(json(1)) });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an aborted signal rejects with its reason and sends nothing', async () => {
    const send = fakeFetch();
    const reason = new Error('left the page');
    await expect(requestJSON('/x', { signal: AbortSignal.abort(reason), fetch: send })).rejects.toBe(reason);
    expect(send).not.toHaveBeenCalled();
  });

  it('abort mid-request rejects with signal.reason, cancels the fetch and removes its listener', async () => {
    const controller = new AbortController();
    const remove = vi.spyOn(controller.signal, 'removeEventListener');
    const send = hangingFetch();
    const promise = requestJSON('/x', { signal: controller.signal, fetch: send });
    await Promise.resolve();
    const reason = { why: 'user' };
    controller.abort(reason);
    await expect(promise).rejects.toBe(reason);
    expect(send.mock.calls[0]![1]!.signal!.aborted).toBe(true);
    expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
  });

  it('removes its abort listener after an answer', async () => {
    const controller = new AbortController();
    const add = vi.spyOn(controller.signal, 'addEventListener');
    const remove = vi.spyOn(controller.signal, 'removeEventListener');
    await requestJSON('/x', { signal: controller.signal, fetch: fakeFetch(json(1)) });
    expect(remove).toHaveBeenCalledWith('abort', add.mock.calls[0]![1]);
    controller.abort(); // no effect now
  });

  it('throws at once for a negative timeout or a body JSON cannot encode', () => {
    const send = fakeFetch();
    expect(() => requestJSON('/x', { timeout: -1, fetch: send })).toThrow(RangeError);
    expect(() => requestJSON('/x', { timeout: NaN, fetch: send })).toThrow(RangeError);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => requestJSON('/x', { body: circular, fetch: send })).toThrow(TypeError);
    expect(() => requestJSON('/x', { body: 1n, fetch: send })).toThrow(TypeError);
    expect(send).not.toHaveBeenCalled();
  });

  it.each([
    ['a function', () => 1],
    ['a symbol', Symbol('x')],
  ])('throws TypeError for %s as the body, before anything is sent', (_, body) => {
    const send = fakeFetch();
    expect(() => requestJSON('/x', { body, fetch: send })).toThrow(/body/);
    expect(send).not.toHaveBeenCalled();
  });

  it('throws TypeError naming the method when it is not a string', () => {
    const send = fakeFetch();
    expect(() => requestJSON('/x', { method: 42 as never, fetch: send })).toThrow(/method/);
    expect(send).not.toHaveBeenCalled();
  });

  it.each(['GET', 'HEAD', 'get'])('throws TypeError for a body with %s, before anything is sent', (method) => {
    const send = fakeFetch();
    expect(() => requestJSON('/x', { method, body: { a: 1 }, fetch: send })).toThrow(TypeError);
    expect(send).not.toHaveBeenCalled();
  });

  it('a finite timeout above 2^31-1 ms is a RangeError; Infinity means for ever', () => {
    const send = fakeFetch();
    expect(() => requestJSON('/x', { timeout: 2 ** 31, fetch: send })).toThrow(RangeError);
    expect(() => requestJSON('/x', { timeout: 2 ** 31 - 1, fetch: send })).not.toThrow();
    expect(() => requestJSON('/x', { timeout: Infinity, fetch: send })).not.toThrow();
  });
});

/** A fetch answer as the browser gives it after following redirects to `finalUrl`. */
function redirected(finalUrl: string, body: string, contentType: string, status = 200) {
  const response = new Response(body, { status, headers: { 'content-type': contentType } });
  const text = vi.spyOn(response, 'text');
  Object.defineProperties(response, { redirected: { value: true }, url: { value: finalUrl } });
  return { response, text };
}

describe('redirects', () => {
  it('an answer that a redirect took to another origin is INVALID_RESPONSE naming it, its body never read', async () => {
    const { response, text } = redirected('https://evil.example/steal', '{"patient_id":"forged"}', 'application/json');
    const error = await failure(requestJSON('/plugin-io/api/demo_plugin/app/find', { fetch: fakeFetch(response) }));
    expect(error.code).toBe('INVALID_RESPONSE');
    expect(error.message).toContain('https://evil.example');
    expect(error.body).toBeUndefined();
    expect(text).not.toHaveBeenCalled();
  });

  it('a redirect that stays on the origin asked is read as usual (e.g. a trailing-slash redirect)', async () => {
    const { response } = redirected('http://127.0.0.1:4173/plugin-io/api/demo_plugin/app/tasks/', '[1]', 'application/json');
    await expect(requestJSON('/plugin-io/api/demo_plugin/app/tasks', { fetch: fakeFetch(response) })).resolves.toEqual([1]);
  });

  it('an absolute URL on another origin, redirected within that origin, is read as usual', async () => {
    const { response } = redirected('https://api.example/v2/x', '{"ok":true}', 'application/json');
    await expect(requestJSON('https://api.example/v1/x', { fetch: fakeFetch(response) })).resolves.toEqual({ ok: true });
  });

  it.each(['text/html; charset=utf-8', 'application/xhtml+xml', 'TEXT/HTML'])(
    'a redirect that ends on an HTML page (%s: a sign-in page) is UNAUTHORIZED, as a 401 is',
    async (type) => {
      const { response, text } = redirected('http://127.0.0.1:4173/login/?next=/plugin-io/api/demo_plugin/app/find', '<html><form>Sign in</form></html>', type);
      const error = await failure(requestJSON('/plugin-io/api/demo_plugin/app/find', { fetch: fakeFetch(response) }));
      expect(isCompanionError(error, 'UNAUTHORIZED')).toBe(true);
      expect(error.status).toBe(200);
      expect(text).not.toHaveBeenCalled();
    },
  );

  it('an HTML answer without a redirect is still INVALID_RESPONSE', async () => {
    const answer = () => new Response('<html></html>', { status: 200, headers: { 'content-type': 'text/html' } });
    expect((await failure(requestJSON('/x', { fetch: fakeFetch(answer) }))).code).toBe('INVALID_RESPONSE');
  });
});

describe('the signal option', () => {
  it.each([['a string', 'abort'], ['an object', {}], ['true', true], ['an AbortController', new AbortController()], ['a number', 1]])(
    '%s is a TypeError at once, before anything is sent',
    (_, signal) => {
      const send = fakeFetch();
      expect(() => requestJSON('/x', { signal: signal as unknown as AbortSignal, fetch: send })).toThrow(TypeError);
      expect(() => requestJSON('/x', { signal: signal as unknown as AbortSignal, fetch: send })).toThrow(/signal/);
      expect(send).not.toHaveBeenCalled();
    },
  );

  it('null is no signal, as with fetch', async () => {
    await expect(requestJSON('/x', { signal: null as unknown as AbortSignal, fetch: fakeFetch(json(1)) })).resolves.toBe(1);
  });

  it("a signal from another realm (a frame's, jsdom's) is accepted", async () => {
    const foreign = { aborted: false, reason: undefined, addEventListener() {}, removeEventListener() {} } as unknown as AbortSignal;
    await expect(requestJSON('/x', { signal: foreign, fetch: fakeFetch(json(2)) })).resolves.toBe(2);
  });
});

describe('development warnings', () => {
  it('an unknown option key warns once, naming the nearest known one', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const send = fakeFetch(() => json(1));
    for (let i = 0; i < 3; i++) await requestJSON('/x', { timout: 5, fetch: send } as RequestJSONOptions);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toBe('canvas-companion: requestJSON(): unknown option "timout" (did you mean "timeout"?)');
    await requestJSON('/x', { Method: 'GET', fetch: send } as RequestJSONOptions);
    expect(warn.mock.calls[1]![0]).toMatch(/"Method" \(did you mean "method"\?\)/);
    await requestJSON('/x', { method: 'GET', body: undefined, query: {}, signal: undefined, timeout: 5, fetch: send });
    expect(warn).toHaveBeenCalledTimes(2);
  });
});

describe('the body of an error answer', () => {
  it.each([
    ['a 400 with field errors', json({ errors: { first_name: ['required'] } }, 400), 'HTTP_ERROR', { errors: { first_name: ['required'] } }],
    ['a 409 with duplicates', json({ duplicates: [{ id: 'p-1' }] }, 409), 'HTTP_ERROR', { duplicates: [{ id: 'p-1' }] }],
    ['a 401 with an error', json({ error: 'Session expired' }, 401), 'UNAUTHORIZED', { error: 'Session expired' }],
    ['a 404 with text', new Response('Not found here', { status: 404 }), 'NOT_FOUND', 'Not found here'],
    ['a 502 with an HTML page', new Response('<h1>Bad gateway</h1>', { status: 502 }), 'HTTP_ERROR', '<h1>Bad gateway</h1>'],
    ['a 500 with no body', new Response(null, { status: 500 }), 'HTTP_ERROR', undefined],
    ['a 503 with JSON null', json(null, 503), 'HTTP_ERROR', null],
  ])('%s is carried as error.body', async (_, answer, code, body) => {
    const error = await failure(requestJSON('/x', { fetch: fakeFetch(answer) }));
    expect(error.code).toBe(code);
    expect(error.status).toBe(answer.status);
    expect(error.body).toEqual(body);
  });
});
