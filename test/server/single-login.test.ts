import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionStatus, ConversationType } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import { api, connectClient, startTestServer, waitFor, type TestServer } from '../helpers/server.js';

describe('single login per platform tag (--single-login web)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ extra: ['--single-login', 'web'] });
  });
  after(() => server.dispose());

  it('a second login on the same tag signs the first out, which does not reconnect into a kick loop', async () => {
    const first = await connectClient(server, 'sl-user', { platform: 'web' });
    let scheduled = 0;
    first.on('schedule', () => scheduled++);
    const statusKicked = waitFor((check) => first.on('status', check),
      () => first.status === ConnectionStatus.KICKED_OFFLINE_BY_OTHER_CLIENT, 'kicked status');
    const second = await connectClient(server, 'sl-user', { platform: 'web' });
    await statusKicked;
    assert.equal(scheduled, 0, 'no reconnect attempt after a kick');
    assert.equal(second.status, ConnectionStatus.CONNECTED);
    first.retry();
    assert.equal(first.status, ConnectionStatus.KICKED_OFFLINE_BY_OTHER_CLIENT, 'retry() cannot undo a kick');

    // Another tag is another device: both stay.
    const phone = await connectClient(server, 'sl-user', { platform: 'ios' });
    await phone.getConversationList();
    assert.equal(second.status, ConnectionStatus.CONNECTED);
    assert.equal(phone.status, ConnectionStatus.CONNECTED);
    await Promise.all([first.disconnect(), second.disconnect(), phone.disconnect()]);
  });

  it('the session that signed the other out gets the messages pushed and is counted', async () => {
    const older = await connectClient(server, 'sl-solo', { platform: 'web' });
    const kicked = waitFor((check) => older.on('status', check), () => older.status === ConnectionStatus.KICKED_OFFLINE_BY_OTHER_CLIENT, 'kicked');
    const newer = await connectClient(server, 'sl-solo', { platform: 'web' });
    await kicked;
    const metrics = await api(server, 'GET', '/api/metrics');
    assert.equal(metrics.json.connections, 1);
    const sender = await connectClient(server, 'sl-friend', { platform: 'node' });
    const received: string[] = [];
    newer.on('message', (message) => received.push((message.content as TextMessage).content));
    await sender.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'sl-solo' }, new TextMessage({ content: 'pushed' }));
    await waitFor((check) => newer.on('message', check), () => received.length === 1, 'the push');
    assert.deepEqual(received, ['pushed']);
    await Promise.all([older.disconnect(), newer.disconnect(), sender.disconnect()]);
  });
});
