/**
 * The effects a mock module applies, in the Canvas SDK's vocabulary: `type` is the SDK's
 * `EffectType` name, and `data` holds the keyword arguments of the SDK class that makes the
 * effect, spelled as in Python (`AddTask(title=…, assignee_id=…).apply()` is
 * `{ type: 'CREATE_TASK', data: { title, assignee_id } }`). The table of types and classes is
 * in {@link MockModule}'s documentation.
 * @module
 */
import type { AddressType, AddressUse, ContactPointSystem, ContactPointUse, LinkableObjectType, Sex, TaskPriority, TaskStatus } from './enums.js';

/** A Python `datetime.date`: `'YYYY-MM-DD'`, or a JS Date (its UTC day). */
export type DateValue = string | Date;
/** A Python `datetime`: ISO 8601 with a time (`'2026-05-05T16:00:00Z'`), or a JS Date. A date alone is refused. */
export type DateTimeValue = string | Date;

/** `PatientContactPoint(system, value, use, rank, has_consent=None)`: a phone number, an email… */
export interface PatientContactPointData {
  /** `ContactPointSystem`, e.g. `'phone'`, `'email'`. */
  system: ContactPointSystem;
  /** The number or address. */
  value: string;
  /** `ContactPointUse`, e.g. `'mobile'`, `'home'`. */
  use: ContactPointUse;
  /** 1 for the preferred one. */
  rank: number;
  /** Whether the patient consented to contact here. @default null */
  has_consent?: boolean | null;
}

/** `PatientAddress(line1, country, …)`. */
export interface PatientAddressData {
  /** The first line. */
  line1: string;
  /** The country, e.g. `'US'`. */
  country: string;
  /** @default '' */
  line2?: string | null;
  /** @default 'home' */
  use?: AddressUse;
  /** @default 'both' */
  type?: AddressType;
  /** @default '' */
  city?: string | null;
  /** @default '' */
  district?: string | null;
  /** e.g. `'CA'`. @default '' */
  state_code?: string | null;
  /** @default '' */
  postal_code?: string | null;
  /** @default null */
  longitude?: number | null;
  /** @default null */
  latitude?: number | null;
}

/** A coded category of a `PatientContact`. */
export interface PatientContactCategoryData {
  /** e.g. `'EMC'`. */
  code: string;
  /** The code's system. */
  code_system: string;
  /** e.g. `'Emergency contact'`. */
  name: string;
}

/**
 * `PatientContact(…)`: an emergency contact or related person. Without `contact_identifier` it
 * adds one (with a `name` or a `related_patient`); with it, it changes that one, and
 * `inactive: true` removes it.
 */
export interface PatientContactData {
  /** The contact's name. */
  name?: string | null;
  /** An existing contact's id: change (or with `inactive`, remove) that one. */
  contact_identifier?: string | null;
  /** Exactly 10 digits. */
  phone_number?: string | null;
  /** An email address. */
  email?: string | null;
  /** Free text. */
  comments?: string | null;
  /** Coded relationships, e.g. emergency contact. */
  categories?: PatientContactCategoryData[] | null;
  /** A patient of the chart this contact is (their key). */
  related_patient?: string | null;
  /** True (with `contact_identifier`) removes the contact. */
  inactive?: boolean | null;
}

/**
 * The keyword arguments of `canvas_sdk.effects.patient.Patient`, as `CREATE_PATIENT`
 * (`.create()`) and `UPDATE_PATIENT` (`.update()`) take them. Only given fields change; `null`
 * is Python's None (blank). Note the effect's names: `birthdate` (the record says
 * `birth_date`), `contact_points` (the record's `telecom`), and `nickname` (there is no
 * preferred name).
 */
export interface PatientData {
  /** 32 lower-case hex digits. Optional on create (then a new key); required on update. */
  patient_id?: string;
  /** Required on create. */
  first_name?: string;
  /** Required on create. */
  last_name?: string;
  /** A middle name. */
  middle_name?: string | null;
  /** e.g. `'Ms.'`. */
  prefix?: string | null;
  /** e.g. `'Jr.'`. */
  suffix?: string | null;
  /** The date of birth (the record's `birth_date`). */
  birthdate?: DateValue | null;
  /** `PersonSex`: `'F'`, `'M'`, `'O'`, `'UNK'` or `''`. */
  sex_at_birth?: Sex | null;
  /** What the patient likes to be called (the record's `preferred_first_name` reads it). */
  nickname?: string | null;
  /** The SSN. */
  social_security_number?: string | null;
  /** Free text. */
  administrative_note?: string | null;
  /** Free text. */
  clinical_note?: string | null;
  /** A practice location's id. */
  default_location_id?: string | null;
  /** A staff member's key. */
  default_provider_id?: string | null;
  /** Whether the patient is active. */
  active?: boolean | null;
  /** Whether the patient died. */
  deceased?: boolean | null;
  /** When. */
  deceased_datetime?: DateTimeValue | null;
  /** Why. */
  deceased_cause?: string | null;
  /** Free text. */
  deceased_comment?: string | null;
  /** Codes. */
  biological_race_codes?: string[] | null;
  /** Codes. */
  cultural_ethnicity_codes?: string[] | null;
  /** Names the patient had. */
  previous_names?: string[] | null;
  /** Phones, emails… (replaces the patient's list). */
  contact_points?: PatientContactPointData[] | null;
  /** Addresses (replaces the patient's list). */
  addresses?: PatientAddressData[] | null;
  /** Contacts to add, change or remove (see {@link PatientContactData}). */
  contacts?: PatientContactData[] | null;
  /** `PatientExternalIdentifier(value, system=None)`. */
  external_identifiers?: { value: string; system?: string | null }[] | null;
  /** `PatientPreferredPharmacy(ncpdp_id, default=False)`. */
  preferred_pharmacies?: { ncpdp_id: string; default?: boolean }[] | null;
  /** `PatientMetadata(key, value)`: upserted by key. */
  metadata?: { key: string; value: string }[] | null;
}

/** Fields every command takes: the note it goes into and, optionally, its own id. */
export interface CommandBase {
  /** The note's UUID (required to originate). */
  note_uuid: string;
  /** The new command's UUID. @default a new UUID */
  command_uuid?: string | null;
}

/** The fields of the commands the platform originates, by `Meta.key` constantized (as in `ORIGINATE_<KEY>_COMMAND`). */
export interface CommandFields {
  /** `VitalsCommand` (`vitals`). Enums take the value (`0`) or the member's name (`'REGULAR'`). */
  VITALS: {
    /** Inches, 10 to 108. */
    height?: number | null;
    /** 1 to 1500. */
    weight_lbs?: number | null;
    /** Ounces on top of the pounds. */
    weight_oz?: number | null;
    /** 20 to 200. */
    waist_circumference?: number | null;
    /** °F, 85 to 107. */
    body_temperature?: number | null;
    /** `BodyTemperatureSite`: 0–4 or AXILLARY, ORAL, RECTAL, TEMPORAL, TYMPANIC. */
    body_temperature_site?: number | string | null;
    /** 30 to 305. */
    blood_pressure_systole?: number | null;
    /** 20 to 180. */
    blood_pressure_diastole?: number | null;
    /** `BloodPressureSite`: 0–11 or e.g. SITTING_RIGHT_UPPER. */
    blood_pressure_position_and_site?: number | string | null;
    /** 30 to 250. */
    pulse?: number | null;
    /** `PulseRhythm`: 0–2 or REGULAR, IRREGULARLY_IRREGULAR, REGULARLY_IRREGULAR. */
    pulse_rhythm?: number | string | null;
    /** 6 to 60. */
    respiration_rate?: number | null;
    /** 60 to 100. */
    oxygen_saturation?: number | null;
    /** `SupplementalOxygen`: `'LA28684-1'`, `'LA28685-8'`, `'LA28686-6'`. */
    supplemental_oxygen?: string | null;
    /** At most 150 characters. */
    note?: string | null;
  };
  /** `PlanCommand` (`plan`). */
  PLAN: {
    /** The plan. */
    narrative?: string | null;
  };
  /** `HistoryOfPresentIllnessCommand` (`hpi`). */
  HPI: {
    /** The history. */
    narrative?: string | null;
  };
  /** `ReasonForVisitCommand` (`reasonForVisit`). */
  REASON_FOR_VISIT: {
    /** True needs a `coding`. @default false */
    structured?: boolean;
    /** `{ code, system, display }`. */
    coding?: { code: string; system: string; display?: string } | null;
    /** The reason, in words. */
    comment?: string | null;
  };
  /** `AssessCommand` (`assess`). */
  ASSESS: {
    /** A condition of the note's patient. */
    condition_id?: string | null;
    /** Background. */
    background?: string | null;
    /** `'improved'`, `'stable'` or `'deteriorated'` (or IMPROVED, STABLE, DETERIORATED). */
    status?: string | null;
    /** At most 2048 characters. */
    narrative?: string | null;
  };
  /** `GoalCommand` (`goal`). */
  GOAL: {
    /** The goal. */
    goal_statement?: string;
    /** When it starts. */
    start_date?: DateTimeValue;
    /** When it is due. */
    due_date?: DateTimeValue | null;
    /** `GoalCommand.AchievementStatus`, e.g. `'in-progress'` or IN_PROGRESS. */
    achievement_status?: string | null;
    /** `'high-priority'`, `'medium-priority'`, `'low-priority'` (or HIGH, MEDIUM, LOW). */
    priority?: string | null;
    /** Free text. */
    progress?: string | null;
  };
  /** `TaskCommand` (`task`): a task written in the note (not a task record until committed on Canvas). */
  TASK: {
    /** The task. */
    title?: string;
    /** `{ to: 'role' | 'team' | 'unassigned' | 'staff', id?: number }`. */
    assign_to?: { to: 'role' | 'team' | 'unassigned' | 'staff'; id?: number } | null;
    /** When it is due. */
    due_date?: DateValue | null;
    /** Free text. */
    comment?: string | null;
    /** Label names. */
    labels?: string[] | null;
    /** URNs of linked items. */
    linked_items_urns?: string[] | null;
  };
}

/** `<Command>(note_uuid=…, …).originate(line_number=-1, commit=False)`. */
export type OriginateCommandEffect = {
  [K in keyof CommandFields]: {
    /** `ORIGINATE_<KEY>_COMMAND`, e.g. `'ORIGINATE_VITALS_COMMAND'`. */
    type: `ORIGINATE_${K}_COMMAND`;
    /** The command's keyword arguments. */
    data: CommandBase & CommandFields[K];
    /** `originate(line_number=…)`: where in the note; -1 is the end. @default -1 */
    line_number?: number;
    /** `originate(commit=True)`: committed at once. @default false */
    commit?: boolean;
  };
}[keyof CommandFields];

/** `AddTask(…)` (`canvas_sdk.effects.task`): `.apply()` gives `CREATE_TASK`. */
export interface AddTaskData {
  /** The new task's UUID. @default a new UUID */
  id?: string | null;
  /** Required. */
  title: string;
  /** A staff member's key. @default unassigned */
  assignee_id?: string | null;
  /** A team's id. */
  team_id?: string | null;
  /** A patient's key. */
  patient_id?: string | null;
  /** A date-time (a date alone is refused: the SDK's `due` is a datetime). */
  due?: DateTimeValue | null;
  /** `TaskStatus`. @default 'OPEN' */
  status?: TaskStatus;
  /** `TaskPriority`: `'stat'`, `'urgent'`, `'routine'` (or STAT, URGENT, ROUTINE). */
  priority?: TaskPriority | 'STAT' | 'URGENT' | 'ROUTINE' | null;
  /** Label names; a name the practice has no label for gets a new (grey) label. @default [] */
  labels?: string[];
  /** With `linked_object_type`. */
  linked_object_id?: string | null;
  /** `'REFERRAL'` or `'IMAGING'`, with `linked_object_id`. */
  linked_object_type?: LinkableObjectType | null;
  /** The staff member who wrote it (the record's `creator`). */
  author_id?: string | null;
}

/** `UpdateTask(id=…, …)`: `.apply()` gives `UPDATE_TASK`; only the fields given change. */
export interface UpdateTaskData {
  /** The task's UUID. Required. */
  id: string;
  /** Reassigns it (null: unassigned). */
  assignee_id?: string | null;
  /** A team's id. */
  team_id?: string | null;
  /** A patient's key. */
  patient_id?: string | null;
  /** The title. */
  title?: string;
  /** A date-time. */
  due?: DateTimeValue | null;
  /** `'OPEN'`, `'COMPLETED'` or `'CLOSED'`. */
  status?: TaskStatus;
  /** `TaskPriority`. */
  priority?: TaskPriority | 'STAT' | 'URGENT' | 'ROUTINE' | null;
  /** Label names: replaces the task's labels. */
  labels?: string[];
}

/** `AddTaskComment(body, task_id, author_id=None)`: `.apply()` gives `CREATE_TASK_COMMENT`. */
export interface AddTaskCommentData {
  /** Required. */
  body: string;
  /** The task's UUID. Required. */
  task_id: string;
  /** The staff member who wrote it (the comment's `creator`). */
  author_id?: string | null;
}

/**
 * `Message(content, sender_id, recipient_id, message_id=None, read=None)`
 * (`canvas_sdk.effects.note.message`). Sender and recipient are a patient's or a staff
 * member's key, on every method; `content` must be given (null to leave it, when editing).
 */
export interface MessageData {
  /** The message's UUID: not on create, required to edit or send. */
  message_id?: string | null;
  /** Required (null allowed when editing). */
  content: string | null;
  /** A patient's or staff member's key. */
  sender_id: string;
  /** A patient's or staff member's key. */
  recipient_id: string;
  /** When it was read; null: unread. Mark read with `EDIT_MESSAGE` and `read`. */
  read?: DateTimeValue | null;
}

/** `Broadcast(channel, message)`: `.apply()` gives `SIMPLE_API_WEBSOCKET_BROADCAST`. */
export interface BroadcastData {
  /** `[\w-]+`. */
  channel: string;
  /** An object (a dict), sent as `{"message": …}`. */
  message: Record<string, unknown>;
}

/**
 * Anything the SDK effects here do not cover: `run` is called when the effect lands, after the
 * same delay and under the same scheduler as every effect (`--effect-delay`, the test kit's
 * `effects: { finds }` and `land()`), and what it returns resolves `apply()`'s promise.
 * Not an SDK effect type.
 */
export interface CustomEffect {
  /** `'CUSTOM'` */
  type: 'CUSTOM';
  /** What it stands for, in log lines: `'fax sent'`. */
  name: string;
  /** Does it: usually writes through the platform (`platform.tasks.update(…)`), which notifies `onChange` listeners. */
  run: () => unknown;
}

/**
 * An effect, as `platform.apply()` takes it: `{ type, data }` with the SDK's EffectType name and
 * the SDK class's keyword arguments (see {@link MockModule} for the table), or a
 * {@link CustomEffect}.
 */
export type Effect =
  | { /** `Patient(…).create()` */ type: 'CREATE_PATIENT'; /** `first_name` and `last_name` required. */ data: PatientData & { first_name: string; last_name: string } }
  | { /** `Patient(patient_id=…, …).update()` */ type: 'UPDATE_PATIENT'; /** `patient_id` required. */ data: PatientData & { patient_id: string } }
  | OriginateCommandEffect
  | { /** `AddTask(…).apply()` */ type: 'CREATE_TASK'; /** The keyword arguments. */ data: AddTaskData }
  | { /** `UpdateTask(…).apply()` */ type: 'UPDATE_TASK'; /** The keyword arguments. */ data: UpdateTaskData }
  | { /** `AddTaskComment(…).apply()` */ type: 'CREATE_TASK_COMMENT'; /** The keyword arguments. */ data: AddTaskCommentData }
  | { /** `Message(…).create()`: a draft, not sent. */ type: 'CREATE_MESSAGE'; /** No `message_id`. */ data: MessageData & { content: string } }
  | { /** `Message(…).create_and_send()` */ type: 'CREATE_AND_SEND_MESSAGE'; /** No `message_id`. */ data: MessageData & { content: string } }
  | { /** `Message(message_id=…, …).send()`: sends a draft. */ type: 'SEND_MESSAGE'; /** `message_id` required. */ data: MessageData & { message_id: string } }
  | { /** `Message(message_id=…, …).edit()`: changes it; `read` marks it read. */ type: 'EDIT_MESSAGE'; /** `message_id` required. */ data: MessageData & { message_id: string } }
  | { /** `Broadcast(…).apply()`: like `platform.broadcast`, after the delay. */ type: 'SIMPLE_API_WEBSOCKET_BROADCAST'; /** The keyword arguments. */ data: BroadcastData }
  | CustomEffect;
