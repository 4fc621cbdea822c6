/**
 * The companion harness: one local server that plays Canvas for plugin pages.
 *
 * - /companion/…              the mock Provider Companion shell (static files + a small JSON API)
 * - /plugin-io/api/demo_plugin/… and /plugin-io/ws/demo_plugin/<channel>/   the built-in demo plugin
 * - /plugin-io/api/NAME/… and /plugin-io/ws/NAME/…   proxied to your server (`plugins`)
 *
 * `startHarness()` is what `demo/server.mjs` (the CLI) and the tests call.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { attachDemoBroadcasts, DEMO_APPS, demoChannelDenied, handleDemoPlugin } from './lib/demo-plugin.mjs';
import { cookies, refuseUpgrade, sendFile, sendHTML, sendJSON } from './lib/http.mjs';
import { checkSetup, DEMO_PLUGIN, OptionError } from './lib/options.mjs';
import { proxyRequest, proxyUpgrade } from './lib/proxy.mjs';
import { createStore } from './lib/store.mjs';

export { HELP, OptionError, parseApp, parseArgs, parsePlugin } from './lib/options.mjs';

const ROOT = join(import.meta.dirname, '..');
const SHELL = join(import.meta.dirname, 'shell');
const COOKIE = 'sessionid';
const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;

/**
 * @typedef {object} HarnessOptions
 * @property {number} [port] port on 127.0.0.1; 0 picks a free one. Default 4173.
 * @property {{name: string, url: string}[]} [plugins] your plugins: NAME and the origin of your local server
 * @property {{plugin: string, scope: string, title: string, path: string}[]} [apps] apps to add to the shell
 * @property {number} [effectDelay] ms before the mock platform applies an effect. Default 1200.
 * @property {(line: string) => void} [log] where log lines go. Default: console.log with a prefix.
 * @property {string} [distDir] the built library. Default: <repo>/dist.
 */

/**
 * Starts the harness.
 * @param {HarnessOptions} [options]
 * @returns {Promise<{ url: string, origin: string, port: number, store: object, apps: object[], close(): Promise<void> }>}
 */
export async function startHarness(options = {}) {
  const { port = 4173, plugins = [], apps = [], effectDelay = 1200, log = (line) => console.log(`[harness] ${line}`), distDir = join(ROOT, 'dist') } = options;
  const setup = checkSetup(plugins, apps);
  if (!existsSync(join(distDir, 'canvas-companion.umd.js')) || !existsSync(join(distDir, 'canvas-companion.mjs'))) {
    throw new OptionError(`the library is not built (${distDir} has no canvas-companion.umd.js / .mjs): run npm run build, or start with npm run demo`);
  }
  const version = Date.now().toString(36);
  const store = createStore();
  /** token -> { staffId, expired } */
  const sessions = new Map();
  const timers = new Set();
  const sockets = new Set();
  const channels = new Map();
  const shellClients = new Set();
  const socketTokens = new WeakMap();
  const wss = new WebSocketServer({ noServer: true });

  const allApps = [...DEMO_APPS, ...setup.apps].map((app, i) => ({
    id: `${app.plugin}:${app.scope}:${app.title.toLowerCase().replace(/\W+/g, '-').replace(/^-|-$/g, '') || i}`,
    plugin: app.plugin, scope: app.scope, title: app.title, url: `/plugin-io/api/${app.plugin}${app.path}`,
    icon: app.icon ?? null, description: app.description ?? (app.plugin === DEMO_PLUGIN ? '' : `Proxied to ${setup.plugins.get(app.plugin)}`),
  }));

  /** Applies an effect after the delay, in the background, as the platform's worker does. */
  const later = (apply) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      try {
        apply();
      } catch (error) {
        log(`effect failed: ${error.message}`);
      }
    }, effectDelay);
    timers.add(timer);
  };

  const broadcast = (channel, message) => {
    const frame = JSON.stringify({ message });
    for (const socket of channels.get(channel) ?? []) socket.send(frame);
  };
  const detach = attachDemoBroadcasts(store, broadcast);
  const onChange = (change) => {
    const frame = JSON.stringify({ type: 'changed', kind: change.kind, patient_id: change.patientId ?? null, note_id: change.noteId ?? null });
    for (const socket of shellClients) socket.send(frame);
  };
  store.events.on('change', onChange);

  const session = (request) => {
    const token = cookies(request)[COOKIE];
    const found = token ? sessions.get(token) : undefined;
    return { token, found, staff: found && !found.expired ? store.getStaff(found.staffId) : null };
  };
  const signIn = () => {
    const token = randomUUID();
    sessions.set(token, { staffId: store.me.id, expired: false });
    return `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax`;
  };

  const context = { store, later, log, distDir, version };

  const shellApi = async (request, response, path, staff, current) => {
    const method = request.method;
    if (path === '/session') {
      if (method === 'GET') return staff ? sendJSON(response, 200, { staff }) : sendJSON(response, 401, { error: 'Signed out', expired: Boolean(current.found) });
      if (method === 'POST') return sendJSON(response, 200, { staff: store.me }, { 'set-cookie': signIn() });
    }
    if (path === '/session/expire' && method === 'POST') {
      if (current.found) current.found.expired = true;
      // Drop this session's sockets the way a network blip would (close code 1006): their reconnects now get 403.
      for (const client of wss.clients) if (socketTokens.get(client) === current.token) client.terminate();
      log('session expired from the shell: plugin routes now answer 401, WebSocket upgrades 403');
      return sendJSON(response, 204);
    }
    if (!staff) return sendJSON(response, 401, { error: 'Signed out', expired: Boolean(current.found) });
    const patientView = (p) => ({ ...p, name: store.patientName(p) });
    if (method === 'GET' && path === '/home') {
      return sendJSON(response, 200, {
        staff, apps: allApps,
        patients: store.listPatients().map((p) => ({ ...patientView(p), open_tasks: store.listTasks({ patientId: p.id }).filter((t) => t.status === 'open').length })),
        open_tasks: store.listTasks({ assigneeId: staff.id }).filter((t) => t.status === 'open').length,
      });
    }
    const match = /^\/patients\/([^/]+)$/.exec(path);
    if (method === 'GET' && match) {
      const patient = store.getPatient(match[1].toLowerCase());
      if (!patient) return sendJSON(response, 404, { error: 'No such patient' });
      return sendJSON(response, 200, { staff, apps: allApps, patient: patientView(patient), notes: store.notesFor(patient.id), tasks: store.listTasks({ patientId: patient.id }) });
    }
    return sendJSON(response, 404, { error: 'No such route' });
  };

  const server = http.createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const path = url.pathname;
      const current = session(request);
      const { staff } = current;
      if (path === '/' || path === '/companion') return void response.writeHead(302, { location: '/companion/' }).end();
      if (path === '/favicon.ico') return void response.writeHead(204).end();
      let match;
      if ((match = /^\/companion\/static\/([\w.-]+)$/.exec(path))) return sendFile(response, join(SHELL, match[1]));
      if (path.startsWith('/companion/api/')) return await shellApi(request, response, path.slice('/companion/api'.length), staff, current);
      if ((match = /^\/companion\/patient\/([^/]+)$/.exec(path))) return void response.writeHead(301, { location: `${path}/${url.search}` }).end();
      if (path.startsWith('/companion/') && request.method === 'GET') {
        // Opening the companion signs the staff user in (a stand-in for Canvas's login), unless the
        // session was expired on purpose from the menu: then the shell shows "Signed out".
        const headers = current.found ? {} : { 'set-cookie': signIn() };
        const html = await readFile(join(SHELL, 'index.html'), 'utf8');
        return sendHTML(response, 200, html.replaceAll('{{v}}', version), headers);
      }
      if ((match = /^\/plugin-io\/api\/(\w+)(\/.*)?$/.exec(path))) {
        const [, name, rest = ''] = match;
        if (name === DEMO_PLUGIN) return await handleDemoPlugin(context, request, response, rest, url, staff);
        const origin = setup.plugins.get(name);
        if (origin) return proxyRequest({ name, origin, request, response, staff, log });
        log(`404 ${request.method} ${path}: no plugin ${name} (add --plugin ${name}=URL)`);
        return sendJSON(response, 404);
      }
      sendJSON(response, 404);
    } catch (error) {
      log(`500 ${request.method} ${request.url}: ${error.stack ?? error}`);
      if (!response.headersSent) sendJSON(response, 500);
      else response.destroy();
    }
  });

  server.on('upgrade', (request, socket, head) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const { staff, token } = session(request);
    if (url.pathname === '/companion/live/') {
      if (!staff) return refuseUpgrade(socket, 403, 'Forbidden');
      return wss.handleUpgrade(request, socket, head, (ws) => {
        socketTokens.set(ws, token);
        shellClients.add(ws);
        ws.on('close', () => shellClients.delete(ws));
      });
    }
    const route = /^\/plugin-io\/ws\/(\w+)\/([\w-]+)\/$/.exec(url.pathname);
    if (!route) {
      if (url.pathname.startsWith('/plugin-io/ws/')) log(`WebSocket ${url.pathname}: no route found (the path must be /plugin-io/ws/<plugin>/<channel>/ with the trailing slash; channel [\\w-]+)`);
      return refuseUpgrade(socket, 404, 'Not Found');
    }
    const [, name, channel] = route;
    if (name === DEMO_PLUGIN) {
      const denied = demoChannelDenied(store, staff, channel);
      if (denied) {
        log(`WebSocket ${url.pathname} denied (403): ${denied}`);
        return refuseUpgrade(socket, 403, 'Forbidden');
      }
      return wss.handleUpgrade(request, socket, head, (ws) => {
        socketTokens.set(ws, token);
        if (!channels.has(channel)) channels.set(channel, new Set());
        channels.get(channel).add(ws);
        ws.on('close', () => {
          channels.get(channel)?.delete(ws);
          if (!channels.get(channel)?.size) channels.delete(channel);
        });
      });
    }
    const origin = setup.plugins.get(name);
    if (origin) return proxyUpgrade({ name, origin, request, socket, head, staff, log, track: (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); } });
    log(`WebSocket ${url.pathname}: no plugin ${name}`);
    refuseUpgrade(socket, 404, 'Not Found');
  });

  await new Promise((resolve, reject) => {
    const onError = (error) => {
      detach();
      store.events.off('change', onChange);
      if (error.code === 'EADDRINUSE') {
        reject(Object.assign(new Error(`port ${port} on 127.0.0.1 is in use: stop the other server, or pick another port (PORT=${port + 1} npm run demo)`), { code: 'EADDRINUSE' }));
      } else reject(error);
    };
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  const actual = server.address().port;
  const origin = `http://127.0.0.1:${actual}`;

  let closing;
  return {
    url: `${origin}/companion/`,
    origin,
    port: actual,
    store,
    apps: allApps,
    plugins: setup.plugins,
    close() {
      closing ??= new Promise((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        detach();
        store.events.off('change', onChange);
        for (const client of wss.clients) client.terminate();
        for (const socket of sockets) socket.destroy();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
