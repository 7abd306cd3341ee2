import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import type { IMMessage } from '../../src/core/client/types.js';
import { api, connectClient, startTestServer, tokenFor, waitFor } from '../helpers/server.js';
import { CONNECTED, newDevice, openChatPage, statusOf, typeAndSend, until, useServerAndChromium, waitForShown, waitForStatus } from './pages.js';

const texts = (messages: IMMessage[]) => messages.map((message) => (message.content as { content?: string }).content);

describe('offline-first widget in Chromium', () => {
  const suite = useServerAndChromium();

  const peer = async (userId: string) => {
    const client = await connectClient(suite.server, userId);
    suite.clients.push(client);
    const received: IMMessage[] = [];
    client.on('message', (message) => received.push(message));
    return { client, received };
  };

  it('sends written offline after a reload, once each, and shows the cache before connecting', async () => {
    const bob = await peer('off-bob');
    const context = await newDevice(suite.browser, suite.server);
    const page = await openChatPage(context, suite.server, await tokenFor(suite.server, 'off-alice'), 'off-bob');
    await waitForStatus(page, true);
    await typeAndSend(page, 'hello while online');
    await bob.client.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'off-alice' }, textMessage('hi from bob'));
    await waitForShown(page, [{ text: 'hello while online', status: 'sent' }, { text: 'hi from bob', status: 'sent' }]);

    await context.setOffline(true);
    await waitForStatus(page, false);
    await typeAndSend(page, 'written offline 1');
    await typeAndSend(page, 'written offline 2');
    await waitForShown(page, [
      { text: 'hello while online', status: 'sent' }, { text: 'hi from bob', status: 'sent' },
      { text: 'written offline 1', status: 'sending' }, { text: 'written offline 2', status: 'sending' },
    ]);
    // Both are in the durable outbox, and the conversation in the cache, before the page goes away.
    await until(page, async (name) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      // (No named helpers in here: the function runs in the page as its source text.)
      const [keys, cached] = await Promise.all([
        db.transaction('kv').objectStore('kv').getAllKeys(), db.transaction('kv').objectStore('kv').get('cache:window:1:off-bob'),
      ].map((request: IDBRequest) => new Promise<unknown>((resolve) => {
        request.onsuccess = () => resolve(request.result);
      }))) as [IDBValidKey[], unknown[] | undefined];
      db.close();
      return keys.filter((key) => String(key).startsWith('outbox:')).length === 2 && cached?.length === 2;
    }, `im-widget:${suite.server.wsUrl}:off-alice`);

    await page.reload();
    await page.waitForFunction(() => (document.querySelector('im-chat') as unknown as { session?: unknown }).session !== undefined);
    // Still offline: everything shown comes from this browser's cache.
    await waitForShown(page, [
      { text: 'hello while online', status: 'sent' }, { text: 'hi from bob', status: 'sent' },
      { text: 'written offline 1', status: 'sending' }, { text: 'written offline 2', status: 'sending' },
    ]);
    assert.notEqual(await statusOf(page), CONNECTED);
    const listed = await page.locator('im-conversation-list').getByText('off-bob').count();
    assert.ok(listed >= 1, 'the cached conversation is listed');

    await context.setOffline(false);
    await waitForShown(page, [
      { text: 'hello while online', status: 'sent' }, { text: 'hi from bob', status: 'sent' },
      { text: 'written offline 1', status: 'sent' }, { text: 'written offline 2', status: 'sent' },
    ]);
    await waitFor((check) => bob.client.on('message', check), () => bob.received.length >= 3, 'bob receives');
    assert.deepEqual(texts(bob.received), ['hello while online', 'written offline 1', 'written offline 2']);
    const history = await bob.client.getHistoryMessages({ conversationType: ConversationType.PRIVATE, targetId: 'off-alice' }, { count: 50 });
    assert.deepEqual(texts(history.messages), ['hello while online', 'hi from bob', 'written offline 1', 'written offline 2']);

    // Reloading online again shows each message once.
    await page.reload();
    await waitForStatus(page, true);
    await waitForShown(page, [
      { text: 'hello while online', status: 'sent' }, { text: 'hi from bob', status: 'sent' },
      { text: 'written offline 1', status: 'sent' }, { text: 'written offline 2', status: 'sent' },
    ]);
    await context.close();
  });

  // Page scripts as text: compiled test functions may call helpers that do not exist in the page.
  const blockers: Array<{ name: string; block: string; reason: RegExp }> = [
    {
      name: 'every open throws (private modes that refuse storage)',
      block: `IDBFactory.prototype.open = function () { throw new DOMException('The operation is insecure.', 'SecurityError'); };`,
      reason: /IndexedDB failed: .*insecure/,
    },
    {
      name: 'reading indexedDB throws (sandboxed frames, blocked cookies)',
      block: `Object.defineProperty(window, 'indexedDB', {
        get() { throw new DOMException('Access is denied for this document.', 'SecurityError'); },
      });`,
      reason: /IndexedDB is not available: Access is denied/,
    },
  ];
  for (const [index, { name, block, reason }] of blockers.entries()) {
    it(`works with IndexedDB blocked, caching in memory and saying so: ${name}`, async () => {
      const bob = await peer(`noidb-bob-${index}`);
      const context = await newDevice(suite.browser, suite.server);
      await context.addInitScript({ content: block });
      await context.addInitScript(() => addEventListener('im-storage-fallback', (event) => {
        (window as unknown as { fallbackReason: string }).fallbackReason = (event as CustomEvent<{ reason: string }>).detail.reason;
      }));
      const page = await openChatPage(context, suite.server, await tokenFor(suite.server, `noidb-alice-${index}`), `noidb-bob-${index}`);
      await waitForStatus(page, true);
      assert.match(await page.evaluate(() => (window as unknown as { fallbackReason?: string }).fallbackReason ?? ''), reason);
      assert.match(await page.evaluate(() => (document.querySelector('im-chat') as unknown as { session: { state: { storageFallback?: string } } })
        .session.state.storageFallback ?? ''), reason);
      await typeAndSend(page, 'sent without IndexedDB');
      await bob.client.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: `noidb-alice-${index}` }, textMessage('answer'));
      await waitForShown(page, [{ text: 'sent without IndexedDB', status: 'sent' }, { text: 'answer', status: 'sent' }]);
      await waitFor((check) => bob.client.on('message', check), () => bob.received.length >= 1, 'bob receives');
      assert.deepEqual(texts(bob.received), ['sent without IndexedDB']);
      await context.close();
    });
  }

  it('signs the widget out when another device logs in under --single-login, without reconnecting', async () => {
    const single = await startTestServer({ extra: ['--single-login', 'web'] });
    try {
      const first = await newDevice(suite.browser, single);
      const second = await newDevice(suite.browser, single);
      const older = await openChatPage(first, single, await tokenFor(single, 'kick-alice'), 'kick-bob');
      await waitForStatus(older, true);
      const newer = await openChatPage(second, single, await tokenFor(single, 'kick-alice'), 'kick-bob');
      await waitForStatus(newer, true);
      await older.waitForFunction(() => (document.querySelector('im-chat') as unknown as { session: { state: { status: number } } }).session.state.status === 6);
      await older.locator('im-chat-panel').getByText('Signed in on another device').waitFor();
      // The newer device keeps the only connection: the older one does not come back, not even
      // when the suite.browser says the network is back (which makes a waiting client retry at once).
      const statusAfterOnline = await older.evaluate(() => {
        dispatchEvent(new Event('online'));
        return (document.querySelector('im-chat') as unknown as { session: { state: { status: number } } }).session.state.status;
      });
      assert.equal(statusAfterOnline, 6);
      const metrics = await api(single, 'GET', '/api/metrics');
      assert.equal(metrics.json.connections, 1);
      assert.equal(await statusOf(newer), CONNECTED);
      await first.close();
      await second.close();
    } finally {
      await single.dispose();
    }
  });
});

const textMessage = (content: string) => new TextMessage({ content });
