import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RecallConflict, type AppendInput, type ChatStore, type ConversationState, type StoredMessage } from '../../src/server/storage/chat-store.js';

/**
 * What every ChatStore implementation must do. Each engine's test file calls this with a
 * factory for a fresh, empty store.
 */
export function describeChatStoreContract(engine: string, createStore: () => Promise<ChatStore>): void {
  describe(`ChatStore contract: ${engine}`, () => {
    let store: ChatStore;
    before(async () => {
      store = await createStore();
    });
    after(() => store.close());

    const bytes = (text: string) => new TextEncoder().encode(JSON.stringify({ content: text }));
    const input = (over: Partial<AppendInput> & Pick<AppendInput, 'conversationKey' | 'senderUserId' | 'clientMsgId' | 'recipients'>): AppendInput => ({
      conversationType: over.conversationKey.startsWith('3:') ? 3 : 1, objectName: 'RC:TxtMsg', content: bytes(over.clientMsgId),
      counted: true, ...over,
    });

    it('renames and dismisses a group: its members go, its messages stay', async () => {
      await store.createGroup('gd-g', 'Old', ['gd-a', 'gd-b']);
      await store.appendMessage(input({ conversationKey: '3:gd-g', senderUserId: 'gd-a', clientMsgId: 'gd-1', recipients: ['gd-a', 'gd-b'] }));
      assert.equal(await store.renameGroup('gd-g', 'New'), true);
      assert.equal(await store.groupName('gd-g'), 'New');
      assert.deepEqual(await store.groupMembers('gd-g'), ['gd-a', 'gd-b'], 'members unchanged by a rename');
      assert.equal(await store.renameGroup('gd-none', 'X'), false);
      assert.deepEqual((await store.dismissGroup('gd-g'))?.sort(), ['gd-a', 'gd-b']);
      assert.equal(await store.groupExists('gd-g'), false);
      assert.deepEqual(await store.groupMembers('gd-g'), []);
      assert.equal(await store.isGroupMember('gd-g', 'gd-a'), false);
      assert.equal(await store.dismissGroup('gd-g'), undefined, 'twice: nothing left');
      assert.equal((await store.history('3:gd-g', { after: 0, count: 10 })).messages.length, 1, 'the messages stay');
      await store.createGroup('gd-g', 'Again', ['gd-c']);
      assert.deepEqual(await store.groupMembers('gd-g'), ['gd-c'], 'the id can be used again, without the old members');
    });

    it('keeps a blacklist per owner (one way, once, paged by id), chosen statuses, and who shares a conversation or group', async () => {
      assert.equal(await store.blockUser('bk-a', 'bk-c', 5), 'added');
      assert.equal(await store.blockUser('bk-a', 'bk-b', 6, 2), 'added');
      assert.equal(await store.blockUser('bk-a', 'bk-b', 7, 2), 'exists', 'already (also at the limit)');
      assert.equal(await store.blockUser('bk-a', 'bk-z', 8, 2), 'full');
      assert.equal(await store.isBlocked('bk-a', 'bk-z'), false);
      assert.equal(await store.isBlocked('bk-a', 'bk-b'), true);
      assert.equal(await store.isBlocked('bk-b', 'bk-a'), false, 'one way');
      assert.equal(await store.countBlocked('bk-a'), 2);
      assert.deepEqual(await store.blockedUsers('bk-a', { limit: 1 }), { entries: [{ userId: 'bk-b', time: 6 }], hasMore: true });
      assert.deepEqual(await store.blockedUsers('bk-a', { after: 'bk-b', limit: 5 }), { entries: [{ userId: 'bk-c', time: 5 }], hasMore: false });
      assert.deepEqual((await store.blockedUsers('bk-a', { limit: 5, budget: { maxBytes: 1, sizeOf: () => 1 } })).entries.length, 1, 'cut by bytes');
      assert.equal(await store.unblockUser('bk-a', 'bk-b'), true);
      assert.equal(await store.unblockUser('bk-a', 'bk-b'), false);
      assert.equal(await store.isBlocked('bk-a', 'bk-b'), false);
      // Asked before and after each change (a store may keep the answers): each answer is the current one.
      assert.equal(await store.blockUser('bk-b', 'bk-a', 9), 'added');
      assert.equal(await store.isBlocked('bk-b', 'bk-a'), true, 'blocked after an answer of not blocked');
      assert.equal(await store.unblockUser('bk-b', 'bk-a'), true);
      assert.equal(await store.isBlocked('bk-b', 'bk-a'), false);

      assert.equal(await store.userStatus('bk-a'), undefined);
      await store.setUserStatus('bk-a', { status: 'busy', text: 'later' });
      await store.setUserStatus('bk-a', { status: 'away', text: '' });
      assert.deepEqual(await store.userStatus('bk-a'), { status: 'away', text: '' });

      assert.equal(await store.sharesConversation('bk-a', 'bk-d'), false);
      await store.setConversationSettings('bk-a', '1:bk-a:bk-d', 1, { isTop: true });
      assert.equal(await store.sharesConversation('bk-a', 'bk-d'), false, 'pinning a chat with someone never written to shares nothing');
      await store.appendMessage(input({ conversationKey: '1:bk-a:bk-d', senderUserId: 'bk-d', clientMsgId: 'bk-1', recipients: ['bk-a', 'bk-d'] }));
      assert.equal(await store.sharesConversation('bk-a', 'bk-d'), true);
      assert.equal(await store.sharesConversation('bk-d', 'bk-a'), true);
      assert.equal(await store.sharesConversation('bk-a', 'bk-e'), false);
      await store.createGroup('bk-g', 'G', ['bk-a', 'bk-e']);
      assert.equal(await store.sharesConversation('bk-e', 'bk-a'), true, 'a shared group');
      await store.quitGroup('bk-g', ['bk-e']);
      assert.equal(await store.sharesConversation('bk-e', 'bk-a'), false, 'no longer');
    });

    it('keeps customer-service groups, agents (replacing their groups), sessions by queue and load, one rating, notes', async () => {
      await store.setServiceGroup({ groupId: 'cs-g', name: 'Help', mode: 'robot', welcome: 'hi', faq: [{ keywords: ['price'], answer: '9 €' }], maxPerAgent: 3 });
      assert.deepEqual((await store.serviceGroup('cs-g'))?.faq, [{ keywords: ['price'], answer: '9 €' }]);
      assert.equal(await store.serviceGroup('cs-none'), undefined);
      await store.setServiceAgent({ userId: 'cs-a1', groupIds: ['cs-g', 'cs-h'], cap: 2 });
      await store.setServiceAgent({ userId: 'cs-a2', groupIds: ['cs-g'], cap: 5 });
      await store.setServiceAgent({ userId: 'cs-a1', groupIds: ['cs-g'], cap: 4 });
      assert.deepEqual(await store.serviceAgent('cs-a1'), { userId: 'cs-a1', groupIds: ['cs-g'], cap: 4, createdAt: (await store.serviceAgent('cs-a1'))!.createdAt, away: false });
      assert.deepEqual((await store.serviceAgentsOf('cs-g')).map((a) => a.userId), ['cs-a1', 'cs-a2'], 'first set up first');
      assert.deepEqual(await store.serviceAgentsOf('cs-h'), []);
      await store.setServiceAgent({ userId: 'cs-a2', groupIds: [], cap: 0 });
      assert.equal(await store.serviceAgent('cs-a2'), undefined, 'no groups removes the agent');

      const later = await store.createServiceSession({ groupId: 'cs-g', servingGroupId: 'cs-g', visitorId: 'v1', status: 'queued', agentId: '', createdAt: 2, queuedAt: 20 });
      const earlier = await store.createServiceSession({ groupId: 'cs-g', servingGroupId: 'cs-g', visitorId: 'v2', status: 'queued', agentId: '', createdAt: 3, queuedAt: 10 });
      assert.deepEqual((await store.queuedServiceSessions('cs-g')).map((q) => q.visitorId), ['v2', 'v1'], 'oldest in the queue first');
      const assigned = await store.updateServiceSession(earlier.sessionId, { status: 'open', agentId: 'cs-a1' });
      assert.equal(assigned?.servingGroupId, 'cs-g');
      assert.deepEqual((await store.agentServiceSessions('cs-a1')).map((q) => q.sessionId), [earlier.sessionId]);
      assert.deepEqual((await store.queuedServiceSessions('cs-g')).map((q) => q.sessionId), [later.sessionId]);
      await store.updateServiceSession(earlier.sessionId, { status: 'resolved' });
      assert.deepEqual(await store.agentServiceSessions('cs-a1'), [], 'a resolved session is no load');
      assert.equal((await store.latestServiceSession('v2', 'cs-g'))?.status, 'resolved');
      assert.equal(await store.rateServiceSession(earlier.sessionId, 5, 'great'), true);
      assert.equal(await store.rateServiceSession(earlier.sessionId, 1, 'again'), false, 'one rating per session');
      assert.deepEqual([(await store.serviceSession(earlier.sessionId))?.rating, (await store.serviceSession(earlier.sessionId))?.comment], [5, 'great']);
      await store.addServiceNote({ sessionId: later.sessionId, authorId: 'cs-a1', text: 'vip', time: 1 });
      assert.deepEqual(await store.serviceNotes(later.sessionId), [{ sessionId: later.sessionId, authorId: 'cs-a1', text: 'vip', time: 1 }]);
    });

    it('keeps customer-service group settings, an agent\'s away flag across set-ups, a session\'s form and first seq, and lists sessions by scope', async () => {
      const settings = {
        hours: { timeZone: 'Europe/Berlin', weekly: { mon: [['09:00', '17:00']] as Array<[string, string]> } },
        preChatFields: [{ name: 'email', label: 'Email', type: 'email' as const, required: true }],
        offlineMessage: 'closed', cannedReplies: [{ shortcut: 'hi', text: 'Hello' }],
      };
      await store.setServiceGroup({ groupId: 'cs2-g', name: 'G', mode: 'human', welcome: '', faq: [], maxPerAgent: 2, ...settings });
      assert.deepEqual(await store.serviceGroup('cs2-g'), { groupId: 'cs2-g', name: 'G', mode: 'human', welcome: '', faq: [], maxPerAgent: 2, ...settings });
      await store.setServiceGroup({ groupId: 'cs2-g', name: 'G', mode: 'human', welcome: '', faq: [], maxPerAgent: 2 });
      assert.equal((await store.serviceGroup('cs2-g'))?.hours, undefined, 'set replaces the settings');

      assert.equal(await store.setServiceAgentAway('cs2-nobody', true), false);
      await store.setServiceAgent({ userId: 'cs2-a', groupIds: ['cs2-g'], cap: 2 });
      assert.equal(await store.setServiceAgentAway('cs2-a', true), true);
      await store.setServiceAgent({ userId: 'cs2-a', groupIds: ['cs2-g', 'cs2-h'], cap: 3 });
      assert.equal((await store.serviceAgent('cs2-a'))?.away, true, 'a new set-up keeps the flag');

      await store.appendMessage(input({ conversationKey: '5:cs2-g:cs2-v', conversationType: 5, senderUserId: 'cs2-v', clientMsgId: 'cs2-m1', recipients: ['cs2-v'] }));
      const first = await store.createServiceSession({ groupId: 'cs2-g', servingGroupId: 'cs2-g', visitorId: 'cs2-v', status: 'queued', agentId: '',
        createdAt: 1, queuedAt: 1, visitorInfo: { email: 'v@example.com' } });
      assert.deepEqual([first.visitorInfo, first.startSeq], [{ email: 'v@example.com' }, 2], 'the first seq is the conversation\'s next');
      const other = await store.createServiceSession({ groupId: 'cs2-g', servingGroupId: 'cs2-g', visitorId: 'cs2-w', status: 'queued', agentId: '', createdAt: 2, queuedAt: 2 });
      assert.deepEqual([other.visitorInfo, other.startSeq], [{}, 1]);
      const second = await store.createServiceSession({ groupId: 'cs2-g', servingGroupId: 'cs2-g', visitorId: 'cs2-v', status: 'queued', agentId: '', createdAt: 3, queuedAt: 3 });
      assert.equal((await store.nextServiceSession(first))?.sessionId, second.sessionId);
      assert.equal(await store.nextServiceSession(second), undefined);

      await store.updateServiceSession(first.sessionId, { status: 'resolved', agentId: 'cs2-a' });
      await store.updateServiceSession(other.sessionId, { status: 'open', agentId: 'cs2-b' });
      const ids = async (scope: 'mine' | 'queued' | 'all' | 'resolved', agentId: string, before?: number, limit = 10) =>
        (await store.serviceSessions({ scope, agentId, groupIds: ['cs2-g'], limit, ...(before ? { before } : {}) })).map((one) => one.sessionId);
      assert.deepEqual(await ids('queued', 'cs2-a'), [second.sessionId]);
      assert.deepEqual(await ids('all', 'cs2-a'), [second.sessionId, other.sessionId], 'newest first, others\' too');
      assert.deepEqual(await ids('all', 'cs2-a', undefined, 1), [second.sessionId]);
      assert.deepEqual(await ids('all', 'cs2-a', second.sessionId), [other.sessionId], 'paged by id');
      assert.deepEqual(await ids('mine', 'cs2-b'), [other.sessionId]);
      assert.deepEqual(await ids('resolved', 'cs2-a'), [first.sessionId]);
      assert.deepEqual(await ids('resolved', 'cs2-b'), []);
      assert.deepEqual(await store.serviceSessions({ scope: 'all', agentId: 'cs2-a', groupIds: [], limit: 10 }), []);
    });

    it('keeps customer-service tickets: newest first by group and status, closed once, counted per visitor since a time', async () => {
      const leave = (groupId: string, visitorId: string, createdAt: number, message: string) =>
        store.addServiceTicket({ groupId, visitorId, name: 'N', email: 'n@example.com', message, form: { topic: 'a' }, createdAt });
      const first = await leave('tk-g', 'tk-v', 100, 'first');
      assert.deepEqual(first, {
        ticketId: first.ticketId, groupId: 'tk-g', visitorId: 'tk-v', name: 'N', email: 'n@example.com', message: 'first', form: { topic: 'a' },
        status: 'open', createdAt: 100, closedBy: '', closedAt: 0,
      });
      const second = await leave('tk-g', 'tk-v', 200, 'second');
      const elsewhere = await leave('tk-h', 'tk-w', 300, 'elsewhere');
      const ids = async (groupIds: string[], status?: 'open' | 'closed', limit = 10) =>
        (await store.serviceTickets({ groupIds, limit, ...(status ? { status } : {}) })).map((ticket) => ticket.ticketId);
      assert.deepEqual(await ids(['tk-g']), [second.ticketId, first.ticketId]);
      assert.deepEqual(await ids(['tk-g', 'tk-h'], undefined, 2), [elsewhere.ticketId, second.ticketId]);
      const closed = await store.closeServiceTicket(first.ticketId, 'tk-agent', 500);
      assert.deepEqual([closed?.status, closed?.closedBy, closed?.closedAt], ['closed', 'tk-agent', 500]);
      assert.equal((await store.closeServiceTicket(first.ticketId, 'tk-other', 600))?.closedBy, 'tk-agent', 'closed once');
      assert.equal(await store.closeServiceTicket(999_999, 'tk-agent', 1), undefined);
      assert.deepEqual(await ids(['tk-g'], 'open'), [second.ticketId]);
      assert.deepEqual(await ids(['tk-g'], 'closed'), [first.ticketId]);
      assert.equal((await store.serviceTicket(second.ticketId))?.message, 'second');
      assert.equal(await store.countServiceTickets('tk-v', 0), 2);
      assert.equal(await store.countServiceTickets('tk-v', 150), 1);
      assert.equal(await store.countServiceTickets('tk-nobody', 0), 0);
    });

    it('keeps a per-user time before which tokens are revoked, never moving it back', async () => {
      assert.equal(await store.tokensValidAfter('rev-user'), 0);
      await store.revokeTokens('rev-user', 2000);
      await store.revokeTokens('rev-user', 1000);
      assert.equal(await store.tokensValidAfter('rev-user'), 2000);
      assert.equal(await store.tokensValidAfter('rev-other'), 0);
    });

    it('gives each conversation a gap-free seq and each message a growing cursor, even within one commit', async () => {
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => store.appendMessage(input({
        conversationKey: i % 2 ? '1:a:b' : '1:a:c', senderUserId: 'a', clientMsgId: `seq-${i}`, recipients: ['a', i % 2 ? 'b' : 'c'],
      }))));
      const ab = results.filter((_, i) => i % 2).map((r) => r.message.seq);
      const ac = results.filter((_, i) => i % 2 === 0).map((r) => r.message.seq);
      assert.deepEqual(ab, Array.from({ length: 15 }, (_, i) => i + 1));
      assert.deepEqual(ac, Array.from({ length: 15 }, (_, i) => i + 1));
      const ids = results.map((r) => r.message.id);
      assert.deepEqual(ids, [...ids].sort((x, y) => x - y));
      assert.equal(new Set(ids).size, ids.length);
      assert.ok(results.every((r) => !r.duplicate && /^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/.test(r.message.messageUid)));
    });

    it('deduplicates on (sender, clientMsgId), including within one commit', async () => {
      const first = store.appendMessage(input({ conversationKey: '1:d:e', senderUserId: 'd', clientMsgId: 'dup', recipients: ['d', 'e'] }));
      const again = store.appendMessage(input({ conversationKey: '1:d:e', senderUserId: 'd', clientMsgId: 'dup', recipients: ['d', 'e'] }));
      const [a, b] = await Promise.all([first, again]);
      assert.equal(a.duplicate, false);
      assert.equal(b.duplicate, true);
      assert.equal(b.message.messageUid, a.message.messageUid);
      assert.equal(b.message.seq, a.message.seq);
      const later = await store.appendMessage(input({ conversationKey: '1:d:e', senderUserId: 'd', clientMsgId: 'dup', recipients: ['d', 'e'] }));
      assert.equal(later.message.id, a.message.id);
      const otherSender = await store.appendMessage(input({
        conversationKey: '1:d:e', senderUserId: 'e', clientMsgId: 'dup', recipients: ['d', 'e'], objectName: 'app:Note', counted: false,
      }));
      assert.equal(otherSender.duplicate, false, 'clientMsgIds are per sender');
      assert.equal(otherSender.message.seq, 2);
      const history = await store.history('1:d:e', { count: 10 });
      assert.equal(history.messages.length, 2);
      // An append answers with the message as stored, every field (history reads it back).
      for (const { message } of [a, b, later, otherSender]) {
        const { content: answered, ...answer } = message;
        const { content: kept, ...read } = history.messages.find((m) => m.id === message.id)!;
        assert.deepEqual(answer, read);
        assert.deepEqual([...answered], [...kept]);
      }
    });

    it('syncs a user\'s inbox after a cursor, in order, paged, and only what they received', async () => {
      await store.createGroup('sync-g', 'g', ['s1', 's2']);
      const appended = [];
      for (let i = 0; i < 7; i++) {
        appended.push(await store.appendMessage(input({ conversationKey: '3:sync-g', senderUserId: 's1', clientMsgId: `sg-${i}`, recipients: ['s1', 's2'] })));
        await store.appendMessage(input({ conversationKey: '1:s1:s3', senderUserId: 's1', clientMsgId: `sp-${i}`, recipients: ['s1', 's3'] }));
      }
      const page1 = await store.syncAfter('s2', 0, 4);
      assert.equal(page1.hasMore, true);
      const page2 = await store.syncAfter('s2', page1.messages.at(-1)!.id, 4);
      assert.equal(page2.hasMore, false);
      const all = [...page1.messages, ...page2.messages];
      assert.deepEqual(all.map((m) => m.clientMsgId), appended.map((r) => r.message.clientMsgId));
      assert.deepEqual(new TextDecoder().decode(all[0]!.content), JSON.stringify({ content: 'sg-0' }));
      assert.equal((await store.syncAfter('s1', 0, 100)).messages.length, 14, 'the sender\'s own messages are in its inbox');
      assert.deepEqual((await store.syncAfter('nobody', 0, 100)).messages, []);
    });

    it('pages history by seq both ways', async () => {
      for (let i = 1; i <= 9; i++) await store.appendMessage(input({ conversationKey: '1:h:i', senderUserId: 'h', clientMsgId: `h-${i}`, recipients: ['h', 'i'] }));
      const seqs = async (query: { before?: number; after?: number; count: number }) => {
        const page = await store.history('1:h:i', query);
        return [page.messages.map((m) => m.seq), page.hasMore];
      };
      assert.deepEqual(await seqs({ count: 4 }), [[6, 7, 8, 9], true]);
      assert.deepEqual(await seqs({ count: 4, before: 6 }), [[2, 3, 4, 5], true]);
      assert.deepEqual(await seqs({ count: 4, before: 2 }), [[1], false]);
      assert.deepEqual(await seqs({ count: 4, after: 0 }), [[1, 2, 3, 4], true]);
      assert.deepEqual(await seqs({ count: 4, after: 7 }), [[8, 9], false]);
      assert.deepEqual(await seqs({ count: 20, before: 8, after: 5 }), [[6, 7], false]);
      assert.deepEqual((await store.history('1:no:one', { count: 5 })).messages, []);
    });

    it('lists conversations latest first with unread counts, filters by type, pages, reads and removes', async () => {
      const u = 'lister';
      await store.createGroup('list-g', 'g', [u, 'x']);
      await store.appendMessage(input({ conversationKey: '1:lister:y', senderUserId: 'y', clientMsgId: 'l1', recipients: [u, 'y'] }));
      await store.appendMessage(input({ conversationKey: '1:lister:y', senderUserId: u, clientMsgId: 'l2', recipients: [u, 'y'] }));
      await store.appendMessage(input({ conversationKey: '3:list-g', senderUserId: 'x', clientMsgId: 'l3', recipients: [u, 'x'] }));
      await store.appendMessage(input({ conversationKey: '3:list-g', senderUserId: 'x', clientMsgId: 'l4', recipients: [u, 'x'], counted: false }));
      await store.appendMessage(input({ conversationKey: '1:lister:y', senderUserId: 'y', clientMsgId: 'l5', recipients: [u, 'y'] }));

      const list = await store.conversationList(u, { count: 10 });
      assert.deepEqual(list.conversations.map((c) => [c.conversationKey, c.unreadCount, c.latestMessage?.clientMsgId]),
        [['1:lister:y', 2, 'l5'], ['3:list-g', 1, 'l4']], 'own and uncounted messages are not unread');
      assert.deepEqual((await store.conversationList(u, { count: 10, types: [3] })).conversations.map((c) => c.conversationKey), ['3:list-g']);
      // A filter is a handful of known types, however many a client lists: duplicates and unknown values change nothing.
      const many = Array.from({ length: 40_000 }, (_, i) => [1, 3, 99, -1, 2 ** 40][i % 5]!);
      assert.deepEqual((await store.conversationList(u, { count: 10, types: many })).conversations.map((c) => c.conversationKey), ['1:lister:y', '3:list-g']);
      assert.deepEqual((await store.conversationList(u, { count: 10, types: [99, 7] })).conversations, [], 'no known type: nothing matches');
      const first = await store.conversationList(u, { count: 1 });
      assert.equal(first.hasMore, true);
      const second = await store.conversationList(u, { count: 1, before: first.conversations[0]!.latestCursor });
      assert.deepEqual(second.conversations.map((c) => c.conversationKey), ['3:list-g']);
      assert.equal(second.hasMore, false);

      const partly = await store.markRead(u, '1:lister:y', 1);
      assert.equal(partly?.readSeq, 1);
      assert.equal(partly?.unreadCount, 1);
      assert.equal((await store.markRead(u, '1:lister:y'))?.unreadCount, 0);
      assert.equal((await store.markRead(u, '1:lister:y', 1))?.readSeq, 3, 'the read position never moves back');
      assert.equal((await store.markRead(u, '1:lister:y', 99))?.readSeq, 3, 'nor past the latest message');

      await store.removeConversation(u, '3:list-g');
      assert.deepEqual((await store.conversationList(u, { count: 10 })).conversations.map((c) => c.conversationKey), ['1:lister:y']);
      assert.equal((await store.conversationList('x', { count: 10 })).conversations.length, 1, 'removal is per user');
      await store.appendMessage(input({ conversationKey: '3:list-g', senderUserId: 'x', clientMsgId: 'l6', recipients: [u, 'x'] }));
      const back = await store.conversationList(u, { count: 10 });
      assert.deepEqual(back.conversations.map((c) => [c.conversationKey, c.unreadCount]), [['3:list-g', 1], ['1:lister:y', 0]]);
    });

    it('recalls: replaces the message in place, uncounts it, appends the command without moving the list, once', async () => {
      const key = '1:r:s';
      const kept = await store.appendMessage(input({ conversationKey: key, senderUserId: 'r', clientMsgId: 'rc-keep', recipients: ['r', 's'] }));
      const { message } = await store.appendMessage(input({ conversationKey: key, senderUserId: 'r', clientMsgId: 'rc-gone', recipients: ['r', 's'] }));
      assert.equal((await store.messageByUid(key, message.messageUid))?.id, message.id);
      assert.equal(await store.messageByUid('1:r:t', message.messageUid), undefined, 'only within its conversation');
      const recall = {
        messageId: message.id, expectedObjectName: 'RC:TxtMsg',
        replacement: { objectName: 'RC:RcNtf', content: new TextEncoder().encode('{"operatorId":"r"}') },
        command: input({ conversationKey: key, senderUserId: 'r', clientMsgId: 'rc.cmd', recipients: ['r', 's'], objectName: 'RC:RcCmd', counted: false, listed: false }),
      };
      const result = await store.recallMessage(recall);
      assert.equal(result.duplicate, false);
      assert.equal(result.message.seq, message.seq + 1);
      const replaced = (await store.messageByUid(key, message.messageUid))!;
      assert.equal(replaced.objectName, 'RC:RcNtf');
      assert.equal(replaced.seq, message.seq);
      assert.equal(new TextDecoder().decode(replaced.content), '{"operatorId":"r"}');
      const { conversations } = await store.conversationList('s', { count: 10 });
      const conversation = conversations.find((c) => c.conversationKey === key)!;
      assert.equal(conversation.latestMessage?.messageUid, message.messageUid, 'the command does not become the preview');
      assert.equal(conversation.unreadCount, 1, 'the recalled message no longer counts');
      const synced = await store.syncAfter('s', kept.message.id, 10);
      assert.deepEqual(synced.messages.map((m) => m.objectName), ['RC:RcNtf', 'RC:RcCmd']);
      const again = await store.recallMessage(recall);
      assert.equal(again.duplicate, true);
      assert.equal(again.message.id, result.message.id);
      await assert.rejects(store.recallMessage({ ...recall, command: { ...recall.command, clientMsgId: 'rc.other' } }),
        (error) => error instanceof RecallConflict, 'a message already replaced is not replaced again');
    });

    it('keeps users and group membership', async () => {
      await store.upsertUser({ userId: 'kate', name: 'Kate', portraitUri: 'https://example.com/k.png' });
      await store.upsertUser({ userId: 'kate', name: 'Katherine', portraitUri: '' });
      assert.deepEqual(await store.getUser('kate'), { userId: 'kate', name: 'Katherine', portraitUri: 'https://example.com/k.png' },
        'an empty field keeps what is stored (a token request without a name does not erase it)');
      assert.equal(await store.getUser('nobody'), undefined);

      await store.createGroup('team', 'Team', ['m1', 'm2']);
      assert.equal(await store.groupExists('team'), true);
      assert.equal(await store.groupName('team'), 'Team');
      assert.equal(await store.groupName('no-team'), undefined);
      assert.deepEqual((await store.groupMembers('team')).sort(), ['m1', 'm2']);
      assert.equal(await store.joinGroup('team', ['m3', 'm1']), true);
      assert.equal(await store.quitGroup('team', ['m2']), true);
      assert.deepEqual((await store.groupMembers('team')).sort(), ['m1', 'm3']);
      assert.equal(await store.isGroupMember('team', 'm2'), false);
      assert.equal(await store.isGroupMember('team', 'm3'), true);
      assert.equal(await store.joinGroup('no-team', ['m1']), false);
      assert.equal(await store.quitGroup('no-team', ['m1']), false);
      const stats = await store.stats();
      assert.ok(stats.messages > 0 && stats.users >= 1 && stats.groups >= 1);
    });

    it('keeps delivered positions by the other side\'s messages only, and tells each side the other\'s positions', async () => {
      const key = '1:ra:rb';
      const send = (senderUserId: string, clientMsgId: string) =>
        store.appendMessage(input({ conversationKey: key, senderUserId, clientMsgId, recipients: ['ra', 'rb'] }));
      await send('ra', 'r1');
      await send('ra', 'r2');
      await send('rb', 'r3');
      assert.equal(await store.markDelivered('rb', key, 3), 2, 'rb\'s own message at seq 3 is no delivery of ra\'s');
      assert.equal(await store.markDelivered('rb', key, 1), 2, 'never back');
      assert.equal(await store.markDelivered('rb', key, 99), 2, 'nothing past what rb has');
      assert.equal(await store.markDelivered('ra', key, 3), 3);
      await store.markRead('rb', key, 1);
      assert.deepEqual(await store.receiptPositions('rb', key), { readSeq: 1, deliveredSeq: 2 });
      const seenByA = (await store.conversationList('ra', { count: 50 })).conversations.find((c) => c.conversationKey === key)!;
      assert.equal(seenByA.peerReadSeq, 1);
      assert.equal(seenByA.peerDeliveredSeq, 2);
      await store.markRead('rb', key, 3);
      const later = (await store.conversationList('ra', { count: 50 })).conversations.find((c) => c.conversationKey === key)!;
      assert.equal(later.peerDeliveredSeq, 3, 'a read implies delivered');
      const seenByB = (await store.conversationList('rb', { count: 50 })).conversations.find((c) => c.conversationKey === key)!;
      assert.equal(seenByB.peerDeliveredSeq, 3);
      assert.equal(seenByB.peerReadSeq, 0);
      assert.equal(await store.receiptPositions('nobody', key), undefined);
    });

    it('tells a group message\'s readers among the current members who received it', async () => {
      await store.createGroup('rg', 'RG', ['g1', 'g2', 'g3']);
      const { message } = await store.appendMessage(input({ conversationKey: '3:rg', senderUserId: 'g1', clientMsgId: 'rg1', recipients: ['g1', 'g2', 'g3'] }));
      await store.joinGroup('rg', ['g4']);
      await store.appendMessage(input({ conversationKey: '3:rg', senderUserId: 'g1', clientMsgId: 'rg2', recipients: ['g1', 'g2', 'g3', 'g4'] }));
      await store.markRead('g2', '3:rg');
      await store.markRead('g4', '3:rg');
      await store.quitGroup('rg', ['g3']);
      // g1's device tells it received the conversation: its own messages count for nothing.
      assert.equal(await store.markDelivered('g1', '3:rg', 2), 0);
      assert.equal(await store.markDelivered('g2', '3:rg', 2), 2);
      assert.deepEqual(await store.groupReadPositions('rg', '3:rg', message.seq), [
        { userId: 'g1', readSeq: 0, deliveredSeq: 0 }, { userId: 'g2', readSeq: 2, deliveredSeq: 2 },
      ]);
      assert.equal((await store.messageBySeq('3:rg', message.seq))?.messageUid, message.messageUid);
      assert.equal(await store.messageBySeq('3:rg', 99), undefined);
    });


    it('keeps each user\'s pin and do-not-disturb, in the list and apart from the others\'', async () => {
      await store.appendMessage(input({ conversationKey: '1:set-a:set-b', senderUserId: 'set-b', clientMsgId: 'set-1', recipients: ['set-a', 'set-b'] }));
      assert.deepEqual(await store.conversationSettings('set-a', '1:set-a:set-b'), { isTop: false, muted: false });
      assert.deepEqual(await store.setConversationSettings('set-a', '1:set-a:set-b', 1, { isTop: true }), { isTop: true, muted: false });
      assert.deepEqual(await store.setConversationSettings('set-a', '1:set-a:set-b', 1, { muted: true }), { isTop: true, muted: true });
      assert.deepEqual(await store.conversationSettings('set-b', '1:set-a:set-b'), { isTop: false, muted: false }, 'per user');
      const [entry] = (await store.conversationList('set-a', { count: 10 })).conversations;
      assert.deepEqual([entry!.isTop, entry!.muted], [true, true]);
      // A conversation without messages yet keeps its settings and stays out of the list.
      assert.deepEqual(await store.setConversationSettings('set-a', '3:set-g', 3, { muted: true }), { isTop: false, muted: true });
      assert.deepEqual((await store.conversationList('set-a', { count: 10 })).conversations.map((c) => c.conversationKey), ['1:set-a:set-b']);
      assert.deepEqual(await store.conversationKeys('set-a'), ['1:set-a:set-b']);
      assert.deepEqual(await store.conversationKeys('set-a', [3]), []);
    });

    it('counts a user\'s unread in all conversations, without the muted ones when asked', async () => {
      for (const [i, peer] of ['tu-b', 'tu-b', 'tu-c'].entries()) {
        await store.appendMessage(input({ conversationKey: `1:tu-a:${peer}`, senderUserId: peer, clientMsgId: `tu-${i}`, recipients: ['tu-a', peer] }));
      }
      await store.appendMessage(input({ conversationKey: '1:tu-a:tu-c', senderUserId: 'tu-a', clientMsgId: 'tu-own', recipients: ['tu-a', 'tu-c'] }));
      assert.equal(await store.totalUnread('tu-a'), 3, 'not their own message');
      await store.setConversationSettings('tu-a', '1:tu-a:tu-b', 1, { muted: true });
      assert.equal(await store.totalUnread('tu-a', { excludeMuted: true }), 1);
      await store.markRead('tu-a', '1:tu-a:tu-c');
      assert.equal(await store.totalUnread('tu-a'), 2);
    });

    it('deletes messages and history up to a time for one user: not in their history, sync, unread or preview; the others keep theirs', async () => {
      const key = '1:od-a:od-b';
      const sent: StoredMessage[] = [];
      for (let i = 0; i < 4; i++) {
        sent.push((await store.appendMessage(input({ conversationKey: key, senderUserId: 'od-b', clientMsgId: `od-${i}`, recipients: ['od-a', 'od-b'] }))).message);
      }
      assert.deepEqual(await store.deleteMessagesFor('od-a', key, [sent[1]!.messageUid, sent[3]!.messageUid, 'NOPE', sent[1]!.messageUid]),
        [sent[1]!.messageUid, sent[3]!.messageUid]);
      assert.deepEqual(await store.deleteMessagesFor('od-a', key, [sent[1]!.messageUid]), [], 'once');
      assert.deepEqual(await store.deleteMessagesFor('od-a', '1:od-a:od-c', [sent[0]!.messageUid]), [], 'only messages of that conversation');
      const seqs = async (userId?: string, query: { before?: number; after?: number } = {}) =>
        (await store.history(key, { count: 10, ...query, ...(userId ? { viewerId: userId } : {}) })).messages.map((m) => m.seq);
      assert.deepEqual(await seqs('od-a'), [1, 3]);
      assert.deepEqual(await seqs('od-a', { after: 0 }), [1, 3]);
      assert.deepEqual(await seqs('od-b'), [1, 2, 3, 4]);
      assert.deepEqual(await seqs(), [1, 2, 3, 4]);
      assert.deepEqual((await store.syncAfter('od-a', 0, 10)).messages.map((m) => m.seq), [1, 3]);
      let [entry] = (await store.conversationList('od-a', { count: 10 })).conversations;
      assert.deepEqual([entry!.latestMessage?.seq, entry!.unreadCount, entry!.latestCursor], [3, 2, sent[3]!.id], 'the preview is the newest left; the order stays');

      // Up to the last one's time (messages stored within one ms share it: a time in between could take more).
      assert.equal(await store.clearHistoryFor('od-a', key, 1, sent[3]!.sentTime), 4);
      assert.equal(await store.clearHistoryFor('od-a', key, 1, 0), 4, 'never moves back');
      assert.deepEqual(await seqs('od-a'), []);
      assert.deepEqual((await store.syncAfter('od-a', 0, 10)).messages, []);
      [entry] = (await store.conversationList('od-a', { count: 10 })).conversations;
      assert.deepEqual([entry!.latestMessage, entry!.unreadCount, entry!.clearedSeq], [undefined, 0, 4]);
      assert.equal(await store.totalUnread('od-a'), 0);
      const later = await store.appendMessage(input({ conversationKey: key, senderUserId: 'od-b', clientMsgId: 'od-later', recipients: ['od-a', 'od-b'] }));
      assert.deepEqual(await seqs('od-a'), [later.message.seq], 'a newer message shows');
      assert.deepEqual((await store.syncAfter('od-b', 0, 10)).messages.length, 5);
      // A group member without a row yet (no message received) can clear too.
      await store.createGroup('od-g', 'g', ['od-a']);
      await store.appendMessage(input({ conversationKey: '3:od-g', senderUserId: 'od-a', clientMsgId: 'od-g1', recipients: ['od-a'] }));
      assert.equal(await store.clearHistoryFor('od-new', '3:od-g', 3, Date.now()), 1);
      assert.deepEqual((await store.history('3:od-g', { count: 10, viewerId: 'od-new' })).messages, []);
    });

    it('searches the text users see: any script, one character or more, newest first, paged by time; never recalled or deleted', async () => {
      const key = '1:fs-a:fs-b';
      const post = async (clientMsgId: string, content: Record<string, unknown>, objectName = 'RC:TxtMsg', conversationKey = key) => (await store.appendMessage(input({
        conversationKey, senderUserId: 'fs-a', clientMsgId, objectName, content: new TextEncoder().encode(JSON.stringify(content)), recipients: ['fs-a', 'fs-b'],
      }))).message;
      const first = await post('fs-1', { content: '你好，订单 Order-42' });
      const file = await post('fs-2', { name: '订单.pdf', size: 1, fileUrl: 'https://x.example/order' }, 'RC:FileMsg');
      await post('fs-3', { imageUri: 'https://x.example/订单.png' }, 'RC:ImgMsg');
      const other = await post('fs-4', { content: '订单 elsewhere' }, 'RC:TxtMsg', '1:fs-a:fs-c');
      const last = await post('fs-5', { content: 'ORDER 100% 你好' });
      const search = (viewerId: string, text: string, extra: { beforeTime?: number; count?: number } = {}, keys = [key]) =>
        store.searchMessages({ viewerId, conversationKeys: keys, text, count: extra.count ?? 10, ...(extra.beforeTime ? { beforeTime: extra.beforeTime } : {}) })
          .then((page) => [page.messages.map((m) => m.clientMsgId), page.hasMore]);
      assert.deepEqual(await search('fs-a', '订单'), [['fs-2', 'fs-1'], false], 'a file\'s name; never a URL');
      assert.deepEqual(await search('fs-a', '订'), [['fs-2', 'fs-1'], false]);
      assert.deepEqual(await search('fs-a', '你好'), [['fs-5', 'fs-1'], false]);
      assert.deepEqual(await search('fs-a', 'order'), [['fs-5', 'fs-1'], false], 'any case');
      assert.deepEqual(await search('fs-a', '100%'), [['fs-5'], false]);
      assert.deepEqual(await search('fs-a', '0%'), [['fs-5'], false]);
      assert.deepEqual(await search('fs-a', '%'), [['fs-5'], false], 'wildcards are text');
      assert.deepEqual(await search('fs-a', '"'), [[], false]);
      assert.deepEqual(await search('fs-a', 'Order-42"'), [[], false]);
      assert.deepEqual(await search('fs-a', '订单', {}, [key, other.conversationKey]), [['fs-4', 'fs-2', 'fs-1'], false]);
      assert.deepEqual(await search('fs-a', '订单', {}, []), [[], false]);
      assert.deepEqual(await search('fs-a', '你好', { count: 1 }), [['fs-5'], true]);
      assert.deepEqual(await search('fs-a', '你好', { count: 1, beforeTime: last.sentTime }).then(([ids]) => ids), last.sentTime > first.sentTime ? ['fs-1'] : []);
      const after = await store.searchMessages({ viewerId: 'fs-a', conversationKeys: [key], text: '你好', count: 1, beforeTime: last.sentTime, beforeId: last.id });
      assert.deepEqual(after.messages.map((m) => m.clientMsgId), ['fs-1'], 'the time and id of the last one: none of the same ms skipped');

      const hits = await store.searchConversations({ viewerId: 'fs-a', conversationKeys: [key, other.conversationKey], text: '订单', limit: 10 });
      assert.deepEqual(hits.map((hit) => [hit.conversationKey, hit.matchCount, hit.latestMatch.clientMsgId]),
        [[other.conversationKey, 1, 'fs-4'], [key, 2, 'fs-2']]);

      await store.deleteMessagesFor('fs-b', key, [file.messageUid]);
      assert.deepEqual(await search('fs-b', '订单'), [['fs-1'], false], 'deleted by the viewer');
      assert.deepEqual(await search('fs-a', '订单'), [['fs-2', 'fs-1'], false], 'the others still find it');
      await store.clearHistoryFor('fs-b', key, 1, first.sentTime);
      assert.deepEqual((await search('fs-b', '你好'))[0], first.sentTime === last.sentTime ? [] : ['fs-5']);
      await store.recallMessage({
        messageId: last.id, expectedObjectName: 'RC:TxtMsg', replacement: { objectName: 'RC:RcNtf', content: new TextEncoder().encode('{}') },
        command: input({ conversationKey: key, senderUserId: 'fs-a', clientMsgId: 'fs-rc', objectName: 'RC:RcCmd', recipients: ['fs-a', 'fs-b'], listed: false, counted: false }),
      });
      assert.deepEqual(await search('fs-a', '100%'), [[], false], 'recalled');
      assert.deepEqual(await search('fs-a', '好'), [['fs-1'], false]);
    });

    it('lists the global log after an id: every message in id order, with its recipients and whether it is listed, paged', async () => {
      const marker = await store.appendMessage(input({ conversationKey: '1:log-a:log-b', senderUserId: 'log-a', clientMsgId: 'log-0', recipients: ['log-b', 'log-a'] }));
      await store.createGroup('log-g', 'g', ['log-a', 'log-b', 'log-c']);
      const sent = await Promise.all([
        store.appendMessage(input({ conversationKey: '3:log-g', senderUserId: 'log-c', clientMsgId: 'log-1', recipients: ['log-c', 'log-a', 'log-b', 'log-a'] })),
        store.appendMessage(input({ conversationKey: '1:log-a:log-b', senderUserId: 'log-b', clientMsgId: 'log-2', recipients: ['log-a', 'log-b'] })),
        store.appendMessage(input({ conversationKey: '1:log-a:log-b', senderUserId: 'log-b', clientMsgId: 'log-2', recipients: ['log-a', 'log-b'] })),
      ]);
      const recall = await store.recallMessage({
        messageId: sent[1].message.id, expectedObjectName: 'RC:TxtMsg', replacement: { objectName: 'RC:RcNtf', content: new TextEncoder().encode('{}') },
        command: input({ conversationKey: '1:log-a:log-b', senderUserId: 'log-b', clientMsgId: 'log-rc', objectName: 'RC:RcCmd', recipients: ['log-a', 'log-b'],
          listed: false, counted: false }),
      });
      const log = await store.messagesAfter(marker.message.id, 100);
      assert.deepEqual(log.map((entry) => [entry.message.clientMsgId, entry.recipients, entry.listed]), [
        ['log-1', ['log-a', 'log-b', 'log-c'], true],
        ['log-2', ['log-a', 'log-b'], true],
        ['log-rc', ['log-a', 'log-b'], false],
      ], 'once each (a duplicate is not logged twice), recipients once each and sorted');
      assert.deepEqual(log.map((entry) => entry.message.id), [sent[0].message.id, sent[1].message.id, recall.message.id]);
      assert.equal(log[1]!.message.objectName, 'RC:RcNtf', 'a recalled message as it is now');
      assert.deepEqual(log[0]!.message, sent[0].message, 'the stored message whole');
      assert.deepEqual((await store.messagesAfter(marker.message.id, 2)).map((entry) => entry.message.clientMsgId), ['log-1', 'log-2'], 'at most limit');
      assert.deepEqual((await store.messagesAfter(sent[1].message.id, 10)).map((entry) => entry.message.clientMsgId), ['log-rc']);
      assert.deepEqual(await store.messagesAfter(recall.message.id, 10), [], 'nothing after the newest');
      assert.equal(await store.lastMessageId(), recall.message.id, 'the log ends at the newest');
      assert.deepEqual(await store.messagesAfter(marker.message.id, 0), []);
      const all = await store.messagesAfter(0, 100_000);
      assert.deepEqual(all.map((entry) => entry.message.id), [...all.map((entry) => entry.message.id)].sort((x, y) => x - y), 'from the start, in id order');
      assert.equal(all.length, (await store.stats()).messages);
    });

    it('cuts sync, history and conversation pages by bytes too: at least one item, never one twice, hasMore when cut', async () => {
      // Sizes 5, 1, 1, 5, 1 (by content length, in units of 1000 bytes) under a budget of 6.
      const units = [5, 1, 1, 5, 1];
      const appended = [];
      for (const [i, unit] of units.entries()) {
        appended.push((await store.appendMessage(input({
          conversationKey: '1:bud-a:bud-b', senderUserId: 'bud-a', clientMsgId: `bud-${i}`, recipients: ['bud-a', 'bud-b'],
          content: new Uint8Array(unit * 1000),
        }))).message);
      }
      const measured: number[] = [];
      const budget = {
        maxBytes: 6000,
        sizeOf: (message: StoredMessage) => {
          measured.push(message.seq);
          return message.content.byteLength;
        },
      };
      const syncPages: StoredMessage[][] = [];
      for (let cursor = 0, hasMore = true; hasMore;) {
        const page = await store.syncAfter('bud-b', cursor, 100, budget);
        syncPages.push(page.messages);
        hasMore = page.hasMore;
        cursor = page.messages.at(-1)?.id ?? cursor;
      }
      assert.deepEqual(syncPages.map((page) => page.map((m) => m.seq)), [[1, 2], [3, 4], [5]], 'cut before the item that would pass the budget; each page moves on');
      assert.deepEqual(syncPages.flat().map((m) => m.content.byteLength), units.map((unit) => unit * 1000), 'contents whole, large or small');
      assert.deepEqual(measured, [1, 2, 3, 3, 4, 5, 5], 'each item measured once per page that reaches it: one item past the page at most');
      const tiny = { maxBytes: 10, sizeOf: (message: StoredMessage) => message.content.byteLength };
      assert.deepEqual((await store.syncAfter('bud-b', 0, 100, tiny)).messages.map((m) => m.seq), [1], 'an item larger than the budget comes alone');
      assert.equal((await store.syncAfter('bud-b', 0, 100, tiny)).hasMore, true);
      assert.equal((await store.syncAfter('bud-b', appended[3]!.id, 100, tiny)).hasMore, false, 'the last item alone: nothing left');
      assert.deepEqual((await store.syncAfter('bud-b', 0, 2, budget)).messages.map((m) => m.seq), [1, 2], 'the count still holds');

      const history = async (query: { before?: number; after?: number }) => {
        const page = await store.history('1:bud-a:bud-b', { count: 100, budget: { maxBytes: 6000, sizeOf: (m) => m.content.byteLength }, ...query });
        assert.ok(page.messages.every((m) => m.content.byteLength === units[m.seq - 1]! * 1000));
        return [page.messages.map((m) => m.seq), page.hasMore];
      };
      assert.deepEqual(await history({}), [[4, 5], true], 'the newest that fit; the older ones are left');
      assert.deepEqual(await history({ before: 4 }), [[2, 3], true]);
      assert.deepEqual(await history({ before: 2 }), [[1], false]);
      assert.deepEqual(await history({ after: 0 }), [[1, 2], true], 'the oldest that fit; the newer ones are left');
      assert.deepEqual(await history({ after: 2 }), [[3, 4], true]);
      assert.deepEqual(await history({ after: 4 }), [[5], false]);

      for (const [i, unit] of [3, 3, 1, 4].entries()) {
        await store.appendMessage(input({
          conversationKey: `1:bud-c:bud-p${i}`, senderUserId: `bud-p${i}`, clientMsgId: `bud-c-${i}`, recipients: ['bud-c', `bud-p${i}`],
          content: new Uint8Array(unit * 1000),
        }));
      }
      const listBudget = { maxBytes: 6000, sizeOf: (c: ConversationState) => c.latestMessage?.content.byteLength ?? 0 };
      const listPages: string[][] = [];
      for (let before = 0, hasMore = true; hasMore;) {
        const page = await store.conversationList('bud-c', { count: 100, before, budget: listBudget });
        listPages.push(page.conversations.map((c) => c.conversationKey.split(':')[2]!));
        hasMore = page.hasMore;
        before = page.conversations.at(-1)?.latestCursor ?? before;
      }
      assert.deepEqual(listPages, [['bud-p3', 'bud-p2'], ['bud-p1', 'bud-p0']]);
      const counted = await store.conversationList('bud-c', { count: 1, budget: listBudget });
      assert.deepEqual([counted.conversations.length, counted.hasMore], [1, true]);
    });
  });
}
