#!/usr/bin/env node
/**
 * `npm run demo [-- options]`: starts the companion harness and prints the URL to open.
 * See `npm run demo -- --help`, and demo/harness.mjs for the server itself.
 */
import { startHarness } from './harness.mjs';
import { HELP, OptionError, parseArgs } from './lib/options.mjs';

function fail(message, status) {
  console.error(`demo: ${message}`);
  process.exit(status);
}

let options;
try {
  options = await parseArgs(process.argv.slice(2));
} catch (error) {
  if (error instanceof OptionError) fail(`${error.message}\n(npm run demo -- --help lists the options)`, 2);
  throw error;
}
if (options.help) {
  console.log(HELP);
  process.exit(0);
}

let harness;
try {
  harness = await startHarness({ port: options.port, plugins: options.plugins, apps: options.apps, effectDelay: options.effectDelay });
} catch (error) {
  if (error instanceof OptionError || error.code === 'EADDRINUSE') fail(error.message, error instanceof OptionError ? 2 : 1);
  throw error;
}

const count = (plugin) => harness.apps.filter((app) => app.plugin === plugin).length;
console.log(`
  Companion harness: open ${harness.url}
  (phone size: your browser's device toolbar at 390 x 844)

  demo_plugin   built in, ${count('demo_plugin')} apps`);
for (const [name, url] of harness.plugins) {
  const apps = count(name);
  console.log(`  ${name.padEnd(13)} -> ${url}, ${apps} app${apps === 1 ? '' : 's'}${apps ? '' : `  (add one: --app "${name}:global:Title:/path")`}`);
}
console.log(`\n  Effects land after ${options.effectDelay} ms. Ctrl-C stops the server.\n`);

let stopping = false;
const stop = (signal) => {
  if (stopping) process.exit(130);
  stopping = true;
  console.log(`\n  ${signal}: stopping the harness`);
  harness.close().then(() => process.exit(0));
  // Never hang on a stuck connection.
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
