import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionStatus, ConversationType, ErrorCode } from '../../../src/core/protocol/codes.js';
import { TextMessage } from '../../../src/core/messages/index.js';
import { ChatSession } from '../../../src/core/client/chat-session.js';
import type { ChatState } from '../../../src/core/store/chat-state.js';
import { api, createGroup, useTestServer, waitFor } from '../../helpers/server.js';

describe('ChatSession: client events into the store', () => {
  const suite = useTestServer();
  const start = suite.session;
  const until = <T>(session: ChatSession, predicate: (state: ChatState) => T, what: string) =>
    waitFor((check) => session.store.subscribe(check), () => predicate(session.state), what);

  it('a sent message shows at once as sending, then sent; the peer\'s list counts it unread until opened', async () => {
    const alice = await start('cs-alice');
    const bob = await start('cs-bob');
    const toBob = { conversationType: ConversationType.PRIVATE, targetId: 'cs-bob' };
    await alice.open(toBob);
    const sending = alice.send(toBob, new TextMessage({ content: 'hello bob' }));
    const echo = alice.state.windows['1:cs-bob']!.items.at(-1)!;
    assert.equal(echo.status, 'sending');
    assert.equal(alice.state.conversations.byKey['1:cs-bob']!.latestMessage!.status, 'sending');
    const sent = await sending;
    assert.equal(sent.status, 'sent');
    assert.equal(alice.state.windows['1:cs-bob']!.items.at(-1)!.seq, 1);
    assert.equal(alice.state.windows['1:cs-bob']!.items.at(-1)!.id, echo.id, 'the echo keeps its identity');

    await until(bob, (s) => s.conversations.byKey['1:cs-alice']?.unreadCount === 1, 'bob\'s unread badge');
    await alice.send(toBob, new TextMessage({ content: 'are you there?' }));
    await until(bob, (s) => s.conversations.byKey['1:cs-alice']?.unreadCount === 2, 'two unread');
    await bob.open({ conversationType: ConversationType.PRIVATE, targetId: 'cs-alice' });
    assert.equal(bob.state.conversations.byKey['1:cs-alice']!.unreadCount, 0);
    assert.deepEqual(bob.state.windows['1:cs-alice']!.items.map((m) => (m.content as TextMessage).content), ['hello bob', 'are you there?']);
    const serverSide = await bob.client.getConversationList();
    assert.equal(serverSide[0]!.unreadCount, 0, 'the read reached the server');
  });

  it('a read on one device clears the badge on another', async () => {
    const sender = await start('cs-sender');
    const phone = await start('cs-reader');
    const laptop = await start('cs-reader');
    await sender.send({ conversationType: ConversationType.PRIVATE, targetId: 'cs-reader' }, new TextMessage({ content: 'ping' }));
    await until(laptop, (s) => s.conversations.byKey['1:cs-sender']?.unreadCount === 1, 'laptop unread');
    await until(phone, (s) => s.conversations.byKey['1:cs-sender']?.unreadCount === 1, 'phone unread');
    await phone.open({ conversationType: ConversationType.PRIVATE, targetId: 'cs-sender' });
    await until(laptop, (s) => s.conversations.byKey['1:cs-sender']?.unreadCount === 0, 'laptop cleared');
  });

  it('a refused send shows failed with the seed code, and a retry after the fix sends one copy', async () => {
    await createGroup(suite.server, 'cs-club', ['cs-owner']);
    const outsider = await start('cs-outsider');
    const club = { conversationType: ConversationType.GROUP, targetId: 'cs-club' };
    await outsider.open(club).catch(() => undefined);
    const failed = await outsider.send(club, new TextMessage({ content: 'let me in' }));
    assert.equal(failed.status, 'failed');
    assert.equal(failed.errorCode, ErrorCode.NOT_IN_GROUP);
    assert.equal((await api(suite.server, 'POST', '/api/group/join', { groupId: 'cs-club', userIds: ['cs-outsider'] })).status, 200);
    const retried = await outsider.retry(club, failed.id);
    assert.equal(retried?.status, 'sent');
    const history = await outsider.client.getHistoryMessages(club);
    assert.deepEqual(history.messages.filter((m) => m.objectName !== 'RC:GrpNtf').map((m) => m.clientMsgId), [failed.id], 'one copy (beside the join notice)');
    const again = await outsider.send(club, new TextMessage({ content: 'thanks' }));
    outsider.discard(club, again.id);
    assert.ok(!outsider.state.windows['3:cs-club']!.items.some((m) => m.id === again.id));
  });

  it('without a provider, names come from the server: users by the API\'s name, groups only to members', async () => {
    assert.equal((await api(suite.server, 'POST', '/api/user/token', { userId: 'cs-named', name: 'Named Person', portraitUri: 'https://example.com/n.png' })).status, 200);
    await createGroup(suite.server, 'cs-named-group', ['cs-named', 'cs-looker']);
    const named = await start('cs-named');
    await named.client.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'cs-looker' }, new TextMessage({ content: 'hi' }));
    await named.client.sendMessage({ conversationType: ConversationType.GROUP, targetId: 'cs-named-group' }, new TextMessage({ content: 'hi all' }));
    const looker = await start('cs-looker');
    await until(looker, (s) => s.users['cs-named']?.name === 'Named Person' && s.groups['cs-named-group']?.name === 'cs-named-group', 'profiles');
    assert.equal(looker.state.users['cs-named']!.portraitUri, 'https://example.com/n.png');
    const profiles = await looker.client.getProfiles({ userIds: ['cs-named', 'nobody-here'], groupIds: ['cs-named-group', 'cs-club'] });
    assert.deepEqual(profiles.users.map((u) => u.userId), ['cs-named']);
    assert.deepEqual(profiles.groups.map((g) => g.groupId), ['cs-named-group'], 'not the name of a group one is not in');
  });

  it('opens a conversation that has no message yet: empty, shown, and listed on both sides from its first message', async () => {
    const starter = await start('cs-starter');
    const newcomer = await start('cs-newcomer');
    const conversation = { conversationType: ConversationType.PRIVATE, targetId: 'cs-newcomer' };
    await starter.open(conversation);
    assert.equal(starter.state.activeKey, '1:cs-newcomer', 'it is the open one');
    assert.deepEqual(starter.state.windows['1:cs-newcomer'], { items: [], hasOlder: false, loadingOlder: false, loaded: true });
    assert.equal(starter.state.conversations.byKey['1:cs-newcomer'], undefined, 'listed from its first message, not before');
    const sent = await starter.send(conversation, new TextMessage({ content: 'hello, new here' }));
    assert.equal(sent.status, 'sent');
    assert.deepEqual(starter.state.conversations.keys, ['1:cs-newcomer']);
    assert.equal(starter.state.conversations.byKey['1:cs-newcomer']!.unreadCount, 0);
    await until(newcomer, (s) => s.conversations.byKey['1:cs-starter']?.unreadCount === 1, 'the newcomer\'s list');
    // A reconnect's refresh keeps it open and listed.
    await starter.client.disconnect();
    await starter.client.connect();
    await until(starter, (s) => s.status === ConnectionStatus.CONNECTED && s.conversations.byKey['1:cs-newcomer'], 'refreshed');
    assert.equal(starter.state.activeKey, '1:cs-newcomer');
  });

  it('loads older pages into the window and learns user names from the provider', async () => {
    const asked: string[] = [];
    const writer = await start('cs-writer');
    const target = { conversationType: ConversationType.PRIVATE, targetId: 'cs-pager' };
    for (let i = 1; i <= 25; i++) await writer.client.sendMessage(target, new TextMessage({ content: `p${i}` }));
    const pager = await start('cs-pager', {
      pageSize: 10,
      userInfoProvider: async (userId: string) => {
        asked.push(userId);
        return { name: `Name of ${userId}` };
      },
    });
    const conversation = { conversationType: ConversationType.PRIVATE, targetId: 'cs-writer' };
    await pager.open(conversation);
    const seqs = () => pager.state.windows['1:cs-writer']!.items.map((m) => m.seq);
    assert.deepEqual(seqs(), [16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    assert.equal(await pager.loadOlder(conversation), true);
    assert.equal(await pager.loadOlder(conversation), true);
    assert.deepEqual(seqs(), Array.from({ length: 25 }, (_, i) => i + 1));
    assert.equal(pager.state.windows['1:cs-writer']!.hasOlder, false);
    assert.equal(await pager.loadOlder(conversation), false);
    await until(pager, (s) => s.users['cs-writer']?.name === 'Name of cs-writer', 'user info');
    assert.deepEqual(asked, ['cs-writer'], 'asked once');
  });
});
