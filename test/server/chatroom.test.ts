import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConversationType, ErrorCode, FrameType } from '../../src/core/protocol/codes.js';
import { PROTOCOL_VERSION } from '../../src/core/protocol/frames.js';
import type { im } from '../../src/core/protocol/generated/im.js';
import { InformationNotificationMessage, TextMessage } from '../../src/core/messages/index.js';
import type { IMClient } from '../../src/core/client/client.js';
import type { IMMessage } from '../../src/core/client/types.js';
import { MessagePriority, type ChatroomEntryEvent } from '../../src/core/client/chatroom.js';
import { api, tokenFor, useTestServer, waitFor } from '../helpers/server.js';
import { TcpWebSocket } from '../helpers/tcp-websocket.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { MemoryRoomStore } from '../../src/server/chatroom-store.js';

const room = (targetId: string) => ({ conversationType: ConversationType.CHATROOM, targetId });

/** Every message `client` receives from now on. */
function inbox(client: IMClient): { messages: IMMessage[]; until(predicate: (messages: IMMessage[]) => boolean, what: string): Promise<void> } {
  const messages: IMMessage[] = [];
  client.on('message', (message) => messages.push(message));
  return {
    messages,
    until: (predicate, what) => waitFor((check) => client.on('message', check), () => predicate(messages), what).then(() => undefined),
  };
}

const textOf = (message: IMMessage) => (message.content as TextMessage).content;

async function refusal(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: number }).code;
  }
  assert.fail('the call was not refused');
}

describe('chatrooms: join, quit, one room per user, live delivery', () => {
  const suite = useTestServer();

  it('members get messages live, with no seq, no unread and no conversation entry', async () => {
    const alice = await suite.connect('alice');
    const bob = await suite.connect('bob');
    const joined = await alice.joinChatRoom('lobby', -1);
    assert.deepEqual({ ...joined, messages: joined.messages.length }, { roomId: 'lobby', memberCount: 1, messages: 0 });
    const membersSeen = waitFor((check) => alice.on('chatroomMembers', check), () => true, 'a member count');
    assert.equal((await bob.joinChatRoom('lobby', -1)).memberCount, 2);
    await membersSeen;
    const aliceInbox = inbox(alice);
    const sent = await bob.sendMessage(room('lobby'), new TextMessage({ content: 'hello room' }));
    assert.equal(sent.seq, 0);
    await aliceInbox.until((m) => m.some((message) => textOf(message) === 'hello room'), 'the room message');
    const received = aliceInbox.messages.find((message) => textOf(message) === 'hello room')!;
    assert.deepEqual([received.conversationType, received.targetId, received.senderUserId, received.seq, received.persisted],
      [ConversationType.CHATROOM, 'lobby', 'bob', 0, false]);
    const conversations = await alice.getConversationList();
    assert.ok(!conversations.some((c) => c.conversationType === ConversationType.CHATROOM), 'no conversation entry for a room');
    const info = await alice.getChatRoomInfo('lobby', 20, 1);
    assert.equal(info.userTotalNums, 2);
    assert.deepEqual(info.userInfos.map((m) => m.userId), ['alice', 'bob']);
    assert.deepEqual((await alice.getChatRoomInfo('lobby', 1, 2)).userInfos.map((m) => m.userId), ['bob']);
  });

  it('joining another room leaves the first; quitting twice is NOT_IN_CHATROOM', async () => {
    const carol = await suite.connect('carol');
    const dave = await suite.connect('dave');
    await carol.joinChatRoom('r1', -1);
    await dave.joinChatRoom('r1', -1);
    await carol.joinChatRoom('r2', -1);
    assert.equal((await dave.getChatRoomInfo('r1', 20)).userTotalNums, 1);
    assert.equal(await refusal(carol.sendMessage(room('r1'), new TextMessage({ content: 'x' }))), ErrorCode.NOT_IN_CHATROOM);
    await carol.sendMessage(room('r2'), new TextMessage({ content: 'in r2' }));
    await carol.quitChatRoom('r2');
    assert.equal(await refusal(carol.quitChatRoom('r2')), ErrorCode.NOT_IN_CHATROOM);
  });

  it('only members send and read: NOT_IN_CHATROOM 23406 for everyone else, bad ids 23412', async () => {
    const erin = await suite.connect('erin');
    const frank = await suite.connect('frank');
    await erin.joinChatRoom('private-room', -1);
    await erin.setChatroomEntry('private-room', { key: 'topic', value: 'secret' });
    for (const call of [
      frank.sendMessage(room('private-room'), new TextMessage({ content: 'let me in' })),
      frank.getChatRoomInfo('private-room', 5),
      frank.getChatRoomHistoryMessages('private-room', 10),
      frank.getChatroomEntry('private-room', 'topic'),
      frank.getAllChatroomEntries('private-room'),
      frank.setChatroomEntry('private-room', { key: 'topic', value: 'mine' }),
      frank.forceRemoveChatroomEntry('private-room', { key: 'topic' }),
    ]) assert.equal(await refusal(call), ErrorCode.NOT_IN_CHATROOM);
    assert.equal(await refusal(frank.joinChatRoom('no spaces', -1)), ErrorCode.RC_CHATROOM_PATAMETER_INVALID);
    assert.equal(await refusal(erin.getChatRoomInfo('private-room', 21)), ErrorCode.RC_CHATROOM_PATAMETER_INVALID);
    assert.equal(await erin.getChatroomEntry('private-room', 'topic'), 'secret');
  });

  it('a member who disconnects stays in the room and gets what was said meanwhile on reconnect', async () => {
    const gina = await suite.connect('gina');
    const hal = await suite.connect('hal');
    await gina.joinChatRoom('radio', -1);
    await hal.joinChatRoom('radio', -1);
    await hal.sendMessage(room('radio'), new TextMessage({ content: 'before' }));
    const ginaInbox = inbox(gina);
    await ginaInbox.until((m) => m.some((message) => textOf(message) === 'before'), 'the first message');
    await gina.disconnect();
    for (const content of ['missed 1', 'missed 2', 'missed 3']) await hal.sendMessage(room('radio'), new TextMessage({ content }));
    assert.equal((await hal.getChatRoomInfo('radio', 20)).userTotalNums, 2, 'gina is still a member');
    const rejoined = waitFor((check) => gina.on('chatroomStatus', check), () => true, 'the rejoin');
    await gina.connect();
    await rejoined;
    await ginaInbox.until((m) => m.filter((message) => textOf(message).startsWith('missed')).length === 3, 'the missed messages');
    assert.deepEqual(ginaInbox.messages.map(textOf), ['before', 'missed 1', 'missed 2', 'missed 3'], 'each once, in order');
  });

  it('a cut connection: the client reconnects, rejoins by itself and gets each missed message once', async () => {
    const proxy = await FaultProxy.start({ upstreamPort: suite.server.port, seed: 1 });
    try {
      const kim = await suite.connect('kim', { url: `ws://127.0.0.1:${proxy.port}/im` });
      const lee = await suite.connect('lee');
      await kim.joinChatRoom('cut', -1);
      await lee.joinChatRoom('cut', -1);
      // Nothing was said in the room yet: the rejoin asks for everything after its start.
      const kimInbox = inbox(kim);
      // The network goes: the link is cut and nothing passes until it is back.
      proxy.pause();
      const lost = waitFor((check) => kim.on('disconnect', check), () => true, 'the lost link');
      proxy.cutAll();
      await lost;
      for (const content of ['while away 1', 'while away 2']) await lee.sendMessage(room('cut'), new TextMessage({ content }));
      const rejoined = waitFor((check) => kim.on('chatroomStatus', check), () => true, 'the rejoin');
      proxy.resume();
      await rejoined;
      await lee.sendMessage(room('cut'), new TextMessage({ content: 'after' }));
      await kimInbox.until((m) => m.some((message) => textOf(message) === 'after'), 'the message after the rejoin');
      assert.deepEqual(kimInbox.messages.map(textOf), ['while away 1', 'while away 2', 'after']);
      assert.equal((await lee.getChatRoomInfo('cut', 20)).userTotalNums, 2);
    } finally {
      await proxy.close();
    }
  });

  it('a member on long-polling gets room messages and KV notices too', async () => {
    const polling = await suite.connect('mia', { transports: ['polling'] });
    const ned = await suite.connect('ned');
    assert.equal(polling.transportName, 'polling');
    await polling.joinChatRoom('polled', -1);
    await ned.joinChatRoom('polled', -1);
    const pollingInbox = inbox(polling);
    const entry = waitFor((check) => polling.on('chatroomEntry', check), () => true, 'the KV notice');
    await ned.setChatroomEntry('polled', { key: 'k', value: 'v' });
    await entry;
    await ned.sendMessage(room('polled'), new TextMessage({ content: 'over polling' }), { priority: MessagePriority.LOW });
    await pollingInbox.until((m) => m.some((message) => textOf(message) === 'over polling'), 'the message');
  });

  it('the server leaves out the objectNames a member filters', async () => {
    const ivan = await suite.connect('ivan');
    const judy = await suite.connect('judy');
    await ivan.joinChatRoom('filtered', -1);
    await judy.joinChatRoom('filtered', -1);
    await judy.setFilterMessages(['RC:InfoNtf']);
    const judyInbox = inbox(judy);
    await ivan.sendMessage(room('filtered'), new InformationNotificationMessage({ message: 'noise' }));
    await ivan.sendMessage(room('filtered'), new TextMessage({ content: 'signal' }));
    await judyInbox.until((m) => m.some((message) => message.objectName === 'RC:TxtMsg'), 'the text');
    assert.deepEqual(judyInbox.messages.map((message) => message.objectName), ['RC:TxtMsg']);
  });
});

describe('chatrooms: the recent window and the member cap', () => {
  const suite = useTestServer({ extra: ['--chatroom-window', '5', '--chatroom-max-members', '2'] });

  it('history and join come from the bounded window, oldest first', async () => {
    const alice = await suite.connect('alice');
    await alice.joinChatRoom('hall', -1);
    const times: number[] = [];
    for (let i = 1; i <= 8; i++) times.push((await alice.sendMessage(room('hall'), new TextMessage({ content: `m${i}` }))).sentTime);
    const latest = await alice.getChatRoomHistoryMessages('hall', 50, 0, 0);
    assert.deepEqual(latest.messages.map(textOf), ['m4', 'm5', 'm6', 'm7', 'm8'], 'the window keeps 5');
    const older = await alice.getChatRoomHistoryMessages('hall', 50, 0, times[5]!);
    assert.deepEqual(older.messages.map(textOf), ['m4', 'm5']);
    const two = await alice.getChatRoomHistoryMessages('hall', 2, 0, 0);
    assert.deepEqual([two.messages.map(textOf), two.hasMore], [['m7', 'm8'], true]);
    const newer = await alice.getChatRoomHistoryMessages('hall', 2, 1, times[4]!);
    assert.deepEqual([newer.messages.map(textOf), newer.hasMore], [['m6', 'm7'], true]);
    const bob = await suite.connect('bob');
    const joined = await bob.joinChatRoom('hall', 3);
    assert.deepEqual(joined.messages.map(textOf), ['m6', 'm7', 'm8']);
    const carol = await suite.connect('carol');
    assert.equal(await refusal(carol.joinChatRoom('hall', -1)), ErrorCode.RC_CHATROOM_IS_FULL);
  });

  it("keeps each content's own bytes, not the socket read it came in (the byte cap bounds the memory)", async () => {
    const rooms = new MemoryRoomStore();
    await rooms.join('hall', 'alice', 1, 0);
    const bytes = new TextEncoder().encode(JSON.stringify({ content: 'a few bytes' }));
    // As a frame's content arrives: a view into a read that holds other frames too.
    const read = Buffer.alloc(64 * 1024);
    read.set(bytes, 4096);
    await rooms.append('hall', {
      id: 0, conversationKey: 'chatroom:hall', conversationType: ConversationType.CHATROOM, senderUserId: 'alice', clientMsgId: 'c1',
      messageUid: 'uid', objectName: 'RC:TxtMsg', content: read.subarray(4096, 4096 + bytes.length), seq: 0, counted: false,
    }, 2, 10, 1024);
    const [kept] = (await rooms.recent('hall')).messages;
    assert.deepEqual([...kept!.content], [...bytes]);
    assert.equal(kept!.content.buffer.byteLength, bytes.length);
  });
});

describe('chatrooms: KV entries', () => {
  const suite = useTestServer();

  it('set, overwrite, force, remove, limits and live notices with the seed codes', async () => {
    const alice = await suite.connect('alice');
    const bob = await suite.connect('bob');
    await alice.joinChatRoom('kv', -1);
    await bob.joinChatRoom('kv', -1);
    const notices: ChatroomEntryEvent[] = [];
    bob.on('chatroomEntry', (event) => notices.push(event));
    await alice.setChatroomEntry('kv', { key: 'title', value: 'one' });
    await alice.setChatroomEntry('kv', { key: 'title', value: 'two' });
    assert.equal(await refusal(bob.setChatroomEntry('kv', { key: 'title', value: 'mine' })), ErrorCode.CHATROOM_KV_OVERWRITE_INVALID);
    await bob.forceSetChatroomEntry('kv', { key: 'title', value: 'forced' });
    assert.equal(await alice.getChatroomEntry('kv', 'title'), 'forced');
    assert.equal(await refusal(alice.removeChatroomEntry('kv', { key: 'title' })), ErrorCode.CHATROOM_KV_OVERWRITE_INVALID);
    await alice.forceRemoveChatroomEntry('kv', { key: 'title' });
    assert.equal(await refusal(alice.getChatroomEntry('kv', 'title')), ErrorCode.CHATROOM_KEY_NOT_EXIST);
    assert.equal(await refusal(alice.removeChatroomEntry('kv', { key: 'title' })), ErrorCode.CHATROOM_KEY_NOT_EXIST);
    await waitFor((check) => bob.on('chatroomEntry', check), () => notices.length >= 4, 'four notices');
    assert.deepEqual(notices.map((n) => [n.type, n.key, n.value, n.userId]), [
      [1, 'title', 'one', 'alice'], [1, 'title', 'two', 'alice'], [1, 'title', 'forced', 'bob'], [2, 'title', '', 'alice'],
    ]);
    for (let i = 0; i < 100; i++) await alice.setChatroomEntry('kv', { key: `k${i}`, value: String(i), isSendNotification: false });
    assert.equal(await refusal(alice.setChatroomEntry('kv', { key: 'k100', value: 'x' })), ErrorCode.CHATROOM_KV_EXCEED);
    await alice.setChatroomEntry('kv', { key: 'k5', value: 'changed' });
    const all = await bob.getAllChatroomEntries('kv');
    assert.equal(Object.keys(all).length, 100);
    assert.equal(all.k5, 'changed');
  });

  it('autoDelete entries go when their setter leaves', async () => {
    const carol = await suite.connect('carol');
    const dave = await suite.connect('dave');
    await carol.joinChatRoom('auto', -1);
    await dave.joinChatRoom('auto', -1);
    const events: ChatroomEntryEvent[] = [];
    dave.on('chatroomEntry', (event) => events.push(event));
    const heard = (count: number, what: string) => waitFor((check) => dave.on('chatroomEntry', check), () => events.length >= count, what);
    await carol.setChatroomEntry('auto', { key: 'seat', value: 'carol', autoDelete: true });
    await carol.setChatroomEntry('auto', { key: 'note', value: 'stays' });
    // Both set notices heard first: they are pushed, and may land after carol's own answers.
    await heard(2, 'the two set notices');
    await carol.quitChatRoom('auto');
    await heard(3, 'the removal');
    assert.deepEqual(events.slice(2).map((e) => [e.type, e.key]), [[2, 'seat']]);
    assert.equal(await refusal(dave.getChatroomEntry('auto', 'seat')), ErrorCode.CHATROOM_KEY_NOT_EXIST);
    assert.equal(await dave.getChatroomEntry('auto', 'note'), 'stays');
  });
});

describe('chatrooms: a membership lapses after the keep time without a connection', () => {
  const suite = useTestServer({ extra: ['--chatroom-keep-seconds', '1'] });

  it('the others see the count drop', async () => {
    const alice = await suite.connect('alice');
    const bob = await suite.connect('bob');
    await alice.joinChatRoom('brief', -1);
    await bob.joinChatRoom('brief', -1);
    let count = 0;
    bob.on('chatroomMembers', (event) => { count = event.count; });
    await alice.disconnect();
    await waitFor((check) => bob.on('chatroomMembers', check), () => count === 1, 'the count of 1');
    assert.equal((await bob.getChatRoomInfo('brief', 20)).userTotalNums, 1);
  });
});

describe('chatrooms: priorities for a slow reader', () => {
  const suite = useTestServer({ extra: ['--max-queued-bytes', String(1024 * 1024)] });

  it('LOW is dropped first, then NORMAL; HIGH is never dropped; the drops are counted', async () => {
    const alice = await suite.connect('alice');
    const bob = await suite.connect('bob');
    await alice.joinChatRoom('stage', -1);
    await bob.joinChatRoom('stage', -1);
    const slow = await TcpWebSocket.open(suite.server.wsUrl);
    slow.send({ type: FrameType.CONNECT, body: { protocolVersion: PROTOCOL_VERSION, token: await tokenFor(suite.server, 'slow'), deviceId: 'raw', platform: 'test' } });
    await slow.collect(FrameType.CONNACK, 1);
    slow.send({ type: FrameType.QUERY, body: { requestId: 1, topic: 'room.join', body: new TextEncoder().encode(JSON.stringify({ roomId: 'stage', count: -1 })) } });
    const [joinAck] = await slow.collect(FrameType.QUERYACK, 1);
    assert.equal((joinAck!.body as im.QueryAck).code, 0);
    slow.stopReading();

    const metrics = async () => (await api(suite.server, 'GET', '/api/metrics')).json as Record<string, number>;
    const padding = 'x'.repeat(32_000);
    const sent = { low: 0, normal: 0, high: 0 };
    let round = 0;
    let roundsAfterFirstDrop = -1;
    let normalDropsAtFirstLowDrop = -1;
    const bobInbox = inbox(bob);
    // Fill the kernel's buffers, then the server's, until LOW messages are dropped; a few rounds more.
    while (roundsAfterFirstDrop < 4) {
      round++;
      assert.ok(round < 1000, 'LOW messages were dropped at some point');
      for (const [name, priority] of [['low', MessagePriority.LOW], ['normal', MessagePriority.NORMAL], ['high', MessagePriority.HIGH]] as const) {
        await alice.sendMessage(room('stage'), new TextMessage({ content: `${name}:${round}:${padding}` }), { priority });
        sent[name]++;
      }
      const now = await metrics();
      if (roundsAfterFirstDrop >= 0) roundsAfterFirstDrop++;
      else if (now.chatroomDroppedLow! > 0) {
        roundsAfterFirstDrop = 0;
        normalDropsAtFirstLowDrop = now.chatroomDroppedNormal!;
      }
    }
    await alice.sendMessage(room('stage'), new TextMessage({ content: 'end' }), { priority: MessagePriority.HIGH });
    const drops = await metrics();
    assert.equal(normalDropsAtFirstLowDrop, 0, 'no NORMAL message was dropped before the first LOW');
    assert.equal(drops.chatroomDroppedHigh, 0);
    assert.ok(drops.chatroomDroppedLow! >= drops.chatroomDroppedNormal!);

    // The fast reader got everything.
    await bobInbox.until((m) => m.some((message) => textOf(message) === 'end'), 'the end marker at bob');
    assert.equal(bobInbox.messages.length, sent.low + sent.normal + sent.high + 1);

    // The slow one, reading again, gets every HIGH message and the others less the drops.
    slow.socket.resume();
    const texts = () => slow.frames.filter((frame) => frame.type === FrameType.PUBLISH)
      .map((frame) => (frame.body as im.Publish).message)
      .filter((message) => message?.objectName === 'RC:TxtMsg')
      .map((message) => JSON.parse(new TextDecoder().decode(message!.content!)).content as string);
    while (!texts().includes('end')) {
      await slow.collect(FrameType.PUBLISH, slow.frames.filter((frame) => frame.type === FrameType.PUBLISH).length + 1);
    }
    const got = (name: string) => texts().filter((text) => text.startsWith(`${name}:`)).length;
    assert.equal(got('high'), sent.high);
    assert.equal(got('low'), sent.low - drops.chatroomDroppedLow!);
    assert.equal(got('normal'), sent.normal - drops.chatroomDroppedNormal!);
    slow.destroy();
  });
});
