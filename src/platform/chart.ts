/**
 * The records plugins read beside patients and tasks: appointments (the schedule), care team
 * memberships and chart data (conditions, medications, allergies, observations). They have no
 * SDK effect here, so their writes take the data model's names; each kind is a table of field
 * checks, defaults and filters over one generic store.
 * @module
 */
import { APPOINTMENT_STATUS, CARE_TEAM_STATUS, CLINICAL_STATUS, MEDICATION_STATUS } from './enums.js';
import { bool, checkFields, checkFilter, date, dateTime, int, listOf, nullable, oneOf, shape, string, type Check, type Spec } from './fields.js';
import { canonicalId, uuid } from './ids.js';
import type { Lookups } from './lookups.js';
import type { ChartData } from './sample-data.js';
import type { Change, PluginPlatform, RecordKind, Store } from './types.js';
import { copy, fail } from './values.js';

/** A stored record of the generic store: an id and its patient. */
type Stored = { id: string; patient_id: string } & Record<string, unknown>;

/** One kind of record, as the generic store handles it. */
interface Kind {
  /** `Change.kind`. */
  kind: RecordKind;
  /** Where it lives in the chart. */
  records: keyof ChartData;
  /** Its writable fields (model names) and their checks. */
  spec: Spec;
  /** Fields a new record must be given. */
  required: string[];
  /** A new record's fields when not given. */
  defaults: (lookups: Lookups) => Record<string, unknown>;
  /** Looks up what fields point to (each must exist); returns the fields to store. */
  refs?: (fields: Record<string, unknown>, where: string, lookups: Lookups) => Record<string, unknown>;
  /** Filters other than "field equals": name → test. */
  filters?: Record<string, (record: Stored, value: unknown) => boolean>;
  /** Fields a filter may name besides its special ones. */
  filterable: string[];
  /** The order of `list()`. */
  order: (a: Stored, b: Stored) => number;
  /** What reads add to a stored record (names of what it points to). */
  view?: (record: Stored, lookups: Lookups) => Record<string, unknown>;
  /** The staff a change concerns. */
  staff?: (record: Stored) => string[];
}

const text = string();
const CODINGS = listOf(shape({ system: string(300, true), code: string(100, true), display: string(500) }, ['system', 'code', 'display']));
/** At least one coding: a chart entry is what its code says. */
const codings: Check<unknown[]> = (value, name) => (CODINGS(value, name).length ? CODINGS(value, name) : fail(`${name} needs at least one { system, code, display }`));
const byText = (key: string, direction = 1) => (a: Stored, b: Stored) => direction * String(a[key] ?? '').localeCompare(String(b[key] ?? ''));
const insertion = () => 0;

/** The local calendar day (YYYY-MM-DD) of an ISO time: what a schedule's "today" compares. */
export function localDay(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

const needPatient = (fields: Record<string, unknown>, where: string, lookups: Lookups) => (fields.patient_id === undefined ? {} : { patient_id: lookups.needPatient(fields.patient_id, `${where}: patient_id`).id });

/** The kinds, by their `platform` property. */
const KINDS: Record<'appointments' | 'careTeamMemberships' | 'conditions' | 'medications' | 'allergyIntolerances' | 'observations', Kind> = {
  appointments: {
    kind: 'appointment',
    records: 'appointments',
    spec: {
      patient_id: string(100), provider_id: string(100), start_time: dateTime, duration_minutes: int(1, 1440), status: oneOf(APPOINTMENT_STATUS), comment: text, description: text,
      meeting_link: string(2000), location_id: nullable(string(100)), note_id: nullable(string(100)), note_type: string(100, true), labels: listOf(string(50, true), 3),
    },
    required: ['patient_id', 'provider_id', 'start_time'],
    defaults: ({ practice }) => ({
      duration_minutes: 30, status: 'unconfirmed', comment: '', description: '', meeting_link: '', location_id: practice.locations[0]?.id ?? null, note_id: null, note_type: 'Office visit', labels: [],
    }),
    refs: (fields, where, lookups) => ({
      ...needPatient(fields, where, lookups),
      ...(fields.provider_id !== undefined && { provider_id: lookups.needStaff(fields.provider_id, `${where}: provider_id`).id }),
      ...(fields.location_id != null && { location_id: lookups.needLocation(fields.location_id, `${where}: location_id`).id }),
      ...(fields.note_id != null && { note_id: lookups.data.notes.find((n) => n.id === canonicalId(fields.note_id))?.id ?? fail(`${where}: note_id: no note ${JSON.stringify(fields.note_id)}`) }),
    }),
    filters: { day: (record, value) => localDay(String(record.start_time)) === value },
    filterable: ['provider_id', 'patient_id', 'status'],
    order: byText('start_time'),
    view: (record, lookups) => {
      const location = lookups.practice.locations.find((l) => l.id === record.location_id);
      return { patient: lookups.patientRef(record.patient_id), provider: lookups.staffRef(String(record.provider_id)), location: location ? { id: location.id, name: location.short_name } : null };
    },
    staff: (record) => [String(record.provider_id)],
  },
  careTeamMemberships: {
    kind: 'care_team_membership',
    records: 'careTeamMemberships',
    spec: { patient_id: string(100), staff_id: string(100), role_code: string(50), role_system: string(300), role_display: string(200, true), status: oneOf(CARE_TEAM_STATUS), lead: bool },
    required: ['patient_id', 'staff_id', 'role_display'],
    defaults: () => ({ role_code: '', role_system: 'http://snomed.info/sct', status: 'active', lead: false }),
    refs: (fields, where, lookups) => ({ ...needPatient(fields, where, lookups), ...(fields.staff_id !== undefined && { staff_id: lookups.needStaff(fields.staff_id, `${where}: staff_id`).id }) }),
    filterable: ['patient_id', 'staff_id', 'status'],
    order: (a, b) => Number(b.lead) - Number(a.lead),
    view: (record, lookups) => ({ staff: lookups.staffRef(String(record.staff_id)) }),
    staff: (record) => [String(record.staff_id)],
  },
  conditions: {
    kind: 'condition',
    records: 'conditions',
    spec: { patient_id: string(100), clinical_status: oneOf(CLINICAL_STATUS), onset_date: nullable(date), resolution_date: nullable(date), notes: text, surgical: bool, codings },
    required: ['patient_id', 'codings'],
    defaults: () => ({ clinical_status: 'active', onset_date: null, resolution_date: null, notes: '', surgical: false }),
    refs: needPatient,
    filterable: ['patient_id', 'clinical_status'],
    order: insertion,
  },
  medications: {
    kind: 'medication',
    records: 'medications',
    spec: {
      patient_id: string(100), status: oneOf(MEDICATION_STATUS), start_date: nullable(date), end_date: nullable(date), clinical_quantity_description: text,
      quantity_qualifier_description: text, national_drug_code: string(20), codings,
    },
    required: ['patient_id', 'codings'],
    defaults: () => ({ status: 'active', start_date: null, end_date: null, clinical_quantity_description: '', quantity_qualifier_description: '', national_drug_code: '' }),
    refs: needPatient,
    filterable: ['patient_id', 'status'],
    order: insertion,
  },
  allergyIntolerances: {
    kind: 'allergy_intolerance',
    records: 'allergyIntolerances',
    spec: {
      patient_id: string(100), allergy_intolerance_type: string(50, true), status: string(50, true), severity: string(50), onset_date: nullable(date), recorded_date: nullable(date),
      narrative: text, codings,
    },
    required: ['patient_id', 'codings'],
    defaults: () => ({ allergy_intolerance_type: 'allergy', status: 'active', severity: '', onset_date: null, recorded_date: localDay(new Date().toISOString()), narrative: '' }),
    refs: needPatient,
    filterable: ['patient_id', 'status'],
    order: insertion,
  },
  observations: {
    kind: 'observation',
    records: 'observations',
    spec: {
      patient_id: string(100), category: string(100, true), name: string(200, true),
      value: (value, name) => (typeof value === 'number' && Number.isFinite(value) ? String(value) : string(1000)(value, name)),
      units: string(50), effective_datetime: dateTime, note_id: nullable(string(100)), codings: CODINGS,
    },
    required: ['patient_id', 'name', 'value'],
    defaults: () => ({ category: 'vital-signs', units: '', effective_datetime: new Date().toISOString(), note_id: null, codings: [] }),
    refs: (fields, where, lookups) => ({
      ...needPatient(fields, where, lookups),
      ...(fields.note_id != null && { note_id: lookups.data.notes.find((n) => n.id === canonicalId(fields.note_id))?.id ?? fail(`${where}: note_id: no note ${JSON.stringify(fields.note_id)}`) }),
    }),
    filterable: ['patient_id', 'category', 'name'],
    order: byText('effective_datetime', -1),
  },
};

/** One generic store: reads that return copies with names, writes that check their fields and notify. */
function createStore(lookups: Lookups, name: keyof typeof KINDS): Store<unknown, Record<string, unknown>, Record<string, unknown>> {
  const kind = KINDS[name];
  const records = () => lookups.data[kind.records] as unknown as Stored[];
  const find = (id: unknown) => records().find((r) => r.id === canonicalId(id)) ?? null;
  const view = (record: Stored) => ({ ...copy(record), ...kind.view?.(record, lookups) });
  const changed = (record: Stored, action: Change['action']) => {
    lookups.emit({ kind: kind.kind, action, id: record.id, patient_id: record.patient_id, staff_ids: kind.staff?.(record) ?? [], record: view(record) as Change['record'] });
    return view(record);
  };
  const check = (where: string, fields: unknown, required: string[]) => {
    const checked = checkFields(where, fields, kind.spec, required, { id: `${name}.update(id, fields) takes the id apart` });
    return { ...checked, ...kind.refs?.(checked, where, lookups) };
  };
  const filters = [...kind.filterable, ...Object.keys(kind.filters ?? {})];
  return {
    list(filter = {}) {
      const given = checkFilter(`${name}.list`, filter, filters);
      const test = (record: Stored) => given.every(([key, value]) => (kind.filters?.[key] ?? ((r: Stored, v: unknown) => r[key] === v))(record, value));
      return records().filter(test).sort(kind.order).map(view);
    },
    get(id) {
      const found = find(id);
      return found && view(found);
    },
    add(fields) {
      const record = { id: uuid(), ...kind.defaults(lookups), ...check(`${name}.add`, fields, kind.required) } as Stored;
      records().push(record);
      return changed(record, 'created');
    },
    update(id, fields) {
      const record = find(id) ?? fail(`${name}.update: no record ${JSON.stringify(id)}`);
      Object.assign(record, check(`${name}.update`, fields, []));
      return changed(record, 'updated');
    },
  };
}

/** The stores of one platform without SDK effects here. */
export function createChart(lookups: Lookups): Pick<PluginPlatform, keyof typeof KINDS> {
  // Each store's types are the kind's record and field types (see types.ts); the generic store checks them at run time.
  const stores = Object.fromEntries(Object.keys(KINDS).map((name) => [name, createStore(lookups, name as keyof typeof KINDS)]));
  return stores as unknown as Pick<PluginPlatform, keyof typeof KINDS>;
}
