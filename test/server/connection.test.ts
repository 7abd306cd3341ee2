import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { ConnectionStatus, ConversationType } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import type { IMMessage } from '../../src/core/client/types.js';
import { connectClient, startTestServer, tokenFor, waitFor, type TestServer } from '../helpers/server.js';
import { RawSocket } from '../helpers/raw-socket.js';

/** A TCP proxy that can turn into a black hole: bytes stop flowing, nothing is closed. */
class BlackHoleProxy {
  frozen = false;
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(targetPort: number): Promise<BlackHoleProxy> {
    let proxy: BlackHoleProxy | undefined;
    const server = createServer((client) => {
      const upstream = connect(targetPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        proxy!.sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => proxy!.sockets.delete(socket));
      }
      const forward = (from: Socket, to: Socket) => from.on('data', (chunk) => {
        if (!proxy!.frozen) to.write(chunk);
      });
      forward(client, upstream);
      forward(upstream, client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    proxy = new BlackHoleProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('connection liveness', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ heartbeat: 1 });
  });
  after(() => server.dispose());

  it('the server drops a session that stays silent past its heartbeats', async () => {
    const socket = await RawSocket.connected(server.wsUrl, await tokenFor(server, 'quiet'));
    const code = await socket.closed;
    assert.equal(socket.frames.length, 0, 'no frame was due');
    assert.ok(code > 0);
  });

  it('the client notices a dead link by its heartbeat, reconnects, and misses nothing', async () => {
    const proxy = await BlackHoleProxy.start(server.port);
    const alice = await connectClient(server, 'hb-alice');
    const bob = await connectClient(server, 'hb-bob', { url: `ws://127.0.0.1:${proxy.port}/im`, requestTimeout: 1500 });
    const received: IMMessage[] = [];
    bob.on('message', (m) => received.push(m));
    const statuses: number[] = [];
    bob.on('status', (s) => statuses.push(s));

    proxy.frozen = true;
    await waitFor((check) => bob.on('status', check), () => bob.status !== ConnectionStatus.CONNECTED, 'bob to notice the dead link');
    const toBob = { conversationType: ConversationType.PRIVATE, targetId: 'hb-bob' };
    await alice.sendMessage(toBob, new TextMessage({ content: 'while you were away' }));
    proxy.frozen = false;
    await waitFor((check) => bob.on('message', check), () => received.length >= 1, 'the missed message');
    assert.equal(bob.status, ConnectionStatus.CONNECTED);
    assert.ok(statuses.includes(ConnectionStatus.NETWORK_UNAVAILABLE));
    await alice.sendMessage(toBob, new TextMessage({ content: 'and now live' }));
    await waitFor((check) => bob.on('message', check), () => received.length >= 2, 'the live message');
    assert.deepEqual(received.map((m) => (m.content as TextMessage).content), ['while you were away', 'and now live']);

    await alice.disconnect();
    await bob.disconnect();
    await proxy.close();
  });

  it('a send made while disconnected is delivered once after the reconnect', async () => {
    const proxy = await BlackHoleProxy.start(server.port);
    const carol = await connectClient(server, 'hb-carol', { url: `ws://127.0.0.1:${proxy.port}/im`, requestTimeout: 1500 });
    const dave = await connectClient(server, 'hb-dave');
    const received: IMMessage[] = [];
    dave.on('message', (m) => received.push(m));
    proxy.frozen = true;
    await waitFor((check) => carol.on('status', check), () => carol.status !== ConnectionStatus.CONNECTED, 'carol offline');
    const sending = carol.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'hb-dave' }, new TextMessage({ content: 'queued' }));
    proxy.frozen = false;
    const sent = await sending;
    await waitFor((check) => dave.on('message', check), () => received.length >= 1, 'delivery');
    assert.equal(received[0]!.messageUid, sent.messageUid);
    const history = await dave.getHistoryMessages({ conversationType: ConversationType.PRIVATE, targetId: 'hb-carol' });
    assert.equal(history.messages.length, 1);
    await carol.disconnect();
    await dave.disconnect();
    await proxy.close();
  });
});
