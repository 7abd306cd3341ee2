import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import { IMClient } from '../../src/core/client/client.js';
import type { WebSocketConstructor } from '../../src/core/transport/transport.js';
import { api, connectClient, startTestServer, tokenFor, waitFor, type TestServer } from '../helpers/server.js';

/** A WebSocket whose upgrade a proxy refuses: it goes to a path the server answers with 404. */
class BlockedWebSocket extends WebSocket {
  constructor(url: string) {
    super(url.replace(/\/im$/, '/blocked-by-proxy'));
  }
}

describe('transport choice', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.dispose());

  it('falls back to long-polling when WebSocket cannot connect, and chats both ways', async () => {
    const blocked = new IMClient({
      url: server.wsUrl, token: await tokenFor(server, 'fb-blocked'), WebSocket: BlockedWebSocket as unknown as WebSocketConstructor,
      reconnect: { minDelay: 50, maxDelay: 200 },
    });
    assert.deepEqual(await blocked.connect(), { userId: 'fb-blocked' });
    assert.equal(blocked.transportName, 'polling');
    const peer = await connectClient(server, 'fb-peer');
    const got: string[] = [];
    blocked.on('message', (m) => got.push((m.content as TextMessage).content));
    await peer.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'fb-blocked' }, new TextMessage({ content: 'to polling' }));
    await waitFor((check) => blocked.on('message', check), () => got.length >= 1, 'delivery over polling');
    const sent = await blocked.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'fb-peer' }, new TextMessage({ content: 'from polling' }));
    assert.equal(sent.seq, 2);
    assert.equal((await api(server, 'GET', '/api/metrics')).json.connections, 2);
    await blocked.disconnect();
    await peer.disconnect();
  });

  it('uses only the transports it is given', async () => {
    const onlyWebSocket = new IMClient({
      url: server.wsUrl, token: await tokenFor(server, 'fb-strict'), WebSocket: BlockedWebSocket as unknown as WebSocketConstructor,
      transports: ['websocket'], reconnect: { enabled: false },
    });
    await assert.rejects(onlyWebSocket.connect(), (error: { code: number }) => error.code === 30010);
    const onlyPolling = new IMClient({ url: server.wsUrl, token: await tokenFor(server, 'fb-poll'), transports: ['polling'] });
    await onlyPolling.connect();
    assert.equal(onlyPolling.transportName, 'polling');
    await onlyPolling.disconnect();
  });
});
