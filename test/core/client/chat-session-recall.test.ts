import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConversationType } from '../../../src/core/protocol/codes.js';
import { CommandMessage, RecallNotificationMessage, TextMessage } from '../../../src/core/messages/index.js';
import { ChatSession } from '../../../src/core/client/chat-session.js';
import { recallItem, receiveMessage, initialChatState, type ChatState, type MessageItem } from '../../../src/core/store/chat-state.js';
import { useTestServer, waitFor } from '../../helpers/server.js';

describe('ChatSession: recall and live-only messages', () => {
  const suite = useTestServer();
  const start = suite.session;
  const until = <T>(session: ChatSession, predicate: (state: ChatState) => T, what: string) =>
    waitFor((check) => session.store.subscribe(check), () => predicate(session.state), what);

  it('a recall turns the bubble and the preview into the notice in place, for the reader and the sender', async () => {
    const ana = await start('rs-ana');
    const ben = await start('rs-ben');
    const toBen = { conversationType: ConversationType.PRIVATE, targetId: 'rs-ben' };
    const toAna = { conversationType: ConversationType.PRIVATE, targetId: 'rs-ana' };
    await ana.open(toBen);
    await ben.open(toAna);
    await ana.send(toBen, new TextMessage({ content: 'keep' }));
    const sent = await ana.send(toBen, new TextMessage({ content: 'oops' }));
    await until(ben, (s) => s.windows['1:rs-ana']?.items.length === 2, 'both messages at ben');
    // A command is not a bubble.
    await ana.client.sendMessage(toBen, new CommandMessage({ name: 'nudge' }));
    await ana.client.recallMessage(toBen, { messageUid: sent.messageUid! });
    for (const [session, key] of [[ben, '1:rs-ana'], [ana, '1:rs-ben']] as const) {
      const items = await until(session,
        (s) => s.windows[key]?.items.at(-1)?.objectName === 'RC:RcNtf' && s.windows[key]!.items, `the notice in ${key}`) as readonly MessageItem[];
      assert.deepEqual(items.map((item) => item.objectName), ['RC:TxtMsg', 'RC:RcNtf'], 'replaced in place, no command bubble');
      assert.equal(items[1]!.messageUid, sent.messageUid);
      assert.ok(items[1]!.content instanceof RecallNotificationMessage);
      assert.equal((items[1]!.content as RecallNotificationMessage).operatorId, 'rs-ana');
      assert.equal(session.state.conversations.byKey[key]!.latestMessage!.objectName, 'RC:RcNtf');
    }
  });
});

describe('recallItem', () => {
  const item = (seq: number, direction: 1 | 2, content = `m${seq}`): MessageItem => ({
    id: `c${seq}`, conversationType: 1, targetId: 'x', senderUserId: 'x', objectName: 'RC:TxtMsg', content: new TextMessage({ content }),
    messageUid: `U${seq}`, seq, sentTime: seq, direction, status: 'sent',
  });
  const notice = new RecallNotificationMessage({ operatorId: 'x', recallTime: 9, originalObjectName: 'RC:TxtMsg' });

  it('replaces the preview of a conversation whose window is not loaded, and takes it off the unread count', () => {
    let state = initialChatState(0);
    state = receiveMessage(state, item(1, 2), { counted: true });
    state = receiveMessage(state, item(2, 2), { counted: true });
    assert.equal(state.conversations.byKey['1:x']!.unreadCount, 2);
    const next = recallItem(state, '1:x', 'U2', notice);
    const entry = next.conversations.byKey['1:x']!;
    assert.equal(entry.latestMessage!.content, notice);
    assert.equal(entry.latestMessage!.seq, 2);
    assert.equal(entry.unreadCount, 1);
    assert.equal(recallItem(next, '1:x', 'U2', notice).conversations.byKey['1:x']!.unreadCount, 1, 'applying it twice changes nothing more');
  });

  it('leaves the state alone for a message it does not hold', () => {
    const state = receiveMessage(initialChatState(0), item(1, 2), { counted: true });
    assert.equal(recallItem(state, '1:x', 'U7', notice), state);
  });
});
