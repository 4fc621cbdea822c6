import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeModal, configure, getContext, isHostConnected, onHostMessage, patientUrl, postToHost, resize, whenHostReady } from 'canvas-companion';
import { connectHost, resetState, type TestHost } from 'canvas-companion/testing';

const PATIENT = '3e1f7a52-8c4d-4b6e-a1f0-2d9c8b7a6e51';
let host: TestHost | undefined;

afterEach(() => {
  host?.reset();
  host = undefined;
  resetState();
  vi.useRealTimers();
});

describe('connectHost', () => {
  it('hands the library a port: the page is connected and whenHostReady resolves', async () => {
    expect(isHostConnected()).toBe(false);
    const ready = whenHostReady({ timeout: Infinity });
    host = connectHost();
    await expect(ready).resolves.toBeUndefined();
    expect(isHostConnected()).toBe(true);
  });

  it('records what the page sends, in order, as soon as the call returns', () => {
    host = connectHost();
    postToHost({ type: 'HELLO', n: 1 });
    resize({ height: 300 });
    resize({ width: 200, height: 400 });
    expect(host.messages).toEqual([{ type: 'HELLO', n: 1 }, { type: 'RESIZE', height: 300 }, { type: 'RESIZE', width: 200, height: 400 }]);
    expect(host.resize).toEqual({ type: 'RESIZE', width: 200, height: 400 });
    expect(host.closed).toBe(false);
  });

  it('gets the messages the page queued before the host came, first and in order', () => {
    postToHost({ type: 'EARLY', n: 1 });
    postToHost({ type: 'EARLY', n: 2 });
    host = connectHost();
    postToHost({ type: 'LATE' });
    expect(host.messages.map((message) => message.n ?? message.type)).toEqual([1, 2, 'LATE']);
  });

  it('is closed after closeModal(), which took the port', async () => {
    host = connectHost();
    await expect(closeModal()).resolves.toBe('port');
    expect(host.closed).toBe(true);
  });

  it('next() resolves with a message already sent, or with the next one to come', async () => {
    host = connectHost();
    postToHost({ type: 'A', n: 1 });
    await expect(host.next('A')).resolves.toEqual({ type: 'A', n: 1 });
    const second = host.next('A');
    const any = host.next();
    postToHost({ type: 'B' });
    postToHost({ type: 'A', n: 2 });
    await expect(second).resolves.toEqual({ type: 'A', n: 2 });
    await expect(any).resolves.toEqual({ type: 'A', n: 1 });
    await expect(host.next()).resolves.toEqual({ type: 'B' });
  });

  it('a closeModal() that waited for the host is answered through the port once it connects', async () => {
    const closing = closeModal({ timeout: Infinity });
    host = connectHost();
    await expect(closing).resolves.toBe('port');
    await expect(host.next('CLOSE_MODAL')).resolves.toEqual({ type: 'CLOSE_MODAL' });
  });

  it('send() reaches the page handlers, and resolves after they ran', async () => {
    host = connectHost();
    const seen: unknown[] = [];
    onHostMessage((message) => seen.push(message));
    await host.send({ type: 'NOTE_TAB_CHANGE', tab: 'vitals' });
    expect(seen).toEqual([{ type: 'NOTE_TAB_CHANGE', tab: 'vitals' }]);
    await host.send({ type: 'NOTE_TAB_CHANGE', tab: 'plan' });
    expect(seen).toHaveLength(2);
  });

  it('messages sent before the page listens wait in the port for its first handler', async () => {
    host = connectHost();
    const delivered = host.send({ type: 'EARLY' });
    const seen: unknown[] = [];
    onHostMessage((message) => seen.push(message));
    await delivered;
    expect(seen).toEqual([{ type: 'EARLY' }]);
  });

  it('uses the page origin by default, and the given origin for navigation', () => {
    host = connectHost();
    expect(host.origin).toBe(location.origin);
    host.reset();
    host = connectHost({ origin: 'https://example.canvasmedical.com' });
    expect(patientUrl(PATIENT)).toBe(`https://example.canvasmedical.com/companion/patient/${PATIENT}/`);
  });

  it('works with fake timers: recording, closeModal, send and next need no timer to fire', async () => {
    vi.useFakeTimers();
    host = connectHost();
    const seen: unknown[] = [];
    onHostMessage((message) => seen.push(message));
    await host.send({ type: 'NOTE_TAB_CHANGE' });
    expect(seen).toHaveLength(1);
    await closeModal();
    await expect(host.next('CLOSE_MODAL')).resolves.toEqual({ type: 'CLOSE_MODAL' });
  });
});

describe('reset', () => {
  it('leaves nothing behind: no port, queue, handler, origin or debug setting', async () => {
    host = connectHost({ origin: 'https://host.example' });
    const seen: unknown[] = [];
    onHostMessage((message) => seen.push(message));
    configure({ allowedOrigins: ['https://other.example'], debug: true });
    host.reset();
    expect(isHostConnected()).toBe(false);
    expect(patientUrl(PATIENT)).toBe(`${location.origin}/companion/patient/${PATIENT}/`);
    postToHost({ type: 'QUEUED_AFTER_RESET' });
    resetState();
    const next = connectHost();
    host = next;
    expect(next.messages).toEqual([]);
    // The earlier handler is gone: a message to the page reaches only handlers added since.
    const fresh: unknown[] = [];
    onHostMessage((message) => fresh.push(message));
    await next.send({ type: 'PING' });
    expect(fresh).toEqual([{ type: 'PING' }]);
    expect(seen).toEqual([]);
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => {});
    postToHost({ type: 'X' });
    expect(debug).not.toHaveBeenCalled();
  });

  it('settles a closeModal() and whenHostReady() still waiting, without reaching the next host or closing the window', async () => {
    const close = vi.spyOn(window, 'close').mockImplementation(() => {});
    const closing = closeModal({ timeout: Infinity });
    const ready = whenHostReady({ timeout: Infinity });
    resetState();
    await expect(closing).resolves.toBe('port');
    await expect(ready).resolves.toBeUndefined();
    host = connectHost();
    expect(host.messages).toEqual([]);
    expect(close).not.toHaveBeenCalled();
  });
});

describe('waits that can no longer be met', () => {
  it('a next() still waiting at reset() rejects with Error("host reset"), and so does a later one', async () => {
    host = connectHost();
    const waiting = host.next('NEVER_SENT');
    host.reset();
    await expect(waiting).rejects.toThrow('host reset');
    await expect(host.next('NEVER_SENT')).rejects.toThrow('host reset');
  });

  it('resetState() without the host rejects its waiting next() and send() too', async () => {
    host = connectHost();
    const waiting = host.next();
    // No handler yet: the message waits in the port, and so does send().
    const sending = host.send({ type: 'PING' });
    resetState();
    await expect(waiting).rejects.toThrow('host reset');
    await expect(sending).rejects.toThrow('host reset');
  });

  it('send() and next() on a host whose port a second connectHost() took reject with Error("host replaced")', async () => {
    const first = connectHost();
    const pending = first.send({ type: 'PING' });
    const waiting = first.next('CLOSE_MODAL');
    host = connectHost();
    await expect(pending).rejects.toThrow('host replaced');
    await expect(waiting).rejects.toThrow('host replaced');
    await expect(first.send({ type: 'PING' })).rejects.toThrow('host replaced');
    // The new host is the page's.
    const seen: unknown[] = [];
    onHostMessage((message) => seen.push(message));
    await host.send({ type: 'PONG' });
    expect(seen).toEqual([{ type: 'PONG' }]);
  });
});

describe('two copies of the kit on one page (ESM and CJS)', () => {
  // The CommonJS copy, as a jest suite or a require() in a setup file loads it, next to the ESM one.
  const cjs = createRequire(import.meta.url)('../../dist/testing.cjs') as typeof import('canvas-companion/testing');

  it("a host from one copy replaced by the other's connectHost(): its pending next() and send() reject with Error(\"host replaced\")", async () => {
    const first = connectHost();
    const pending = first.send({ type: 'PING' });
    const waiting = first.next('CLOSE_MODAL');
    host = cjs.connectHost();
    await expect(pending).rejects.toThrow('host replaced');
    await expect(waiting).rejects.toThrow('host replaced');
    await expect(first.next()).rejects.toThrow('host replaced');
    // And the other way round.
    const second = host;
    const stillWaiting = second.next('NEVER_SENT');
    host = connectHost();
    await expect(stillWaiting).rejects.toThrow('host replaced');
    await expect(closeModal()).resolves.toBe('port');
    expect(host.closed).toBe(true);
    expect(second.closed).toBe(false);
  });

  it("reset() on a replaced host ends only its own calls: the current host's port, handlers, queue and options stay", async () => {
    const first = cjs.connectHost();
    const firstWaiting = first.next('NEVER_SENT');
    host = connectHost({ origin: 'https://host.example' });
    const seen: unknown[] = [];
    onHostMessage((message) => seen.push(message));
    configure({ allowedOrigins: ['https://other.example'] });
    const waiting = host.next('LATER');
    first.reset();
    await expect(firstWaiting).rejects.toThrow('host replaced');
    expect(isHostConnected()).toBe(true);
    expect(patientUrl(PATIENT)).toBe(`https://host.example/companion/patient/${PATIENT}/`);
    await host.send({ type: 'STILL_HERE' });
    expect(seen).toEqual([{ type: 'STILL_HERE' }]);
    postToHost({ type: 'LATER' });
    await expect(waiting).resolves.toEqual({ type: 'LATER' });
    // Within one copy too.
    const replaced = connectHost();
    const current = connectHost();
    replaced.reset();
    expect(isHostConnected()).toBe(true);
    postToHost({ type: 'TO_CURRENT' });
    expect(current.messages).toEqual([{ type: 'TO_CURRENT' }]);
    host = current;
  });

  it("either copy's resetState() ends the host the other copy connected", async () => {
    host = connectHost();
    const waiting = host.next('NEVER_SENT');
    cjs.resetState();
    await expect(waiting).rejects.toThrow('host reset');
    expect(isHostConnected()).toBe(false);
  });
});

it('getContext() is not changed by connectHost', () => {
  host = connectHost();
  expect(getContext().scope).toBe('global');
});
