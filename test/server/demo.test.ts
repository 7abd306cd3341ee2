import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IMClient } from '../../src/core/client/client.js';
import { TextMessage } from '../../src/core/messages/index.js';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { api, connectClient, startTestServer, type TestServer } from '../helpers/server.js';

describe('the demo (--demo)', () => {
  let server: TestServer;
  const clients: IMClient[] = [];
  const connect = async (userId: string) => {
    const client = await connectClient(server, userId);
    clients.push(client);
    return client;
  };
  const disconnectAll = async () => {
    await Promise.all(clients.splice(0).map((client) => client.disconnect()));
  };
  before(async () => {
    server = await startTestServer({ extra: ['--demo'] });
  });
  after(async () => {
    await disconnectAll();
    await server?.dispose();
  });

  it('seeds a private chat between Alice and Bob: each has the other in the list at once', async () => {
    const alice = await connect('alice');
    const bob = await connect('bob');
    const aliceList = await alice.getConversationList();
    const bobList = await bob.getConversationList();
    const withBob = aliceList.find((c) => c.conversationType === ConversationType.PRIVATE && c.targetId === 'bob');
    const withAlice = bobList.find((c) => c.conversationType === ConversationType.PRIVATE && c.targetId === 'alice');
    assert.ok(withBob, `alice's list: ${aliceList.map((c) => `${c.conversationType}:${c.targetId}`).join(', ')}`);
    assert.ok(withAlice, `bob's list: ${bobList.map((c) => `${c.conversationType}:${c.targetId}`).join(', ')}`);
    assert.equal(withBob.latestMessage?.senderUserId, 'bob');
    assert.match((withBob.latestMessage!.content as TextMessage).content, /Bob here/);
    assert.equal(withBob.unreadCount, 1, 'unread for alice');
    // The demo group and the bot's greeting are still there.
    assert.ok(aliceList.some((c) => c.conversationType === ConversationType.GROUP && c.targetId === 'demo-group'));
    assert.ok(aliceList.some((c) => c.conversationType === ConversationType.PRIVATE && c.targetId === 'bot'));

    // They can write to each other at once.
    const received = new Promise((resolve) => bob.on('message', resolve));
    await alice.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'bob' }, new TextMessage({ content: 'hi Bob' }));
    await received;
  });

  it('stores nothing new when seeding again at the next start', async () => {
    await disconnectAll();
    const before = (await api(server, 'GET', '/api/metrics')).json.messages;
    await server.kill();
    server = await server.restart();
    const afterRestart = (await api(server, 'GET', '/api/metrics')).json.messages;
    assert.equal(afterRestart, before);
    const bob = await connect('bob');
    const history = await bob.getHistoryMessages({ conversationType: ConversationType.PRIVATE, targetId: 'alice' });
    assert.equal(history.messages[0]?.clientMsgId, 'demo-welcome-3', 'the seed comes first');
    assert.equal(history.messages.filter((message) => message.clientMsgId === 'demo-welcome-3').length, 1, 'and once');
  });

  it('serves the demo page with the two users side by side and the hint to start a conversation', async () => {
    const page = await (await fetch(`${server.url}/`)).text();
    assert.match(page, /src="\/chat\?user=alice"/);
    assert.match(page, /src="\/chat\?user=bob"/);
    assert.match(page, /New conversation/);
    const chat = await fetch(`${server.url}/chat?user=alice`);
    assert.equal(chat.status, 200);
    assert.match(await chat.text(), /<im-chat server="ws:\/\/[^"]+\/im" token="[^"]+"><\/im-chat>/);
  });

  it('serves anonymous customer-service visitors (--cs-visitors is on in the demo)', async () => {
    const response = await fetch(`${server.url}/cs/visitor`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(response.status, 200);
    assert.match((await response.json() as { userId: string }).userId, /^visitor-/);
  });
});
