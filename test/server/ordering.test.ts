import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConversationType, FrameType } from '../../src/core/protocol/codes.js';
import type { im } from '../../src/core/protocol/generated/im.js';
import { TextMessage } from '../../src/core/messages/index.js';
import type { IMMessage } from '../../src/core/client/types.js';
import type { WebSocketConstructor, WebSocketLike } from '../../src/core/transport/transport.js';
import { decodeFrame } from '../../src/core/protocol/frames.js';
import WebSocket from 'ws';
import { connectClient, startTestServer, tokenFor, waitFor, type TestServer } from '../helpers/server.js';
import { RawSocket } from '../helpers/raw-socket.js';

/**
 * A WebSocket that loses the first incoming message `lost` picks, as a broken proxy on the way
 * might: the connection stays up, and nothing tells the client a frame is missing.
 */
function losingOne(lost: (frame: { type: number; body: unknown }) => boolean): WebSocketConstructor {
  let dropped = false;
  return class implements WebSocketLike {
    private readonly socket: WebSocket;
    onmessage: WebSocketLike['onmessage'] = null;
    constructor(url: string) {
      this.socket = new WebSocket(url);
      this.socket.binaryType = 'arraybuffer';
      this.socket.on('message', (data: ArrayBuffer) => {
        const decoded = decodeFrame(new Uint8Array(data));
        if (!dropped && decoded.ok && lost(decoded.frame)) {
          dropped = true;
          return;
        }
        this.onmessage?.({ data });
      });
    }
    get binaryType() { return this.socket.binaryType; }
    set binaryType(value: string) { this.socket.binaryType = value as 'arraybuffer'; }
    get readyState() { return this.socket.readyState; }
    set onopen(handler: WebSocketLike['onopen']) { this.socket.onopen = handler; }
    get onopen() { return this.socket.onopen as WebSocketLike['onopen']; }
    set onclose(handler: WebSocketLike['onclose']) { this.socket.onclose = handler; }
    get onclose() { return this.socket.onclose as WebSocketLike['onclose']; }
    set onerror(handler: WebSocketLike['onerror']) { this.socket.onerror = handler; }
    get onerror() { return this.socket.onerror as WebSocketLike['onerror']; }
    send(data: Uint8Array) { this.socket.send(data); }
    close(code?: number, reason?: string) { this.socket.close(code, reason); }
  };
}

const COUNT = 60;

describe('frame order on the wire', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.dispose());

  it('a sender hears the ack of its message before any push of a later seq', async () => {
    const a = await RawSocket.connected(server.wsUrl, await tokenFor(server, 'order-a'));
    const b = await RawSocket.connected(server.wsUrl, await tokenFor(server, 'order-b'));
    const content = new TextEncoder().encode('{"content":"x"}');
    // Both sides send at once, so their messages share commits.
    for (let i = 0; i < COUNT; i++) {
      for (const [socket, target] of [[a, 'order-b'], [b, 'order-a']] as const) {
        socket.send({ type: FrameType.PUBLISH, body: { requestId: i + 1, outgoing: {
          clientMsgId: `${target}-${i}`, conversationType: ConversationType.PRIVATE, targetId: target, objectName: 'RC:TxtMsg', content,
        } } });
      }
    }
    for (const socket of [a, b]) {
      const frames = await socket.collect([FrameType.PUBACK, FrameType.PUBLISH], 2 * COUNT);
      const seen = frames.map((frame) => frame.type === FrameType.PUBACK
        ? { kind: 'ack', seq: (frame.body as im.PubAck).seq }
        : { kind: 'push', seq: (frame.body as im.Publish).message!.seq as number });
      // Every seq arrives in order, whether as an ack of our own message or a push of the peer's.
      assert.deepEqual(seen.map((entry) => entry.seq), Array.from({ length: 2 * COUNT }, (_, i) => i + 1));
      assert.equal(seen.filter((entry) => entry.kind === 'ack').length, COUNT);
      socket.close();
    }
  });

  it('a push lost on a live connection: the next seq shows the gap, the client syncs and delivers all in order', async () => {
    const lostOne = losingOne((frame) => frame.type === FrameType.PUBLISH && (frame.body as im.Publish).message?.clientMsgId === 'gap-lost');
    const receiver = await connectClient(server, 'gap-b', { WebSocket: lostOne });
    const sender = await connectClient(server, 'gap-a');
    const received: IMMessage[] = [];
    receiver.on('message', (message) => received.push(message));
    const toReceiver = { conversationType: ConversationType.PRIVATE, targetId: 'gap-b' };
    for (const clientMsgId of ['gap-before', 'gap-lost', 'gap-after']) {
      await sender.sendMessage(toReceiver, new TextMessage({ content: clientMsgId }), { clientMsgId });
    }
    await waitFor((check) => receiver.on('message', check), () => received.length >= 3, () => `${received.length} of 3 messages`);
    assert.deepEqual(received.map((message) => [(message.content as TextMessage).content, message.seq]),
      [['gap-before', 1], ['gap-lost', 2], ['gap-after', 3]]);
    await Promise.all([receiver.disconnect(), sender.disconnect()]);
  });
});
