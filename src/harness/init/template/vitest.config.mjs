import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // A DOM for the page, at an http URL (launch() sets the companion path on it).
    environment: 'happy-dom',
    environmentOptions: { happyDOM: { url: 'http://127.0.0.1:4173/' } },
    include: ['test/**/*.test.mjs'],
    // The tests' waits give up after 2 s (WAIT), well within this: a failing assertion shows its
    // diff, not "Test timed out".
    testTimeout: 10_000,
  },
});
