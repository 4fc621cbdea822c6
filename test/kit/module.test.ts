// Importing the kit, before or after the library, leaves one window listener and one state.
import { afterEach, expect, it, vi } from 'vitest';

const STATE = Symbol.for('canvas-companion');
const globals = globalThis as Record<symbol, unknown>;

afterEach(() => {
  vi.restoreAllMocks();
  vi.resetModules();
});

function messageListeners() {
  const added = vi.spyOn(window, 'addEventListener');
  return () => added.mock.calls.filter(([type]) => type === 'message').length;
}

it('after the library: installs no second listener, and shares the library state', async () => {
  delete globals[STATE];
  const count = messageListeners();
  const library = await import('canvas-companion');
  const state = globals[STATE];
  const kit = await import('canvas-companion/testing');
  expect(count()).toBe(1);
  expect(globals[STATE]).toBe(state);
  const host = kit.connectHost();
  expect(library.isHostConnected()).toBe(true);
  host.reset();
  expect(library.isHostConnected()).toBe(false);
});

it('before the library: still one listener, and the library sees the kit host', async () => {
  delete globals[STATE];
  const count = messageListeners();
  const kit = await import('canvas-companion/testing');
  const library = await import('canvas-companion');
  expect(count()).toBe(1);
  const host = kit.connectHost();
  library.postToHost({ type: 'HELLO' });
  expect(host.messages).toEqual([{ type: 'HELLO' }]);
  host.reset();
});
