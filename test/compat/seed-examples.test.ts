// The seed's own examples (RongIMLib 5.x "send message" guide), run unchanged against the
// facade `im-widget/compat` and the real server: calls resolve { code, msg, data } with the
// seed's codes, listeners get the seed's shapes.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import * as RongIMLib from '../../src/compat/index.js';
import type { IAReceivedMessage } from '../../src/compat/index.js';
import { TextMessage } from '../../src/core/messages/index.js';
import type { IMMessage, TypingEvent } from '../../src/core/client/types.js';
import { createGroup, tokenFor, useTestServer, waitFor } from '../helpers/server.js';

describe('im-widget/compat: the seed\'s examples, unchanged', () => {
  const suite = useTestServer();
  const heard: IAReceivedMessage[] = [];
  const onMessages = ({ messages }: { messages: IAReceivedMessage[] }) => heard.push(...messages);
  after(() => RongIMLib.disconnect());

  const connectAs = async (userId: string) => {
    RongIMLib.init({ appkey: 'test-key', server: suite.server.wsUrl, WebSocket: WebSocket as never });
    RongIMLib.addEventListener(RongIMLib.Events.MESSAGES, onMessages);
    return RongIMLib.connect(await tokenFor(suite.server, userId));
  };
  const inbox = (client: { on(name: 'message', listener: (message: IMMessage) => void): () => void }) => {
    const got: IMMessage[] = [];
    client.on('message', (message) => got.push(message));
    return {
      got,
      text: (content: string) => waitFor((check) => client.on('message', check),
        () => got.find((m) => (m.content as TextMessage).content === content), `"${content}" arrives`),
    };
  };

  it('connects with a token: { code: 0, data: { userId } }; a bad token answers its code', async () => {
    const early = await RongIMLib.connect('a-token');
    assert.equal(early.code, RongIMLib.ErrorCode.PARAMETER_ERROR, 'init comes first');
    const res = await connectAs('compat-ann');
    assert.deepEqual(res, { code: RongIMLib.ErrorCode.SUCCESS, data: { userId: 'compat-ann' } });
    assert.equal(RongIMLib.getCurrentUserId(), 'compat-ann');
    assert.equal(RongIMLib.getConnectionStatus(), RongIMLib.ConnectionStatus.CONNECTED);
    const wrong = await RongIMLib.connect('bm90IGEgdG9rZW4');
    assert.equal(wrong.code, RongIMLib.ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR);
    assert.equal(typeof wrong.msg, 'string');
    assert.equal((await connectAs('compat-ann')).code, 0, 'and again with the right one');
  });

  it('sends the guide\'s group @ message: mentionedInfo, options.isMentioned, onSendBefore, res.data', async () => {
    const zhangsan = 'compat-zhangsan';
    await createGroup(suite.server, 'compat-group', ['compat-ann', zhangsan]);
    const peer = await suite.connect(zhangsan);
    const peerInbox = inbox(peer);
    // The guide's code, as written (only the ids filled in).
    const conversation = { conversationType: RongIMLib.ConversationType.GROUP, targetId: 'compat-group' };
    const message = new RongIMLib.TextMessage({
      content: '文本内容',
      extra: '消息中附加信息',
      mentionedInfo: { type: RongIMLib.MentionedType.SINGAL, userIdList: [zhangsan], mentionedContent: '' },
    });
    let before: IAReceivedMessage | undefined;
    const options = { isMentioned: true, onSendBefore: (m: IAReceivedMessage) => { before = m; } };
    const res = await RongIMLib.sendMessage(conversation, message, options);
    assert.equal(res.code, RongIMLib.ErrorCode.SUCCESS, res.msg);
    assert.ok(res.data!.messageUId, 'the server\'s id');
    assert.equal(res.data!.messageId, before?.messageId, 'onSendBefore had the same messageId');
    assert.deepEqual(res.data!.content, message.toJSON(), 'content as a plain object');
    assert.equal(res.data!.messageType, RongIMLib.MessageType.TEXT);
    assert.equal(res.data!.messageDirection, RongIMLib.MessageDirection.SEND);
    const got = await peerInbox.text('文本内容');
    assert.deepEqual((got.content as TextMessage).mentionedInfo, { type: 2, userIdList: [zhangsan], mentionedContent: '' });

    // And the other way: the MESSAGES listener gets the seed's shape, mentioned.
    await peer.sendMessage(conversation, new TextMessage({ content: '@ann look', mentionedInfo: { type: 2, userIdList: ['compat-ann'] } }));
    const received = await waitFor((check) => {
      RongIMLib.addEventListener(RongIMLib.Events.MESSAGES, check);
      return () => RongIMLib.removeEventListener(RongIMLib.Events.MESSAGES, check);
    }, () => heard.find((m) => m.content.content === '@ann look'), 'MESSAGES');
    assert.equal(received.isMentioned, true);
    assert.equal(received.senderUserId, zhangsan);
    assert.equal(received.messageDirection, RongIMLib.MessageDirection.RECEIVE);
  });

  it('sends the guide\'s emoji text to a private chat, and its typing status', async () => {
    const peer = await suite.connect('compat-bob');
    const peerInbox = inbox(peer);
    const conversation = { conversationType: RongIMLib.ConversationType.PRIVATE, targetId: 'compat-bob' };
    const message = new RongIMLib.TextMessage({ content: '😀' });
    const res = await RongIMLib.sendMessage(conversation, message);
    assert.equal(res.code, 0);
    await peerInbox.text('😀');
    const typing: TypingEvent[] = [];
    const heardTyping = waitFor((check) => peer.on('typing', (event) => { typing.push(event); check(); }), () => typing[0], 'typing');
    assert.equal((await RongIMLib.sendTypingStatusMessage({ conversationType: RongIMLib.ConversationType.PRIVATE, targetId: 'compat-bob' }, RongIMLib.MessageType.TEXT)).code, 0);
    assert.equal((await heardTyping).typingContentType, 'RC:TxtMsg');
  });

  it('uploads and sends the guide\'s file message with hooks: ({ code, data: message })', async () => {
    const conversation = { conversationType: RongIMLib.ConversationType.PRIVATE, targetId: 'compat-bob' };
    const progress: number[] = [];
    let url = '';
    const msgBody = { file: new File([new Uint8Array(2048)], 'report.pdf', { type: 'application/pdf' }), extra: '' };
    const hooks = { onProgress: (p: number) => progress.push(p), onComplete: (fileInfo: { url: string }) => { url = fileInfo.url; } };
    const { code, data: message } = await RongIMLib.sendFileMessage(conversation, msgBody, hooks, { contentDisposition: 'attachment' });
    assert.equal(code, 0);
    assert.equal(message!.messageType, RongIMLib.MessageType.FILE);
    assert.equal(message!.content.name, 'report.pdf');
    assert.equal(message!.content.fileUrl, url);
    assert.equal(progress.at(-1), 100);
  });

  it('a resend with the failed message\'s messageId is stored once (the seed stored it twice)', async () => {
    const conversation = { conversationType: RongIMLib.ConversationType.PRIVATE, targetId: 'compat-cy' };
    const first = await RongIMLib.sendMessage(conversation, new RongIMLib.TextMessage({ content: 'once' }));
    const again = await RongIMLib.sendMessage(conversation, new RongIMLib.TextMessage({ content: 'once' }), { messageId: first.data!.messageId });
    assert.equal(again.code, 0);
    assert.equal(again.data!.messageUId, first.data!.messageUId, 'the same stored message');
    const history = await RongIMLib.getHistoryMessages(conversation, { timestamp: 0, count: 20 });
    assert.equal(history.data!.list.filter((m) => m.content.content === 'once').length, 1);
  });

  it('pages history by timestamp (order 0: before it), lists conversations, clears unread, recalls', async () => {
    const conversation = { conversationType: RongIMLib.ConversationType.PRIVATE, targetId: 'compat-dee' };
    const dee = await suite.connect('compat-dee');
    for (let i = 1; i <= 5; i++) await dee.sendMessage({ conversationType: 1, targetId: 'compat-ann' }, new TextMessage({ content: `m${i}` }));
    const newest = await RongIMLib.getHistoryMessages(conversation, { timestamp: 0, count: 3, order: 0 });
    assert.equal(newest.code, 0);
    assert.deepEqual(newest.data!.list.map((m) => m.content.content), ['m3', 'm4', 'm5'], 'ascending by time');
    assert.equal(newest.data!.hasMore, true);
    const older = await RongIMLib.getHistoryMessages(conversation, { timestamp: newest.data!.list[0]!.sentTime, count: 3, order: 0 });
    assert.deepEqual(older.data!.list.map((m) => m.content.content), ['m1', 'm2']);
    assert.equal(older.data!.hasMore, false);

    const list = await RongIMLib.getConversationList({ count: 10, startTime: 0 });
    assert.equal(list.code, 0);
    const withDee = list.data!.find((c) => c.targetId === 'compat-dee');
    assert.deepEqual([withDee?.conversationType, withDee?.unreadMessageCount, withDee?.latestMessage?.content.content], [1, 5, 'm5']);
    assert.equal((await RongIMLib.clearMessagesUnreadStatus(conversation)).code, 0);
    const after = await RongIMLib.getConversationList({ count: 10 });
    assert.equal(after.data!.find((c) => c.targetId === 'compat-dee')?.unreadMessageCount, 0);

    const mine = await RongIMLib.sendMessage(conversation, new RongIMLib.TextMessage({ content: 'oops' }));
    const recalled = await RongIMLib.recallMessage(conversation, { messageUId: mine.data!.messageUId, sentTime: mine.data!.sentTime });
    assert.equal(recalled.code, 0);
    assert.equal(recalled.data!.messageType, RongIMLib.MessageType.RECALL);
  });

  it('keeps a blacklist with the seed\'s calls; a blocked user\'s private message is refused with 405', async () => {
    const pest = await suite.connect('compat-pest');
    assert.equal((await RongIMLib.addToBlacklist('compat-pest')).code, 0);
    assert.deepEqual(await RongIMLib.getBlacklist(), { code: 0, data: ['compat-pest'] });
    assert.deepEqual(await RongIMLib.getBlacklistStatus('compat-pest'), { code: 0, data: RongIMLib.BlacklistStatus.IN_BLACK_LIST });
    await assert.rejects(pest.sendMessage({ conversationType: 1, targetId: 'compat-ann' }, new TextMessage({ content: 'hi' })),
      (error: { code?: number }) => error.code === RongIMLib.ErrorCode.REJECTED_BY_BLACKLIST);
    assert.equal((await RongIMLib.removeFromBlacklist('compat-pest')).code, 0);
    assert.deepEqual(await RongIMLib.getBlacklistStatus('compat-pest'), { code: 0, data: RongIMLib.BlacklistStatus.NOT_IN_BLACK_LIST });
  });

  it('pins, mutes, counts unread, searches and deletes for this user with the seed\'s calls', async () => {
    const conversation = { conversationType: RongIMLib.ConversationType.PRIVATE, targetId: 'compat-eve' };
    const eve = await suite.connect('compat-eve');
    await eve.sendMessage({ conversationType: 1, targetId: 'compat-ann' }, new TextMessage({ content: '订单已发货 order shipped' }));
    const delivered = await eve.sendMessage({ conversationType: 1, targetId: 'compat-ann' }, new TextMessage({ content: 'second note' }));
    assert.equal((await RongIMLib.setConversationToTop(conversation, true)).code, 0);
    assert.equal((await RongIMLib.setConversationNotificationStatus(conversation, RongIMLib.NotificationStatus.OPEN)).code, 0);
    assert.deepEqual(await RongIMLib.getConversationNotificationStatus(conversation), { code: 0, data: RongIMLib.NotificationStatus.OPEN });
    const listed = (await RongIMLib.getConversationList()).data!.find((c) => c.targetId === 'compat-eve')!;
    assert.deepEqual([listed.isTop, listed.notificationStatus], [true, RongIMLib.NotificationStatus.OPEN]);
    const all = (await RongIMLib.getTotalUnreadCount()).data!;
    const notMuted = (await RongIMLib.getTotalUnreadCount(false)).data!;
    assert.equal(all - notMuted, 2, 'eve\'s two unread are muted');
    const found = await RongIMLib.searchMessageByContent(conversation, '订单');
    assert.deepEqual(found.data!.list.map((m) => m.content.content), ['订单已发货 order shipped']);
    const hits = await RongIMLib.searchConversationByContent('shipped');
    assert.deepEqual(hits.data!.map((hit) => [hit.targetId, hit.matchCount]), [['compat-eve', 1]]);
    assert.equal((await RongIMLib.deleteMessages(conversation, [{ messageUId: delivered.messageUid }])).code, 0);
    const left = await RongIMLib.getHistoryMessages(conversation, { timestamp: 0, count: 10 });
    assert.deepEqual(left.data!.list.map((m) => m.content.content), ['订单已发货 order shipped'], 'deleted for ann');
    assert.equal((await eve.getHistoryMessages({ conversationType: 1, targetId: 'compat-ann' })).messages.length, 2, 'eve keeps both');
  });

  it('joins a chatroom, hears and sends in it, keeps KV entries, with the seed\'s calls and codes', async () => {
    const room = { conversationType: RongIMLib.ConversationType.CHATROOM, targetId: 'compat-room' };
    assert.equal((await RongIMLib.sendMessage(room, new RongIMLib.TextMessage({ content: 'early' }))).code, RongIMLib.ErrorCode.NOT_IN_CHATROOM);
    const fay = await suite.connect('compat-fay');
    await fay.joinChatRoom('compat-room', -1);
    assert.equal((await RongIMLib.joinChatRoom('compat-room', { count: -1 })).code, 0);
    const info = await RongIMLib.getChatRoomInfo('compat-room', { count: 10, order: 1 });
    assert.deepEqual([info.code, info.data!.userCount, info.data!.userInfos.map((u) => u.id)], [0, 2, ['compat-fay', 'compat-ann']]);
    const fayInbox = inbox(fay);
    assert.equal((await RongIMLib.sendMessage(room, new RongIMLib.TextMessage({ content: 'hi room' }))).code, 0);
    await fayInbox.text('hi room');
    assert.equal((await RongIMLib.setChatRoomEntry('compat-room', { key: 'topic', value: 'news', isAutoDelete: true })).code, 0);
    assert.deepEqual(await RongIMLib.getChatRoomEntry('compat-room', 'topic'), { code: 0, data: 'news' });
    assert.equal((await RongIMLib.getChatRoomEntry('compat-room', 'missing')).code, RongIMLib.ErrorCode.CHATROOM_KEY_NOT_EXIST);
    const history = await RongIMLib.getChatRoomHistoryMessages('compat-room', { count: 10, order: 0 });
    assert.deepEqual(history.data!.list.map((m) => m.content.content), ['hi room']);
    assert.equal((await RongIMLib.quitChatRoom('compat-room')).code, 0);
    assert.deepEqual(await fay.getAllChatroomEntries('compat-room'), {}, 'the autoDelete entry went with its setter');
  });

  it('tells online status with the seed\'s calls: get, set, and a listener for changes', async () => {
    const gus = await suite.connect('compat-gus');
    await gus.sendMessage({ conversationType: 1, targetId: 'compat-ann' }, new TextMessage({ content: 'hi' }));
    const seen = await RongIMLib.getUserStatus('compat-gus');
    assert.deepEqual([seen.code, seen.data!.online, seen.data!.status], [0, true, 'online']);
    assert.equal((await RongIMLib.getUserStatus('compat-stranger')).code, RongIMLib.ErrorCode.PARAMETER_ERROR, 'no shared conversation: not told');
    let heardBusy!: (text: string) => void;
    const busy = new Promise<string>((resolve) => { heardBusy = resolve; });
    const subscribed = await RongIMLib.setUserStatusListener({ userIds: ['compat-gus'] }, (status) => {
      if (status.userId === 'compat-gus' && status.status === 'busy') heardBusy(status.text);
    });
    assert.deepEqual([subscribed.code, subscribed.data!.map((one) => one.userId)], [0, ['compat-gus']]);
    await gus.setUserStatus('busy', 'in a call');
    assert.equal(await busy, 'in a call', 'the listener hears the change');
    assert.equal((await RongIMLib.setUserStatus('away', 'back soon')).code, 0);
  });

  it('answers errors with the seed\'s codes, never by throwing', async () => {
    const unknown = await RongIMLib.sendMessage({ conversationType: RongIMLib.ConversationType.GROUP, targetId: 'nobody-s-group' }, new RongIMLib.TextMessage({ content: 'x' }));
    assert.equal(unknown.code, RongIMLib.ErrorCode.RC_DISCUSSION_GROUP_ID_INVALID);
    await createGroup(suite.server, 'others-group', ['compat-bob']);
    const notMember = await RongIMLib.sendMessage({ conversationType: RongIMLib.ConversationType.GROUP, targetId: 'others-group' }, new RongIMLib.TextMessage({ content: 'x' }));
    assert.equal(notMember.code, RongIMLib.ErrorCode.NOT_IN_GROUP);
    assert.equal(typeof notMember.msg, 'string');
    const invalid = await RongIMLib.sendMessage({ conversationType: RongIMLib.ConversationType.PRIVATE, targetId: 'compat-bob' }, new RongIMLib.TextMessage({ content: '' }));
    assert.equal(invalid.code, RongIMLib.ErrorCode.PARAMETER_ERROR);
    await RongIMLib.disconnect();
    const offline = await RongIMLib.getConversationList();
    assert.equal(offline.code, RongIMLib.ErrorCode.RC_NET_CHANNEL_INVALID);
  });
});
