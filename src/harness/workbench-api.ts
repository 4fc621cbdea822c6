/**
 * The workbench's part of the shell's JSON API (under /companion/api, signed-in sessions only):
 * the session's staff member, its conditions, and its trace.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyOf, type TraceSession } from '../platform/index.js';
import { changeConditions, describeConditions } from './conditions.js';
import type { ApiContext } from './context.js';
import { HttpError, messageOf } from './errors.js';
import { readBody, sendJSON, sendJSONAndDrain } from './http.js';
import { ROOT } from './paths.js';
import type { SessionState } from './session.js';

/** The largest body the workbench's routes read, in bytes (a condition change is a few dozen). */
export const WORKBENCH_BODY_LIMIT = 16_384;

/** The package's version, read once (the trace's `harness.version`). */
let packageVersion: string | undefined;
function harnessVersion(): string {
  try {
    packageVersion ??= String((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version?: unknown }).version ?? 'unknown');
  } catch {
    packageVersion = 'unknown';
  }
  return packageVersion;
}

/** A session as a trace names it. */
export function traceSession(session: SessionState): TraceSession {
  return { number: session.number, staff: session.expired ? null : { id: session.staff.id, name: session.staff.name }, conditions: session.conditions };
}

/**
 * Reads a request's body as JSON, up to {@link WORKBENCH_BODY_LIMIT}; on a body too large, broken
 * off or not JSON, answers the 4xx `{ error }` itself (with a log line) and resolves null.
 */
async function readJSON({ request, response, url, log }: ApiContext): Promise<{ value: unknown } | null> {
  const where = `${request.method} ${url.pathname}`;
  let text: string;
  try {
    text = (await readBody(request, WORKBENCH_BODY_LIMIT)).toString('utf8');
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    log(`${error.status} ${where}: ${error.message}`);
    if (response.destroyed) return null;
    // A 413 while the client is still sending: answered at once, the rest read and dropped, so the client can read it.
    if (error.status === 413) sendJSONAndDrain(request, response, 413, { error: error.message });
    else sendJSON(response, error.status, { error: error.message }, { connection: 'close' });
    return null;
  }
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    log(`400 ${where}: the body is not JSON (${messageOf(error)})`);
    sendJSON(response, 400, { error: `The body is not JSON: ${messageOf(error)}` });
    return null;
  }
}

/** A 4xx `{ error }` with its log line. */
function refuse({ request, response, url, log }: ApiContext, status: number, error: string): void {
  log(`${status} ${request.method} ${url.pathname}: ${error}`);
  sendJSON(response, status, { error });
}

/** The session of a route that needs one (signed in, or known for GET /trace: the shell API checks that before any route runs). */
const sessionOf = ({ current }: ApiContext): SessionState => current.found as SessionState;

/** The workbench's routes: "METHOD /path" -> handler. */
export const WORKBENCH_API: Readonly<Record<string, (context: ApiContext) => void | Promise<void>>> = {
  'POST /session/staff': async (context) => {
    const { response, platform, sessions, log } = context;
    const body = await readJSON(context);
    if (!body) return;
    const id: unknown = body.value && typeof body.value === 'object' ? (body.value as { id?: unknown }).id : undefined;
    if (keyOf(id) === null) return refuse(context, 400, `The body must be {"id": "<staff key>"}: 32 lower-case hex digits (got ${JSON.stringify(body.value)?.slice(0, 80)})`);
    const member = platform.staffMembers.find((staff) => staff.id === id);
    if (!member) return refuse(context, 404, `No staff member ${String(id)}; the practice's staff: ${platform.staffMembers.map((staff) => `${staff.id} (${staff.name})`).join(', ')}`);
    const session = sessionOf(context);
    const dropped = sessions.switchStaff(session, member);
    log(`session ${session.number} is now ${member.name}: plugin requests and socket rules see them (${dropped} plugin socket${dropped === 1 ? '' : 's'} dropped, authorized for someone else)`);
    sendJSON(response, 200, { staff: member });
  },
  'GET /trace': (context) => {
    const session = sessionOf(context);
    sendJSON(context.response, 200, { session: traceSession(session), harness: { version: harnessVersion(), origin: context.origin, effect_delay: context.effectDelay }, ...context.trace.list(session.number) });
  },
  'DELETE /trace': (context) => {
    context.trace.forget(sessionOf(context).number);
    sendJSON(context.response, 204);
  },
  'GET /conditions': (context) => sendJSON(context.response, 200, sessionOf(context).conditions),
  'PUT /conditions': async (context) => {
    const { response, sessions, trace, log } = context;
    const body = await readJSON(context);
    if (!body) return;
    const session = sessionOf(context);
    const changed = changeConditions(session.conditions, body.value);
    if ('error' in changed) return refuse(context, 400, changed.error);
    const wentOffline = changed.value.offline && !session.conditions.offline;
    session.conditions = changed.value;
    const dropped = wentOffline ? sessions.dropSockets(session, 'plugins') : 0;
    // A lost network cuts the requests under way too (the harness's own answer to this PUT is not one of them).
    if (wentOffline) for (const cut of [...session.inflight]) cut();
    log(`session ${session.number}: workbench conditions ${describeConditions(changed.value)}${wentOffline ? ` (${dropped} plugin socket${dropped === 1 ? '' : 's'} dropped)` : ''}`);
    trace.conditions(session.number, changed.value);
    sendJSON(response, 200, changed.value);
  },
};
