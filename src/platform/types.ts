/**
 * The public types of the mock Canvas platform, and the contract of a mock module
 * ({@link MockModule}): the file an author passes to the harness as `--mock FILE`, or spreads
 * into the test kit's `mockPlatform()`.
 *
 * Records are read as the SDK's data models (`canvas_sdk.v1.data`) name their fields
 * (`birth_date`, `telecom`, `creator`); writes take what the SDK's effects take (`birthdate`,
 * `contact_points`, `author_id`). IDs are in the SDK's formats: patient and staff keys are 32
 * lower-case hex digits without dashes; every other record has a UUID.
 * @module
 */
import type { AddTaskCommentData, AddTaskData, DateTimeValue, DateValue, Effect, MessageData, PatientData, UpdateTaskData } from './effect-types.js';
import type {
  AddressType, AddressUse, AppointmentStatus, CareTeamStatus, ClinicalStatus, Color, ContactPointSystem, ContactPointUse, LinkableObjectType, MedicationStatus, RoleDomain,
  RoleType, Sex, TaskPriority, TaskStatus, TransmissionChannel,
} from './enums.js';

// The records are object types, not interfaces: a route may answer one as its JSON body, and
// MockResponse's Record<string, unknown> takes object types only (an interface has no index signature).

/** Another record a record points to, with the name the shell shows. */
export type Ref = {
  /** Its id. */
  id: string;
  /** Its display name. */
  name: string;
};

/** A `StaffRole`: what a staff member is licensed and allowed to do. */
export type StaffRole = {
  /** e.g. `'MD'`. */
  readonly internal_code: string;
  /** e.g. `'MD'`, `'RN'`. */
  readonly public_abbreviation: string;
  /** e.g. `'Physician'`. */
  readonly name: string;
  /** `'CLI'` clinical, `'ADM'` administrative, `'HYB'` both. */
  readonly domain: RoleDomain;
  /** `'PROVIDER'`, `'LICENSED'` or `'NON-LICENSED'`. */
  readonly role_type: RoleType;
};

/** A staff member, as `request.staff`, `platform.staff` and `platform.staffMembers` give them (frozen). */
export type Staff = {
  /** The staff key: 32 lower-case hex digits (what `canvas-logged-in-user-id` carries). */
  readonly id: string;
  /** Always `'Staff'` (the session's `logged_in_user.type`). */
  readonly type: 'Staff';
  /** The name the shell shows: prefix, first and last name, e.g. `'Dr. Ada Moreno'` (not an SDK field). */
  readonly name: string;
  /** e.g. `'Dr.'`; `''` when none. */
  readonly prefix: string;
  /** First name. */
  readonly first_name: string;
  /** `''` when none. */
  readonly middle_name: string;
  /** Last name. */
  readonly last_name: string;
  /** `''` when none. */
  readonly suffix: string;
  /** `''` when none. */
  readonly nickname: string;
  /** First and last name only, as the SDK's `Staff.full_name`. */
  readonly full_name: string;
  /** Full name and the top role's abbreviation, as the SDK's `credentialed_name`: `'Ada Moreno MD'`. */
  readonly credentialed_name: string;
  /** The staff member's roles, the top one first. */
  readonly roles: readonly StaffRole[];
  /** Whether they can sign in. */
  readonly active: boolean;
  /** `''` for staff without one. */
  readonly npi_number: string;
  /** The practice location they work at, or null. */
  readonly primary_practice_location_id: string | null;
};

/** A `PracticeLocation`. */
export type PracticeLocation = {
  /** UUID. */
  readonly id: string;
  /** e.g. `'Mission Street Clinic'`. */
  readonly full_name: string;
  /** e.g. `'Mission'`. */
  readonly short_name: string;
  /** Whether patients are seen there. */
  readonly active: boolean;
};

/** A `Team` (tasks can be assigned to one). */
export type Team = {
  /** UUID. */
  readonly id: string;
  /** e.g. `'Front desk'`. */
  readonly name: string;
  /** What the team handles. */
  readonly responsibilities: readonly string[];
  /** Its members' keys. */
  readonly member_ids: readonly string[];
};

/** A `PatientContactPoint`: what `contact_points` on the Patient effect becomes (`patient.telecom`). */
export type ContactPoint = {
  /** `'phone'`, `'email'`… */
  system: ContactPointSystem;
  /** The number or address. */
  value: string;
  /** `'mobile'`, `'home'`… */
  use: ContactPointUse;
  /** `''` unless set on Canvas. */
  use_notes: string;
  /** 1 for the preferred one. */
  rank: number;
  /** `'active'` */
  state: 'active' | 'deleted';
  /** Null when not asked. */
  has_consent: boolean | null;
  /** False unless the patient opted out. */
  opted_out: boolean;
};

/** A `PatientAddress`. */
export type Address = {
  /** The first line. */
  line1: string;
  /** `''` when none. */
  line2: string;
  /** City. */
  city: string;
  /** District. */
  district: string;
  /** e.g. `'CA'`. */
  state_code: string;
  /** Postal code. */
  postal_code: string;
  /** e.g. `'US'`. */
  country: string;
  /** `'home'`… */
  use: AddressUse;
  /** `'both'`… */
  type: AddressType;
  /** `'active'` */
  state: 'active' | 'deleted';
  /** Null when unknown. */
  longitude: number | null;
  /** Null when unknown. */
  latitude: number | null;
};

/** A `PatientContactPerson`: an emergency contact or related person (`contacts` on the Patient effect). */
export type PatientContactPerson = {
  /** UUID: the `contact_identifier` that changes or removes it. */
  id: string;
  /** Their name. */
  name: string;
  /** 10 digits, or `''`. */
  phone_number: string;
  /** `''` when none. */
  email: string;
  /** Free text. */
  comments: string;
  /** The related patient's key, or null. */
  related_patient_id: string | null;
  /** Coded relationships. */
  categories: { code: string; code_system: string; name: string }[];
};

/** A code, as the SDK's `codings` rows give it. */
export type Coding = {
  /** e.g. `'http://hl7.org/fhir/sid/icd-10-cm'`. */
  system: string;
  /** e.g. `'I10'`. */
  code: string;
  /** e.g. `'Essential (primary) hypertension'`. */
  display: string;
};

/** A patient (`canvas_sdk.v1.data.Patient`), as reads give it. */
export type Patient = {
  /** The patient key: 32 lower-case hex digits, no dashes (what Canvas puts in `patient_id`). */
  id: string;
  /** First name. */
  first_name: string;
  /** `''` when none. */
  middle_name: string;
  /** Last name. */
  last_name: string;
  /** `''` when none. */
  prefix: string;
  /** `''` when none. */
  suffix: string;
  /** What they like to be called, or `''` (there is no "preferred name" field). */
  nickname: string;
  /** YYYY-MM-DD (the Patient effect's `birthdate`), or null. */
  birth_date: string | null;
  /** `'F'`, `'M'`, `'O'`, `'UNK'` or `''`. */
  sex_at_birth: Sex;
  /** The chart number. */
  mrn: string;
  /** Whether the patient is active. */
  active: boolean;
  /** Whether the patient died. */
  deceased: boolean;
  /** ISO time, or null. */
  deceased_datetime: string | null;
  /** `''` when none. */
  deceased_cause: string;
  /** `''` when none. */
  deceased_comment: string;
  /** A staff key, or null. */
  default_provider_id: string | null;
  /** A practice location's id, or null. */
  default_location_id: string | null;
  /** `''` when none. */
  social_security_number: string;
  /** `''` when none. */
  administrative_note: string;
  /** `''` when none. */
  clinical_note: string;
  /** Codes. */
  biological_race_codes: string[];
  /** Codes. */
  cultural_ethnicity_codes: string[];
  /** Names the patient had. */
  previous_names: string[];
  /** Phones and emails, by rank (the effect's `contact_points`). */
  telecom: ContactPoint[];
  /** Addresses. */
  addresses: Address[];
  /** Emergency contacts and related people. */
  contacts: PatientContactPerson[];
  /** `{ value, system }` pairs. */
  external_identifiers: { value: string; system: string | null }[];
  /** `{ ncpdp_id, default }` pairs. */
  preferred_pharmacies: { ncpdp_id: string; default: boolean }[];
  /** `{ key, value }` pairs. */
  metadata: { key: string; value: string }[];
  /** ISO time the record was created (what a /find's `created__gte` compares). */
  created: string;
  /** ISO time of the last change. */
  modified: string;
  /** Read only, as the SDK's property: first, middle, last name and suffix. */
  full_name: string;
  /** Read only: the nickname, else the first name (the SDK's `preferred_first_name`). */
  preferred_first_name: string;
  /** Read only: the preferred first name and the last name. */
  preferred_full_name: string;
  /** Read only: the best-ranked phone's value, or null (the SDK's `primary_phone_number`). */
  primary_phone_number: string | null;
};

/** A command in a note (one line of its body). */
export type Command = {
  /** The command's UUID (`command_uuid`). */
  id: string;
  /** The SDK's `Meta.key`: `'vitals'`, `'plan'`, `'hpi'`, `'reasonForVisit'`, `'assess'`, `'goal'`, `'task'`. */
  schema_key: string;
  /** What the shell calls it: `'Vitals'`, `'Plan'`… */
  type: string;
  /** One line saying what it holds, as the note shows it. */
  text: string;
  /** Its fields, as the command class took them. */
  data: Record<string, unknown>;
  /** Whether it was committed (`originate(commit=True)`). */
  committed: boolean;
  /** The plugin that originated it (set by `apply` from the plugin's own platform). */
  origin?: string;
  /** ISO time it was added; the sample chart's commands have none. */
  added?: string;
};

/** A note of a patient. */
export type Note = {
  /** UUID. */
  id: string;
  /** The patient's key. */
  patient_id: string;
  /** The note type, e.g. `'Office visit'`. */
  type: string;
  /** YYYY-MM-DD */
  date: string;
  /** Commands can be added to open notes only. */
  status: 'open' | 'signed';
  /** The provider's name. */
  provider: string;
  /** The provider's key, or null. */
  provider_id: string | null;
  /** In the order they were added. */
  commands: Command[];
};

/** A `TaskLabel`. */
export type TaskLabel = {
  /** UUID. */
  id: string;
  /** What `AddTask(labels=[…])` names. */
  name: string;
  /** A `ColorEnum` value. */
  color: Color;
};

/** A `TaskComment`. */
export type TaskComment = {
  /** UUID. */
  id: string;
  /** ISO time. */
  created: string;
  /** ISO time. */
  modified: string;
  /** The writer's key (the effect's `author_id`), or null. */
  creator_id: string | null;
  /** The writer, or null. */
  creator: Ref | null;
  /** The comment. */
  body: string;
};

/** A task (`canvas_sdk.v1.data.Task`), as reads give it. */
export type Task = {
  /** UUID. */
  id: string;
  /** ISO time the record was created. */
  created: string;
  /** ISO time of the last change (a comment too). */
  modified: string;
  /** The title. */
  title: string;
  /** `'OPEN'`, `'COMPLETED'` or `'CLOSED'`. */
  status: TaskStatus;
  /** `'stat'`, `'urgent'`, `'routine'`, or null. */
  priority: TaskPriority | null;
  /** ISO date-time, or null. */
  due: string | null;
  /** `'T'`: a task (`'R'` would be a reminder). */
  task_type: 'T' | 'R';
  /** The patient's key, or null. */
  patient_id: string | null;
  /** The assignee's key, or null (unassigned). */
  assignee_id: string | null;
  /** The team's id, or null. */
  team_id: string | null;
  /** The writer's key (the effect's `author_id`), or null. */
  creator_id: string | null;
  /** The patient and their name, or null. */
  patient: Ref | null;
  /** The assignee and their name, or null. */
  assignee: Ref | null;
  /** The team and its name, or null. */
  team: Ref | null;
  /** The writer and their name, or null. */
  creator: Ref | null;
  /** Its labels, in the order given. */
  labels: TaskLabel[];
  /** Its comments, oldest first. */
  comments: TaskComment[];
  /** A referral or imaging order it is about, or null. */
  linked_object: { id: string; type: LinkableObjectType } | null;
};

/** An appointment (`canvas_sdk.v1.data.Appointment`), as reads give it. */
export type Appointment = {
  /** UUID. */
  id: string;
  /** The patient's key. */
  patient_id: string;
  /** The patient and their name. */
  patient: Ref;
  /** The provider's key. */
  provider_id: string;
  /** The provider and their name. */
  provider: Ref;
  /** ISO date-time. */
  start_time: string;
  /** Minutes. */
  duration_minutes: number;
  /** `AppointmentProgressStatus`: lower case, e.g. `'confirmed'`, `'arrived'`. */
  status: AppointmentStatus;
  /** Free text. */
  comment: string;
  /** Free text. */
  description: string;
  /** A video visit's link, or `''`. */
  meeting_link: string;
  /** The practice location's id, or null. */
  location_id: string | null;
  /** The location and its short name, or null. */
  location: Ref | null;
  /** The visit's note, or null. */
  note_id: string | null;
  /** The note type's name, e.g. `'Office visit'`. */
  note_type: string;
  /** Label names (at most 3). */
  labels: string[];
};

/** Who sent or got a message. */
export type Party = Ref & {
  /** A patient or a staff member (on Canvas the message points at their `CanvasUser`). */
  type: 'Patient' | 'Staff';
};

/** A `MessageTransmission`: one delivery of a message. */
export type Transmission = {
  /** UUID. */
  id: string;
  /** ISO time. */
  created: string;
  /** Whether it arrived. */
  delivered: boolean;
  /** Whether it failed. */
  failed: boolean;
  /** `'noop'` for what the platform sends (it delivers nowhere). */
  contact_point_system: TransmissionChannel;
  /** `''` for what the platform sends. */
  contact_point_value: string;
  /** Free text. */
  comment: string;
  /** The staff member who delivered it by hand, or null. */
  delivered_by_id: string | null;
};

/** A message between a patient and a staff member (`canvas_sdk.v1.data.Message`), as reads give it. */
export type Message = {
  /** UUID. */
  id: string;
  /** ISO time. */
  created: string;
  /** ISO time. */
  modified: string;
  /** The text. */
  content: string;
  /** The sender's key. */
  sender_id: string;
  /** The recipient's key. */
  recipient_id: string;
  /** The sender, their type and name. */
  sender: Party;
  /** The recipient, their type and name. */
  recipient: Party;
  /** A note it belongs to, or null. */
  note_id: string | null;
  /** ISO time it was read, or null: unread. */
  read: string | null;
  /** Its deliveries: none for a draft (`CREATE_MESSAGE`), one once sent. */
  transmissions: Transmission[];
};

/** A `CareTeamMembership`: a staff member on a patient's care team. */
export type CareTeamMembership = {
  /** UUID. */
  id: string;
  /** The patient's key. */
  patient_id: string;
  /** The staff member's key. */
  staff_id: string;
  /** The staff member and their name. */
  staff: Ref;
  /** The role's code, e.g. SNOMED `'446050000'`. */
  role_code: string;
  /** The role's code system. */
  role_system: string;
  /** The role in words, e.g. `'Primary care physician'`. */
  role_display: string;
  /** `'active'`… */
  status: CareTeamStatus;
  /** Whether they lead the team. */
  lead: boolean;
};

/** A `Condition` on a patient's chart. */
export type Condition = {
  /** UUID. */
  id: string;
  /** The patient's key. */
  patient_id: string;
  /** `'active'`, `'resolved'`… */
  clinical_status: ClinicalStatus;
  /** YYYY-MM-DD, or null. */
  onset_date: string | null;
  /** YYYY-MM-DD, or null. */
  resolution_date: string | null;
  /** Free text. */
  notes: string;
  /** Whether it is surgical history. */
  surgical: boolean;
  /** Its codes (ICD-10, SNOMED). */
  codings: Coding[];
};

/** A `Medication` on a patient's chart. */
export type Medication = {
  /** UUID. */
  id: string;
  /** The patient's key. */
  patient_id: string;
  /** `'active'` or `'inactive'`. */
  status: MedicationStatus;
  /** YYYY-MM-DD, or null. */
  start_date: string | null;
  /** YYYY-MM-DD, or null. */
  end_date: string | null;
  /** e.g. `'Take 1 tablet by mouth daily'`. */
  clinical_quantity_description: string;
  /** e.g. `'tablet'`. */
  quantity_qualifier_description: string;
  /** NDC, or `''`. */
  national_drug_code: string;
  /** Its codes (RxNorm). */
  codings: Coding[];
};

/** An `AllergyIntolerance` on a patient's chart. */
export type AllergyIntolerance = {
  /** UUID. */
  id: string;
  /** The patient's key. */
  patient_id: string;
  /** `'allergy'` or `'intolerance'`. */
  allergy_intolerance_type: string;
  /** e.g. `'active'`. */
  status: string;
  /** e.g. `'mild'`, `'moderate'`, `'severe'`, or `''`. */
  severity: string;
  /** YYYY-MM-DD, or null. */
  onset_date: string | null;
  /** YYYY-MM-DD, or null. */
  recorded_date: string | null;
  /** The reaction, in words. */
  narrative: string;
  /** Its codes. */
  codings: Coding[];
};

/** An `Observation`: a vital sign (`category: 'vital-signs'`) or a lab value. */
export type Observation = {
  /** UUID. */
  id: string;
  /** The patient's key. */
  patient_id: string;
  /** e.g. `'vital-signs'`, `'laboratory'`. */
  category: string;
  /** e.g. `'blood_pressure'`, `'pulse'`, `'weight'` (ounces), `'Hemoglobin A1c'`. */
  name: string;
  /** Text, as on Canvas: `'132/84'`, `'72'`. */
  value: string;
  /** e.g. `'mm[Hg]'`, `'/min'`, `'oz'`. */
  units: string;
  /** ISO date-time. */
  effective_datetime: string;
  /** The note it was taken in, or null. */
  note_id: string | null;
  /** Its codes (LOINC). */
  codings: Coding[];
};

/** The kinds of record, as `Change.kind` names them (the SDK's model names in snake case). */
export type RecordKind =
  | 'patient' | 'note' | 'task' | 'appointment' | 'message' | 'care_team_membership' | 'condition' | 'medication' | 'allergy_intolerance' | 'observation';

/** Options of `apply(effect, options)`. */
export interface ApplyOptions {
  /** Milliseconds until the effect lands. @default the platform's effectDelay (harness: --effect-delay, 1200) */
  after?: number;
}

/** One change to the platform's data, as `onChange` listeners get it: from an effect, an event or a direct write alike. */
export interface Change {
  /** The kind of record that changed. */
  kind: RecordKind;
  /** Whether it is new. */
  action: 'created' | 'updated';
  /** The record's id. */
  id: string;
  /** The patient the record belongs to (null for a task or message without one). */
  patient_id: string | null;
  /** Set for notes (their id). */
  note_id?: string;
  /** Set for tasks (their id). */
  task_id?: string;
  /**
   * Staff the change concerns: a task's assignee (and the one it was taken from), a message's
   * staff sender or recipient, an appointment's provider, a care team member; else empty.
   */
  staff_ids: string[];
  /** The record after the change (a copy). */
  record: Patient | Note | Task | Appointment | Message | CareTeamMembership | Condition | Medication | AllergyIntolerance | Observation;
}

/** The reads every record kind has. */
export interface Reads<R, F> {
  /** The records whose listed fields equal these; see each kind for the order. */
  list(filter?: F): R[];
  /** By id; null when unknown. */
  get(id: string): R | null;
}

/** Reads and direct writes (for `setup` and events; routes use `apply` so writes land later) of a kind without an SDK effect here. */
export interface Store<R, F, W> extends Reads<R, F> {
  /** Creates one now; throws naming the field that is wrong. */
  add(fields: W): R;
  /** Changes the given fields now; throws for an unknown record or a wrong field. */
  update(id: string, fields: Partial<W>): R;
}

/** What an appointment write takes (the data model's names). */
export interface AppointmentFields {
  /** Required: a patient's key. */
  patient_id: string;
  /** Required: a staff key. */
  provider_id: string;
  /** Required. */
  start_time: DateTimeValue;
  /** Minutes. @default 30 */
  duration_minutes?: number;
  /** @default 'unconfirmed' */
  status?: AppointmentStatus;
  /** @default '' */
  comment?: string;
  /** @default '' */
  description?: string;
  /** @default '' */
  meeting_link?: string;
  /** A practice location's id. @default the first location */
  location_id?: string | null;
  /** The visit's note. @default null */
  note_id?: string | null;
  /** @default 'Office visit' */
  note_type?: string;
  /** At most 3. @default [] */
  labels?: string[];
}

/** What a care team write takes. */
export interface CareTeamMembershipFields {
  /** Required. */
  patient_id: string;
  /** Required. */
  staff_id: string;
  /** @default '' */
  role_code?: string;
  /** @default 'http://snomed.info/sct' */
  role_system?: string;
  /** Required: the role in words. */
  role_display: string;
  /** @default 'active' */
  status?: CareTeamStatus;
  /** @default false */
  lead?: boolean;
}

/** What a condition write takes. */
export interface ConditionFields {
  /** Required. */
  patient_id: string;
  /** @default 'active' */
  clinical_status?: ClinicalStatus;
  /** @default null */
  onset_date?: DateValue | null;
  /** @default null */
  resolution_date?: DateValue | null;
  /** @default '' */
  notes?: string;
  /** @default false */
  surgical?: boolean;
  /** Required: at least one. */
  codings: Coding[];
}

/** What a medication write takes. */
export interface MedicationFields {
  /** Required. */
  patient_id: string;
  /** @default 'active' */
  status?: MedicationStatus;
  /** @default null */
  start_date?: DateValue | null;
  /** @default null */
  end_date?: DateValue | null;
  /** @default '' */
  clinical_quantity_description?: string;
  /** @default '' */
  quantity_qualifier_description?: string;
  /** @default '' */
  national_drug_code?: string;
  /** Required: at least one. */
  codings: Coding[];
}

/** What an allergy write takes. */
export interface AllergyIntoleranceFields {
  /** Required. */
  patient_id: string;
  /** @default 'allergy' */
  allergy_intolerance_type?: string;
  /** @default 'active' */
  status?: string;
  /** @default '' */
  severity?: string;
  /** @default null */
  onset_date?: DateValue | null;
  /** @default today */
  recorded_date?: DateValue | null;
  /** @default '' */
  narrative?: string;
  /** Required: at least one. */
  codings: Coding[];
}

/** What an observation write takes. */
export interface ObservationFields {
  /** Required. */
  patient_id: string;
  /** @default 'vital-signs' */
  category?: string;
  /** Required. */
  name: string;
  /** Required: text, as on Canvas (a number is taken and written as text). */
  value: string | number;
  /** @default '' */
  units?: string;
  /** @default now */
  effective_datetime?: DateTimeValue;
  /** @default null */
  note_id?: string | null;
  /** @default [] */
  codings?: Coding[];
}

/** What a message write takes: the `Message` effect's fields, without `message_id`. */
export type MessageFields = Omit<MessageData, 'message_id' | 'content'> & {
  /** The text. */
  content: string;
};

/** A filter by patient, for chart data. */
export interface ByPatient {
  /** A patient's key. */
  patient_id?: string;
}

/** What every function of a mock module receives as its second argument (`setup` and events: as their first). */
export interface PluginPlatform {
  /** The plugin's name, from its manifest. */
  readonly plugin: string;
  /**
   * The signed-in staff member ("me"), read when asked: in the harness, the staff member of the
   * session the route, socket rule or event runs for (a session can switch); elsewhere, and
   * outside any session's work, the practice's first member.
   */
  readonly staff: Staff;
  /** The practice's staff: "me" first (whose channels a rule usually allows), then colleagues. */
  readonly staffMembers: readonly Staff[];
  /** The practice's locations. */
  readonly practiceLocations: readonly PracticeLocation[];
  /** The practice's teams. */
  readonly teams: readonly Team[];
  /** The patients: a record created here has its page, header and timeline in the shell. Reads return copies. */
  readonly patients: Reads<Patient, Partial<Record<keyof Patient, string>>> & {
    /** Sorted by last name, then first name; the filter compares as `find` does. */
    list(filter?: Partial<Record<keyof Patient, string>>): Patient[];
    /**
     * By key (32 lower-case hex digits, exact, as Canvas matches it: a dashed or upper-case form
     * finds nothing, and the platform's log says why); null when unknown.
     */
    get(id: string): Patient | null;
    /** Patients whose listed fields equal these (strings compared trimmed, case-insensitive), created at or after `since`; newest first. */
    find(fields: Partial<Record<keyof Patient, string>>, options?: { since?: string }): Patient[];
    /** Creates one now, from what `CREATE_PATIENT` takes (`birthdate`, `sex_at_birth`, `contact_points`…). */
    add(fields: PatientData & { first_name: string; last_name: string }): Patient;
    /** Changes the given fields now, as `UPDATE_PATIENT` does; throws for an unknown patient or a wrong field. */
    update(id: string, fields: Omit<PatientData, 'patient_id'>): Patient;
  };
  /** The notes. Reads return copies. */
  readonly notes: Reads<Note, { patient_id?: string }> & {
    /** A patient's notes (all notes without `patient_id`), newest first. */
    list(filter?: { patient_id?: string }): Note[];
    /** Creates one now for an existing patient: an open 'Office visit' today by "me" unless the fields say otherwise. */
    add(fields: { patient_id: string; type?: string; date?: string; status?: 'open' | 'signed'; provider_id?: string }): Note;
    /**
     * Adds a command to an open note now (routes apply `ORIGINATE_<KEY>_COMMAND`): `schema_key`
     * is the command's `Meta.key` (`'vitals'`, `'plan'`, `'hpi'`, `'reasonForVisit'`,
     * `'assess'`, `'goal'`, `'task'`), `data` its fields.
     */
    addCommand(noteId: string, command: { schema_key: string; data?: Record<string, unknown>; command_uuid?: string; commit?: boolean; origin?: string }): Note;
  };
  /** The tasks. Reads return copies with the names of the people they point to. */
  readonly tasks: Reads<Task, { assignee_id?: string | null; patient_id?: string; team_id?: string; status?: TaskStatus; label?: string }> & {
    /** `OPEN` first, then `COMPLETED`, then `CLOSED`; each by due time (none last), then creation. */
    list(filter?: { assignee_id?: string | null; patient_id?: string; team_id?: string; status?: TaskStatus; label?: string }): Task[];
    /** Creates one now, from what `CREATE_TASK` takes. */
    add(fields: AddTaskData): Task;
    /** Changes the given fields now, as `UPDATE_TASK` does (`id` is the first argument). */
    update(id: string, fields: Omit<UpdateTaskData, 'id'>): Task;
    /** Adds a comment now, as `CREATE_TASK_COMMENT` does. */
    comment(fields: AddTaskCommentData): Task;
    /** The practice's task labels. */
    labels(): TaskLabel[];
  };
  /** The appointments (the schedule). */
  readonly appointments: Store<Appointment, { provider_id?: string; patient_id?: string; status?: AppointmentStatus; day?: string }, AppointmentFields> & {
    /** By start time. `day` (YYYY-MM-DD) keeps those starting that local day: `{ provider_id: staff.id, day: today }` is a schedule. */
    list(filter?: { provider_id?: string; patient_id?: string; status?: AppointmentStatus; day?: string }): Appointment[];
  };
  /** Messages between patients and staff. */
  readonly messages: Reads<Message, { patient_id?: string; staff_id?: string; unread?: boolean }> & {
    /** Oldest first. `patient_id` / `staff_id` keep messages that person sent or got; `unread: true` those not read. */
    list(filter?: { patient_id?: string; staff_id?: string; unread?: boolean }): Message[];
    /** Creates one now: sent (one delivered transmission) unless `send` is false (a draft, as `CREATE_MESSAGE`). */
    add(fields: MessageFields, options?: { send?: boolean }): Message;
    /** Changes it now, as `EDIT_MESSAGE` does: `read` marks it read. */
    update(id: string, fields: Partial<MessageFields>): Message;
    /** Sends a draft now, as `SEND_MESSAGE` does. */
    send(id: string): Message;
  };
  /** Care team memberships: who looks after which patient. */
  readonly careTeamMemberships: Store<CareTeamMembership, { patient_id?: string; staff_id?: string; status?: CareTeamStatus }, CareTeamMembershipFields>;
  /** Conditions (problems). */
  readonly conditions: Store<Condition, ByPatient & { clinical_status?: ClinicalStatus }, ConditionFields>;
  /** Medications. */
  readonly medications: Store<Medication, ByPatient & { status?: MedicationStatus }, MedicationFields>;
  /** Allergies and intolerances. */
  readonly allergyIntolerances: Store<AllergyIntolerance, ByPatient & { status?: string }, AllergyIntoleranceFields>;
  /** Observations: vitals and lab values, newest first. */
  readonly observations: Store<Observation, ByPatient & { category?: string; name?: string }, ObservationFields>;
  /** Lands an effect later; resolves with the record when it landed, rejects when it failed (logged) or the platform closed first. Nobody has to await it. */
  apply(effect: Effect, options?: ApplyOptions): Promise<unknown>;
  /**
   * Sends `{"message": message}` now to every socket of this plugin on `channel` (`[\w-]+`;
   * `message` an object, as Canvas's Broadcast takes a dict). Returns how many sockets got it.
   */
  broadcast(channel: string, message: Record<string, unknown>): number;
  /** Calls `listener` on every change to the platform's records (like a BaseHandler on data events); returns the unsubscribe function. */
  onChange(listener: (change: Change) => void): () => void;
}

/** The request a route function receives. */
export interface MockRequest {
  /** Upper case. */
  method: string;
  /** Relative to the plugin: `/app/tasks` for /plugin-io/api/<plugin>/app/tasks. */
  path: string;
  /** The `<name>` parts of the route's path. */
  params: Record<string, string>;
  /** The URL's query. */
  query: URLSearchParams;
  /** The body: parsed JSON when Content-Type says JSON (invalid JSON gets 400 before the route runs), else text, or null when empty. */
  body: unknown;
  /** Lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  /** The session's staff member (set in every route but a public one, where it is null when signed out). */
  staff: Staff;
}

/** The request a socket rule receives. */
export interface SocketRequest {
  /** The channel the page asked for (`[\w-]+`). */
  channel: string;
  /** The `<name>` parts of the channel pattern (`"*"` gives none). */
  params: Record<string, string>;
  /** `/plugin-io/ws/<plugin>/<channel>/` */
  path: string;
  /** The upgrade URL's query. */
  query: URLSearchParams;
  /** The upgrade request's headers, lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  /** The session's staff member (always set in a rule: without a session every channel is denied first). */
  staff: Staff;
}

/**
 * What a route returns:
 * - a plain value (object, array, string, number): 200 with it as JSON;
 * - `undefined` or `null`: 204, as a SimpleAPI handler that returns no response;
 * - `{ status, body?, headers? }`: that status; an object/array body is JSON, a string body is
 *   text/plain unless `headers` give a content-type;
 * - `{ file, context?, status?, headers? }`: a file of the plugin folder (harness only), with
 *   `{{ name }}` placeholders in HTML filled from `context`, HTML-escaped.
 * An object counts as a response only when all its keys are among status, body, headers, file,
 * context and it has a numeric `status` or a `file`: `{ status: 'submitted', ... }` is a JSON body.
 */
export type MockResponse =
  | undefined
  | null
  | string
  | number
  | boolean
  | unknown[]
  | Record<string, unknown>
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { file: string; context?: Record<string, unknown>; status?: number; headers?: Record<string, string> };

/** A route of a mock module: the SimpleAPI handler's method for one `"METHOD /path"`. */
export type Route = (request: MockRequest, platform: PluginPlatform) => MockResponse | Promise<MockResponse>;
/** A socket rule of a mock module: the WebSocketAPI's `authenticate()` for one channel pattern; `true` allows. */
export type SocketRule = (request: SocketRequest, platform: PluginPlatform) => boolean | Promise<boolean>;
/** A launch URL of a mock module: what an application's `on_open()` returns, or a function of the launch context returning it. */
export type Launch = string | ((context: { patient: { id: string } | null; note: { id: string } | null; staff: Staff }, platform: PluginPlatform) => string);

/**
 * A mock module's exports: the file an author passes to the harness as `--mock FILE`, or spreads
 * into the test kit's `mockPlatform()`.
 *
 * An ES module (`.mjs`, or `.js` in a `"type": "module"` package) with named exports, or a
 * default export of the same object. Every export is optional.
 *
 * ```js
 * export const launch = {            // what each Application.on_open() returns
 *   'my_plugin.applications.tasks:Tasks': ({ patient }) => `/plugin-io/api/my_plugin/app/tasks?patient_id=${patient.id}`,
 * };
 * export const routes = {            // the SimpleAPI handler's routes, relative to /plugin-io/api/<plugin>
 *   'GET /app/tasks': () => ({ file: 'templates/tasks.html', context: { v: '1' } }),
 *   'GET /app/tasks/<id>': ({ params }, platform) => platform.tasks.get(params.id) ?? { status: 404, body: { error: 'No such task' } },
 *   'POST /app/tasks': ({ body, staff }, platform) => {
 *     // AddTask(title=…, assignee_id=…, due=…, labels=[…]).apply()
 *     platform.apply({ type: 'CREATE_TASK', data: { title: body.title, assignee_id: staff.id, labels: ['Follow-up'] } });
 *     return { status: 202, body: { status: 'submitted' } };
 *   },
 * };
 * export const sockets = {           // the WebSocketAPI's authenticate(), per channel pattern
 *   'staff-<id>': ({ params, staff }) => params.id === staff.id,
 * };
 * export function setup(platform) {  // once at start: seed data, or react to changes like a BaseHandler
 *   platform.onChange((change) => { if (change.kind === 'task') platform.broadcast(`staff-${platform.staff.id}`, { type: 'tasks_changed' }); });
 * }
 * export const events = {           // what happens outside the plugin: shell buttons, platform.trigger(name) in tests
 *   'Maria writes a message': (platform) => {
 *     const maria = platform.patients.list({ first_name: 'Maria' })[0];
 *     platform.messages.add({ sender_id: maria.id, recipient_id: platform.staff.id, content: 'Can I come in earlier?' });
 *   },
 * };
 * ```
 *
 * In JavaScript, a JSDoc tag types each export against this contract, e.g. for `routes`:
 * `@type {import('canvas-companion/testing').MockModule['routes']}`.
 *
 * - **routes**: keys `"METHOD /path"` (GET, POST, PUT, PATCH, DELETE); the path is matched whole,
 *   as SimpleAPI does (a trailing slash matters), and `<name>` matches one segment (`[^/]+`) into
 *   `request.params.name`. Every route needs a staff session, as with `StaffSessionAuthMixin`:
 *   without one the platform answers 401 `{"error": "Provided credentials are invalid"}` and the
 *   function is not called (unless `publicRoutes` lists it). No matching path: 404
 *   with an empty body (the harness serves folder files only through `files` or `{ file }`); a
 *   matching path with another method: 405. A route
 *   that throws (or rejects) gives 500 with an empty body, and the harness logs the stack.
 * - **sockets**: keys are channel patterns (`[\w-]` and `<name>` params, each matching `[\w-]+`),
 *   or `"*"` for any channel; the value returns `true` to allow (anything else denies, as does a
 *   throw). Without a staff session every channel is denied before any rule runs. A denied or
 *   unmatched upgrade gets HTTP 403 (the browser sees close code 1006), with a log line that says why.
 * - **launch**: keyed by the manifest application's full `class` (`"pkg.mod:Class"`), by the class
 *   name after the colon, or by its `name`; looked up in that order. The value is the URL string, or
 *   `({ patient, note, staff }, platform) => url` (`patient` is `{ id }` in patient and note scope,
 *   `note` is `{ id }` in note scope, else null). The iframe gets that URL exactly: add the query
 *   parameters your on_open() adds, and only those.
 * - **setup**: `(platform) => void | Promise<void>`, run once when the harness starts.
 * - **events**: name → `(platform) => void | Promise<void>`: something that happens outside the
 *   plugin (a patient writes from the portal, a lab result arrives). It changes the platform's
 *   data through its writes (`platform.messages.add(…)`, `platform.observations.add(…)`), which
 *   notify `onChange` listeners as effects do, so the mock's broadcasts follow. The harness shell
 *   shows each as a button (menu → Outside events); the test kit runs one with
 *   `platform.trigger(name)`.
 *
 * **Effects.** `platform.apply(effect)` takes the Canvas SDK's effects as `{ type, data }`: `type`
 * is the SDK's `EffectType` name and `data` the keyword arguments of the SDK class, spelled as in
 * Python, so field names copy over from the plugin's code. Enum fields take the stored value
 * (`'COMPLETED'`, `'stat'`) or the member's name (`'STAT'`); `date` fields `'YYYY-MM-DD'` or a
 * Date; `datetime` fields an ISO string with a time or a Date (a date alone is refused, as
 * Python's strict models refuse it). A field or type the platform does not know is a TypeError
 * naming it and listing what is accepted, thrown by `apply()` in the route (a 500, logged).
 *
 * | Python (SDK) | `type` | `data` (required in bold) |
 * | --- | --- | --- |
 * | `Patient(…).create()` | `CREATE_PATIENT` | **first_name**, **last_name**, patient_id, middle_name, prefix, suffix, birthdate, sex_at_birth, nickname, contact_points, addresses, contacts, default_provider_id, default_location_id, … (see {@link PatientData}) |
 * | `Patient(patient_id=…).update()` | `UPDATE_PATIENT` | **patient_id**, and the fields to change |
 * | `VitalsCommand(note_uuid=…).originate()` | `ORIGINATE_VITALS_COMMAND` | **note_uuid**, command_uuid, height, weight_lbs, blood_pressure_systole, pulse, … (top level: `line_number`, `commit`) |
 * | `PlanCommand` / `HistoryOfPresentIllnessCommand` | `ORIGINATE_PLAN_COMMAND` / `ORIGINATE_HPI_COMMAND` | **note_uuid**, narrative |
 * | `ReasonForVisitCommand` / `AssessCommand` / `GoalCommand` / `TaskCommand` | `ORIGINATE_REASON_FOR_VISIT_COMMAND` / `…_ASSESS_…` / `…_GOAL_…` / `…_TASK_…` | **note_uuid** and the command's fields ({@link CommandFields}) |
 * | `AddTask(…).apply()` | `CREATE_TASK` | **title**, id, assignee_id, team_id, patient_id, due (date-time), status, priority, labels, linked_object_id, linked_object_type, author_id |
 * | `UpdateTask(id=…).apply()` | `UPDATE_TASK` | **id**, assignee_id, team_id, patient_id, title, due, status (`OPEN`/`COMPLETED`/`CLOSED`), priority, labels |
 * | `AddTaskComment(…).apply()` | `CREATE_TASK_COMMENT` | **body**, **task_id**, author_id |
 * | `Message(…).create()` | `CREATE_MESSAGE` | **content**, **sender_id**, **recipient_id** (a draft: not sent) |
 * | `Message(…).create_and_send()` | `CREATE_AND_SEND_MESSAGE` | **content**, **sender_id**, **recipient_id** |
 * | `Message(message_id=…).send()` | `SEND_MESSAGE` | **message_id**, **content** (may be null), **sender_id**, **recipient_id** |
 * | `Message(message_id=…, read=…).edit()` | `EDIT_MESSAGE` | **message_id**, **content** (null keeps it), **sender_id**, **recipient_id**, read (marks it read) |
 * | `Broadcast(channel, message).apply()` | `SIMPLE_API_WEBSOCKET_BROADCAST` | **channel**, **message** |
 * | (none: anything else) | `CUSTOM` | no `data`: `{ type: 'CUSTOM', name, run }`, `run()` called when it lands |
 *
 * Every effect lands after the same delay (the harness's `--effect-delay`, `apply`'s `after`)
 * under the same scheduler (the test kit's `effects: { finds }`, `land()`), `CUSTOM` too.
 */
export interface MockModule {
  /** `"METHOD /path"` (relative to `/plugin-io/api/<plugin>`) → the route. */
  routes?: Record<string, Route>;
  /** Channel pattern (`[\w-]` and `<name>` params, or `"*"`) → the rule. */
  sockets?: Record<string, SocketRule>;
  /** Application class (full, or the name after the colon) or application name → its launch URL. */
  launch?: Record<string, Launch>;
  /** Runs once when the harness starts (or the kit's platform is made): seed data, subscribe to changes. */
  setup?: (platform: PluginPlatform) => void | Promise<void>;
  /** Event name → what happens: shell buttons in the harness, `platform.trigger(name)` in the test kit. */
  events?: Record<string, MockEvent>;
  /**
   * URL prefix (relative to `/plugin-io/api/<plugin>`, ending in `/`) → folder of the plugin: the
   * route the Python handler has for its files (`@api.get("/static/<name>")`, one path segment).
   * On Canvas only what a route serves is reachable, so in the harness too. Read by the harness;
   * the test kit, which has no plugin folder, ignores it.
   */
  files?: Record<string, string>;
  /**
   * Route keys (`"POST /webhook"`) and `files` prefixes (`"/static/"`) whose handler has no
   * `StaffSessionAuthMixin`: served without a staff session (`request.staff` is then null), in
   * the harness and in the test kit alike.
   */
  publicRoutes?: string[];
}

/** An outside event of a mock module: changes the platform's data (its writes notify `onChange` listeners). */
export type MockEvent = (platform: PluginPlatform) => void | Promise<void>;

/** A route's answer after normalizing: a body as a string, or a file to serve (the transport reads it). */
export type HandledResponse = {
  /** The HTTP status. */
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** False when no route path matched (the harness then tries the mock's `files` routes). */
  matched: boolean;
  /** The route key that answered, when one matched. */
  route?: string;
  /** Set when the route threw: the status is 500. */
  error?: unknown;
} & ({ body: string | undefined } | { file: string; context: Record<string, unknown> });

/** One plugin's backend on the platform: what a transport (the harness's HTTP server, the test kit's fetch) calls. */
export interface PluginBackend {
  /** The plugin's name. */
  readonly name: string;
  /** What the mock's functions receive. */
  readonly platform: PluginPlatform;
  /** The route keys the module gave. */
  readonly routes: string[];
  /** The socket channel patterns the module gave. */
  readonly channels: string[];
  /** The launch keys the module gave. */
  readonly launchKeys: string[];
  /** The event names the module gave. */
  readonly events: string[];
  /**
   * Runs the module's event `name` now; resolves when it finished, rejects with what it threw.
   * @throws TypeError for a name the module does not give, listing the ones it does.
   */
  trigger(name: string): Promise<void>;
  /** Runs the module's setup(platform). Call once. */
  setup(): Promise<void>;
  /** Answers one request; never rejects. `staff: null` is a signed-out request (401 from any route). */
  handle(request: { method: string; path: string; query?: URLSearchParams; headers?: Record<string, string | string[] | undefined>; body?: unknown; staff: Staff | null }): Promise<HandledResponse>;
  /** The WebSocketAPI's authenticate() for one upgrade; never rejects. */
  authorize(request: { channel: string; path?: string; query?: URLSearchParams; headers?: Record<string, string | string[] | undefined>; staff: Staff | null }): Promise<{ allowed: boolean; reason: string; error?: unknown }>;
  /** The launch URL for a manifest application, or null when the module gives none. Throws when the launch function fails. */
  launchUrl(app: { class?: string | null; name: string }, context: { patient?: { id: string } | null; note?: { id: string } | null; staff?: Staff | null }): string | null;
}

/** Options of `createPlatform()`. */
export interface PlatformOptions {
  /** Milliseconds an effect takes to land when `apply` gets no `after`. @default 1200 */
  effectDelay?: number;
  /** "Today" for the sample chart's dates. @default new Date() */
  now?: Date;
  /** Where the platform reports failed effects and listeners. @default no logging */
  log?: (line: string) => void;
  /**
   * When an effect lands: called once per `apply()` that passed its checks, with `land` (call it
   * once to land the effect), its delay in ms (the route's own `after`, else `effectDelay`) and
   * whether that delay is the default. Returns a function that cancels it (`close()` calls it).
   * The test kit holds effects until a number of finds with this.
   * @default a timer of `after` ms
   */
  schedule?: EffectScheduler;
  /**
   * Who is signed in for the work running now, as `platform.staff` says it: a transport that plays
   * several sessions (the harness, where a session can switch staff member) answers per session;
   * null for the practice's first staff member.
   * @default () => null
   */
  signedIn?: () => Staff | null;
}

/** See {@link PlatformOptions.schedule}. */
export type EffectScheduler = (land: () => void, after: number, defaulted: boolean) => () => void;

/**
 * One step of an applied effect, as {@link Platform.onEffect} listeners get it: `scheduled` when
 * `apply()` accepted it, then one of `landed`, `failed` or `cancelled`. Each step is a new object
 * with the same `id`.
 */
export interface EffectReport {
  /** Counts up from 1 per platform; the same at every step of one effect. */
  readonly id: number;
  /** `cancelled`: the platform was closed before it landed. */
  readonly state: 'scheduled' | 'landed' | 'failed' | 'cancelled';
  /** The plugin that applied it; null for the platform's own `apply`. */
  readonly plugin: string | null;
  /** The effect as `apply()` got it. */
  readonly effect: Effect;
  /** Milliseconds it was scheduled to wait: its own `after`, else `effectDelay` (a scheduler may use another for the default). */
  readonly after: number;
  /** Whether `after` is the default (`apply()` was given none). */
  readonly defaulted: boolean;
  /**
   * The changes made while it landed, as `onChange` listeners got them (those of a custom effect's
   * `run` up to its first `await`); empty before it lands.
   */
  readonly changes: readonly Change[];
  /** What landing returned (the record) when `landed`; else undefined. */
  readonly result: unknown;
  /** What landing threw when `failed`; else undefined. */
  readonly error: unknown;
}

/**
 * The whole platform: the data every plugin shares (what a plugin's platform has, without the
 * plugin's name), and the hooks a transport registers.
 */
export interface Platform extends Omit<PluginPlatform, 'plugin'> {
  /** Like a plugin's apply, with no plugin attached (a command gets no origin). */
  apply(effect: Effect, options?: ApplyOptions): Promise<unknown>;
  /** Broadcasts on `channel` for every plugin. Returns how many sockets got it. */
  broadcast(channel: string, message: Record<string, unknown>): number;
  /**
   * Registers the transport's delivery: called with the plugin name (null: every plugin), the
   * channel and the frame text `{"message": …}`; returns how many sockets it reached.
   */
  setBroadcaster(deliver: ((plugin: string | null, channel: string, frame: string) => number) | null): void;
  /**
   * Calls `listener` at each step of every applied effect (every plugin's and the platform's own):
   * scheduled, then landed (with the changes it made and its result), failed or cancelled. A
   * listener that throws is logged and skipped. Returns the unsubscribe function.
   */
  onEffect(listener: (report: EffectReport) => void): () => void;
  /** A plugin's backend from its mock module's exports (checked: a malformed module throws a TypeError saying what is wrong). */
  plugin(name: string, mock?: MockModule | { default?: MockModule }): PluginBackend;
  /** Every plugin's outside events, in the order the plugins and their modules gave them. */
  events(): { plugin: string; name: string }[];
  /**
   * Runs plugin `plugin`'s event `name` now; resolves when it finished, rejects with what it threw.
   * @throws TypeError for a plugin or event the platform does not have, listing the ones it has.
   */
  trigger(plugin: string, name: string): Promise<void>;
  /** Cancels effects not landed yet and forgets listeners and the broadcaster. */
  close(): void;
}
