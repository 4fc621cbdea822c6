import { copyFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';
import ts from 'typescript';

const umd = { format: 'umd', name: 'CanvasCompanion', exports: 'named' };
// Only the .min file is mangled: reconnecting-websocket's `_private` members get short names and
// its debug logging (which we never switch on) goes.
const minify = { compress: { passes: 2, pure_getters: true, pure_funcs: ['this._debug'] }, mangle: { properties: { regex: /^_(?!_)/ } } };

// reconnecting-websocket is bundled from the TypeScript source its package ships, compiled for
// ES2020: its ES5 build carries tslib helpers and class shims we would pay for on every page.
// Its import-time random default delay is pinned (we always pass our own), so importing the
// library stays free of work (test/module-load.test.ts); its licence is in LICENSE.
const rwsDir = fileURLToPath(new URL('node_modules/reconnecting-websocket/', import.meta.url));
const bundledSocket = {
  name: 'reconnecting-websocket-source',
  resolveId(source, importer) {
    if (source === 'reconnecting-websocket') return `${rwsDir}reconnecting-websocket.ts`;
    if (source === './events' && importer?.startsWith(rwsDir)) return `${rwsDir}events.ts`;
  },
  transform(code, id) {
    if (!id.startsWith(rwsDir)) return null;
    const pure = code.replace('1000 + Math.random() * 4000', '1000').replace('/*!', '/*');
    if (id.endsWith('reconnecting-websocket.ts') && !pure.includes('minReconnectionDelay: 1000,')) this.error('reconnecting-websocket changed: recheck its import-time work');
    const compilerOptions = { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.ESNext, sourceMap: true };
    const { outputText, sourceMapText } = ts.transpileModule(pure, { compilerOptions, fileName: id });
    return { code: outputText, map: sourceMapText };
  },
};

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
    output: { file: 'dist/canvas-companion.d.ts', format: 'es' },
  },
];
