import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import WebSocket from 'ws';
import { ConnectionStatus, ConversationType } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import { IMClient, type IMClientOptions } from '../../src/core/client/client.js';
import type { WebSocketConstructor } from '../../src/core/transport/transport.js';
import { api, startTestServer, tokenFor, waitFor, type TestServer } from '../helpers/server.js';

interface Proxy {
  url: string;
  /** The hold of connections from now on, ms. */
  delayMs: number;
  open(): number;
  /** Cuts every connection, as a network failure would. */
  cut(): void;
  close(): Promise<void>;
}

/** A TCP proxy to `target` that holds every new connection `delayMs` before passing bytes either way. */
async function slowProxy(target: number, delayMs: number): Promise<Proxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.pause();
    let upstream: Socket | undefined;
    const end = () => {
      client.destroy();
      upstream?.destroy();
      sockets.delete(client);
    };
    client.on('close', end).on('error', end);
    setTimeout(() => {
      if (client.destroyed) return;
      upstream = connect(target, '127.0.0.1');
      upstream.on('close', end).on('error', end);
      client.pipe(upstream).pipe(client);
      client.resume();
    }, proxy.delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const proxy: Proxy = {
    url: `ws://127.0.0.1:${port}/im`,
    delayMs,
    open: () => sockets.size,
    cut: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}

/** A URL where nothing listens. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return `ws://127.0.0.1:${port}/im`;
}

const connections = async (server: TestServer): Promise<number> => (await api(server, 'GET', '/api/metrics')).json.connections;

/** Servers of one app (same key and secret, stores of their own): a token of one is good on the other. */
async function newClient(url: string | string[], userId: string, server: TestServer, options: Partial<IMClientOptions> = {}): Promise<IMClient> {
  return new IMClient({
    url, token: await tokenFor(server, userId), WebSocket: WebSocket as unknown as WebSocketConstructor, platform: 'node',
    reconnect: { minDelay: 50, maxDelay: 400 }, ...options,
  });
}

describe('several server URLs', () => {
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    [a, b] = await Promise.all([startTestServer(), startTestServer()]);
  });
  after(() => Promise.all([a.dispose(), b.dispose()]));

  it('connects to the server that answers first and leaves nothing open on the slower one', async () => {
    const proxy = await slowProxy(a.port, 300);
    const client = await newClient([proxy.url, b.wsUrl], 'urls-fast', b);
    await client.connect();
    assert.equal(client.serverUrl, b.wsUrl);
    assert.equal(await connections(b), 1);
    assert.equal(await connections(a), 0);
    await waitFor((check) => {
      const timer = setInterval(check, 20);
      return () => clearInterval(timer);
    }, () => proxy.open() === 0, 'the losing socket to close');
    await new Promise((resolve) => setTimeout(resolve, 400)); // past the proxy's hold: nothing reaches a late
    assert.equal(await connections(a), 0);
    const sent = await client.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'urls-peer' }, new TextMessage({ content: 'fast' }));
    assert.equal(sent.seq, 1);
    await client.disconnect();
    await proxy.close();
  });

  it('races per URL over long-polling too', async () => {
    const proxy = await slowProxy(a.port, 300);
    const client = await newClient([proxy.url, b.wsUrl], 'urls-poll', b, { transports: ['polling'] });
    await client.connect();
    assert.equal(client.transportName, 'polling');
    assert.equal(client.serverUrl, b.wsUrl);
    assert.equal(await connections(b), 1);
    assert.equal(await connections(a), 0);
    await client.disconnect();
    await proxy.close();
  });

  it('tries the URL that worked last first, even when another would answer sooner now', async () => {
    const toA = await slowProxy(a.port, 0);
    const toB = await slowProxy(b.port, 300);
    const client = await newClient([toB.url, toA.url], 'urls-sticky', a);
    await client.connect();
    assert.equal(client.serverUrl, toA.url);
    toA.delayMs = 300;
    toB.delayMs = 0;
    const back = new Promise<void>((resolve) => {
      const off = client.on('reconnect', () => {
        off();
        resolve();
      });
    });
    toA.cut();
    await back;
    assert.equal(client.serverUrl, toA.url, 'a reachable server in use is not given up for a faster one');
    assert.equal(await connections(b), 0);
    await client.disconnect();
    await Promise.all([toA.close(), toB.close()]);
  });

  it('skips a URL where nothing listens', async () => {
    const client = await newClient([await deadUrl(), a.wsUrl], 'urls-dead', a);
    await client.connect();
    assert.equal(client.serverUrl, a.wsUrl);
    await client.disconnect();
  });

  it('falls over to the other server when the one in use dies, and keeps sending', async () => {
    let c = await startTestServer();
    const client = await newClient([a.wsUrl, c.wsUrl], 'urls-failover', a);
    await client.connect();
    const first = client.serverUrl === a.wsUrl ? a : c;
    const other = first === a ? c : a;
    assert.equal((await connections(a)) + (await connections(c)), 1, 'one session for the client, on one server');

    await first.kill('SIGKILL');
    await waitFor((check) => client.on('status', check), () => client.status === ConnectionStatus.CONNECTED && client.serverUrl === other.wsUrl,
      () => `reconnect to ${other.wsUrl} (status ${client.status}, url ${client.serverUrl})`);
    const peer = await newClient(other.wsUrl, 'urls-failover-peer', other);
    await peer.connect();
    const got: string[] = [];
    peer.on('message', (m) => got.push((m.content as TextMessage).content));
    await client.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'urls-failover-peer' }, new TextMessage({ content: 'after failover' }));
    await waitFor((check) => peer.on('message', check), () => got.length === 1, 'delivery on the surviving server');
    assert.deepEqual(got, ['after failover']);
    assert.equal(await connections(other), 2);

    // The server that died comes back: the client stays where it is, and goes back only when needed.
    if (first === c) c = await c.restart();
    else a = await a.restart();
    assert.equal(client.serverUrl, other.wsUrl);
    await client.disconnect();
    await peer.disconnect();
    await c.dispose();
  });

  it('a single URL string works as before', async () => {
    const client = await newClient(a.wsUrl, 'urls-single', a);
    assert.deepEqual(await client.connect(), { userId: 'urls-single' });
    assert.equal(client.serverUrl, a.wsUrl);
    await client.disconnect();
    assert.equal(client.serverUrl, undefined);
  });
});
