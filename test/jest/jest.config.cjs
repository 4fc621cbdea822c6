// A real jest run of canvas-companion/testing, as a CommonJS author's project has it: jest's
// jsdom environment, jest's own fake timers, and the package's `require` files (dist/, so
// `npm run build` first). No transform: the suite is plain CommonJS.
/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'jsdom',
  // The page's origin: launch() needs an http(s) page, and the mock fetch serves this origin only.
  testEnvironmentOptions: { url: 'http://127.0.0.1:4173/' },
  testMatch: ['<rootDir>/*.test.cjs'],
  transform: {},
  // Generous: the real-timer tests wait on conditions, and a busy 2-core machine must not fail them.
  testTimeout: 20_000,
};
