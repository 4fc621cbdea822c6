import { copyFileSync, rmSync } from 'node:fs';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';
import { bundledSocket } from './scripts/bundled-socket.mjs';

const umd = { format: 'umd', name: 'CanvasCompanion', exports: 'named' };
// Only the .min file has its `_private` members (all in the bundled socket code) renamed short.
const minify = { compress: { passes: 2, pure_getters: true }, mangle: { properties: { regex: /^_(?!_)/ } } };

export default [
  {
    input: 'src/index.ts',
    plugins: [bundledSocket, typescript({ tsconfig: 'tsconfig.build.json' })],
    output: [
      { file: 'dist/canvas-companion.mjs', format: 'es' },
      { file: 'dist/canvas-companion.umd.js', ...umd },
      { file: 'dist/canvas-companion.umd.min.js', ...umd, plugins: [terser(minify)] },
    ],
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
