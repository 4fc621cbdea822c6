/**
 * The commands that write into an author's plugin: `init` (a plugin with a companion app, or the
 * app added to a plugin) and `vendor` (the library files a page loads, into its static/).
 * @module
 */
export { ALL_SCOPES, INIT_HELP, initPlugin, initReport, nameFromFolder, parseInitArgs } from './init.js';
export type { InitArgs, InitOptions, InitResult } from './init.js';
export { companionComponents, MANIFEST_SCOPES, mergeManifest, newManifest } from './manifest.js';
export type { CompanionComponents, ManifestEntry } from './manifest.js';
export { EXTRA_FILES, parseVendorArgs, VENDOR_HELP, VENDORED_FILES, vendorLibrary, vendorReport, vendorTarget } from './vendor.js';
export type { Vendored, VendorArgs, VendorOptions } from './vendor.js';
