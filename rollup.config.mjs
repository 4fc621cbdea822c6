import { copyFileSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';
import { bundledSocket, plainSocketNotice } from './scripts/bundled-socket.mjs';

const umd = { format: 'umd', name: 'CanvasCompanion', exports: 'named' };
// Only the .min file has its `_private` members (all in the bundled socket code) renamed short.
// `ecma: 2020`: the source is ES2021 already (below), so terser may write modern syntax too.
// `inline: 1` inlines only simple functions: a single-use function with parameters turned into an
// IIFE at its call compresses worse (measured 14 B min+gzip more on the .min file).
const minify = { ecma: 2020, compress: { passes: 3, pure_getters: true, inline: 1 }, mangle: { properties: { regex: /^_(?!_)/ } } };
const copyTypes = (from, to) => ({ name: 'd.mts', writeBundle: () => copyFileSync(from, to) });
// The guard of the development-only warnings (src/dev.ts), as the source writes it. The ESM file
// keeps it for the importer's bundler to decide; each UMD file gets its answer here: `true` in
// the development file, `false` in the .min file, whose minifier then leaves out the warnings.
const DEVELOPMENT_GUARD = "typeof process === 'object' && process.env.NODE_ENV !== 'production'";
const development = (value) => ({
  name: 'development-guard',
  renderChunk(code) {
    if (!code.includes(DEVELOPMENT_GUARD)) this.error(`no "${DEVELOPMENT_GUARD}" in the bundle: recheck src/dev.ts and rollup.config.mjs`);
    return { code: code.replaceAll(DEVELOPMENT_GUARD, String(value)), map: null };
  },
});

export default [
  {
    input: 'src/index.ts',
    // ES2021 (`??=` as written) is within the browsers the README names (Chromium 98+, Safari
    // 15.4+, Firefox 94+); the test kit, for Node and test DOMs, keeps the shared target.
    plugins: [bundledSocket, typescript({ tsconfig: 'tsconfig.build.json', target: 'ES2021' })],
    output: [
      // In the ESM file the notice is a plain comment: a bundler that takes only the core from it
      // drops it with the socket code, instead of copying a `/*!` banner into every bundle.
      { file: 'dist/canvas-companion.mjs', format: 'es', plugins: [plainSocketNotice] },
      { file: 'dist/canvas-companion.umd.js', ...umd, plugins: [development(true)] },
      { file: 'dist/canvas-companion.umd.min.js', ...umd, plugins: [development(false), terser(minify)] },
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
    plugins: [dts({ respectExternal: true }), copyTypes('dist/testing.d.ts', 'dist/testing.d.mts')],
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
  // The companion harness (Node, for the `canvas-companion harness` bin): its server with the mock
  // platform bundled in, ws and Node's modules left to Node. Never part of a browser file.
  {
    input: 'src/harness/index.ts',
    external: (id) => id === 'ws' || id.startsWith('node:'),
    plugins: [
      typescript({ tsconfig: 'tsconfig.harness.json' }),
      {
        // `init`'s template (a plugin named my_plugin), copied as it is beside the harness.
        name: 'init-template',
        async generateBundle() {
          const from = 'src/harness/init/template';
          for (const path of readdirSync(from, { recursive: true })) {
            const file = `${from}/${path}`;
            if (path.includes('__pycache__') || statSync(file).isDirectory()) continue;
            this.addWatchFile(file);
            this.emitFile({ type: 'asset', fileName: `init/template/${path.split('\\').join('/')}`, source: readFileSync(file) });
          }
        },
      },
      {
        // The reader of a plugin's Python (run with python3; its ast module only), copied beside the harness.
        name: 'python-reader',
        generateBundle() {
          const file = 'src/harness/python/plugin_routes.py';
          this.addWatchFile(file);
          this.emitFile({ type: 'asset', fileName: 'python/plugin_routes.py', source: readFileSync(file) });
        },
      },
    ],
    output: { file: 'dist/harness/harness.mjs', format: 'es' },
  },
  {
    // The shell the harness serves: its script, and its page and styles copied beside it.
    input: 'src/harness/shell/shell.ts',
    plugins: [
      typescript({ tsconfig: 'tsconfig.harness.json' }),
      {
        name: 'shell-assets',
        async generateBundle() {
          for (const fileName of ['index.html', 'shell.css']) {
            const path = `src/harness/shell/${fileName}`;
            this.addWatchFile(path);
            this.emitFile({ type: 'asset', fileName, source: await this.fs.readFile(path, { encoding: 'utf8' }) });
          }
        },
      },
    ],
    output: { file: 'dist/harness/shell/shell.js', format: 'es' },
  },
];
