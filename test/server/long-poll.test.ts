import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConversationType, ErrorCode, FrameType } from '../../src/core/protocol/codes.js';
import { decodeFrame, encodeFrame, PROTOCOL_VERSION, type DecodedFrame, type Frame } from '../../src/core/protocol/frames.js';
import { decodeLengthPrefixed, encodeLengthPrefixed, encodeVarint } from '../../src/core/protocol/varint.js';
import { im } from '../../src/core/protocol/generated/im.js';
import { LongPollTransport, pollUrlFor } from '../../src/core/transport/long-poll-transport.js';
import type { FetchLike } from '../../src/core/transport/transport.js';
import { api, startTestServer, tokenFor, type TestServer } from '../helpers/server.js';
import { RawSocket } from '../helpers/raw-socket.js';

const text = (content: string) => new TextEncoder().encode(JSON.stringify({ content }));
const HOLD_MS = 20_000;

/** A bare protocol peer over LongPollTransport: records every frame and every poll request. */
class PollPeer {
  readonly frames: DecodedFrame[] = [];
  readonly raw: Uint8Array[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ opened: boolean; reason: string }>;
  closeCount = 0;
  /** GET requests started / answered with frames. */
  pollsStarted = 0;
  pollsOutstanding = 0;
  pollsWithFrames = 0;
  readonly transport: LongPollTransport;
  private readonly waiters = new Set<() => void>();
  private isClosed = false;

  constructor(url: string) {
    let opened!: () => void;
    let closed!: (info: { opened: boolean; reason: string }) => void;
    this.opened = new Promise((resolve) => { opened = resolve; });
    this.closed = new Promise((resolve) => { closed = resolve; });
    const counting: FetchLike = async (input, init) => {
      const isPoll = (init?.method ?? 'GET') === 'GET';
      if (isPoll) {
        this.pollsStarted++;
        this.pollsOutstanding++;
        this.notify();
      }
      try {
        const response = await fetch(input, init);
        if (isPoll && response.status === 200) this.pollsWithFrames++;
        return response;
      } finally {
        if (isPoll) this.pollsOutstanding--;
      }
    };
    this.transport = new LongPollTransport(url, {
      onOpen: () => opened(),
      onFrame: (bytes) => {
        this.raw.push(bytes);
        const decoded = decodeFrame(bytes);
        if (decoded.ok) this.frames.push(decoded.frame);
        this.notify();
      },
      onClose: (info) => {
        this.closeCount++;
        this.isClosed = true;
        closed(info);
        this.notify();
      },
    }, { fetch: counting, holdMs: HOLD_MS });
  }

  static async connected(url: string, token: string): Promise<PollPeer> {
    const peer = new PollPeer(url);
    await peer.opened;
    peer.send({ type: FrameType.CONNECT, body: { protocolVersion: PROTOCOL_VERSION, token, deviceId: 'poll', platform: 'test' } });
    const ack = (await peer.next(FrameType.CONNACK)).body as im.ConnAck;
    if (ack.code !== 0) throw new Error(`CONNACK ${ack.code}`);
    return peer;
  }

  send(frame: Frame | Uint8Array): void {
    this.transport.send(frame instanceof Uint8Array ? frame : encodeFrame(frame));
  }

  /** Resolves once `predicate` holds, re-checked on every frame, poll and close. */
  until<T>(predicate: () => T | undefined | false, what: string, ms = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = predicate();
        if (value) {
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, ms);
      this.waiters.add(check);
      check();
    });
  }

  /** The first not yet taken frame of `type`. */
  async next(type: number, ms = 10_000): Promise<DecodedFrame> {
    const index = await this.until(() => {
      if (this.isClosed && !this.frames.some((f) => f.type === type)) throw new Error(`closed before a frame of type ${type}`);
      const i = this.frames.findIndex((f) => f.type === type);
      return i >= 0 ? i + 1 : false;
    }, `a frame of type ${type}`, ms);
    return this.frames.splice(index - 1, 1)[0]!;
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) {
      try {
        waiter();
      } catch (error) {
        this.waiters.delete(waiter);
        throw error;
      }
    }
  }

  close(): void {
    this.transport.close();
  }
}

const publish = (requestId: number, targetId: string, content: string, clientMsgId = randomUUID()): Frame => ({
  type: FrameType.PUBLISH, qos: 1,
  body: { requestId, outgoing: { clientMsgId, conversationType: ConversationType.PRIVATE, targetId, objectName: 'RC:TxtMsg', content: text(content) } },
});
const contentOf = (frame: DecodedFrame) => JSON.parse(new TextDecoder().decode((frame.body as im.Publish).message!.content as Uint8Array)).content;

async function metrics(server: TestServer): Promise<number> {
  const { json } = await api(server, 'GET', '/api/metrics');
  return json.connections;
}

async function jsonError(response: Response): Promise<{ status: number; code: number; errorMessage: string }> {
  const body = await response.json() as { code: number; errorMessage: string };
  assert.equal(typeof body.errorMessage, 'string');
  return { status: response.status, ...body };
}

describe('HTTP long-polling (/im/poll)', () => {
  let server: TestServer;
  let pollUrl: string;
  const peers: PollPeer[] = [];
  const sockets: RawSocket[] = [];
  const connect = async (userId: string) => {
    const peer = await PollPeer.connected(pollUrl, await tokenFor(server, userId));
    peers.push(peer);
    return peer;
  };

  before(async () => {
    server = await startTestServer({ extra: ['--poll-hold-ms', String(HOLD_MS)] });
    pollUrl = `${server.url}/im/poll`;
  });
  after(async () => {
    for (const peer of peers) peer.close();
    for (const socket of sockets) socket.close();
    await server.dispose();
  });

  it('opens, completes CONNECT/CONNACK, and counts in the metrics', async () => {
    const before = await metrics(server);
    const peer = new PollPeer(pollUrl);
    peers.push(peer);
    assert.equal(peer.transport.name, 'polling');
    await peer.opened;
    peer.send({ type: FrameType.CONNECT, body: { protocolVersion: PROTOCOL_VERSION, token: await tokenFor(server, 'pia'), deviceId: 'd1', platform: 'test' } });
    const ack = (await peer.next(FrameType.CONNACK)).body as im.ConnAck;
    assert.equal(ack.code, 0);
    assert.equal(ack.userId, 'pia');
    assert.ok(ack.sessionId.length > 0);
    assert.equal(await metrics(server), before + 1);

    peer.send({ type: FrameType.PINGREQ, body: undefined });
    await peer.next(FrameType.PINGRESP);
    peer.close();
    peer.close();
    const info = await peer.closed;
    assert.deepEqual(info, { opened: true, reason: 'closed by client' });
    assert.equal(peer.closeCount, 1);
    // The DELETE ends the server session.
    const deadline = Date.now() + 5000;
    while ((await metrics(server)) !== before && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    assert.equal(await metrics(server), before);
  });

  it('two polling users exchange messages: PUBACKs and each other\'s pushes', async () => {
    const quinn = await connect('quinn');
    const ravi = await connect('ravi');
    quinn.send(publish(1, 'ravi', 'hello ravi'));
    quinn.send(publish(2, 'ravi', 'second'));
    const acks = [(await quinn.next(FrameType.PUBACK)).body as im.PubAck, (await quinn.next(FrameType.PUBACK)).body as im.PubAck];
    assert.deepEqual(acks.map((a) => [a.requestId, a.code, Number(a.seq)]), [[1, 0, 1], [2, 0, 2]]);
    const first = await ravi.next(FrameType.PUBLISH);
    const second = await ravi.next(FrameType.PUBLISH);
    assert.deepEqual([contentOf(first), contentOf(second)], ['hello ravi', 'second'], 'pushes arrive in order');
    assert.equal((first.body as im.Publish).message!.senderUserId, 'quinn');

    ravi.send(publish(1, 'quinn', 'hi quinn'));
    assert.equal(((await ravi.next(FrameType.PUBACK)).body as im.PubAck).code, 0);
    const reply = await quinn.next(FrameType.PUBLISH);
    assert.equal(contentOf(reply), 'hi quinn');
    assert.equal(Number((reply.body as im.Publish).message!.seq), 3);
  });

  it('a WebSocket user and a polling user talk to each other', async () => {
    const socket = await RawSocket.connected(server.wsUrl, await tokenFor(server, 'sol'));
    sockets.push(socket);
    const tess = await connect('tess');
    socket.send(publish(1, 'tess', 'from the socket'));
    assert.equal(((await socket.next(FrameType.PUBACK)).body as im.PubAck).code, 0);
    assert.equal(contentOf(await tess.next(FrameType.PUBLISH)), 'from the socket');
    tess.send(publish(1, 'sol', 'from the poll'));
    assert.equal(((await tess.next(FrameType.PUBACK)).body as im.PubAck).code, 0);
    const got = await socket.next(FrameType.PUBLISH);
    assert.equal(contentOf(got), 'from the poll');
    assert.equal((got.body as im.Publish).message!.senderUserId, 'tess');
  });

  it('a held poll is answered as soon as a message arrives', async () => {
    const socket = await RawSocket.connected(server.wsUrl, await tokenFor(server, 'uli'));
    sockets.push(socket);
    const vera = await connect('vera');
    // Wait until the poll after CONNACK is out, then one round trip so the server holds it.
    await vera.until(() => vera.pollsOutstanding > 0, 'the next poll');
    await metrics(server);
    const started = vera.pollsStarted;
    const answeredBefore = vera.pollsWithFrames;
    const t0 = Date.now();
    socket.send(publish(1, 'vera', 'wake up'));
    const push = await vera.next(FrameType.PUBLISH);
    const elapsed = Date.now() - t0;
    assert.equal(contentOf(push), 'wake up');
    assert.ok(elapsed < HOLD_MS / 4, `answered after ${elapsed} ms, hold is ${HOLD_MS} ms`);
    assert.equal(vera.pollsWithFrames, answeredBefore + 1, 'the held poll carried the push');
    assert.equal(vera.pollsStarted, started + 1, 'one new poll went out after the answer, none before it');
  });

  it('a refused token: CONNACK with the code, then the transport closes', async () => {
    const peer = new PollPeer(pollUrl);
    peers.push(peer);
    await peer.opened;
    peer.send({ type: FrameType.CONNECT, body: { protocolVersion: PROTOCOL_VERSION, token: 'not-a-token', deviceId: 'd', platform: 'test' } });
    const ack = (await peer.next(FrameType.CONNACK)).body as im.ConnAck;
    assert.notEqual(ack.code, 0);
    const info = await peer.closed;
    assert.equal(info.opened, true);
    assert.match(info.reason, /410/);
    assert.equal(peer.closeCount, 1);
  });

  it('the session ends when the client sends DISCONNECT or breaks the protocol: onClose once', async () => {
    const wes = await connect('wes');
    wes.send({ type: FrameType.DISCONNECT, body: { code: 0, reason: 'bye' } });
    const info = await wes.closed;
    assert.equal(info.opened, true);
    assert.match(info.reason, /410/);

    const xia = await connect('xia');
    xia.send(new Uint8Array([0xf0, 1, 2])); // unknown frame type 15
    const disconnect = (await xia.next(FrameType.DISCONNECT)).body as im.Disconnect;
    assert.equal(disconnect.code, ErrorCode.RC_MSG_DATA_INCOMPLETE);
    assert.match((await xia.closed).reason, /410/);
    assert.equal(xia.closeCount, 1);
  });

  it('derives the poll URL from the WebSocket URL', () => {
    assert.equal(pollUrlFor(server.wsUrl), pollUrl);
    assert.equal(pollUrlFor('wss://chat.example.com/im/?app=1'), 'https://chat.example.com/im/poll?app=1');
    assert.equal(pollUrlFor('ws://h:8080/im'), 'http://h:8080/im/poll');
  });

  it('an unreachable endpoint closes with opened: false', async () => {
    const peer = new PollPeer(`${server.url}/nowhere`);
    const info = await peer.closed;
    assert.equal(info.opened, false);
    assert.match(info.reason, /404/);
    const dead = new PollPeer('http://127.0.0.1:1/im/poll');
    assert.equal((await dead.closed).opened, false);
  });

  it('a newer poll answers the held one empty; DELETE answers a held poll 410', async () => {
    const created = await fetch(pollUrl, { method: 'POST' });
    const sid = created.headers.get('x-im-poll-session')!;
    const t0 = Date.now();
    const held = fetch(`${pollUrl}?sid=${sid}&ack=0`);
    await metrics(server); // a round trip: the first poll is in by now
    const newer = fetch(`${pollUrl}?sid=${sid}&ack=0`);
    assert.equal((await held).status, 204);
    assert.ok(Date.now() - t0 < HOLD_MS / 4, 'answered by the newer poll, not by the hold');
    assert.equal((await fetch(`${pollUrl}?sid=${sid}`, { method: 'DELETE' })).status, 204);
    assert.equal((await newer).status, 410);
  });

  it('refuses malformed requests with JSON errors, and the server lives on', async () => {
    const created = await fetch(pollUrl, { method: 'POST' });
    assert.equal(created.status, 201);
    const sid = created.headers.get('x-im-poll-session')!;
    assert.match(sid, /^[A-Za-z0-9_-]{32}$/);
    assert.equal(created.headers.get('access-control-allow-origin'), '*');
    assert.match(created.headers.get('access-control-expose-headers')!, /X-IM-Poll-Session/);

    const post = (body: Uint8Array<ArrayBuffer>, query = `?sid=${sid}`) => fetch(`${pollUrl}${query}`, { method: 'POST', body });
    assert.deepEqual(await jsonError(await post(new Uint8Array([0x80, 0x80]))), { status: 400, code: 400, errorMessage: 'malformed body: truncated length prefix' });
    assert.equal((await jsonError(await post(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])))).status, 400);
    assert.equal((await jsonError(await post(new Uint8Array([5, 1, 2])))).status, 400, 'length past the end');
    assert.equal((await jsonError(await post(encodeVarint(256 * 1024 + 1)))).status, 400, 'frame over MAX_FRAME_BYTES');
    assert.equal((await jsonError(await post(new Uint8Array(0)))).status, 400, 'no frames');
    assert.equal((await jsonError(await post(new Uint8Array([0x80]), ''))).status, 400, 'creating POST with a bad body');
    assert.equal((await jsonError(await post(new Uint8Array(2 * 1024 * 1024)))).status, 413);
    assert.equal((await jsonError(await fetch(`${pollUrl}?sid=${sid}&ack=7`))).status, 400, 'ack past what was sent');
    assert.equal((await jsonError(await fetch(`${pollUrl}?sid=${sid}&ack=x`))).status, 400);

    assert.deepEqual(await jsonError(await fetch(`${pollUrl}?sid=nope`)), { status: 404, code: 404, errorMessage: 'unknown or expired poll session' });
    assert.equal((await jsonError(await post(encodeLengthPrefixed([new Uint8Array([0xc0])]), '?sid=nope'))).status, 404);
    assert.equal((await jsonError(await fetch(`${pollUrl}?sid=nope`, { method: 'DELETE' }))).status, 404);
    assert.equal((await jsonError(await fetch(pollUrl, { method: 'PUT' }))).status, 405);
    const preflight = await fetch(pollUrl, { method: 'OPTIONS', headers: { origin: 'https://example.com', 'access-control-request-method': 'DELETE' } });
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers.get('access-control-allow-methods')!, /DELETE/);

    assert.equal((await fetch(`${pollUrl}?sid=${sid}`, { method: 'DELETE' })).status, 204);
    assert.equal((await fetch(`${pollUrl}?sid=${sid}`)).status, 404);
    assert.equal(server.process.exitCode, null);
    assert.equal(typeof (await metrics(server)), 'number', 'the server still answers');
    const stillWorks = await connect('yan');
    stillWorks.send({ type: FrameType.PINGREQ, body: undefined });
    await stillWorks.next(FrameType.PINGRESP);
  });
});

describe('HTTP long-polling with a short hold', () => {
  let server: TestServer;
  let pollUrl: string;
  before(async () => {
    server = await startTestServer({ heartbeat: 1, extra: ['--poll-hold-ms', '150'] });
    pollUrl = `${server.url}/im/poll`;
  });
  after(async () => {
    await server.dispose();
  });

  const readFrames = async (response: Response) => {
    const decoded = decodeLengthPrefixed(new Uint8Array(await response.arrayBuffer()), 256 * 1024);
    assert.ok(decoded.ok);
    return decoded.frames.map((bytes) => {
      const frame = decodeFrame(bytes);
      assert.ok(frame.ok);
      return frame.frame;
    });
  };

  it('an idle poll answers 204 after the hold; unacknowledged frames are sent again; the session times out', async () => {
    const created = await fetch(pollUrl, {
      method: 'POST',
      body: encodeLengthPrefixed([encodeFrame({ type: FrameType.CONNECT, body: { protocolVersion: PROTOCOL_VERSION, token: await tokenFor(server, 'zed'), deviceId: 'd', platform: 'test' } })]),
    });
    assert.equal(created.status, 201);
    const sid = created.headers.get('x-im-poll-session')!;
    const first = await fetch(`${pollUrl}?sid=${sid}&ack=0`);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('content-type'), 'application/octet-stream');
    assert.equal(first.headers.get('cache-control'), 'no-store');
    assert.equal(first.headers.get('x-im-poll-offset'), '0');
    const [connack] = await readFrames(first);
    assert.equal(connack!.type, FrameType.CONNACK);
    assert.equal((connack!.body as im.ConnAck).code, 0);

    // As if that answer was lost: polling again from 0 gets the same frame.
    const again = await fetch(`${pollUrl}?sid=${sid}&ack=0`);
    assert.equal(again.status, 200);
    assert.equal((await readFrames(again))[0]!.type, FrameType.CONNACK);
    assert.equal(await metrics(server), 1);

    const t0 = Date.now();
    const idle = await fetch(`${pollUrl}?sid=${sid}&ack=1`);
    assert.equal(idle.status, 204);
    assert.ok(Date.now() - t0 >= 100, 'the poll was held');

    // No more polls and no pings: the server ends the session (2 holds + 1 heartbeat, or 2.5 heartbeats of silence).
    const deadline = Date.now() + 8000;
    while ((await metrics(server)) !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await metrics(server), 0);
    const gone = await fetch(`${pollUrl}?sid=${sid}&ack=1`);
    assert.ok(gone.status === 404 || gone.status === 410, `status ${gone.status}`);
  });

  it('a server shutdown ends the polling session: onClose once', async () => {
    const peer = await PollPeer.connected(pollUrl, await tokenFor(server, 'ada'));
    await peer.until(() => peer.pollsOutstanding > 0, 'a held poll');
    await server.kill('SIGTERM');
    const info = await peer.closed;
    assert.equal(info.opened, true);
    assert.match(info.reason, /410|failed/);
    assert.equal(peer.closeCount, 1);
    assert.equal(server.process.exitCode, 0, 'a clean exit');
  });
});
