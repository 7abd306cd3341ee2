import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { ConnectionStatus, ConversationType, ErrorCode, FrameType } from '../../src/core/protocol/codes.js';
import { decodeFrame, encodeFrame, MAX_FRAME_BYTES } from '../../src/core/protocol/frames.js';
import { im } from '../../src/core/protocol/generated/im.js';
import { encodeVarint } from '../../src/core/protocol/varint.js';
import { IMClient } from '../../src/core/client/client.js';
import type { IMError } from '../../src/core/client/errors.js';
import type { IMMessage } from '../../src/core/client/types.js';
import { LongPollTransport } from '../../src/core/transport/long-poll-transport.js';
import type { WebSocketConstructor } from '../../src/core/transport/transport.js';
import { waitFor } from '../helpers/server.js';

const text = (tag: string, bytes: number) => new TextEncoder().encode(JSON.stringify({ content: `${tag}:`.padEnd(bytes, 'x') }));

/**
 * A server that pages by count only, as this one did before its pages were cut by bytes too:
 * an answer of several large messages does not fit in a frame. Just enough protocol for one
 * user: CONNECT, sync, history of one private chat, the conversation list.
 */
class CountOnlyServer {
  readonly wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  readonly messages: im.IMessage[] = [];
  readonly requests: Array<{ topic: string; count: number }> = [];
  readonly oversize: string[] = [];

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/im`;
  }

  constructor() {
    this.wss.on('connection', (ws) => ws.on('message', (data: Buffer) => {
      const decoded = decodeFrame(new Uint8Array(data));
      if (!decoded.ok) return;
      const frame = decoded.frame;
      const send = (out: Parameters<typeof encodeFrame>[0]) => {
        const bytes = encodeFrame(out);
        if (out.type === FrameType.QUERYACK && bytes.length > MAX_FRAME_BYTES) this.oversize.push(bytes.length.toString());
        ws.send(bytes);
      };
      if (frame.type === FrameType.CONNECT) {
        send({ type: FrameType.CONNACK, body: { code: 0, userId: 'bob', sessionId: 'old', serverTime: Date.now(), heartbeatSeconds: 30 } });
      } else if (frame.type === FrameType.PINGREQ) {
        send({ type: FrameType.PINGRESP, body: undefined });
      } else if (frame.type === FrameType.QUERY) {
        const query = frame.body as im.Query;
        send({ type: FrameType.QUERYACK, body: { requestId: query.requestId, code: 0, body: this.answer(query.topic, query.body) } });
      }
    }));
  }

  add(tag: string, bytes: number, conversation = 'alice'): void {
    const seq = this.messages.filter((m) => m.targetId === conversation).length + 1;
    this.messages.push({
      messageUid: `uid-${tag}`, clientMsgId: tag, conversationType: ConversationType.PRIVATE, targetId: conversation, senderUserId: conversation,
      objectName: 'RC:TxtMsg', content: text(tag, bytes), sentTime: Date.now(), seq, cursor: this.messages.length + 1, counted: true, persisted: true,
    });
  }

  private answer(topic: string, body: Uint8Array): Uint8Array {
    if (topic === 'sync') {
      const request = im.SyncRequest.decode(body);
      this.requests.push({ topic, count: request.limit });
      const after = this.messages.filter((m) => (m.cursor as number) > (request.cursor as number));
      const page = after.slice(0, request.limit || 200);
      return im.SyncResponse.encode({ messages: page, cursor: page.at(-1)?.cursor ?? request.cursor, hasMore: after.length > page.length }).finish();
    }
    if (topic === 'history') {
      const request = im.HistoryRequest.decode(body);
      this.requests.push({ topic, count: request.count });
      const older = this.messages.filter((m) => m.targetId === request.targetId && (!request.before || (m.seq as number) < (request.before as number)));
      const page = older.slice(-(request.count || 20));
      return im.HistoryResponse.encode({ messages: page, hasMore: older.length > page.length }).finish();
    }
    if (topic === 'conversations') {
      const request = im.ConversationListRequest.decode(body);
      this.requests.push({ topic, count: request.count });
      const latest = new Map<string, im.IMessage>();
      for (const message of this.messages) latest.set(message.targetId!, message);
      const all = [...latest.values()].reverse().filter((m) => !request.before || (m.cursor as number) < (request.before as number));
      const page = all.slice(0, request.count || 50);
      return im.ConversationListResponse.encode({
        conversations: page.map((m) => ({ conversationType: 1, targetId: m.targetId, latestMessage: m, latestCursor: m.cursor, updatedTime: m.sentTime })),
        hasMore: all.length > page.length,
      }).finish();
    }
    return new Uint8Array(0);
  }

  close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}

describe('a client facing answers too large for a frame asks for smaller pages, and keeps its link', () => {
  let server: CountOnlyServer;
  const clients: IMClient[] = [];
  before(async () => {
    server = new CountOnlyServer();
    await new Promise((resolve) => server.wss.once('listening', resolve));
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.disconnect()));
    await server.close();
  });

  async function connect() {
    const client = new IMClient({
      url: server.url, token: 'any', WebSocket: WebSocket as unknown as WebSocketConstructor, transports: ['websocket'],
      reconnect: { minDelay: 50, maxDelay: 200 }, deliveryReceipts: false,
    });
    clients.push(client);
    const messages: IMMessage[] = [];
    const statuses: ConnectionStatus[] = [];
    const disconnects: IMError[] = [];
    client.on('message', (message) => messages.push(message));
    client.on('status', (status) => statuses.push(status));
    client.on('disconnect', (error) => disconnects.push(error));
    await client.connect();
    return { client, messages, statuses, disconnects };
  }

  it('sync halves its page down to one message while the answer is too large, then grows back; each message once, in order', async () => {
    for (let i = 1; i <= 3; i++) server.add(`big${i}`, 140_000);
    for (let i = 1; i <= 30; i++) server.add(`small${i}`, 40);
    server.add('big4', 140_000, 'carol');
    server.add('big5', 140_000, 'carol');
    const bob = await connect();
    await waitFor((check) => bob.client.on('message', check), () => bob.messages.length >= 35, () => `35 messages, ${bob.messages.length} so far`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(bob.messages.map((m) => m.clientMsgId), server.messages.map((m) => m.clientMsgId));
    assert.deepEqual(bob.disconnects, []);
    assert.deepEqual(bob.statuses, [ConnectionStatus.CONNECTING, ConnectionStatus.CONNECTED]);
    assert.ok(server.oversize.length > 0, 'the server did answer too large');
    const limits = server.requests.filter((r) => r.topic === 'sync').map((r) => r.count);
    assert.deepEqual(limits.slice(0, 8), [200, 100, 50, 25, 12, 6, 3, 1], 'halved down to one');
    assert.ok(Math.max(...limits.slice(8)) >= 16, `back to larger pages after the large messages: ${limits.join(' ')}`);
  });

  it('history and the conversation list come in smaller pages, with hasMore', async () => {
    const bob = await connect();
    const alice = { conversationType: ConversationType.PRIVATE, targetId: 'alice' };
    const pages: string[][] = [];
    let beforeSeq = 0;
    for (let hasMore = true; hasMore;) {
      const page = await bob.client.getHistoryMessages(alice, { count: 40, before: beforeSeq });
      pages.push(page.messages.map((m) => m.clientMsgId));
      beforeSeq = page.messages[0]!.seq;
      hasMore = page.hasMore;
    }
    const smalls = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `small${from + i}`);
    assert.deepEqual(pages, [smalls(11, 30), smalls(1, 10), ['big3'], ['big2'], ['big1']], 'pages that fit, each from the same end as asked');
    assert.deepEqual(server.requests.filter((r) => r.topic === 'history').map((r) => r.count).slice(0, 4), [40, 20, 40, 20]);

    server.add('big6', 140_000, 'erin');
    const list = await bob.client.getConversationPage({ count: 50 });
    assert.deepEqual([list.conversations.map((c) => c.targetId), list.hasMore], [['erin'], true]);
    const rest = await bob.client.getConversationPage({ count: 50, before: list.conversations[0]!.latestCursor });
    assert.deepEqual([rest.conversations.map((c) => c.targetId), rest.hasMore], [['carol', 'alice'], false]);
    assert.deepEqual(bob.disconnects, []);
  });

  it('a message too large even alone: the sync stops short of it, and the link stays; history says so', async () => {
    const before = server.messages.length;
    server.add('huge', MAX_FRAME_BYTES + 1000, 'dave');
    server.add('after-huge', 40, 'dave');
    const bob = await connect();
    await waitFor((check) => bob.client.on('message', check), () => bob.messages.length >= before, 'the messages before it');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(bob.messages.length, before, 'nothing after it skips ahead of it');
    await assert.rejects(bob.client.getHistoryMessages({ conversationType: ConversationType.PRIVATE, targetId: 'dave' }, { count: 1, before: 2 }),
      (error: IMError) => error.code === ErrorCode.RC_QUERY_ACK_NO_DATA);
    assert.deepEqual(bob.disconnects, []);
    assert.equal(bob.client.status, ConnectionStatus.CONNECTED);
  });
});

describe('LongPollTransport', () => {
  it('hands a frame larger than MAX_FRAME_BYTES to the client (which judges it), as a WebSocket would', async () => {
    const big = new Uint8Array(MAX_FRAME_BYTES + 10).fill(1);
    const small = new Uint8Array([0xd0]);
    let polls = 0;
    const fetch = async (url: string, init?: RequestInit): Promise<Response> => {
      if (init?.method === 'POST' && !url.includes('sid=')) return new Response(null, { status: 201, headers: { 'X-IM-Poll-Session': 's1' } });
      if (init?.method === 'GET' && polls++ === 0) {
        const body = new Uint8Array([...encodeVarint(big.length), ...big, ...encodeVarint(small.length), ...small]);
        return new Response(body, { status: 200, headers: { 'X-IM-Poll-Offset': '0' } });
      }
      return new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    };
    const frames: number[] = [];
    const closes: string[] = [];
    const transport = new LongPollTransport('http://test/im/poll', {
      onOpen: () => undefined, onFrame: (bytes) => frames.push(bytes.length), onClose: ({ reason }) => closes.push(reason),
    }, { fetch });
    await waitFor((check) => {
      const timer = setInterval(check, 5);
      return () => clearInterval(timer);
    }, () => frames.length >= 2, 'both frames');
    assert.deepEqual(frames, [big.length, 1]);
    assert.deepEqual(closes, []);
    transport.close();
  });
});
