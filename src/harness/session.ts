/**
 * The staff session: a cookie the shell sets (a stand-in for Canvas's login), which plugin routes
 * and sockets need, and which the shell's menu can expire.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Staff } from '../platform/index.js';
import { cookies } from './http.js';

const COOKIE = 'sessionid';

/** A session token's state. */
interface Token {
  /** Expired from the shell's menu: the cookie is still sent, but no longer signs anyone in. */
  expired: boolean;
}

/** The session of one request. */
export interface Session {
  /** The cookie's token, when the request sent one. */
  token: string | undefined;
  /** The token's state, when the harness knows the token. */
  found: Token | undefined;
  /** The signed-in staff member; null when signed out (no cookie, an unknown one, or expired). */
  staff: Staff | null;
}

/** The harness's sessions. */
export interface Sessions {
  /** The staff member every session signs in. */
  staff: Staff;
  /** The session of a request, from its cookie. */
  of(request: IncomingMessage): Session;
  /** Starts a fresh session; returns its Set-Cookie header. */
  signIn(): string;
  /** Expires a request's session and drops its sockets; returns how many were dropped. */
  expire(current: Session): number;
}

/** Options of {@link createSessions}. */
export interface SessionOptions {
  /** The staff member every session signs in. */
  staff: Staff;
  /** Drops a session's sockets (all of them, proxied ones too); returns how many. */
  dropSockets: (token: string | undefined) => number;
  /**
   * Tokens kept at most; the oldest is forgotten first (its session signs in again on its next visit).
   * @default 1000
   */
  maxSessions?: number;
}

/** Creates the session store. */
export function createSessions({ staff, dropSockets, maxSessions = 1_000 }: SessionOptions): Sessions {
  const tokens = new Map<string, Token>();
  return {
    staff,
    of(request) {
      const token = cookies(request)[COOKIE];
      const found = token ? tokens.get(token) : undefined;
      return { token, found, staff: found && !found.expired ? staff : null };
    },
    signIn() {
      const token = randomUUID();
      // Every cookie-less visit signs in: keep the newest only, so a loop of visits cannot grow memory.
      for (const oldest of tokens.keys()) {
        if (tokens.size < maxSessions) break;
        tokens.delete(oldest);
      }
      tokens.set(token, { expired: false });
      return `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax`;
    },
    expire(current) {
      if (!current.found) return 0;
      current.found.expired = true;
      return dropSockets(current.token);
    },
  };
}
