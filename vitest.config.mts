import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
// Tests run against the same trimmed copy of reconnecting-websocket that the build bundles.
import { bundledSocket } from './scripts/bundled-socket.mjs';

// The test kit's own tests and the example page's suite, once per DOM emulator, importing the
// built package as an author does (two copies of the library, sharing one page-wide state).
const kitAliases = [
  { find: /^canvas-companion\/testing$/, replacement: new URL('dist/testing.mjs', import.meta.url).pathname },
  { find: /^canvas-companion$/, replacement: new URL('dist/canvas-companion.mjs', import.meta.url).pathname },
];
const kitProject = (environment: 'happy-dom' | 'jsdom'): TestProjectInlineConfiguration => ({
  extends: true,
  resolve: { alias: kitAliases },
  test: {
    name: `testing-${environment}`,
    include: ['test/kit/*.test.ts', 'test/example-page/*.test.ts'],
    environment,
    environmentOptions: { happyDOM: { url: 'http://127.0.0.1:4173/' }, jsdom: { url: 'http://127.0.0.1:4173/' } },
    // Above the tests' 10 s condition waits.
    testTimeout: 20_000,
  },
});

/** A project of tests that run in Node against real Chromium, sockets or servers (`test/<name>/`). */
const outsideProject = (name: 'browser' | 'node' | 'harness', groupOrder: number): TestProjectInlineConfiguration => ({
  extends: true,
  test: {
    name,
    include: [`test/${name}/*.test.ts`],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    maxWorkers: 2,
    sequence: { groupOrder },
  },
});

export default defineConfig({
  plugins: [bundledSocket],
  test: {
    reporters: ['default', ['json', { outputFile: 'node_modules/.cache/vitest-report.json' }]],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/*.test.ts'],
          environment: 'happy-dom',
          environmentOptions: { happyDOM: { url: 'http://127.0.0.1:4173/plugin-io/api/demo_plugin/app/' } },
          restoreMocks: true,
          unstubGlobals: true,
        },
      },
      kitProject('happy-dom'),
      kitProject('jsdom'),
      // Real Chromium, real sockets and real servers on 127.0.0.1: after the unit tests, each in a
      // group of its own, so that no more than two such files run at once on a 2-core machine.
      outsideProject('browser', 1), // the library in real Chromium: ports, origins, frames, navigation
      outsideProject('node', 2), // the library outside a browser, and against real WebSocket servers
      outsideProject('harness', 3), // the companion harness: its server, shell, plugin folders and bin
    ],
  },
});
