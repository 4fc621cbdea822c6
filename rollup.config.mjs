import { copyFileSync } from 'node:fs';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

const umd = { format: 'umd', name: 'CanvasCompanion', exports: 'named' };

export default [
  {
    input: 'src/index.ts',
    plugins: [nodeResolve(), typescript({ tsconfig: 'tsconfig.build.json' })],
    output: [
      { file: 'dist/canvas-companion.mjs', format: 'es' },
      { file: 'dist/canvas-companion.umd.js', ...umd },
      { file: 'dist/canvas-companion.umd.min.js', ...umd, plugins: [terser()] },
    ],
  },
  {
    // One declaration bundle, reconnecting-websocket's types inlined; copied to .d.mts for the `import` condition.
    input: 'dist/types/index.d.ts',
    plugins: [dts({ respectExternal: true }), { name: 'd.mts', writeBundle: () => copyFileSync('dist/canvas-companion.d.ts', 'dist/canvas-companion.d.mts') }],
    output: { file: 'dist/canvas-companion.d.ts', format: 'es' },
  },
];
