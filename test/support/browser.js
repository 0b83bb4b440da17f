'use strict';
// Headless Debian chromium via playwright-core, for the browser tests (never a downloaded
// browser). On a machine without it the browser tests skip, saying so with the one command that
// enables them; `browserSkip(title)` gives a test its skip reason and tells scripts/test.js
// (which lists the skipped ones once more after node --test's summary).
// CHROMIUM_PATH points at another chromium (or, set to a missing file, fakes its absence).
const fs = require('node:fs');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);
const ENABLE_COMMAND = 'apt-get update && apt-get install -y chromium';
const SKIP_REASON = `${CHROMIUM} is not installed; to run the browser tests: ${ENABLE_COMMAND}`;

/** The `skip` option of a browser test: false with chromium; without, the reason (recorded). */
function browserSkip(title) {
  if (hasChromium) return false;
  // scripts/test.js names a file to collect the skipped titles in, for its final notice
  const log = process.env.ENGINE_IO_TS_SKIP_LOG;
  if (log) fs.appendFileSync(log, `${title}\n`);
  return SKIP_REASON;
}

async function launchBrowser() {
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

module.exports = { CHROMIUM, hasChromium, ENABLE_COMMAND, SKIP_REASON, browserSkip, launchBrowser };
