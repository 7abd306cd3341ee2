import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConversationType, FrameType } from '../../src/core/protocol/codes.js';
import type { im } from '../../src/core/protocol/generated/im.js';
import { startTestServer, tokenFor, type TestServer } from '../helpers/server.js';
import { RawSocket } from '../helpers/raw-socket.js';

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
});
