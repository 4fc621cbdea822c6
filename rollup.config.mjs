import { copyFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';
import { bundledSocket, plainSocketNotice } from './scripts/bundled-socket.mjs';

const umd = { format: 'umd', name: 'CanvasCompanion', exports: 'named' };
// Only the .min file has its `_private` members (all in the bundled socket code) renamed short.
const minify = { compress: { passes: 2, pure_getters: true }, mangle: { properties: { regex: /^_(?!_)/ } } };
// The test kit's declarations import the harness's platform types, from demo/ (not in dist/types).
const platformTypes = { name: 'platform-types', resolveId: (id) => (id.endsWith('/demo/lib/platform.mjs') ? resolve('demo/lib/platform.d.mts') : null) };
const copyTypes = (from, to) => ({ name: 'd.mts', writeBundle: () => copyFileSync(from, to) });

export default [
  {
    input: 'src/index.ts',
    plugins: [bundledSocket, typescript({ tsconfig: 'tsconfig.build.json' })],
    output: [
      // In the ESM file the notice is a plain comment: a bundler that takes only the core from it
      // drops it with the socket code, instead of copying a `/*!` banner into every bundle.
      { file: 'dist/canvas-companion.mjs', format: 'es', plugins: [plainSocketNotice] },
      { file: 'dist/canvas-companion.umd.js', ...umd },
      { file: 'dist/canvas-companion.umd.min.js', ...umd, plugins: [terser(minify)] },
    ],
  },
  {
    // The test kit, canvas-companion/testing: ESM and CJS only (never in the UMD files), its own
    // copy of the channel code sharing the page-wide state, the harness's platform core bundled in.
    input: 'src/testing/index.ts',
    plugins: [typescript({ tsconfig: 'tsconfig.build.json' })],
    output: [
      { file: 'dist/testing.mjs', format: 'es' },
      { file: 'dist/testing.cjs', format: 'cjs' },
    ],
  },
  {
    input: 'dist/types/testing/index.d.ts',
    plugins: [platformTypes, dts({ respectExternal: true }), copyTypes('dist/testing.d.ts', 'dist/testing.d.mts')],
    output: { file: 'dist/testing.d.ts', format: 'es' },
  },
  {
    // One declaration bundle (reconnecting-websocket's types stay out: they are in no export),
    // copied to .d.mts for the `import` condition.
    input: 'dist/types/index.d.ts',
    plugins: [
      dts({ respectExternal: true }),
      {
        name: 'd.mts',
        writeBundle() {
          copyFileSync('dist/canvas-companion.d.ts', 'dist/canvas-companion.d.mts');
          rmSync('dist/types', { recursive: true });
        },
      },
    ],
    // Script-tag users get the UMD global's types as `CanvasCompanion.…`.
    output: { file: 'dist/canvas-companion.d.ts', format: 'es', footer: 'export as namespace CanvasCompanion;' },
  },
];
