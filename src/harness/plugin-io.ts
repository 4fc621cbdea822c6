/**
 * What every plugin request (/plugin-io/api/NAME/…) and plugin socket (/plugin-io/ws/NAME/<channel>/)
 * passes through, mock and proxied plugins alike: the session's workbench conditions first, then
 * the plugin, run as work of the session (its effects and their delay belong to it), all of it
 * recorded in the trace. The shell's own routes and feed never come here.
 * @module
 */
import { holdRequest, holdUpgrade } from './conditions.js';
import type { RequestContext, UpgradeContext } from './context.js';
import { refuseUpgrade, sendJSON } from './http.js';
import { proxyUpgrade } from './proxy.js';
import { requestHeaders, teeResponse, traceBody, TRACE_LIMITS, type AnswerNotes } from './trace.js';

/** Answers /plugin-io/api/NAME/REST: the session's conditions, then the plugin; recorded once answered or cut. */
export async function pluginRequest(context: RequestContext, [, name = '', rest = '']: RegExpExecArray): Promise<void> {
  const { request, response, url, current, sessions, plugins, trace, log } = context;
  const session = current.found ?? null;
  const method = request.method ?? '';
  const arrived = { at: new Date().toISOString(), ms: performance.now() };
  const sent = teeResponse(response, TRACE_LIMITS.body);
  const notes: AnswerNotes = { source: 'harness', route: null, body: null };
  const touched: string[] = [];
  // Going offline while it is answered cuts it too.
  const cut = () => {
    if (!touched.includes('offline')) touched.push('offline');
    request.socket.destroy();
  };
  session?.inflight.add(cut);
  // 'close' comes for an answered request and for a cut connection alike.
  response.once('close', () => {
    session?.inflight.delete(cut);
    const answered = sent();
    trace.request({
      at: arrived.at, ms: Math.round(performance.now() - arrived.ms), session: session?.number ?? null, plugin: name, method, path: url.pathname, query: url.search,
      status: answered ? response.statusCode : null, source: notes.source, route: notes.route, conditions: touched,
      request: traceBody(requestHeaders(request.headers), notes.body, TRACE_LIMITS.body), response: answered,
    });
  });
  if (session) {
    const verdict = await holdRequest(session, method, url.pathname, touched);
    if (verdict.kind === 'cut') {
      log(`${method} ${url.pathname}: connection cut without an answer by session ${session.number}'s workbench conditions (${touched.join(', ')})`);
      return void request.socket.destroy();
    }
    if (verdict.kind === 'fail') {
      log(`${verdict.status} ${method} ${url.pathname}: failure injected by session ${session.number}'s workbench conditions`);
      return sendJSON(response, verdict.status, verdict.body);
    }
    // The page may have left while the latency held its request: nothing to answer, nothing to run.
    if (response.destroyed) return;
  }
  // Read after the wait: the session may have expired or switched staff member meanwhile.
  const staff = session && !session.expired ? session.staff : null;
  await sessions.run(session, () => plugins.handle({ request, response, url, name, rest, staff, notes }));
}

/** /plugin-io/ws/<plugin>/<channel>/: the session's conditions, then a proxied socket or one the mock's socket rule allows; recorded. */
export async function pluginSocket(context: UpgradeContext, [, name = '', channel = '']: RegExpExecArray): Promise<void> {
  const { request, socket, head, url, current, sessions, live, plugins, trace, log } = context;
  const session = current.found ?? null;
  const recording = trace.socket({ session: session?.number ?? null, plugin: name, channel });
  const refuse = (status: number, reason: string, why: string) => {
    recording.refused(status, why);
    refuseUpgrade(socket, status, reason);
  };
  const plugin = plugins.get(name);
  if (!plugin) {
    log(`404 WebSocket ${url.pathname}: no plugin ${name}`);
    return refuse(404, 'Not Found', `no plugin ${name}`);
  }
  const cut = () => {
    log(`WebSocket ${url.pathname}: connection cut without an answer by session ${session?.number}'s workbench conditions (offline)`);
    recording.refused(null, 'offline (workbench): the connection was cut');
    socket.destroy();
  };
  if (session && !(await holdUpgrade(session))) return cut();
  // Read after the wait, and held against the session again once the rule decided.
  const signedIn = () => (session && !session.expired ? session.staff : null);
  const staff = signedIn();
  if (socket.destroyed) return recording.closed(1006, 'the page left before the upgrade was answered');
  if (plugin.kind === 'proxy') {
    // Registered before the upstream answers: a browser that leaves meanwhile is not tracked forever.
    let forget: (() => void) | null = null;
    let gone = false;
    let dropped = false;
    socket.once('close', () => {
      gone = true;
      forget?.();
      // The harness passes a proxied socket's bytes on unread: its close code is known only when it dropped it.
      recording.closed(dropped ? 1006 : null, dropped ? 'dropped by the harness' : '');
    });
    return proxyUpgrade({
      name, origin: plugin.url, request, socket, head, staff, log,
      refused: (status, reason) => recording.refused(status, reason),
      delay: () => session?.conditions.latency ?? 0,
      opened: (drop, upstream) => {
        live.hold(upstream);
        // The page left, or the session went offline, expired or switched staff member, while the author's server answered.
        if (gone || session?.conditions.offline || signedIn() !== staff) {
          dropped = !gone;
          return void drop();
        }
        recording.opened();
        forget = live.track(current.token, {
          kind: 'plugin',
          drop: () => {
            dropped = true;
            drop();
          },
        });
      },
    });
  }
  const verdict = await sessions.run(session, () => plugins.authorize(plugin, { channel, path: url.pathname, query: url.searchParams, headers: { ...request.headers }, staff }));
  if (!verdict.allowed) {
    log(`${verdict.status} WebSocket ${url.pathname}: ${verdict.reason}`);
    return refuse(verdict.status, verdict.status === 504 ? 'Gateway Timeout' : 'Forbidden', verdict.reason);
  }
  if (signedIn() !== staff) {
    const why = 'the session expired or switched staff member while the socket rule decided';
    log(`403 WebSocket ${url.pathname}: ${why}`);
    return refuse(403, 'Forbidden', why);
  }
  if (socket.destroyed) return recording.closed(1006, 'the page left before the upgrade was answered');
  // The session may have gone offline while its socket rule decided.
  if (session?.conditions.offline) return cut();
  live.accept(request, socket, head, current.token, { plugin: name, channel, watch: { ...recording, delay: () => session?.conditions.latency ?? 0 } });
}
