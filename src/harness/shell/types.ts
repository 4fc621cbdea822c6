/**
 * What the shell reads from the harness's JSON API (/companion/api), and its message log's entries.
 * @module
 */
import type { AllergyIntolerance, Appointment, CareTeamMembership, Condition, Medication, Message, Note, Observation, Patient, Staff, Task } from '../../platform/index.js';
import type { ShellApp } from '../plugins.js';

export type { ShellApp, Staff };

/** A patient as the shell's API gives it: with a display name. */
export type PatientView = Patient & { name: string };

/** A mock module's outside event, as the menu and the Events panel offer it. */
export interface ShellEvent {
  plugin: string;
  name: string;
}

/** What every page of the API has: who is signed in, the session's number and who could be. */
interface SessionPart {
  staff: Staff;
  apps: ShellApp[];
  events: ShellEvent[];
  /** The session's number (the trace's); absent from a harness without the workbench. */
  session?: number;
  staff_members?: Staff[];
}

/** GET /companion/api/home */
export interface HomeData extends SessionPart {
  patients: (PatientView & { open_tasks: number })[];
  open_tasks: number;
  /** My appointments today. */
  schedule: Appointment[];
  /** Messages to me not read yet. */
  unread: Message[];
}

/** GET /companion/api/patients/<id>: the patient page and what the chart shows of them. */
export interface PatientData extends SessionPart {
  patient: PatientView;
  notes: Note[];
  tasks: Task[];
  appointments: Appointment[];
  messages: Message[];
  care_team: CareTeamMembership[];
  chart: { conditions: Condition[]; medications: Medication[]; allergies: AllergyIntolerance[]; vitals: Observation[] };
}

/** GET /companion/api/session */
export interface SessionData {
  staff: Staff;
  session?: number;
  staff_members?: Staff[];
}

/** → shell to plugin, ← plugin to shell, • the shell's own note. */
export type Direction = 'out' | 'in' | 'info';

/** One line of the message log (kept in sessionStorage across the shell's navigation). */
export interface LogEntry {
  /** ISO time. */
  at: string;
  dir: Direction;
  app: string;
  appId: string;
  /** The message's `type`, or ''. */
  type: string;
  /** The message as JSON; null for the shell's own notes. */
  text: string | null;
  detail: string;
  /** On the note that opened a frame: the URL it loaded (path and query). */
  url?: string;
  /** How a message travelled: the port, or window.postMessage. */
  via?: 'port' | 'window';
}

/** Where an app opens: the IDs given to GET /launch, and whether they are checked. */
export interface LaunchParams {
  patient_id?: string;
  note_id?: string;
  staff_id?: string;
  /** The IDs go to the mock's launch() as typed, not checked against the data. */
  unchecked?: boolean;
}

/** What the companion (shell.ts) lends the inspector's panels. */
export interface ShellHooks {
  /** The page's data as last loaded; null before. */
  data(): HomeData | PatientData | null;
  /** Loads the page's data again. */
  reload(): Promise<void>;
  /** Expires the session (the menu's "Expire session"). */
  expire(): Promise<void>;
  /** Signs in with a fresh session (the menu's "Sign in again"). */
  signIn(): Promise<void>;
  /** Makes a mock module's outside event happen. */
  trigger(plugin: string, name: string): Promise<void>;
  /** Opens an app on this page, with launch parameters of its own (a modal) or the page's context. */
  open(appId: string, params?: LaunchParams): Promise<void>;
}
