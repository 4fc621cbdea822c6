/**
 * `platform.staff` read when asked (src/platform/signed-in.ts): a transport that plays several
 * sessions says who is signed in for the work running now, and every view of the platform (the
 * platform's own, each plugin's) follows; spreads of a view do not freeze it by accident.
 */
import { describe, expect, it } from 'vitest';
import { createPlatform, type Staff } from '../../src/platform/index.js';
import { withoutStaff, withStaff } from '../../src/platform/signed-in.js';

describe('platform.staff', () => {
  it('follows the transport\'s signed-in member in the platform and in each plugin\'s view, and is the first member without one', async () => {
    let who: Staff | null = null;
    const platform = createPlatform({ signedIn: () => who });
    const backend = platform.plugin('me_plugin', { routes: { 'GET /me': (_request, view) => ({ id: view.staff.id }) } });
    const [first, second] = platform.staffMembers;
    const me = async () => {
      const answer = await backend.handle({ method: 'GET', path: '/me', query: new URLSearchParams(), headers: {}, body: null, staff: first! });
      return JSON.parse('body' in answer ? (answer.body ?? 'null') : 'null') as { id: string };
    };
    expect([platform.staff.id, backend.platform.staff.id, (await me()).id]).toEqual([first!.id, first!.id, first!.id]);
    who = second!;
    expect([platform.staff.id, backend.platform.staff.id, (await me()).id]).toEqual([second!.id, second!.id, second!.id]);
    expect(Object.keys(backend.platform)).toContain('staff');
    platform.close();
  });

  it('withStaff copies the object and asks on each read; withoutStaff leaves the getter unread', () => {
    const members = createPlatform().staffMembers;
    let index = 0;
    const base = { a: 1 };
    const view = withStaff(base, () => members[index]!);
    expect(base).toEqual({ a: 1 });
    expect(view.staff.id).toBe(members[0]!.id);
    index = 1;
    expect(view.staff.id).toBe(members[1]!.id);
    let reads = 0;
    const counted = withStaff({ b: 2 }, () => {
      reads++;
      return members[0]!;
    });
    expect(withoutStaff(counted)).toEqual({ b: 2 });
    expect(reads).toBe(0);
  });
});
