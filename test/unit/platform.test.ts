// The mock Canvas platform (src/platform), on its own: no transport, no Node API, in a page
// (happy-dom). The test kit's suites (test/kit) cover it behind fetch and WebSocket, the harness's
// behind HTTP; these cover what neither transport reaches: every check, record and effect type.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { canonicalId, createPlatform, parseBody, type EffectScheduler, type Platform, type PlatformOptions, type Staff } from '../../src/platform/index.js';

const MARIA = '3e1f7a52-8c4d-4b6e-a1f0-2d9c8b7a6e51';
const OPEN_NOTE = '0c0ffee0-0000-4000-8000-000000000001';
const SIGNED_NOTE = '0c0ffee0-0000-4000-8000-000000000002';
const TASK = '7a5c0000-0000-4000-8000-000000000001';
const NOW = new Date('2026-05-05T10:00:00.000Z');

let platform: Platform | undefined;
const log = vi.fn<(line: string) => void>();

function start(options: PlatformOptions = {}): Platform {
  platform = createPlatform({ now: NOW, log, ...options });
  return platform;
}

/** A scheduler that holds every effect until the test lands it. */
function heldScheduler() {
  const held: { land: () => void; after: number; defaulted: boolean; cancelled: boolean }[] = [];
  const schedule: EffectScheduler = (land, after, defaulted) => {
    const entry = { land, after, defaulted, cancelled: false };
    held.push(entry);
    return () => {
      entry.cancelled = true;
    };
  };
  return { held, schedule };
}

afterEach(() => {
  platform?.close();
  platform = undefined;
  log.mockReset();
  vi.useRealTimers();
});

describe('the module', () => {
  it('imports only its own files: no Node API, no other part of the package', () => {
    // Vitest runs from the repository root.
    const dir = join(process.cwd(), 'src', 'platform');
    for (const file of readdirSync(dir)) {
      // Code only: the doc comments show authors `import(…)` types.
      const source = readFileSync(join(dir, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      for (const [, from] of source.matchAll(/\bfrom\s+'([^']+)'/g)) expect(`${file}: ${from}`).toMatch(/: \.\/[\w-]+\.js$/);
      expect(source, file).not.toMatch(/\brequire\(|\bprocess\.|\bBuffer\b|\bimport\(/);
    }
  });
});

describe('ids and bodies', () => {
  it('canonicalId takes dashed or 32-digit UUIDs in any case, and nothing else', () => {
    expect(canonicalId(' 3E1F7A528C4D4B6EA1F02D9C8B7A6E51 ')).toBe(MARIA);
    expect(canonicalId('3e1f7a52-8c4d4b6e-a1f0-2d9c8b7a6e51')).toBe(MARIA);
    for (const bad of ['', 'g'.repeat(32), MARIA.slice(1), 42, null, undefined, {}]) expect(canonicalId(bad)).toBeNull();
  });

  it('parseBody: JSON when the type says so, else text; null when blank; an error for bad JSON', () => {
    expect(parseBody(' \n')).toEqual({ body: null });
    expect(parseBody('{"a":1}', 'application/json; charset=utf-8')).toEqual({ body: { a: 1 } });
    expect(parseBody('{"a":1}', 'application/vnd.api+JSON')).toEqual({ body: { a: 1 } });
    expect(parseBody('{"a":1}')).toEqual({ body: '{"a":1}' });
    expect(parseBody('{', 'application/json')).toEqual({ error: expect.stringContaining('not valid JSON') });
  });

  it('new records get v4 UUIDs, also where crypto.randomUUID is missing (an insecure page)', () => {
    const { patients } = start();
    const v4 = /^[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/;
    expect(patients.add({ first_name: 'With', last_name: 'Crypto', birth_date: '2000-01-01' }).id).toMatch(v4);
    vi.stubGlobal('crypto', {});
    expect(patients.add({ first_name: 'No', last_name: 'Crypto', birth_date: '2000-01-01' }).id).toMatch(v4);
  });
});

describe('the sample chart', () => {
  it('has two frozen staff members, five patients, notes and tasks dated from "now"', () => {
    const { staff, staffMembers, patients, notes, tasks } = start();
    expect(staffMembers.map((s) => s.name)).toEqual(['Dr. Ada Moreno', 'Dr. Sam Okafor']);
    expect(staff).toBe(staffMembers[0]);
    expect(Object.isFrozen(staff)).toBe(true);
    expect(patients.list().map((p) => p.last_name)).toEqual(['Ali', 'Carter', 'Gonzalez', 'Nguyen', 'Tanaka']);
    expect(notes.get(OPEN_NOTE)).toMatchObject({ patient_id: MARIA, date: '2026-05-05', status: 'open', provider: 'Dr. Ada Moreno' });
    expect(notes.list({ patient_id: MARIA.toUpperCase() }).map((n) => n.date)).toEqual(['2026-05-05', '2026-04-14']);
    expect(tasks.get(TASK)).toMatchObject({ due: '2026-05-05', created: NOW.toISOString(), patient: { id: MARIA, name: 'Maria Gonzalez' }, assignee: { id: staff.id, name: 'Dr. Ada Moreno' } });
  });

  it('reads return copies', () => {
    const { patients, notes } = start();
    patients.get(MARIA)!.first_name = 'Changed';
    notes.get(OPEN_NOTE)!.commands.push({ type: 'X', text: '' });
    expect(patients.get(MARIA)!.first_name).toBe('Maria');
    expect(notes.get(OPEN_NOTE)!.commands).toHaveLength(2);
  });
});

describe('records', () => {
  it('patients: find by trimmed, case-insensitive fields and since; add and update check their fields', () => {
    const { patients } = start();
    expect(patients.find({ last_name: ' CARTER ' }).map((p) => p.first_name)).toEqual(['James']);
    expect(patients.find({}, { since: '2026-01-01' })).toEqual([]);
    expect(() => patients.find({}, { since: 'soon' })).toThrow('since "soon" is not a time');
    const added = patients.add({ first_name: ' Kit ', last_name: 'Test', birth_date: '2000-01-01' });
    expect(added).toMatchObject({ first_name: 'Kit', sex: '' });
    expect(patients.find({}, { since: '2026-01-01' })).toEqual([added]);
    expect(patients.update(MARIA, { last_name: 'G', sex: 'O' })).toMatchObject({ first_name: 'Maria', last_name: 'G', sex: 'O' });
    expect(() => patients.add({ first_name: 'A', last_name: 'B', birth_date: '2000-13-01' })).toThrow('birth_date must be a date');
    expect(() => patients.add({ first_name: 'x'.repeat(101), last_name: 'B', birth_date: '2000-01-01' })).toThrow('first_name must be a non-empty string');
    expect(() => patients.update(MARIA, { first_name: ' ' })).toThrow(TypeError);
    expect(() => patients.update('nope', {})).toThrow('patients.update: no patient nope');
  });

  it('notes: add to a patient, commands into open notes only', () => {
    const { notes, staff } = start();
    expect(notes.add({ patient_id: MARIA })).toMatchObject({ type: 'Office visit', status: 'open', provider: staff.name, commands: [] });
    expect(() => notes.add({ patient_id: 'nope' })).toThrow('notes.add: no patient nope');
    expect(notes.addCommand(OPEN_NOTE, { type: 'Vitals', text: 'BP', origin: 'kit' }).commands.at(-1)).toMatchObject({ type: 'Vitals', text: 'BP', origin: 'kit', added: expect.any(String) });
    expect(() => notes.addCommand(SIGNED_NOTE, { type: 'Vitals' })).toThrow('is signed');
    expect(() => notes.addCommand(OPEN_NOTE, { type: '' })).toThrow('needs a type');
    expect(() => notes.addCommand('nope', { type: 'Vitals' })).toThrow('add_command: no note nope');
  });

  it('tasks: open first then by due date; filters; add and update check their fields', () => {
    const { tasks, staff, staffMembers } = start();
    const mine = tasks.list({ assignee_id: staff.id });
    expect(mine.map((t) => t.status)).toEqual(['open', 'open', 'open', 'open', 'completed']);
    expect(mine.slice(0, 4).map((t) => t.due)).toEqual([...mine.slice(0, 4).map((t) => t.due)].sort());
    expect(tasks.list({ patient_id: MARIA, status: 'open' })).toHaveLength(2);
    const other = tasks.add({ title: ' Call ', assignee_id: staffMembers[1]!.id, patient_id: null });
    expect(other).toMatchObject({ title: 'Call', patient: null, assignee: { name: 'Dr. Sam Okafor' }, status: 'open' });
    expect(tasks.add({ title: 'X', assignee_id: 'someone' }).assignee).toEqual({ id: 'someone', name: 'Unknown' });
    expect(() => tasks.add({ title: 'x'.repeat(501) })).toThrow('title must be a non-empty string');
    expect(() => tasks.add({ title: 'X', patient_id: 'nope' })).toThrow('create_task: no patient nope');
    expect(tasks.update(TASK, { status: 'completed', title: ' Done ', due: '2026-06-01' })).toMatchObject({ status: 'completed', title: 'Done', due: '2026-06-01' });
    expect(() => tasks.update(TASK, { status: 'closed' as never })).toThrow('status is "open" or "completed"');
    expect(() => tasks.update('nope', {})).toThrow('update_task: no task nope');
  });

  it('reports every change to listeners, and a listener that throws is logged', () => {
    const { patients, notes, tasks, onChange } = start();
    const changes: unknown[] = [];
    const off = onChange((change) => changes.push([change.kind, change.action, change.patient_id, change.staff_ids]));
    onChange(() => {
      throw new Error('listener bug');
    });
    const patient = patients.add({ first_name: 'A', last_name: 'B', birth_date: '2000-01-01' });
    notes.addCommand(OPEN_NOTE, { type: 'Vitals' });
    const task = tasks.add({ title: 'T', patient_id: MARIA });
    off();
    tasks.update(task.id, { status: 'completed' });
    expect(changes).toEqual([['patient', 'created', patient.id, undefined], ['note', 'updated', MARIA, undefined], ['task', 'created', MARIA, [task.assignee_id]]]);
    expect(log).toHaveBeenCalledWith('a change listener failed: listener bug');
  });
});

describe('effects', () => {
  it('land after effectDelay on a timer by default, or after their own `after`', async () => {
    vi.useFakeTimers();
    const { apply, tasks } = start({ effectDelay: 500 });
    const landed = apply({ type: 'create_task', title: 'Later' });
    const soon = apply({ type: 'create_task', title: 'Sooner' }, { after: 100 });
    await vi.advanceTimersByTimeAsync(100);
    expect(await soon).toMatchObject({ title: 'Sooner' });
    expect(tasks.list().some((t) => t.title === 'Later')).toBe(false);
    await vi.advanceTimersByTimeAsync(400);
    expect(await landed).toMatchObject({ title: 'Later' });
  });

  it('are checked at once and landed when the scheduler says, with their delay and whether it is the default', async () => {
    const { held, schedule } = heldScheduler();
    const { apply, patients, notes, tasks } = start({ schedule, effectDelay: 50 });
    const results = [
      apply({ type: 'create_patient', first_name: 'E', last_name: 'F', birth_date: '1999-09-09' }),
      apply({ type: 'update_patient', patient_id: MARIA, last_name: 'G' }, { after: 0 }),
      apply({ type: 'add_command', note_id: OPEN_NOTE, command: 'Vitals', text: 't' }),
      apply({ type: 'update_task', task_id: TASK, title: 'U' }),
      apply({ type: 'complete_task', task_id: TASK }),
    ];
    expect(held.map((h) => [h.after, h.defaulted])).toEqual([[50, true], [0, false], [50, true], [50, true], [50, true]]);
    expect(patients.get(MARIA)!.last_name).toBe('Gonzalez');
    held.forEach((h) => h.land());
    held.forEach((h) => h.land()); // landing twice does nothing
    await Promise.all(results);
    expect(patients.find({ first_name: 'E' })).toHaveLength(1);
    expect(patients.get(MARIA)!.last_name).toBe('G');
    // The platform's own apply gives no origin.
    expect(notes.get(OPEN_NOTE)!.commands.at(-1)).toEqual({ type: 'Vitals', text: 't', added: expect.any(String) });
    expect(tasks.get(TASK)).toMatchObject({ title: 'U', status: 'completed' });
  });

  it('throw for a malformed effect, naming the mistake', () => {
    const { apply } = start();
    const cases: [unknown, unknown, RegExp][] = [
      [null, undefined, /the effect must be an object/],
      [{ type: 'teleport' }, undefined, /unknown effect type "teleport" \(known: create_patient, update_patient, add_command, create_task, update_task, complete_task, broadcast\)/],
      [{ type: 'toString' }, undefined, /unknown effect type "toString"/],
      [{ type: 'create_task', title: 'x' }, { after: -1 }, /after must be a number of milliseconds >= 0/],
      [{ type: 'create_task', title: 'x' }, { after: Number.NaN }, /after must be a number/],
      [{ type: 'create_patient', first_name: 'E', last_name: 'F' }, undefined, /birth_date must be a date/],
      [{ type: 'update_patient', last_name: 'G' }, undefined, /update_patient needs a patient_id/],
      [{ type: 'add_command', command: 'Vitals' }, undefined, /add_command needs a note_id/],
      [{ type: 'add_command', note_id: OPEN_NOTE }, undefined, /add_command needs a command type/],
      [{ type: 'create_task', title: ' ' }, undefined, /create_task needs a title/],
      [{ type: 'update_task' }, undefined, /update_task needs a task_id/],
      [{ type: 'complete_task' }, undefined, /complete_task needs a task_id/],
      [{ type: 'broadcast', channel: 'a b', message: {} }, undefined, /channel "a b" must match/],
      [{ type: 'broadcast', channel: 'a', message: [1] }, undefined, /the message must be an object/],
    ];
    for (const [effect, options, message] of cases) expect(() => apply(effect as never, options as never)).toThrow(message);
  });

  it('that fail when they land reject and are logged; close() cancels those not landed', async () => {
    const { held, schedule } = heldScheduler();
    const { apply, close } = start({ schedule });
    const failing = apply({ type: 'add_command', note_id: SIGNED_NOTE, command: 'Vitals' });
    apply({ type: 'create_task', title: 'Never' });
    held[0]!.land();
    await expect(failing).rejects.toThrow('is signed');
    expect(log).toHaveBeenCalledWith(expect.stringContaining('effect add_command failed when it landed: add_command: note'));
    close();
    expect(held.map((h) => h.cancelled)).toEqual([false, true]);
  });

  it('a scheduler may land at once', async () => {
    const { apply } = start({ schedule: (land) => (land(), () => {}) });
    expect(await apply({ type: 'complete_task', task_id: TASK })).toMatchObject({ status: 'completed' });
  });
});

describe('broadcasts', () => {
  it('frame the message for the registered delivery, which says how many sockets got it', async () => {
    const frames: unknown[] = [];
    const { broadcast, setBroadcaster, apply, close } = start({ schedule: (land) => (land(), () => {}) });
    expect(broadcast('a', { x: 1 })).toBe(0);
    setBroadcaster((plugin, channel, frame) => frames.push([plugin, channel, frame]));
    expect(broadcast('staff-1', { x: 1 })).toBe(1);
    await apply({ type: 'broadcast', channel: 'c', message: { y: 2 } });
    expect(frames).toEqual([[null, 'staff-1', '{"message":{"x":1}}'], [null, 'c', '{"message":{"y":2}}']]);
    expect(() => broadcast('a/b', {})).toThrow(TypeError);
    close();
    expect(broadcast('a', {})).toBe(0);
  });
});

describe('a plugin backend', () => {
  const me = (): Staff => platform!.staff;

  it('answers routes as SimpleAPI: JSON, 204, status objects, files, 401, 404, 405, 500', async () => {
    const backend = start().plugin('kit', {
      routes: {
        'GET /plain': () => ({ status: 'submitted', n: 1 }),
        'GET /number': () => 42,
        'GET /nothing': () => null,
        'GET /text': () => ({ status: 409, body: 'taken', headers: { 'X-Why': 1 } }),
        'GET /html': () => ({ status: 200, body: '<p>', headers: { 'Content-Type': 'text/html' } }),
        'GET /empty': () => ({ status: 202 }),
        'GET /page': ({ staff }) => ({ file: 'page.html', context: { who: staff.name } }),
        'GET /bad-status': () => ({ status: 700 }),
        'POST /items/<id>': ({ params, query, headers, body, method }) => ({ status: 201, body: { params, q: query.get('q'), headers, body, method } }),
        'PUT /items/<id>': () => null,
        'GET /a.b/<x>': ({ params }) => params,
        'GET /boom': async () => {
          throw new Error('kaboom');
        },
      },
    });
    const handle = (method: string, path: string, extra: object = {}) => backend.handle({ method, path, staff: me(), ...extra });
    expect(await handle('GET', '/plain')).toEqual({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"submitted","n":1}', matched: true, route: 'GET /plain' });
    expect(await handle('get', '/number')).toMatchObject({ status: 200, body: '42' });
    expect(await handle('GET', '/nothing')).toMatchObject({ status: 204, body: undefined });
    expect(await handle('GET', '/text')).toMatchObject({ status: 409, headers: { 'x-why': '1', 'content-type': 'text/plain; charset=utf-8' }, body: 'taken' });
    expect(await handle('GET', '/html')).toMatchObject({ headers: { 'content-type': 'text/html' } });
    expect(await handle('GET', '/empty')).toEqual({ status: 202, headers: {}, body: undefined, matched: true, route: 'GET /empty' });
    expect(await handle('GET', '/page')).toMatchObject({ status: 200, file: 'page.html', context: { who: 'Dr. Ada Moreno' } });
    expect(await handle('GET', '/bad-status')).toMatchObject({ status: 500, error: expect.objectContaining({ message: 'response status 700 is not an HTTP status' }) });
    expect(await handle('POST', '/items/7', { query: new URLSearchParams('q=1'), headers: { a: 'b' }, body: { z: 1 } })).toMatchObject({
      status: 201, body: '{"params":{"id":"7"},"q":"1","headers":{"a":"b"},"body":{"z":1},"method":"POST"}',
    });
    expect(await handle('DELETE', '/items/7')).toMatchObject({ status: 405, headers: { allow: 'POST, PUT' }, body: '{"error":"DELETE is not allowed here"}' });
    expect(await handle('GET', '/a.b/1')).toMatchObject({ status: 200, body: '{"x":"1"}' });
    expect(await handle('GET', '/aXb/1')).toMatchObject({ status: 404, matched: false });
    expect(await handle('GET', '/plain/')).toMatchObject({ status: 404, matched: false });
    expect(await handle('GET', '/boom')).toMatchObject({ status: 500, body: undefined, route: 'GET /boom', error: expect.objectContaining({ message: 'kaboom' }) });
    expect(await backend.handle({ method: 'GET', path: '/plain', staff: null })).toMatchObject({ status: 401, body: '{"error":"Provided credentials are invalid"}', route: 'GET /plain' });
  });

  it('gives its functions a frozen view: the shared data, with apply and broadcast in the plugin\'s name', async () => {
    const frames: unknown[] = [];
    const core = start({ schedule: (land) => (land(), () => {}) });
    core.setBroadcaster((plugin, channel, frame) => frames.push([plugin, channel, frame]));
    const backend = core.plugin('kit', {
      routes: {
        'POST /note': async (request, platform) => {
          platform.broadcast('n', { got: request.body });
          await platform.apply({ type: 'add_command', note_id: OPEN_NOTE, command: 'Vitals' });
          return null;
        },
      },
    });
    expect(Object.isFrozen(backend.platform)).toBe(true);
    expect(backend.platform).toMatchObject({ plugin: 'kit', staff: core.staff, patients: core.patients });
    await backend.handle({ method: 'POST', path: '/note', body: 1, staff: me() });
    expect(frames).toEqual([['kit', 'n', '{"message":{"got":1}}']]);
    expect(core.notes.get(OPEN_NOTE)!.commands.at(-1)).toMatchObject({ type: 'Vitals', origin: 'kit' });
  });

  it('authorizes sockets: a channel name and a session first, then the matching rule (`*` last); only true allows', async () => {
    const backend = start().plugin('kit', {
      sockets: {
        'staff-<id>': ({ params, staff }) => params.id === staff.id,
        'pair-<a>-<b>': ({ params }) => {
          throw new Error(`${params.a}|${params.b}`);
        },
        'maybe-<x>': () => 'yes' as never,
        '*': ({ channel, params }) => channel.startsWith('star') && params.channel === channel,
      },
    });
    const authorize = (channel: string, staff: Staff | null = me()) => backend.authorize({ channel, staff });
    expect(await authorize(`staff-${me().id}`)).toEqual({ allowed: true, reason: '' });
    expect(await authorize(`staff-${platform!.staffMembers[1]!.id}`)).toEqual({ allowed: false, reason: 'the rule "staff-<id>" returned false' });
    expect(await authorize('a b')).toEqual({ allowed: false, reason: 'channel "a b" must match [\\w-]+' });
    expect(await authorize('staff-1', null)).toEqual({ allowed: false, reason: 'no staff session' });
    expect(await authorize('pair-x-y-z')).toMatchObject({ allowed: false, reason: 'the rule "pair-<a>-<b>" threw: x|y-z', error: expect.any(Error) });
    expect((await authorize('maybe-1')).allowed).toBe(false);
    expect((await authorize('starry')).allowed).toBe(true);
    expect(await start().plugin('none', {}).authorize({ channel: 'a', staff: me() })).toEqual({ allowed: false, reason: 'the mock module exports no socket rules' });
    expect((await start().plugin('one', { sockets: { 'a-<x>': () => true } }).authorize({ channel: 'b', staff: me() })).reason).toBe('no socket rule matches channel b (rules: a-<x>)');
  });

  it('gives launch URLs by full class, class name, then app name', () => {
    const backend = start().plugin('kit', {
      launch: {
        'pkg.apps:Main': ({ patient, note, staff }) => `/main/${patient?.id}/${note?.id}/${staff.name}`,
        Short: '/short',
        Named: (context, platform) => `/named/${platform.plugin}`,
        Empty: () => '',
      },
    });
    expect(backend.launchKeys).toEqual(['pkg.apps:Main', 'Short', 'Named', 'Empty']);
    expect(backend.launchUrl({ class: 'pkg.apps:Main', name: 'X' }, { patient: { id: 'p' } })).toBe('/main/p/undefined/Dr. Ada Moreno');
    expect(backend.launchUrl({ class: 'other:Short', name: 'Named' }, {})).toBe('/short');
    expect(backend.launchUrl({ class: null, name: 'Named' }, {})).toBe('/named/kit');
    expect(backend.launchUrl({ name: 'None' }, {})).toBeNull();
    expect(() => backend.launchUrl({ name: 'Empty' }, {})).toThrow('kit: launch["Empty"] returned "", not a URL');
  });

  it('runs setup once, on the module, and merges a default export over the named ones', async () => {
    const setup = vi.fn(function (this: unknown) {
      return this;
    });
    const backend = start().plugin('kit', { routes: { 'GET /named': () => 1 }, default: { routes: { 'GET /default': () => 2 }, setup } } as never);
    expect(backend.routes).toEqual(['GET /default']);
    await backend.setup();
    expect(setup).toHaveBeenCalledWith(backend.platform);
    expect(setup.mock.results[0]!.value).toMatchObject({ setup });
  });

  it('refuses a malformed module, saying what is wrong', () => {
    const core = start();
    const cases: [string, unknown, RegExp][] = [
      ['bad name', {}, /plugin name "bad name" must be letters/],
      ['kit', 5, /the mock module must export routes, sockets and launch/],
      ['kit', { routes: 5 }, /routes must be an object/],
      ['kit', { routes: { 'FETCH /x': () => 1 } }, /route "FETCH \/x": expected "METHOD \/path" with METHOD one of GET, POST, PUT, PATCH, DELETE/],
      ['kit', { routes: { 'GET /x': 1 } }, /must be a function \(request, platform\) => response/],
      ['kit', { routes: { 'GET /<a>/<a>': () => 1 } }, /parameter <a> appears twice/],
      ['kit', { sockets: 5 }, /sockets must be an object/],
      ['kit', { sockets: { 'a b': () => true } }, /socket rule "a b": a channel pattern is/],
      ['kit', { sockets: { a: true } }, /must be a function \(request, platform\) => boolean/],
      ['kit', { launch: 5 }, /launch must be an object/],
      ['kit', { launch: { Main: 42 } }, /launch\["Main"\] must be a URL string/],
      ['kit', { setup: 5 }, /setup must be a function/],
    ];
    for (const [name, mock, message] of cases) expect(() => core.plugin(name, mock as never)).toThrow(message);
    expect(core.plugin('kit', { launch: null, setup: undefined } as never).launchKeys).toEqual([]);
  });
});
