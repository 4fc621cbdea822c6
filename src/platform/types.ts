/**
 * The public types of the mock Canvas platform, and the contract of a mock module
 * ({@link MockModule}): the file an author passes to the harness as `--mock FILE`, or spreads
 * into the test kit's `mockPlatform()`.
 * @module
 */

// The records are object types, not interfaces: a route may answer one as its JSON body, and
// MockResponse's Record<string, unknown> takes object types only (an interface has no index signature).

/** Staff member as `request.staff` and `platform.staff` give it. */
export type Staff = {
  /** Canonical (lower-case, dashed) UUID. */
  readonly id: string;
  /** Display name, e.g. `'Dr. Ada Moreno'`. */
  readonly name: string;
  /** Always `'Staff'`. */
  readonly type: 'Staff';
};

/** A patient of the platform's chart. */
export type Patient = {
  /** Canonical (lower-case, dashed) UUID. */
  id: string;
  /** Trimmed, 1 to 100 characters. */
  first_name: string;
  /** Trimmed, 1 to 100 characters. */
  last_name: string;
  /** YYYY-MM-DD */
  birth_date: string;
  /** 'F', 'M', 'O' or '' */
  sex: string;
  /** ISO time the record was created (what a /find's `created__gte` compares). */
  created: string;
};

/** A command in a note (one line of its body). */
export type Command = {
  /** The command type, e.g. `'Reason for visit'` or `'Vitals'`. */
  type: string;
  /** What the command says. */
  text: string;
  /** The plugin that added it (set by `apply` from the plugin's own platform). */
  origin?: string;
  /** ISO time it was added; the sample chart's commands have none. */
  added?: string;
};

/** A note of a patient. */
export type Note = {
  /** Canonical (lower-case, dashed) UUID. */
  id: string;
  /** The patient's id. */
  patient_id: string;
  /** The note type, e.g. `'Office visit'`. */
  type: string;
  /** YYYY-MM-DD */
  date: string;
  /** Commands can be added to open notes only. */
  status: 'open' | 'signed';
  /** The provider's name. */
  provider: string;
  /** In the order they were added. */
  commands: Command[];
};

/** A task, as reads return it. */
export type Task = {
  /** Canonical (lower-case, dashed) UUID. */
  id: string;
  /** Trimmed, 1 to 500 characters. */
  title: string;
  /** The patient the task is about, or null. */
  patient_id: string | null;
  /** The staff member the task is assigned to. */
  assignee_id: string;
  /** YYYY-MM-DD */
  due: string;
  /** Tasks are created open. */
  status: 'open' | 'completed';
  /** ISO time the record was created. */
  created: string;
  /** Filled in when read: the patient's id and name, or null. */
  patient?: { id: string; name: string } | null;
  /** Filled in when read: the assignee's id and name (`'Unknown'` for staff the platform does not have). */
  assignee?: { id: string; name: string };
};

/**
 * An effect that lands after the answer. `apply` checks it at once (a mistake throws a TypeError in
 * the route, so it becomes a 500 with the message logged) and lands it later.
 */
export type Effect =
  | { type: 'create_patient'; first_name: string; last_name: string; birth_date: string; sex?: string }
  | { type: 'update_patient'; patient_id: string; first_name?: string; last_name?: string; birth_date?: string; sex?: string }
  /** A command originated in an open note (e.g. `command: 'Vitals'`). */
  | { type: 'add_command'; note_id: string; command: string; text?: string; origin?: string }
  | { type: 'create_task'; title: string; patient_id?: string | null; assignee_id?: string; due?: string }
  | { type: 'update_task'; task_id: string; status?: 'open' | 'completed'; title?: string; due?: string }
  | { type: 'complete_task'; task_id: string }
  /** A Broadcast effect: like `platform.broadcast`, but after the delay. */
  | { type: 'broadcast'; channel: string; message: Record<string, unknown> };

/** Options of `apply(effect, options)`. */
export interface ApplyOptions {
  /** Milliseconds until the effect lands. @default the platform's effectDelay (harness: --effect-delay, 1200) */
  after?: number;
}

/** One change to the platform's data, as `onChange` listeners get it. */
export interface Change {
  /** The kind of record that changed. */
  kind: 'patient' | 'note' | 'task';
  /** Whether it is new. */
  action: 'created' | 'updated';
  /** The patient the record belongs to (a task's may be null). */
  patient_id?: string | null;
  /** Set for notes. */
  note_id?: string;
  /** Set for tasks. */
  task_id?: string;
  /** Staff the change concerns (tasks: the assignee). */
  staff_ids?: string[];
  /** The record after the change (a copy). */
  record: Patient | Note | Task;
}

/** What every function of a mock module receives as its second argument. */
export interface PluginPlatform {
  /** The plugin's name, from its manifest. */
  readonly plugin: string;
  /** The signed-in staff member ("me"). */
  readonly staff: Staff;
  /** "me" and a colleague (whose channels a rule usually denies). */
  readonly staffMembers: readonly Staff[];
  /** The harness's patients: a record created here has its page, header and timeline in the shell. Reads return copies. */
  readonly patients: {
    /** Sorted by last name. */
    list(): Patient[];
    /** By id (dashed or 32-digit, any case); null when unknown. */
    get(id: string): Patient | null;
    /** Patients whose listed fields equal these (strings compared trimmed, case-insensitive), created at or after `since`; newest first. */
    find(fields: Partial<Record<keyof Patient, string>>, options?: { since?: string }): Patient[];
    /** Creates one now (for `setup`; routes use `apply` so it lands later). */
    add(fields: { first_name: string; last_name: string; birth_date: string; sex?: string }): Patient;
    /** Changes the given fields now (routes use `apply`); throws for an unknown patient or an invalid field. */
    update(id: string, fields: Partial<Pick<Patient, 'first_name' | 'last_name' | 'birth_date' | 'sex'>>): Patient;
  };
  /** The harness's notes. Reads return copies. */
  readonly notes: {
    /** A patient's notes (all notes without `patient_id`), newest first. */
    list(filter?: { patient_id?: string }): Note[];
    /** By id; null when unknown. */
    get(id: string): Note | null;
    /** Creates one now for an existing patient: an open 'Office visit' today by "me" unless the fields say otherwise. */
    add(fields: { patient_id: string; type?: string; date?: string; status?: 'open' | 'signed'; provider?: string }): Note;
    /** Adds a command to an open note now (routes use `apply` with `add_command`). */
    addCommand(noteId: string, command: { type: string; text?: string; origin?: string }): Note;
  };
  /** The harness's tasks. Reads return copies with the patient's and assignee's names. */
  readonly tasks: {
    /** Open first, then by due date. */
    list(filter?: { assignee_id?: string; patient_id?: string; status?: 'open' | 'completed' }): Task[];
    /** By id; null when unknown. */
    get(id: string): Task | null;
    /** Creates one now: assigned to "me" and due today unless the fields say otherwise. */
    add(fields: { title: string; patient_id?: string | null; assignee_id?: string; due?: string }): Task;
    /** Changes the given fields now; throws for an unknown task or an invalid field. */
    update(id: string, fields: { status?: 'open' | 'completed'; title?: string; due?: string }): Task;
  };
  /** Lands an effect later; resolves with the record when it landed, rejects (and logs) when it failed. Nobody has to await it. */
  apply(effect: Effect, options?: ApplyOptions): Promise<unknown>;
  /**
   * Sends `{"message": message}` now to every socket of this plugin on `channel` (`[\w-]+`;
   * `message` an object, as Canvas's Broadcast takes a dict). Returns how many sockets got it.
   */
  broadcast(channel: string, message: Record<string, unknown>): number;
  /** Calls `listener` on every change to patients, notes and tasks (like a BaseHandler on data events); returns the unsubscribe function. */
  onChange(listener: (change: Change) => void): () => void;
}

/** The request a route function receives. */
export interface MockRequest {
  /** Upper case. */
  method: string;
  /** Relative to the plugin: `/app/tasks` for /plugin-io/api/<plugin>/app/tasks. */
  path: string;
  /** The `<name>` parts of the route's path. */
  params: Record<string, string>;
  /** The URL's query. */
  query: URLSearchParams;
  /** The body: parsed JSON when Content-Type says JSON (invalid JSON gets 400 before the route runs), else text, or null when empty. */
  body: unknown;
  /** Lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  /** The session's staff member (always set in a route: routes need a session). */
  staff: Staff;
}

/** The request a socket rule receives. */
export interface SocketRequest {
  /** The channel the page asked for (`[\w-]+`). */
  channel: string;
  /** The `<name>` parts of the channel pattern (`"*"` gives none). */
  params: Record<string, string>;
  /** `/plugin-io/ws/<plugin>/<channel>/` */
  path: string;
  /** The upgrade URL's query. */
  query: URLSearchParams;
  /** The upgrade request's headers, lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  /** The session's staff member (always set in a rule: without a session every channel is denied first). */
  staff: Staff;
}

/**
 * What a route returns:
 * - a plain value (object, array, string, number): 200 with it as JSON;
 * - `undefined` or `null`: 204, as a SimpleAPI handler that returns no response;
 * - `{ status, body?, headers? }`: that status; an object/array body is JSON, a string body is
 *   text/plain unless `headers` give a content-type;
 * - `{ file, context?, status?, headers? }`: a file of the plugin folder (harness only), with
 *   `{{ name }}` placeholders in HTML filled from `context`, HTML-escaped.
 * An object counts as a response only when all its keys are among status, body, headers, file,
 * context and it has a numeric `status` or a `file`: `{ status: 'submitted', ... }` is a JSON body.
 */
export type MockResponse =
  | undefined
  | null
  | string
  | number
  | boolean
  | unknown[]
  | Record<string, unknown>
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { file: string; context?: Record<string, unknown>; status?: number; headers?: Record<string, string> };

/** A route of a mock module: the SimpleAPI handler's method for one `"METHOD /path"`. */
export type Route = (request: MockRequest, platform: PluginPlatform) => MockResponse | Promise<MockResponse>;
/** A socket rule of a mock module: the WebSocketAPI's `authenticate()` for one channel pattern; `true` allows. */
export type SocketRule = (request: SocketRequest, platform: PluginPlatform) => boolean | Promise<boolean>;
/** A launch URL of a mock module: what an application's `on_open()` returns, or a function of the launch context returning it. */
export type Launch = string | ((context: { patient: { id: string } | null; note: { id: string } | null; staff: Staff }, platform: PluginPlatform) => string);

/**
 * A mock module's exports: the file an author passes to the harness as `--mock FILE`, or spreads
 * into the test kit's `mockPlatform()`.
 *
 * An ES module (`.mjs`, or `.js` in a `"type": "module"` package) with named exports, or a
 * default export of the same object. Every export is optional.
 *
 * ```js
 * export const launch = {            // what each Application.on_open() returns
 *   'my_plugin.applications.tasks:Tasks': ({ patient }) => `/plugin-io/api/my_plugin/app/tasks?patient_id=${patient.id}`,
 * };
 * export const routes = {            // the SimpleAPI handler's routes, relative to /plugin-io/api/<plugin>
 *   'GET /app/tasks': () => ({ file: 'templates/tasks.html', context: { v: '1' } }),
 *   'GET /app/tasks/<id>': ({ params }, platform) => platform.tasks.get(params.id) ?? { status: 404, body: { error: 'No such task' } },
 *   'POST /app/tasks': ({ body }, platform) => {
 *     platform.apply({ type: 'create_task', title: body.title });
 *     return { status: 202, body: { status: 'submitted' } };
 *   },
 * };
 * export const sockets = {           // the WebSocketAPI's authenticate(), per channel pattern
 *   'staff-<id>': ({ params, staff }) => params.id === staff.id,
 * };
 * export function setup(platform) {  // once at start: seed data, or react to changes like a BaseHandler
 *   platform.onChange((change) => { if (change.kind === 'task') platform.broadcast(`staff-${platform.staff.id}`, { type: 'tasks_changed' }); });
 * }
 * ```
 *
 * In JavaScript, a JSDoc tag types each export against this contract, e.g. for `routes`:
 * `@type {import('canvas-companion/testing').MockModule['routes']}`.
 *
 * - **routes**: keys `"METHOD /path"` (GET, POST, PUT, PATCH, DELETE); the path is matched whole,
 *   as SimpleAPI does (a trailing slash matters), and `<name>` matches one segment (`[^/]+`) into
 *   `request.params.name`. Every route needs a staff session, as with `StaffSessionAuthMixin`:
 *   without one the platform answers 401 `{"error": "Provided credentials are invalid"}` and the
 *   function is not called. No matching path: 404 with an empty body (the harness then serves the
 *   plugin folder's file at that path, if any); a matching path with another method: 405. A route
 *   that throws (or rejects) gives 500 with an empty body, and the harness logs the stack.
 * - **sockets**: keys are channel patterns (`[\w-]` and `<name>` params, each matching `[\w-]+`),
 *   or `"*"` for any channel; the value returns `true` to allow (anything else denies, as does a
 *   throw). Without a staff session every channel is denied before any rule runs. A denied or
 *   unmatched upgrade gets HTTP 403 (the browser sees close code 1006), with a log line that says why.
 * - **launch**: keyed by the manifest application's full `class` (`"pkg.mod:Class"`), by the class
 *   name after the colon, or by its `name`; looked up in that order. The value is the URL string, or
 *   `({ patient, note, staff }, platform) => url` (`patient` is `{ id }` in patient and note scope,
 *   `note` is `{ id }` in note scope, else null). The iframe gets that URL exactly: add the query
 *   parameters your on_open() adds, and only those.
 * - **setup**: `(platform) => void | Promise<void>`, run once when the harness starts.
 */
export interface MockModule {
  /** `"METHOD /path"` (relative to `/plugin-io/api/<plugin>`) → the route. */
  routes?: Record<string, Route>;
  /** Channel pattern (`[\w-]` and `<name>` params, or `"*"`) → the rule. */
  sockets?: Record<string, SocketRule>;
  /** Application class (full, or the name after the colon) or application name → its launch URL. */
  launch?: Record<string, Launch>;
  /** Runs once when the harness starts (or the kit's platform is made): seed data, subscribe to changes. */
  setup?: (platform: PluginPlatform) => void | Promise<void>;
}

/** A route's answer after normalizing: a body as a string, or a file to serve (the transport reads it). */
export type HandledResponse = {
  /** The HTTP status. */
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** False when no route path matched (the harness then tries the plugin folder's files). */
  matched: boolean;
  /** The route key that answered, when one matched. */
  route?: string;
  /** Set when the route threw: the status is 500. */
  error?: unknown;
} & ({ body: string | undefined } | { file: string; context: Record<string, unknown> });

/** One plugin's backend on the platform: what a transport (the harness's HTTP server, the test kit's fetch) calls. */
export interface PluginBackend {
  /** The plugin's name. */
  readonly name: string;
  /** What the mock's functions receive. */
  readonly platform: PluginPlatform;
  /** The route keys the module gave. */
  readonly routes: string[];
  /** The socket channel patterns the module gave. */
  readonly channels: string[];
  /** The launch keys the module gave. */
  readonly launchKeys: string[];
  /** Runs the module's setup(platform). Call once. */
  setup(): Promise<void>;
  /** Answers one request; never rejects. `staff: null` is a signed-out request (401 from any route). */
  handle(request: { method: string; path: string; query?: URLSearchParams; headers?: Record<string, string | string[] | undefined>; body?: unknown; staff: Staff | null }): Promise<HandledResponse>;
  /** The WebSocketAPI's authenticate() for one upgrade; never rejects. */
  authorize(request: { channel: string; path?: string; query?: URLSearchParams; headers?: Record<string, string | string[] | undefined>; staff: Staff | null }): Promise<{ allowed: boolean; reason: string; error?: unknown }>;
  /** The launch URL for a manifest application, or null when the module gives none. Throws when the launch function fails. */
  launchUrl(app: { class?: string | null; name: string }, context: { patient?: { id: string } | null; note?: { id: string } | null; staff?: Staff | null }): string | null;
}

/** Options of `createPlatform()`. */
export interface PlatformOptions {
  /** Milliseconds an effect takes to land when `apply` gets no `after`. @default 1200 */
  effectDelay?: number;
  /** "Today" for the sample chart's dates. @default new Date() */
  now?: Date;
  /** Where the platform reports failed effects and listeners. @default no logging */
  log?: (line: string) => void;
  /**
   * When an effect lands: called once per `apply()` that passed its checks, with `land` (call it
   * once to land the effect), its delay in ms (the route's own `after`, else `effectDelay`) and
   * whether that delay is the default. Returns a function that cancels it (`close()` calls it).
   * The test kit holds effects until a number of finds with this.
   * @default a timer of `after` ms
   */
  schedule?: EffectScheduler;
}

/** See {@link PlatformOptions.schedule}. */
export type EffectScheduler = (land: () => void, after: number, defaulted: boolean) => () => void;

/** The whole platform: shared data, and the hooks a transport registers. */
export interface Platform {
  /** The signed-in staff member ("me"). */
  readonly staff: Staff;
  /** "me" and a colleague. */
  readonly staffMembers: readonly Staff[];
  /** The patients every plugin sees. */
  readonly patients: PluginPlatform['patients'];
  /** The notes every plugin sees. */
  readonly notes: PluginPlatform['notes'];
  /** The tasks every plugin sees. */
  readonly tasks: PluginPlatform['tasks'];
  /** Like a plugin's apply, with no plugin attached (add_command gets no origin). */
  apply(effect: Effect, options?: ApplyOptions): Promise<unknown>;
  /** Broadcasts on `channel` for every plugin. Returns how many sockets got it. */
  broadcast(channel: string, message: Record<string, unknown>): number;
  /** Calls `listener` on every change to patients, notes and tasks; returns the unsubscribe function. */
  onChange(listener: (change: Change) => void): () => void;
  /**
   * Registers the transport's delivery: called with the plugin name (null: every plugin), the
   * channel and the frame text `{"message": …}`; returns how many sockets it reached.
   */
  setBroadcaster(deliver: ((plugin: string | null, channel: string, frame: string) => number) | null): void;
  /** A plugin's backend from its mock module's exports (checked: a malformed module throws a TypeError saying what is wrong). */
  plugin(name: string, mock?: MockModule | { default?: MockModule }): PluginBackend;
  /** Cancels effects not landed yet and forgets listeners and the broadcaster. */
  close(): void;
}
