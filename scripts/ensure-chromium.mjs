// Makes sure a Chromium is there for the browser tests. CHROMIUM_PATH names one (it must exist);
// otherwise Debian's /usr/bin/chromium is used, and installed when run as root on a machine that
// has apt-get. Otherwise it says what to run.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromiumPath, DEFAULT_CHROMIUM } from './chromium.mjs';

const chromium = chromiumPath();
if (!existsSync(chromium)) {
  if (chromium !== DEFAULT_CHROMIUM) {
    console.error(`CHROMIUM_PATH=${chromium} does not exist. Point it at a Chromium executable, or unset it to use ${DEFAULT_CHROMIUM}.`);
    process.exit(1);
  }
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.log(`${chromium} is missing: installing Debian's chromium (about a minute)…`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
  } else {
    console.error(`${chromium} is missing. The browser tests need it: sudo apt-get install -y chromium, or set CHROMIUM_PATH to another Chromium.`);
    process.exit(1);
  }
}
