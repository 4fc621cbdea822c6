/**
 * The harness's WebSockets: plugin channels on the mock platform (/plugin-io/ws/<plugin>/<channel>/),
 * the shell's own change feed, and every socket of a session (proxied ones too), so that expiring
 * the session drops them all the way Canvas does (the browser sees close code 1006).
 */
import { WebSocketServer } from 'ws';

/** Limits of this module. */
const LIMITS = Object.freeze({
  /** Largest frame a page may send (Canvas plugin sockets are server-to-client; pages rarely send). */
  payload: 65_536,
});

export function createLive({ log }) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.payload });
  // A handshake ws refuses (bad key, version): answered here so that it gets its log line too.
  wss.on('wsClientError', (error, socket, request) => {
    const status = error.code === 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH' ? 413 : 400;
    log(`${status} WebSocket ${request.url}: ${error.message}`);
    if (!socket.writable) return void socket.destroy();
    socket.end(`HTTP/1.1 ${status} ${status === 413 ? 'Payload Too Large' : 'Bad Request'}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(error.message) + 1}\r\n\r\n${error.message}\n`);
  });
  /** "<plugin>/<channel>" -> open sockets */
  const channels = new Map();
  /** session token -> { drop() } for each live socket of that session */
  const sessions = new Map();
  const shellClients = new Set();
  /** raw sockets (upgrading, proxied) destroyed on close */
  const raw = new Set();

  /** Remembers a socket of a session; returns the function that forgets it. */
  function track(token, entry) {
    if (!token) return () => {};
    if (!sessions.has(token)) sessions.set(token, new Set());
    sessions.get(token).add(entry);
    return () => {
      sessions.get(token)?.delete(entry);
      if (!sessions.get(token)?.size) sessions.delete(token);
    };
  }

  /** Keeps a raw socket until it closes, so close() can end it. */
  function hold(socket) {
    raw.add(socket);
    socket.once('close', () => raw.delete(socket));
  }

  /** Completes an upgrade the caller has allowed. `where` is { plugin, channel } or { shell: true }. */
  function accept(request, socket, head, token, where) {
    wss.handleUpgrade(request, socket, head, (ws) => {
      // An invalid frame from the page must not take the server down.
      ws.on('error', (error) => log(`WebSocket ${request.url}: ${error.message}; closed`));
      const forget = track(token, { drop: () => ws.terminate() });
      let set;
      if (where.shell) set = shellClients;
      else {
        const key = `${where.plugin}/${where.channel}`;
        if (!channels.has(key)) channels.set(key, new Set());
        set = channels.get(key);
      }
      set.add(ws);
      ws.on('close', () => {
        forget();
        set.delete(ws);
        if (!where.shell && !set.size) channels.delete(`${where.plugin}/${where.channel}`);
      });
    });
  }

  return {
    accept,
    hold,
    track,
    /** Sends a broadcast frame to a plugin's channel (every plugin's when `plugin` is null); returns how many sockets got it. */
    deliver(plugin, channel, frame) {
      let count = 0;
      for (const [key, set] of channels) {
        if (key === `${plugin}/${channel}` || (plugin === null && key.endsWith(`/${channel}`))) {
          for (const ws of set) {
            ws.send(frame);
            count++;
          }
        }
      }
      return count;
    },
    /** Tells every open shell that the mock data changed. */
    notifyShell(change) {
      const frame = JSON.stringify({ type: 'changed', kind: change.kind, patient_id: change.patient_id ?? null, note_id: change.note_id ?? null });
      for (const ws of shellClients) ws.send(frame);
    },
    /** Drops every socket of a session, proxied ones too (the browser sees 1006). Returns how many. */
    dropSession(token) {
      const entries = [...(sessions.get(token) ?? [])];
      for (const entry of entries) entry.drop();
      return entries.length;
    },
    /** How many plugin sockets are open on a channel (for tests and logs). */
    count: (plugin, channel) => channels.get(`${plugin}/${channel}`)?.size ?? 0,
    close() {
      for (const ws of wss.clients) ws.terminate();
      for (const socket of raw) socket.destroy();
      wss.close();
    },
  };
}
