import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConversationType, ErrorCode, FrameType } from '../../src/core/protocol/codes.js';
import { encodeFrame, MAX_CONTENT_BYTES, MAX_FRAME_BYTES, MAX_QUERY_BODY_BYTES } from '../../src/core/protocol/frames.js';
import { im } from '../../src/core/protocol/generated/im.js';
import { LocalBus } from '../../src/server/bus.js';
import { ChatService, conversationWireBound, messageWireBound, PAGE_BYTES, ServiceError, toWireMessage } from '../../src/server/chat-service.js';
import { takePage, type ConversationState, type StoredMessage } from '../../src/server/storage/chat-store.js';
import { SqliteChatStore } from '../../src/server/storage/sqlite-store.js';

const id64 = (c: string) => c.repeat(64);

/** The largest message the server stores: every id at 64 characters, content at the limit, numbers at their longest. */
const largest = (over: Partial<StoredMessage> = {}): StoredMessage => ({
  id: Number.MAX_SAFE_INTEGER, conversationKey: `1:${id64('a')}:${id64('b')}`, conversationType: ConversationType.PRIVATE,
  senderUserId: id64('a'), clientMsgId: id64('c'), messageUid: 'ABCD-EFGH-IJKL-MNOP', objectName: id64('O'),
  content: new Uint8Array(MAX_CONTENT_BYTES).fill(0x7a), sentTime: -1, seq: Number.MAX_SAFE_INTEGER, counted: true, ...over,
});

const largestState = (message = largest()): ConversationState => ({
  conversationKey: message.conversationKey, conversationType: message.conversationType, readSeq: -1, unreadCount: 0xffffffff,
  latestMessage: message, latestCursor: -1, peerReadSeq: -1, peerDeliveredSeq: -1,
});

const queryAck = (body: Uint8Array) => encodeFrame({
  type: FrameType.QUERYACK, body: { requestId: 0xffffffff, code: -0x80000000, body },
});

describe('takePage: a page by count and by bytes', () => {
  const sized = (sizes: number[]) => {
    const pulled: number[] = [];
    const measured: number[] = [];
    function* source() {
      for (const [index, size] of sizes.entries()) {
        pulled.push(index);
        yield { index, size };
      }
    }
    const budget = (maxBytes: number) => ({
      maxBytes,
      sizeOf: (item: { index: number; size: number }) => {
        measured.push(item.index);
        return item.size;
      },
    });
    const page = (limit: number, maxBytes?: number) => {
      const { items, hasMore } = takePage(source(), limit, maxBytes === undefined ? undefined : budget(maxBytes));
      return [items.map((item) => item.index), hasMore];
    };
    return { page, pulled, measured };
  };

  it('cuts by count alone as before', () => {
    const { page } = sized([1, 1, 1]);
    assert.deepEqual(page(2), [[0, 1], true]);
    assert.deepEqual(page(3), [[0, 1, 2], false]);
    assert.deepEqual(page(5), [[0, 1, 2], false]);
    assert.deepEqual(sized([]).page(5, 10), [[], false]);
  });

  it('stops before the item that would pass the budget, and says more is left', () => {
    assert.deepEqual(sized([4, 4, 4]).page(10, 8), [[0, 1], true]);
    assert.deepEqual(sized([4, 4]).page(10, 8), [[0, 1], false], 'exactly the budget fits');
    assert.deepEqual(sized([4, 5, 1]).page(10, 8), [[0], true], 'no skipping ahead to a smaller item: order holds');
  });

  it('always takes the first item, even one larger than the budget', () => {
    assert.deepEqual(sized([100, 1]).page(10, 8), [[0], true]);
    assert.deepEqual(sized([100]).page(10, 8), [[0], false]);
  });

  it('pulls and measures at most one item past the page: O(page) whatever follows', () => {
    const byBytes = sized([4, 4, 4, 4, 4, 4]);
    byBytes.page(100, 8);
    assert.deepEqual(byBytes.pulled, [0, 1, 2]);
    assert.deepEqual(byBytes.measured, [0, 1, 2]);
    const byCount = sized([1, 1, 1, 1, 1]);
    byCount.page(2, 100);
    assert.deepEqual(byCount.pulled, [0, 1, 2]);
    assert.deepEqual(byCount.measured, [0, 1], 'the item past a full count is not measured');
  });
});

describe('every answer fits in one frame', () => {
  it('a QUERYACK of MAX_QUERY_BODY_BYTES fits, its other fields at their longest', () => {
    assert.ok(queryAck(new Uint8Array(MAX_QUERY_BODY_BYTES)).length <= MAX_FRAME_BYTES);
  });

  it('the size bounds are upper bounds of the encoded entries', () => {
    const samples = [
      largest(), largest({ content: new Uint8Array(0), clientMsgId: 'x', objectName: 'RC:TxtMsg', sentTime: 0, seq: 1, id: 1 }),
      largest({ conversationKey: `3:${id64('g')}`, conversationType: ConversationType.GROUP, content: new Uint8Array(200) }),
    ];
    for (const message of samples) {
      for (const viewer of [message.senderUserId, id64('b')]) {
        const entry = im.SyncResponse.encode({ messages: [toWireMessage(message, viewer)] }).finish().length;
        assert.ok(messageWireBound(message) >= entry, `message bound ${messageWireBound(message)} < ${entry}`);
      }
      const state = largestState(message);
      const wire: im.IConversation = {
        conversationType: state.conversationType, targetId: id64('b'), unreadCount: state.unreadCount,
        latestMessage: toWireMessage(message, id64('a')), readSeq: -1, updatedTime: -1, latestCursor: -1, peerReadSeq: -1, peerDeliveredSeq: -1,
        isTop: true, muted: true, clearedSeq: -1,
      };
      const entry = im.ConversationListResponse.encode({ conversations: [wire] }).finish().length;
      assert.ok(conversationWireBound(state) >= entry, `conversation bound ${conversationWireBound(state)} < ${entry}`);
    }
    // Not so loose that small messages page slowly: 200 small ones fit in one page, with room to spare.
    const small = largest({ content: new TextEncoder().encode('{"content":"hello there"}'), clientMsgId: 'k'.repeat(20), objectName: 'RC:TxtMsg' });
    assert.ok(200 * messageWireBound(small) < PAGE_BYTES, 'even with every id at its longest');
    const usual = { ...small, conversationKey: '1:alice:bob', senderUserId: 'alice' };
    assert.ok(200 * messageWireBound(usual) < PAGE_BYTES / 2);
  });

  it('the largest message the server accepts fits in every frame that carries one', () => {
    const message = largest();
    const wire = toWireMessage(message, id64('b'));
    const frames = {
      sync: queryAck(im.SyncResponse.encode({ messages: [wire], cursor: -1, hasMore: true }).finish()),
      history: queryAck(im.HistoryResponse.encode({ messages: [wire], hasMore: true }).finish()),
      conversations: queryAck(im.ConversationListResponse.encode({
        conversations: [{ ...largestState(), targetId: id64('b'), latestMessage: wire, updatedTime: -1 }], hasMore: true,
      }).finish()),
      recall: queryAck(im.RecallResponse.encode({ command: wire }).finish()),
      push: encodeFrame({ type: FrameType.PUBLISH, body: { message: wire } }),
      send: encodeFrame({
        type: FrameType.PUBLISH, body: {
          requestId: 0xffffffff,
          outgoing: { clientMsgId: id64('c'), conversationType: 1, targetId: id64('b'), objectName: id64('O'), content: message.content, counted: true, persisted: true, senderUserId: id64('a') },
        },
      }),
    };
    for (const [name, frame] of Object.entries(frames)) assert.ok(frame.length <= MAX_FRAME_BYTES, `${name}: ${frame.length} bytes`);
    // One page holds at least one such message, so a page is never empty for lack of room.
    assert.ok(messageWireBound(message) <= PAGE_BYTES && conversationWireBound(largestState()) <= PAGE_BYTES);
  });
});

describe('ChatService answers within one frame', () => {
  let store: SqliteChatStore;
  let service: ChatService;
  before(async () => {
    store = new SqliteChatStore(':memory:');
    service = new ChatService(store, new LocalBus(), { rateLimit: 0 });
  });
  after(() => store.close());

  // A type of the app's own, which the server stores as it is, up to the content limit.
  const big = (i: number) => ({ objectName: 'App:Blob', content: new TextEncoder().encode(JSON.stringify({ data: `${i}`.padEnd(MAX_CONTENT_BYTES - 20, 'x') })) });
  const small = (i: number) => ({ objectName: 'RC:TxtMsg', content: new TextEncoder().encode(JSON.stringify({ content: `small ${i}` })) });
  const send = (from: string, conversationType: number, targetId: string, body: { objectName: string; content: Uint8Array }, clientMsgId: string) =>
    service.send(from, 's', { clientMsgId, conversationType, targetId, counted: true, persisted: true, ...body }, () => undefined);
  const ask = async (userId: string, topic: string, body: Uint8Array) => {
    const result = await service.query(userId, 's', topic, body);
    assert.ok(queryAck(result.body!).length <= MAX_FRAME_BYTES, `${topic}: an answer of ${result.body!.length} bytes`);
    return result.body!;
  };

  it('sync, history and the conversation list page through large and small messages, each once, in order', async () => {
    await store.createGroup('svc-g', 'G', ['svc-a', 'svc-b', 'svc-c']);
    const sent: string[] = [];
    for (let i = 0; i < 12; i++) {
      const group = i % 3 === 2;
      const content = i % 4 < 2 ? big(i) : small(i);
      await send(group ? 'svc-c' : 'svc-a', group ? ConversationType.GROUP : ConversationType.PRIVATE, group ? 'svc-g' : 'svc-b', content, `svc-${i}`);
      sent.push(`svc-${i}`);
    }
    const synced: string[] = [];
    let cursor = 0;
    let pages = 0;
    for (let hasMore = true; hasMore; pages++) {
      const page = im.SyncResponse.decode(await ask('svc-b', 'sync', im.SyncRequest.encode({ cursor, limit: 200 }).finish()));
      assert.ok(page.messages.length > 0);
      synced.push(...(page.messages as im.Message[]).map((m) => m.clientMsgId));
      assert.equal(page.cursor, page.messages.at(-1)!.cursor, 'the page\'s cursor is its last message\'s');
      cursor = page.cursor as number;
      hasMore = page.hasMore;
    }
    assert.deepEqual(synced, sent);
    assert.ok(pages >= 3, `${pages} pages`);

    const history: number[] = [];
    let beforeSeq = 0;
    for (let hasMore = true; hasMore;) {
      const page = im.HistoryResponse.decode(await ask('svc-b', 'history', im.HistoryRequest.encode({
        conversationType: ConversationType.PRIVATE, targetId: 'svc-a', before: beforeSeq, count: 50,
      }).finish()));
      history.unshift(...page.messages.map((m) => m.seq as number));
      beforeSeq = page.messages[0]!.seq as number;
      hasMore = page.hasMore;
    }
    assert.deepEqual(history, [1, 2, 3, 4, 5, 6, 7, 8]);

    // Conversations whose latest messages are all large.
    for (let i = 0; i < 4; i++) await send(`svc-p${i}`, ConversationType.PRIVATE, 'svc-d', big(i), `svc-d-${i}`);
    const listed: string[] = [];
    let beforeCursor = 0;
    for (let hasMore = true; hasMore;) {
      const page = im.ConversationListResponse.decode(await ask('svc-d', 'conversations', im.ConversationListRequest.encode({ before: beforeCursor, count: 50 }).finish()));
      listed.push(...(page.conversations as im.Conversation[]).map((c) => c.targetId));
      beforeCursor = page.conversations.at(-1)!.latestCursor as number;
      hasMore = page.hasMore;
    }
    assert.deepEqual(listed, ['svc-p3', 'svc-p2', 'svc-p1', 'svc-p0']);
  });

  it('profiles: a group too large for a frame lists the members that fit; too many ids at once are refused as too large', async () => {
    const members = Array.from({ length: 4500 }, (_, i) => `${i}`.padStart(64, 'm'));
    await store.createGroup('svc-huge', 'Huge', ['svc-owner', ...members]);
    const answer = im.ProfilesResponse.decode(await ask('svc-owner', 'profiles', im.ProfilesRequest.encode({ groupIds: ['svc-huge'] }).finish()));
    const memberIds = (answer.groups as im.GroupProfile[])[0]!.memberIds;
    assert.equal(answer.groups[0]!.name, 'Huge');
    assert.ok(memberIds.length > 3000 && memberIds.length < 4501, `${memberIds.length} members listed`);
    const all = await store.groupMembers('svc-huge');
    assert.ok(memberIds.every((memberId, i) => memberId === all[i]), 'the first members, in order');

    await store.upsertUser({ userId: 'svc-owner', name: 'Owner', portraitUri: '' });
    await assert.rejects(service.query('svc-owner', 's', 'profiles', im.ProfilesRequest.encode({ groupIds: ['svc-huge'], userIds: ['svc-owner'] }).finish()),
      (error: ServiceError) => error.code === ErrorCode.RC_QUERY_ACK_NO_DATA, 'with a user besides, the client asks in halves');
  });

  it('readers of a group too large to list in one frame are refused as too large', async () => {
    await send('svc-owner', ConversationType.GROUP, 'svc-huge', small(0), 'svc-huge-1');
    await assert.rejects(service.query('svc-owner', 's', 'readers', im.ReadersRequest.encode({ conversationType: ConversationType.GROUP, targetId: 'svc-huge', seq: 1 }).finish()),
      (error: ServiceError) => error.code === ErrorCode.RC_QUERY_ACK_NO_DATA && /does not fit in one frame/.test(error.message));
  });
});
