// Browser tests (test/browser/**) in headless system Chromium, against a real im-server on a random port.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { defaultReporter } from '@web/test-runner';

const APP_KEY = 'test-key';
const APP_SECRET = 'test-secret';

/** Prints the plain `N passed, N failed, N skipped` line that scripts/test.mjs parses. */
function countReporter() {
  let passed = 0, failed = 0, skipped = 0;
  const walk = (suite) => { if (!suite) return; for (const t of suite.tests) t.skipped ? skipped++ : t.passed ? passed++ : failed++; for (const s of suite.suites) walk(s); };
  return {
    onTestRunFinished({ sessions }) { for (const s of sessions) { walk(s.testResults); if (!s.passed && !s.testResults?.tests.length && !s.testResults?.suites.length) failed++; } },
    stop() { process.once('exit', () => process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`)); },
  };
}

/** Runs dist/im-server.js for the whole test run; tests fetch its address from /__im-test-env.json. */
export function imServerPlugin({ script = fileURLToPath(new URL('./dist/im-server.js', import.meta.url)) } = {}) {
  let child, dataDir, testEnv, stopping = false, stderr = '';
  const cleanup = () => { child?.kill('SIGKILL'); if (dataDir) rmSync(dataDir, { recursive: true, force: true }); };
  return {
    name: 'im-test-server',
    async serverStart() {
      dataDir = await mkdtemp(join(tmpdir(), 'im-widget-test-'));
      process.once('exit', cleanup); // in case serverStop never runs
      child = spawn(process.execPath, [script, '--port', '0', '--data', dataDir,
        '--app-key', APP_KEY, '--app-secret', APP_SECRET, '--rate-limit', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stderr.setEncoding('utf8').on('data', (d) => { stderr = (stderr + d).slice(-20000); });
      const origin = await new Promise((resolve, reject) => {
        let buf = '';
        const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`im-server did not report listening within 15s:\n${stderr}`)); }, 15000);
        child.stdout.setEncoding('utf8').on('data', (d) => {
          buf += d;
          const m = /^im-server listening on (http:\/\/\S+)\s*$/m.exec(buf);
          if (m) { clearTimeout(timer); buf = ''; resolve(m[1]); }
        });
        child.once('error', (err) => { clearTimeout(timer); reject(err); });
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`im-server exited (${signal ?? `code ${code}`}) before listening:\n${stderr}`));
        });
      });
      child.stdout.resume(); // keep draining server output so it never blocks on a full pipe
      child.on('exit', (code, signal) => {
        if (!stopping) console.error(`im-server exited unexpectedly (${signal ?? `code ${code}`}):\n${stderr}`);
      });
      const url = new URL(origin); // a wildcard bind address is not connectable from the browser
      if (url.hostname === '0.0.0.0') url.hostname = '127.0.0.1';
      if (url.hostname === '[::]') url.hostname = '[::1]';
      const http = url.origin;
      testEnv = { http, ws: `${http.replace(/^http/, 'ws')}/im`, appKey: APP_KEY, appSecret: APP_SECRET };
    },
    async serverStop() {
      stopping = true;
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
      process.off('exit', cleanup);
    },
    async serve(context) {
      if (context.path === '/__im-test-env.json') return { body: JSON.stringify(testEnv), type: 'json' };
      // Tokens are minted here, through the signed app-server API, as a site's own server would:
      // the app secret never reaches the page.
      const signedApi = async (path, body) => {
        // The signing code shipped beside the server script (imported here, not at the top: this
        // config is read before anything is built).
        const { signApiRequest } = await import(pathToFileURL(join(dirname(script), 'im-server-api.js')).href);
        const text = JSON.stringify(body);
        const response = await fetch(`${testEnv.http}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...signApiRequest({ appKey: APP_KEY, appSecret: APP_SECRET, method: 'POST', path, body: text }) },
          body: text,
        });
        return { body: await response.text(), type: 'json' };
      };
      if (context.path === '/__im-token') {
        return signedApi('/api/user/token', { userId: context.URL.searchParams.get('userId') ?? '' });
      }
      if (context.path === '/__im-group') {
        const params = context.URL.searchParams;
        const groupId = params.get('groupId') ?? '';
        return signedApi('/api/group/create', { groupId, groupName: groupId, userIds: (params.get('userIds') ?? '').split(','), notify: false });
      }
    },
  };
}

/**
 * `executeServerCommand('touch', { type: 'start' | 'move' | 'end', x, y })`: a touch as the browser
 * gets one from a screen (trusted, through the DevTools protocol), so that what a browser does of
 * it by itself (the tap after a held touch, a popover's light dismiss) is part of the test.
 */
export function touchCommandPlugin() {
  const sessions = new WeakMap();
  const types = { start: 'touchStart', move: 'touchMove', end: 'touchEnd' };
  return {
    name: 'touch-command',
    async executeCommand({ command, payload, session }) {
      if (command !== 'touch') return undefined;
      if (session.browser.type !== 'playwright') throw new Error('the touch command needs the Playwright launcher');
      const page = session.browser.getPage(session.id);
      // One protocol session per page: it holds the touch points between start and end.
      let cdp = sessions.get(page);
      if (!cdp) sessions.set(page, cdp = await page.context().newCDPSession(page));
      await cdp.send('Input.dispatchTouchEvent', {
        type: types[payload.type],
        touchPoints: payload.type === 'end' ? [] : [{ x: payload.x, y: payload.y }],
      });
      return true;
    },
  };
}

/**
 * `executeServerCommand('route', { file, mode })`: what the network does with requests for a file
 * name (any folder) of this test's page and its frames: 'pass' (the default), 'fail' (a network
 * error, as offline) or 'hold' (answered once the mode changes). Real requests of the real
 * browser, through Playwright's routing: for the lazy chunks' loading, failure and retry.
 */
export function routeCommandPlugin() {
  const pages = new WeakMap();
  return {
    name: 'route-command',
    async executeCommand({ command, payload, session }) {
      if (command !== 'route') return undefined;
      if (session.browser.type !== 'playwright') throw new Error('the route command needs the Playwright launcher');
      const page = session.browser.getPage(session.id);
      let rules = pages.get(page);
      if (!rules) pages.set(page, (rules = new Map()));
      let rule = rules.get(payload.file);
      if (!rule) {
        rules.set(payload.file, (rule = { mode: 'pass', held: [] }));
        const current = rule;
        await page.route((url) => url.pathname.endsWith(`/${payload.file}`), async (route) => {
          if (current.mode === 'hold') await new Promise((resolve) => current.held.push(resolve));
          if (current.mode === 'fail') await route.abort('internetdisconnected');
          else await route.fallback();
        });
      }
      rule.mode = payload.mode;
      if (rule.mode !== 'hold') for (const release of rule.held.splice(0)) release();
      return true;
    },
  };
}

export default {
  files: 'test/browser/**/*.test.ts',
  nodeResolve: true,
  concurrency: 1,
  staticLogging: !!process.env.CI,
  testFramework: { config: { timeout: 20000 } },
  plugins: [
    imServerPlugin(),
    touchCommandPlugin(),
    routeCommandPlugin(),
    esbuildPlugin({ ts: true, tsconfig: 'tsconfig.json', target: 'es2022' }),
  ],
  filterBrowserLogs: ({ args }) => !String(args[0]).includes('Lit is in dev mode'),
  reporters: [defaultReporter(), countReporter()],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: {
        executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
        headless: true,
        args: ['--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
          // A synthetic microphone, granted without a prompt: voice recording is tested for real.
          '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
      },
    }),
  ],
};
