import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { ConversationType, ErrorCode } from '../../../src/core/protocol/codes.js';
import { TextMessage } from '../../../src/core/messages/index.js';
import { IMClient } from '../../../src/core/client/client.js';
import { ChatSession } from '../../../src/core/client/chat-session.js';
import type { ChatState } from '../../../src/core/store/chat-state.js';
import type { WebSocketConstructor } from '../../../src/core/transport/transport.js';
import { api, startTestServer, tokenFor, useTestServer, waitFor } from '../../helpers/server.js';

describe('ChatSession: why it is not connected, and names from a provider set at any time', () => {
  const suite = useTestServer();
  const until = <T>(session: ChatSession, predicate: (state: ChatState) => T, what: string) =>
    waitFor((check) => session.store.subscribe(check), () => predicate(session.state), what);
  const sessionOf = (client: IMClient) => {
    const session = new ChatSession(client);
    suite.track(client);
    return session;
  };

  it('a refused token gives a fatal connectionError with the seed code, and start rejects with it', async () => {
    const session = sessionOf(new IMClient({ url: suite.server.wsUrl, token: 'not-a-token', WebSocket: WebSocket as unknown as WebSocketConstructor,
      reconnect: { firstConnect: true, minDelay: 20, maxDelay: 50 } }));
    await assert.rejects(session.start(), (error: { code: number }) => error.code === ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR);
    assert.deepEqual(session.state.connectionError, { code: ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR, fatal: true });
    await session.dispose();
  });

  it('an unreachable server gives a retrying connectionError with the next attempt\'s time, gone once connected', async () => {
    const down = await startTestServer();
    const token = await tokenFor(down, 'conn-late');
    await down.kill();
    const session = sessionOf(new IMClient({ url: down.wsUrl, token, WebSocket: WebSocket as unknown as WebSocketConstructor,
      reconnect: { firstConnect: true, minDelay: 20, maxDelay: 200 } }));
    const started = session.start();
    const error = (await until(session, (state) => state.connectionError, 'a connectionError'))!;
    assert.equal(error.fatal, false);
    assert.ok([ErrorCode.RC_SOCKET_NOT_CREATED, ErrorCode.RC_SOCKET_DISCONNECTED, ErrorCode.RC_NET_UNAVAILABLE].includes(error.code as never), `code ${error.code}`);
    assert.ok(error.retryAt! > Date.now() - 1000, 'the next attempt is due');
    const up = await down.restart();
    try {
      await started;
      assert.equal(session.state.connectionError, undefined);
      await session.dispose();
    } finally {
      await up.dispose();
    }
  });

  it('a userInfoProvider set after the session started renames the users already shown, and unset goes back to the server', async () => {
    await api(suite.server, 'POST', '/api/user/token', { userId: 'named-bob', name: 'Bob from the server' });
    const bob = await suite.session('named-bob');
    await bob.send({ conversationType: ConversationType.PRIVATE, targetId: 'named-alice' }, new TextMessage({ content: 'hi' }));
    const alice = await suite.session('named-alice');
    await until(alice, (state) => state.users['named-bob']?.name === 'Bob from the server', 'the server\'s name');
    alice.setUserInfoProvider(async (userId) => ({ name: `${userId} (app)` }));
    await until(alice, (state) => state.users['named-bob']?.name === 'named-bob (app)', 'the provider\'s name');
    alice.setUserInfoProvider(undefined);
    await until(alice, (state) => state.users['named-bob']?.name === 'Bob from the server', 'the server\'s name again');
  });
});
