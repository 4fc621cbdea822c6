/**
 * The harness's session store (src/harness/session.ts) on its own: bounded, and a session it
 * forgets is signed out with what it still has open, as on expiry.
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { createSessions } from '../../src/harness/session.js';
import { createPlatform } from '../../src/platform/index.js';

const request = (cookie: string) => ({ headers: { cookie } }) as unknown as IncomingMessage;

describe('the session store', () => {
  it('forgets the oldest session past maxSessions: its sockets dropped, its requests under way cut, its cookie signed out', () => {
    const staff = createPlatform().staffMembers[0]!;
    const dropSockets = vi.fn(() => 0);
    const sessions = createSessions({ staff, dropSockets, maxSessions: 2 });
    const first = sessions.signIn();
    const cut = vi.fn();
    first.session.inflight.add(cut);
    sessions.signIn();
    expect(dropSockets).not.toHaveBeenCalled();
    sessions.signIn();
    expect(dropSockets).toHaveBeenCalledWith(first.session.token, 'all');
    expect(cut).toHaveBeenCalledTimes(1);
    expect(first.session.expired).toBe(true);
    expect(sessions.of(request(first.cookie.split(';')[0]!))).toMatchObject({ found: undefined, staff: null });
    expect(sessions.byNumber(first.session.number)).toBeUndefined();
  });
});
