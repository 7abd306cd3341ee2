// Opens every story (and every docs page) of the static build in headless Chromium and fails on
// one that does not render, throws, logs a console error or warning, or requests a missing file.
//
//   npm run build-storybook && node .storybook/smoke-test.mjs [--dir storybook-static] [--screenshots DIR]
//     [--only SUBSTRING] [--no-docs]
//
// One page shows every entry in turn, switched the way the Storybook UI switches them (the
// preview's onSetCurrentStory, then its storyRendered / docsRendered event), so each one takes a
// fraction of a second and the previous story's elements are disconnected on the way; after a
// failure the page is loaded afresh.
//
// Serves the build with node:http on 127.0.0.1 (no other host is contacted: Chromium runs with
// the flags that stop its own background traffic). The last line is `N passed, N failed`.
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromium } from 'playwright';

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const root = resolve(option('--dir', 'storybook-static'));
const shots = option('--screenshots');
const only = option('--only');
const withDocs = !argv.includes('--no-docs');
if (shots) mkdirSync(shots, { recursive: true });

const types = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.ico': 'image/x-icon', '.map': 'application/json',
};
const server = createServer((request, response) => {
  const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
  if (path === '/favicon.ico') return void response.writeHead(204).end(); // the browser asks; the build has none
  let file = normalize(join(root, path));
  if (!file.startsWith(root + sep) && file !== root) return void response.writeHead(403).end();
  try {
    if (statSync(file).isDirectory()) file = join(file, 'index.html');
    const body = readFileSync(file);
    response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch {
    response.writeHead(404).end();
  }
});
await new Promise((done) => server.listen(0, '127.0.0.1', done));
const base = `http://127.0.0.1:${server.address().port}`;

const index = JSON.parse(readFileSync(join(root, 'index.json'), 'utf8'));
const stories = Object.values(index.entries)
  .filter((entry) => (entry.type === 'story' || (withDocs && entry.type === 'docs')) && (!only || entry.id.includes(only)));

const browser = await chromium.launch({
  executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
  args: ['--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});
const context = await browser.newContext({ viewport: { width: 1000, height: 720 }, deviceScaleFactor: 1 });
// Lit's dev-mode notice is not a problem (Storybook serves Lit's development build).
const ignored = (text) => text.includes('Lit is in dev mode');

let passed = 0;
let failed = 0;
let page;
let problems = [];

/** A fresh page on `entry`, with the listeners that collect problems. */
async function load(entry) {
  await page?.close();
  page = await context.newPage();
  page.on('console', (message) => {
    if ((message.type() === 'error' || message.type() === 'warning') && !ignored(message.text())) {
      problems.push(`console.${message.type()}: ${message.text()}${message.location()?.url ? ` (${message.location().url})` : ''}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  await page.goto(`${base}/iframe.html?id=${entry.id}&viewMode=${entry.type === 'docs' ? 'docs' : 'story'}`);
  await page.waitForFunction(() => document.body.classList.contains('sb-show-main') || document.body.classList.contains('sb-show-errordisplay'));
}

/** Switches the loaded page to `entry`; resolves with an error message, if rendering failed. */
function show(entry) {
  return page.evaluate(({ storyId, viewMode }) => new Promise((resolve) => {
    const channel = window.__STORYBOOK_ADDONS_CHANNEL__;
    const events = { storyRendered: '', docsRendered: '', storyErrored: 'story errored', storyThrewException: 'story threw', storyMissing: 'story missing' };
    const handlers = Object.entries(events).map(([name, error]) => [name, (detail) => {
      for (const [other, handler] of handlers) channel.off(other, handler);
      resolve(error && `${error}: ${detail?.message ?? detail?.title ?? JSON.stringify(detail)}`);
    }]);
    for (const [name, handler] of handlers) channel.on(name, handler);
    window.__STORYBOOK_PREVIEW__.onSetCurrentStory({ storyId, viewMode });
  }), { storyId: entry.id, viewMode: entry.type === 'docs' ? 'docs' : 'story' });
}

/** Shows one entry and lets it settle; resolves with the problems seen. */
async function check(entry, first) {
  problems = [];
  const docs = entry.type === 'docs';
  try {
    if (first) await load(entry);
    else {
      const error = await show(entry);
      if (error) problems.push(error);
    }
    if (await page.evaluate(() => document.body.classList.contains('sb-show-errordisplay'))) {
      problems.push(`story error: ${(await page.textContent('#error-message').catch(() => '')) ?? ''}`.trim());
    }
    if (problems.length > 0) return problems;
    const root = docs ? '#storybook-docs' : '#storybook-root';
    await page.waitForFunction((selector) => document.querySelector(selector), `${root} [class="im-story-frame"] > *`, { timeout: 10_000 });
    // Let every element render, measure and settle (the message list takes a few frames).
    await page.evaluate(async () => {
      const frame = () => new Promise((done) => requestAnimationFrame(() => done(undefined)));
      const all = (node) => [...node.querySelectorAll('*')].flatMap((element) => [element, ...(element.shadowRoot ? all(element.shadowRoot) : [])]);
      for (let i = 0; i < 4; i++) {
        await Promise.all(all(document).filter((element) => 'updateComplete' in element).map((element) => element.updateComplete));
        await frame();
      }
    });
    const rendered = await page.evaluate((selector) => {
      const elements = [...document.querySelectorAll(selector)];
      return elements.length > 0 && elements.every((element) => element.shadowRoot && element.shadowRoot.childElementCount > 0);
    }, `${root} [class="im-story-frame"] > *`);
    if (!rendered) problems.push('an im-* element of the story did not render');
    if (shots && !docs) await page.locator('#storybook-root').screenshot({ path: join(shots, `${entry.id}.png`) });
  } catch (error) {
    problems.push(`error: ${error.message.split('\n')[0]}`);
  }
  return problems;
}

let fresh = true;
for (const entry of stories) {
  const started = Date.now();
  const seen = await check(entry, fresh);
  const ms = Date.now() - started;
  fresh = seen.length > 0; // a failure may leave the preview in any state: start the next one afresh
  if (seen.length === 0) {
    passed++;
    console.log(`ok   ${entry.id} (${ms} ms)`);
  } else {
    failed++;
    console.log(`FAIL ${entry.id} (${ms} ms)\n${seen.map((problem) => `     ${problem}`).join('\n')}`);
  }
}
await browser.close();
server.close();
if (stories.length === 0) {
  failed++;
  console.log(`no stories in ${join(root, 'index.json')}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
