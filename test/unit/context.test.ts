import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyScope, getContext, isEmbedded, isValidId } from '../../src/context.js';

const P = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
const N = 'A1B2C3D4E5F60718293A4B5C6D7E8F90';
const base = 'https://acme.canvasmedical.com/plugin-io/api/tasks/app/tasks';

function quiet() {
  return vi.spyOn(console, 'warn').mockImplementation(() => {});
}

afterEach(() => {
  document.documentElement.removeAttribute('data-companion-scope');
});

describe('isValidId', () => {
  it.each([P, P.toUpperCase(), P.replaceAll('-', ''), N])('accepts %s', (id) => expect(isValidId(id)).toBe(true));
  it.each([
    '',
    'abc',
    `${P}x`,
    ` ${P}`,
    P.slice(0, 35),
    '3f2504e0-4f8911d3-9a0c-0305e82c3301', // some dashes but not all four
    'g'.repeat(32),
    42,
    null,
  ])('refuses %j', (id) => expect(isValidId(id)).toBe(false));
});

describe('getContext', () => {
  it('is global without IDs, and keeps the other query parameters', () => {
    const context = getContext(`${base}?view=mine`);
    expect(context).toMatchObject({ scope: 'global', patientId: null, noteId: null });
    expect(context.params.get('view')).toBe('mine');
  });

  it('is patient scope with a patient ID, returned as given', () => {
    expect(getContext(`${base}?patient_id=${P.toUpperCase()}`)).toMatchObject({ scope: 'patient', patientId: P.toUpperCase(), noteId: null });
  });

  it('is note scope with both IDs', () => {
    expect(getContext(`${base}?patient_id=${P}&note_id=${N}`)).toMatchObject({ scope: 'note', patientId: P, noteId: N });
  });

  it('reads location.href by default', () => {
    vi.stubGlobal('location', new URL(`${base}?patient_id=${P}`));
    expect(getContext().scope).toBe('patient');
  });

  it('trims values and treats empty ones as absent', () => {
    expect(getContext(`${base}?patient_id=%20${P}%20`).patientId).toBe(P);
    expect(getContext(`${base}?patient_id=&note_id=`).scope).toBe('global');
  });

  it('accepts a repeated identical value and refuses conflicting repeats', () => {
    expect(getContext(`${base}?patient_id=${P}&patient_id=${P}`).patientId).toBe(P);
    expect(getContext(`${base}?patient_id=${P}&patient_id=${N}`).scope).toBe('global');
    expect(getContext(`${base}?patient_id=${P}&note_id=${N}&note_id=${P}`)).toMatchObject({ scope: 'patient', noteId: null });
  });

  it.each(['../../admin', 'javascript:alert(1)', '1234', `${P}/../x`, `${P}%00`, `${P}&x`])('treats a malformed ID %j as absent', (bad) => {
    expect(getContext(`${base}?patient_id=${encodeURIComponent(bad)}`).scope).toBe('global');
  });

  it('ignores a fragment, and reads a query without a path', () => {
    expect(getContext(`${base}#patient_id=${P}`).scope).toBe('global');
    expect(getContext(`${base}?x=1#?patient_id=${P}`).scope).toBe('global');
  });

  it('parses an odd query as the URL standard does: in ??patient_id= the parameter is named ?patient_id (global, as Django sees it)', () => {
    const context = getContext(`${base}??patient_id=${P}`);
    expect(context.scope).toBe('global');
    expect(context.params.get('?patient_id')).toBe(P);
    expect([...context.params.keys()]).toEqual([...new URL(`${base}??patient_id=${P}`).searchParams.keys()]);
    expect(getContext(`${base}???patient_id=${P}&note_id=${N}`).scope).toBe('global');
    // One "?" is the query's own, wherever the query starts.
    expect(getContext(`?patient_id=${P}`).scope).toBe('patient');
    expect(getContext(`${base}?&patient_id=${P}`).scope).toBe('patient');
    expect(getContext(`${base}?x=?&patient_id=${P}`).scope).toBe('patient');
  });

  it('keeps patient scope when only the note ID is malformed', () => {
    expect(getContext(`${base}?patient_id=${P}&note_id=nope`)).toMatchObject({ scope: 'patient', noteId: null });
  });

  it('treats a note ID without a patient ID as an invalid launch: global scope and one warning', () => {
    const warn = quiet();
    expect(getContext(`${base}?note_id=${N}`)).toMatchObject({ scope: 'global', noteId: null });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/note_id/);
  });

  it.each([
    ['raw', `${base}?patient_id=${P}¬e_id=${N}`],
    ['percent-encoded', `${base}?patient_id=${P}%C2%ACe_id=${N}`],
  ])('reads the %s "¬e_id=" mis-encoding as note_id, with one warning saying how to fix it', (_, url) => {
    const warn = quiet();
    const context = getContext(url);
    expect(context).toMatchObject({ scope: 'note', patientId: P, noteId: N });
    expect(context.params.get('note_id')).toBe(N);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain('&note_id=');
  });

  it('repairs only the note parameter the docs garble', () => {
    quiet();
    expect(getContext(`${base}?patient_id=${P}¬es=x`).params.get('notes')).toBeNull();
  });

  it('uses configured parameter names', () => {
    const context = getContext(`${base}?pid=${P}&nid=${N}&patient_id=nope`, { patientParam: 'pid', noteParam: 'nid' });
    expect(context).toMatchObject({ scope: 'note', patientId: P, noteId: N });
  });

  it('never throws, even for junk input', () => {
    expect(getContext('http://[::1').scope).toBe('global');
    expect(getContext(new URL(`${base}?patient_id=${P}`)).scope).toBe('patient');
    expect(getContext(undefined as never).scope).toBe('global');
    expect(getContext(`?patient_id=${P}`).scope).toBe('patient');
  });
});

describe('getContext never throws, whatever it is given', () => {
  it('reads a fragment as no query, whatever precedes it', () => {
    expect(getContext(`#x&patient_id=${P}`).scope).toBe('global');
    expect(getContext(`${base}#x&patient_id=${P}`).scope).toBe('global');
    expect(getContext(`${base}#?patient_id=${P}`).scope).toBe('global');
    expect(getContext(`${base}?view=1#&patient_id=${P}`)).toMatchObject({ scope: 'global' });
    expect(getContext(`?patient_id=${P}#note_id=${N}`)).toMatchObject({ scope: 'patient', noteId: null });
  });

  const hostile: Array<[string, unknown]> = [
    ['an object whose toString throws', { toString: () => { throw new Error('no'); } }],
    ['Object.create(null)', Object.create(null)],
    ['a Proxy that throws on every access', new Proxy({}, { get: () => { throw new Error('trap'); } })],
    ['a Symbol', Symbol('x')],
  ];
  it.each(hostile)('gives global scope for %s', (_, url) => {
    expect(getContext(url as string)).toMatchObject({ scope: 'global', patientId: null, noteId: null });
  });

  it('gives the usual answer with null or hostile options', () => {
    expect(getContext(`${base}?patient_id=${P}`, null as never).scope).toBe('patient');
    const trap = new Proxy({}, { get: () => { throw new Error('trap'); } });
    expect(getContext(`${base}?patient_id=${P}`, trap).scope).toBe('global');
  });
});

describe('applyScope', () => {
  it('marks the root element with the scope and returns the context', () => {
    const context = getContext(`${base}?patient_id=${P}`);
    expect(applyScope(context)).toBe(context);
    expect(document.documentElement.getAttribute('data-companion-scope')).toBe('patient');
  });

  it('marks a given element, reading location by default', () => {
    vi.stubGlobal('location', new URL(`${base}?patient_id=${P}&note_id=${N}`));
    const root = document.createElement('main');
    expect(applyScope(undefined, root).scope).toBe('note');
    expect(root.getAttribute('data-companion-scope')).toBe('note');
  });
});

describe('isEmbedded', () => {
  it('is false for a top-level page and true in a frame', () => {
    expect(isEmbedded()).toBe(false);
    vi.stubGlobal('top', {});
    expect(isEmbedded()).toBe(true);
  });
});
