/**
 * The demo plugin's vitals page uses autoResize(): in the companion harness (started as its bin
 * is, at phone size in real Chromium), the sheet grows with the page, so the form's buttons stay
 * on it after an error message pushed them down.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveChromium, launchChromium, openShellApp, openShellPage, ROOT } from '../support/browser.js';

/** Maria Gonzalez's patient key: 32 lower-case hex digits, no dashes. */
const MARIA = '3e1f7a528c4d4b6ea1f02d9c8b7a6e51';
const NOTE = '0c0ffee0-0000-4000-8000-000000000001';
const VITALS = 'demo_plugin:note:vitals';
const LIBRARY = '/plugin-io/api/demo_plugin/static/canvas-companion.mjs';
const WAIT = { timeout: 10_000 };

/** The element's box in the page's viewport, wherever it is (the sheet, or an element in its frame). */
async function box(where: Page | Frame, selector: string) {
  const found = await where.locator(selector).first().boundingBox();
  if (!found) throw new Error(`${selector} is not shown`);
  return found;
}

describe.runIf(haveChromium())('the demo vitals page in the harness', () => {
  let harness: ChildProcess;
  let url: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    harness = spawn(process.execPath, [join(ROOT, 'bin', 'canvas-companion.mjs'), 'harness', '--no-build'], { env: { ...process.env, PORT: '0' } });
    // The bin prints the shell's URL once it listens.
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      harness.stdout!.on('data', (chunk) => {
        out += chunk;
        const printed = /open (http:\/\/127\.0\.0\.1:\d+\/companion\/)/.exec(out);
        if (printed) resolve(printed[1]!);
      });
      harness.once('exit', (code) => reject(new Error(`the harness exited (${code}) before printing its URL: ${out}`)));
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    if (harness && harness.exitCode === null) {
      const exited = new Promise((resolve) => harness.once('exit', resolve));
      harness.kill('SIGTERM');
      await exited;
    }
  });

  it('after the "Check the values" error, Cancel and Add are still on the sheet', async () => {
    const { page, errors } = await openShellPage(browser, `${url}patient/${MARIA}/?note=${NOTE}`, contexts);
    const frame = await openShellApp(page, VITALS);
    await expect.poll(() => frame.evaluate<boolean>(`import('${LIBRARY}').then((lib) => lib.isHostConnected())`).catch(() => false), WAIT).toBe(true);
    await frame.locator('#pulse').fill('999');
    await frame.locator('#submit').click();
    await expect.poll(() => frame.locator('#alert').textContent(), WAIT).toContain('Check the values');
    // The sheet follows the page's new height: both buttons end above its bottom edge.
    await expect
      .poll(async () => {
        const sheet = await box(page, '.sheet');
        const bottoms = await Promise.all(['#cancel', '#submit'].map(async (selector) => {
          const button = await box(frame, selector);
          return button.y + button.height;
        }));
        return bottoms.every((bottom) => bottom <= sheet.y + sheet.height);
      }, WAIT)
      .toBe(true);
    expect(errors).toEqual([]);
  });
});
