import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ConversationType, ErrorCode, FrameType } from '../../src/core/protocol/codes.js';
import { encodeFrame, PROTOCOL_VERSION, type Frame } from '../../src/core/protocol/frames.js';
import { encodeLengthPrefixed } from '../../src/core/protocol/varint.js';
import { im } from '../../src/core/protocol/generated/im.js';
import { TextMessage } from '../../src/core/messages/index.js';
import type { IMClient } from '../../src/core/client/client.js';
import { tokenFor, useTestServer, type TestServer } from '../helpers/server.js';
import { TcpWebSocket } from '../helpers/tcp-websocket.js';

const MB = 1024 * 1024;
/** About 120 KB of text (60,000 two-byte characters): a history page of these is cut at about two messages, ~240 KB. */
const largeText = (i: number) => new TextMessage({ content: `${i}:${'é'.repeat(60_000)}` });
const withAlice = { conversationType: ConversationType.PRIVATE, targetId: 'alice' };
const withBob = { conversationType: ConversationType.PRIVATE, targetId: 'bob' };

const connectFrame = (token: string): Frame => ({
  type: FrameType.CONNECT, body: { protocolVersion: PROTOCOL_VERSION, token, deviceId: 'raw', platform: 'test' },
});
const historyQuery = (requestId: number): Frame => ({
  type: FrameType.QUERY,
  body: { requestId, topic: 'history', body: im.HistoryRequest.encode({ ...withAlice, count: 20 }).finish() },
});
const queries = (from: number, count: number) => Array.from({ length: count }, (_, i) => historyQuery(from + i));

/** The server process's peak resident set so far (Linux), bytes. */
function peakRss(server: TestServer): number {
  const status = readFileSync(`/proc/${server.process.pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** Resolves on the first line the server writes to stderr that matches `pattern`. */
function serverLogs(server: TestServer, pattern: RegExp, ms = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const line = seen.split('\n').find((candidate) => pattern.test(candidate));
      if (line === undefined) return;
      finish();
      resolve(line);
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`the server logged nothing matching ${pattern} within ${ms} ms`));
    }, ms);
    const finish = () => {
      clearTimeout(timer);
      server.process.stderr!.off('data', onData);
    };
    server.process.stderr!.on('data', onData);
  });
}

/** Sends `count` large messages from alice to bob. */
async function seed(alice: IMClient, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) await alice.sendMessage(withBob, largeText(i));
}

/** History queries by `client` one after another until `until` settles; all must succeed. */
async function canaryQueries(client: IMClient, until: Promise<unknown>): Promise<number> {
  let done = false;
  until.then(() => { done = true; }, () => { done = true; });
  let answered = 0;
  while (!done) {
    const page = await client.getHistoryMessages(withBob, { count: 1 });
    assert.equal(page.messages.length, 1);
    answered++;
  }
  return answered;
}

describe('a client that stops reading (default limits)', () => {
  const suite = useTestServer();

  it('over WebSocket: pipelined history queries end its session, the server stays small, others are served', async () => {
    const { server } = suite;
    const alice = await suite.connect('alice');
    await seed(alice, 20);
    const baseline = peakRss(server);

    const attacker = await TcpWebSocket.open(server.wsUrl);
    attacker.send(connectFrame(await tokenFor(server, 'bob')));
    const [connack] = await attacker.collect(FrameType.CONNACK, 1);
    assert.equal((connack!.body as im.ConnAck).code, 0);
    attacker.stopReading();
    const dropped = serverLogs(server, /slow reader/);
    // Each answer is ~240 KB: 1000 of them would be ~240 MB queued for a socket that never reads.
    attacker.send(...queries(1, 500));
    attacker.send(...queries(501, 500));

    const canaryAnswers = await canaryQueries(alice, dropped);
    assert.match(await dropped, /slow reader/);
    assert.ok(canaryAnswers > 0, 'the canary was answered during the attack');
    const growth = peakRss(server) - baseline;
    assert.ok(growth < 150 * MB, `the server grew by ${Math.round(growth / MB)} MB`);
    attacker.destroy();

    // Nothing stored is lost: bob, back with a normal client, reads every message.
    const bob = await suite.connect('bob');
    let total = 0;
    for (let before = 0, hasMore = true; hasMore;) {
      const page = await bob.getHistoryMessages(withAlice, { count: 20, before });
      total += page.messages.length;
      before = page.messages[0]?.seq ?? 0;
      hasMore = page.hasMore;
    }
    assert.equal(total, 20);
  });

  it('over long-polling: frames the client never polls for end its session', async () => {
    const { server } = suite;
    const pollUrl = `${server.url}/im/poll`;
    const created = await fetch(pollUrl, {
      method: 'POST', body: encodeLengthPrefixed([encodeFrame(connectFrame(await tokenFor(server, 'bob')))]),
    });
    assert.equal(created.status, 201);
    const sid = created.headers.get('x-im-poll-session')!;
    const dropped = serverLogs(server, /slow reader/);
    let over = false;
    void dropped.then(() => { over = true; }, () => { over = true; });
    // Batches until the session ends: bob's query budget (100 a second) may be spent by the test
    // before, so the answers that pile up come as the budget refills, not all from the first batch.
    for (let from = 1; !over; from += 250) {
      const posted = await fetch(`${pollUrl}?sid=${sid}`, { method: 'POST', body: encodeLengthPrefixed(queries(from, 250).map(encodeFrame)) });
      if (posted.status !== 204) break; // the session ended
      await posted.arrayBuffer();
    }
    await dropped;
    const poll = await fetch(`${pollUrl}?sid=${sid}&ack=0`);
    await poll.arrayBuffer();
    assert.ok(poll.status === 404 || poll.status === 410, `the channel is gone (${poll.status})`);
  });
});

describe('queries in flight and queries per second are bounded', () => {
  const suite = useTestServer({ extra: ['--max-queries-in-flight', '4', '--query-rate-limit', '0'] });
  const rateLimited = useTestServer({ extra: ['--query-rate-limit', '10'] });

  /** Bob signs in on a raw socket and sends `count` history queries at once: their answers. */
  async function burst(server: TestServer, count: number): Promise<im.QueryAck[]> {
    const socket = await TcpWebSocket.open(server.wsUrl);
    socket.send(connectFrame(await tokenFor(server, 'bob')));
    await socket.collect(FrameType.CONNACK, 1);
    socket.send(...queries(1, count));
    const acks = (await socket.collect(FrameType.QUERYACK, count)).map((frame) => frame.body as im.QueryAck);
    socket.destroy();
    return acks;
  }

  it('queries past the in-flight cap are refused at once, the others answered', async () => {
    const acks = await burst(suite.server, 300);
    const refused = acks.filter((ack) => ack.code === ErrorCode.SEND_FREQUENCY_TOO_FAST);
    assert.ok(refused.length > 0, 'some queries were refused');
    assert.match(refused[0]!.reason, /in flight/);
    assert.equal(acks.filter((ack) => ack.code === 0).length + refused.length, 300, 'every other query was answered');
    assert.deepEqual(new Set(acks.map((ack) => ack.requestId)).size, 300);
  });

  it('a user over --query-rate-limit is refused with SEND_FREQUENCY_TOO_FAST (20604)', async () => {
    const acks = await burst(rateLimited.server, 50);
    const answered = acks.filter((ack) => ack.code === 0).length;
    const refused = acks.filter((ack) => ack.code === ErrorCode.SEND_FREQUENCY_TOO_FAST);
    assert.ok(answered >= 10 && answered < 20, `${answered} answered`);
    assert.equal(refused.length, 50 - answered);
    assert.match(refused[0]!.reason, /per second/);
  });

  it('the client asks again a query refused as too frequent: a burst over the rate is answered in full, only later', async () => {
    const client = await rateLimited.connect('burst-ann');
    const chat = { conversationType: ConversationType.PRIVATE, targetId: 'burst-bob' };
    const sent = await client.sendMessage(chat, new TextMessage({ content: 'one message' }));
    const pages = await Promise.all(Array.from({ length: 40 }, () => client.getHistoryMessages(chat, { count: 5 })));
    assert.equal(pages.length, 40);
    for (const page of pages) assert.deepEqual(page.messages.map((message) => message.messageUid), [sent.messageUid]);
  });
});
