import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionStatus, ConversationType, ErrorCode } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import type { IMError } from '../../src/core/client/errors.js';
import { api, connectClient, startTestServer, waitFor, type TestServer } from '../helpers/server.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('token expiry', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.dispose());

  const tokenFor = async (userId: string, expiresIn: number): Promise<string> =>
    (await api(server, 'POST', '/api/user/token', { userId, expiresIn })).json.token;

  it('renews through the tokenProvider ahead of expiry and resumes at once; sends around expiry arrive once', async () => {
    const peer = await connectClient(server, 'exp-peer');
    const received: string[] = [];
    peer.on('message', (m) => received.push((m.content as TextMessage).content));
    let provided = 0;
    const events: string[] = [];
    // Made beforehand: the notice comes 200 ms before a 2 s token expires, and a loaded machine
    // can take longer than that over HTTP (the provider would then be asked again at expiry).
    const fresh = await tokenFor('exp-user', 60);
    const client = await connectClient(server, 'exp-user', {
      token: await tokenFor('exp-user', 2),
      tokenProvider: async () => {
        provided++;
        events.push('provider');
        return fresh;
      },
    });
    client.on('tokenWillExpire', () => events.push('tokenWillExpire'));
    client.on('tokenExpired', () => events.push('tokenExpired'));
    client.on('disconnect', (error) => events.push(`disconnect(${error.code})`));
    client.on('reconnect', () => events.push('reconnect'));
    client.on('schedule', () => events.push('schedule'));

    // A steady stream of sends from before the notice to after the expiry.
    const sends: Promise<unknown>[] = [];
    const conversation = { conversationType: ConversationType.PRIVATE, targetId: 'exp-peer' };
    for (let i = 0; i < 30; i++) {
      sends.push(client.sendMessage(conversation, new TextMessage({ content: `m${i}` })));
      await sleep(100);
    }
    await Promise.all(sends);
    await waitFor((check) => peer.on('message', check), () => received.length >= 30, 'all 30 messages at the peer');
    await sleep(200);
    assert.deepEqual(received, Array.from({ length: 30 }, (_, i) => `m${i}`), 'each message once, in order');
    assert.equal(provided, 1);
    assert.deepEqual(events, ['tokenWillExpire', 'provider', `disconnect(${ErrorCode.RC_CONN_TOKEN_EXPIRE})`, 'reconnect']);
    assert.equal(client.status, ConnectionStatus.CONNECTED);
    await client.disconnect();
    await peer.disconnect();
  });

  it('without a tokenProvider: tokenExpired, disconnected, and no reconnect attempts', async () => {
    const client = await connectClient(server, 'exp-alone', { token: await tokenFor('exp-alone', 2) });
    const events: string[] = [];
    let expired: IMError | undefined;
    client.on('tokenWillExpire', () => events.push('tokenWillExpire'));
    client.on('tokenExpired', (error) => {
      expired = error;
      events.push('tokenExpired');
    });
    for (const name of ['schedule', 'retry', 'reconnect'] as const) client.on(name, () => events.push(name));
    await waitFor((check) => client.on('tokenExpired', check), () => expired, 'tokenExpired', 5_000);
    assert.equal(expired!.code, ErrorCode.RC_CONN_TOKEN_EXPIRE);
    assert.equal(client.status, ConnectionStatus.DISCONNECTED);
    await sleep(500);
    assert.deepEqual(events, ['tokenWillExpire', 'tokenExpired']);
    assert.equal((await api(server, 'GET', '/api/metrics')).json.connections, 0);
    await assert.rejects(client.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'x' }, new TextMessage({ content: 'late' })));
  });

  it('a tokenProvider that hands back an expired token ends in tokenExpired, not a loop', async () => {
    const stale = await tokenFor('exp-stale', 1);
    let provided = 0;
    const client = await connectClient(server, 'exp-stale', {
      token: stale,
      tokenProvider: async () => {
        provided++;
        return stale;
      },
    });
    let expired: IMError | undefined;
    client.on('tokenExpired', (error) => { expired = error; });
    await waitFor((check) => client.on('tokenExpired', check), () => expired, 'tokenExpired', 5_000);
    assert.equal(client.status, ConnectionStatus.DISCONNECTED);
    await sleep(300);
    assert.equal(provided, 2, 'once ahead of expiry, once after the server ended the session');
  });
});
