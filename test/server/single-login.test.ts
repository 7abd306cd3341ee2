import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionStatus } from '../../src/core/protocol/codes.js';
import { connectClient, startTestServer, waitFor, type TestServer } from '../helpers/server.js';

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
});
