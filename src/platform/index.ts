/**
 * The mock Canvas platform: everything a plugin's backend sees that is not a transport. The
 * sample practice's staff, patients, notes, tasks, schedule, messages, care teams and chart
 * data in memory; effects in the SDK's vocabulary that land after the answer (`apply`);
 * broadcasts to the plugin's sockets (`broadcast`, delivered by whatever transport registered
 * itself); a plugin's routes, socket rules, launch URLs and outside events from its mock module
 * ({@link MockModule}).
 *
 * No Node APIs: the harness serves it over HTTP and WebSockets, and the test kit runs the same
 * code in a page with a fake `fetch` and `WebSocket`.
 * @module
 */
import { createBackend, type BackendOptions } from './backend.js';
import { createBroadcasts } from './broadcast.js';
import { createEffects, scheduleOnTimer } from './effects.js';
import { createRecords } from './records.js';
import { withStaff } from './signed-in.js';
import { sampleData, samplePractice } from './sample-data.js';
import type { Change, EffectReport, Platform, PlatformOptions, PluginBackend } from './types.js';
import { fail, messageOf } from './values.js';

export { parseBody } from './body.js';
export { canonicalId, keyOf } from './ids.js';
export { NO_CONDITIONS, TRACE_FORMAT, TRACE_KEEP } from './trace.js';
export type { Conditions, Failure, Trace, TraceBody, TraceEffect, TraceFrame, TraceMessage, TraceRequest, TraceSession, TraceSocket, TraceUpdate } from './trace.js';
export type {
  AddTaskCommentData, AddTaskData, BroadcastData, CommandBase, CommandFields, CustomEffect, DateTimeValue, DateValue, Effect, MessageData, OriginateCommandEffect,
  PatientAddressData, PatientContactCategoryData, PatientContactData, PatientContactPointData, PatientData, UpdateTaskData,
} from './effect-types.js';
export type {
  AddressType, AddressUse, AppointmentStatus, CareTeamStatus, ClinicalStatus, Color, ContactPointSystem, ContactPointUse, LinkableObjectType, MedicationStatus, RoleDomain,
  RoleType, Sex, TaskPriority, TaskStatus, TransmissionChannel,
} from './enums.js';
export type {
  Address, AllergyIntolerance, AllergyIntoleranceFields, ApplyOptions, Appointment, AppointmentFields, ByPatient, CareTeamMembership, CareTeamMembershipFields, Change, Coding,
  Command, Condition, ConditionFields, ContactPoint, EffectReport, EffectScheduler, HandledResponse, Launch, Medication, MedicationFields, Message, MessageFields, MockEvent, MockModule,
  MockRequest, MockResponse, Note, Observation, ObservationFields, Party, Patient, PatientContactPerson, Platform, PlatformOptions, PluginBackend, PluginPlatform,
  PracticeLocation, Reads, RecordKind, Ref, Route, SocketRequest, SocketRule, Staff, StaffRole, Store, Task, TaskComment, TaskLabel, Team, Transmission,
} from './types.js';

/**
 * Creates a mock platform with the sample practice: four staff members (the first signed in), a
 * location, two teams, five patients with their notes, tasks, today's schedule, messages, care
 * teams and chart data.
 * @param options - {@link PlatformOptions}; every option has a default.
 */
export function createPlatform({ effectDelay = 1200, now = new Date(), log = () => {}, schedule = scheduleOnTimer, signedIn = () => null }: PlatformOptions = {}): Platform {
  const practice = samplePractice();
  const listeners = new Set<(change: Change) => void>();
  const effectListeners = new Set<(report: EffectReport) => void>();
  /** The change lists of the effects landing now, innermost last (a scheduler may land one inside another). */
  const landing: Change[][] = [];
  const emit = (change: Change) => {
    landing.at(-1)?.push(change);
    // A copy: a listener may unsubscribe (or subscribe another) while it runs.
    for (const listener of [...listeners]) {
      try {
        listener(change);
      } catch (error) {
        log(`a change listener failed: ${messageOf(error)}`);
      }
    }
  };
  const { writes, ...stores } = createRecords({ data: sampleData(now, practice), practice, emit, log });
  const broadcasts = createBroadcasts();
  const report = (step: EffectReport) => {
    for (const listener of [...effectListeners]) {
      try {
        listener(step);
      } catch (error) {
        log(`an effect listener failed: ${messageOf(error)}`);
      }
    }
  };
  const watchChanges = <T>(into: Change[], land: () => T): T => {
    landing.push(into);
    try {
      return land();
    } finally {
      landing.pop();
    }
  };
  const effects = createEffects({ writes, broadcasts, effectDelay, schedule, log, report, watchChanges });
  const backends = new Map<string, PluginBackend>();

  /** What every plugin's view shares: the practice, the records and change notifications. */
  const records: Omit<BackendOptions['platform'], 'staff'> = {
    staffMembers: practice.staff,
    practiceLocations: practice.locations,
    teams: practice.teams,
    ...stores,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const shared: BackendOptions['platform'] = withStaff(records, () => signedIn() ?? practice.staff[0]!);

  const platform: Omit<Platform, 'staff'> = {
    ...records,
    apply: (effect, options) => effects.apply(effect, options),
    broadcast: (channel, message) => broadcasts.send(null, channel, message),
    setBroadcaster: broadcasts.setDelivery,
    onEffect(listener) {
      effectListeners.add(listener);
      return () => effectListeners.delete(listener);
    },
    plugin(name, mock = {}) {
      const backend = createBackend(name, mock, { platform: shared, effects, broadcasts });
      backends.set(name, backend);
      return backend;
    },
    events: () => [...backends.values()].flatMap((backend) => backend.events.map((name) => ({ plugin: backend.name, name }))),
    trigger(plugin, name) {
      const backend = backends.get(plugin) ?? fail(`trigger: no plugin ${JSON.stringify(plugin)}; the platform has ${[...backends.keys()].join(', ') || 'none'}`);
      return backend.trigger(name);
    },
    close() {
      effects.cancelAll();
      listeners.clear();
      effectListeners.clear();
      broadcasts.setDelivery(null);
    },
  };
  return withStaff(platform, () => shared.staff);
}
