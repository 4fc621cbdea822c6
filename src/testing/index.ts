/**
 * `canvas-companion/testing`: a plugin author's unit tests of their companion page (vitest or
 * jest, happy-dom or jsdom, or a real browser): a stand-in host, a companion launch, and a mock
 * Canvas platform (the harness's) behind `fetch` and `WebSocket`.
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
export type {
  ApplyOptions, Change, Command, Effect, Launch, MockModule, MockRequest, MockResponse, Note, Patient, PluginPlatform, Route, SocketRequest, SocketRule, Staff, Task,
} from '../platform/index.js';
