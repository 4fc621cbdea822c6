/**
 * The companion harness: one local server on 127.0.0.1 that plays Canvas for plugin pages (the
 * mock Provider Companion shell, plugin folders on a mock platform, proxies to an author's server).
 * Built to dist/harness/harness.mjs, which the `canvas-companion harness` command runs; the
 * tests import this file directly.
 * @module
 */
export type { ChannelRow, PluginCheck, RouteRow } from './compare.js';
export { OptionError } from './errors.js';
export type { HarnessExports } from './mock-module.js';
export { DEFAULT_EFFECT_DELAY, DEFAULT_PORT, didYouMean, HELP, nearest, parseApp, parseArgs, parsePlugin } from './options.js';
export type { CheckedApp, HarnessApp, HarnessPlugin, HarnessPluginDir, ParsedOptions } from './options.js';
export { DEMO_PLUGIN_DIR, LIBRARY_FILES } from './paths.js';
export { findPluginFolders } from './plugin-dir.js';
export type { Scope } from './plugin-dir.js';
export {
  ALL_SCOPES, EXTRA_FILES, INIT_HELP, initPlugin, initReport, parseInitArgs, parseVendorArgs, VENDOR_HELP, VENDORED_FILES, vendorLibrary, vendorReport,
} from './init/index.js';
export type { InitArgs, InitOptions, InitResult, Vendored, VendorArgs, VendorOptions } from './init/index.js';
export type { ShellApp } from './plugins.js';
export { startHarness } from './server.js';
export type { Harness, HarnessOptions } from './server.js';
export type { MockModule, Platform, PluginPlatform } from '../platform/index.js';
