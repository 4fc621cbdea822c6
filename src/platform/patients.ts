/**
 * Patients: written with the Patient effect's fields (`canvas_sdk.effects.patient.Patient`),
 * read as the data model names them. `CREATE_PATIENT`, `UPDATE_PATIENT` and the direct writes
 * share these checks.
 * @module
 */
import { ADDRESS_TYPE, ADDRESS_USE, CONTACT_POINT_SYSTEM, CONTACT_POINT_USE, SEX } from './enums.js';
import { bool, checkFields, date, dateTime, int, listOf, nullable, number, oneOf, shape, string, type Checked } from './fields.js';
import { keyOf, newKey, uuid } from './ids.js';
import type { Lookups } from './lookups.js';
import type { StoredPatient } from './sample-data.js';
import type { ContactPoint, Patient, PluginPlatform } from './types.js';
import { copy, fail, same } from './values.js';

const name = nullable(string(100));
const text = nullable(string());
const codes = nullable(listOf(string(100)));

/** The Patient effect's keyword arguments and their checks. */
export const PATIENT_FIELDS = {
  patient_id: string(100),
  first_name: string(100, true),
  last_name: string(100, true),
  middle_name: name,
  prefix: name,
  suffix: name,
  birthdate: nullable(date),
  sex_at_birth: nullable(oneOf(SEX)),
  nickname: name,
  social_security_number: nullable(string(11)),
  administrative_note: text,
  clinical_note: text,
  default_location_id: nullable(string(100)),
  default_provider_id: nullable(string(100)),
  active: nullable(bool),
  deceased: nullable(bool),
  deceased_datetime: nullable(dateTime),
  deceased_cause: text,
  deceased_comment: text,
  biological_race_codes: codes,
  cultural_ethnicity_codes: codes,
  previous_names: codes,
  contact_points: nullable(listOf(shape({
    system: oneOf(CONTACT_POINT_SYSTEM), value: string(255, true), use: oneOf(CONTACT_POINT_USE), rank: int(1, 100), has_consent: nullable(bool),
  }, ['system', 'value', 'use', 'rank']))),
  addresses: nullable(listOf(shape({
    line1: string(255, true), country: string(100, true), line2: nullable(string(255)), use: oneOf(ADDRESS_USE), type: oneOf(ADDRESS_TYPE), city: nullable(string(255)),
    district: nullable(string(255)), state_code: nullable(string(10)), postal_code: nullable(string(20)), longitude: nullable(number(-180, 180)), latitude: nullable(number(-90, 90)),
  }, ['line1', 'country']))),
  contacts: nullable(listOf(shape({
    name: nullable(string(255)), contact_identifier: nullable(string(100)),
    phone_number: nullable((value, field) => (typeof value === 'string' && /^\d{10}$/.test(value) ? value : fail(`${field} must be exactly 10 digits (got ${JSON.stringify(value)})`))),
    email: nullable(string(255)), comments: text,
    categories: nullable(listOf(shape({ code: string(100, true), code_system: string(255, true), name: string(255, true) }, ['code', 'code_system', 'name']))),
    related_patient: nullable(string(100)), inactive: nullable(bool),
  }))),
  external_identifiers: nullable(listOf(shape({ value: string(255, true), system: nullable(string(255)) }, ['value']))),
  preferred_pharmacies: nullable(listOf(shape({ ncpdp_id: string(20, true), default: bool }, ['ncpdp_id']))),
  metadata: nullable(listOf(shape({ key: string(255, true), value: string() }, ['key', 'value']))),
};

/** Names authors reach for that the Patient effect spells otherwise. */
const HINTS: Readonly<Record<string, string>> = {
  birth_date: 'the Patient effect calls it birthdate; the record reads birth_date',
  sex: 'the SDK calls it sex_at_birth: "F", "M", "O", "UNK" or ""',
  gender: 'the SDK calls it sex_at_birth: "F", "M", "O", "UNK" or ""',
  phone: 'phones and emails are contact_points: [{ system: "phone", value, use: "mobile", rank: 1 }]',
  phone_number: 'phones and emails are contact_points: [{ system: "phone", value, use: "mobile", rank: 1 }]',
  email: 'phones and emails are contact_points: [{ system: "email", value, use: "home", rank: 1 }]',
  telecom: 'the Patient effect calls it contact_points; the record reads telecom',
  preferred_name: 'the SDK has no preferred name: use nickname',
  id: 'the Patient effect calls it patient_id',
};

/** The checked fields of a Patient effect. */
export type PatientFields = Checked<typeof PATIENT_FIELDS>;

/** A patient as reads give it: a copy with the SDK's properties. */
export function patientView(p: StoredPatient): Patient {
  const preferred = p.nickname || p.first_name;
  const phone = p.telecom.filter((c) => c.system === 'phone' && c.state === 'active').sort((a, b) => a.rank - b.rank)[0];
  return {
    ...copy(p),
    full_name: [p.first_name, p.middle_name, p.last_name, p.suffix].filter(Boolean).join(' '),
    preferred_first_name: preferred,
    preferred_full_name: `${preferred} ${p.last_name}`,
    primary_phone_number: phone?.value ?? null,
  };
}

/**
 * Reads a Patient effect's fields: known names and values, existing provider and location, and
 * a free well-formed `patient_id` on create.
 * @param where - `'CREATE_PATIENT data'`, `'patients.add'`…
 * @throws TypeError naming the first field that is wrong.
 */
export function checkPatient(lookups: Lookups, where: string, data: unknown, create: boolean): PatientFields {
  const fields = checkFields(where, data, PATIENT_FIELDS, create ? ['first_name', 'last_name'] : [], HINTS);
  if (create && fields.patient_id !== undefined) {
    if (!keyOf(fields.patient_id)) fail(`${where}: patient_id must be 32 lower-case hex digits, as generate_patient_id() makes (got ${JSON.stringify(fields.patient_id)})`);
    if (lookups.data.patients.some((p) => p.id === fields.patient_id)) fail(`${where}: a patient ${fields.patient_id} exists already`);
  }
  if (fields.default_provider_id) lookups.needStaff(fields.default_provider_id, `${where}: default_provider_id`);
  if (fields.default_location_id) lookups.needLocation(fields.default_location_id, `${where}: default_location_id`);
  for (const [i, contact] of (fields.contacts ?? []).entries()) {
    const at = `${where}: contacts[${i}]`;
    if (contact.related_patient) lookups.needPatient(contact.related_patient, `${at}.related_patient`);
    if (contact.inactive && !contact.contact_identifier) fail(`${at}: removing a contact (inactive) needs its contact_identifier`);
    if (!contact.contact_identifier && !contact.name && !contact.related_patient) fail(`${at}: a new contact needs a name or a related_patient`);
  }
  return fields;
}

const STRINGS = ['first_name', 'last_name', 'middle_name', 'prefix', 'suffix', 'nickname', 'social_security_number', 'administrative_note', 'clinical_note', 'deceased_cause', 'deceased_comment'] as const;
const LISTS = ['biological_race_codes', 'cultural_ethnicity_codes', 'previous_names'] as const;

/**
 * Writes checked fields onto a patient: `birthdate` as `birth_date`, `contact_points` as
 * `telecom` (replaced), contacts added, changed or removed, metadata upserted by key.
 * @throws TypeError for a contact_identifier the patient does not have.
 */
function assign(lookups: Lookups, patient: StoredPatient, fields: PatientFields, where: string): void {
  for (const key of STRINGS) if (fields[key] !== undefined) patient[key] = fields[key] ?? '';
  for (const key of LISTS) if (fields[key] !== undefined) patient[key] = fields[key] ?? [];
  if (fields.birthdate !== undefined) patient.birth_date = fields.birthdate;
  if (fields.sex_at_birth !== undefined) patient.sex_at_birth = fields.sex_at_birth ?? '';
  if (fields.active !== undefined) patient.active = fields.active ?? true;
  if (fields.deceased !== undefined) patient.deceased = fields.deceased ?? false;
  if (fields.deceased_datetime !== undefined) patient.deceased_datetime = fields.deceased_datetime;
  if (fields.default_provider_id !== undefined) patient.default_provider_id = fields.default_provider_id;
  if (fields.default_location_id !== undefined) patient.default_location_id = fields.default_location_id && lookups.needLocation(fields.default_location_id, where).id;
  if (fields.contact_points !== undefined) {
    patient.telecom = (fields.contact_points ?? []).map((c): ContactPoint => ({
      system: c.system!, value: c.value!, use: c.use!, use_notes: '', rank: c.rank!, state: 'active', has_consent: c.has_consent ?? null, opted_out: false,
    }));
  }
  if (fields.addresses !== undefined) {
    patient.addresses = (fields.addresses ?? []).map((a) => ({
      line1: a.line1!, line2: a.line2 ?? '', city: a.city ?? '', district: a.district ?? '', state_code: a.state_code ?? '', postal_code: a.postal_code ?? '', country: a.country!,
      use: a.use ?? 'home', type: a.type ?? 'both', state: 'active', longitude: a.longitude ?? null, latitude: a.latitude ?? null,
    }));
  }
  for (const [i, c] of (fields.contacts ?? []).entries()) {
    const at = patient.contacts.findIndex((x) => same(x.id, c.contact_identifier));
    if (c.contact_identifier && at < 0) fail(`${where}: contacts[${i}]: the patient has no contact ${c.contact_identifier}`);
    if (c.inactive) {
      patient.contacts.splice(at, 1);
      continue;
    }
    const before = at >= 0 ? patient.contacts[at]! : { id: uuid(), name: '', phone_number: '', email: '', comments: '', related_patient_id: null, categories: [] };
    const after = {
      ...before,
      ...(c.name !== undefined && { name: c.name ?? '' }),
      ...(c.phone_number !== undefined && { phone_number: c.phone_number ?? '' }),
      ...(c.email !== undefined && { email: c.email ?? '' }),
      ...(c.comments !== undefined && { comments: c.comments ?? '' }),
      ...(c.related_patient !== undefined && { related_patient_id: c.related_patient }),
      ...(c.categories !== undefined && { categories: (c.categories ?? []) as StoredPatient['contacts'][number]['categories'] }),
    };
    if (at >= 0) patient.contacts[at] = after;
    else patient.contacts.push(after);
  }
  if (fields.external_identifiers !== undefined) patient.external_identifiers = (fields.external_identifiers ?? []).map((x) => ({ value: x.value!, system: x.system ?? null }));
  if (fields.preferred_pharmacies !== undefined) patient.preferred_pharmacies = (fields.preferred_pharmacies ?? []).map((x) => ({ ncpdp_id: x.ncpdp_id!, default: x.default ?? false }));
  for (const { key, value } of fields.metadata ?? []) {
    const found = patient.metadata.find((m) => m.key === key);
    if (found) found.value = value!;
    else patient.metadata.push({ key: key!, value: value! });
  }
}

/** The patients of one platform: `platform.patients`, and the writes the Patient effects land with. */
export function createPatients(lookups: Lookups): PluginPlatform['patients'] & {
  /** Checks a Patient effect's data now (for `apply`): on update, the patient must exist. */
  check(where: string, data: unknown, create: boolean): void;
  /** Creates a patient from checked-again effect data. */
  create(where: string, data: unknown): Patient;
  /** Changes a patient from checked-again effect data (`patient_id` inside). */
  change(where: string, id: unknown, data: unknown): Patient;
} {
  const { data } = lookups;
  const matches = (p: Patient, fields: Partial<Record<keyof Patient, string>>) =>
    Object.entries(fields).every(([key, value]) => value === undefined || same(p[key as keyof Patient], value));

  function create(where: string, input: unknown): Patient {
    const fields = checkPatient(lookups, where, input, true);
    const time = lookups.now();
    const patient: StoredPatient = {
      id: fields.patient_id ?? newKey(), first_name: '', middle_name: '', last_name: '', prefix: '', suffix: '', nickname: '', birth_date: null, sex_at_birth: '',
      mrn: String(100231 + data.patients.length * 17), active: true, deceased: false, deceased_datetime: null, deceased_cause: '', deceased_comment: '',
      default_provider_id: null, default_location_id: null, social_security_number: '', administrative_note: '', clinical_note: '', biological_race_codes: [],
      cultural_ethnicity_codes: [], previous_names: [], telecom: [], addresses: [], contacts: [], external_identifiers: [], preferred_pharmacies: [], metadata: [],
      created: time, modified: time,
    };
    assign(lookups, patient, fields, where);
    data.patients.push(patient);
    lookups.emit({ kind: 'patient', action: 'created', id: patient.id, patient_id: patient.id, staff_ids: [], record: patientView(patient) });
    return patientView(patient);
  }

  function change(where: string, id: unknown, input: unknown): Patient {
    const patient = lookups.needPatient(id, where);
    const fields = checkPatient(lookups, where, input, false);
    if (fields.patient_id !== undefined && fields.patient_id !== patient.id) fail(`${where}: patient_id ${fields.patient_id} is not the patient being changed (${patient.id})`);
    assign(lookups, patient, fields, where);
    patient.modified = lookups.now();
    lookups.emit({ kind: 'patient', action: 'updated', id: patient.id, patient_id: patient.id, staff_ids: [], record: patientView(patient) });
    return patientView(patient);
  }

  return {
    list: (filter = {}) => data.patients.map(patientView).filter((p) => matches(p, filter)).sort((a, b) => a.last_name.localeCompare(b.last_name) || a.first_name.localeCompare(b.first_name)),
    get(id) {
      const found = lookups.patient(id);
      return found && patientView(found);
    },
    find(fields = {}, { since } = {}) {
      const after = since === undefined ? -Infinity : Date.parse(since);
      if (Number.isNaN(after)) fail(`patients.find: since "${since}" is not a time`);
      return data.patients.map(patientView)
        .filter((p) => matches(p, fields))
        // Not `>= after`: a record whose time does not parse is never excluded.
        .filter((p) => !(Date.parse(p.created) < after))
        .sort((a, b) => b.created.localeCompare(a.created));
    },
    add: (fields) => create('patients.add', fields),
    update: (id, fields) => change('patients.update', id, fields),
    check(where, input, isCreate) {
      const fields = checkPatient(lookups, where, input, isCreate);
      if (!isCreate) lookups.needPatient(fields.patient_id, `${where}: patient_id`);
    },
    create,
    change,
  };
}

