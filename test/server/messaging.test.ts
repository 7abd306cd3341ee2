import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import type { IMClient } from '../../src/core/client/client.js';
import type { IMMessage } from '../../src/core/client/types.js';
import { connectClient as connectTo, createGroup, startTestServer, waitFor, type TestServer } from '../helpers/server.js';

/** Collects a client's received messages. */
function inbox(client: IMClient) {
  const messages: IMMessage[] = [];
  client.on('message', (m) => messages.push(m));
  const until = (count: number, what = `${count} messages`) =>
    waitFor((check) => client.on('message', check), () => messages.length >= count && messages, what);
  return { messages, until };
}

const text = (m: IMMessage) => (m.content as TextMessage).content;

for (const transport of ['websocket', 'polling'] as const) describe(`messaging through the reference server over ${transport}`, () => {
  let server: TestServer;
  const clients: IMClient[] = [];
  const connectClient = (server: TestServer, userId: string, options: Parameters<typeof connectTo>[2] = {}) =>
    connectTo(server, userId, { transports: [transport], ...options });
  const connect = async (userId: string) => {
    const client = await connectClient(server, userId);
    clients.push(client);
    return client;
  };

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.disconnect()));
    await server.dispose();
  });

  it('two users exchange private messages both ways', async () => {
    const alice = await connect('alice');
    const bob = await connect('bob');
    const aliceInbox = inbox(alice);
    const bobInbox = inbox(bob);

    const sent = await alice.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'bob' }, new TextMessage({ content: 'hi bob' }));
    assert.match(sent.messageUid, /^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
    assert.equal(sent.seq, 1);
    assert.ok(sent.clientMsgId.length > 0);
    assert.ok(Math.abs(sent.sentTime - Date.now()) < 60_000);

    const [received] = await bobInbox.until(1);
    assert.equal(text(received!), 'hi bob');
    assert.equal(received!.senderUserId, 'alice');
    assert.equal(received!.targetId, 'alice', 'a private message is seen under the other side');
    assert.equal(received!.messageUid, sent.messageUid);
    assert.equal(received!.seq, 1);

    const reply = await bob.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'alice' }, new TextMessage({ content: 'hello alice 😀 <b>not html</b>' }));
    assert.equal(reply.seq, 2, 'both sides share one conversation seq');
    const [answer] = await aliceInbox.until(1);
    assert.equal(text(answer!), 'hello alice 😀 <b>not html</b>');
    assert.equal(answer!.targetId, 'bob');

    const history = await alice.getHistoryMessages({ conversationType: ConversationType.PRIVATE, targetId: 'bob' });
    assert.deepEqual(history.messages.map(text), ['hi bob', 'hello alice 😀 <b>not html</b>']);
    assert.equal(history.hasMore, false);
    assert.equal(aliceInbox.messages.length, 1, 'the sender does not receive its own message back');
  });

  it('keeps a sent message\'s id only until the cursor passes it (a long session does not grow), and a reconnect still hands none back', async () => {
    const amy = await connect('os-amy');
    const bo = await connect('os-bo');
    const amyInbox = inbox(amy);
    const toBo = { conversationType: ConversationType.PRIVATE, targetId: 'os-bo' };
    const toAmy = { conversationType: ConversationType.PRIVATE, targetId: 'os-amy' };
    // The ids the client keeps to tell its own messages from others' when a sync brings them.
    const keptIds = () => (amy as unknown as { ownSent: Set<string> }).ownSent.size;
    for (let i = 0; i < 5; i++) await amy.sendMessage(toBo, new TextMessage({ content: `m${i}` }));
    assert.equal(keptIds(), 5, 'kept while a sync could still bring them');
    await bo.sendMessage(toAmy, new TextMessage({ content: 'reply' }));
    await amyInbox.until(1, 'the reply');
    assert.equal(keptIds(), 0, 'none kept once the cursor is past them');

    await amy.sendMessage(toBo, new TextMessage({ content: 'after' }));
    assert.equal(keptIds(), 1);
    await amy.disconnect();
    await amy.connect();
    // The sync after the reconnect brings 'after' (past the cursor) before Bo's next message.
    await bo.sendMessage(toAmy, new TextMessage({ content: 'second reply' }));
    await amyInbox.until(2, 'the second reply');
    assert.deepEqual(amyInbox.messages.map(text), ['reply', 'second reply'], 'her own messages are never received as others\'');
    assert.equal(keptIds(), 0);
  });

  it('a group of three: everyone else receives, in seq order', async () => {
    await createGroup(server, 'trio', ['ann', 'ben', 'cat']);
    const [ann, ben, cat] = [await connect('ann'), await connect('ben'), await connect('cat')];
    const benInbox = inbox(ben);
    const catInbox = inbox(cat);
    const group = { conversationType: ConversationType.GROUP, targetId: 'trio' };
    const sends = [];
    for (let i = 0; i < 10; i++) sends.push((i % 2 ? cat : ann).sendMessage(group, new TextMessage({ content: `m${i}` })));
    const acks = await Promise.all(sends);
    assert.deepEqual(acks.map((a) => a.seq).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

    const benGot = await benInbox.until(10);
    assert.deepEqual(benGot.map((m) => m.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.ok(benGot.every((m) => m.targetId === 'trio' && m.conversationType === ConversationType.GROUP));
    const catGot = await catInbox.until(5);
    assert.deepEqual(catGot.map(text), ['m0', 'm2', 'm4', 'm6', 'm8'], 'a sender receives only the others\' messages');
  });

  it('a user\'s other device receives what it sent', async () => {
    const phone = await connect('dora');
    const laptop = await connect('dora');
    const laptopInbox = inbox(laptop);
    const sent = await phone.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'eve' }, new TextMessage({ content: 'from my phone' }));
    const [copy] = await laptopInbox.until(1);
    assert.equal(copy!.messageUid, sent.messageUid);
    assert.equal(copy!.messageDirection, 1, 'shown as sent');
    assert.equal(copy!.targetId, 'eve');
  });

  it('an offline member gets everything on connect, in seq order, then live messages', async () => {
    await createGroup(server, 'later', ['fay', 'gus']);
    const fay = await connect('fay');
    const group = { conversationType: ConversationType.GROUP, targetId: 'later' };
    for (let i = 1; i <= 25; i++) await fay.sendMessage(group, new TextMessage({ content: `g${i}` }));
    for (let i = 1; i <= 5; i++) await fay.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'gus' }, new TextMessage({ content: `p${i}` }));

    const gus = await connectClient(server, 'gus', { reconnect: { enabled: false } });
    clients.push(gus);
    const gusInbox = inbox(gus);
    // Messages may already be arriving: collect from the start by awaiting the count.
    const got = await gusInbox.until(30);
    assert.deepEqual(got.filter((m) => m.conversationType === ConversationType.GROUP).map(text),
      Array.from({ length: 25 }, (_, i) => `g${i + 1}`));
    assert.deepEqual(got.filter((m) => m.conversationType === ConversationType.PRIVATE).map((m) => m.seq), [1, 2, 3, 4, 5]);
    await fay.sendMessage(group, new TextMessage({ content: 'live' }));
    const [, live] = [await gusInbox.until(31), gusInbox.messages[30]!];
    assert.equal(text(live), 'live');
    assert.equal(live.seq, 26);
  });

  it('pages history by seq in both directions', async () => {
    const hal = await connect('hal');
    const conversation = { conversationType: ConversationType.PRIVATE, targetId: 'ivy' };
    for (let i = 1; i <= 45; i++) await hal.sendMessage(conversation, new TextMessage({ content: `h${i}` }));
    const latest = await hal.getHistoryMessages(conversation);
    assert.deepEqual(latest.messages.map((m) => m.seq), Array.from({ length: 20 }, (_, i) => 26 + i));
    assert.equal(latest.hasMore, true);
    const older = await hal.getHistoryMessages(conversation, { before: 26 });
    assert.deepEqual(older.messages.map((m) => m.seq), Array.from({ length: 20 }, (_, i) => 6 + i));
    const oldest = await hal.getHistoryMessages(conversation, { before: 6 });
    assert.deepEqual(oldest.messages.map((m) => m.seq), [1, 2, 3, 4, 5]);
    assert.equal(oldest.hasMore, false);
    const newer = await hal.getHistoryMessages(conversation, { after: 40, count: 3 });
    assert.deepEqual(newer.messages.map((m) => m.seq), [41, 42, 43]);
    assert.equal(newer.hasMore, true);
  });

  it('conversation list: latest first, unread counts, read position synced to other devices, removal', async () => {
    const jay = await connect('jay');
    const kim = await connect('kim');
    const kimTablet = await connect('kim');
    for (let i = 0; i < 3; i++) await jay.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'kim' }, new TextMessage({ content: `k${i}` }));
    await createGroup(server, 'kgroup', ['kim', 'jay']);
    await jay.sendMessage({ conversationType: ConversationType.GROUP, targetId: 'kgroup' }, new TextMessage({ content: 'group hi' }));

    const list = await kim.getConversationList();
    assert.deepEqual(list.map((c) => `${c.conversationType}:${c.targetId}:${c.unreadCount}`), ['3:kgroup:1', '1:jay:3']);
    assert.equal(text(list[1]!.latestMessage!), 'k2');
    const groupsOnly = await kim.getConversationList({ types: [ConversationType.GROUP] });
    assert.deepEqual(groupsOnly.map((c) => c.targetId), ['kgroup']);
    const firstPage = await kim.getConversationPage({ count: 1 });
    assert.equal(firstPage.hasMore, true);
    const secondPage = await kim.getConversationPage({ count: 1, before: firstPage.conversations[0]!.latestCursor });
    assert.deepEqual(secondPage.conversations.map((c) => c.targetId), ['jay']);

    const changes: unknown[] = [];
    const seen = waitFor((check) => kimTablet.on('conversation', (c) => { changes.push(c); check(); }), () => changes.length >= 1 && changes, 'read sync');
    const { readSeq } = await kim.clearUnreadCount({ conversationType: ConversationType.PRIVATE, targetId: 'jay' });
    assert.equal(readSeq, 3);
    assert.deepEqual(await seen, [{ conversationType: 1, targetId: 'jay', readSeq: 3, removed: false }]);
    const afterRead = await kimTablet.getConversationList();
    assert.deepEqual(afterRead.map((c) => c.unreadCount), [1, 0], 'the other device sees the read position');

    await kim.removeConversation({ conversationType: ConversationType.GROUP, targetId: 'kgroup' });
    assert.deepEqual((await kimTablet.getConversationList()).map((c) => c.targetId), ['jay']);
    await jay.sendMessage({ conversationType: ConversationType.GROUP, targetId: 'kgroup' }, new TextMessage({ content: 'back' }));
    const back = await kim.getConversationList();
    assert.deepEqual(back.map((c) => `${c.targetId}:${c.unreadCount}`), ['kgroup:1', 'jay:0'], 'a new message brings it back');
  });

  it('refuses invalid content with PARAMETER_ERROR before sending', async () => {
    const lee = await connect('lee');
    await assert.rejects(lee.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'max' }, new TextMessage({ content: '' })),
      (error: { code: number }) => error.code === -3);
    await assert.rejects(lee.sendMessage({ conversationType: 9, targetId: 'max' }, new TextMessage({ content: 'x' })),
      (error: { code: number }) => error.code === -3);
    await assert.rejects(lee.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'bad id!' }, new TextMessage({ content: 'x' })),
      (error: { code: number }) => error.code === -3);
  });
});
