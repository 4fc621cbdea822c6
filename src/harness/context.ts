/**
 * What the harness's route handlers get: the request, its session, and the harness's parts.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Platform } from '../platform/index.js';
import type { Live } from './live.js';
import type { Plugins } from './plugins.js';
import type { Session, Sessions } from './session.js';
import type { Recorder } from './trace.js';

/** What every HTTP route gets. */
export interface RequestContext {
  request: IncomingMessage;
  response: ServerResponse;
  /** The request target, parsed. */
  url: URL;
  /** The request's session. */
  current: Session;
  sessions: Sessions;
  platform: Platform;
  plugins: Plugins;
  /** The workbench's trace. */
  trace: Recorder;
  log: (line: string) => void;
  /** The start time in base 36: the shell's cache-busting. */
  version: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** The harness's `--effect-delay`, in ms: how long effects wait when neither the mock nor the session says. */
  effectDelay: number;
  /** How long a mock's function (route, socket rule, outside event) may take before the harness answers 504, in ms. */
  mockTimeout: number;
}

/** What a shell API route gets: the request's context and the `<name>` parts of its path. */
export type ApiContext = RequestContext & { params: Record<string, string> };

/** What every WebSocket upgrade gets. */
export interface UpgradeContext {
  request: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  url: URL;
  current: Session;
  sessions: Sessions;
  live: Live;
  plugins: Plugins;
  /** The workbench's trace. */
  trace: Recorder;
  log: (line: string) => void;
}
