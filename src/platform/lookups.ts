/**
 * What every record store needs: the chart's data, the practice, finding the records that
 * others point to (exactly as Canvas matches their ids), names for references, and change
 * notifications.
 * @module
 */
import { canonicalId, keyHint, keyOf } from './ids.js';
import type { ChartData, Practice, StoredPatient } from './sample-data.js';
import type { Change, Party, PracticeLocation, Ref, Staff, Team } from './types.js';
import { copy, fail } from './values.js';

/** The shared parts of the stores of one platform. */
export interface Lookups {
  /** The records, changed in place. */
  readonly data: ChartData;
  /** Staff, locations and teams. */
  readonly practice: Practice;
  /** Reports a change to the platform's listeners (with a copy of the record). */
  emit(change: Change): void;
  /** The patient with this key; null when none (the log says when the id is a key in another form). */
  patient(id: unknown): StoredPatient | null;
  /** The patient with this key, or a TypeError starting with `where`. */
  needPatient(id: unknown, where: string): StoredPatient;
  /** The staff member with this key, or a TypeError starting with `where`. */
  needStaff(id: unknown, where: string): Staff;
  /** A patient or staff member with this key, as a message's party, or a TypeError starting with `where`. */
  needPerson(id: unknown, where: string): Party;
  /** The location with this id, or a TypeError starting with `where`. */
  needLocation(id: unknown, where: string): PracticeLocation;
  /** The team with this id, or a TypeError starting with `where`. */
  needTeam(id: unknown, where: string): Team;
  /** A patient's key and name, or null. */
  patientRef(id: string | null): Ref | null;
  /** A staff member's key and name, or null. */
  staffRef(id: string | null): Ref | null;
  /** The time now, ISO. */
  now(): string;
}

/** A patient's display name: first and last name. */
export const patientName = (p: Pick<StoredPatient, 'first_name' | 'last_name'>) => `${p.first_name} ${p.last_name}`;

/**
 * The lookups of one platform.
 * @param log - Where a lookup by a key in the wrong form is reported (once per value).
 */
export function createLookups(data: ChartData, practice: Practice, emit: (change: Change) => void, log: (line: string) => void): Lookups {
  const hinted = new Set<string>();
  /** Why `id` found nothing, for messages; logged once per value for lookups that return null. */
  const why = (id: unknown) => keyHint(id);
  const noted = (id: unknown) => {
    const hint = why(id);
    if (hint && !hinted.has(String(id))) {
      hinted.add(String(id));
      log(`no patient or staff member ${hint}: Canvas would not find it either`);
    }
  };
  const patient = (id: unknown) => {
    const key = keyOf(id);
    const found = key ? data.patients.find((p) => p.id === key) ?? null : null;
    if (!found) noted(id);
    return found;
  };
  const missing = (where: string, what: string, id: unknown, known: string) => {
    const hint = why(id);
    return fail(`${where}: no ${what} ${JSON.stringify(id) ?? String(id)}${hint ? ` (${hint})` : ''}${known ? `; ${known}` : ''}`);
  };
  const staffOf = (id: unknown) => practice.staff.find((s) => s.id === keyOf(id)) ?? null;
  const staffList = `staff: ${practice.staff.map((s) => `${s.id} (${s.name})`).join(', ')}`;
  return {
    data,
    practice,
    emit: (change) => emit({ ...change, record: copy(change.record) }),
    patient,
    needPatient: (id, where) => patient(id) ?? missing(where, 'patient', id, ''),
    needStaff: (id, where) => staffOf(id) ?? missing(where, 'staff member', id, staffList),
    needPerson(id, where) {
      const p = patient(id);
      if (p) return { id: p.id, type: 'Patient', name: patientName(p) };
      const s = staffOf(id);
      return s ? { id: s.id, type: 'Staff', name: s.name } : missing(where, 'patient or staff member', id, '');
    },
    needLocation: (id, where) => practice.locations.find((l) => l.id === canonicalId(id)) ?? missing(where, 'practice location', id, `locations: ${practice.locations.map((l) => `${l.id} (${l.short_name})`).join(', ')}`),
    needTeam: (id, where) => practice.teams.find((t) => t.id === canonicalId(id)) ?? missing(where, 'team', id, `teams: ${practice.teams.map((t) => `${t.id} (${t.name})`).join(', ')}`),
    patientRef(id) {
      const p = id === null ? null : data.patients.find((x) => x.id === id);
      return p ? { id: p.id, name: patientName(p) } : null;
    },
    staffRef(id) {
      const s = id === null ? null : staffOf(id);
      return s ? { id: s.id, name: s.name } : null;
    },
    now: () => new Date().toISOString(),
  };
}
