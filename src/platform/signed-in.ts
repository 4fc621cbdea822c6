/**
 * `platform.staff`, the signed-in staff member, read when asked: the harness plays several
 * sessions, and one can switch staff member, so a mock's `platform.staff` is that session's.
 * @module
 */
import type { Staff } from './types.js';

/** A copy of `object` with a `staff` property that asks `me` each time it is read (enumerable, as the other properties). */
export function withStaff<T extends object>(object: T, me: () => Staff): T & { readonly staff: Staff } {
  return Object.defineProperty({ ...object }, 'staff', { get: me, enumerable: true }) as T & { readonly staff: Staff };
}

/** The other properties of `object`, to spread into a view (a spread would read `staff` once, now). */
export function withoutStaff<T extends { staff: Staff }>(object: T): Omit<T, 'staff'> {
  const copy: Partial<T> = {};
  for (const key of Object.keys(object) as (keyof T)[]) if (key !== 'staff') copy[key] = object[key];
  return copy as Omit<T, 'staff'>;
}
