/**
 * The harness's WebSockets: plugin channels on the mock platform (/plugin-io/ws/<plugin>/<channel>/),
 * the shell's own feed (data changes, and the workbench's trace of its session), and every socket
 * of a session (proxied ones too), so that expiring the session drops them all the way Canvas does
 * (the browser sees close code 1006), and going offline or switching staff drops its plugin sockets.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Change } from '../platform/index.js';
import { wait } from './conditions.js';

/** The size of a frame as ws gives it. */
const byteLength = (data: RawData): number => (Array.isArray(data) ? data.reduce((sum, part) => sum + part.length, 0) : data.byteLength);

/** What the workbench watches of a plugin socket (the trace, the session's latency). */
export interface SocketWatch {
  /** Milliseconds to wait before each frame sent to it (asked per frame; frames keep their order). */
  delay(): number;
  /** The upgrade completed. */
  opened(): void;
  /** The handshake was refused (a malformed upgrade). */
  refused(status: number | null, reason: string): void;
  /** A frame was sent to the page (`out`) or came from it (`in`). */
  frame(dir: 'out' | 'in', data: string): void;
  /** It closed, with the code the page saw (1006 when dropped). */
  closed(code: number, reason: string): void;
}

/** Where an accepted socket belongs: a plugin's channel (watched by the workbench), or the shell's feed. */
export type SocketPlace = { plugin: string; channel: string; watch?: SocketWatch } | { shell: true };

/** A live socket of a session, as expiry drops it. */
export interface SessionSocket {
  /** Ends the socket without a closing handshake (the browser sees 1006). */
  drop(): void;
  /** A plugin's socket (mock or proxied), or the shell's own feed. */
  kind: 'plugin' | 'shell';
}

/** Which of a session's sockets to drop: all (expiry), or only the plugins' (offline, another staff member). */
export type DropKind = 'all' | 'plugins';

/** The harness's sockets. */
export interface Live {
  /** Completes an upgrade the caller has allowed, for the session `token`. */
  accept(request: IncomingMessage, socket: Duplex, head: Buffer, token: string | undefined, place: SocketPlace): void;
  /** Keeps a raw socket (upgrading, proxied) until it closes, so that {@link Live.close} can end it. */
  hold(socket: Duplex): void;
  /** Remembers a socket of a session; returns the function that forgets it. */
  track(token: string | undefined, entry: SessionSocket): () => void;
  /** Sends a broadcast frame to a plugin's channel (every plugin's when `plugin` is null); returns how many sockets got it. */
  deliver(plugin: string | null, channel: string, frame: string): number;
  /** Tells every open shell that the mock data changed. */
  notifyShell(change: Change): void;
  /** Sends a frame to the shell feeds of a session (null: of every session). */
  feed(token: string | null, frame: string): void;
  /**
   * Drops the sockets of a session, proxied ones too (the browser sees 1006): all of them, or only
   * the plugins' (the shell's feed stays); returns how many.
   */
  dropSession(token: string | undefined, kind?: DropKind): number;
  /** How many plugin sockets are open on a channel (for tests and logs). */
  count(plugin: string, channel: string): number;
  /** Ends every socket. */
  close(): void;
}

/** Options of {@link createLive}. */
export interface LiveOptions {
  /** Where refused handshakes and broken frames are reported. */
  log: (line: string) => void;
  /**
   * The largest frame a page may send, in bytes (Canvas plugin sockets are server-to-client: pages rarely send).
   * @default 65536
   */
  maxPayload?: number;
  /**
   * How many bytes may wait unsent to one socket before it is closed with 1013 (a client that
   * stops reading must not make the harness hold every broadcast).
   * @default 1048576
   */
  maxBacklog?: number;
  /**
   * How long a socket closed for its backlog may take to finish the closing handshake before it is
   * cut, in ms (a client that does not read never answers it).
   * @default 2000
   */
  closeGrace?: number;
}

/** The close code for a client too slow to read what it is sent ("try again later"). */
export const BACKLOG_CLOSE = { code: 1013, reason: 'Backlog too large: the client is not reading' } as const;

/** Creates the harness's socket registry. */
export function createLive({ log, maxPayload = 65_536, maxBacklog = 1_048_576, closeGrace = 2_000 }: LiveOptions): Live {
  const wss = new WebSocketServer({ noServer: true, maxPayload });
  // A handshake ws refuses (bad key, version): answered here so that it gets its log line too.
  wss.on('wsClientError', (error: Error & { code?: string }, socket, request) => {
    const status = error.code === 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH' ? 413 : 400;
    log(`${status} WebSocket ${request.url}: ${error.message}`);
    upgrading.get(request)?.refused(status, error.message);
    if (!socket.writable) return void socket.destroy();
    socket.end(`HTTP/1.1 ${status} ${status === 413 ? 'Payload Too Large' : 'Bad Request'}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(error.message) + 1}\r\n\r\n${error.message}\n`);
  });
  /** "<plugin>/<channel>" -> its open sockets */
  const channels = new Map<string, Set<WebSocket>>();
  /** session token -> each live socket of that session */
  const sessions = new Map<string, Set<SessionSocket>>();
  /** session token -> its open shell feeds */
  const shellClients = new Map<string, Set<WebSocket>>();
  /** Upgrades being completed, with their watch: a handshake ws refuses is recorded as refused. */
  const upgrading = new WeakMap<IncomingMessage, SocketWatch>();
  /** Per plugin socket: frames waiting for its latency, in order. */
  const queues = new WeakMap<WebSocket, { last: Promise<void>; waiting: number; bytes: number }>();
  /** Per plugin socket: what the workbench watches of it. */
  const watches = new WeakMap<WebSocket, SocketWatch | undefined>();
  /** Raw sockets (upgrading, proxied), destroyed on close. */
  const raw = new Set<Duplex>();

  function track(token: string | undefined, entry: SessionSocket): () => void {
    if (!token) return () => {};
    let entries = sessions.get(token);
    if (!entries) sessions.set(token, (entries = new Set()));
    entries.add(entry);
    return () => {
      sessions.get(token)?.delete(entry);
      if (!sessions.get(token)?.size) sessions.delete(token);
    };
  }

  /**
   * Sends a frame, unless the socket is not open; closes it (1013) once its backlog passes
   * `maxBacklog`, and stops sending to it. Returns whether it was sent.
   */
  function send(ws: WebSocket, frame: string, set: Set<WebSocket>, where: string): boolean {
    if (ws.readyState !== ws.OPEN) return false;
    ws.send(frame);
    if (ws.bufferedAmount > maxBacklog) closeForBacklog(ws, set, `WebSocket ${where}: ${ws.bufferedAmount} bytes wait unsent (over ${maxBacklog}): the client is not reading`);
    return true;
  }

  /** Closes a socket whose backlog passed `maxBacklog` (1013), and stops sending to it. */
  function closeForBacklog(ws: WebSocket, set: Set<WebSocket>, why: string): void {
    set.delete(ws);
    log(`${why}; closed with ${BACKLOG_CLOSE.code}`);
    ws.close(BACKLOG_CLOSE.code, BACKLOG_CLOSE.reason);
    // A client that does not read never answers the close: cut it after a grace period.
    const grace = setTimeout(() => ws.terminate(), closeGrace).unref();
    ws.once('close', () => clearTimeout(grace));
  }

  /** The set of `key` in `map`, created empty on first use. */
  function setOf<K>(map: Map<K, Set<WebSocket>>, key: K): Set<WebSocket> {
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    return set;
  }

  /** Sends a broadcast frame to a plugin socket after its session's latency, behind the frames already waiting. */
  function sendToPlugin(ws: WebSocket, frame: string, set: Set<WebSocket>, key: string, watch: SocketWatch | undefined): boolean {
    if (ws.readyState !== ws.OPEN) return false;
    const now = () => {
      if (send(ws, frame, set, `/plugin-io/ws/${key}/`)) watch?.frame('out', frame);
    };
    const ms = watch?.delay() ?? 0;
    const queue = queues.get(ws);
    if (!ms && !queue?.waiting) {
      now();
      return true;
    }
    const waiting = queue ?? { last: Promise.resolve(), waiting: 0, bytes: 0 };
    queues.set(ws, waiting);
    // Frames held back by latency count against the backlog too: a flood under latency cannot grow without end.
    const size = Buffer.byteLength(frame);
    if (waiting.bytes + size > maxBacklog) {
      closeForBacklog(ws, set, `WebSocket /plugin-io/ws/${key}/: ${waiting.bytes + size} bytes held back by the session's latency (over ${maxBacklog})`);
      return false;
    }
    waiting.waiting++;
    waiting.bytes += size;
    // Due `ms` after it was sent, not after the frame before it: latency delays frames, it does not add up.
    const due = performance.now() + ms;
    waiting.last = waiting.last.then(() => (ws.readyState === ws.OPEN ? wait(due - performance.now()) : undefined)).then(() => {
      waiting.waiting--;
      waiting.bytes -= size;
      now();
    });
    return true;
  }

  return {
    accept(request, socket, head, token, place) {
      const watch = 'shell' in place ? undefined : place.watch;
      if (watch) upgrading.set(request, watch);
      wss.handleUpgrade(request, socket, head, (ws) => {
        // An invalid frame from the page must not take the server down.
        ws.on('error', (error) => log(`WebSocket ${request.url}: ${error.message}; closed`));
        const forget = track(token, { drop: () => ws.terminate(), kind: 'shell' in place ? 'shell' : 'plugin' });
        const key = 'shell' in place ? null : `${place.plugin}/${place.channel}`;
        const set = key === null ? setOf(shellClients, token ?? '') : setOf(channels, key);
        set.add(ws);
        watches.set(ws, watch);
        watch?.opened();
        if (watch) ws.on('message', (data, binary) => watch.frame('in', binary ? `(binary, ${byteLength(data)} bytes)` : String(data)));
        ws.on('close', (code, reason) => {
          forget();
          set.delete(ws);
          watch?.closed(code, reason.toString());
          if (set.size) return;
          if (key === null) shellClients.delete(token ?? '');
          else channels.delete(key);
        });
      });
    },
    hold(socket) {
      raw.add(socket);
      socket.once('close', () => raw.delete(socket));
    },
    track,
    deliver(plugin, channel, frame) {
      let count = 0;
      for (const [key, set] of channels) {
        if (key === `${plugin}/${channel}` || (plugin === null && key.endsWith(`/${channel}`))) {
          for (const ws of [...set]) if (sendToPlugin(ws, frame, set, key, watches.get(ws))) count++;
        }
      }
      return count;
    },
    notifyShell(change) {
      const frame = JSON.stringify({ type: 'changed', kind: change.kind, patient_id: change.patient_id ?? null, note_id: change.note_id ?? null });
      for (const set of shellClients.values()) for (const ws of [...set]) send(ws, frame, set, '/companion/live/');
    },
    feed(token, frame) {
      const sets = token === null ? [...shellClients.values()] : [shellClients.get(token) ?? new Set<WebSocket>()];
      for (const set of sets) for (const ws of [...set]) send(ws, frame, set, '/companion/live/');
    },
    dropSession(token, kind = 'all') {
      const entries = [...((token && sessions.get(token)) || [])].filter((entry) => kind === 'all' || entry.kind === 'plugin');
      for (const entry of entries) entry.drop();
      return entries.length;
    },
    count: (plugin, channel) => channels.get(`${plugin}/${channel}`)?.size ?? 0,
    close() {
      for (const ws of wss.clients) ws.terminate();
      for (const socket of raw) socket.destroy();
      wss.close();
    },
  };
}
