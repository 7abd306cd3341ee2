import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConversationType, ErrorCode, FrameType } from '../../src/core/protocol/codes.js';
import { encodeFrame, MAX_FRAME_BYTES, PROTOCOL_VERSION } from '../../src/core/protocol/frames.js';
import type { im } from '../../src/core/protocol/generated/im.js';
import { TextMessage } from '../../src/core/messages/index.js';
import type { IMClient } from '../../src/core/client/client.js';
import { api, connectClient, startTestServer, tokenFor, waitFor, type TestServer } from '../helpers/server.js';
import { RawSocket } from '../helpers/raw-socket.js';

describe('bad frames close only their own socket', () => {
  let server: TestServer;
  let alice: IMClient;
  let bob: IMClient;
  let bobReceived = 0;

  before(async () => {
    server = await startTestServer();
    alice = await connectClient(server, 'alice', { reconnect: { enabled: false } });
    bob = await connectClient(server, 'bob', { reconnect: { enabled: false } });
    bob.on('message', () => bobReceived++);
  });
  after(async () => {
    await alice.disconnect();
    await bob.disconnect();
    await server.dispose();
  });

  /** The bystanders still chat, and the server still answers. */
  async function othersCarryOn() {
    const before = bobReceived;
    await alice.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'bob' }, new TextMessage({ content: 'still here' }));
    await waitFor((check) => bob.on('message', check), () => bobReceived > before, 'delivery after a bad frame');
    assert.equal(server.process.exitCode, null);
    assert.equal((await api(server, 'GET', '/api/metrics')).json.connections, 2);
  }

  async function expectDisconnect(socket: RawSocket, code: number) {
    const frame = await socket.next(FrameType.DISCONNECT);
    assert.equal((frame.body as im.Disconnect).code, code, (frame.body as im.Disconnect).reason);
    await socket.closed;
  }

  const authed = async () => RawSocket.connected(server.wsUrl, await tokenFor(server, 'mallory'));

  it('garbage bytes', async () => {
    const socket = await authed();
    socket.send(new Uint8Array([0xff, 0x01, 0x02, 0x03]));
    await expectDisconnect(socket, ErrorCode.RC_MSG_DATA_INCOMPLETE);
    await othersCarryOn();
  });

  it('a truncated frame', async () => {
    const socket = await authed();
    const whole = encodeFrame({ type: FrameType.PUBLISH, body: { requestId: 1, outgoing: {
      clientMsgId: 'cut', conversationType: 1, targetId: 'bob', objectName: 'RC:TxtMsg',
      content: new TextEncoder().encode(JSON.stringify({ content: 'x'.repeat(200) })),
    } } });
    socket.send(whole.subarray(0, whole.length - 50));
    await expectDisconnect(socket, ErrorCode.RC_MSG_DATA_INCOMPLETE);
    await othersCarryOn();
  });

  it('an oversize frame', async () => {
    const socket = await authed();
    const big = new Uint8Array(MAX_FRAME_BYTES + 1);
    big[0] = (FrameType.PUBLISH << 4);
    socket.send(big);
    await expectDisconnect(socket, ErrorCode.PARAMETER_ERROR);
    // Far larger than any frame: the socket layer refuses it before it is buffered whole.
    const huge = await authed();
    huge.send(new Uint8Array(8 * MAX_FRAME_BYTES));
    assert.equal(await huge.closed, 1009);
    await othersCarryOn();
  });

  it('frames of the wrong type or out of order', async () => {
    const early = await RawSocket.open(server.wsUrl);
    early.send({ type: FrameType.PUBLISH, body: { requestId: 1 } });
    await expectDisconnect(early, ErrorCode.RC_MSG_UNAUTHORIZED);

    const serverOnly = await authed();
    serverOnly.send({ type: FrameType.CONNACK, body: { code: 0 } });
    await expectDisconnect(serverOnly, ErrorCode.RC_MSG_DATA_INCOMPLETE);

    const twice = await authed();
    twice.send({ type: FrameType.CONNECT, body: { protocolVersion: PROTOCOL_VERSION, token: 'x' } });
    await expectDisconnect(twice, ErrorCode.RC_MSG_DATA_INCOMPLETE);

    const unknownType = await authed();
    unknownType.send(new Uint8Array([15 << 4]));
    await expectDisconnect(unknownType, ErrorCode.RC_MSG_DATA_INCOMPLETE);

    const text = await authed();
    text.ws.send('hello');
    await expectDisconnect(text, ErrorCode.PARAMETER_ERROR);

    const oldVersion = await RawSocket.open(server.wsUrl);
    oldVersion.send({ type: FrameType.CONNECT, body: { protocolVersion: 99, token: await tokenFor(server, 'mallory') } });
    const ack = await oldVersion.next(FrameType.CONNACK);
    assert.equal((ack.body as im.ConnAck).code, ErrorCode.RC_CONN_PROTO_VERSION_ERROR);
    await oldVersion.closed;
    await othersCarryOn();
  });

  it('a bad HTTP request gets a 4xx JSON error', async () => {
    const bad = await fetch(`${server.url}/api/user/token`, { method: 'POST', body: '{' });
    assert.equal(bad.status, 401);
    assert.equal((await bad.json()).code, 401);
    const badJson = await api(server, 'POST', '/api/user/token', undefined, {});
    assert.equal(badJson.status, 400);
    const missing = await fetch(`${server.url}/nowhere`);
    assert.equal(missing.status, 404);
    assert.match(missing.headers.get('content-type') ?? '', /application\/json/);
    await othersCarryOn();
  });
});
