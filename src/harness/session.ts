/**
 * The staff session: a cookie the shell sets (a stand-in for Canvas's login), which plugin routes
 * and sockets need, and which the shell's menu can expire. Each sign-in is a numbered session
 * with its own staff member (switchable from the shell) and its own workbench conditions.
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { NO_CONDITIONS, type Conditions, type Staff } from '../platform/index.js';
import { cookies } from './http.js';
import type { DropKind } from './live.js';

const COOKIE = 'sessionid';

/** One signed-in session, as the harness keeps it. */
export interface SessionState {
  /** Counts up from 1 in one harness run, one per sign-in. */
  readonly number: number;
  /** The cookie's value. */
  readonly token: string;
  /** Expired from the shell's menu: the cookie is still sent, but no longer signs anyone in. */
  expired: boolean;
  /** Who plugin requests and socket rules see (the shell can switch it). */
  staff: Staff;
  /** How its plugin requests and sockets misbehave on purpose (the workbench). */
  conditions: Conditions;
  /** Cuts each plugin request of the session still being answered (going offline cuts them, as a lost network does). */
  readonly inflight: Set<() => void>;
}

/** The session of one request. */
export interface Session {
  /** The cookie's token, when the request sent one. */
  token: string | undefined;
  /** The session, when the harness knows the token (expired ones too). */
  found: SessionState | undefined;
  /** The signed-in staff member; null when signed out (no cookie, an unknown one, or expired). */
  staff: Staff | null;
}

/** The harness's sessions. */
export interface Sessions {
  /** The session of a request, from its cookie. */
  of(request: IncomingMessage): Session;
  /** A session by its number; undefined when unknown or forgotten. */
  byNumber(number: number): SessionState | undefined;
  /** Starts a fresh session; returns it and its Set-Cookie header. */
  signIn(): { session: SessionState; cookie: string };
  /** Expires a request's session and drops its sockets; returns how many were dropped. */
  expire(current: Session): number;
  /** Switches a session's staff member and drops its plugin sockets (authorized for someone else); returns how many. */
  switchStaff(session: SessionState, staff: Staff): number;
  /** Drops a session's sockets (the browser sees 1006); returns how many. */
  dropSockets(session: SessionState, kind: DropKind): number;
  /** Runs `task` as work of `session` (null: of none): the effects it applies, their delays and `platform.staff` belong to it. */
  run<T>(session: SessionState | null, task: () => T): T;
  /** The session whose work runs now (see {@link Sessions.run}); null outside any. */
  active(): SessionState | null;
}

/** Options of {@link createSessions}. */
export interface SessionOptions {
  /** The staff member every session signs in as. */
  staff: Staff;
  /** Drops a session's sockets (proxied ones too); returns how many. */
  dropSockets: (token: string | undefined, kind: DropKind) => number;
  /**
   * Sessions kept at most; the oldest is forgotten first (its cookie then signs in again on its next visit).
   * @default 1000
   */
  maxSessions?: number;
}

/** Creates the session store. */
export function createSessions({ staff, dropSockets, maxSessions = 1_000 }: SessionOptions): Sessions {
  const tokens = new Map<string, SessionState>();
  const numbers = new Map<number, SessionState>();
  const scope = new AsyncLocalStorage<SessionState | null>();
  let count = 0;
  return {
    of(request) {
      const token = cookies(request)[COOKIE];
      const found = token ? tokens.get(token) : undefined;
      return { token, found, staff: found && !found.expired ? found.staff : null };
    },
    byNumber: (number) => numbers.get(number),
    signIn() {
      const token = randomUUID();
      // Every cookie-less visit signs in: keep the newest only, so a loop of visits cannot grow memory.
      for (const [oldest, state] of tokens) {
        if (tokens.size < maxSessions) break;
        tokens.delete(oldest);
        numbers.delete(state.number);
        // A forgotten session is signed out: what it still has open goes too, as on expiry.
        state.expired = true;
        dropSockets(oldest, 'all');
        for (const cut of [...state.inflight]) cut();
      }
      const session: SessionState = { number: ++count, token, expired: false, staff, conditions: { ...NO_CONDITIONS }, inflight: new Set() };
      tokens.set(token, session);
      numbers.set(session.number, session);
      return { session, cookie: `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax` };
    },
    expire(current) {
      if (!current.found) return 0;
      current.found.expired = true;
      return dropSockets(current.token, 'all');
    },
    switchStaff(session, member) {
      session.staff = member;
      return dropSockets(session.token, 'plugins');
    },
    dropSockets: (session, kind) => dropSockets(session.token, kind),
    run: (session, task) => scope.run(session, task),
    active: () => scope.getStore() ?? null,
  };
}
