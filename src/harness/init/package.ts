/**
 * The new plugin repository's package.json, and the npm runs `init` makes: packing the running
 * canvas-companion into the repository (it is not on the npm registry yet), and `npm install`.
 * @module
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { messageOf, OptionError } from '../errors.js';
import { ROOT } from '../paths.js';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** The test tools the repository installs from the registry: vitest 4 still runs on Node 20. */
const TEST_TOOLS = { 'happy-dom': '^21.0.4', vitest: '~4.1.12' } as const;

/** This package's package.json. */
const ownManifest = (): { name: string; version: string; devDependencies?: Record<string, string> } => JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** This package's version. */
export const ownVersion = (): string => ownManifest().version;

/**
 * The environment for a nested npm: this one without the npm_* settings of an `npx` or `npm run`
 * that started us (they describe that run, not the new repository), but with the user's registry,
 * cache and config file.
 */
function npmEnv(): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_registry', 'npm_config_cache', 'npm_config_userconfig']);
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || keep.has(key.toLowerCase())));
}

/**
 * Packs the running canvas-companion into `dir` (`npm pack`, as published: dist/ as built).
 * @returns The tarball's file name.
 * @throws {@link OptionError} when npm is missing or fails.
 */
export function packSelf(dir: string): string {
  const result = spawnSync(NPM, ['pack', ROOT, '--pack-destination', dir, '--ignore-scripts', '--json', '--loglevel=error'], { env: npmEnv(), encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    const why = result.error ? messageOf(result.error) : result.stderr.trim().split('\n').at(-1);
    throw new OptionError(`npm pack of canvas-companion failed (${why}): give --package SPEC (e.g. --package file:${ROOT})`);
  }
  try {
    return (JSON.parse(result.stdout) as Array<{ filename: string }>)[0]!.filename;
  } catch {
    throw new OptionError(`npm pack of canvas-companion said no file name: give --package SPEC (e.g. --package file:${ROOT})`);
  }
}

/**
 * The repository's package.json: the given one with what the plugin needs added (nothing it has is
 * changed), or a new private one.
 * @param spec - Where canvas-companion comes from, e.g. `file:canvas-companion-0.2.0.tgz`.
 * @throws {@link OptionError} for a package.json that is not an object.
 */
export function packageJson(existing: unknown, name: string, spec: string): Record<string, unknown> {
  if (existing != null && (typeof existing !== 'object' || Array.isArray(existing))) throw new OptionError('package.json: not a JSON object');
  const given = (existing ?? { name: name.toLowerCase(), private: true, type: 'module' }) as Record<string, unknown>;
  const section = (key: string): Record<string, unknown> => {
    const value = given[key];
    if (value != null && (typeof value !== 'object' || Array.isArray(value))) throw new OptionError(`package.json: "${key}" must be an object`);
    return { ...(value as Record<string, unknown> | undefined) };
  };
  const wanted = { scripts: { harness: 'canvas-companion harness', test: 'vitest run' }, devDependencies: { 'canvas-companion': spec, ...TEST_TOOLS } };
  const merged: Record<string, unknown> = { ...given };
  for (const [key, entries] of Object.entries(wanted)) merged[key] = { ...entries, ...section(key) };
  return merged;
}

/** Whether package.json `existing` names canvas-companion already (then init neither packs nor changes it). */
export function hasPackage(existing: unknown): boolean {
  const sections = ['dependencies', 'devDependencies'].map((key) => (existing as Record<string, unknown> | null)?.[key]);
  return sections.some((section) => section != null && typeof section === 'object' && Object.hasOwn(section, 'canvas-companion'));
}

/**
 * Runs `npm install` in `dir`, its output on the terminal.
 * @returns Whether it succeeded.
 */
export function npmInstall(dir: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(NPM, ['install', '--no-audit', '--no-fund'], { cwd: dir, env: npmEnv(), stdio: 'inherit' });
    child.on('error', () => resolve(false));
    child.on('exit', (code) => resolve(code === 0));
  });
}
