import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { apiUrl, closeModal, getContext, isCompanionError, onHostMessage, postToHost, requestJSON, resize } from 'canvas-companion';
import {
  connectHost,
  mockPlatform,
  replayTrace,
  resetState,
  type MockPlatform,
  type TestHost,
  type Trace,
  type TraceMessage,
  type TraceReplay,
  type TraceRequest,
} from 'canvas-companion/testing';

// A session of the demo plugin as the workbench exports it: the note app "Vitals" (two tab
// changes from the shell; a POST refused, one cut by an injected failure, one accepted; then
// VITALS_SAVED and CLOSE_MODAL), then the patient app "Tasks".
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'traces', 'vitals-session.json');
const TEXT = readFileSync(FIXTURE, 'utf8');
const fixture = (): Trace => JSON.parse(TEXT);

const PATIENT = '3e1f7a528c4d4b6ea1f02d9c8b7a6e51';
const NOTE = '0c0ffee0-0000-4000-8000-000000000001';
const VITALS = '/plugin-io/api/demo_plugin/app/vitals';
const VITALS_URL = `${VITALS}?patient_id=${PATIENT}&note_id=${NOTE}`;
const start = location.href;
const realFetch = globalThis.fetch;

let replay: TraceReplay | undefined;
let host: TestHost | undefined;
let platform: MockPlatform | undefined;
const warn = vi.fn();

/** A replay of the fixture (or of `trace`) that logs into `warn`. */
function replayOf(trace: Trace | string = TEXT, options: Parameters<typeof replayTrace>[1] = {}): TraceReplay {
  replay = replayTrace(trace, { log: warn, ...options });
  return replay;
}

afterEach(() => {
  replay?.restore();
  replay = undefined;
  platform?.close();
  platform = undefined;
  host?.reset();
  host = undefined;
  resetState();
  warn.mockReset();
  document.body.replaceChildren();
  history.replaceState(null, '', start);
});

describe('the fixture', () => {
  // Every key of the format, and no other (the type checks below fail when trace.ts changes).
  const MESSAGE_KEYS = ['at', 'dir', 'app', 'app_id', 'type', 'data', 'detail', 'url', 'via'] as const;
  const REQUEST_KEYS = ['id', 'at', 'ms', 'session', 'plugin', 'method', 'path', 'query', 'status', 'source', 'route', 'conditions', 'request', 'response'] as const;
  const TRACE_KEYS = ['format', 'version', 'exported_at', 'harness', 'session', 'messages', 'requests', 'effects', 'sockets'] as const;
  expectTypeOf<(typeof MESSAGE_KEYS)[number]>().toEqualTypeOf<keyof TraceMessage>();
  expectTypeOf<(typeof REQUEST_KEYS)[number]>().toEqualTypeOf<keyof TraceRequest>();
  expectTypeOf<(typeof TRACE_KEYS)[number]>().toEqualTypeOf<keyof Trace>();

  it('is shaped as src/platform/trace.ts says', () => {
    const trace = fixture();
    expect(Object.keys(trace).sort()).toEqual([...TRACE_KEYS].sort());
    for (const message of trace.messages) {
      expect(MESSAGE_KEYS).toEqual(expect.arrayContaining(Object.keys(message)));
      // `url` only on the note that opened a frame; `via` only on messages that travelled.
      const optional = Number(message.url === undefined) + Number(message.via === undefined);
      expect(Object.keys(message)).toHaveLength(MESSAGE_KEYS.length - optional);
      expect(message.via === undefined).toBe(message.dir === 'info');
    }
    for (const request of trace.requests) expect(Object.keys(request).sort()).toEqual([...REQUEST_KEYS].sort());
  });
});

describe('reading a trace', () => {
  it('takes the JSON text or the object, and the app of the first frame opened by default', () => {
    for (const input of [TEXT, fixture()]) {
      const { app, url, hostMessages, pageMessages, trace } = replayOf(input);
      expect(app).toBe('demo_plugin:note:vitals');
      expect(url).toBe(VITALS_URL);
      // INIT_CHANNEL is left out: connectHost() stands for it.
      expect(hostMessages).toEqual([
        { type: 'NOTE_TAB_CHANGE', tab: 'note', patient: { id: PATIENT } },
        { type: 'NOTE_TAB_CHANGE', tab: 'demo_plugin:note:vitals', patient: { id: PATIENT } },
      ]);
      // The CLOSE_MODAL posted to window.parent (which Canvas ignores) is left out.
      expect(pageMessages).toEqual([{ type: 'RESIZE', height: 388 }, { type: 'VITALS_SAVED', note_id: NOTE }, { type: 'CLOSE_MODAL' }]);
      expect(trace.effects[0]?.type).toBe('ORIGINATE_VITALS_COMMAND');
    }
  });

  it('replays another app with { app }, and lists the trace\'s apps for one it does not have', () => {
    const tasks = replayOf(TEXT, { app: 'demo_plugin:patient:tasks' });
    expect(tasks.url).toBe(`/plugin-io/api/demo_plugin/app/tasks?patient_id=${PATIENT}`);
    expect(tasks.hostMessages).toEqual([]);
    expect(tasks.pageMessages).toEqual([{ type: 'RESIZE', height: 520 }]);
    expect(() => replayTrace(TEXT, { app: 'demo_plugin:note:vital' })).toThrow(
      'replayTrace(): the trace has no app "demo_plugin:note:vital"; its apps: "demo_plugin:note:vitals" (Vitals), "demo_plugin:patient:tasks" (Tasks)',
    );
    expect(() => replayTrace(TEXT, { app: 3 as unknown as string })).toThrow(TypeError);
  });

  it('asks for { app } when no frame was opened and several apps are in the trace', () => {
    const trace = fixture();
    trace.messages = trace.messages.filter((message) => message.dir !== 'info');
    expect(() => replayTrace(trace)).toThrow(/opened no frame, and has several apps: pass \{ app \}, one of "demo_plugin:note:vitals" \(Vitals\)/);
    const chosen = replayTrace(trace, { app: 'demo_plugin:note:vitals' });
    expect(chosen.url).toBeNull();
    expect(() => chosen.launch()).toThrow(/no launch URL for "demo_plugin:note:vitals"/);
    // A trace without messages still replays its requests.
    expect(replayTrace({ ...trace, messages: [] }).app).toBeNull();
  });

  it('refuses what is not a version 1 trace, saying what it expected and what it got', () => {
    const changed = (change: Record<string, unknown>) => ({ ...fixture(), ...change }) as unknown as Trace;
    expect(() => replayTrace(changed({ format: 'har' }))).toThrow('replayTrace(): format: expected "canvas-companion-trace", got "har"');
    const { format, version, exported_at, messages, ...answer } = fixture();
    expect(() => replayTrace(answer as unknown as Trace)).toThrow(/format: expected "canvas-companion-trace" \(GET \/companion\/api\/trace answers a part of it/);
    expect(() => replayTrace(changed({ version: 2 }))).toThrow('replayTrace(): unknown trace version 2: this canvas-companion/testing reads version 1');
    expect(() => replayTrace(changed({ requests: undefined }))).toThrow('replayTrace(): trace.requests: expected an array, got undefined');
    expect(() => replayTrace(changed({ sockets: {} }))).toThrow('replayTrace(): trace.sockets: expected an array, got {}');
    expect(() => replayTrace('{"format": ')).toThrow(/^replayTrace\(\): the text is not JSON/);
    expect(() => replayTrace(42 as unknown as string)).toThrow(/expected a Trace object or its JSON text .*, got 42/);
    const bad = fixture();
    (bad.requests[2] as { status: unknown }).status = '400';
    expect(() => replayTrace(bad)).toThrow('replayTrace(): trace.requests[2].status: expected null (no answer) or a status from 200 to 599, got "400"');
    const badMessage = fixture();
    badMessage.messages[3]!.data = 'NOTE_TAB_CHANGE';
    expect(() => replayTrace(badMessage)).toThrow('replayTrace(): trace.messages[3].data: expected a message { type: string }, got "NOTE_TAB_CHANGE"');
    for (const thrown of [() => replayTrace(changed({ version: 2 })), () => replayTrace(TEXT, { log: 'x' as unknown as () => void })]) expect(thrown).toThrow(TypeError);
  });
});

describe('fetch', () => {
  const post = (fetch: typeof globalThis.fetch, bp_sys: number, url = VITALS_URL) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ bp_sys, bp_dia: 80 }) });

  it('answers identical requests with the recorded answers in order, then the last one again; no answer rejects as a browser does', async () => {
    const { fetch, requests } = replayOf();
    const refused = await post(fetch, 300);
    expect([refused.status, await refused.json()]).toEqual([400, { error: 'bp_sys must be a whole number from 50 to 260' }]);
    await expect(post(fetch, 130)).rejects.toThrow(new TypeError('Failed to fetch'));
    const accepted = await post(fetch, 130);
    expect([accepted.status, await accepted.json()]).toEqual([202, { status: 'submitted' }]);
    const again = await post(fetch, 130);
    expect([again.status, await again.json()]).toEqual([202, { status: 'submitted' }]);
    expect(requests.map(({ method, path, status, answer }) => [method, path, status, answer?.id])).toEqual([
      ['POST', VITALS, 400, 43],
      ['POST', VITALS, null, 44],
      ['POST', VITALS, 202, 45],
      ['POST', VITALS, 202, 45],
    ]);
    expect(requests[0]).toMatchObject({ query: `?patient_id=${PATIENT}&note_id=${NOTE}`, body: '{"bp_sys":300,"bp_dia":80}' });
  });

  it('gives each replay its own count, so a test can start again', async () => {
    expect((await post(replayOf().fetch, 1)).status).toBe(400);
    expect((await post(replayOf().fetch, 1)).status).toBe(400);
  });

  it('matches the query whatever the order of its parameters, without the ignored ones', async () => {
    const { fetch } = replayOf(TEXT, { ignoreParams: ['_'] });
    expect((await post(fetch, 300, `${VITALS}?note_id=${NOTE}&patient_id=${PATIENT}&_=1733320000`)).status).toBe(400);
    await expect(post(fetch, 130, `${location.origin}${VITALS}?_=2&note_id=${NOTE}&patient_id=${PATIENT}`)).rejects.toThrow('Failed to fetch');
    expect((await post(fetch, 130, `${VITALS}?patient_id=${PATIENT}&note_id=${NOTE}&_=3`)).status).toBe(202);
    // Without ignoreParams, the parameter is part of the request.
    expect((await post(replayOf().fetch, 300, `${VITALS_URL}&_=1`)).status).toBe(404);
  });

  it('answers a request the trace never saw with a 404 naming the nearest recorded ones, and logs it', async () => {
    const { fetch, requests } = replayOf();
    const missing = await fetch(`${VITALS}?patient_id=${PATIENT}`);
    expect(missing.status).toBe(404);
    const { error } = await missing.json();
    expect(error).toBe(
      `canvas-companion/testing: the trace has no answer for GET ${VITALS}?patient_id=${PATIENT} (recorded near it: GET ${VITALS_URL}, POST ${VITALS_URL}, GET /plugin-io/api/demo_plugin/app/me)`,
    );
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^404 the trace has no answer for GET \/plugin-io\/api\/demo_plugin\/app\/vitals\?/));
    const typo = await (await fetch('/plugin-io/api/demo_plugin/app/vital', { method: 'POST', body: '{}' })).json();
    expect(typo.error).toMatch(new RegExp(`recorded near it: POST ${VITALS}\\?`));
    const other = await (await fetch('/plugin-io/api/other_plugin/app/x')).json();
    expect(other.error).toMatch(/\(it recorded no request under \/plugin-io\/api\/other_plugin\/\)$/);
    expect(requests.map(({ status, answer }) => [status, answer])).toEqual([[404, null], [404, null], [404, null]]);
    expect(requests[1]).toMatchObject({ method: 'POST', body: '{}' });
    // The library reads the { error } as the error's message.
    const caught = await requestJSON('/plugin-io/api/demo_plugin/app/nothing', { fetch }).catch((failure: unknown) => failure);
    expect(isCompanionError(caught, 'NOT_FOUND') && caught.message).toMatch(/the trace has no answer for GET \/plugin-io\/api\/[^ ]+\/app\/nothing/);
  });

  it('keeps the recorded headers but those of the bytes on the wire, and says when a body was cut', async () => {
    const { fetch } = replayOf();
    const me = await fetch('/plugin-io/api/demo_plugin/app/me');
    expect(me.headers.get('content-type')).toBe('application/json');
    expect(me.headers.get('content-length')).toBeNull();
    expect(await me.json()).toEqual({ id: '5f0a2c613b7e4d0a9c550c8e1a6b2d11', name: 'Dr. Ada Moreno', type: 'Staff' });
    expect(warn).not.toHaveBeenCalled();
    const page = await fetch(VITALS_URL);
    expect(await page.text()).toMatch(/^<!doctype html>/);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(`GET ${VITALS_URL}: answering with the body the trace cut`));
  });

  it('rejects another origin, and honours signal', async () => {
    const { fetch } = replayOf();
    await expect(fetch('https://example.com/plugin-io/api/demo_plugin/app/me')).rejects.toThrow(TypeError);
    const controller = new AbortController();
    controller.abort(new Error('left the page'));
    await expect(fetch('/plugin-io/api/demo_plugin/app/me', { signal: controller.signal })).rejects.toThrow('left the page');
    // Aborted before it was sent, it never reached the server: no recorded answer is used up.
    expect(replay!.requests).toEqual([]);
    const inFlight = new AbortController();
    const pending = fetch('/plugin-io/api/demo_plugin/app/me', { signal: inFlight.signal });
    inFlight.abort(new Error('unmounted'));
    await expect(pending).rejects.toThrow('unmounted');
    expect(replay!.requests.map(({ path, status }) => [path, status])).toEqual([['/plugin-io/api/demo_plugin/app/me', 200]]);
  });
});

describe('install(), launch() and reset', () => {
  it('install() puts its fetch on globalThis, restore() puts the old one back', async () => {
    const restore = replayOf().install();
    expect(globalThis.fetch).toBe(replay!.fetch);
    expect(await requestJSON('/plugin-io/api/demo_plugin/app/me')).toMatchObject({ name: 'Dr. Ada Moreno' });
    restore();
    expect(globalThis.fetch).toBe(realFetch);
  });

  it('one fake backend at a time: a replay and a mock platform refuse to install over each other', () => {
    platform = mockPlatform({ log: warn });
    platform.install();
    expect(() => replayOf().install()).toThrow('another mockPlatform() or replayTrace() is installed on globalThis');
    platform.close();
    replay!.install();
    expect(() => mockPlatform({ log: warn }).install()).toThrow(/is installed on globalThis/);
    expect(() => replayTrace(TEXT).install()).toThrow(/another mockPlatform\(\) or replayTrace\(\)/);
    expect(globalThis.fetch).toBe(replay!.fetch);
  });

  it('launch() opens the recorded URL, which host.reset() and resetState() put back', () => {
    const { launch } = replayOf();
    expect(launch()).toBe(`${location.origin}${VITALS_URL}`);
    expect(getContext()).toMatchObject({ scope: 'note', patientId: PATIENT, noteId: NOTE });
    expect(apiUrl('/app/vitals')).toBe(VITALS);
    host = connectHost();
    host.reset();
    expect(location.href).toBe(start);
    replayOf(TEXT, { app: 'demo_plugin:patient:tasks' }).launch();
    expect(getContext()).toMatchObject({ scope: 'patient', patientId: PATIENT });
    resetState();
    expect(location.href).toBe(start);
  });

  it('launch() refuses a recorded URL that is not a companion page', () => {
    const trace = fixture();
    trace.messages[0]!.url = 'https://pages.example.com/vitals';
    expect(() => replayTrace(trace).launch()).toThrow('not under /plugin-io/api/<plugin>/');
  });
});

describe('host messages', () => {
  it('sendHostMessages() sends the shell\'s messages to the page\'s onHostMessage(), in order', async () => {
    const { sendHostMessages } = replayOf();
    host = connectHost();
    const heard: unknown[] = [];
    onHostMessage((message) => heard.push(message));
    await sendHostMessages(host);
    expect(heard).toEqual(replay!.hostMessages);
    expect(heard.map((message) => (message as { tab: string }).tab)).toEqual(['note', 'demo_plugin:note:vitals']);
    await expect(sendHostMessages({} as TestHost)).rejects.toThrow('replayTrace(): sendHostMessages(host): expected a TestHost (from connectHost()), got {}');
  });
});

/**
 * The Vitals page as its author wrote it, on the library: reads its launch, says its height,
 * shows who is signed in, hears tab changes, saves vitals into the note, then closes.
 */
function mountVitalsPage(root: HTMLElement) {
  const context = getContext();
  const who = root.appendChild(document.createElement('p'));
  const status = root.appendChild(document.createElement('p'));
  const tabs: string[] = [];
  const stop = onHostMessage((message) => {
    if (message.type === 'NOTE_TAB_CHANGE') tabs.push(String(message.tab));
  });
  resize({ height: 388 });
  const ready = requestJSON<{ name: string }>(apiUrl('/app/me')).then((staff) => {
    who.textContent = staff.name;
  });
  async function save(values: { bp_sys: number; bp_dia: number }): Promise<void> {
    if (context.scope !== 'note') return;
    try {
      await requestJSON(apiUrl('/app/vitals', { query: { patient_id: context.patientId, note_id: context.noteId } }), { body: values });
    } catch (error) {
      status.textContent = isCompanionError(error, 'NETWORK_ERROR') ? 'No connection: try again.' : isCompanionError(error) ? error.message : String(error);
      return;
    }
    status.textContent = 'Saved.';
    postToHost({ type: 'VITALS_SAVED', note_id: context.noteId });
    await closeModal();
  }
  return { who, status, tabs, ready, save, unmount: stop };
}

describe('a page tested against the trace', () => {
  it('gets the recorded answers and messages, and sends what it sent then', async () => {
    replay = replayTrace(readFileSync(FIXTURE, 'utf8'), { log: warn });
    replay.launch();
    replay.install();
    host = connectHost();
    const page = mountVitalsPage(document.body);
    await page.ready;
    expect(page.who.textContent).toBe('Dr. Ada Moreno');
    await replay.sendHostMessages(host);
    expect(page.tabs).toEqual(['note', 'demo_plugin:note:vitals']);

    await page.save({ bp_sys: 300, bp_dia: 80 });
    expect(page.status.textContent).toBe('bp_sys must be a whole number from 50 to 260');
    await page.save({ bp_sys: 130, bp_dia: 80 });
    expect(page.status.textContent).toBe('No connection: try again.');
    expect(host.closed).toBe(false);
    await page.save({ bp_sys: 130, bp_dia: 80 });
    expect(page.status.textContent).toBe('Saved.');

    expect(host.messages).toEqual(replay.pageMessages);
    // And the requests it made are those of the trace (the page's own GET was the iframe's).
    expect(replay.requests.map(({ method, path, body }) => `${method} ${path} ${body ?? ''}`)).toEqual(
      replay.trace.requests.filter(({ id }) => id >= 42 && id <= 45).map(({ method, path, request }) => `${method} ${path} ${request.body ?? ''}`),
    );
    page.unmount();
  });
});
