import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RedisClusterBus } from '../../src/server/cluster-bus.js';
import type { BusEvent } from '../../src/server/bus.js';
import { SqliteChatStore } from '../../src/server/storage/sqlite-store.js';
import type { StoredMessage } from '../../src/server/storage/chat-store.js';
import { startRedis, type TestRedis } from '../helpers/cluster.js';
import { waitFor } from '../helpers/server.js';

/**
 * The cluster's fan-out on its own: two nodes' buses on one Redis and one message log (a real
 * SQLite store). A node hands stored messages to its sessions strictly in id order, whatever
 * order pub/sub brings them in, and reads from the log what pub/sub never brought: a client's
 * cursor is the message id, so one handed on past a lower one would make the lower one look seen.
 */
describe('cluster bus: stored messages in id order, holes filled from the log', () => {
  let redis: TestRedis;
  let store: SqliteChatStore;
  let receiving: RedisClusterBus;
  let sending: RedisClusterBus;
  const handedOn: number[] = [];
  const listeners = new Set<() => void>();
  const errors: unknown[] = [];

  before(async () => {
    redis = await startRedis();
    store = new SqliteChatStore(':memory:');
    const logError = (_scope: string, error: unknown) => errors.push(error);
    receiving = await RedisClusterBus.connect(redis.url, 'im:bus-test', store, logError);
    sending = await RedisClusterBus.connect(redis.url, 'im:bus-test', store, logError);
    receiving.subscribe((event) => {
      if (event.kind !== 'message') return;
      handedOn.push(event.message.id);
      for (const listener of listeners) listener();
    });
  });
  after(async () => {
    await receiving?.close();
    await sending?.close();
    store?.close();
    await redis?.stop();
  });

  const append = async (n: number): Promise<StoredMessage> => (await store.appendMessage({
    conversationKey: '1:bus-a:bus-b', conversationType: 1, senderUserId: 'bus-a', clientMsgId: `bus-${n}`,
    objectName: 'RC:TxtMsg', content: new TextEncoder().encode(JSON.stringify({ content: `m${n}` })), counted: true,
    recipients: ['bus-a', 'bus-b'],
  })).message;
  const event = (message: StoredMessage): BusEvent => ({ kind: 'message', recipients: ['bus-a', 'bus-b'], message, fromSessionId: '' });
  const handedOnCount = (count: number, what: string) =>
    waitFor((check) => { listeners.add(check); return () => listeners.delete(check); }, () => handedOn.length >= count, what);

  it('hands on the messages in id order when pub/sub brings the later one first', async () => {
    const first = await append(1);
    const second = await append(2);
    assert.equal(second.id, first.id + 1);
    sending.publish(event(second));
    sending.publish(event(first));
    await handedOnCount(2, 'both messages');
    assert.deepEqual(handedOn, [first.id, second.id]);
  });

  it('reads from the log a message pub/sub never brought, before the one it did', async () => {
    const unheard = await append(3);
    const heard = await append(4);
    sending.publish(event(heard));
    await handedOnCount(4, 'the unheard message and the heard one');
    assert.deepEqual(handedOn.slice(2), [unheard.id, heard.id]);
    assert.equal(receiving.deliveredId, heard.id);
    assert.deepEqual(errors, []);
  });
});
