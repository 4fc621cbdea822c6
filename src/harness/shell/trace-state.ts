/**
 * What the inspector knows of the session's trace: requests, effects, sockets and conditions,
 * filled from GET /companion/api/trace and kept current by the live feed's TraceUpdate frames.
 * The panels listen for changes and redraw only what changed.
 * @module
 */
import { NO_CONDITIONS, TRACE_KEEP as KEEP, type Conditions, type Trace, type TraceEffect, type TraceRequest, type TraceSession, type TraceSocket, type TraceUpdate } from '../../platform/trace.js';
import { api } from './dom.js';

/** What GET /companion/api/trace answers. */
export interface TraceData {
  session: TraceSession;
  harness: Trace['harness'];
  requests: TraceRequest[];
  effects: TraceEffect[];
  sockets: TraceSocket[];
}

/** What changed: everything (`reset`), one entry by id, or the conditions. */
export type TraceChange = { kind: 'reset' } | { kind: 'request' | 'effect' | 'socket'; id: number } | { kind: 'conditions' };


/** The inspector's copy of the trace. */
export const trace = {
  /** The harness's own effect delay (its --effect-delay), once the trace was read. */
  effectDelay: null as number | null,
  requests: new Map<number, TraceRequest>(),
  effects: new Map<number, TraceEffect>(),
  sockets: new Map<number, TraceSocket>(),
  conditions: { ...NO_CONDITIONS } as Conditions,
};

const listeners = new Set<(change: TraceChange) => void>();
/** Calls `listener` on each change of the trace. */
export function onTrace(listener: (change: TraceChange) => void): void {
  listeners.add(listener);
}
function emit(change: TraceChange): void {
  for (const listener of listeners) listener(change);
}

/** Adds or replaces an entry; the oldest go once over `max`. */
function keep<T>(map: Map<number, T>, id: number, entry: T, max: number): void {
  map.set(id, entry);
  while (map.size > max) map.delete(map.keys().next().value as number);
}

/** Fills the trace from the harness (on every (re)connect of the feed); false when it could not (signed out). */
export async function loadTrace(): Promise<boolean> {
  const answer = await api<TraceData>('/trace');
  if (!answer.ok) {
    emit({ kind: 'reset' });
    return false;
  }
  const data = answer.body;
  trace.effectDelay = data.harness?.effect_delay ?? null;
  trace.conditions = { ...NO_CONDITIONS, ...data.session?.conditions };
  trace.requests = new Map((data.requests ?? []).map((r) => [r.id, r]));
  trace.effects = new Map((data.effects ?? []).map((e) => [e.id, e]));
  trace.sockets = new Map((data.sockets ?? []).map((s) => [s.id, s]));
  emit({ kind: 'reset' });
  emit({ kind: 'conditions' });
  return true;
}

/** Forgets the session's entries, here and in the harness (DELETE /companion/api/trace). */
export async function clearTrace(): Promise<void> {
  await api('/trace', { method: 'DELETE' });
  trace.requests.clear();
  trace.effects.clear();
  trace.sockets.clear();
  emit({ kind: 'reset' });
}

/** Sets the conditions the harness answered with. */
export function setConditions(conditions: Conditions): void {
  trace.conditions = { ...NO_CONDITIONS, ...conditions };
  emit({ kind: 'conditions' });
}

/** What each live-feed update does to the trace. */
const UPDATES: { [K in TraceUpdate['type']]: (update: Extract<TraceUpdate, { type: K }>) => TraceChange | null } = {
  request: ({ entry }) => (keep(trace.requests, entry.id, entry, KEEP.requests), { kind: 'request', id: entry.id }),
  effect: ({ entry }) => (keep(trace.effects, entry.id, entry, KEEP.effects), { kind: 'effect', id: entry.id }),
  socket: ({ entry }) => {
    // A state change carries no frames: keep the ones already here.
    keep(trace.sockets, entry.id, { ...entry, frames: trace.sockets.get(entry.id)?.frames ?? [] }, KEEP.sockets);
    return { kind: 'socket', id: entry.id };
  },
  frame: ({ socket, frame }) => {
    const entry = trace.sockets.get(socket);
    if (!entry) return null;
    entry.frames.push(frame);
    if (entry.frames.length > KEEP.frames) entry.frames.shift();
    // The counts go up with each frame; the next state change brings the harness's own.
    if (frame.dir === 'out') entry.frames_out++;
    else entry.frames_in++;
    return { kind: 'socket', id: socket };
  },
  conditions: ({ conditions }) => {
    trace.conditions = { ...NO_CONDITIONS, ...conditions };
    return { kind: 'conditions' };
  },
};

/** Applies one frame of the live feed other than `changed`; false when it is no TraceUpdate. */
export function applyUpdate(update: { type?: unknown }): boolean {
  const type = update.type;
  if (typeof type !== 'string' || !Object.hasOwn(UPDATES, type)) return false;
  const change = (UPDATES[type as TraceUpdate['type']] as (u: TraceUpdate) => TraceChange | null)(update as TraceUpdate);
  if (change) emit(change);
  return true;
}
