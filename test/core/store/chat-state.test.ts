import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TextMessage } from '../../../src/core/messages/index.js';
import {
  conversationName, entryOf, initialChatState, markRead, setUser, receiveConversations, receiveHistory, receiveMessage, removeConversation, selectConversations,
  selectTotalUnread, setActive, setConversationFlags, setDraft, updateItem, type ChatState, type MessageItem,
  noteMemberRead, selectTypingUsers, setPeerReceipts, setTyping, deleteItems, windowOf, placeArrivalAfterPage, noteArrivalAfterList,
} from '../../../src/core/store/chat-state.js';
import { Store, watch } from '../../../src/core/store/store.js';

const item = (over: Partial<MessageItem> & { seq?: number }): MessageItem => ({
  id: `id-${over.seq ?? Math.random()}`, conversationType: 1, targetId: 'bob', senderUserId: 'bob', objectName: 'RC:TxtMsg',
  content: new TextMessage({ content: `m${over.seq}` }), messageUid: over.seq === undefined ? undefined : `uid-${over.seq}`,
  sentTime: 1000 + (over.seq ?? 0), direction: 2, status: 'sent', ...over,
});

const conversation = (targetId: string, updatedTime: number, unreadCount = 0) => ({
  conversationType: 1, targetId, unreadCount, readSeq: 0, updatedTime, latestMessage: undefined,
});

describe('chat state', () => {
  it('orders conversations pinned first, then by latest activity, and keeps untouched slices identical', () => {
    let state = receiveConversations(initialChatState(), [conversation('a', 10), conversation('b', 30), conversation('c', 20)], { hasMore: false, replace: true });
    assert.deepEqual(state.conversations.keys, ['1:b', '1:c', '1:a']);
    const windows = state.windows;
    state = setConversationFlags(state, '1:a', { pinned: true });
    assert.deepEqual(state.conversations.keys, ['1:a', '1:b', '1:c']);
    assert.equal(state.windows, windows, 'a change elsewhere keeps the windows object');
    state = receiveMessage(state, item({ targetId: 'c', seq: 1, sentTime: 99 }), { counted: true });
    assert.deepEqual(state.conversations.keys, ['1:a', '1:c', '1:b']);
    assert.deepEqual(selectConversations(state).map((c) => c.unreadCount), [0, 1, 0]);
  });

  it('counts received messages as unread, but not its own, uncounted ones, or in the open conversation', () => {
    let state: ChatState = initialChatState();
    state = receiveMessage(state, item({ seq: 1 }), { counted: true });
    state = receiveMessage(state, item({ seq: 2, direction: 1, senderUserId: 'me' }), { counted: true });
    state = receiveMessage(state, item({ seq: 3 }), { counted: false });
    assert.equal(state.conversations.byKey['1:bob']!.unreadCount, 1);
    state = setActive(state, '1:bob');
    state = receiveMessage(state, item({ seq: 4 }), { counted: true });
    assert.equal(state.conversations.byKey['1:bob']!.unreadCount, 1);
    assert.equal(selectTotalUnread(state), 1);
    state = setConversationFlags(state, '1:bob', { muted: true });
    assert.equal(selectTotalUnread(state), 0, 'muted conversations do not add to the total');
  });

  it('takes pins and mutes from the server when the list carries them, else keeps the ones known', () => {
    let state = receiveConversations(initialChatState(), [conversation('a', 10), conversation('b', 20)], { hasMore: false, replace: true });
    state = setConversationFlags(state, '1:a', { pinned: true, muted: true });
    state = receiveConversations(state, [conversation('a', 10), { ...conversation('b', 20), pinned: true, muted: false }], { hasMore: false, replace: true });
    assert.deepEqual(selectConversations(state).map((c) => [c.targetId, c.pinned, c.muted]), [['b', true, false], ['a', true, true]]);
    state = receiveConversations(state, [{ ...conversation('a', 10), pinned: false, muted: false }], { hasMore: false, replace: false });
    assert.deepEqual(selectConversations(state).map((c) => [c.targetId, c.pinned]), [['b', true], ['a', false]]);
  });

  it('drops messages deleted for the user (by uid, or up to a seq) from the window and the preview, and keeps them out', () => {
    let state = receiveHistory(initialChatState(), '1:bob', [1, 2, 3, 4].map((seq) => item({ seq })), { hasOlder: false, latest: true });
    state = receiveConversations(state, [{ ...conversation('bob', 1004), latestMessage: item({ seq: 4 }) }], { hasMore: false, replace: true });
    state = deleteItems(state, '1:bob', { messageUids: ['uid-4', 'uid-9'] });
    assert.deepEqual(windowOf(state, '1:bob').items.map((i) => i.seq), [1, 2, 3]);
    assert.equal(state.conversations.byKey['1:bob']!.latestMessage?.seq, 3, 'the newest one left');
    state = receiveHistory(state, '1:bob', [item({ seq: 4 })], { hasOlder: false, latest: false });
    assert.deepEqual(windowOf(state, '1:bob').items.map((i) => i.seq), [1, 2, 3], 'kept out of later pages');
    state = deleteItems(state, '1:bob', { clearedSeq: 3 });
    assert.deepEqual(windowOf(state, '1:bob').items, []);
    assert.equal(state.conversations.byKey['1:bob']!.latestMessage, undefined);
    assert.equal(deleteItems(state, '1:nobody', { clearedSeq: 3 }).conversations, state.conversations);
  });

  it('drops from a window what the newest page lacks within its span: deleted on another device while this one was away', () => {
    let state = receiveHistory(initialChatState(), '1:bob', [2, 3, 4, 5, 6].map((seq) => item({ seq })), { hasOlder: true, latest: true });
    state = receiveMessage(state, item({ seq: 8 }), { counted: true });
    state = receiveHistory(state, '1:bob', [3, 5, 6].map((seq) => item({ seq })), { hasOlder: true, latest: true });
    assert.deepEqual(windowOf(state, '1:bob').items.map((i) => i.seq), [2, 3, 5, 6, 8], 'older than the page, or newer: kept');
    state = receiveHistory(state, '1:bob', [5, 8].map((seq) => item({ seq })), { hasOlder: false, latest: true });
    assert.deepEqual(windowOf(state, '1:bob').items.map((i) => i.seq), [5, 8], 'no older ones: the page is all there is');
  });

  it('keeps a message that arrives while the newest page is on its way, whichever of the two lands first', () => {
    // The page was read before the message was stored, and lands after it.
    let state = receiveConversations(initialChatState(), [{ ...conversation('bob', 1002), latestMessage: item({ seq: 2 }) }], { hasMore: false, replace: true });
    state = receiveMessage(state, item({ seq: 3 }), { counted: true });
    assert.deepEqual(windowOf(state, '1:bob').items, [], 'a window not loaded stays empty');
    state = receiveHistory(state, '1:bob', [1, 2].map((seq) => item({ seq })), { hasOlder: false, latest: true });
    state = placeArrivalAfterPage(state, '1:bob', item({ seq: 3 }));
    assert.deepEqual(windowOf(state, '1:bob').items.map((i) => i.seq), [1, 2, 3]);

    // The page was read after the message was stored, and lands before it.
    state = receiveHistory(initialChatState(), '1:bob', [1, 2, 3].map((seq) => item({ seq })), { hasOlder: false, latest: true });
    state = receiveConversations(state, [{ ...conversation('bob', 1002), latestMessage: item({ seq: 2 }) }], { hasMore: false, replace: true });
    state = receiveMessage(state, item({ seq: 3 }), { counted: true });
    assert.deepEqual(windowOf(state, '1:bob').items.map((i) => i.seq), [1, 2, 3], 'shown once');
    const entry = state.conversations.byKey['1:bob']!;
    assert.deepEqual([entry.latestMessage?.seq, entry.updatedTime, entry.unreadCount], [3, 1003, 0], 'the preview moves to it; shown with the page, it is not unread');
  });

  it('notes again what arrived while a conversation list was on its way, where the list was read before it', () => {
    const arrivals = [{ item: item({ seq: 3 }), counted: true, reading: false }, { item: item({ targetId: 'cy', seq: 7 }), counted: true, reading: true }];
    const listed = (seqBob: number, unread: number) => receiveConversations(initialChatState(), [
      { ...conversation('bob', 1000 + seqBob, unread), latestMessage: item({ seq: seqBob }) },
    ], { hasMore: false, replace: true });
    const again = (state: ChatState) => arrivals.reduce(noteArrivalAfterList, state);
    let state = again(listed(3, 1));
    assert.deepEqual([state.conversations.byKey['1:bob']!.latestMessage?.seq, state.conversations.byKey['1:bob']!.unreadCount], [3, 1], 'read after it: as listed');
    assert.equal(state.conversations.byKey['1:cy']!.latestMessage?.seq, 7, 'a conversation the list did not have yet');
    assert.equal(state.conversations.byKey['1:cy']!.unreadCount, 0, 'it was being read');
    state = again(listed(2, 1));
    assert.deepEqual([state.conversations.byKey['1:bob']!.latestMessage?.seq, state.conversations.byKey['1:bob']!.unreadCount], [3, 2], 'read before it');
    const sending = item({ id: 'local-1', direction: 1, status: 'sending', messageUid: undefined, seq: undefined, senderUserId: 'me' });
    state = noteArrivalAfterList(listed(9, 0), { item: sending, counted: false, reading: true });
    assert.equal(state.conversations.byKey['1:bob']!.latestMessage?.id, 'local-1', 'a send still on its way is newer than anything listed');
  });

  it('keeps a window in seq order without duplicates, sends last until acknowledged', () => {
    let state = receiveHistory(initialChatState(), '1:bob', [item({ seq: 4 }), item({ seq: 5 })], { hasOlder: true, latest: true });
    state = receiveMessage(state, item({ seq: 6 }), { counted: true });
    state = receiveMessage(state, item({ seq: 6 }), { counted: true });
    const sending = item({ id: 'local-1', direction: 1, status: 'sending', messageUid: undefined, seq: undefined, senderUserId: 'me' });
    state = receiveMessage(state, sending, { counted: false });
    state = receiveMessage(state, item({ seq: 7 }), { counted: true });
    assert.deepEqual(state.windows['1:bob']!.items.map((m) => m.seq ?? m.id), [4, 5, 6, 7, 'local-1']);
    state = updateItem(state, '1:bob', 'local-1', { status: 'sent', seq: 8, messageUid: 'uid-8' });
    state = receiveHistory(state, '1:bob', [item({ seq: 2 }), item({ seq: 3 }), item({ seq: 4 })], { hasOlder: false, latest: false });
    const window = state.windows['1:bob']!;
    assert.deepEqual(window.items.map((m) => m.seq), [2, 3, 4, 5, 6, 7, 8]);
    assert.equal(window.hasOlder, false);
    assert.equal(window.items.at(-1)!.status, 'sent');
  });

  it('moves the read position forward only, and removes conversations', () => {
    let state = receiveHistory(initialChatState(), '1:bob', [], { hasOlder: false, latest: true });
    for (let seq = 1; seq <= 3; seq++) state = receiveMessage(state, item({ seq }), { counted: true });
    assert.equal(state.conversations.byKey['1:bob']!.unreadCount, 3);
    state = markRead(state, '1:bob', 2);
    assert.equal(state.conversations.byKey['1:bob']!.unreadCount, 1);
    const same = markRead(state, '1:bob', 1);
    assert.equal(same.conversations.byKey['1:bob']!.readSeq, 2);
    state = markRead(state, '1:bob', 3);
    assert.equal(state.conversations.byKey['1:bob']!.unreadCount, 0);
    state = removeConversation(state, '1:bob');
    assert.deepEqual(state.conversations.keys, []);
  });

  it('treats ids as data: a user or group called "constructor" is found only once set', () => {
    let state = initialChatState();
    assert.equal(conversationName(state, { conversationType: 1, targetId: 'constructor' }), 'constructor');
    state = setUser(state, 'constructor', { name: 'Object' });
    assert.deepEqual(state.users.constructor, { name: 'Object' }, 'the store took it, not Object.prototype\'s');
    assert.equal(conversationName(state, { conversationType: 1, targetId: 'constructor' }), 'Object');
    assert.equal(entryOf(state.groups, '__proto__'), undefined);
  });

  it("names an agent's customer-service conversation after its visitor, by profile when known", () => {
    let state = initialChatState();
    const agentSide = { conversationType: 5, targetId: 'visitor-abc@service' };
    assert.equal(conversationName(state, agentSide), 'visitor-abc');
    state = setUser(state, 'visitor-abc', { name: 'Dana' });
    assert.equal(conversationName(state, agentSide), 'Dana');
    assert.equal(conversationName(state, { conversationType: 5, targetId: 'service' }), 'service', "the visitor's side is the group");
  });

  it('keeps drafts per conversation, dropping empty ones', () => {
    let state = setDraft(initialChatState(), '1:bob', 'half a thought');
    assert.deepEqual(state.drafts, { '1:bob': 'half a thought' });
    assert.equal(setDraft(state, '1:bob', 'half a thought'), state);
    state = setDraft(state, '1:bob', '');
    assert.deepEqual(state.drafts, {});
  });

  it('notifies subscribers of changes, and watchers only when their slice changes', () => {
    const store = new Store(initialChatState());
    let notified = 0;
    let drafts = 0;
    store.subscribe(() => notified++);
    watch(store, (state) => state.drafts, () => drafts++);
    store.update((state) => setDraft(state, '1:bob', 'x'));
    store.update((state) => state);
    store.update((state) => setActive(state, '1:bob'));
    assert.equal(notified, 2, 'an update that returns the same state notifies nobody');
    assert.equal(drafts, 1);
  });
});

describe('chat state: typing and receipts', () => {
  it('keeps typing per conversation and user, lists who is still typing at a time, and clears it', () => {
    let state = setTyping(initialChatState(), '1:ann', 'ann', 2000);
    state = setTyping(state, '3:team', 'ben', 1500);
    state = setTyping(state, '3:team', '__proto__', 3000);
    assert.deepEqual(selectTypingUsers(state, '3:team', 1000), ['ben', '__proto__']);
    assert.deepEqual(selectTypingUsers(state, '3:team', 2000), ['__proto__'], 'expired entries are not listed');
    assert.equal(setTyping(state, '1:ann', 'ann', 2000), state, 'no change, same state');
    state = setTyping(state, '1:ann', 'ann', undefined);
    assert.equal(state.typing['1:ann'], undefined, 'the last typist gone, the conversation is dropped');
    assert.equal(setTyping(state, '1:ann', 'ann', undefined), state);
    assert.deepEqual(selectTypingUsers(state, '9:none', 0), []);
  });

  it('moves peer receipts forward only, keeps them through messages, and takes them from the list', () => {
    let state = receiveConversations(initialChatState(), [{ ...conversation('bob', 10), peerReadSeq: 2, peerDeliveredSeq: 3 }],
      { hasMore: false, replace: true });
    assert.equal(state.conversations.byKey['1:bob']!.peerReadSeq, 2);
    state = setPeerReceipts(state, '1:bob', { peerDeliveredSeq: 5 });
    assert.equal(setPeerReceipts(state, '1:bob', { peerReadSeq: 1, peerDeliveredSeq: 4 }), state, 'never back');
    assert.equal(setPeerReceipts(state, '1:nobody', { peerReadSeq: 9 }), state);
    state = setPeerReceipts(state, '1:bob', { peerReadSeq: 5 });
    state = receiveMessage(state, item({ seq: 6 }), { counted: true });
    assert.deepEqual([state.conversations.byKey['1:bob']!.peerReadSeq, state.conversations.byKey['1:bob']!.peerDeliveredSeq], [5, 5]);
    state = receiveConversations(state, [{ ...conversation('bob', 10), peerReadSeq: 4, peerDeliveredSeq: 6 }], { hasMore: false, replace: true });
    assert.deepEqual([state.conversations.byKey['1:bob']!.peerReadSeq, state.conversations.byKey['1:bob']!.peerDeliveredSeq], [5, 6],
      'a list answer older than a push does not take a receipt back');
  });

  it('notes group members\' reads forward only, for groups only', () => {
    let state = receiveConversations(initialChatState(), [{ ...conversation('bob', 10) }, { ...conversation('team', 20), conversationType: 3 }],
      { hasMore: false, replace: true });
    assert.equal(noteMemberRead(state, '1:bob', 'bob', 3), state);
    state = noteMemberRead(state, '3:team', 'ann', 3);
    assert.equal(noteMemberRead(state, '3:team', 'ann', 2), state);
    state = noteMemberRead(state, '3:team', 'cy', 1);
    assert.deepEqual(state.conversations.byKey['3:team']!.memberReads, { ann: 3, cy: 1 });
  });
});
