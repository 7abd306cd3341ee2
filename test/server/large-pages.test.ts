import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { ConnectionStatus, ConversationType, ErrorCode } from '../../src/core/protocol/codes.js';
import { MAX_CONTENT_BYTES } from '../../src/core/protocol/frames.js';
import { encodeContent, registerMessageType, TextMessage } from '../../src/core/messages/index.js';
import { IMClient } from '../../src/core/client/client.js';
import type { IMError } from '../../src/core/client/errors.js';
import type { Conversation, IMMessage } from '../../src/core/client/types.js';
import type { WebSocketConstructor } from '../../src/core/transport/transport.js';
import { api, createGroup, tokenFor, useTestServer, waitFor } from '../helpers/server.js';

/** About 128 KB of text: 65,000 two-byte characters (the text limit counts characters, the content limit bytes). */
const largeText = (tag: string) => new TextMessage({ content: `${tag}:${'é'.repeat(65_000)}` });
const smallText = (tag: string) => new TextMessage({ content: `${tag}:small` });
const tagOf = (message: IMMessage) => ((message.content as TextMessage).content ?? '').split(':')[0];

/** A type of the app's own with the longest name, for messages exactly at the content limit. */
const LONGEST_TYPE = `App:${'L'.repeat(60)}`;
const Blob = registerMessageType<{ data: string }>(LONGEST_TYPE, { isPersited: true, isCounted: true }, ['data']);
const blobOf = (bytes: number) => {
  const overhead = encodeContent(new Blob({ data: '' })).length;
  return new Blob({ data: 'x'.repeat(bytes - overhead) });
};

for (const transport of ['websocket', 'polling'] as const) describe(`pages of large messages over ${transport}`, () => {
  const suite = useTestServer({}, { transports: [transport] });
  const t = transport === 'websocket' ? 'ws' : 'lp';

  /** A client not yet connected, with everything it tells recorded from the start. */
  async function watched(userId: string) {
    const client = suite.track(new IMClient({
      url: suite.server.wsUrl, token: await tokenFor(suite.server, userId), WebSocket: WebSocket as unknown as WebSocketConstructor,
      transports: [transport], platform: 'node', reconnect: { minDelay: 50, maxDelay: 400 },
    }));
    const messages: IMMessage[] = [];
    const statuses: ConnectionStatus[] = [];
    const disconnects: IMError[] = [];
    client.on('message', (message) => messages.push(message));
    client.on('status', (status) => statuses.push(status));
    client.on('disconnect', (error) => disconnects.push(error));
    const received = (count: number, ms = 30_000) => waitFor((check) => client.on('message', check), () => messages.length >= count,
      () => `${count} messages (${messages.length} so far; ${disconnects.length} disconnects: ${disconnects[0]?.message ?? ''})`, ms);
    return { client, messages, statuses, disconnects, received };
  }

  /** Every page of a conversation's history, newest page first, as the client pages back. */
  async function allHistory(client: IMClient, conversation: Conversation, count: number) {
    const pages: IMMessage[][] = [];
    let before = 0;
    for (let hasMore = true; hasMore;) {
      const page = await client.getHistoryMessages(conversation, { count, before });
      assert.ok(page.messages.length > 0, 'a page that says more is left holds something');
      pages.push(page.messages);
      before = page.messages[0]!.seq;
      hasMore = page.hasMore;
    }
    return pages;
  }

  async function allConversations(client: IMClient, count: number) {
    const pages: string[][] = [];
    let before = 0;
    for (let hasMore = true; hasMore;) {
      const page = await client.getConversationPage({ count, before });
      assert.ok(page.conversations.length > 0);
      pages.push(page.conversations.map((c) => `${c.conversationType}:${c.targetId}`));
      before = page.conversations.at(-1)!.latestCursor;
      hasMore = page.hasMore;
    }
    return pages;
  }

  it('the poison inbox: three ~128 KB messages and a mix of large and small, private and group, received offline, arrive by sync once each, in order, without a reconnect', async () => {
    const [alice, carol, bob] = [`${t}-poison-alice`, `${t}-poison-carol`, `${t}-poison-bob`];
    const groupId = `${t}-poison-g`;
    await createGroup(suite.server, groupId, [alice, bob, carol]);
    const senders = { [alice]: await suite.connect(alice), [carol]: await suite.connect(carol) };
    const toBob = { conversationType: ConversationType.PRIVATE, targetId: bob };
    const toGroup = { conversationType: ConversationType.GROUP, targetId: groupId };
    // Bob is offline for all of it: sent one at a time, so that the order to expect is the send order.
    const plan: Array<[string, Conversation, TextMessage]> = [
      [alice, toBob, largeText('p1')], [alice, toBob, largeText('p2')], [alice, toBob, largeText('p3')],
      [carol, toGroup, smallText('g1')], [carol, toGroup, largeText('g2')], [alice, toBob, smallText('p4')],
      [alice, toGroup, largeText('g3')], [alice, toBob, smallText('p5')], [carol, toGroup, smallText('g4')],
      [alice, toBob, largeText('p6')], [carol, toGroup, largeText('g5')], [alice, toBob, smallText('p7')],
    ];
    for (const [from, conversation, content] of plan) await senders[from]!.sendMessage(conversation, content);
    const expected = plan.map(([, , content]) => content.content.split(':')[0]);

    const inbox = await watched(bob);
    await inbox.client.connect();
    await inbox.received(plan.length);
    await new Promise((resolve) => setTimeout(resolve, 300)); // nothing more comes, and the link holds
    assert.deepEqual(inbox.messages.map(tagOf), expected, 'every message once, in the order sent');
    assert.ok(inbox.messages.every((m, i) => i === 0 || m.cursor > inbox.messages[i - 1]!.cursor), 'cursor order');
    for (const key of [`1:${alice}`, `3:${groupId}`]) {
      const seqs = inbox.messages.filter((m) => `${m.conversationType}:${m.targetId}` === key).map((m) => m.seq);
      assert.deepEqual(seqs, seqs.map((_, i) => i + 1), `${key}: seq order, nothing missing`);
    }
    const large = inbox.messages.find((m) => tagOf(m) === 'p2')!;
    assert.equal((large.content as TextMessage).content, `p2:${'é'.repeat(65_000)}`, 'a large message arrives whole');
    assert.deepEqual(inbox.disconnects, [], 'never a lost link');
    assert.deepEqual(inbox.statuses, [ConnectionStatus.CONNECTING, ConnectionStatus.CONNECTED], 'connected once, and stayed');

    // History pages back through the same messages, each once, cut to what fits in a frame.
    const privatePages = await allHistory(inbox.client, { conversationType: ConversationType.PRIVATE, targetId: alice }, 20);
    assert.ok(privatePages.length >= 2, `${privatePages.length} pages`);
    assert.deepEqual(privatePages.reverse().flat().map(tagOf), ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7']);
    const groupPages = await allHistory(inbox.client, toGroup, 200);
    assert.deepEqual(groupPages.reverse().flat().map(tagOf), ['g1', 'g2', 'g3', 'g4', 'g5']);

    // The conversation list: entries whose latest messages are large are paged the same way.
    const others = [`${t}-poison-dan`, `${t}-poison-eve`, `${t}-poison-fay`];
    for (const other of others) {
      const client = await suite.connect(other);
      await client.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: bob }, largeText(other));
    }
    await inbox.received(plan.length + others.length);
    const listPages = await allConversations(inbox.client, 50);
    assert.ok(listPages.length >= 2, `${listPages.length} pages`);
    assert.deepEqual(listPages.flat(), [...others.reverse().map((other) => `1:${other}`), `1:${alice}`, `3:${groupId}`],
      'latest activity first, each conversation once');
    const first = await inbox.client.getConversationPage({ count: 50 });
    assert.equal(first.hasMore, true);
    assert.ok(first.conversations.length < 5);
    assert.equal((first.conversations[0]!.latestMessage!.content as TextMessage).content, `${others[0]}:${'é'.repeat(65_000)}`);
    assert.deepEqual(inbox.disconnects, []);
  });

  it('two messages at the content limit, every id at its longest, arrive live, by sync, in history and in the list; a byte more is refused at send', async () => {
    const sender = `${t}${'s'.repeat(62)}`;
    const receiver = `${t}${'r'.repeat(62)}`;
    const from = await suite.connect(sender);
    const toReceiver = { conversationType: ConversationType.PRIVATE, targetId: receiver };
    const limit = blobOf(MAX_CONTENT_BYTES);
    assert.equal(encodeContent(limit).length, MAX_CONTENT_BYTES);
    await from.sendMessage(toReceiver, limit, { clientMsgId: `a${'c'.repeat(63)}` });
    await from.sendMessage(toReceiver, limit, { clientMsgId: `b${'c'.repeat(63)}` });
    await assert.rejects(from.sendMessage(toReceiver, blobOf(MAX_CONTENT_BYTES + 1)),
      (error: IMError) => error.code === ErrorCode.PARAMETER_ERROR && /content exceeds/.test(error.message));

    const inbox = await watched(receiver);
    await inbox.client.connect();
    await inbox.received(2);
    await from.sendMessage(toReceiver, limit, { clientMsgId: `c${'c'.repeat(63)}` });
    await inbox.received(3);
    assert.deepEqual(inbox.messages.map((m) => m.clientMsgId[0]), ['a', 'b', 'c']);
    assert.ok(inbox.messages.every((m) => m.objectName === LONGEST_TYPE && encodeContent(m.content).length === MAX_CONTENT_BYTES));
    const history = await allHistory(inbox.client, { conversationType: ConversationType.PRIVATE, targetId: sender }, 20);
    assert.deepEqual(history.map((page) => page.map((m) => m.seq)), [[3], [2], [1]]);
    const list = await inbox.client.getConversationList();
    assert.equal(list[0]!.latestMessage?.clientMsgId[0], 'c');
    assert.deepEqual(inbox.disconnects, []);
  });

  it('profiles too many for one frame are asked for in halves: 200 users with long names and pictures', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => `${t}-profile-${i}`.padEnd(64, 'x'));
    await Promise.all(ids.map(async (userId, i) => {
      const { status } = await api(suite.server, 'POST', '/api/user/token', {
        userId, name: `${i}${'名'.repeat(120)}`, portraitUri: `https://example.com/${i}/${'p'.repeat(990)}`,
      });
      assert.equal(status, 200);
    }));
    const asker = await watched(`${t}-profile-asker`);
    await asker.client.connect();
    const { users } = await asker.client.getProfiles({ userIds: ids });
    assert.deepEqual(users.map((u) => u.userId), ids, 'all of them, in the order asked');
    assert.ok(users.every((u, i) => u.name === `${i}${'名'.repeat(120)}` && u.portraitUri.length > 1000));
    assert.deepEqual(asker.disconnects, []);
  });
});
