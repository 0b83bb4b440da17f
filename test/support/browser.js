'use strict';
// Headless Debian chromium via playwright-core, for the browser tests (never a downloaded
// browser). `hasChromium` lets a test skip cleanly on machines without it.
const fs = require('node:fs');

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);

async function launchBrowser() {
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

module.exports = { CHROMIUM, hasChromium, launchBrowser };
