import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', ['json', { outputFile: 'node_modules/.cache/vitest-report.json' }]],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/*.test.ts'],
          environment: 'happy-dom',
          environmentOptions: { happyDOM: { url: 'http://127.0.0.1:4173/plugin-io/api/demo_plugin/app/' } },
          restoreMocks: true,
          unstubGlobals: true,
        },
      },
      {
        // Real Chromium (and real sockets) against servers on 127.0.0.1.
        test: {
          name: 'browser',
          include: ['test/e2e/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 30_000,
          maxWorkers: 2,
        },
      },
    ],
  },
});
