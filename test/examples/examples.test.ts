import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, extname, join, relative, resolve, sep } from 'node:path';
import type { Browser, Locator, Page } from 'playwright';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import type { IMClient } from '../../src/core/client/client.js';
import { connectClient, startTestServer, tokenFor, type TestServer } from '../helpers/server.js';
import { launchChromium } from '../e2e/pages.js';

// examples/* as a developer uses them: the committed files copied to a fresh directory beside a
// freshly packed im-widget.tgz (the path their package.json names), `npm ci` from the registry
// (or npm's cache), `npm run build` (type-check and production build), then the built app in
// Chromium against a real server.
const root = resolve(new URL('../..', import.meta.url).pathname);

const examples = [
  { name: 'react', out: 'dist' },
  { name: 'vue', out: 'dist' },
  { name: 'angular', out: 'dist/im-widget-example-angular/browser' },
];
/** What a developer's copy may hold that is not part of the example. */
const notCopied = new Set(['node_modules', 'dist', '.angular', '.vite']);

// The child npm must not take the root's `npm test` settings for its own (its prefix, package).
const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) =>
  !/^npm_(package_|lifecycle_|command$|execpath$|node_execpath$|config_(local_|global_)?prefix$)|^INIT_CWD$/.test(key)));
Object.assign(env, { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1', NG_CLI_ANALYTICS: 'false', NO_COLOR: '1', FORCE_COLOR: '0' });

/** Runs a command; rejects with the end of its output when it fails. */
function run(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolvePromise(output);
      else reject(new Error(`${command} ${args.join(' ')} in ${cwd} ended with ${signal ?? code}:\n${output.slice(-6000)}`));
    });
  });
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.ico': 'image/x-icon', '.map': 'application/json',
};

/** Serves a directory as a static site (index.html for paths that are not files). */
function serveStatic(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://site').pathname);
    let file = resolve(dir, `.${path}`);
    if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) file = join(dir, 'index.html');
    response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    response.end(readFileSync(file));
  });
  return new Promise((resolvePromise) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    resolvePromise({
      url: `http://127.0.0.1:${port}`,
      close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }),
    });
  }));
}

describe('framework examples (examples/*): installed from the packed tarball, built, used in Chromium', () => {
  let work: string;
  let tarball: string;
  let server: TestServer;
  let browser: Browser;
  const clients: IMClient[] = [];

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'im-examples-'));
    // The examples' package.json names file:../../.tmp/pack/im-widget.tgz.
    await run(process.execPath, [join(root, 'scripts/pack.mjs'), '--out', join(work, '.tmp/pack')], root);
    tarball = join(work, '.tmp/pack/im-widget.tgz');
    assert.ok(existsSync(tarball), 'pack.mjs wrote im-widget.tgz');
    server = await startTestServer();
    browser = await launchChromium();
  }, { timeout: 300_000 });

  after(async () => {
    for (const client of clients) await client.disconnect();
    await browser?.close();
    await server?.dispose();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  for (const example of examples) {
    describe(`examples/${example.name}`, () => {
      let dir: string;

      it('npm ci installs the packed im-widget (and nothing of the server), and npm run build type-checks and builds', { timeout: 900_000 }, async () => {
        dir = join(work, 'examples', example.name);
        mkdirSync(dir, { recursive: true });
        cpSync(join(root, 'examples', example.name), dir, { recursive: true, filter: (source) => !notCopied.has(basename(source)) });

        const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
        const { 'im-widget': widget, ...others } = { ...manifest.dependencies, ...manifest.devDependencies } as Record<string, string>;
        assert.equal(widget, 'file:../../.tmp/pack/im-widget.tgz', 'package.json installs im-widget from the packed tarball');
        assert.deepEqual(Object.entries(others).filter(([, version]) => !/^\d+\.\d+\.\d+$/.test(version)), [], 'every other version is pinned');

        // The tarball changes with every build: with an integrity in the lockfile, npm ci would take
        // the tarball it cached under that integrity instead of the file.
        const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
        const locked = lock.packages['node_modules/im-widget'];
        assert.equal(locked?.resolved, 'file:../../.tmp/pack/im-widget.tgz', 'the lockfile installs im-widget from the packed tarball');
        assert.equal(locked.integrity, undefined, 'the lockfile records no integrity for im-widget (remove it after npm install)');

        await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], dir);
        assert.ok(readFileSync(join(dir, 'node_modules/im-widget/dist/im-widget.js')).equals(readFileSync(join(root, 'dist/im-widget.js'))),
          'the installed im-widget is the one just packed');
        for (const name of ['better-sqlite3', 'ws']) {
          assert.equal(existsSync(join(dir, 'node_modules', name)), false, `node_modules/${name} is not installed`);
        }

        await run('npm', ['run', 'build'], dir);
        assert.ok(existsSync(join(dir, example.out, 'index.html')), `${example.out}/index.html is built`);
      });

      it('shows Alice and Bob chatting; im-* events reach the app, a property set after connecting takes effect', { timeout: 180_000 }, async () => {
        assert.ok(dir && existsSync(join(dir, example.out, 'index.html')), 'the example was built');
        const site = await serveStatic(join(dir, example.out));
        const context = await browser.newContext();
        context.setDefaultTimeout(20_000);
        const seen: string[] = [];
        let page!: Page;
        const step = (what: string, body: () => Promise<void>) => explain(page, example.name, seen, what, body);
        try {
          const alice = `${example.name}-alice`;
          const bob = `${example.name}-bob`;
          const [aliceToken, bobToken] = await Promise.all([tokenFor(server, alice), tokenFor(server, bob)]);
          page = await context.newPage();
          page.on('console', (message) => { if (message.type() === 'error' || message.type() === 'warning') seen.push(`console.${message.type()}: ${message.text()}`); });
          page.on('pageerror', (error) => seen.push(`page error: ${error.message}`));
          const query = new URLSearchParams({ server: server.wsUrl, alice: aliceToken, bob: bobToken });
          await page.goto(`${site.url}/?${query}`);
          await step('the elements are defined and both lists show', async () => {
            await page.waitForFunction(() => customElements.get('im-chat') !== undefined);
            await pane(page, 'Alice').locator('im-conversation-list').waitFor({ state: 'visible' });
            await pane(page, 'Bob').locator('im-conversation-list').waitFor({ state: 'visible' });
          });
          await step('the app shows both connected (im-status-change)', async () => {
            await pane(page, 'Alice').getByText('Connection: connected', { exact: true }).waitFor();
            await pane(page, 'Bob').getByText('Connection: connected', { exact: true }).waitFor();
          });

          // Bob writes first from another device of his (a Node client): Alice's list shows him.
          const bobElsewhere = await connectClient(server, bob);
          clients.push(bobElsewhere);
          await bobElsewhere.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: alice }, new TextMessage({ content: `Hello from ${bob}` }));
          await step('Alice opens the conversation with Bob; the app shows what was selected (im-conversation-select)', async () => {
            await pane(page, 'Alice').locator('im-conversation-list').getByText(bob, { exact: true }).click();
            await pane(page, 'Alice').getByText(`Selected: ${bob}`, { exact: true }).waitFor();
            // Exact: the list's live region says it too, with the sender's name, for screen readers.
            await pane(page, 'Alice').locator('im-message-list').getByText(`Hello from ${bob}`, { exact: true }).waitFor();
          });
          const text = `Hi ${bob}, from ${example.name}`;
          await step('Alice writes and presses Enter; Bob opens the conversation and sees it', async () => {
            const composer = pane(page, 'Alice').locator('im-composer textarea');
            await composer.fill(text);
            await composer.press('Enter');
            await pane(page, 'Bob').locator('im-conversation-list').getByText(alice, { exact: true }).click();
            await pane(page, 'Bob').getByText(`Selected: ${alice}`, { exact: true }).waitFor();
            await pane(page, 'Bob').locator('im-message-list').getByText(text, { exact: true }).waitFor();
          });
          await step('"Use nicknames" sets userInfoProvider on the connected chats: the names change', async () => {
            await page.getByRole('button', { name: 'Use nicknames' }).click();
            await pane(page, 'Alice').locator('im-conversation-list').getByText(`Nick ${bob}`, { exact: true }).waitFor();
            await pane(page, 'Alice').locator('im-chat-panel').getByText(`Nick ${bob}`, { exact: true }).first().waitFor();
            await pane(page, 'Bob').locator('im-conversation-list').getByText(`Nick ${alice}`, { exact: true }).waitFor();
            await pane(page, 'Bob').locator('im-chat-panel').getByText(`Nick ${alice}`, { exact: true }).first().waitFor();
          });
          assert.deepEqual(seen.filter((line) => !line.startsWith('console.warning')), [], 'no errors in the page');
        } finally {
          await context.close();
          await site.close();
        }
      });

      if (example.name === 'angular') {
        // Templates have no @ts-expect-error: the same check, by building a handler that expects another detail.
        it('strictTemplates types $event of (im-conversation-select): a handler for another detail does not compile', { timeout: 600_000 }, async () => {
          const app = join(dir, 'src/app.ts');
          const source = readFileSync(app, 'utf8');
          const handler = 'event: CustomEvent<{ conversationType: number; targetId: string }>';
          assert.ok(source.includes(handler), `src/app.ts has ${handler}`);
          writeFileSync(app, source.replace(handler, 'event: CustomEvent<{ conversationType: string; targetId: string }>'));
          try {
            const failure = await run('npx', ['ng', 'build'], dir).then(() => undefined, (error: Error) => error.message);
            assert.ok(failure, 'ng build fails');
            assert.match(failure, /TS2345[^]*'CustomEvent<\{ conversationType: number; targetId: string; \}>' is not assignable/, failure);
          } finally {
            writeFileSync(app, source);
          }
        });
      }
    });
  }
});

/** Alice's or Bob's part of the page: the app renders each as a region named after the user. */
const pane = (page: Page, label: 'Alice' | 'Bob'): Locator => page.getByRole('region', { name: label, exact: true });

/** Runs a step; when it fails, says which, with the page's errors, what it shows outside the elements and a screenshot. */
async function explain(page: Page, name: string, seen: string[], what: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const shown = await page.evaluate(() => document.body.innerText).catch(() => '(page closed)');
    const screenshot = join(root, '.tmp', `example-${name}-failure.png`);
    mkdirSync(join(root, '.tmp'), { recursive: true });
    await page.screenshot({ path: screenshot }).catch(() => undefined);
    assert.fail(`${what}: ${(error as Error).message}\npage text:\n${shown}\n${seen.join('\n') || '(no console errors)'}\nscreenshot: ${relative(root, screenshot)}`);
  }
}
