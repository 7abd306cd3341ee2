import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TextMessage } from '../../../src/core/messages/index.js';
import {
  initialChatState, receiveConversations, receiveHistory, receiveMessage, restoreCache, setDraft, type ChatState, type MessageItem,
} from '../../../src/core/store/chat-state.js';
import { Store } from '../../../src/core/store/store.js';
import { MemoryStore } from '../../../src/core/storage/key-value-store.js';
import { SessionCache } from '../../../src/core/client/session-cache.js';

const item = (seq: number | undefined, over: Partial<MessageItem> = {}): MessageItem => ({
  id: `id-${seq ?? over.id}`, conversationType: 1, targetId: 'bob', senderUserId: 'bob', objectName: 'RC:TxtMsg',
  content: new TextMessage({ content: `m${seq}` }), messageUid: seq === undefined ? undefined : `uid-${seq}`, seq,
  sentTime: 1000 + (seq ?? 0), direction: 2, status: 'sent', ...over,
});
const seqs = (state: ChatState, key = '1:bob') => state.windows[key]?.items.map((m) => m.seq ?? m.id);
const emptyCache = { conversations: [], windows: {}, drafts: {}, users: {}, groups: {}, deleted: {} };

describe('offline cache in the store', () => {
  it('shows cached windows as stale; the newest page clears stale, an older page keeps it', () => {
    let state = restoreCache(initialChatState(), { ...emptyCache, windows: { '1:bob': [item(8), item(9), item(10)] } });
    assert.deepEqual(seqs(state), [8, 9, 10]);
    assert.equal(state.windows['1:bob']!.stale, true);
    assert.equal(state.windows['1:bob']!.loaded, true);
    const older = receiveHistory(state, '1:bob', [item(6), item(7)], { hasOlder: true, latest: false });
    assert.equal(older.windows['1:bob']!.stale, true);
    state = receiveHistory(state, '1:bob', [item(10), item(11)], { hasOlder: true, latest: true });
    assert.deepEqual(seqs(state), [8, 9, 10, 11]);
    assert.equal(state.windows['1:bob']!.stale, undefined);
  });

  it('a newest page that does not join the cached messages replaces them, keeping unsent ones', () => {
    let state = restoreCache(initialChatState(), { ...emptyCache, windows: { '1:bob': [item(1), item(2), item(3, { status: 'failed' })] } });
    state = receiveMessage(state, item(undefined, { id: 'pending', direction: 1, status: 'sending' }), { counted: false });
    state = receiveHistory(state, '1:bob', [item(40), item(41)], { hasOlder: true, latest: true });
    assert.deepEqual(seqs(state), [40, 41, 'pending'], 'no hole between 3 and 40');
    assert.equal(state.windows['1:bob']!.hasOlder, true);
    // A page that joins (or the whole history) merges.
    let joined = restoreCache(initialChatState(), { ...emptyCache, windows: { '1:bob': [item(1), item(2)] } });
    joined = receiveHistory(joined, '1:bob', [item(3), item(4)], { hasOlder: true, latest: true });
    assert.deepEqual(seqs(joined), [1, 2, 3, 4]);
  });

  it('what the server or the user already put in the store wins over the cache', () => {
    let state = receiveConversations(initialChatState(), [{ conversationType: 1, targetId: 'bob', unreadCount: 5, readSeq: 0, updatedTime: 50 }],
      { hasMore: false, replace: true });
    state = setDraft(state, '1:bob', 'typed now');
    state = restoreCache(state, {
      ...emptyCache,
      conversations: [{ key: '1:old', conversationType: 1, targetId: 'old', unreadCount: 1, readSeq: 0, updatedTime: 1, pinned: false, muted: false }],
      drafts: { '1:bob': 'cached draft', '1:carol': 'other draft' },
      users: { bob: { name: 'Cached Bob' } },
    });
    assert.deepEqual(state.conversations.keys, ['1:bob'], 'a loaded list is the server\'s');
    assert.deepEqual(state.drafts, { '1:bob': 'typed now', '1:carol': 'other draft' });
    assert.equal(state.users.bob!.name, 'Cached Bob');
  });
});

describe('SessionCache', () => {
  const fill = (store: Store<ChatState>, targetId: string, count: number, time: number) => {
    for (let seq = 1; seq <= count; seq++) {
      store.update((state) => receiveMessage(state, item(seq, { targetId, id: `${targetId}-${seq}`, messageUid: `${targetId}-${seq}`, sentTime: time + seq }), { counted: true }));
    }
    store.update((state) => receiveHistory(state, `1:${targetId}`, [], { hasOlder: false, latest: true }));
    for (let seq = 1; seq <= count; seq++) {
      store.update((state) => receiveMessage(state, item(seq, { targetId, id: `${targetId}-${seq}`, messageUid: `${targetId}-${seq}`, sentTime: time + seq }), { counted: true }));
    }
  };

  it('keeps the newest messages of the most recent conversations, never a message still sending, and restores content classes', async () => {
    const storage = new MemoryStore();
    const cache = new SessionCache(storage, { messagesPerConversation: 3, conversations: 2 });
    const store = new Store(initialChatState());
    const stop = cache.watch(store);
    fill(store, 'a', 5, 100);
    fill(store, 'b', 2, 200);
    fill(store, 'c', 4, 300);
    store.update((state) => receiveMessage(state, item(undefined, { targetId: 'c', id: 'unsent', direction: 1, status: 'sending', sentTime: 400 }), { counted: false }));
    store.update((state) => setDraft(state, '1:c', 'draft'));
    await stop();

    const restored = await new SessionCache(storage).load();
    assert.deepEqual(restored.conversations.map((c) => c.key), ['1:c', '1:b', '1:a']);
    assert.deepEqual(Object.keys(restored.windows).sort(), ['1:b', '1:c'], 'only the two most recent conversations keep messages');
    assert.deepEqual(restored.windows['1:c']!.map((m) => m.seq), [2, 3, 4], 'the newest three, without the unsent one');
    assert.ok(restored.windows['1:c']![0]!.content instanceof TextMessage);
    assert.equal((restored.windows['1:c']![2]!.content as TextMessage).content, 'm4');
    assert.deepEqual(restored.drafts, { '1:c': 'draft' });
    assert.equal(restored.conversations[0]!.latestMessage, undefined, 'an unsent latest message is not cached as the preview (the outbox brings it back)');
    assert.equal(restored.conversations[1]!.latestMessage?.seq, 2);
  });

  it('drops what it cached of conversations that fell out, and clear() forgets everything cached', async () => {
    const storage = new MemoryStore();
    await storage.set('outbox:keep', 1);
    const first = new SessionCache(storage, { conversations: 3 });
    const store = new Store(initialChatState());
    let stop = first.watch(store);
    fill(store, 'a', 1, 100);
    fill(store, 'b', 1, 200);
    await stop();
    assert.deepEqual((await storage.keys('cache:window:')).sort(), ['cache:window:1:a', 'cache:window:1:b']);

    const second = new SessionCache(storage, { conversations: 1 });
    const next = new Store(restoreCache(initialChatState(), await second.load()));
    stop = second.watch(next);
    fill(next, 'c', 1, 300);
    await stop();
    assert.deepEqual(await storage.keys('cache:window:'), ['cache:window:1:c']);

    await second.clear();
    assert.deepEqual(await storage.keys('cache:'), []);
    assert.deepEqual(await storage.keys(), ['outbox:keep'], 'the client\'s outbox is not the cache\'s to clear');
  });

  it('ignores a cache of another version or shape instead of misreading it', async () => {
    const storage = new MemoryStore();
    await storage.set('cache:version', 999);
    await storage.set('cache:conversations', [{ key: '1:x' }]);
    assert.deepEqual((await new SessionCache(storage).load()).conversations, []);
    await storage.set('cache:version', 1);
    await storage.set('cache:conversations', 'not a list');
    await storage.set('cache:window:1:x', [{ id: 5 }]);
    assert.deepEqual(await new SessionCache(storage).load(), emptyCache);
  });
});
