import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IMMessage } from '../../src/core/client/types.js';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import { MemoryStore } from '../../src/core/storage/key-value-store.js';
import { useTestServer, waitFor } from '../helpers/server.js';

describe('where a device with no past starts syncing (syncFrom)', () => {
  const suite = useTestServer();
  const connect = suite.connect;
  const text = (message: IMMessage) => (message.content as TextMessage).content;

  it('"now" starts after the newest message: the past is in the list and history, new messages arrive as before', async () => {
    const ann = await connect('sf-ann');
    const toBen = { conversationType: ConversationType.PRIVATE, targetId: 'sf-ben' };
    for (const content of ['old 1', 'old 2', 'old 3']) await ann.sendMessage(toBen, new TextMessage({ content }));

    const storage = new MemoryStore();
    const fresh = await connect('sf-ben', { syncFrom: 'now', storage });
    const replay = await connect('sf-ben');
    const seenByFresh: IMMessage[] = [];
    const seenByReplay: IMMessage[] = [];
    fresh.on('message', (message) => seenByFresh.push(message));
    replay.on('message', (message) => seenByReplay.push(message));
    await ann.sendMessage(toBen, new TextMessage({ content: 'new' }));
    await waitFor((check) => fresh.on('message', check), () => seenByFresh.length === 1, 'the new message');
    assert.deepEqual(seenByFresh.map(text), ['new']);
    // The default replays the inbox: the three old ones came before "new" (the listener was added after connect, so count on).
    await waitFor((check) => replay.on('message', check), () => seenByReplay.some((m) => text(m) === 'new'), 'the replaying device');

    const list = await fresh.getConversationList();
    assert.equal(list.find((c) => c.targetId === 'sf-ann')!.unreadCount, 4, 'the past is counted in the list');
    const history = await fresh.getHistoryMessages({ conversationType: ConversationType.PRIVATE, targetId: 'sf-ann' });
    assert.deepEqual(history.messages.map(text), ['old 1', 'old 2', 'old 3', 'new']);
    assert.ok(((await storage.get<number>('cursor')) ?? 0) >= 4, 'the starting point is kept for the next visit');
  });

  it('"now" leaves a device with a stored cursor to catch up from it', async () => {
    const cy = await connect('sf-cy');
    const storage = new MemoryStore();
    const device = await connect('sf-dee', { syncFrom: 'now', storage });
    await device.disconnect();
    for (const content of ['while away 1', 'while away 2']) {
      await cy.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'sf-dee' }, new TextMessage({ content }));
    }
    const seen: string[] = [];
    const back = await connect('sf-dee', { syncFrom: 'now', storage, environment: new EventTarget() });
    back.on('message', (message) => seen.push(text(message)));
    await waitFor((check) => back.on('message', check), () => seen.length === 2, 'the missed messages');
    assert.deepEqual(seen, ['while away 1', 'while away 2']);
  });
});
