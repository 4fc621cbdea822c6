/**
 * The plugin author's path, from the packed tarball: `npm pack` this package, install it in a
 * temporary folder that holds only a plugin folder and a mock file, and run
 * `npx canvas-companion harness --plugin-dir . --mock harness.mock.mjs` there (plus a second
 * plugin folder with its own harness.mock.mjs). Then, in Chromium at 390×844: register a patient
 * and land on their page; an app closes; a broadcast arrives live; expiring the session drops
 * the plugin's socket. Needs dist/ built (npm test builds first).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium, launchChromium, openShellApp, ROOT } from '../support/browser.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'register_patient');
const MESSAGES = join(ROOT, 'test', 'fixtures', 'patient_messages');
const MARIA = '3e1f7a528c4d4b6ea1f02d9c8b7a6e51';
const SHOTS = join(ROOT, 'test-results', 'harness');
const poll = { timeout: 10_000, interval: 100 };

/** The environment for a nested npm: none of the npm_* settings of an `npm test` that runs us. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
}

describe.runIf(haveChromium())('the packed tarball, installed in a plugin repository', () => {
  const work = mkdtempSync(join(tmpdir(), 'harness-pack-'));
  const app = join(work, 'my-plugin-repo');
  let tarball: string;
  let harness: ChildProcess | undefined;
  let browser: Browser | undefined;
  let out = '';

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'canvas-companion.mjs'))) throw new Error('dist/ is not built: run npm run build first (npm test does)');
    // dist/ is current here; --ignore-scripts keeps `prepare` from building it again.
    execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'ignore', 'inherit'] });
    tarball = join(work, readdirSync(work).find((name) => name.endsWith('.tgz'))!);
    // An author's repository: their plugin folder and one mock file, nothing of ours.
    mkdirSync(app);
    cpSync(FIXTURE, join(app, 'register_patient'), { recursive: true, filter: (source) => !source.endsWith('harness.mock.mjs') });
    cpSync(join(FIXTURE, 'harness.mock.mjs'), join(app, 'harness.mock.mjs'));
    // A second plugin, next to the repository, with the mock in its own folder.
    cpSync(MESSAGES, join(work, 'patient_messages'), { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'my-plugin-repo', private: true }));
    // ws comes from the local npm cache when it has it (CI's npm ci put it there), else from the registry.
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: app, env: cleanEnv(), stdio: ['ignore', 'ignore', 'inherit'] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    if (harness?.pid && harness.exitCode === null && harness.signalCode === null) {
      try {
        process.kill(-harness.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    rmSync(work, { recursive: true, force: true });
  });

  it('ships the bin, the harness and the built files, with ws as its one dependency, and no sources or tests', () => {
    const installed = join(app, 'node_modules', 'canvas-companion');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(manifest.bin).toEqual({ 'canvas-companion': 'bin/canvas-companion.mjs' });
    expect(Object.keys(manifest.dependencies)).toEqual(['ws']);
    const shipped = [
      'bin/canvas-companion.mjs', 'dist/harness/harness.mjs', 'dist/harness/shell/index.html', 'dist/harness/shell/shell.css', 'dist/harness/shell/shell.js',
      'demo/plugin/CANVAS_MANIFEST.json', 'demo/plugin/harness.mock.mjs', 'dist/canvas-companion.umd.min.js',
      // The reader of a plugin's Python, run with python3 beside the harness.
      'dist/harness/python/plugin_routes.py',
    ];
    for (const path of shipped) {
      expect(existsSync(join(installed, path)), path).toBe(true);
    }
    for (const path of ['src', 'test', 'bench', 'scripts', 'rollup.config.mjs', 'demo/harness.mjs', 'demo/lib', 'demo/shell']) expect(existsSync(join(installed, path)), path).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'ws', 'package.json'))).toBe(true);
    // The browser files never load the harness's Node dependency.
    for (const file of readdirSync(join(installed, 'dist')).filter((name) => /\.(m?js)$/.test(name))) {
      expect(readFileSync(join(installed, 'dist', file), 'utf8'), file).not.toMatch(/(?:from\s*|require\()\s*["']ws["']/);
    }
  });

  it('runs `npx canvas-companion harness --plugin-dir . --mock harness.mock.mjs`: register lands on the new patient; an app closes; a broadcast arrives live; expiry drops the socket', async () => {
    harness = spawn('npx', ['--no-install', 'canvas-companion', 'harness', '--plugin-dir', '.', '--mock', 'harness.mock.mjs', '--plugin-dir', '../patient_messages', '--port', '0', '--effect-delay', '300'], { cwd: app, env: cleanEnv(), detached: true });
    harness.stdout!.on('data', (chunk) => (out += chunk));
    harness.stderr!.on('data', (chunk) => (out += chunk));
    await expect.poll(() => out, poll).toMatch(/open http:\/\/127\.0\.0\.1:\d+\/companion\//);
    // Installed from npm there is no src/, so nothing was built.
    expect(out).not.toMatch(/building/);
    expect(out).toMatch(/register_patient\s+register_patient, 1 app/);
    const url = /open (\S+)/.exec(out)![1]!;

    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    await page.locator('[data-open="register_patient:global:register-patient"]').click();
    const frame = (await (await page.locator('.sheet iframe').elementHandle())!.contentFrame())!;
    await frame.locator('input[name="first_name"]').fill('Katherine');
    await frame.locator('input[name="last_name"]').fill('Johnson');
    await frame.locator('input[name="birth_date"]').fill('1918-08-26');
    await frame.locator('#submit').click();
    await page.waitForURL(/\/companion\/patient\/[\da-f]{32}\/$/, { timeout: 10_000 });
    await expect.poll(() => page.locator('[data-testid="patient-name"]').textContent(), poll).toBe('Katherine Johnson');
    await page.screenshot({ path: join(SHOTS, 'pack-register-landed.png') });

    // It closes: the page's own CLOSE_MODAL.
    await page.goto(url);
    const inbox = await openShellApp(page, 'patient_messages:global:messages');
    await expect.poll(() => inbox.locator('#live').getAttribute('data-status'), poll).toBe('live');
    await inbox.locator('#close').click();
    await expect.poll(() => page.locator('.sheet').count(), poll).toBe(0);

    // A broadcast arrives live: sent in a patient thread, shown in the inbox of another page.
    const other = await context.newPage();
    other.on('pageerror', (error) => errors.push(error.message));
    await other.goto(url);
    const liveInbox = await openShellApp(other, 'patient_messages:global:messages');
    await page.goto(`${url}patient/${MARIA}/`);
    const thread = await openShellApp(page, 'patient_messages:patient:messages');
    await expect.poll(() => thread.locator('#live').getAttribute('data-status'), poll).toBe('live');
    await expect.poll(() => liveInbox.locator('#live').getAttribute('data-status'), poll).toBe('live');
    const words = `Packed and live ${process.pid}`;
    await thread.locator('#text').fill(words);
    await thread.locator('#send button').click();
    await expect.poll(() => liveInbox.locator('li', { hasText: words }).count(), poll).toBe(1);
    await other.screenshot({ path: join(SHOTS, 'pack-broadcast-inbox.png') });

    // Expiring the session drops the plugin's socket as Canvas does (1006).
    const closed = thread.evaluate<number>('new Promise((resolve) => socket.addEventListener("close", (event) => resolve(event.code), { once: true }))');
    await page.locator('[data-action="menu"]').click();
    await page.locator('[data-action="expire"]').click();
    expect(await closed).toBe(1006);
    await expect.poll(() => thread.locator('#live').getAttribute('data-status'), poll).toBe('offline');
    await page.screenshot({ path: join(SHOTS, 'pack-session-expired.png') });
    expect(errors).toEqual([]);

    // As Ctrl-C in a terminal does: the signal goes to the whole process group, npx and the harness under it.
    const exited = new Promise((resolve) => harness!.on('exit', (code, signal) => resolve(code ?? signal)));
    process.kill(-harness.pid!, 'SIGTERM');
    expect([0, 'SIGTERM']).toContain(await exited);
    await expect.poll(() => fetch(url).then(() => 'answering', () => 'closed'), poll).toBe('closed');
    // About 15 s on a quiet machine (npx starts, Chromium drives four flows): room for a busy one.
  }, 90_000);
});
