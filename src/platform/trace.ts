/**
 * A harness trace: what the workbench records of one session (requests to plugin routes, effects,
 * plugin sockets) and what its shell adds (the port messages), as one JSON file. The harness
 * writes it, the shell's "Export trace" downloads it, and the test kit's `replayTrace` reads it.
 * Types and a few constants, no Node APIs: the harness, its shell and the kit share them.
 * @module
 */

/** The value of {@link Trace.format}: how a reader knows the file. */
export const TRACE_FORMAT = 'canvas-companion-trace';

/** How many entries a trace keeps (the oldest are forgotten first), and the frames kept per socket (the last ones). */
export const TRACE_KEEP = Object.freeze({ requests: 500, effects: 500, sockets: 200, frames: 50 });

/** How one session misbehaves on purpose (the workbench's Network panel). Plugin requests and sockets only. */
export interface Conditions {
  /**
   * Milliseconds added before each plugin request is answered, each plugin socket is accepted,
   * and each frame is sent to a plugin socket (0 to 30000).
   * @default 0
   */
  latency: number;
  /**
   * The session is offline: its plugin sockets drop (the browser sees close code 1006), new ones
   * fail, and plugin requests fail as network errors (the connection is cut, nothing answered).
   * @default false
   */
  offline: boolean;
  /**
   * Milliseconds before an effect applied in this session's requests lands, when the mock gave no
   * `after` (0 to 600000); null: the harness's `--effect-delay`.
   * @default null
   */
  effect_delay: number | null;
  /** One route made to fail; null: none. */
  failure: Failure | null;
}

/** A session's conditions until it changes them: nothing on purpose. */
export const NO_CONDITIONS: Readonly<Conditions> = Object.freeze({ latency: 0, offline: false, effect_delay: null, failure: null });

/** A route made to fail: every request with this method and path (query ignored) gets `answer`. */
export interface Failure {
  /** `GET`, `POST`, …, or `*` for any method. */
  method: string;
  /** The request's path, from `/plugin-io/api/`: `/plugin-io/api/my_plugin/tasks`. */
  path: string;
  /** A status (400 to 599) answered with a JSON `{ error }` body, or `'drop'`: the connection is cut without an answer. */
  answer: number | 'drop';
}

/** One message between the shell and a plugin page (or the shell's own note), as its log shows it. */
export interface TraceMessage {
  /** ISO time. */
  at: string;
  /** `out`: shell to page; `in`: page to shell; `info`: the shell's own note (opened, closed). */
  dir: 'out' | 'in' | 'info';
  /** The app's title. */
  app: string;
  /** The app's id (`<plugin>:<scope>:<slug>`). */
  app_id: string;
  /** The message's `type`, or `''`. */
  type: string;
  /** The message (as JSON gives it back); null for the shell's own notes. */
  data: unknown;
  /** How it travelled, or what the shell did. */
  detail: string;
  /**
   * For `in` and `out`: through the page's port, or `window.postMessage` (a page posting to
   * `window.parent`, which Canvas ignores; the shell logs it all the same).
   */
  via?: 'port' | 'window';
  /** On the note that opened a frame: the URL it loaded (path and query). */
  url?: string;
}

/** A body as the trace keeps it: text, cut at a limit. */
export interface TraceBody {
  headers: Record<string, string>;
  /** The body as text (UTF-8); null when there was none or it was not recorded. */
  body: string | null;
  /** Set when the body was longer than the trace keeps. */
  truncated?: true;
}

/** One request to a plugin route (`/plugin-io/api/<plugin>/…`). */
export interface TraceRequest {
  /** Counts up from 1 in one harness run. */
  id: number;
  /** ISO time the request arrived. */
  at: string;
  /** Milliseconds until it was answered (or cut). */
  ms: number;
  /** The session's number (see {@link TraceSession.number}); null without a session. */
  session: number | null;
  plugin: string;
  method: string;
  /** The path, without the query. */
  path: string;
  /** The query with its `?`, or `''`. */
  query: string;
  /** The status answered; null when no answer was sent (offline, a dropped connection). */
  status: number | null;
  /** Who answered: the mock's route, a plugin file, the author's server, or the harness itself (401, 404, 413, an injected failure…). */
  source: 'mock' | 'file' | 'proxy' | 'harness';
  /** The mock route that answered (`GET /tasks/<id>`), when one did. */
  route: string | null;
  /** The session's conditions that touched it: `latency 800 ms`, `offline`, `failure 503`, `failure drop`. */
  conditions: string[];
  /** What the page sent (the session cookie's value is not kept). */
  request: TraceBody;
  /** What it got; null when nothing was answered. */
  response: TraceBody | null;
}

/** One effect, from applied to landed. */
export interface TraceEffect {
  /** Counts up from 1 in one harness run. */
  id: number;
  session: number | null;
  /** The plugin that applied it; null for the platform's own `apply`. */
  plugin: string | null;
  /** The SDK's effect type (`CREATE_TASK`, `CUSTOM`, …). */
  type: string;
  /** A custom effect's name; null for others. */
  name: string | null;
  /** The effect's data as JSON gives it back (a custom effect's `run` is left out). */
  data: unknown;
  /** Milliseconds it was scheduled to wait. */
  after: number;
  /** ISO time it was applied. */
  scheduled_at: string;
  /** `scheduled` until it lands (or is held, in a test), then `landed` or `failed`; `cancelled` when the harness stopped first. */
  state: 'scheduled' | 'landed' | 'failed' | 'cancelled';
  /** ISO time it landed or failed; null before. */
  landed_at: string | null;
  /** The data changes it made when it landed, as `onChange` listeners got them. */
  changes: { kind: string; action: string; id: string; patient_id: string | null }[];
  /** What landing it returned (the record), as JSON gives it back; null before. */
  result: unknown;
  /** Why it failed; null otherwise. */
  error: string | null;
}

/** One frame on a plugin socket. */
export interface TraceFrame {
  at: string;
  /** `out`: server to page; `in`: page to server. */
  dir: 'out' | 'in';
  /** The frame's text, cut at the trace's limit. */
  data: string;
  truncated?: true;
}

/** One plugin socket (`/plugin-io/ws/<plugin>/<channel>/`), from its upgrade to its close. */
export interface TraceSocket {
  /** Counts up from 1 in one harness run. */
  id: number;
  session: number | null;
  plugin: string;
  channel: string;
  /** ISO time of the upgrade request. */
  at: string;
  /** `refused`: the upgrade got an HTTP status instead (see `status`). */
  state: 'connecting' | 'open' | 'closed' | 'refused';
  /** The refusal's HTTP status (403, 404, 504…); null otherwise. */
  status: number | null;
  /** The close code the page saw (1006 for a dropped connection); null while open. */
  code: number | null;
  /** The close reason or the refusal's reason; `''` when none. */
  reason: string;
  closed_at: string | null;
  /** How many frames went each way (the trace keeps the last ones in `frames`). */
  frames_out: number;
  frames_in: number;
  frames: TraceFrame[];
}

/** The session a trace is of. */
export interface TraceSession {
  /** Counts up from 1 in one harness run, one per sign-in. */
  number: number;
  /** Who is signed in; null when signed out or expired. */
  staff: { id: string; name: string } | null;
  conditions: Conditions;
}

/** A whole trace file. */
export interface Trace {
  format: typeof TRACE_FORMAT;
  version: 1;
  /** ISO time of the export. */
  exported_at: string;
  /** The harness that recorded it: its package version, its origin, and its `--effect-delay` in ms (what `effect_delay: null` means). */
  harness: { version: string; origin: string; effect_delay: number };
  session: TraceSession;
  messages: TraceMessage[];
  requests: TraceRequest[];
  effects: TraceEffect[];
  sockets: TraceSocket[];
}

/** What the shell's live feed (`/companion/live/`) sends besides `{ type: 'changed' }`, one JSON object per frame. */
export type TraceUpdate =
  | { type: 'request'; entry: TraceRequest }
  | { type: 'effect'; entry: TraceEffect }
  | { type: 'socket'; entry: Omit<TraceSocket, 'frames'> }
  | { type: 'frame'; socket: number; frame: TraceFrame }
  | { type: 'conditions'; conditions: Conditions };
