/**
 * The note commands the platform originates, as the SDK's command classes define them: each
 * one's `Meta.key` (the `schema_key`), its fields with their checks, and the line the note
 * shows for it.
 * @module
 */
import type { CommandFields } from './effect-types.js';
import { bool, date, dateTime, int, listOf, nullable, number, oneOf, shape, string, type Spec } from './fields.js';

/** One command class. */
export interface CommandKind {
  /** `Meta.key`: `'reasonForVisit'`. */
  schema_key: string;
  /** What the note calls it: `'Reason for visit'`. */
  label: string;
  /** Its fields (besides `note_uuid` and `command_uuid`). */
  spec: Spec;
  /** The line the note shows, from the checked fields. */
  summary(data: Record<string, unknown>): string;
}

/** The first given text among `keys`, or `''`. */
const first = (...keys: string[]) => (data: Record<string, unknown>) => String(keys.map((k) => data[k]).find((v) => typeof v === 'string' && v) ?? '');

/** `(min…max)` whole-number or enum fields of VitalsCommand, by name. */
const VITALS: Spec = {
  height: nullable(int(10, 108)),
  weight_lbs: nullable(int(1, 1500)),
  weight_oz: nullable(int(0, 15)),
  waist_circumference: nullable(int(20, 200)),
  body_temperature: nullable(number(85, 107)),
  body_temperature_site: nullable(oneOf({ AXILLARY: 0, ORAL: 1, RECTAL: 2, TEMPORAL: 3, TYMPANIC: 4 })),
  blood_pressure_systole: nullable(int(30, 305)),
  blood_pressure_diastole: nullable(int(20, 180)),
  blood_pressure_position_and_site: nullable(oneOf(Object.fromEntries(
    ['SITTING', 'STANDING', 'SUPINE'].flatMap((p) => ['RIGHT_UPPER', 'LEFT_UPPER', 'RIGHT_LOWER', 'LEFT_LOWER'].map((s) => `${p}_${s}`)).map((name, i) => [name, i]),
  ))),
  pulse: nullable(int(30, 250)),
  pulse_rhythm: nullable(oneOf({ REGULAR: 0, IRREGULARLY_IRREGULAR: 1, REGULARLY_IRREGULAR: 2 })),
  respiration_rate: nullable(int(6, 60)),
  oxygen_saturation: nullable(int(60, 100)),
  supplemental_oxygen: nullable(oneOf({ LA28684_1: 'LA28684-1', LA28685_8: 'LA28685-8', LA28686_6: 'LA28686-6' })),
  note: nullable(string(150)),
};

/** The vitals as a note line: `BP 132/84 mmHg · Pulse 72 /min`. */
function vitalsLine(v: Record<string, unknown>): string {
  const parts: string[] = [];
  const has = (key: string) => typeof v[key] === 'number';
  if (has('blood_pressure_systole') || has('blood_pressure_diastole')) parts.push(`BP ${v.blood_pressure_systole ?? '?'}/${v.blood_pressure_diastole ?? '?'} mmHg`);
  if (has('pulse')) parts.push(`Pulse ${v.pulse} /min`);
  if (has('respiration_rate')) parts.push(`Resp ${v.respiration_rate} /min`);
  if (has('oxygen_saturation')) parts.push(`SpO2 ${v.oxygen_saturation} %`);
  if (has('body_temperature')) parts.push(`Temp ${v.body_temperature} °F`);
  if (has('weight_lbs')) parts.push(`Weight ${v.weight_lbs} lb${has('weight_oz') ? ` ${v.weight_oz} oz` : ''}`);
  if (has('height')) parts.push(`Height ${v.height} in`);
  if (has('waist_circumference')) parts.push(`Waist ${v.waist_circumference} in`);
  if (typeof v.note === 'string' && v.note) parts.push(v.note);
  return parts.join(' · ');
}

const CODING = shape({ code: string(100, true), system: string(300, true), display: string(300) }, ['code', 'system']);

/** The commands, by the constant in their effect type (`ORIGINATE_<KEY>_COMMAND`). */
export const COMMANDS: { readonly [K in keyof CommandFields]: CommandKind } = {
  VITALS: { schema_key: 'vitals', label: 'Vitals', spec: VITALS, summary: vitalsLine },
  PLAN: { schema_key: 'plan', label: 'Plan', spec: { narrative: nullable(string()) }, summary: first('narrative') },
  HPI: { schema_key: 'hpi', label: 'History of present illness', spec: { narrative: nullable(string()) }, summary: first('narrative') },
  REASON_FOR_VISIT: {
    schema_key: 'reasonForVisit', label: 'Reason for visit', spec: { structured: bool, coding: nullable(CODING), comment: nullable(string()) },
    summary: (data) => first('comment')(data) || String((data.coding as { display?: string } | null)?.display ?? ''),
  },
  ASSESS: {
    schema_key: 'assess', label: 'Assessment',
    spec: { condition_id: nullable(string(100)), background: nullable(string()), status: nullable(oneOf({ IMPROVED: 'improved', STABLE: 'stable', DETERIORATED: 'deteriorated' })), narrative: nullable(string(2048)) },
    summary: first('narrative', 'background', 'status'),
  },
  GOAL: {
    schema_key: 'goal', label: 'Goal',
    spec: {
      goal_statement: string(), start_date: dateTime, due_date: nullable(dateTime),
      achievement_status: nullable(oneOf(Object.fromEntries(['in-progress', 'improving', 'worsening', 'no-change', 'achieved', 'sustaining', 'not-achieved', 'no-progress', 'not-attainable'].map((s) => [s.toUpperCase().replace(/-/g, '_'), s])))),
      priority: nullable(oneOf({ HIGH: 'high-priority', MEDIUM: 'medium-priority', LOW: 'low-priority' })), progress: nullable(string()),
    },
    summary: first('goal_statement'),
  },
  TASK: {
    schema_key: 'task', label: 'Task',
    spec: {
      title: string(), assign_to: nullable(shape({ to: oneOf({ ROLE: 'role', TEAM: 'team', UNASSIGNED: 'unassigned', STAFF: 'staff' }), id: int() }, ['to'])),
      due_date: nullable(date), comment: nullable(string()), labels: nullable(listOf(string(50))), linked_items_urns: nullable(listOf(string())),
    },
    summary: first('title'),
  },
};

/** The command of a `schema_key` (`'vitals'`), with its constant (`'VITALS'`); null for one the platform does not know. */
export function commandByKey(schemaKey: unknown): (CommandKind & { constant: keyof CommandFields }) | null {
  const found = Object.entries(COMMANDS).find(([, kind]) => kind.schema_key === schemaKey);
  return found ? { ...found[1], constant: found[0] as keyof CommandFields } : null;
}
