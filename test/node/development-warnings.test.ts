// The development-only warnings (src/dev.ts) in each built file: present in the .umd.js file and
// in the ESM file until a bundler's production build drops them; absent from the .umd.min.js
// file, code included. Real files, not the sources; esbuild plays the importer's bundler (it is
// what size-limit measures with, and its production mode is what minifying picks by default).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterEach, describe, expect, it, vi } from 'vitest';

type Library = typeof import('../../src/index.js');

const ROOT = join(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const read = (file: string) => readFileSync(join(ROOT, 'dist', file), 'utf8');
/** Text only the development code has: the warning's words and the guard. */
const DEVELOPMENT_CODE = [/unknown option/, /did you mean/, /NODE_ENV/];

/** Bundles `import { closeModal, … } from the ESM file` as an app's bundler does, in `mode`. */
async function bundle(mode: 'production' | 'development'): Promise<string> {
  const result = await build({
    stdin: { contents: `export { closeModal, configure, requestJSON, createAndFind, findCreated, subscribe } from './dist/canvas-companion.mjs';`, resolveDir: ROOT },
    bundle: true,
    write: false,
    format: 'esm',
    minify: mode === 'production',
    define: { 'process.env.NODE_ENV': JSON.stringify(mode) },
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('development warnings in the built files', () => {
  it('the .umd.min.js file carries none of their code', () => {
    const min = read('canvas-companion.umd.min.js');
    for (const pattern of DEVELOPMENT_CODE) expect(min).not.toMatch(pattern);
    expect(min).not.toMatch(/process/);
  });

  it('the .umd.min.js file, required in Node, does not warn', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const min = require('../../dist/canvas-companion.umd.min.js') as Library;
    min.configure({ allowedOrigin: [] } as never);
    await min.requestJSON('https://x.example/', { timout: 5, fetch: async () => new Response('1') } as never);
    expect(warn).not.toHaveBeenCalled();
  });

  it('the .umd.js file warns, whatever NODE_ENV says: it is the development file', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const development = require('../../dist/canvas-companion.umd.js') as Library;
    await development.requestJSON('https://x.example/', { timout: 5, fetch: async () => new Response('1') } as never);
    expect(warn.mock.calls.map((call) => call[0])).toEqual(['canvas-companion: requestJSON(): unknown option "timout" (did you mean "timeout"?)']);
    // No guard left to read `process`: a script-tag page has none.
    expect(read('canvas-companion.umd.js')).not.toMatch(/typeof process|process\.env/);
  });

  it("the ESM file keeps the guard for the importer's bundler, and warns in Node outside production", async () => {
    expect(read('canvas-companion.mjs')).toMatch(/typeof process === 'object' && process\.env\.NODE_ENV !== 'production'/);
    vi.stubEnv('NODE_ENV', 'development');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const esm = (await import('../../dist/canvas-companion.mjs')) as Library;
    esm.configure({ allowedOrigin: [] } as never);
    expect(warn.mock.calls.map((call) => call[0])).toEqual(['canvas-companion: configure(): unknown option "allowedOrigin" (did you mean "allowedOrigins"?)']);
  });

  it("a bundler's production build of the ESM file leaves their code out; its development build keeps it", async () => {
    const production = await bundle('production');
    for (const pattern of DEVELOPMENT_CODE) expect(production).not.toMatch(pattern);
    const development = await bundle('development');
    expect(development).toMatch(/did you mean/);
  });
});
