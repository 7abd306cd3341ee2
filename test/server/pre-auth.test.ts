import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { ErrorCode, FrameType } from '../../src/core/protocol/codes.js';
import { PROTOCOL_VERSION } from '../../src/core/protocol/frames.js';
import type { im } from '../../src/core/protocol/generated/im.js';
import { api, tokenFor, useTestServer, type TestServer } from '../helpers/server.js';
import { RawSocket } from '../helpers/raw-socket.js';
import { TcpWebSocket } from '../helpers/tcp-websocket.js';

/** Another client IP on loopback (Linux routes all of 127/8 to lo). */
const FLOODER = '127.0.0.2';

/** POST /im/poll (a new channel, empty body) from `localAddress`; resolves with the status. */
function openPollChannel(server: TestServer, localAddress: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const post = request(`${server.url}/im/poll`, { method: 'POST', localAddress, headers: { 'content-length': '0', ...headers } }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode!));
    });
    post.once('error', reject);
    post.end();
  });
}

const upgradeStatus = async (server: TestServer, localAddress: string, headers: Record<string, string> = {}) => {
  const { status, socket } = await TcpWebSocket.upgrade(server.wsUrl, { localAddress, headers });
  return { status, socket };
};

describe('connections that do not sign in', () => {
  describe('the connect deadline', () => {
    const suite = useTestServer({ extra: ['--connect-timeout', '1'] });

    it('closes a silent WebSocket with RC_CONN_ACK_TIMEOUT (31000)', async () => {
      const socket = await RawSocket.open(suite.server.wsUrl);
      const disconnect = await socket.next(FrameType.DISCONNECT, 20_000);
      assert.equal((disconnect.body as im.Disconnect).code, ErrorCode.RC_CONN_ACK_TIMEOUT);
      await socket.closed;
      const { json } = await api(suite.server, 'GET', '/api/metrics');
      assert.equal(json.unauthenticated, 0);
      assert.ok(json.rssBytes > 0);
    });

    it('ends a poll channel that never sends CONNECT', async () => {
      const created = await fetch(`${suite.server.url}/im/poll`, { method: 'POST' });
      assert.equal(created.status, 201);
      const sid = created.headers.get('x-im-poll-session');
      // The long poll is held until the deadline ends the channel.
      const poll = await fetch(`${suite.server.url}/im/poll?sid=${sid}&ack=0`);
      assert.equal(poll.status, 410);
      assert.equal((await poll.json()).errorCode, ErrorCode.RC_CONN_ACK_TIMEOUT);
    });

    it('leaves a connection that signed in alone', async () => {
      const signedIn = await RawSocket.connected(suite.server.wsUrl, await tokenFor(suite.server, 'carol'));
      const silent = await RawSocket.open(suite.server.wsUrl);
      await silent.closed; // closed at its deadline, a second after the signed-in one opened
      signedIn.send({ type: FrameType.PINGREQ, body: undefined });
      await signedIn.next(FrameType.PINGRESP);
      signedIn.close();
    });
  });

  describe('per client IP', () => {
    const suite = useTestServer({ extra: ['--max-unauthenticated-per-ip', '3'] });

    it('refuses WebSockets and poll channels past the cap with 429, counts only those not signed in, and lets other IPs in', async () => {
      const { server } = suite;
      const held: TcpWebSocket[] = [];
      for (let i = 0; i < 3; i++) {
        const { status, socket } = await upgradeStatus(server, FLOODER);
        assert.equal(status, 101);
        held.push(socket!);
      }
      assert.equal((await upgradeStatus(server, FLOODER)).status, 429);
      assert.equal(await openPollChannel(server, FLOODER), 429);
      // Without --trust-proxy, X-Forwarded-For does not make another client.
      assert.equal((await upgradeStatus(server, FLOODER, { 'x-forwarded-for': '203.0.113.9' })).status, 429);
      assert.equal((await api(server, 'GET', '/api/metrics')).json.unauthenticated, 3);

      // Another address is not affected.
      const other = await RawSocket.connected(server.wsUrl, await tokenFor(server, 'alice'));
      other.close();

      // A connection that signs in no longer counts.
      held[0]!.send({ type: FrameType.CONNECT, body: { protocolVersion: PROTOCOL_VERSION, token: await tokenFor(server, 'bob'), deviceId: 'd', platform: 'test' } });
      const [connack] = await held[0]!.collect(FrameType.CONNACK, 1);
      assert.equal((connack!.body as im.ConnAck).code, 0);
      const { status, socket } = await upgradeStatus(server, FLOODER);
      assert.equal(status, 101);
      for (const each of [...held, socket!]) each.destroy();
    });
  });

  describe('behind a proxy (--trust-proxy)', () => {
    const suite = useTestServer({ extra: ['--max-unauthenticated-per-ip', '1', '--trust-proxy'] });

    it('counts by the first X-Forwarded-For entry', async () => {
      const first = await upgradeStatus(suite.server, FLOODER, { 'x-forwarded-for': '203.0.113.7, 10.0.0.1' });
      assert.equal(first.status, 101);
      assert.equal((await upgradeStatus(suite.server, FLOODER, { 'x-forwarded-for': '203.0.113.7' })).status, 429);
      assert.equal(await openPollChannel(suite.server, FLOODER, { 'x-forwarded-for': '203.0.113.7' }), 429);
      const second = await upgradeStatus(suite.server, FLOODER, { 'x-forwarded-for': '203.0.113.8' });
      assert.equal(second.status, 101);
      first.socket!.destroy();
      second.socket!.destroy();
    });
  });

  describe('poll channels count against the channel cap only once signed in', () => {
    const suite = useTestServer({ extra: ['--max-poll-channels', '10', '--max-unauthenticated-per-ip', '50'] });

    it('30 channels that never sign in do not lock out a client that does', async () => {
      const statuses = [];
      for (let i = 0; i < 30; i++) statuses.push(await openPollChannel(suite.server, FLOODER));
      assert.deepEqual(new Set(statuses), new Set([201]));
      const client = await suite.connect('dave', { transports: ['polling'], reconnect: { enabled: false } });
      assert.equal(client.transportName, 'polling');
    });
  });
});
