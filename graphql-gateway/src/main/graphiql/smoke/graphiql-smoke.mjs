// Renders the gateway's GraphiQL in headless Chromium, runs the first example tab (the viewer query) from the page,
// and prints one JSON line: { requestsOutside, pageErrors, result }. GraphiqlBrowserTest runs it; by hand:
//   node smoke/graphiql-smoke.mjs http://127.0.0.1:8080 [/usr/bin/chromium]
// Uses Debian's chromium (never `npx playwright install`: it downloads a browser).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [base = 'http://127.0.0.1:8080', executablePath = '/usr/bin/chromium'] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), 'graphiql-smoke-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  viewport: { width: 1400, height: 900 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run'],
});
const requestsOutside = [];
const pageErrors = [];
try {
  const page = await context.newPage();
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol) && !['127.0.0.1', 'localhost'].includes(url.hostname)) {
      requestsOutside.push(request.url());
    }
  });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => { if (message.type() === 'error') pageErrors.push(message.text()); });

  await page.goto(`${base}/graphiql`, { waitUntil: 'load', timeout: 60_000 });
  await page.waitForSelector('.graphiql-execute-button', { timeout: 60_000 });
  // The button appears before the Monaco editor has loaded the example query (its workers start asynchronously);
  // clicking then runs nothing. Wait for the query text, and click again if the first run produced no result.
  await page.locator('.graphiql-query-editor').getByText('viewer').first().waitFor({ timeout: 60_000 });
  const result = page.locator('.result-window');
  for (let attempt = 1; ; attempt++) {
    await page.click('.graphiql-execute-button');
    try {
      await result.getByText('"viewer"').waitFor({ timeout: 15_000 });
      break;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
  if (process.env.GRAPHIQL_SCREENSHOT) await page.screenshot({ path: process.env.GRAPHIQL_SCREENSHOT });
  console.log(JSON.stringify({ requestsOutside, pageErrors, result: await result.innerText() }));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
