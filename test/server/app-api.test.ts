import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';
import { signApiRequest } from '../../src/server/api-signing.js';
import { APP_KEY, APP_SECRET, api, startTestServer, type TestServer } from '../helpers/server.js';

const SERVER_BIN = new URL('../../dist/im-server.js', import.meta.url).pathname;

describe('app-server API', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.dispose());

  const signed = (body: string, overrides: { nonce?: string; timestamp?: string; secret?: string; key?: string } = {}) => signApiRequest({
    appKey: overrides.key ?? APP_KEY, appSecret: overrides.secret ?? APP_SECRET, method: 'POST', path: '/api/user/token', body,
    nonce: overrides.nonce ?? randomUUID(), timestamp: overrides.timestamp ?? String(Date.now()),
  });

  it('issues a token for a user', async () => {
    const { status, json } = await api(server, 'POST', '/api/user/token', { userId: 'api-user', name: 'API User', portraitUri: 'https://example.com/a.png' });
    assert.equal(status, 200);
    assert.equal(json.code, 200);
    assert.equal(json.userId, 'api-user');
    assert.match(json.token, /^[\w-]+\.[\w-]+$/);
    const short = await api(server, 'POST', '/api/user/token', { userId: 'api-user', expiresIn: 60 });
    assert.equal(short.status, 200);
    assert.ok(Math.abs(short.json.expiresAt - (Date.now() + 60_000)) < 5_000, 'expiresIn sets the expiry');
  });

  it('refuses unsigned, wrongly signed, stale and other-app requests with 401 JSON', async () => {
    const body = JSON.stringify({ userId: 'x' });
    const attempts: Record<string, Record<string, string>> = {
      unsigned: {},
      'wrong secret': signed(body, { secret: 'nope' }),
      'other app': signed(body, { key: 'other' }),
      'stale by 6 minutes': signed(body, { timestamp: String(Date.now() - 6 * 60_000) }),
      'from the future': signed(body, { timestamp: String(Date.now() + 6 * 60_000) }),
      'not a time': signed(body, { timestamp: 'yesterday' }),
    };
    for (const [name, headers] of Object.entries(attempts)) {
      const response = await fetch(`${server.url}/api/user/token`, { method: 'POST', headers, body });
      assert.equal(response.status, 401, name);
      const json = await response.json();
      assert.equal(json.code, 401, name);
      assert.equal(typeof json.errorMessage, 'string', name);
    }
  });

  it('validates bodies with 4xx JSON errors', async () => {
    const cases: Array<[string, unknown, number]> = [
      ['/api/user/token', { userId: '' }, 400],
      ['/api/user/token', { userId: 'a b' }, 400],
      ['/api/user/token', { userId: 'x'.repeat(65) }, 400],
      ['/api/user/token', { userId: 'ok', name: 42 }, 400],
      ['/api/user/token', [], 400],
      ['/api/user/token', { userId: 'ok', expiresIn: 0 }, 400],
      ['/api/user/token', { userId: 'ok', expiresIn: 1.5 }, 400],
      ['/api/user/token', { userId: 'ok', expiresIn: '60' }, 400],
      ['/api/user/token', { userId: 'ok', expiresIn: 1e12 }, 400],
      ['/api/group/create', { groupId: 'g1', groupName: 'G', userIds: [] }, 400],
      ['/api/group/create', { groupId: 'g1', groupName: 'G', userIds: ['ok', 'not ok'] }, 400],
      ['/api/group/join', { groupId: 'missing', userIds: ['a'] }, 404],
      ['/api/group/quit', { groupId: 'missing', userIds: ['a'] }, 404],
      ['/api/nothing', {}, 404],
    ];
    for (const [path, body, status] of cases) {
      const result = await api(server, 'POST', path, body);
      assert.equal(result.status, status, `${path} ${JSON.stringify(body)}`);
      assert.equal(result.json.code, status);
    }
    const tooBig = await api(server, 'POST', '/api/user/token', { userId: 'big', name: 'x'.repeat(70_000) });
    assert.equal(tooBig.status, 413);
  });

  it('manages groups and reports metrics', async () => {
    assert.equal((await api(server, 'POST', '/api/group/create', { groupId: 'api-g', groupName: 'API', userIds: ['a1', 'a2'] })).status, 200);
    assert.equal((await api(server, 'POST', '/api/group/join', { groupId: 'api-g', userIds: ['a3'] })).status, 200);
    assert.equal((await api(server, 'POST', '/api/group/quit', { groupId: 'api-g', userIds: ['a1'] })).status, 200);
    const { status, json } = await api(server, 'GET', '/api/metrics');
    assert.equal(status, 200);
    assert.equal(json.connections, 0);
    assert.equal(json.messages, 3, 'a notice each: created, joined, left');
    assert.ok(json.groups >= 1);
  });
});

describe('server command line', () => {
  it('prints usage and refuses bad options with exit code 2', () => {
    const help = spawnSync(process.execPath, [SERVER_BIN, '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--rate-limit/);
    for (const args of [['--port', 'x'], ['--port', '70000'], ['--bogus'], ['--rate-limit', '-1']]) {
      const result = spawnSync(process.execPath, [SERVER_BIN, ...args], { encoding: 'utf8' });
      assert.equal(result.status, 2, args.join(' '));
      assert.match(result.stderr, /im-server: /);
    }
  });

  it('runs on a development app key with a warning when none is given', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'im-dev-'));
    const child = spawn(process.execPath, [SERVER_BIN, '--port', '0', '--data', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    const [line] = await once(createInterface({ input: child.stdout }), 'line');
    assert.match(line, /^im-server listening on http:\/\/127\.0\.0\.1:\d+$/);
    child.kill();
    await once(child, 'exit');
    assert.match(stderr, /warning: using the development app key/);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('takes the app key and secret from the environment, out of the command line', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'im-env-'));
    const [appKey, appSecret] = ['env-key', `env-secret-${randomUUID()}`];
    const child = spawn(process.execPath, [SERVER_BIN, '--port', '0', '--data', dataDir],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, IM_APP_KEY: appKey, IM_APP_SECRET: appSecret } });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    const [line] = await once(createInterface({ input: child.stdout }), 'line');
    const url = /listening on (\S+)$/.exec(line)![1]!;
    const call = (secret: string) => {
      const body = JSON.stringify({ userId: 'env-user' });
      return fetch(`${url}/api/user/token`, {
        method: 'POST', body,
        headers: { 'content-type': 'application/json', ...signApiRequest({ appKey, appSecret: secret, method: 'POST', path: '/api/user/token', body }) },
      });
    };
    assert.equal((await call(appSecret)).status, 200, 'signed with the secret from IM_APP_SECRET');
    assert.equal((await call(APP_SECRET)).status, 401, 'not with another');
    child.kill();
    await once(child, 'exit');
    assert.doesNotMatch(stderr, /development app key/);
    rmSync(dataDir, { recursive: true, force: true });
  });
});
