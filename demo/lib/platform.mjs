/**
 * The mock Canvas platform: everything a plugin's backend sees that is not a transport. Staff,
 * patients, notes and tasks in memory; effects that land after the answer (`apply`); broadcasts
 * to the plugin's sockets (`broadcast`, delivered by whatever transport registered itself);
 * a plugin's routes, socket rules and launch URLs from its mock module.
 *
 * Plain JavaScript only (no Node APIs): the harness serves it over HTTP and WebSockets, and the
 * test kit runs the same module in a page with a fake `fetch` and `WebSocket`.
 * Types and the mock-module contract: platform.d.mts.
 */

/** Defaults of this module. */
const DEFAULTS = Object.freeze({
  /** Milliseconds before an effect lands when `apply()` is given no `after`. */
  effectDelay: 1200,
});

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;
const CHANNEL = /^[\w-]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const RESPONSE_KEYS = new Set(['status', 'body', 'headers', 'file', 'context']);

/** The signed-in staff member ("me") and a colleague, whose channels the session may not use. */
const STAFF = [
  { id: '5f0a2c61-3b7e-4d0a-9c55-0c8e1a6b2d11', name: 'Dr. Ada Moreno', type: 'Staff' },
  { id: '9b3d7e42-6a1f-4c8b-8e27-4f5a9d0c3e22', name: 'Dr. Sam Okafor', type: 'Staff' },
];

const PATIENTS = [
  ['3e1f7a52-8c4d-4b6e-a1f0-2d9c8b7a6e51', 'Maria', 'Gonzalez', '1971-03-02', 'F'],
  ['7c2b9d14-5e3a-4f8b-b2c1-6a0e9d8f7c42', 'James', 'Carter', '1958-11-19', 'M'],
  ['a4d8e2f6-1b7c-4e9a-8d3b-5c2f1e0a9b83', 'Aiko', 'Tanaka', '1990-06-07', 'F'],
  ['d9e3f1a7-2c8b-4d5e-9f6a-1b0c3d2e4f94', 'Robert', 'Nguyen', '1984-01-23', 'M'],
  ['f2a6c8e0-4d1b-4a7c-8e5f-3b9d7c1a0e65', 'Fatima', 'Ali', '2001-09-14', 'F'],
];

/** A random v4 UUID (Web Crypto where there is one: browsers and Node 20 both have it). */
function uuid() {
  if (typeof globalThis.crypto?.randomUUID === 'function') return globalThis.crypto.randomUUID();
  const hex = Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16], 16) & 3) | 8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** Canonical (lower-case, dashed) form of a UUID, or null. Accepts the 32-digit undashed form too. */
export function canonicalId(value) {
  if (typeof value !== 'string') return null;
  const hex = value.trim().replace(/-/g, '').toLowerCase();
  if (!/^[\da-f]{32}$/.test(hex)) return null;
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return UUID.test(id) ? id : null;
}

/**
 * A request body as a route sees it: parsed JSON when the content type says JSON, else the text,
 * or null when empty. `{ error }` (the 400's message) for JSON that does not parse. Both
 * transports use it: the harness's HTTP server and the test kit's fetch.
 */
export function parseBody(text, contentType = '') {
  if (!text.trim()) return { body: null };
  if (!/\bjson\b/i.test(contentType)) return { body: text };
  try {
    return { body: JSON.parse(text) };
  } catch {
    return { error: 'The request body is not valid JSON (Content-Type says JSON)' };
  }
}

const day = (now, days) => new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);
const text = (value) => (typeof value === 'string' ? value.trim() : '');
const same = (a, b) => String(a ?? '').trim().toLowerCase() === String(b ?? '').trim().toLowerCase();
const copy = (record) => (record ? structuredClone(record) : null);

function fail(message) {
  throw new TypeError(message);
}

/** The sample chart: five patients, their notes, and tasks for "me" and a colleague. */
function sampleData(now, me, other) {
  const created = new Date(now.getTime() - 400 * 86_400_000).toISOString();
  const patients = PATIENTS.map(([id, first_name, last_name, birth_date, sex]) => ({ id, first_name, last_name, birth_date, sex, created }));
  const [maria, james, aiko, robert, fatima] = patients.map((p) => p.id);
  let n = 0;
  const note = (patient_id, type, date, status, provider, commands) => ({
    id: `0c0ffee0-0000-4000-8000-${String(++n).padStart(12, '0')}`, patient_id, type, date: day(now, date), status, provider, commands,
  });
  const notes = [
    note(maria, 'Office visit', 0, 'open', me.name, [{ type: 'Reason for visit', text: 'Follow-up: hypertension, medication review' }, { type: 'History of present illness', text: 'Home readings 130–145 systolic. No headaches or chest pain.' }]),
    note(maria, 'Telehealth', -21, 'signed', me.name, [{ type: 'Reason for visit', text: 'Lab results review' }, { type: 'Assessment', text: 'Hypertension, stage 1. Continue lisinopril 10 mg.' }]),
    note(james, 'Office visit', 0, 'open', me.name, [{ type: 'Reason for visit', text: 'Type 2 diabetes check-in' }]),
    note(aiko, 'Annual physical', -3, 'open', other.name, [{ type: 'Reason for visit', text: 'Annual wellness exam' }]),
    note(robert, 'Office visit', -40, 'signed', me.name, [{ type: 'Reason for visit', text: 'Low back pain' }, { type: 'Plan', text: 'Physical therapy referral' }]),
    note(fatima, 'New patient visit', 1, 'open', me.name, []),
  ];
  let t = 0;
  const task = (title, patient_id, assignee_id, due, status = 'open') => ({
    id: `7a5c0000-0000-4000-8000-${String(++t).padStart(12, '0')}`, title, patient_id, assignee_id, due: day(now, due), status, created: now.toISOString(),
  });
  const tasks = [
    task('Call back about home BP readings', maria, me.id, 0),
    task('Renew lisinopril prescription', maria, me.id, 2),
    task('Review A1c result', james, me.id, 1),
    task('Schedule retinal exam', james, other.id, 7),
    task('Sign PT referral', robert, me.id, -1),
    task('Send intake forms', fatima, other.id, 0),
    task('Team huddle notes', null, me.id, 0, 'completed'),
  ];
  return { patients, notes, tasks };
}

/** The default effect scheduler: lands `land` after `after` ms on a timer; returns the cancel. */
function scheduleOnTimer(land, after) {
  const timer = setTimeout(land, after);
  return () => clearTimeout(timer);
}

/**
 * Creates a mock platform with the sample chart.
 * @param {import('./platform.d.mts').PlatformOptions} [options]
 * @returns {import('./platform.d.mts').Platform}
 */
export function createPlatform(options = {}) {
  const { effectDelay = DEFAULTS.effectDelay, now = new Date(), log = () => {}, schedule = scheduleOnTimer } = options;
  const staffMembers = STAFF.map((s) => Object.freeze({ ...s }));
  const [me, other] = staffMembers;
  const data = sampleData(now, me, other);
  const listeners = new Set();
  /** Cancels of the effects scheduled and not landed yet. */
  const scheduled = new Set();
  let deliver = null;

  const emit = (change) => {
    for (const listener of [...listeners]) {
      try {
        listener(change);
      } catch (error) {
        log(`a change listener failed: ${error?.message ?? error}`);
      }
    }
  };
  const findPatient = (id) => data.patients.find((p) => p.id === canonicalId(id)) ?? null;
  const findNote = (id) => data.notes.find((n) => n.id === canonicalId(id)) ?? null;
  const findTask = (id) => data.tasks.find((x) => x.id === canonicalId(id)) ?? null;
  const needPatient = (id, what) => findPatient(id) ?? fail(`${what}: no patient ${id}`);

  function checkPatientFields(fields, partial) {
    const out = {};
    for (const key of ['first_name', 'last_name']) {
      if (fields[key] === undefined && partial) continue;
      const value = text(fields[key]);
      if (!value || value.length > 100) fail(`${key} must be a non-empty string of at most 100 characters`);
      out[key] = value;
    }
    if (fields.birth_date !== undefined || !partial) {
      if (typeof fields.birth_date !== 'string' || !DATE.test(fields.birth_date) || Number.isNaN(Date.parse(fields.birth_date))) fail('birth_date must be a date, YYYY-MM-DD');
      out.birth_date = fields.birth_date;
    }
    if (fields.sex !== undefined) out.sex = String(fields.sex);
    return out;
  }

  const patients = {
    list: () => [...data.patients].sort((a, b) => a.last_name.localeCompare(b.last_name) || a.first_name.localeCompare(b.first_name)).map(copy),
    get: (id) => copy(findPatient(id)),
    find(fields = {}, { since } = {}) {
      const after = since === undefined ? -Infinity : Date.parse(since);
      if (Number.isNaN(after)) fail(`patients.find: since "${since}" is not a time`);
      return data.patients
        .filter((p) => Object.entries(fields).every(([key, value]) => value === undefined || same(p[key], value)))
        .filter((p) => !(Date.parse(p.created) < after))
        .sort((a, b) => b.created.localeCompare(a.created))
        .map(copy);
    },
    add(fields) {
      const patient = { id: uuid(), sex: '', ...checkPatientFields(fields ?? {}, false), created: new Date().toISOString() };
      data.patients.push(patient);
      emit({ kind: 'patient', action: 'created', patient_id: patient.id, record: copy(patient) });
      return copy(patient);
    },
    update(id, fields) {
      const patient = needPatient(id, 'patients.update');
      Object.assign(patient, checkPatientFields(fields ?? {}, true));
      emit({ kind: 'patient', action: 'updated', patient_id: patient.id, record: copy(patient) });
      return copy(patient);
    },
  };

  const notes = {
    list: ({ patient_id } = {}) => data.notes.filter((n) => patient_id === undefined || n.patient_id === canonicalId(patient_id)).sort((a, b) => b.date.localeCompare(a.date)).map(copy),
    get: (id) => copy(findNote(id)),
    add(fields = {}) {
      const patient = needPatient(fields.patient_id, 'notes.add');
      const note = {
        id: uuid(), patient_id: patient.id, type: text(fields.type) || 'Office visit', date: fields.date ?? day(new Date(), 0),
        status: fields.status === 'signed' ? 'signed' : 'open', provider: fields.provider ?? me.name, commands: [],
      };
      data.notes.push(note);
      emit({ kind: 'note', action: 'created', patient_id: note.patient_id, note_id: note.id, record: copy(note) });
      return copy(note);
    },
    addCommand(id, command = {}) {
      const note = findNote(id) ?? fail(`add_command: no note ${id}`);
      if (note.status !== 'open') fail(`add_command: note ${note.id} is signed`);
      const type = text(command.type) || fail('add_command: the command needs a type (e.g. "Vitals")');
      note.commands.push({ type, text: String(command.text ?? ''), ...(command.origin ? { origin: String(command.origin) } : {}), added: new Date().toISOString() });
      emit({ kind: 'note', action: 'updated', patient_id: note.patient_id, note_id: note.id, record: copy(note) });
      return copy(note);
    },
  };

  const staffName = (id) => staffMembers.find((s) => s.id === id)?.name ?? 'Unknown';
  const taskView = (x) => {
    const p = x.patient_id ? findPatient(x.patient_id) : null;
    return { ...x, patient: p && { id: p.id, name: `${p.first_name} ${p.last_name}` }, assignee: { id: x.assignee_id, name: staffName(x.assignee_id) } };
  };
  const tasks = {
    list({ assignee_id, patient_id, status } = {}) {
      const rank = (x) => (x.status === 'open' ? 0 : 1);
      return data.tasks
        .filter((x) => (assignee_id === undefined || x.assignee_id === assignee_id) && (patient_id === undefined || x.patient_id === canonicalId(patient_id)))
        .filter((x) => status === undefined || x.status === status)
        .sort((a, b) => rank(a) - rank(b) || a.due.localeCompare(b.due) || a.created.localeCompare(b.created))
        .map(taskView);
    },
    get: (id) => {
      const found = findTask(id);
      return found ? taskView(found) : null;
    },
    add(fields = {}) {
      const title = text(fields.title);
      if (!title || title.length > 500) fail('create_task: title must be a non-empty string');
      const patient_id = fields.patient_id == null ? null : needPatient(fields.patient_id, 'create_task').id;
      const task = {
        id: uuid(), title, patient_id, assignee_id: fields.assignee_id ?? me.id, due: fields.due ?? day(new Date(), 0), status: 'open', created: new Date().toISOString(),
      };
      data.tasks.push(task);
      emit({ kind: 'task', action: 'created', task_id: task.id, patient_id, staff_ids: [task.assignee_id], record: taskView(task) });
      return taskView(task);
    },
    update(id, fields = {}) {
      const task = findTask(id) ?? fail(`update_task: no task ${id}`);
      if (fields.status !== undefined && fields.status !== 'open' && fields.status !== 'completed') fail('update_task: status is "open" or "completed"');
      if (fields.status !== undefined) task.status = fields.status;
      if (fields.title !== undefined) task.title = text(fields.title) || fail('update_task: title must be a non-empty string');
      if (fields.due !== undefined) task.due = String(fields.due);
      emit({ kind: 'task', action: 'updated', task_id: task.id, patient_id: task.patient_id, staff_ids: [task.assignee_id], record: taskView(task) });
      return taskView(task);
    },
  };

  /** What each effect type does when it lands; `check` runs at apply() time so mistakes throw in the route. */
  const EFFECTS = {
    create_patient: { check: (e) => checkPatientFields(e, false), land: (e) => patients.add(e) },
    update_patient: { check: (e) => (canonicalId(e.patient_id) ?? fail('update_patient needs a patient_id'), checkPatientFields(e, true)), land: ({ type, patient_id, ...fields }) => patients.update(patient_id, fields) },
    add_command: { check: (e) => (canonicalId(e.note_id) ?? fail('add_command needs a note_id'), text(e.command) || fail('add_command needs a command type, e.g. "Vitals"')), land: (e) => notes.addCommand(e.note_id, { type: e.command, text: e.text, origin: e.origin ?? e.plugin }) },
    create_task: { check: (e) => text(e.title) || fail('create_task needs a title'), land: ({ type, ...fields }) => tasks.add(fields) },
    update_task: { check: (e) => canonicalId(e.task_id) ?? fail('update_task needs a task_id'), land: ({ type, task_id, ...fields }) => tasks.update(task_id, fields) },
    complete_task: { check: (e) => canonicalId(e.task_id) ?? fail('complete_task needs a task_id'), land: (e) => tasks.update(e.task_id, { status: 'completed' }) },
    broadcast: { check: (e) => checkBroadcast(e.channel, e.message), land: (e) => broadcastTo(e.plugin, e.channel, e.message) },
  };

  function checkBroadcast(channel, message) {
    if (typeof channel !== 'string' || !CHANNEL.test(channel)) fail(`broadcast: channel "${channel}" must match [\\w-]+ (letters, digits, _ and -)`);
    if (!message || typeof message !== 'object' || Array.isArray(message)) fail('broadcast: the message must be an object (Canvas Broadcast takes a dict)');
  }
  function broadcastTo(plugin, channel, message) {
    checkBroadcast(channel, message);
    const frame = JSON.stringify({ message });
    return deliver ? deliver(plugin, channel, frame) : 0;
  }

  function apply(effect, options = {}, plugin = null) {
    if (!effect || typeof effect !== 'object') fail('apply(effect): the effect must be an object { type, ... }');
    const kind = EFFECTS[effect.type] ?? fail(`apply: unknown effect type "${effect.type}" (known: ${Object.keys(EFFECTS).join(', ')})`);
    const own = options?.after !== undefined;
    const after = own ? options.after : effectDelay;
    if (typeof after !== 'number' || !(after >= 0)) fail('apply: after must be a number of milliseconds >= 0');
    kind.check(effect);
    const pending = { ...effect, plugin: effect.plugin ?? plugin };
    const landed = new Promise((resolve, reject) => {
      let cancel = null;
      let done = false;
      const land = () => {
        if (done) return;
        done = true;
        scheduled.delete(cancel);
        try {
          resolve(kind.land(pending));
        } catch (error) {
          log(`effect ${effect.type} failed when it landed: ${error?.message ?? error}`);
          reject(error);
        }
      };
      cancel = schedule(land, after, !own);
      // A scheduler may land it at once; only one still to land can be cancelled.
      if (!done && typeof cancel === 'function') scheduled.add(cancel);
    });
    // A failed effect is logged; nobody has to await it.
    landed.catch(() => {});
    return landed;
  }

  const platform = {
    staff: me,
    staffMembers,
    patients,
    notes,
    tasks,
    apply: (effect, options) => apply(effect, options),
    broadcast: (channel, message) => broadcastTo(null, channel, message),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setBroadcaster(fn) {
      deliver = fn;
    },
    plugin: (name, mock = {}) => createBackend(platform, name, mock, { apply, broadcastTo }),
    close() {
      for (const cancel of [...scheduled]) cancel();
      scheduled.clear();
      listeners.clear();
      deliver = null;
    },
  };
  return platform;
}

// ---- a plugin's backend: routes, socket rules, launch URLs ----------------------------------------

/** Compiles "/app/<id>/status" into a full-match regex with named groups, as SimpleAPI does. */
function compilePath(path, where, segment = '[^/]+') {
  const names = [];
  const source = path.split(/(<\w+>)/).map((part) => {
    const name = /^<(\w+)>$/.exec(part)?.[1];
    if (!name) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (names.includes(name)) fail(`${where}: parameter <${name}> appears twice`);
    names.push(name);
    return `(?<${name}>${segment})`;
  }).join('');
  return new RegExp(`^${source}$`);
}

/** Reads the route table: { "GET /app/tasks": (request, platform) => response }. */
function compileRoutes(routes, plugin) {
  if (routes == null) return [];
  if (typeof routes !== 'object') fail(`${plugin}: routes must be an object of "METHOD /path": function`);
  return Object.entries(routes).map(([key, handler]) => {
    const match = /^([A-Z]+) (\/\S*)$/.exec(key);
    const where = `${plugin}: route "${key}"`;
    if (!match || !METHODS.has(match[1])) fail(`${where}: expected "METHOD /path" with METHOD one of ${[...METHODS].join(', ')}`);
    if (typeof handler !== 'function') fail(`${where}: the value must be a function (request, platform) => response`);
    return { key, method: match[1], pattern: compilePath(match[2], where), handler };
  });
}

/** Reads the socket rules: { "staff-<id>": (request, platform) => boolean }. */
function compileSockets(sockets, plugin) {
  if (sockets == null) return [];
  if (typeof sockets !== 'object') fail(`${plugin}: sockets must be an object of "channel pattern": function`);
  return Object.entries(sockets).map(([key, rule]) => {
    const where = `${plugin}: socket rule "${key}"`;
    if (typeof rule !== 'function') fail(`${where}: the value must be a function (request, platform) => boolean`);
    if (key !== '*' && !/^(?:[\w-]|<\w+>)+$/.test(key)) fail(`${where}: a channel pattern is letters, digits, _, - and <params> (or "*")`);
    return { key, pattern: key === '*' ? /^(?<channel>[\w-]+)$/ : compilePath(key, where, '[\\w-]+?'), rule };
  });
}

/** Is `value` a response object ({ status, body, headers, file, context }) rather than a JSON body? */
function isResponse(value) {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (!keys.length || !keys.every((key) => RESPONSE_KEYS.has(key))) return false;
  return Number.isInteger(value.status) || typeof value.file === 'string';
}

/** A route's return value as { status, headers, body | file }. */
function normalize(value) {
  if (value === undefined || value === null) return { status: 204, headers: {}, body: undefined };
  if (!isResponse(value)) return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
  const status = value.status ?? 200;
  if (!(status >= 100 && status <= 599)) fail(`response status ${status} is not an HTTP status`);
  const headers = {};
  for (const [name, v] of Object.entries(value.headers ?? {})) headers[name.toLowerCase()] = String(v);
  if (typeof value.file === 'string') return { status, headers, file: value.file, context: value.context ?? {} };
  let body = value.body;
  if (body === undefined || body === null) body = undefined;
  else if (typeof body === 'string') headers['content-type'] ??= 'text/plain; charset=utf-8';
  else {
    body = JSON.stringify(body);
    headers['content-type'] ??= 'application/json';
  }
  return { status, headers, body };
}

function createBackend(platform, name, mock, { apply, broadcastTo }) {
  if (typeof name !== 'string' || !/^\w+$/.test(name)) fail(`plugin name "${name}" must be letters, digits and _`);
  if (!mock || typeof mock !== 'object') fail(`${name}: the mock module must export routes, sockets and launch (an object)`);
  const source = mock.default && typeof mock.default === 'object' ? { ...mock, ...mock.default } : mock;
  const routes = compileRoutes(source.routes, name);
  const sockets = compileSockets(source.sockets, name);
  const launch = source.launch ?? {};
  if (typeof launch !== 'object') fail(`${name}: launch must be an object { "<application class or name>": url or ({ patient, note, staff }) => url }`);
  for (const [key, value] of Object.entries(launch)) {
    if (typeof value !== 'string' && typeof value !== 'function') fail(`${name}: launch["${key}"] must be a URL string or a function returning one`);
  }
  if (source.setup !== undefined && typeof source.setup !== 'function') fail(`${name}: setup must be a function (platform) => void`);

  /** What the mock's functions receive as `platform`: the shared data, with apply and broadcast for this plugin. */
  const view = Object.freeze({
    plugin: name,
    staff: platform.staff,
    staffMembers: platform.staffMembers,
    patients: platform.patients,
    notes: platform.notes,
    tasks: platform.tasks,
    onChange: platform.onChange,
    apply: (effect, options) => apply(effect, options, name),
    broadcast: (channel, message) => broadcastTo(name, channel, message),
  });

  return {
    name,
    platform: view,
    routes: routes.map((r) => r.key),
    channels: sockets.map((s) => s.key),
    launchKeys: Object.keys(launch),
    /** Runs the mock's setup(platform), once. */
    async setup() {
      if (source.setup) await source.setup(view);
    },
    /**
     * Answers one request: `{ method, path, query, headers, body, staff }` with `path` relative to the plugin.
     * Resolves `{ status, headers, body }` (body a string or undefined) or `{ status, headers, file, context }`.
     * Never rejects: a throwing route gives 500 and `error` set.
     */
    async handle(request) {
      const method = String(request.method ?? 'GET').toUpperCase();
      const candidates = routes.map((route) => ({ route, match: route.pattern.exec(request.path) })).filter((c) => c.match);
      if (!candidates.length) return { status: 404, headers: {}, body: undefined, matched: false };
      const found = candidates.find((c) => c.route.method === method);
      if (!found) return { status: 405, headers: { allow: [...new Set(candidates.map((c) => c.route.method))].join(', '), 'content-type': 'application/json' }, body: JSON.stringify({ error: `${method} is not allowed here` }), matched: true };
      // StaffSessionAuthMixin: every route needs a staff session.
      if (!request.staff) return { status: 401, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'Provided credentials are invalid' }), matched: true, route: found.route.key };
      const params = { ...found.match.groups };
      try {
        const value = await found.route.handler({ ...request, method, params, query: request.query ?? new URLSearchParams(), headers: request.headers ?? {} }, view);
        return { ...normalize(value), matched: true, route: found.route.key };
      } catch (error) {
        return { status: 500, headers: {}, body: undefined, matched: true, route: found.route.key, error };
      }
    },
    /**
     * The WebSocketAPI's authenticate(): may this request use `channel`?
     * Resolves `{ allowed, reason }`; a throwing rule denies.
     */
    async authorize(request) {
      const channel = request.channel;
      if (typeof channel !== 'string' || !CHANNEL.test(channel)) return { allowed: false, reason: `channel "${channel}" must match [\\w-]+` };
      if (!request.staff) return { allowed: false, reason: 'no staff session' };
      const found = sockets.find((s) => s.key !== '*' && s.pattern.test(channel)) ?? sockets.find((s) => s.key === '*');
      if (!found) return { allowed: false, reason: sockets.length ? `no socket rule matches channel ${channel} (rules: ${sockets.map((s) => s.key).join(', ')})` : 'the mock module exports no socket rules' };
      try {
        const allowed = (await found.rule({ ...request, params: { ...found.pattern.exec(channel).groups } }, view)) === true;
        return { allowed, reason: allowed ? '' : `the rule "${found.key}" returned ${allowed}` };
      } catch (error) {
        return { allowed: false, reason: `the rule "${found.key}" threw: ${error?.message ?? error}`, error };
      }
    },
    /**
     * The launch URL the app's on_open() would return, or null when the mock gives none.
     * `app` is `{ class?, name, scope }`; looked up by full class, class name after ":", then app name.
     */
    launchUrl(app, context) {
      const keys = [app.class, app.class?.split(':').pop(), app.name].filter(Boolean);
      const key = keys.find((k) => Object.hasOwn(launch, k));
      if (key === undefined) return null;
      const value = launch[key];
      const url = typeof value === 'function' ? value({ patient: context.patient ?? null, note: context.note ?? null, staff: context.staff ?? platform.staff }, view) : value;
      if (typeof url !== 'string' || !url) fail(`${name}: launch["${key}"] returned ${JSON.stringify(url)}, not a URL`);
      return url;
    },
  };
}
