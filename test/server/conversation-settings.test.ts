import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConversationType, ErrorCode, NotificationStatus } from '../../src/core/protocol/codes.js';
import { FileMessage, TextMessage } from '../../src/core/messages/index.js';
import type { IMClient } from '../../src/core/client/client.js';
import type { IMError } from '../../src/core/client/errors.js';
import type { ConversationChange, IMMessage } from '../../src/core/client/types.js';
import { api, createGroup, useTestServer, waitFor } from '../helpers/server.js';

const private_ = (targetId: string) => ({ conversationType: ConversationType.PRIVATE, targetId });
const group = (targetId: string) => ({ conversationType: ConversationType.GROUP, targetId });
const refusedWith = (code: number) => (error: IMError) => error.code === code;
const texts = (messages: IMMessage[]) => messages.map((m) => (m.content as TextMessage).content ?? (m.content as FileMessage).name);

/** The conversation changes a client hears, to wait on. */
function changesOf(client: IMClient) {
  const changes: ConversationChange[] = [];
  client.on('conversation', (change) => changes.push(change));
  const until = (predicate: (change: ConversationChange) => boolean, what: string) =>
    waitFor((check) => client.on('conversation', check), () => changes.find(predicate), what);
  return { changes, until };
}

describe('pin, do not disturb, one-sided deletes, unread total, search', () => {
  const suite = useTestServer();
  const send = (client: IMClient, conversation: { conversationType: number; targetId: string }, content: string) =>
    client.sendMessage(conversation, new TextMessage({ content }));

  it('keeps pin and do-not-disturb per user on the server: live on the other device, in the list after a reconnect, the peer unaffected', async () => {
    const phone = await suite.connect('pin-ann');
    const laptop = await suite.connect('pin-ann');
    const bob = await suite.connect('pin-bob');
    await send(bob, private_('pin-ann'), 'hello');
    const laptopChanges = changesOf(laptop);

    assert.deepEqual(await phone.setConversationToTop(private_('pin-bob'), true), { isTop: true, muted: false });
    const pinned = await laptopChanges.until((c) => c.isTop === true, 'the pin on the laptop');
    assert.deepEqual([pinned.targetId, pinned.notificationStatus], ['pin-bob', NotificationStatus.NOTIFY]);

    await phone.setConversationNotificationStatus(private_('pin-bob'), NotificationStatus.DO_NOT_DISTURB);
    await laptopChanges.until((c) => c.notificationStatus === NotificationStatus.DO_NOT_DISTURB, 'do not disturb on the laptop');
    assert.equal(await laptop.getConversationNotificationStatus(private_('pin-bob')), NotificationStatus.DO_NOT_DISTURB);

    await laptop.disconnect();
    const again = await suite.connect('pin-ann');
    const [entry] = await again.getConversationList();
    assert.deepEqual([entry!.targetId, entry!.isTop, entry!.notificationStatus], ['pin-bob', true, NotificationStatus.DO_NOT_DISTURB]);
    const [bobsEntry] = await bob.getConversationList();
    assert.deepEqual([bobsEntry!.isTop, bobsEntry!.notificationStatus], [false, NotificationStatus.NOTIFY], 'the peer keeps their own settings');

    await phone.setConversationToTop(private_('pin-bob'), false);
    assert.equal((await again.getConversationList())[0]!.isTop, false);
    await assert.rejects(phone.setConversationNotificationStatus(private_('pin-bob'), 7 as NotificationStatus), refusedWith(ErrorCode.PARAMETER_ERROR));
    await createGroup(suite.server, 'pin-group', ['pin-bob']);
    await assert.rejects(phone.setConversationToTop(group('pin-group'), true), refusedWith(ErrorCode.NOT_IN_GROUP));
  });

  it('ChatSession: pins, mutes and deletes made on one device are in the other device\'s store', async () => {
    const bob = await suite.connect('cs-bob');
    const kept = await send(bob, private_('cs-ann'), 'kept');
    const doomed = await send(bob, private_('cs-ann'), 'doomed');
    const phone = await suite.session('cs-ann');
    const laptop = await suite.session('cs-ann');
    const key = '1:cs-bob';
    const state = (session: typeof phone) => session.store.getState();
    const until = <T>(session: typeof phone, predicate: () => T | undefined | false, what: string) =>
      waitFor((check) => session.store.subscribe(check), predicate, what);
    await until(laptop, () => state(laptop).conversations.byKey[key], 'the conversation on the laptop');
    await laptop.open(private_('cs-bob'));
    await until(laptop, () => state(laptop).windows[key]?.items.length === 2, 'both messages on the laptop');

    await phone.setPinned(private_('cs-bob'), true);
    await phone.setMuted(private_('cs-bob'), true);
    assert.deepEqual([state(phone).conversations.byKey[key]!.pinned, state(phone).conversations.byKey[key]!.muted], [true, true], 'at once here');
    await until(laptop, () => state(laptop).conversations.byKey[key]?.pinned && state(laptop).conversations.byKey[key]?.muted, 'pinned and muted on the laptop');

    await phone.open(private_('cs-bob'));
    await until(phone, () => state(phone).windows[key]?.items.length === 2, 'both messages on the phone');
    const item = state(phone).windows[key]!.items.find((i) => i.messageUid === doomed.messageUid)!;
    await phone.deleteForMe(private_('cs-bob'), item.id);
    await until(laptop, () => state(laptop).windows[key]?.items.length === 1, 'the delete on the laptop');
    assert.deepEqual(state(laptop).windows[key]!.items.map((i) => i.messageUid), [kept.messageUid]);
    assert.equal(state(laptop).conversations.byKey[key]!.latestMessage?.messageUid, kept.messageUid, 'the preview is the one left');
    assert.deepEqual(texts((await bob.getHistoryMessages(private_('cs-ann'))).messages), ['kept', 'doomed'], 'Bob keeps his');

    // A third device: the list brings the settings from the server.
    const tablet = await suite.session('cs-ann');
    await until(tablet, () => state(tablet).conversations.byKey[key]?.pinned, 'pinned on the tablet');
    assert.equal(state(tablet).conversations.byKey[key]!.latestMessage?.messageUid, kept.messageUid);
  });

  it('counts the total unread, with or without muted conversations', async () => {
    const ann = await suite.connect('unread-ann');
    const bob = await suite.connect('unread-bob');
    const cat = await suite.connect('unread-cat');
    await send(bob, private_('unread-ann'), 'one');
    await send(bob, private_('unread-ann'), 'two');
    await send(cat, private_('unread-ann'), 'three');
    assert.equal(await ann.getTotalUnreadCount(), 3);
    await ann.setConversationNotificationStatus(private_('unread-bob'), NotificationStatus.DO_NOT_DISTURB);
    assert.equal(await ann.getTotalUnreadCount({ excludeMuted: true }), 1);
    assert.equal(await ann.getTotalUnreadCount(), 3);
    await ann.clearUnreadCount(private_('unread-cat'));
    assert.equal(await ann.getTotalUnreadCount(), 2);
  });

  it('says whether more conversations are left (hasMore on the seed\'s list)', async () => {
    const dan = await suite.connect('list-dan');
    for (const peer of ['list-a', 'list-b', 'list-c']) await send(dan, private_(peer), `to ${peer}`);
    const first = await dan.getConversationList({ count: 2 });
    assert.deepEqual([first.length, first.hasMore], [2, true]);
    const rest = await dan.getConversationList({ count: 2, before: first[1]!.latestCursor });
    assert.deepEqual([rest.map((c) => c.targetId), rest.hasMore], [['list-a'], false]);
  });

  it('deletes messages for one user only: gone from their history, sync and other device, kept by the peer', async () => {
    const phone = await suite.connect('del-ann');
    const laptop = await suite.connect('del-ann');
    const bob = await suite.connect('del-bob');
    const first = await send(bob, private_('del-ann'), 'first');
    const second = await send(phone, private_('del-bob'), 'second');
    await send(bob, private_('del-ann'), 'third');
    const laptopChanges = changesOf(laptop);

    assert.deepEqual(await phone.deleteRemoteMessages(private_('del-bob'), [{ messageUId: first.messageUid }, { messageUid: 'NOPE-NOPE-NOPE-NOPE' }]),
      [first.messageUid]);
    const change = await laptopChanges.until((c) => c.deletedMessageUids !== undefined, 'the delete on the laptop');
    assert.deepEqual([change.targetId, change.deletedMessageUids], ['del-bob', [first.messageUid]]);
    assert.deepEqual(texts((await phone.getHistoryMessages(private_('del-bob'))).messages), ['second', 'third']);
    assert.deepEqual(texts((await bob.getHistoryMessages(private_('del-ann'))).messages), ['first', 'second', 'third'], 'the peer keeps theirs');

    // A device that syncs from the start never gets it again.
    const fresh = await suite.connect('del-ann', { syncFrom: 'beginning' });
    const synced: IMMessage[] = [];
    fresh.on('message', (m) => synced.push(m));
    await fresh.getConversationList(); // answered after the sync that came before it on the same link
    await waitFor((check) => fresh.on('message', check), () => synced.length >= 2, 'the sync');
    assert.deepEqual(texts(synced).filter((t) => t !== undefined), ['second', 'third']);

    // Clearing the history up to a time: that and everything before, for this user only (a message
    // stored in the same ms as 'second' goes too).
    const all = (await bob.getHistoryMessages(private_('del-ann'))).messages;
    const upTo = Math.max(...all.filter((m) => m.sentTime <= second.sentTime).map((m) => m.seq));
    const clearedSeq = await phone.clearRemoteHistoryMessages({ ...private_('del-bob'), timestamp: second.sentTime });
    assert.equal(clearedSeq, upTo);
    await laptopChanges.until((c) => c.clearedSeq === upTo, 'the clear on the laptop');
    assert.deepEqual(texts((await laptop.getHistoryMessages(private_('del-bob'))).messages), texts(all.filter((m) => m.seq > upTo)));
    assert.deepEqual(texts((await bob.getHistoryMessages(private_('del-ann'))).messages), ['first', 'second', 'third']);
    const [entry] = await laptop.getConversationList();
    assert.equal(entry!.clearedSeq, upTo);
    if (entry!.latestMessage) await phone.deleteRemoteMessages(private_('del-bob'), [{ messageUid: entry!.latestMessage.messageUid }]);
    const [emptied] = await laptop.getConversationList();
    assert.deepEqual([emptied!.targetId, emptied!.latestMessage, emptied!.unreadCount], ['del-bob', undefined, 0], 'listed, with nothing left to preview');

    await assert.rejects(phone.deleteRemoteMessages(private_('del-bob'), []), refusedWith(ErrorCode.PARAMETER_ERROR));
    await assert.rejects(phone.clearRemoteHistoryMessages(private_('del-bob'), -1), refusedWith(ErrorCode.PARAMETER_ERROR));
  });

  it('clears the user\'s conversations of some types from their list, on every device', async () => {
    const phone = await suite.connect('clr-ann');
    const laptop = await suite.connect('clr-ann');
    const bob = await suite.connect('clr-bob');
    await createGroup(suite.server, 'clr-group', ['clr-ann', 'clr-bob']);
    await send(bob, private_('clr-ann'), 'private');
    await send(bob, group('clr-group'), 'group');
    const laptopChanges = changesOf(laptop);
    assert.equal(await phone.clearConversations([ConversationType.PRIVATE]), 1);
    await laptopChanges.until((c) => c.removed && c.targetId === 'clr-bob', 'the removal on the laptop');
    assert.deepEqual((await laptop.getConversationList()).map((c) => c.targetId), ['clr-group']);
    assert.equal(await phone.clearConversations(), 1);
    assert.deepEqual(await laptop.getConversationList(), []);
    assert.equal((await bob.getConversationList()).length, 2, 'the others keep theirs');
    const eve = await suite.connect('clr-eve');
    const [groupMessage] = (await bob.getHistoryMessages(group('clr-group'))).messages;
    await assert.rejects(eve.deleteRemoteMessages(group('clr-group'), [groupMessage!]), refusedWith(ErrorCode.NOT_IN_GROUP));
    await assert.rejects(eve.clearRemoteHistoryMessages(group('clr-group'), Date.now()), refusedWith(ErrorCode.NOT_IN_GROUP));
    await assert.rejects(eve.getConversationNotificationStatus(group('clr-group')), refusedWith(ErrorCode.NOT_IN_GROUP));
    assert.equal((await bob.getHistoryMessages(group('clr-group'))).messages.length, 1);
  });

  it('searches by content: English and Chinese of 1 to 3+ characters, only readable conversations, never recalled or deleted messages', async () => {
    const ann = await suite.connect('s-ann');
    const bob = await suite.connect('s-bob');
    const eve = await suite.connect('s-eve');
    await createGroup(suite.server, 's-group', ['s-ann', 's-bob']);
    await send(bob, private_('s-ann'), '你好，订单已发货 Order shipped');
    const hello = await send(ann, private_('s-bob'), '你好吗? 100% ready_now');
    await send(bob, group('s-group'), '订单号 12345 in the group');
    await ann.sendMessage(private_('s-bob'), new FileMessage({ name: '发票-invoice.pdf', size: 10, type: 'pdf', fileUrl: 'https://files.example/1' }));
    await send(eve, private_('s-bob'), '你好 from eve'); // not Ann's conversation

    const conversations = async (keyword: string, types?: number[]) =>
      (await ann.searchConversationByContent(keyword, types)).map((hit) => [hit.targetId, hit.matchCount]);
    assert.deepEqual(await conversations('你好'), [['s-bob', 2]], 'two characters, by scan');
    assert.deepEqual(await conversations('订'), [['s-group', 1], ['s-bob', 1]], 'one character, newest match first');
    assert.deepEqual(await conversations('订单号'), [['s-group', 1]], 'three characters, by the index');
    assert.deepEqual(await conversations('ORDER shipped'), [['s-bob', 1]], 'any case');
    assert.deepEqual(await conversations('invoice'), [['s-bob', 1]], 'file names');
    assert.deepEqual(await conversations('100%'), [['s-bob', 1]], 'wildcards are text');
    assert.deepEqual(await conversations('_'), [['s-bob', 1]]);
    assert.deepEqual(await conversations('订单', [ConversationType.GROUP]), [['s-group', 1]]);
    assert.deepEqual(await conversations('eve'), [], 'not in a conversation of hers');
    const [hit] = await ann.searchConversationByContent('发货');
    assert.equal((hit!.latestMessage.content as TextMessage).content, '你好，订单已发货 Order shipped');

    const found = await ann.searchMessageByContent(private_('s-bob'), '你好');
    assert.deepEqual(texts(found.messages), ['你好吗? 100% ready_now', '你好，订单已发货 Order shipped'], 'newest first');
    const older = await ann.searchMessageByContent(private_('s-bob'), '你好', 0, 1);
    assert.deepEqual([texts(older.messages), older.hasMore], [['你好吗? 100% ready_now'], true]);
    const next = await ann.searchMessageByContent(private_('s-bob'), '你好', older.messages[0]!, 1);
    assert.deepEqual([texts(next.messages), next.hasMore], [['你好，订单已发货 Order shipped'], false], 'paged by time');

    await ann.recallMessage(private_('s-bob'), { messageUid: hello.messageUid });
    assert.deepEqual(texts((await ann.searchMessageByContent(private_('s-bob'), 'ready')).messages), [], 'recalled: never found');
    const [shipped] = (await ann.searchMessageByContent(private_('s-bob'), '订单已发货')).messages;
    await ann.deleteRemoteMessages(private_('s-bob'), [shipped!]);
    assert.deepEqual(await conversations('你好'), [], 'deleted for Ann: never found by her');
    assert.deepEqual((await bob.searchConversationByContent('订单已发货')).map((h) => h.targetId), ['s-ann'], 'Bob still finds his');

    await api(suite.server, 'POST', '/api/group/quit', { groupId: 's-group', userIds: ['s-ann'] });
    assert.deepEqual(await conversations('订单号'), [], 'a group she left');
    await assert.rejects(ann.searchMessageByContent(group('s-group'), '订单'), refusedWith(ErrorCode.NOT_IN_GROUP));
    await assert.rejects(eve.searchMessageByContent(private_('s-bob'), 'x'.repeat(257)), refusedWith(ErrorCode.PARAMETER_ERROR));
    await assert.rejects(ann.searchConversationByContent('  '), refusedWith(ErrorCode.PARAMETER_ERROR));
  });
});
