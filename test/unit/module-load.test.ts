import { afterEach, describe, expect, it, vi } from 'vitest';

const KEY = Symbol.for('canvas-companion');

afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[KEY];
});

async function importFresh() {
  vi.resetModules();
  return import('../../src/index.js');
}

describe('importing the library', () => {
  it('the built file installs exactly one message listener and does nothing else', async () => {
    delete (globalThis as Record<symbol, unknown>)[KEY];
    const add = vi.spyOn(window, 'addEventListener');
    const docAdd = vi.spyOn(document, 'addEventListener');
    const timeout = vi.spyOn(globalThis, 'setTimeout');
    const interval = vi.spyOn(globalThis, 'setInterval');
    const fetchSpy = vi.fn();
    vi.stubGlobal('fetch', fetchSpy);
    const random = vi.spyOn(Math, 'random');
    const now = vi.spyOn(Date, 'now');
    const before = document.documentElement.outerHTML;
    const warn = vi.spyOn(console, 'warn');
    const fresh = `../../dist/canvas-companion.mjs?fresh=${Date.now()}`;
    now.mockClear();

    vi.resetModules();
    const library = (await import(fresh)) as typeof import('../../src/index.js');

    expect(add).toHaveBeenCalledTimes(1);
    expect(add.mock.calls[0]![0]).toBe('message');
    expect(docAdd).not.toHaveBeenCalled();
    expect(timeout).not.toHaveBeenCalled();
    expect(interval).not.toHaveBeenCalled();
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(random).not.toHaveBeenCalled();
    expect(now).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
    expect(document.documentElement.outerHTML).toBe(before);
    expect(library.isHostConnected()).toBe(false);
  });

  it('a second copy on the page installs no second listener and shares the first one\'s state', async () => {
    delete (globalThis as Record<symbol, unknown>)[KEY];
    const add = vi.spyOn(window, 'addEventListener');
    const first = await importFresh();
    const second = await importFresh();
    expect(second).not.toBe(first);
    expect(add).toHaveBeenCalledTimes(1);
    expect(second.postToHost({ type: 'QUEUED' })).toBe(false);
    const state = (globalThis as Record<symbol, { queue: unknown[] }>)[KEY];
    expect(state?.queue).toEqual([{ type: 'QUEUED' }]);
  });

  it('does nothing outside a browser', async () => {
    delete (globalThis as Record<symbol, unknown>)[KEY];
    vi.stubGlobal('window', undefined);
    const library = await importFresh();
    expect((globalThis as Record<symbol, unknown>)[KEY]).toBeUndefined();
    expect(library.isHostConnected()).toBe(false);
  });
});
