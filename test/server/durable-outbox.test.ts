import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConversationType, FrameType } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import { MemoryStore } from '../../src/core/storage/key-value-store.js';
import type { IMMessage } from '../../src/core/client/types.js';
import { connectClient, startTestServer, tokenFor, waitFor, type TestServer } from '../helpers/server.js';
import { RawSocket } from '../helpers/raw-socket.js';

// A "reload" here is a second IMClient on the same storage after the first one is gone; the
// Chromium test of the same with IndexedDB and a real page reload is part of the offline work.
describe('durable outbox and cursor', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.dispose());

  it('a message sent while the server is down survives the client and is delivered once by the next one', async () => {
    const storage = new MemoryStore();
    const receiver = await connectClient(server, 'do-bob');
    const received: IMMessage[] = [];
    receiver.on('message', (m) => received.push(m));

    const first = await connectClient(server, 'do-alice', { storage });
    const toBob = { conversationType: ConversationType.PRIVATE, targetId: 'do-bob' };
    await first.sendMessage(toBob, new TextMessage({ content: 'before' }));
    const scheduled = new Promise((resolve) => first.on('schedule', resolve));
    await server.kill('SIGKILL');
    await scheduled;
    const pending = first.sendMessage(toBob, new TextMessage({ content: 'while the server was down' }));
    pending.catch(() => undefined);
    assert.deepEqual(first.getPendingMessages().map((m) => (m.content as TextMessage).content), ['while the server was down']);
    await first.disconnect(); // the page goes away with the message unsent
    assert.deepEqual((await storage.keys('outbox:')).length, 1, 'the unsent message is in storage');

    server = await server.restart();
    await waitFor((check) => { receiver.on('reconnect', check); return () => {}; }, () => receiver.status === 0, 'receiver back');
    const second = await connectClient(server, 'do-alice', { storage });
    const sent = await new Promise<IMMessage>((resolve) => {
      if (second.getPendingMessages().length === 0) resolve(undefined as never);
      second.on('sent', resolve);
    });
    assert.equal((sent.content as TextMessage).content, 'while the server was down');
    await waitFor((check) => receiver.on('message', check), () => received.length >= 2, 'delivery');
    assert.deepEqual(received.map((m) => (m.content as TextMessage).content), ['before', 'while the server was down']);
    await second.getConversationList(); // answered after the sync that came before it on the same link
    await second.disconnect();
    assert.deepEqual(await storage.keys('outbox:'), [], 'the outbox is empty once the server has it');
    assert.ok(((await storage.get<number>('cursor')) ?? 0) > 0, 'the sync cursor is kept');
    await receiver.disconnect();
  });

  it('answers a resent message (same clientMsgId) with the stored one and delivers it no second time', async () => {
    // At the protocol level: a client that lost the PUBACK sends again (dup). The receiving
    // client here is a bare socket, so nothing of ours hides a second delivery from the test.
    const sender = await RawSocket.connected(server.wsUrl, await tokenFor(server, 'dup-alice'));
    const receiver = await RawSocket.connected(server.wsUrl, await tokenFor(server, 'dup-bob'));
    const publish = (requestId: number, clientMsgId: string, dup = false) => sender.send({ type: FrameType.PUBLISH, dup, qos: 1, body: {
      requestId, outgoing: {
        clientMsgId, conversationType: ConversationType.PRIVATE, targetId: 'dup-bob', objectName: 'RC:TxtMsg',
        content: new TextEncoder().encode(JSON.stringify({ content: clientMsgId })),
      },
    } });
    type Ack = { requestId: number; code: number; messageUid: string; seq: number };
    publish(1, 'dup-first');
    const first = (await sender.next(FrameType.PUBACK)).body as Ack;
    publish(2, 'dup-first', true);
    const again = (await sender.next(FrameType.PUBACK)).body as Ack;
    assert.deepEqual([again.requestId, again.code, again.messageUid, again.seq], [2, 0, first.messageUid, first.seq], 'the stored message');
    // A fan-out goes out with its PUBACK, so a second delivery would come before the next
    // message's, sent once the resend was answered.
    publish(3, 'dup-next');
    const delivered = await receiver.collect([FrameType.PUBLISH], 2);
    assert.deepEqual(delivered.map((frame) => (frame.body as { message?: { clientMsgId: string } }).message?.clientMsgId),
      ['dup-first', 'dup-next'], 'each once');
    sender.close();
    receiver.close();
  });

  it('a client on stored storage syncs on from its cursor instead of replaying everything', async () => {
    const storage = new MemoryStore();
    const writer = await connectClient(server, 'do-writer');
    const to = { conversationType: ConversationType.PRIVATE, targetId: 'do-reader' };
    await writer.sendMessage(to, new TextMessage({ content: 'old 1' }));
    await writer.sendMessage(to, new TextMessage({ content: 'old 2' }));
    const reader = await connectClient(server, 'do-reader', { storage });
    const seen: string[] = [];
    reader.on('message', (m) => seen.push((m.content as TextMessage).content));
    await waitFor((check) => reader.on('message', check), () => seen.length >= 2, 'first sync');
    await reader.disconnect();
    await writer.sendMessage(to, new TextMessage({ content: 'new' }));

    const again = await connectClient(server, 'do-reader', { storage });
    const later: string[] = [];
    again.on('message', (m) => later.push((m.content as TextMessage).content));
    await waitFor((check) => again.on('message', check), () => later.length >= 1, 'second sync');
    await again.getConversationList(); // one more round trip: nothing else is on its way
    assert.deepEqual(later, ['new']);
    await again.disconnect();
    await writer.disconnect();
  });
});
