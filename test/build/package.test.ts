import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { APP_KEY, APP_SECRET, startTestServer } from '../helpers/server.js';

// The npm packages as users get them: `npm run pack`'s tarballs (npm test builds first),
// installed into a fresh project by npm itself, then imported by their public names.
const root = new URL('../..', import.meta.url).pathname;
const repoModules = join(root, 'node_modules');
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const listing = (tarball: string) => execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n').map((line) => line.replace(/^package\//, ''));
const manifestIn = (tarball: string) => JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));

describe('the npm packages', () => {
  let dir: string;
  let tarballs: { widget: string; server: string };
  let app: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'im-pack-'));
    tarballs = JSON.parse(execFileSync(process.execPath, [join(root, 'scripts/pack.mjs'), '--out', dir], { encoding: 'utf8' }).trim().split('\n').at(-1)!);
    app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('im-widget holds the browser builds, typings and manifest, and depends on Lit alone', () => {
    const files = listing(tarballs.widget);
    for (const file of ['dist/im-widget.js', 'dist/im-widget.iife.js', 'dist/im-support.iife.js', 'dist/im-support-panel.js', 'dist/im-agent-console.js', 'dist/types/components/agent-console/index.d.ts', 'dist/im-core.js', 'dist/im-emoji.js', 'dist/im-emoji-data.js', 'dist/im-emoji.iife.js',
      'dist/im-widget-media.js', 'dist/im-widget-composer-media.js', 'dist/im-widget-send-files.js', 'dist/im-widget-long-poll.js', 'dist/im-widget-chatroom.js', 'dist/im-widget-emoji-picker.js', 'dist/im-widget-actions.js',
      'dist/custom-elements.json', 'dist/types/components/index.d.ts', 'dist/types/frameworks/react.d.ts', 'dist/types/frameworks/vue.d.ts']) {
      assert.ok(files.includes(file), `${file} in the package`);
    }
    assert.deepEqual(files.filter((file) => /im-server|demo\.html|^src\/server\//.test(file)), [], 'nothing of the server');
    const manifest = manifestIn(tarballs.widget);
    assert.deepEqual(Object.keys(manifest.dependencies).sort(), ['@lit/context', 'lit']);
    assert.match(manifest.dependencies.lit, /^\^3\./, 'Lit as a range apps can share');
    assert.equal(manifest.bin, undefined);
    assert.equal(manifest.customElements.replace(/^\.\//, ''), 'dist/custom-elements.json');
  });

  it('npm installs im-widget without any server dependency, and every export resolves by its public name', async () => {
    npm(['install', '--prefer-offline', '--no-audit', '--no-fund', tarballs.widget], app);
    const installed = (name: string) => { try { readFileSync(join(app, 'node_modules', name, 'package.json')); return true; } catch { return false; } };
    assert.ok(installed('im-widget') && installed('lit'));
    for (const name of ['ws', 'better-sqlite3', 'pg', 'ioredis', 'idb-keyval']) assert.equal(installed(name), false, `${name} is not installed`);

    // A child process, so that Node resolves from the app's node_modules, as the app would.
    const script = `
      const widget = await import('im-widget');
      const elements = await import('im-widget/elements');
      const core = await import('im-widget/core');
      const emoji = await import('im-widget/emoji');
      const data = await import('im-widget/emoji-data');
      const support = await import('im-widget/support');
      const agentConsole = await import('im-widget/agent-console');
      await import('im-widget/react');
      const manifest = (await import('im-widget/custom-elements.json', { with: { type: 'json' } })).default;
      const pkg = (await import('im-widget/package.json', { with: { type: 'json' } })).default;
      console.log(JSON.stringify({
        chat: typeof widget.ImChat, agentConsole: typeof agentConsole.ImAgentConsole, sameElements: elements.ImChat === widget.ImChat,
        oneCore: widget.IMClient === core.IMClient && widget.registerMessageType === core.registerMessageType,
        symbol: emoji.emojiToSymbol('😀'), data: Object.keys(data).length > 0, support: typeof support.ImSupport,
        tags: manifest.modules.flatMap((m) => m.exports ?? []).filter((e) => e.kind === 'custom-element-definition').map((e) => e.name).sort(),
        name: pkg.name,
      }));`;
    const result = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app, encoding: 'utf8' }));
    assert.deepEqual(result, {
      chat: 'function', agentConsole: 'function', sameElements: true, oneCore: true, symbol: '[笑嘻嘻]', data: true, support: 'function', name: 'im-widget',
      tags: ['im-agent-console', 'im-chat', 'im-chat-panel', 'im-composer', 'im-conversation-list', 'im-emoji-picker', 'im-message-list', 'im-provider', 'im-support'],
    });
  });

  it('im-widget-server runs the demo from its package, serving the script from im-widget', async () => {
    const manifest = manifestIn(tarballs.server);
    assert.equal(manifest.bin['im-server'], './im-server.js');
    assert.deepEqual(Object.keys(manifest.dependencies).sort(), ['aws4', 'better-sqlite3', 'im-widget', 'ioredis', 'pg', 'ws']);
    // Unpacked beside the installed im-widget; its native dependencies are the repository's own
    // (an install would build better-sqlite3 from source for a minute). Only those the embedded
    // store needs: PostgreSQL, Redis and S3 clients load only in the modes that use them.
    const server = join(app, 'node_modules', 'im-widget-server');
    mkdirSync(server);
    execFileSync('tar', ['-xzf', tarballs.server, '-C', server, '--strip-components=1']);
    for (const name of ['ws', 'better-sqlite3']) symlinkSync(join(repoModules, name), join(app, 'node_modules', name));
    const running = await startTestServer({ bin: join(server, 'im-server.js'), extra: ['--demo'] });
    try {
      const page = await fetch(`${running.url}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<iframe/);
      const script = await fetch(`${running.url}/im-widget.iife.js`);
      assert.equal(script.status, 200);
      assert.equal(await script.text(), readFileSync(join(app, 'node_modules/im-widget/dist/im-widget.iife.js'), 'utf8'));
      // Its sibling modules, imported on first use relative to the script's URL.
      for (const sibling of ['im-emoji-data.js', 'im-widget-media.js', 'im-widget-composer-media.js', 'im-widget-send-files.js', 'im-widget-long-poll.js', 'im-widget-chatroom.js', 'im-widget-emoji-picker.js', 'im-widget-actions.js']) {
        const response = await fetch(`${running.url}/${sibling}`);
        assert.equal(response.status, 200, sibling);
        assert.equal(await response.text(), readFileSync(join(app, 'node_modules/im-widget/dist', sibling), 'utf8'), sibling);
      }
      // App servers sign API requests with the package's own helper (im-widget-server/api-signing).
      assert.equal(manifest.exports['./api-signing'], './im-server-api.js');
      const { signApiRequest } = await import(pathToFileURL(join(server, 'im-server-api.js')).href);
      const body = JSON.stringify({ userId: 'packaged' });
      const headers = signApiRequest({ appKey: APP_KEY, appSecret: APP_SECRET, method: 'POST', path: '/api/user/token', body });
      const token = await fetch(`${running.url}/api/user/token`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      assert.equal(token.status, 200);
    } finally {
      await running.dispose();
    }
  });
});
