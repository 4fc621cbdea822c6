// The built files outside a browser (SSR, Node tooling): importing the ESM file and requiring
// the CJS (UMD) file, then calling every export, never throws a ReferenceError. Runs in plain
// Node (no window, location or document); real files, not the sources.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

type Library = typeof import('../../src/index.js');

const P = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
const require = createRequire(import.meta.url);

const builds: Array<[string, () => Promise<Library>]> = [
  ['ESM (dist/canvas-companion.mjs)', () => import('../../dist/canvas-companion.mjs') as Promise<Library>],
  ['CJS (dist/canvas-companion.umd.js)', async () => require('../../dist/canvas-companion.umd.js') as Library],
];

/** A fetch that answers every request with `body` as JSON. */
const answering = (body: unknown, status = 200) => async () => new Response(JSON.stringify(body), { status });

/** Runs `call`, and fails the test only if it throws (or rejects with) a ReferenceError. */
async function outcome(call: () => unknown): Promise<unknown> {
  try {
    return await call();
  } catch (error) {
    expect(error).not.toBeInstanceOf(ReferenceError);
    return error;
  }
}

describe.each(builds)('%s in Node', (_, load) => {
  it('runs without a browser', () => {
    expect(typeof window).toBe('undefined');
    expect(typeof location).toBe('undefined');
  });

  it('reads no launch context: global scope, not embedded, no plugin', async () => {
    const library = await load();
    expect(library.getContext()).toMatchObject({ scope: 'global', patientId: null, noteId: null });
    expect(library.getContext(`https://x.example/p?patient_id=${P}`).scope).toBe('patient');
    expect(library.isEmbedded()).toBe(false);
    expect(library.pluginName()).toBeNull();
    expect(library.applyScope().scope).toBe('global');
    expect(library.isValidId(P)).toBe(true);
  });

  it('has no host: closeModal falls back, whenHostReady times out, messages queue', async () => {
    const library = await load();
    expect(library.isHostConnected()).toBe(false);
    await expect(library.closeModal({ timeout: 0 })).resolves.toBe('window');
    await expect(library.whenHostReady({ timeout: 0 })).rejects.toMatchObject({ code: 'HOST_TIMEOUT' });
    expect(library.postToHost({ type: 'READY' })).toBe(false);
    expect(() => library.resize({ height: 100 })).not.toThrow();
    expect(typeof library.onHostMessage(() => {})).toBe('function');
    expect(() => library.configure({ allowedOrigins: ['https://acme.example'], debug: false })).not.toThrow();
  });

  it('navigation: paths build, the top window cannot be navigated', async () => {
    const library = await load();
    expect(library.patientPath(P)).toBe(`/companion/patient/${P}/`);
    expect(library.patientUrl(P)).toBe(`/companion/patient/${P}/`);
    expect(await outcome(() => library.openPatient(P))).toMatchObject({ code: 'NAVIGATION_BLOCKED' });
  });

  it('HTTP and effects work with an injected fetch; without a plugin name apiUrl says so', async () => {
    const library = await load();
    expect(await outcome(() => library.apiUrl('/app/'))).toBeInstanceOf(TypeError);
    expect(library.apiUrl('/app/', { plugin: 'my_plugin' })).toBe('/plugin-io/api/my_plugin/app/');
    await expect(library.requestJSON('http://127.0.0.1:9/x', { fetch: answering({ ok: 1 }) })).resolves.toEqual({ ok: 1 });
    const fetch = async (url: RequestInfo | URL, init?: RequestInit) =>
      init?.method === 'POST' ? new Response(JSON.stringify({ lookup_params: {} }), { status: 202 }) : new Response(JSON.stringify({ id: 'r-1' }));
    await expect(library.createAndFind({ create: 'http://127.0.0.1:9/c', find: 'http://127.0.0.1:9/f', interval: 0, fetch })).resolves.toBe('r-1');
    await expect(library.findCreated({}, { find: 'http://127.0.0.1:9/f', interval: 0, fetch })).resolves.toBe('r-1');
  });

  it('realtime: subscribe and socketUrl throw their documented TypeError', async () => {
    const library = await load();
    expect(await outcome(() => library.subscribe('x', () => {}, { plugin: 'p' }))).toBeInstanceOf(TypeError);
    expect(await outcome(() => library.socketUrl('x', { plugin: 'p' }))).toBeInstanceOf(TypeError);
  });

  it('errors', async () => {
    const library = await load();
    const error = new library.CompanionError('HTTP_ERROR', 'x', { status: 409, body: { duplicates: [] } });
    expect(library.isCompanionError(error, 'HTTP_ERROR')).toBe(true);
    expect(error.body).toEqual({ duplicates: [] });
  });
});
