import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { ConversationType, ErrorCode } from '../../src/core/protocol/codes.js';
import { TextMessage, TypingStatusMessage } from '../../src/core/messages/index.js';
import { IMClient } from '../../src/core/client/client.js';
import { ChatSession } from '../../src/core/client/chat-session.js';
import { selectTypingUsers, type ChatState } from '../../src/core/store/chat-state.js';
import type { ConversationChange, IMMessage, TypingEvent } from '../../src/core/client/types.js';
import type { IMError } from '../../src/core/client/errors.js';
import type { WebSocketConstructor } from '../../src/core/transport/transport.js';
import { api, connectClient, createGroup, startTestServer, tokenFor, waitFor, type TestServer } from '../helpers/server.js';

const private_ = (targetId: string) => ({ conversationType: ConversationType.PRIVATE, targetId });
const group = (targetId: string) => ({ conversationType: ConversationType.GROUP, targetId });

/** Everything a client reports, to wait on and to count. */
function record(client: IMClient) {
  const messages: IMMessage[] = [];
  const typing: TypingEvent[] = [];
  const changes: ConversationChange[] = [];
  client.on('message', (m) => messages.push(m));
  client.on('typing', (t) => typing.push(t));
  client.on('conversation', (c) => changes.push(c));
  const on = (check: () => void) => {
    const offs = [client.on('message', check), client.on('typing', check), client.on('conversation', check)];
    return () => offs.forEach((off) => off());
  };
  const until = <T>(predicate: () => T | undefined | false, what: string, ms?: number) => waitFor(on, predicate, what, ms);
  /** A persisted message sent after what is being checked: once it arrives, anything pushed before it has too. */
  const text = (content: string) => until(() => messages.find((m) => (m.content as TextMessage).content === content), `message ${content}`);
  return { messages, typing, changes, until, text };
}

const readAndUnread = ({ readUserIds, unreadUserIds }: { readUserIds: string[]; unreadUserIds: string[] }) => ({ readUserIds, unreadUserIds });

describe('typing status, delivery and read receipts', () => {
  let server: TestServer;
  const clients: IMClient[] = [];
  const sessions: ChatSession[] = [];
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    for (const session of sessions) await session.dispose();
    for (const client of clients) await client.disconnect();
    await server?.dispose();
  });

  const connect = async (userId: string) => {
    const client = await connectClient(server, userId);
    clients.push(client);
    return client;
  };
  const startSession = async (userId: string, options: ConstructorParameters<typeof ChatSession>[1] = {}) => {
    const client = new IMClient({
      url: server.wsUrl, token: await tokenFor(server, userId), WebSocket: WebSocket as unknown as WebSocketConstructor,
      reconnect: { minDelay: 50, maxDelay: 400 },
    });
    clients.push(client);
    const session = new ChatSession(client, options);
    sessions.push(session);
    await session.start();
    return session;
  };
  const untilState = <T>(session: ChatSession, predicate: (state: ChatState) => T, what: string, ms?: number) =>
    waitFor((check) => session.store.subscribe(check), () => predicate(session.state), what, ms);

  it('typing reaches the peer within a second and expires there after the configured time; it is in no history and no count', async () => {
    const typingTimeout = 400;
    const bob = await startSession('ty-bob', { typingTimeout });
    const alice = await connect('ty-alice');
    const aliceOther = record(await connect('ty-alice'));

    const sentAt = Date.now();
    assert.equal(await alice.sendTypingStatus(private_('ty-bob')), true);
    await untilState(bob, (s) => selectTypingUsers(s, '1:ty-alice', Date.now()).includes('ty-alice'), 'bob sees alice typing', 1000);
    assert.ok(Date.now() - sentAt < 1000);
    await untilState(bob, (s) => !s.typing['1:ty-alice'], 'the typing signal expires', typingTimeout + 2000);
    assert.ok(Date.now() - sentAt >= typingTimeout - 50, 'it showed for the configured time');

    await alice.sendMessage(private_('ty-bob'), new TextMessage({ content: 'fence' }));
    await aliceOther.text('fence');
    assert.equal(aliceOther.typing.length, 0, 'alice\'s own other device is not told she is typing');

    const history = await bob.client.getHistoryMessages(private_('ty-alice'));
    assert.deepEqual(history.messages.map((m) => m.objectName), ['RC:TxtMsg'], 'the typing signal is not stored');
    const [entry] = await bob.client.getConversationList();
    assert.equal(entry!.unreadCount, 1, 'only the text counts');
    assert.equal(bob.state.conversations.byKey['1:ty-alice']!.unreadCount, 1);
  });

  it('a message from the typing user ends their typing at once; the client reports typing as its own event', async () => {
    const bob = await startSession('ty2-bob', { typingTimeout: 60_000 });
    const bobEvents = record(bob.client as IMClient);
    const alice = await startSession('ty2-alice');
    await alice.notifyTyping(private_('ty2-bob'));
    await untilState(bob, (s) => s.typing['1:ty2-alice']?.['ty2-alice'], 'bob sees alice typing');
    assert.deepEqual(bobEvents.typing, [{ conversationType: 1, targetId: 'ty2-alice', userId: 'ty2-alice', typingContentType: 'RC:TxtMsg' }]);
    assert.equal(bobEvents.messages.length, 0, 'a typing signal is not a message');
    await alice.send(private_('ty2-bob'), new TextMessage({ content: 'done typing' }));
    await untilState(bob, (s) => s.windows['1:ty2-alice'] || s.conversations.byKey['1:ty2-alice']?.latestMessage, 'the message');
    assert.equal(bob.state.typing['1:ty2-alice'], undefined, 'cleared with the message, long before the timeout');
  });

  it('sends at most one typing signal per conversation per 4 s', async () => {
    const bob = record(await connect('th-bob'));
    const alice = await connect('th-alice');
    const calls = await Promise.all([1, 2, 3].map(() => alice.sendTypingStatus(private_('th-bob'), 'RC:ImgMsg')));
    assert.deepEqual(calls, [true, false, false]);
    assert.equal(await alice.sendTypingStatus(private_('th-carol')), true, 'each conversation has its own clock');
    await alice.sendMessage(private_('th-bob'), new TextMessage({ content: 'fence' }));
    await bob.text('fence');
    assert.deepEqual(bob.typing.map((t) => t.typingContentType), ['RC:ImgMsg'], 'one signal arrived');
    assert.equal(await alice.sendTypingStatus(private_('th-bob')), true, 'after a message the peer shows nothing, so typing may be told again');
    await assert.rejects(alice.sendTypingStatus(private_('th-bob'), 'x'.repeat(100)), (e: IMError) => e.code === ErrorCode.PARAMETER_ERROR);
  });

  it('typing in a group reaches the members online only, never non-members or members who connect later', async () => {
    await createGroup(server, 'ty-team', ['tg-ann', 'tg-ben', 'tg-cy']);
    const ann = await connect('tg-ann');
    const ben = record(await connect('tg-ben'));
    const danClient = await connect('tg-dan'); // not a member
    const dan = record(danClient);
    assert.equal(await ann.sendTypingStatus(group('ty-team')), true);
    // A non-member's signal goes out and the server drops it; the caller is not told.
    assert.equal(await danClient.sendTypingStatus(group('ty-team')), true);
    await danClient.sendMessage(private_('tg-ben'), new TextMessage({ content: 'dan to ben' }));
    await ann.sendMessage(group('ty-team'), new TextMessage({ content: 'team fence' }));
    await ann.sendMessage(private_('tg-dan'), new TextMessage({ content: 'dan fence' }));
    await ben.text('dan to ben');
    await ben.text('team fence');
    await dan.text('dan fence');
    assert.deepEqual(ben.typing.map((t) => [t.userId, t.targetId]), [['tg-ann', 'ty-team']], 'ben sees ann only (dan is no member)');
    assert.equal(dan.typing.length, 0, 'a non-member hears nothing of the group');

    const cy = record(await connect('tg-cy'));
    await cy.text('team fence');
    assert.equal(cy.typing.length, 0, 'typing is not kept for members who were offline');
  });

  it('delivered and read positions reach the sender of a private chat, not the reader\'s own devices, and survive a restart', async () => {
    const alice = await startSession('rc-alice');
    const aliceOther = record(await connect('rc-alice'));
    const bob = await connect('rc-bob');
    const bobEvents = record(bob);
    const bobOther = record(await connect('rc-bob'));

    const first = await alice.send(private_('rc-bob'), new TextMessage({ content: 'one' }));
    const second = await alice.send(private_('rc-bob'), new TextMessage({ content: 'two' }));
    await bobEvents.text('two');
    await untilState(alice, (s) => (s.conversations.byKey['1:rc-bob']?.peerDeliveredSeq ?? 0) >= second.seq!, 'delivered to bob');
    assert.equal(alice.state.conversations.byKey['1:rc-bob']!.peerReadSeq ?? 0, 0, 'delivered, not read');
    await aliceOther.until(() => aliceOther.changes.find((c) => c.peerDeliveredSeq === second.seq), 'alice\'s other device learns it too');

    assert.deepEqual(await bob.clearUnreadCount(private_('rc-alice'), first.seq!), { readSeq: first.seq });
    await untilState(alice, (s) => s.conversations.byKey['1:rc-bob']?.peerReadSeq === first.seq, 'bob read the first');
    await bob.clearUnreadCount(private_('rc-alice'));
    await untilState(alice, (s) => s.conversations.byKey['1:rc-bob']?.peerReadSeq === second.seq, 'bob read both');
    assert.equal(alice.state.conversations.byKey['1:rc-bob']!.peerDeliveredSeq, second.seq);
    assert.equal(alice.state.conversations.byKey['1:rc-bob']!.readSeq, 0, 'the peer\'s read is not alice\'s own');

    await bobOther.until(() => bobOther.changes.find((c) => c.readSeq === second.seq), 'bob\'s read moves on his other device');
    await alice.send(private_('rc-bob'), new TextMessage({ content: 'three' }));
    await bobEvents.text('three');
    await bobOther.text('three');
    const peerFields = (c: ConversationChange) => c.peerReadSeq !== undefined || c.peerDeliveredSeq !== undefined;
    assert.equal(bobEvents.changes.filter(peerFields).length, 0, 'the reader\'s device gets no peer receipt for its own read');
    assert.equal(bobOther.changes.filter(peerFields).length, 0, 'nor does the reader\'s other device');

    // Bob's message from one device reaches his other device: no delivery to alice follows from that.
    const fromBob = await bob.sendMessage(private_('rc-alice'), new TextMessage({ content: 'from bob' }));
    await bobOther.text('from bob');
    await aliceOther.text('from bob');
    await untilState(alice, (s) => s.conversations.byKey['1:rc-bob']?.latestMessage?.seq === fromBob.seq, 'alice has bob\'s message');

    const third = fromBob.seq - 1;
    await untilState(alice, (s) => s.conversations.byKey['1:rc-bob']?.peerDeliveredSeq === third, 'bob received the third');
    await bobEvents.until(() => bobEvents.changes.find((c) => c.peerDeliveredSeq === fromBob.seq), 'alice\'s devices received bob\'s message');
    await server.kill();
    server = await server.restart();
    const aliceAfter = await connect('rc-alice');
    const [entry] = await aliceAfter.getConversationList();
    assert.equal(entry!.targetId, 'rc-bob');
    assert.equal(entry!.peerReadSeq, second.seq, 'the read position came back');
    assert.equal(entry!.peerDeliveredSeq, third, 'the delivered position came back, not moved by bob\'s own message');
    const bobAfter = await connect('rc-bob');
    const [bobEntry] = await bobAfter.getConversationList();
    assert.equal(bobEntry!.peerDeliveredSeq, fromBob.seq, 'and for bob, alice\'s delivery came back');

    const reloaded = await startSession('rc-alice');
    // The sync's messages may list the conversation first; the list brings its receipts.
    await untilState(reloaded, (s) => s.conversations.loaded && s.conversations.byKey['1:rc-bob'], 'the conversation list');
    assert.equal(reloaded.state.conversations.byKey['1:rc-bob']!.peerReadSeq, second.seq, 'the store gets them from the list');
    assert.equal(reloaded.state.conversations.byKey['1:rc-bob']!.peerDeliveredSeq, third);
  });

  it('tells a group message\'s readers as members receive, read, join and leave; live member reads reach the others', async () => {
    await createGroup(server, 'rd-team', ['rd-ann', 'rd-ben', 'rd-cy', 'rd-dee']);
    const ann = await startSession('rd-ann');
    const annEvents = record(ann.client as IMClient);
    const ben = await connect('rd-ben');
    const benEvents = record(ben);
    const cy = await connect('rd-cy');
    const team = group('rd-team');

    const sent = await ann.send(team, new TextMessage({ content: 'hello team' }));
    assert.deepEqual(readAndUnread(await ann.getReaders(team, sent.seq!)), { readUserIds: [], unreadUserIds: ['rd-ben', 'rd-cy', 'rd-dee'] });

    // Delivery: the devices online have it (and say so); dee, offline, does not.
    await untilState(ann, (s) => s.conversations.byKey['3:rd-team']?.memberDeliveries?.['rd-ben'] === sent.seq
      && s.conversations.byKey['3:rd-team']?.memberDeliveries?.['rd-cy'] === sent.seq, 'ann hears ben and cy received it');
    assert.deepEqual((await ann.getReaders(team, sent.seq!)).deliveredUserIds, ['rd-ben', 'rd-cy']);

    await benEvents.text('hello team');
    await ben.clearUnreadCount(team);
    const live = await annEvents.until(() => annEvents.changes.find((c) => c.memberReadUserId === 'rd-ben'), 'ann hears ben read');
    assert.equal(live.memberReadSeq, sent.seq);
    assert.equal(live.peerReadSeq, undefined);
    await untilState(ann, (s) => s.conversations.byKey['3:rd-team']?.memberReads?.['rd-ben'] === sent.seq, 'in ann\'s store');
    assert.equal(ann.state.conversations.byKey['3:rd-team']!.readSeq, 0, 'ben\'s read is not ann\'s');
    assert.deepEqual(readAndUnread(await cy.getMessageReaders(team, sent.seq!)), { readUserIds: ['rd-ben'], unreadUserIds: ['rd-cy', 'rd-dee'] });

    await api(server, 'POST', '/api/group/join', { groupId: 'rd-team', userIds: ['rd-eve'] });
    const eve = await connect('rd-eve');
    const later = await ann.send(team, new TextMessage({ content: 'welcome eve' }));
    await eve.clearUnreadCount(team);
    await api(server, 'POST', '/api/group/quit', { groupId: 'rd-team', userIds: ['rd-dee'] });
    assert.deepEqual(readAndUnread(await ann.getReaders(team, sent.seq!)), { readUserIds: ['rd-ben'], unreadUserIds: ['rd-cy'] },
      'eve joined after the message, dee left: neither is listed');
    assert.deepEqual(readAndUnread(await ann.getReaders(team, later.seq!)), { readUserIds: ['rd-eve'], unreadUserIds: ['rd-ben', 'rd-cy'] });

    await assert.rejects(eve.getMessageReaders(team, 99), (e: IMError) => e.code === ErrorCode.PARAMETER_ERROR, 'only stored messages');
    const outsider = await connect('rd-out');
    await assert.rejects(outsider.getMessageReaders(team, sent.seq!), (e: IMError) => e.code === ErrorCode.NOT_IN_GROUP);
    const dee = await connect('rd-dee');
    await assert.rejects(dee.getMessageReaders(team, sent.seq!), (e: IMError) => e.code === ErrorCode.NOT_IN_GROUP, 'not after leaving');
  });

  it('a read on one device moves the read position on the other, with no peer receipt for either', async () => {
    const deviceA = await startSession('xd-ann');
    const deviceB = await startSession('xd-ann');
    const events = [record(deviceA.client as IMClient), record(deviceB.client as IMClient)];
    const ben = await connect('xd-ben');
    await ben.sendMessage(private_('xd-ann'), new TextMessage({ content: 'hi ann' }));
    await untilState(deviceB, (s) => s.conversations.byKey['1:xd-ben']?.unreadCount === 1, 'unread on B');
    await untilState(deviceA, (s) => s.conversations.byKey['1:xd-ben']?.unreadCount === 1, 'unread on A');
    await deviceA.open(private_('xd-ben'));
    await untilState(deviceB, (s) => s.conversations.byKey['1:xd-ben']?.unreadCount === 0, 'B follows A\'s read');
    await ben.sendMessage(private_('xd-ann'), new TextMessage({ content: 'fence' }));
    for (const device of events) await device.text('fence');
    for (const device of events) {
      assert.equal(device.changes.filter((c) => c.peerReadSeq !== undefined || c.peerDeliveredSeq !== undefined).length, 0);
    }
    assert.equal(deviceA.state.conversations.byKey['1:xd-ben']!.peerReadSeq ?? 0, 0);
    assert.equal(deviceB.state.conversations.byKey['1:xd-ben']!.peerReadSeq ?? 0, 0);
  });

  it('the typing message type round-trips with its default', () => {
    const content = new TypingStatusMessage();
    assert.equal(content.objectName, 'RC:TypSts');
    assert.deepEqual(content.toJSON(), { typingContentType: 'RC:TxtMsg' });
    assert.doesNotThrow(() => content.validate());
  });
});
