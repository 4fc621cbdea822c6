/**
 * `canvas-companion/testing`: a plugin author's unit tests of their companion page (vitest or
 * jest, happy-dom or jsdom, or a real browser): a stand-in host, a companion launch, a mock
 * Canvas platform (the harness's) behind `fetch` and `WebSocket`, and a harness trace replayed.
 * @module
 */
export { connectHost, resetState } from './host.js';
export type { ConnectHostOptions, TestHost } from './host.js';
export { launch } from './launch.js';
export type { LaunchOptions } from './launch.js';
export { mockPlatform } from './platform.js';
export type { MockPlatform, MockPlatformOptions, MockSocket } from './platform.js';
export type { EffectTiming } from './effects.js';
export type { RecordedRequest } from './fetch.js';
export { replayTrace } from './replay.js';
export type { ReplayOptions, ReplayedRequest, TraceReplay } from './replay.js';
export type { Conditions, Failure, Trace, TraceBody, TraceEffect, TraceFrame, TraceMessage, TraceRequest, TraceSession, TraceSocket } from '../platform/index.js';
export type {
  AddTaskCommentData, AddTaskData, Address, AddressType, AddressUse, AllergyIntolerance, AllergyIntoleranceFields, ApplyOptions, Appointment, AppointmentFields, AppointmentStatus, BroadcastData,
  ByPatient, CareTeamMembership, CareTeamMembershipFields, CareTeamStatus, Change, ClinicalStatus, Coding, Color, Command, CommandBase, CommandFields, Condition,
  ConditionFields, ContactPoint, ContactPointSystem, ContactPointUse, CustomEffect, DateTimeValue, DateValue, Effect, Launch, LinkableObjectType, Medication, MedicationFields, MedicationStatus,
  Message, MessageData, MessageFields, MockEvent, MockModule, MockRequest, MockResponse, Note, Observation, ObservationFields, OriginateCommandEffect, Party, Patient,
  PatientAddressData, PatientContactCategoryData, PatientContactData, PatientContactPerson, PatientContactPointData, PatientData, PluginPlatform, PracticeLocation, Reads,
  RecordKind, Ref, RoleDomain, RoleType, Route, Sex, SocketRequest, SocketRule, Staff, StaffRole, Store, Task, TaskComment, TaskLabel, TaskPriority, TaskStatus, Team, Transmission,
  TransmissionChannel, UpdateTaskData,
} from '../platform/index.js';
