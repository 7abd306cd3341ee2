import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionStatus, ConversationType, ErrorCode } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import type { IMClient } from '../../src/core/client/client.js';
import { connectClient, startTestServer, type TestServer } from '../helpers/server.js';

/** Resolves with the arguments of the client's next `event`. */
const next = <T extends unknown[]>(client: IMClient, event: 'disconnect' | 'schedule' | 'retry' | 'reconnect') =>
  new Promise<T>((resolve) => {
    const off = client.on(event, (...args: unknown[]) => {
      off();
      resolve(args as T);
    });
  });

describe('reconnect events and triggers', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.dispose());

  it('reports disconnect, schedule, retry and reconnect around a server restart', async () => {
    const client = await connectClient(server, 'ev-user', { reconnect: { minDelay: 50, maxDelay: 200 } });
    const events: string[] = [];
    for (const name of ['disconnect', 'schedule', 'retry', 'reconnect'] as const) {
      client.on(name, (...args: unknown[]) => events.push(name === 'disconnect' ? name : `${name}${args.length ? `(${args[0]})` : ''}`));
    }
    const disconnected = next<[{ code: number }]>(client, 'disconnect');
    const reconnected = next(client, 'reconnect');
    await server.kill('SIGKILL');
    const [error] = await disconnected;
    assert.equal(error.code, ErrorCode.RC_SOCKET_DISCONNECTED);
    server = await server.restart();
    await reconnected;
    assert.equal(client.status, ConnectionStatus.CONNECTED);
    assert.equal(events[0], 'disconnect');
    assert.equal(events[1], 'schedule(1)');
    assert.equal(events.at(-1), 'reconnect');
    assert.ok(events.includes('retry(1)'));
    // Attempts count up while the server is away, and each is announced before it runs.
    const numbers = events.filter((e) => e.startsWith('schedule')).map((e) => Number(/\d+/.exec(e)![0]));
    assert.deepEqual(numbers, numbers.map((_, i) => i + 1));
    await client.disconnect();
  });

  it('retry() and the browser\'s online event reconnect at once instead of after the backoff', async () => {
    const environment = new EventTarget();
    const client = await connectClient(server, 'ev-eager', { reconnect: { minDelay: 60_000, maxDelay: 60_000 }, environment });
    const scheduled = next<[number, number]>(client, 'schedule');
    await server.kill('SIGKILL');
    const [attempt, delay] = await scheduled;
    assert.equal(attempt, 1);
    assert.ok(delay >= 30_000, 'the next attempt is far away');
    server = await server.restart();

    const reconnected = next(client, 'reconnect');
    environment.dispatchEvent(new Event('online'));
    await reconnected;
    assert.equal(client.status, ConnectionStatus.CONNECTED);

    // And by hand: retry() after another loss.
    const again = next<[number, number]>(client, 'schedule');
    await server.kill('SIGKILL');
    await again;
    server = await server.restart();
    const back = next(client, 'reconnect');
    client.retry();
    await back;
    const sent = await client.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'ev-peer' }, new TextMessage({ content: 'back' }));
    assert.equal(sent.seq, 1);
    await client.disconnect();
  });

  it('retry() does nothing after disconnect()', async () => {
    const client = await connectClient(server, 'ev-done');
    await client.disconnect();
    let retried = false;
    client.on('retry', () => { retried = true; });
    client.retry();
    assert.equal(retried, false);
    assert.equal(client.status, ConnectionStatus.DISCONNECTED);
  });
});
