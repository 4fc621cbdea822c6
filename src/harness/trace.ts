/**
 * The workbench's trace: what the harness records of plugin requests, effects and plugin sockets
 * (the format is src/platform/trace.ts), bounded, each entry tagged with its session's number, and
 * published as it happens to the shell feeds of that session (entries of no session: to all).
 * @module
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { TRACE_KEEP, type Conditions, type EffectReport, type TraceBody, type TraceEffect, type TraceFrame, type TraceRequest, type TraceSocket, type TraceUpdate } from '../platform/index.js';

/** What the code answering a plugin request tells the trace about it (filled in as it answers). */
export interface AnswerNotes {
  /** Who answered: the mock's route, a plugin file, the author's server, or the harness itself. */
  source: TraceRequest['source'];
  /** The mock route that matched, when one did. */
  route: string | null;
  /** The request body as read (mock plugins; a proxied body streams through unread). */
  body: Buffer | null;
}

/** How much the trace keeps. */
export interface TraceLimits {
  /**
   * Requests kept; the oldest is forgotten first.
   * @default 500
   */
  requests: number;
  /**
   * Effects kept; the oldest is forgotten first.
   * @default 500
   */
  effects: number;
  /**
   * Sockets kept; the oldest is forgotten first.
   * @default 200
   */
  sockets: number;
  /**
   * Frames kept per socket (the last ones; the counts go on).
   * @default 50
   */
  frames: number;
  /**
   * Bytes of a body or effect value kept; longer ones are cut and marked `truncated`.
   * @default 65536
   */
  body: number;
  /**
   * Bytes of a socket frame kept (frames are many: 200 sockets of 50 frames stay under 40 MiB);
   * longer ones are cut and marked `truncated`.
   * @default 4096
   */
  frame: number;
}

/** The limits the workbench's spec sets. */
export const TRACE_LIMITS: Readonly<TraceLimits> = Object.freeze({ ...TRACE_KEEP, body: 65_536, frame: 4_096 });

/** One plugin socket being recorded: the harness calls these as it goes. */
export interface SocketRecording {
  /** The upgrade completed. */
  opened(): void;
  /** The upgrade got an HTTP status instead (null: the connection was cut without one). */
  refused(status: number | null, reason: string): void;
  /** A frame went out (server to page) or came in. */
  frame(dir: TraceFrame['dir'], data: string): void;
  /** It closed, with the code the page saw (1006 for a dropped connection; null when unknown: a proxied socket's frames are not read). */
  closed(code: number | null, reason: string): void;
}

/** What a session's trace holds, oldest first. */
export interface TraceLists {
  requests: TraceRequest[];
  effects: TraceEffect[];
  sockets: TraceSocket[];
}

/** The harness's trace. */
export interface Recorder {
  /** Records a plugin request once it was answered (or cut); returns it with its id. */
  request(entry: Omit<TraceRequest, 'id'>): TraceRequest;
  /**
   * Records a step of an effect. `scheduled` creates its entry with the session it was applied in
   * and how long it waits; later steps update that entry.
   */
  effect(report: EffectReport, applied: { session: number | null; after: number }): void;
  /** Starts recording a plugin socket at its upgrade request. */
  socket(start: { session: number | null; plugin: string; channel: string }): SocketRecording;
  /** Publishes a session's new conditions to its shell feeds. */
  conditions(session: number, conditions: Conditions): void;
  /** The entries of a session and those of no session. */
  list(session: number): TraceLists;
  /** Forgets the entries of a session and those of no session. */
  forget(session: number): void;
}

/** Options of {@link createRecorder}. */
export interface RecorderOptions {
  /** Sends an update to the shell feeds of a session (null: of every session). */
  publish: (session: number | null, update: TraceUpdate) => void;
  /**
   * What the trace keeps.
   * @default {@link TRACE_LIMITS}
   */
  limits?: TraceLimits;
}

/** Text cut at `limit` bytes of UTF-8, with `truncated` when it was longer. */
export function cutText(text: string | Buffer, limit: number): { text: string; truncated?: true } {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  if (bytes.length <= limit) return { text: typeof text === 'string' ? text : bytes.toString('utf8') };
  return { text: bytes.subarray(0, limit).toString('utf8'), truncated: true };
}

/** A body as the trace keeps it. */
export function traceBody(headers: Record<string, string>, body: Buffer | null, limit: number): TraceBody {
  if (body === null || !body.length) return { headers, body: null };
  const { text, truncated } = cutText(body, limit);
  return truncated ? { headers, body: text, truncated } : { headers, body: text };
}

/** The harness's session cookie (its value never goes into a trace). */
const SESSION_COOKIE = /(^|;\s*)(sessionid=)[^;]*/g;

/** Request headers as the trace keeps them: one string each, the session cookie's value replaced by `…`. */
export function requestHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (kept.cookie !== undefined) kept.cookie = kept.cookie.replace(SESSION_COOKIE, '$1$2…');
  return kept;
}

/** The head Node wrote for a response (an internal, the one record of headers given straight to writeHead). */
type WrittenResponse = ServerResponse & { _header?: string | null };

/**
 * Copies what is written to a response (up to `limit` bytes), without changing what is sent.
 * @returns what the response sent so far: its headers and body, or null when no head was sent.
 */
export function teeResponse(response: ServerResponse, limit: number): () => TraceBody | null {
  const chunks: Buffer[] = [];
  let size = 0;
  let longer = false;
  const copy = (chunk: unknown, encoding: unknown) => {
    let bytes: Uint8Array;
    if (typeof chunk === 'string') bytes = Buffer.from(chunk, Buffer.isEncoding(String(encoding)) ? (encoding as BufferEncoding) : 'utf8');
    else if (chunk instanceof Uint8Array) bytes = chunk;
    else return; // not a body (a callback), or a write Node itself refuses
    const room = limit - size;
    if (bytes.byteLength > room) longer = true;
    if (room <= 0) return;
    // A copy of the part kept: whoever wrote the chunk may reuse its memory.
    chunks.push(Buffer.from(bytes.subarray(0, room)));
    size += Math.min(room, bytes.byteLength);
  };
  // Node's end() writes its chunk without going through write(): each is teed once.
  const { write, end } = response;
  response.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    copy(chunk, rest[0]);
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerResponse['write'];
  response.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    copy(chunk, rest[0]);
    return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as ServerResponse['end'];
  return () => {
    const head = (response as WrittenResponse)._header;
    if (!response.headersSent || typeof head !== 'string') return null;
    const headers: Record<string, string> = {};
    for (const line of head.split('\r\n').slice(1)) {
      const at = line.indexOf(':');
      if (at <= 0) continue;
      const name = line.slice(0, at).trim().toLowerCase();
      const value = line.slice(at + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    const body = traceBody(headers, chunks.length ? Buffer.concat(chunks) : null, limit);
    return longer ? { ...body, truncated: true } : body;
  };
}

/** A value as JSON gives it back (null for what JSON cannot carry), cut to a string at `limit` bytes. */
function asJSON(value: unknown, limit: number): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    return `(not JSON: ${error instanceof Error ? error.message : 'unreadable'})`;
  }
  if (text === undefined) return null;
  const cut = cutText(text, limit);
  return cut.truncated ? `${cut.text}… (cut at ${limit} bytes)` : (JSON.parse(text) as unknown);
}

/** What went wrong, as text: never throws, whatever was thrown. */
function errorText(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return 'a thrown value that cannot be read';
  }
}

/** Adds `entry` (ids are given in the order entries are recorded, so the list stays in id order), forgetting the oldest past `max`. */
function keep<T extends { id: number }>(list: T[], entry: T, max: number): void {
  list.push(entry);
  if (list.length > max) list.splice(0, list.length - max);
}

/** Creates the harness's trace. */
export function createRecorder({ publish, limits = TRACE_LIMITS }: RecorderOptions): Recorder {
  const requests: TraceRequest[] = [];
  const effects: TraceEffect[] = [];
  const sockets: TraceSocket[] = [];
  /** Effects not landed yet, by id (kept here even when the list has forgotten them, so their steps still publish). */
  const pending = new Map<number, TraceEffect>();
  let requestId = 0;
  let socketId = 0;
  const now = () => new Date().toISOString();
  const ofSession = (session: number) => (entry: { session: number | null }) => entry.session === session || entry.session === null;
  const socketUpdate = (entry: TraceSocket) => {
    const { frames: _frames, ...rest } = entry;
    publish(entry.session, { type: 'socket', entry: rest });
  };

  return {
    request(entry) {
      const recorded = { id: ++requestId, ...entry };
      keep(requests, recorded, limits.requests);
      publish(recorded.session, { type: 'request', entry: recorded });
      return recorded;
    },
    effect(report, { session, after }) {
      let entry = pending.get(report.id);
      if (report.state === 'scheduled') {
        const custom = report.effect.type === 'CUSTOM';
        const given = report.effect as { name?: unknown; data?: unknown };
        entry = {
          id: report.id, session, plugin: report.plugin, type: String(report.effect.type), name: custom ? String(given.name) : null,
          data: custom ? null : asJSON(given.data, limits.body), after, scheduled_at: now(), state: 'scheduled', landed_at: null,
          changes: [], result: null, error: null,
        };
        pending.set(report.id, entry);
        keep(effects, entry, limits.effects);
      } else {
        if (!entry) return;
        pending.delete(report.id);
        entry.state = report.state;
        entry.landed_at = report.state === 'cancelled' ? null : now();
        entry.changes = report.changes.map(({ kind, action, id, patient_id }) => ({ kind, action, id, patient_id }));
        entry.result = report.state === 'landed' ? asJSON(report.result, limits.body) : null;
        entry.error = report.state === 'failed' ? errorText(report.error) : null;
      }
      publish(entry.session, { type: 'effect', entry });
    },
    socket({ session, plugin, channel }) {
      const entry: TraceSocket = {
        id: ++socketId, session, plugin, channel, at: now(), state: 'connecting', status: null, code: null, reason: '', closed_at: null, frames_out: 0, frames_in: 0, frames: [],
      };
      keep(sockets, entry, limits.sockets);
      socketUpdate(entry);
      const end = (state: 'closed' | 'refused', code: number | null, reason: string, status: number | null = null) => {
        if (entry.state === 'closed' || entry.state === 'refused') return;
        Object.assign(entry, { state, code, reason, status, closed_at: now() });
        socketUpdate(entry);
      };
      return {
        opened() {
          entry.state = 'open';
          socketUpdate(entry);
        },
        // The page's WebSocket sees any refusal as a close with 1006.
        refused: (status, reason) => end('refused', 1006, reason, status),
        frame(dir, data) {
          if (dir === 'out') entry.frames_out++;
          else entry.frames_in++;
          const { text, truncated } = cutText(data, limits.frame);
          const frame: TraceFrame = truncated ? { at: now(), dir, data: text, truncated } : { at: now(), dir, data: text };
          entry.frames.push(frame);
          if (entry.frames.length > limits.frames) entry.frames.shift();
          publish(entry.session, { type: 'frame', socket: entry.id, frame });
        },
        closed: (code, reason) => end('closed', code, reason),
      };
    },
    conditions: (session, conditions) => publish(session, { type: 'conditions', conditions }),
    list(session) {
      const mine = ofSession(session);
      return { requests: requests.filter(mine), effects: effects.filter(mine), sockets: sockets.filter(mine) };
    },
    forget(session) {
      const mine = ofSession(session);
      for (const list of [requests, effects, sockets] as { session: number | null }[][]) {
        const kept = list.filter((entry) => !mine(entry));
        list.splice(0, list.length, ...kept);
      }
    },
  };
}
