/**
 * The SDK's enums that records and effects carry, with the exact stored strings (source paths in
 * ../shared/docs/canvas-sdk-facts.md §2). Each is a table: member name → stored value, so an
 * effect takes the value (`'COMPLETED'`, `'stat'`) or, where Python writes a member
 * (`TaskPriority.STAT`), its name.
 * @module
 */

/** `TaskStatus` (`canvas_sdk/v1/data/task.py`): upper case. */
export const TASK_STATUS = { OPEN: 'OPEN', COMPLETED: 'COMPLETED', CLOSED: 'CLOSED' } as const;
/** `TaskPriority` (`v1/data/task.py`): lower case. */
export const TASK_PRIORITY = { STAT: 'stat', URGENT: 'urgent', ROUTINE: 'routine' } as const;
/** `AddTask.LinkableObjectType`. */
export const LINKABLE_OBJECT = { REFERRAL: 'REFERRAL', IMAGING: 'IMAGING' } as const;
/** `ColorEnum` (`TaskLabel.color`, `v1/data/common.py`). */
export const COLOR = Object.fromEntries(
  ['red', 'orange', 'yellow', 'olive', 'green', 'teal', 'blue', 'violet', 'purple', 'pink', 'brown', 'grey', 'black'].map((c) => [c.toUpperCase(), c]),
) as Record<string, Color>;
/** `PersonSex` / `SexAtBirth`: `''` is blank. */
export const SEX = { FEMALE: 'F', MALE: 'M', OTHER: 'O', UNKNOWN: 'UNK', BLANK: '' } as const;
/** `ContactPointSystem` (`v1/data/common.py`). */
export const CONTACT_POINT_SYSTEM = { PHONE: 'phone', FAX: 'fax', EMAIL: 'email', PAGER: 'pager', OTHER: 'other' } as const;
/** `ContactPointUse`. */
export const CONTACT_POINT_USE = { HOME: 'home', WORK: 'work', TEMP: 'temp', OLD: 'old', OTHER: 'other', MOBILE: 'mobile', AUTOMATION: 'automation' } as const;
/** `AddressUse`. */
export const ADDRESS_USE = { HOME: 'home', WORK: 'work', TEMP: 'temp', OLD: 'old' } as const;
/** `AddressType`. */
export const ADDRESS_TYPE = { POSTAL: 'postal', PHYSICAL: 'physical', BOTH: 'both' } as const;
/** `AppointmentProgressStatus` (`v1/data/appointment.py`): lower case. */
export const APPOINTMENT_STATUS = {
  UNCONFIRMED: 'unconfirmed', ATTEMPTED: 'attempted', CONFIRMED: 'confirmed', ARRIVED: 'arrived', ROOMED: 'roomed', EXITED: 'exited', NOSHOWED: 'noshowed', CANCELLED: 'cancelled',
} as const;
/** `CareTeamMembershipStatus` (`v1/data/care_team.py`). */
export const CARE_TEAM_STATUS = { PROPOSED: 'proposed', ACTIVE: 'active', SUSPENDED: 'suspended', INACTIVE: 'inactive', ENTERED_IN_ERROR: 'entered-in-error' } as const;
/** `TransmissionChannel` (`v1/data/message.py`). */
export const TRANSMISSION_CHANNEL = { MANUAL: 'manual', TEXT_MESSAGE: 'sms', EMAIL: 'email', NOOP: 'noop' } as const;
/** `ClinicalStatus` (Condition). */
export const CLINICAL_STATUS = { ACTIVE: 'active', RELAPSE: 'relapse', REMISSION: 'remission', RESOLVED: 'resolved', INVESTIGATIVE: 'investigative' } as const;
/** Medication `Status`. */
export const MEDICATION_STATUS = { ACTIVE: 'active', INACTIVE: 'inactive' } as const;
/** `StaffRole.RoleDomain`. */
export const ROLE_DOMAIN = { CLINICAL: 'CLI', ADMINISTRATIVE: 'ADM', HYBRID: 'HYB' } as const;
/** `StaffRole.RoleType`. */
export const ROLE_TYPE = { NON_LICENSED: 'NON-LICENSED', LICENSED: 'LICENSED', PROVIDER: 'PROVIDER' } as const;

/** The stored values of an enum table. */
type ValueOf<T> = T[keyof T];
/** `'OPEN' | 'COMPLETED' | 'CLOSED'` */
export type TaskStatus = ValueOf<typeof TASK_STATUS>;
/** `'stat' | 'urgent' | 'routine'` */
export type TaskPriority = ValueOf<typeof TASK_PRIORITY>;
/** `'REFERRAL' | 'IMAGING'` */
export type LinkableObjectType = ValueOf<typeof LINKABLE_OBJECT>;
/** A `TaskLabel` color. */
export type Color = 'red' | 'orange' | 'yellow' | 'olive' | 'green' | 'teal' | 'blue' | 'violet' | 'purple' | 'pink' | 'brown' | 'grey' | 'black';
/** `'F' | 'M' | 'O' | 'UNK' | ''` */
export type Sex = ValueOf<typeof SEX>;
/** `'phone' | 'fax' | 'email' | 'pager' | 'other'` */
export type ContactPointSystem = ValueOf<typeof CONTACT_POINT_SYSTEM>;
/** `'home' | 'work' | 'temp' | 'old' | 'other' | 'mobile' | 'automation'` */
export type ContactPointUse = ValueOf<typeof CONTACT_POINT_USE>;
/** `'home' | 'work' | 'temp' | 'old'` */
export type AddressUse = ValueOf<typeof ADDRESS_USE>;
/** `'postal' | 'physical' | 'both'` */
export type AddressType = ValueOf<typeof ADDRESS_TYPE>;
/** `AppointmentProgressStatus`: lower case. */
export type AppointmentStatus = ValueOf<typeof APPOINTMENT_STATUS>;
/** `CareTeamMembershipStatus`. */
export type CareTeamStatus = ValueOf<typeof CARE_TEAM_STATUS>;
/** `'manual' | 'sms' | 'email' | 'noop'` */
export type TransmissionChannel = ValueOf<typeof TRANSMISSION_CHANNEL>;
/** A condition's `clinical_status`. */
export type ClinicalStatus = ValueOf<typeof CLINICAL_STATUS>;
/** A medication's `status`. */
export type MedicationStatus = ValueOf<typeof MEDICATION_STATUS>;
/** `'CLI' | 'ADM' | 'HYB'` */
export type RoleDomain = ValueOf<typeof ROLE_DOMAIN>;
/** `'NON-LICENSED' | 'LICENSED' | 'PROVIDER'` */
export type RoleType = ValueOf<typeof ROLE_TYPE>;
