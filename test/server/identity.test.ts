import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { ConnectionStatus, ConversationType, ErrorCode, FrameType } from '../../src/core/protocol/codes.js';
import { FileMessage, TextMessage } from '../../src/core/messages/index.js';
import { IMClient } from '../../src/core/client/client.js';
import type { WebSocketConstructor } from '../../src/core/transport/transport.js';
import type { IMMessage } from '../../src/core/client/types.js';
import { signApiRequest } from '../../src/server/api-signing.js';
import { APP_KEY, APP_SECRET, api, tokenFor, useTestServer, waitFor } from '../helpers/server.js';
import { RawSocket } from '../helpers/raw-socket.js';

const seedSignature = (nonce: string, timestamp: string) => createHash('sha1').update(APP_SECRET + nonce + timestamp).digest('hex');

/** The headers of the seed's scheme: a signature over nothing but the nonce and the time. */
function seedHeaders(): Record<string, string> {
  const nonce = randomUUID();
  const timestamp = String(Date.now());
  return { 'content-type': 'application/json', 'App-Key': APP_KEY, Nonce: nonce, Timestamp: timestamp, Signature: seedSignature(nonce, timestamp) };
}

/** A token made with the app secret, with whatever payload the test wants. */
function forgeWithSecret(payloadText: string): string {
  const payload = Buffer.from(payloadText).toString('base64url');
  return `${payload}.${createHmac('sha256', APP_SECRET).update(payload).digest('base64url')}`;
}

describe('identity: who a message says it is from', () => {
  const suite = useTestServer();

  it('drops a content.user that names another user; keeps the sender’s own', async () => {
    const bob = await suite.connect('id-bob');
    const mallory = await suite.connect('id-mallory');
    const received: IMMessage[] = [];
    bob.on('message', (message) => received.push(message));
    const toBob = { conversationType: ConversationType.PRIVATE, targetId: 'id-bob' };
    await mallory.sendMessage(toBob, new TextMessage({ content: 'hi, it is Bob', user: { id: 'id-bob', name: 'Bob', portraitUri: 'https://example.com/bob.png' } }));
    await mallory.sendMessage(toBob, new TextMessage({ content: 'no id', user: { name: 'Bob' } }));
    await mallory.sendMessage(toBob, new TextMessage({ content: 'really me', user: { id: 'id-mallory', name: 'Mallory' } }));
    await waitFor((check) => bob.on('message', check), () => received.length >= 3, 'three messages at bob');
    const users = received.map((message) => (message.content as TextMessage).user);
    assert.deepEqual(users, [undefined, undefined, { id: 'id-mallory', name: 'Mallory' }]);
  });

  it('neutralises bidi controls in a file name before storing it', async () => {
    const bob = await suite.connect('bidi-bob');
    const eve = await suite.connect('bidi-eve');
    const received: IMMessage[] = [];
    bob.on('message', (message) => received.push(message));
    await eve.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'bidi-bob' },
      new FileMessage({ name: 'invoice\u202Efdp.exe\u2066\u200F\u061C', size: 10, fileUrl: 'https://example.com/f' }));
    await waitFor((check) => bob.on('message', check), () => received.length >= 1, 'the file at bob');
    assert.equal((received[0]!.content as FileMessage).name, 'invoicefdp.exe');
  });
});

describe('identity: portraits from the app API', () => {
  const suite = useTestServer();

  it('accepts only absolute http(s) portraits', async () => {
    for (const portraitUri of ['/me.png', 'me.png', '//evil.example/me.png', 'javascript:alert(1)', 'data:image/png;base64,AA', 'ftp://x/y.png']) {
      const { status, json } = await api(suite.server, 'POST', '/api/user/token', { userId: 'pic', portraitUri });
      assert.equal(status, 400, portraitUri);
      assert.match(json.errorMessage, /portraitUri/);
    }
    assert.equal((await api(suite.server, 'POST', '/api/user/token', { userId: 'pic', portraitUri: 'https://example.com/me.png' })).status, 200);
  });
});

describe('identity: the app-server API signature', () => {
  const suite = useTestServer();

  it('binds the signature to method, path and body, and refuses a replayed nonce', async () => {
    const body = JSON.stringify({ userId: 'sig-user' });
    const headers = { 'content-type': 'application/json', ...signApiRequest({ appKey: APP_KEY, appSecret: APP_SECRET, method: 'POST', path: '/api/user/token', body }) };
    const first = await fetch(`${suite.server.url}/api/user/token`, { method: 'POST', headers, body });
    assert.equal(first.status, 200);
    const replay = await fetch(`${suite.server.url}/api/user/token`, { method: 'POST', headers, body });
    assert.equal(replay.status, 401, 'the same nonce again');

    const fresh = () => ({ 'content-type': 'application/json', ...signApiRequest({ appKey: APP_KEY, appSecret: APP_SECRET, method: 'POST', path: '/api/user/token', body }) });
    const otherBody = await fetch(`${suite.server.url}/api/user/token`, { method: 'POST', headers: fresh(), body: JSON.stringify({ userId: 'admin' }) });
    assert.equal(otherBody.status, 401, 'another body');
    const otherPath = await fetch(`${suite.server.url}/api/group/create`, { method: 'POST', headers: fresh(), body });
    assert.equal(otherPath.status, 401, 'another path');
  });

  it('refuses the seed’s signature unless told to accept it', async () => {
    const response = await fetch(`${suite.server.url}/api/user/token`, { method: 'POST', headers: seedHeaders(), body: JSON.stringify({ userId: 'seed-user' }) });
    assert.equal(response.status, 401);
  });
});

describe('identity: the seed’s signature, when accepted', () => {
  const suite = useTestServer({ extra: ['--accept-seed-api-signature'] });

  it('accepts it once per nonce', async () => {
    const headers = seedHeaders();
    const body = JSON.stringify({ userId: 'seed-user' });
    assert.equal((await fetch(`${suite.server.url}/api/user/token`, { method: 'POST', headers, body })).status, 200);
    assert.equal((await fetch(`${suite.server.url}/api/user/token`, { method: 'POST', headers, body })).status, 401, 'replayed');
  });
});

describe('identity: tokens', () => {
  const suite = useTestServer();
  const refusedWith = (code: number) => (error: { code: number }) => {
    assert.equal(error.code, code);
    return true;
  };

  /** A genuinely signed token whose base64url text uses '-' or '_' (a random one need not). */
  const withUrlAlphabet = (issuedAt: number, expiresAt: number) => {
    for (let n = 0; ; n++) {
      const token = forgeWithSecret(JSON.stringify({ a: APP_KEY, u: `strict-${n}`, e: expiresAt, i: issuedAt }));
      if (/[-_]/.test(token)) return token;
    }
  };
  const standardBase64 = (token: string) => token.replace(/-/g, '+').replace(/_/g, '/');

  it('decodes strictly: exact shape, integer times, base64url only', async () => {
    const genuine = await tokenFor(suite.server, 'strict');
    const claims = JSON.parse(Buffer.from(genuine.split('.')[0]!, 'base64url').toString());
    assert.equal(typeof claims.i, 'number', 'a token carries when it was issued');
    const later = Date.now() + 60_000;
    const urlAlphabet = withUrlAlphabet(claims.i, later);
    const accepted = suite.track(new IMClient({ url: suite.server.wsUrl, token: urlAlphabet, WebSocket: WebSocket as unknown as WebSocketConstructor }));
    await accepted.connect();
    await accepted.disconnect();
    const forged = [
      forgeWithSecret(JSON.stringify({ ...claims, admin: true })),
      forgeWithSecret(JSON.stringify({ a: APP_KEY, u: 'strict', e: later + 0.5, i: claims.i })),
      forgeWithSecret(JSON.stringify({ a: APP_KEY, u: 'strict', e: later, i: claims.i, x: 1 })),
      forgeWithSecret(JSON.stringify({ a: APP_KEY, u: 'strict', e: later, x: 1 })),
      forgeWithSecret(JSON.stringify({ a: APP_KEY, u: 'x'.repeat(65), e: later, i: claims.i })),
      `${genuine.split('.')[0]}=.${genuine.split('.')[1]}`,
      standardBase64(urlAlphabet),
    ];
    for (const token of forged) {
      const client = suite.track(new IMClient({ url: suite.server.wsUrl, token, WebSocket: WebSocket as unknown as WebSocketConstructor }));
      await assert.rejects(client.connect(), refusedWith(ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR), token);
    }
  });

  it('revokes a user’s tokens: older ones are refused, live sessions end, newer ones work', async () => {
    const oldToken = await tokenFor(suite.server, 'revoked');
    const live = await RawSocket.connected(suite.server.wsUrl, oldToken);
    const client = await suite.connect('revoked');
    // Times are in ms: a token issued in the revocation's own millisecond still counts as after it.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const { status } = await api(suite.server, 'POST', '/api/user/token/revoke', { userId: 'revoked' });
    assert.equal(status, 200);
    const disconnect = await live.next(FrameType.DISCONNECT);
    assert.equal((disconnect.body as { code: number }).code, ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR);
    await waitFor((check) => client.on('status', check), () => client.status === ConnectionStatus.DISCONNECTED, 'the client to stop');
    await assert.rejects(suite.connect('revoked', { token: oldToken }), refusedWith(ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const renewed = await suite.connect('revoked');
    assert.equal(renewed.userId, 'revoked');
  });

  it('keeps a token signed before issued-at existed good until its user is revoked', async () => {
    const legacy = forgeWithSecret(JSON.stringify({ a: APP_KEY, u: 'legacy', e: Date.now() + 60_000 }));
    const client = await suite.connect('legacy', { token: legacy });
    assert.equal(client.userId, 'legacy');
    await client.disconnect();
    assert.equal((await api(suite.server, 'POST', '/api/user/token/revoke', { userId: 'legacy' })).status, 200);
    await assert.rejects(suite.connect('legacy', { token: legacy }), refusedWith(ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR));
  });
});
