/**
 * The harness's route tables: top-level HTTP routes and WebSocket upgrades, first match wins.
 *
 * - /companion/…                          the mock Provider Companion shell (shell-api.ts)
 * - /plugin-io/api/NAME/…                 a plugin folder on the mock platform (mock.ts), or a proxy
 *                                         to the author's server (proxy.ts), through the session's
 *                                         workbench conditions and into the trace (plugin-io.ts)
 * - /companion/live/, /plugin-io/ws/NAME/<channel>/   the shell's change feed, a plugin's channel (live.ts)
 * @module
 */
import type { RequestContext, UpgradeContext } from './context.js';
import { decode, refuseUpgrade, sendFile, sendText } from './http.js';
import { pluginRequest, pluginSocket } from './plugin-io.js';
import { shellApi, shellFile, shellPage } from './shell-api.js';

/** An HTTP route: method (null: any; GET also answers HEAD), path pattern, handler. */
type Route = readonly [method: string | null, pattern: RegExp, handle: (context: RequestContext, match: RegExpExecArray) => void | Promise<void>];
/** A WebSocket route: path pattern, handler. */
type UpgradeRoute = readonly [pattern: RegExp, handle: (context: UpgradeContext, match: RegExpExecArray) => void | Promise<void>];

const ROUTES: readonly Route[] = [
  [null, /^\/(?:companion)?$/, ({ response }) => void response.writeHead(302, { location: '/companion/' }).end()],
  ['GET', /^\/favicon\.ico$/, ({ response }) => void response.writeHead(204).end()],
  ['GET', /^\/companion\/static\/([\w-]+\.(?:js|css))$/, ({ response }, [, file = '']) => shellFile(response, file)],
  ['GET', /^\/companion\/icons\/([^/]+)$/, async ({ response, url, plugins, log }, [, id = '']) => {
    const file = await plugins.iconOf(decode(id) ?? '');
    if (file) return sendFile(response, file);
    log(`404 GET ${url.pathname}: no such app, or its icon is not a file inside its plugin folder`);
    return sendText(response, 404, 'No such icon');
  }],
  [null, /^\/companion\/api(\/.*)$/, (context, [, path = '']) => shellApi(context, path)],
  ['GET', /^\/companion\/patient\/[^/]+$/, ({ response, url }) => void response.writeHead(301, { location: `${url.pathname}/${url.search}` }).end()],
  ['GET', /^\/companion\//, (context) => shellPage(context)],
  [null, /^\/plugin-io\/api\/(\w+)(\/.*)?$/, pluginRequest],
];

const UPGRADES: readonly UpgradeRoute[] = [
  [/^\/companion\/live\/$/, shellSocket],
  [/^\/plugin-io\/ws\/(\w+)\/([\w-]+)\/$/, pluginSocket],
];

/** Answers an HTTP request through {@link ROUTES}; 404 when none matches. */
export async function routeRequest(context: RequestContext): Promise<void> {
  const { request, response, url, log } = context;
  for (const [method, pattern, handle] of ROUTES) {
    const match = pattern.exec(url.pathname);
    if (match && (method === null || method === request.method || (method === 'GET' && request.method === 'HEAD'))) return await handle(context, match);
  }
  log(`404 ${request.method} ${url.pathname}: the harness has no such page`);
  sendText(response, 404, 'Not found');
}

/** Answers a WebSocket upgrade through {@link UPGRADES}; 404 when none matches. */
export async function routeUpgrade(context: UpgradeContext): Promise<void> {
  const { socket, url, log } = context;
  for (const [pattern, handle] of UPGRADES) {
    const match = pattern.exec(url.pathname);
    if (match) return handle(context, match);
  }
  log(`404 WebSocket ${url.pathname}: no route found${url.pathname.startsWith('/plugin-io/ws/') ? ' (the path must be /plugin-io/ws/<plugin>/<channel>/ with the trailing slash; channel [\\w-]+)' : ''}`);
  return refuseUpgrade(socket, 404, 'Not Found');
}

/** /companion/live/: the shell's change feed, for a signed-in session. */
function shellSocket({ request, socket, head, url, current, live, log }: UpgradeContext): void {
  if (!current.staff) {
    log(`403 WebSocket ${url.pathname}: no staff session (the shell signs in again when reloaded)`);
    return refuseUpgrade(socket, 403, 'Forbidden');
  }
  live.accept(request, socket, head, current.token, { shell: true });
}
