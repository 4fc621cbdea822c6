import { copyFileSync } from 'node:fs';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

const umd = { format: 'umd', name: 'CanvasCompanion', exports: 'named' };

// reconnecting-websocket draws a random default delay when imported; we always pass our own delay,
// so pin that default and keep importing the library free of work (test/module-load.test.ts).
// Marking its class IIFEs pure lets bundlers drop it from pages that never call subscribe().
const pureImport = {
  name: 'pure-import',
  transform(code, id) {
    if (!id.includes('reconnecting-websocket')) return null;
    const pure = code
      .replace('1000 + Math.random() * 4000', '1000')
      .replaceAll('/** @class */ (function', '/* @__PURE__ */ (function')
      .replaceAll('/*!', '/*'); // licence banners: the notices are in LICENSE, not in every page's bundle
    if (pure === code) this.error('reconnecting-websocket changed: its import-time Math.random() was not found');
    return pure;
  },
};

export default [
  {
    input: 'src/index.ts',
    plugins: [pureImport, nodeResolve(), typescript({ tsconfig: 'tsconfig.build.json' })],
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
