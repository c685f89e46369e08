// drive.js runs Paragon's browser SDK in headless Chromium for the Go test
// in the folder above. It opens PAGE_URL, then reads one JSON command a line
// on stdin and answers one JSON line on stdout:
//   {"code": "<async function body>"} -> {"ok": true, "value": ...} or {"ok": false, "error": "..."}
//   {"fresh": true}                   -> a new browser context (empty localStorage), page reloaded
// The code runs in the page, where window.paragon is the SDK singleton.
'use strict';
const readline = require('node:readline');
const puppeteer = require('puppeteer-core');

async function openPage(browser, url) {
  const ctx = await browser.createBrowserContext();
  const page = await ctx.newPage();
  page.on('console', (m) => process.stderr.write(`page console: ${m.text()}\n`));
  page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction('window.paragon !== undefined', { timeout: 10000 });
  return { ctx, page };
}

async function main() {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROME_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
  let cur = await openPage(browser, process.env.PAGE_URL);
  process.stdout.write(JSON.stringify({ ok: true, value: 'ready' }) + '\n');
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (!line.trim()) continue;
    const cmd = JSON.parse(line);
    let out;
    try {
      if (cmd.fresh) {
        await cur.ctx.close();
        cur = await openPage(browser, process.env.PAGE_URL);
        out = { ok: true, value: 'fresh' };
      } else {
        const value = await cur.page.evaluate(async (code) => {
          const fn = new Function('return (async () => {\n' + code + '\n})()');
          const v = await fn();
          return v === undefined ? null : JSON.parse(JSON.stringify(v));
        }, cmd.code);
        out = { ok: true, value };
      }
    } catch (e) {
      out = { ok: false, error: String((e && e.message) || e) };
    }
    process.stdout.write(JSON.stringify(out) + '\n');
  }
  await browser.close();
}

main().catch((e) => {
  process.stderr.write(`drive.js: ${(e && e.stack) || e}\n`);
  process.exit(1);
});
