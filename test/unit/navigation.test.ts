import { afterEach, describe, expect, it, vi } from 'vitest';
import { isCompanionError } from '../../src/errors.js';
import { acceptPort, resetChannel } from '../../src/channel.js';
import { openPatient, patientPath, patientUrl } from '../../src/navigation.js';

const P = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';

/** A stand-in top window whose location records what it is set to. */
function fakeTop(onSet?: (href: string) => void) {
  const location = { href: 'https://acme.example/companion/' };
  const top = {
    location: {
      get href() {
        return location.href;
      },
      set href(value: string) {
        onSet?.(value);
        location.href = value;
      },
    },
  };
  vi.stubGlobal('top', top);
  return location;
}

const PAGE_ORIGIN = 'http://127.0.0.1:4173';

afterEach(() => {
  vi.unstubAllGlobals();
  resetChannel();
});

/** Hands the library a port as if the host on `origin` had sent INIT_CHANNEL. */
function connectFrom(origin: string) {
  const { port1, port2 } = new MessageChannel();
  port2.close();
  acceptPort(port1, origin);
}

const hostile: unknown[] = [
  '../../../admin',
  `${P}/../../admin`,
  'javascript:alert(document.cookie)',
  '//evil.example/companion/patient/x',
  `${P.slice(0, 8)}%2F..%2F`,
  `${P}?next=https://evil.example`,
  `${P}#x`,
  `${P}\n`,
  `${P}\u0000`,
  '',
  null,
  undefined,
  123,
  { toString: () => P },
  [P],
];

describe('patientPath', () => {
  it('builds the companion path with its trailing slash', () => {
    expect(patientPath(P)).toBe(`/companion/patient/${P}/`);
  });

  it.each(hostile)('throws INVALID_ID for %j', (id) => {
    expect(() => patientPath(id as string)).toThrow(expect.objectContaining({ name: 'CompanionError', code: 'INVALID_ID' }));
  });
});

describe('patientUrl', () => {
  it("is the page's own origin plus the path before any port", () => {
    expect(patientUrl(P)).toBe(`${PAGE_ORIGIN}/companion/patient/${P}/`);
  });

  it('is on the host origin (where the accepted INIT_CHANNEL came from) after it', () => {
    connectFrom('https://acme.canvasmedical.com');
    expect(patientUrl(P)).toBe(`https://acme.canvasmedical.com/companion/patient/${P}/`);
  });

  it("is the root-relative path when the host origin is opaque ('null': a sandboxed host the page allowed, or the test kit in Node)", () => {
    connectFrom('null');
    expect(patientUrl(P)).toBe(`/companion/patient/${P}/`);
  });

  it("is the root-relative path when the page's own origin is opaque, before any port", () => {
    vi.stubGlobal('location', { origin: 'null', href: 'about:srcdoc' });
    expect(patientUrl(P)).toBe(`/companion/patient/${P}/`);
  });

  it('is the path alone outside a browser, with no origin to build on', () => {
    vi.stubGlobal('window', undefined);
    expect(patientUrl(P)).toBe(`/companion/patient/${P}/`);
  });

  it.each(hostile)('throws INVALID_ID for %j', (id) => {
    expect(() => patientUrl(id as string)).toThrow(expect.objectContaining({ code: 'INVALID_ID' }));
  });
});

describe('openPatient', () => {
  it('navigates the top window, not the frame, to the absolute URL on the page origin before a port', () => {
    const location = fakeTop();
    openPatient(P);
    expect(location.href).toBe(`${PAGE_ORIGIN}/companion/patient/${P}/`);
  });

  it('lands on the host origin once the port came from another origin', () => {
    connectFrom('https://acme.canvasmedical.com');
    const location = fakeTop();
    openPatient(P);
    expect(location.href).toBe(`https://acme.canvasmedical.com/companion/patient/${P}/`);
  });

  it("goes to the root-relative path, never to a relative null/companion/…, when the host origin is opaque", () => {
    connectFrom('null');
    const location = fakeTop();
    openPatient(P);
    expect(location.href).toBe(`/companion/patient/${P}/`);
  });

  it.each(hostile)('throws INVALID_ID for %j and leaves the top window where it was', (id) => {
    const location = fakeTop();
    let thrown: unknown;
    try {
      openPatient(id as string);
    } catch (error) {
      thrown = error;
    }
    expect(isCompanionError(thrown, 'INVALID_ID')).toBe(true);
    expect(location.href).toBe('https://acme.example/companion/');
  });

  it('throws NAVIGATION_BLOCKED with the cause when the browser refuses', () => {
    const refusal = new DOMException('not allowed to navigate top', 'SecurityError');
    fakeTop(() => {
      throw refusal;
    });
    let thrown: unknown;
    try {
      openPatient(P);
    } catch (error) {
      thrown = error;
    }
    expect(isCompanionError(thrown, 'NAVIGATION_BLOCKED')).toBe(true);
    expect((thrown as Error).cause).toBe(refusal);
  });

  it('throws NAVIGATION_BLOCKED without a top window', () => {
    vi.stubGlobal('top', null);
    expect(() => openPatient(P)).toThrow(expect.objectContaining({ code: 'NAVIGATION_BLOCKED' }));
  });
});
