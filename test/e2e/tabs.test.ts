import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import type { IMMessage } from '../../src/core/client/types.js';
import { api, connectClient, tokenFor, waitFor, type TestServer } from '../helpers/server.js';
import { newDevice, openChatPage, shownMessages, typeAndSend, until, useServerAndChromium, waitForShown, waitForStatus } from './pages.js';

const isLeader = (page: Page) => page.evaluate(() => (document.querySelector('im-chat') as unknown as { session: { client: { isLeader: boolean } } }).session.client.isLeader);
const texts = (messages: IMMessage[]) => messages.map((message) => (message.content as TextMessage).content);

async function connections(server: TestServer): Promise<number> {
  return (await api(server, 'GET', '/api/metrics')).json.connections;
}

/** Waits until the server counts `count` connections, asking again after each answer. */
async function waitForConnections(server: TestServer, count: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  let seen = await connections(server);
  while (seen !== count) {
    if (Date.now() > deadline) assert.equal(seen, count, 'connections on the server');
    seen = await connections(server);
  }
}

describe('tabs of one user share one connection (Chromium)', () => {
  const suite = useServerAndChromium();

  it('two tabs hold one connection; when the leading tab closes the other takes over, losing and repeating nothing', async () => {
    const bob = await connectClient(suite.server, 'tab-bob');
    suite.clients.push(bob);
    const bobReceived: IMMessage[] = [];
    bob.on('message', (message) => bobReceived.push(message));
    const toAlice = { conversationType: ConversationType.PRIVATE, targetId: 'tab-alice' };
    const device = await newDevice(suite.browser, suite.server);
    const first = await openChatPage(device, suite.server, await tokenFor(suite.server, 'tab-alice'), 'tab-bob');
    await waitForStatus(first, true);
    const second = await openChatPage(device, suite.server, await tokenFor(suite.server, 'tab-alice'), 'tab-bob');
    await waitForStatus(second, true);
    assert.deepEqual([await isLeader(first), await isLeader(second)], [true, false]);
    await waitForConnections(suite.server, 2); // bob's, and one for both of alice's tabs

    // Received messages show in both tabs, once; a send from either tab reaches bob once and
    // shows in both.
    await bob.sendMessage(toAlice, new TextMessage({ content: 'b1' }));
    await typeAndSend(second, 'a1 from the second tab');
    await typeAndSend(first, 'a2 from the first tab');
    const expected = [{ text: 'b1', status: 'sent' }, { text: 'a1 from the second tab', status: 'sent' }, { text: 'a2 from the first tab', status: 'sent' }];
    await waitForShown(first, expected);
    await waitForShown(second, expected);

    // A draft typed in one tab is there in the other.
    await first.locator('im-composer textarea').fill('half a thought');
    await second.waitForFunction(() => (document.querySelector('im-chat') as unknown as { session: { state: { drafts: Record<string, string> } } })
      .session.state.drafts['1:tab-bob'] === 'half a thought');
    await first.locator('im-composer textarea').fill('');

    // The leader goes while messages flow both ways.
    const sends = [bob.sendMessage(toAlice, new TextMessage({ content: 'b2' }))];
    await typeAndSend(second, 'a3 during the takeover');
    await first.close();
    sends.push(bob.sendMessage(toAlice, new TextMessage({ content: 'b3' })));
    await typeAndSend(second, 'a4 after the takeover');
    await Promise.all(sends);
    await second.waitForFunction(() => (document.querySelector('im-chat') as unknown as { session: { client: { isLeader: boolean } } }).session.client.isLeader);
    await waitForStatus(second, true);
    sends.push(bob.sendMessage(toAlice, new TextMessage({ content: 'b4' })));
    await Promise.all(sends);

    const shown = async () => (await shownMessages(second)).map((item) => item.text);
    await second.waitForFunction(() => {
      const chat = document.querySelector('im-chat') as unknown as { session: { state: { windows: Record<string, { items: Array<{ status: string }> }> } } };
      const items = chat.session.state.windows['1:tab-bob']?.items ?? [];
      return items.length >= 7 && items.every((item) => item.status === 'sent');
    }).catch(async () => assert.fail(`second tab shows ${JSON.stringify(await shownMessages(second))}`));
    const final = await shown();
    for (const text of ['b1', 'a1 from the second tab', 'a2 from the first tab', 'b2', 'a3 during the takeover', 'b3', 'a4 after the takeover', 'b4']) {
      assert.equal(final.filter((shownText) => shownText === text).length, 1, `"${text}" shown once in ${JSON.stringify(final)}`);
    }
    await waitFor((check) => bob.on('message', check), () => bobReceived.length >= 4, 'bob receives alice\'s four');
    assert.deepEqual(texts(bobReceived).sort(), ['a1 from the second tab', 'a2 from the first tab', 'a3 during the takeover', 'a4 after the takeover']);
    const history = await bob.getHistoryMessages({ conversationType: ConversationType.PRIVATE, targetId: 'tab-alice' }, { count: 50 });
    assert.equal(history.messages.length, 8, `history: ${JSON.stringify(texts(history.messages))}`);
    await waitForConnections(suite.server, 2);
    await device.close();
  });

  it('a read in one tab clears the unread count in the other', async () => {
    const bob = await connectClient(suite.server, 'read-bob');
    suite.clients.push(bob);
    const device = await newDevice(suite.browser, suite.server);
    const reader = await openChatPage(device, suite.server, await tokenFor(suite.server, 'read-alice'), '');
    await waitForStatus(reader, true);
    const other = await openChatPage(device, suite.server, await tokenFor(suite.server, 'read-alice'), '');
    await waitForStatus(other, true);
    await bob.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'read-alice' }, new TextMessage({ content: 'unread' }));
    const unread = (page: Page, count: number) => page.waitForFunction((want) => (document.querySelector('im-chat') as unknown as {
      session: { state: { conversations: { byKey: Record<string, { unreadCount: number }> } } };
    }).session.state.conversations.byKey['1:read-bob']?.unreadCount === want, count);
    await unread(reader, 1);
    await unread(other, 1);
    await reader.locator('im-conversation-list').getByText('read-bob').first().click();
    await unread(reader, 0);
    await unread(other, 0);
    await device.close();
  });

  it('logging out in one tab signs every tab of the user out and deletes the cache', async () => {
    const device = await newDevice(suite.browser, suite.server);
    const one = await openChatPage(device, suite.server, await tokenFor(suite.server, 'out-alice'), 'out-bob');
    await waitForStatus(one, true);
    const two = await openChatPage(device, suite.server, await tokenFor(suite.server, 'out-alice'), 'out-bob');
    await waitForStatus(two, true);
    await typeAndSend(two, 'before logging out');
    await waitForShown(one, [{ text: 'before logging out', status: 'sent' }]);
    const before = await connections(suite.server);
    await two.evaluate(() => (document.querySelector('im-chat') as unknown as { logout(): Promise<void> }).logout());
    await one.waitForFunction(() => (document.querySelector('im-chat') as unknown as { session: { state: { status: number; conversations: { keys: string[] } } } })
      .session.state.conversations.keys.length === 0);
    await waitForConnections(suite.server, before - 1);
    assert.equal(await one.evaluate(() => (document.querySelector('im-chat') as unknown as { session: { state: { status: number } } }).session.state.status), 2, 'DISCONNECTED');
    await one.close();
    // With no tab holding it open any more, the user's database is gone.
    await until(two, async (name) => !(await indexedDB.databases()).some((database) => database.name === name), `im-widget:${suite.server.wsUrl}:out-alice`);
    await device.close();
  });
});
