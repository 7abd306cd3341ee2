import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright';
import { ConversationType, ErrorCode } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import type { IMMessage } from '../../src/core/client/types.js';
import type { IMClient } from '../../src/core/client/client.js';
import type { CustomerServiceClient, CustomerServiceMethod } from '../../src/core/client/chat-client.js';
import type { TabSharedClient } from '../../src/core/client/tab-shared-client.js';
import type { CustomerRatingEvent } from '../../src/core/client/customer-service.js';
import { api, connectClient, connections, setServiceAgent, setServiceGroup, tokenFor, waitFor, waitForConnections, type TestServer } from '../helpers/server.js';
import { newDevice, openChatPage, shownMessages, typeAndSend, until, useServerAndChromium, waitForShown, waitForStatus } from './pages.js';

const isLeader = (page: Page) => page.evaluate(() => (document.querySelector('im-chat') as unknown as { session: { client: { isLeader: boolean } } }).session.client.isLeader);
const texts = (messages: IMMessage[]) => messages.map((message) => (message.content as TextMessage).content);


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

  it('a chatroom joined through the leading tab goes on in the next leader: joined again, each message once', async () => {
    const host = await connectClient(suite.server, 'tab-room-host');
    suite.clients.push(host);
    await host.joinChatRoom('tab-room', -1);
    const room = { conversationType: ConversationType.CHATROOM, targetId: 'tab-room' };
    const device = await newDevice(suite.browser, suite.server);
    const token = await tokenFor(suite.server, 'tab-room-alice');
    const first = await openChatPage(device, suite.server, token, 'tab-room-host');
    await waitForStatus(first, true);
    const second = await openChatPage(device, suite.server, token, 'tab-room-host');
    await waitForStatus(second, true);
    assert.deepEqual([await isLeader(first), await isLeader(second)], [true, false]);
    // The follower tab joins (the leading tab's connection runs it) and listens.
    await second.evaluate(async () => {
      const client = (document.querySelector('im-chat') as unknown as { session: { client: IMClient } }).session.client;
      const heard = { texts: [] as string[], statuses: [] as string[] };
      (window as unknown as { heard: typeof heard }).heard = heard;
      client.on('message', (message) => {
        if (message.conversationType === 4) heard.texts.push((message.content as unknown as { content: string }).content);
      });
      client.on('chatroomStatus', (event) => heard.statuses.push(`${event.roomId}:${event.status}`));
      await client.joinChatRoom('tab-room', -1);
    });
    const heard = () => second.evaluate(() => (window as unknown as { heard: { texts: string[]; statuses: string[] } }).heard);
    const until = (what: () => boolean) =>
      second.waitForFunction(what, undefined, { polling: 50 }).catch(async () => assert.fail(`the second tab heard ${JSON.stringify(await heard())}`));
    await host.sendMessage(room, new TextMessage({ content: 'before the takeover' }));
    await until(() => (window as unknown as { heard: { texts: string[] } }).heard.texts.includes('before the takeover'));

    await first.close();
    await host.sendMessage(room, new TextMessage({ content: 'during the takeover' }));
    await until(() => (window as unknown as { heard: { statuses: string[] } }).heard.statuses.includes('tab-room:rejoined'));
    await host.sendMessage(room, new TextMessage({ content: 'after the takeover' }));
    await until(() => (window as unknown as { heard: { texts: string[] } }).heard.texts.includes('after the takeover'));
    assert.deepEqual((await heard()).texts, ['before the takeover', 'during the takeover', 'after the takeover'], 'each once, in order');
    assert.equal(await isLeader(second), true);
    const info = await host.getChatRoomInfo('tab-room', 20, 1);
    assert.deepEqual(info.userInfos.map((member) => member.userId), ['tab-room-host', 'tab-room-alice']);
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

// Both clients serve a customer-service UI (a compile error otherwise).
const customerServiceClients: CustomerServiceClient[] = [null as unknown as TabSharedClient, null as unknown as IMClient];
void customerServiceClients;

type CallOutcome = { value?: any; code?: number; isError?: boolean };

/** A customer-service call of the page's client, as a UI makes it: its value, or its error's code. */
function callIn(page: Page, method: CustomerServiceMethod, ...args: unknown[]): Promise<CallOutcome> {
  return page.evaluate(async ([name, list]) => {
    const client = (document.querySelector('im-chat') as unknown as { session: { client: Record<string, (...a: unknown[]) => Promise<unknown>> } })
      .session.client;
    try {
      return { value: await client[name]!(...list) };
    } catch (error) {
      return { code: (error as { code?: number }).code, isError: error instanceof Error };
    }
  }, [method, args] as const);
}

const CS_EVENTS = ['customerServiceQueue', 'customerServiceStatus', 'customerServiceRating', 'customerServiceWaiting'] as const;

/** Keeps the customer-service events the page's client emits (in `window.csEvents`). */
async function recordCsEvents(page: Page): Promise<void> {
  await page.evaluate((names) => {
    const client = (document.querySelector('im-chat') as unknown as { session: { client: { on(name: string, listener: (event: unknown) => void): void } } })
      .session.client;
    const seen: Array<{ name: string; event: Record<string, unknown> }> = [];
    (window as unknown as { csEvents: typeof seen }).csEvents = seen;
    for (const name of names) client.on(name, (event) => seen.push({ name, event: event as Record<string, unknown> }));
  }, CS_EVENTS);
}

/** The recorded events of `name` whose fields include `fields`. */
const csEventsIn = (page: Page, name: string, fields: Record<string, unknown>) => page.evaluate(([eventName, want]) =>
  (window as unknown as { csEvents: Array<{ name: string; event: Record<string, unknown> }> }).csEvents
    .filter((seen) => seen.name === eventName && Object.entries(want).every(([key, value]) => seen.event[key] === value)), [name, fields] as const);

/** Waits until the page's client has emitted an event `name` with these fields. */
async function waitForCsEvent(page: Page, name: string, fields: Record<string, unknown>): Promise<void> {
  await page.waitForFunction(([eventName, want]) => (window as unknown as { csEvents: Array<{ name: string; event: Record<string, unknown> }> }).csEvents
    .some((seen) => seen.name === eventName && Object.entries(want).every(([key, value]) => seen.event[key] === value)), [name, fields] as const)
    .catch(async (error) => assert.fail(`${(error as Error).message}: no ${name} ${JSON.stringify(fields)} in ${JSON.stringify(
      await page.evaluate(() => (window as unknown as { csEvents: unknown }).csEvents))}`));
}

/** Two tabs of `userId` in one browser profile: the first leads, the second follows; both record the customer-service events. */
async function openTwoTabs(suite: { server: TestServer; browser: import('playwright').Browser }, userId: string) {
  const device = await newDevice(suite.browser, suite.server);
  const leader = await openChatPage(device, suite.server, await tokenFor(suite.server, userId), '');
  await waitForStatus(leader, true);
  const follower = await openChatPage(device, suite.server, await tokenFor(suite.server, userId), '');
  await waitForStatus(follower, true);
  assert.deepEqual([await isLeader(leader), await isLeader(follower)], [true, false]);
  await recordCsEvents(leader);
  await recordCsEvents(follower);
  return { device, leader, follower };
}

describe('customer service through tabs that share one connection (Chromium)', () => {
  const suite = useServerAndChromium();
  const clients: IMClient[] = [];
  const connect = async (userId: string) => {
    const client = await connectClient(suite.server, userId);
    clients.push(client);
    return client;
  };
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.disconnect();
  });

  it('a visitor\'s follower tab asks and starts; both tabs hear the agent take and resolve; errors keep their codes', async () => {
    await waitForConnections(suite.server, 0);
    await setServiceGroup(suite.server, { groupId: 'tab-help', name: 'Tab help', mode: 'human' });
    await setServiceAgent(suite.server, 'tab-agent', ['tab-help']);
    const agent = await connect('tab-agent');
    // Sessions wait in the queue until the agent takes them.
    await agent.setCustomerServiceAgentAway(true);
    const ratings: CustomerRatingEvent[] = [];
    agent.on('customerServiceRating', (event) => ratings.push(event));
    const { device, leader, follower } = await openTwoTabs(suite, 'tab-visitor');
    await waitForConnections(suite.server, 2); // the agent's, and one for both of the visitor's tabs

    const info = await callIn(follower, 'getCustomerServiceInfo', 'tab-help');
    assert.equal(info.code, undefined, JSON.stringify(info));
    assert.deepEqual([info.value.groupId, info.value.name, info.value.mode, info.value.session], ['tab-help', 'Tab help', 'human', null]);

    const started = await callIn(follower, 'startCustomService', 'tab-help');
    assert.deepEqual([started.value?.groupId, started.value?.status], ['tab-help', 'queued'], JSON.stringify(started));
    const sessionId = started.value.sessionId as number;
    for (const page of [leader, follower]) await waitForCsEvent(page, 'customerServiceQueue', { sessionId, groupId: 'tab-help', position: 1 });
    // Asked again, the same session (the leader's own call, as a UI in the leading tab makes it).
    assert.equal((await callIn(leader, 'startCustomService', 'tab-help')).value?.sessionId, sessionId);

    await agent.takeCustomerSession(sessionId);
    for (const page of [leader, follower]) await waitForCsEvent(page, 'customerServiceStatus', { sessionId, status: 'open', agentId: 'tab-agent', targetId: 'tab-help' });
    await agent.resolveCustomerSession(sessionId);
    for (const page of [leader, follower]) await waitForCsEvent(page, 'customerServiceStatus', { sessionId, status: 'resolved' });
    for (const page of [leader, follower]) {
      assert.equal((await csEventsIn(page, 'customerServiceStatus', { sessionId, status: 'open' })).length, 1, 'each status once in each tab');
    }

    const rated = await callIn(follower, 'evaluateHumanCustomService', 'tab-help', 5, 'quick');
    assert.deepEqual([rated.value?.sessionId, rated.value?.score, rated.value?.comment], [sessionId, 5, 'quick'], JSON.stringify(rated));
    await waitFor((check) => agent.on('customerServiceRating', check), () => ratings.some((rating) => rating.sessionId === sessionId && rating.score === 5), 'the agent hears the rating');
    assert.deepEqual(await callIn(follower, 'evaluateHumanCustomService', 'tab-help', 4), { code: ErrorCode.CS_ALREADY_EVALUATED, isError: true });
    assert.deepEqual(await callIn(leader, 'evaluateRobotCustomService', 'tab-help', 4), { code: ErrorCode.CS_ALREADY_EVALUATED, isError: true });
    assert.deepEqual(await callIn(follower, 'startCustomService', 'no-such-group'), { code: ErrorCode.RC_DISCUSSION_GROUP_ID_INVALID, isError: true });
    assert.deepEqual(await callIn(follower, 'stopCustomService', 'tab-help'), { code: ErrorCode.CS_SESSION_NOT_FOUND, isError: true });

    const transcript = await callIn(follower, 'getCustomerSessionTranscript', sessionId);
    assert.ok(transcript.value?.some((line: { text: string }) => line.text.includes('serving you')), JSON.stringify(transcript));
    const ticket = await callIn(follower, 'leaveCustomerServiceMessage', 'tab-help', { email: 'v@example.com', message: 'call me back' });
    assert.equal(typeof ticket.value?.ticketId, 'number', JSON.stringify(ticket));
    await agent.setCustomerServiceAgentAway(false);
    assert.equal((await agent.getCustomerServiceTickets()).filter((one) => one.message === 'call me back').length, 1);

    assert.equal(await connections(suite.server), 2);
    await device.close();
  });

  it('an agent\'s follower tab lists, takes, notes and resolves; both tabs hear the queue, the status and the rating', async () => {
    await waitForConnections(suite.server, 0);
    await setServiceGroup(suite.server, { groupId: 'tab-desk', name: 'Desk', mode: 'human' });
    await setServiceAgent(suite.server, 'desk-agent', ['tab-desk']);
    const { device, leader, follower } = await openTwoTabs(suite, 'desk-agent');
    assert.deepEqual((await callIn(follower, 'setCustomerServiceAgentAway', true)).value, { away: true });
    const visitor = await connect('desk-visitor');
    await waitForConnections(suite.server, 2);

    const session = await visitor.startCustomService('tab-desk');
    for (const page of [leader, follower]) await waitForCsEvent(page, 'customerServiceWaiting', { groupId: 'tab-desk', waiting: 1 });
    const queued = await callIn(follower, 'getCustomerSessionsPage', 'queued');
    assert.deepEqual(queued.value?.sessions.map((one: { sessionId: number }) => one.sessionId), [session.sessionId], JSON.stringify(queued));
    assert.deepEqual((await callIn(follower, 'getCustomerSessions', 'queued')).value?.map((one: { sessionId: number }) => one.sessionId), [session.sessionId]);
    const directory = await callIn(follower, 'getCustomerServiceAgents');
    assert.ok(directory.value?.agents.some((one: { userId: string; online: boolean }) => one.userId === 'desk-agent' && one.online), JSON.stringify(directory));
    assert.ok(Array.isArray((await callIn(follower, 'getCannedReplies')).value));

    const taken = await callIn(follower, 'takeCustomerSession', session.sessionId);
    assert.deepEqual([taken.value?.status, taken.value?.agentId], ['open', 'desk-agent'], JSON.stringify(taken));
    for (const page of [leader, follower]) {
      await waitForCsEvent(page, 'customerServiceStatus', { sessionId: session.sessionId, status: 'open', agentId: 'desk-agent' });
      await waitForCsEvent(page, 'customerServiceWaiting', { groupId: 'tab-desk', waiting: 0 });
    }
    assert.deepEqual(await callIn(follower, 'takeCustomerSession', session.sessionId), { code: ErrorCode.CS_SESSION_NOT_FOUND, isError: true });

    assert.equal((await callIn(follower, 'addCustomerSessionNote', session.sessionId, 'wants a refund')).value?.text, 'wants a refund');
    const notes = await callIn(leader, 'getCustomerSessionNotes', session.sessionId);
    assert.deepEqual(notes.value?.map((note: { text: string }) => note.text), ['wants a refund']);

    assert.equal((await callIn(follower, 'resolveCustomerSession', session.sessionId)).value?.status, 'resolved');
    for (const page of [leader, follower]) await waitForCsEvent(page, 'customerServiceStatus', { sessionId: session.sessionId, status: 'resolved' });
    await visitor.evaluateHumanCustomService('tab-desk', 4, 'fine');
    for (const page of [leader, follower]) await waitForCsEvent(page, 'customerServiceRating', { sessionId: session.sessionId, score: 4, comment: 'fine' });

    assert.equal(await connections(suite.server), 2);
    await device.close();
  });

  it('when the leading tab goes mid-call, a read is asked again of the next leader, and a change is not run twice', async () => {
    await waitForConnections(suite.server, 0);
    await setServiceGroup(suite.server, { groupId: 'tab-help', name: 'Tab help', mode: 'human' });
    await setServiceAgent(suite.server, 'tab-agent', ['tab-help']);
    const { device, leader, follower } = await openTwoTabs(suite, 'gone-visitor');
    // The follower watches the tabs' channel for the leader taking its call.
    await follower.evaluate(() => {
      const chat = document.querySelector('im-chat') as unknown as { server: string };
      const channel = new BroadcastChannel(`im-widget:${chat.server}|gone-visitor`);
      const seen: string[] = [];
      (window as unknown as { accepted: string[] }).accepted = seen;
      channel.addEventListener('message', (event: MessageEvent<{ t: string }>) => {
        if (event.data.t === 'accepted') seen.push(event.data.t);
      });
    });
    // The server stops answering (it is paused): both calls are on their way when the leader goes.
    suite.server.process.kill('SIGSTOP');
    try {
      await follower.evaluate(() => {
        const client = (document.querySelector('im-chat') as unknown as { session: { client: TabSharedClient } }).session.client;
        // (No named helper here: the page gets this function's source as it is.)
        (window as unknown as { calls: Record<string, Promise<unknown>> }).calls = {
          ticket: client.leaveCustomerServiceMessage('tab-help', { email: 'gone@example.com', message: 'mid-call' })
            .then((value) => ({ value }), (error: { code?: number }) => ({ code: error.code })),
          info: client.getCustomerServiceInfo('tab-help').then((value) => ({ value }), (error: { code?: number }) => ({ code: error.code })),
        };
      });
      await follower.waitForFunction(() => (window as unknown as { accepted: string[] }).accepted.length === 1);
      await leader.close();
      await follower.waitForFunction(() => (document.querySelector('im-chat') as unknown as { session: { client: { isLeader: boolean } } }).session.client.isLeader);
      // Taken by the tab that went: whether it reached the server is unknown, and it is not sent again.
      assert.deepEqual(await follower.evaluate(() => (window as unknown as { calls: Record<string, Promise<unknown>> }).calls.ticket),
        { code: ErrorCode.RC_SOCKET_DISCONNECTED });
    } finally {
      suite.server.process.kill('SIGCONT');
    }
    // The read waits for the new leader's connection, and is answered.
    const info = await follower.evaluate(() => (window as unknown as { calls: Record<string, Promise<unknown>> }).calls.info) as CallOutcome;
    assert.deepEqual([info.code, info.value?.groupId], [undefined, 'tab-help'], JSON.stringify(info));
    await waitForStatus(follower, true);
    await waitForConnections(suite.server, 1);
    const agent = await connect('tab-agent');
    const tickets = (await agent.getCustomerServiceTickets()).filter((ticket) => ticket.email === 'gone@example.com');
    assert.ok(tickets.length <= 1, `the ticket is left at most once: ${JSON.stringify(tickets)}`);
    await device.close();
  });
});
