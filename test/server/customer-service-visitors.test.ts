import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { ConversationType, ErrorCode } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import { IMClient } from '../../src/core/client/client.js';
import type { IMError } from '../../src/core/client/errors.js';
import type { IMMessage } from '../../src/core/client/types.js';
import { requestVisitorIdentity } from '../../src/core/client/visitor-identity.js';
import type { WebSocketConstructor } from '../../src/core/transport/transport.js';
import { openingState } from '../../src/server/service-hours.js';
import { api, useTestServer, waitFor, setServiceAgent, setServiceGroup } from '../helpers/server.js';

const refusedWith = (code: number) => (error: IMError) => error.code === code;
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const allWeek = (from: string, to: string) => Object.fromEntries(DAYS.map((day) => [day, [[from, to]]]));

/** The weekday and date in Tokyo (UTC+9 all year) `days` from now. */
function tokyoDay(days: number): { day: string; utcMidnight: number } {
  const local = new Date(Date.now() + 9 * 3_600_000 + days * 86_400_000);
  return { day: DAYS[local.getUTCDay()]!, utcMidnight: Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) };
}

describe('customer-service business hours (the zone\'s rules)', () => {
  const berlin = { timeZone: 'Europe/Berlin', weekly: { mon: [['09:00', '17:00']] as Array<[string, string]> } };

  it('finds the next opening across a change to summer time, and back', () => {
    // Friday 2026-03-27: the clocks go forward on Sunday 29th, so Monday 09:00 is 07:00 UTC, not 08:00.
    assert.equal(openingState(berlin, Date.UTC(2026, 2, 27, 12)).nextOpening, Date.UTC(2026, 2, 30, 7));
    assert.equal(openingState(berlin, Date.UTC(2026, 2, 20, 12)).nextOpening, Date.UTC(2026, 2, 23, 8), 'a week earlier, winter time');
    // Friday 2026-10-23: the clocks go back on Sunday 25th.
    assert.equal(openingState(berlin, Date.UTC(2026, 9, 23, 12)).nextOpening, Date.UTC(2026, 9, 26, 8));
  });

  it('an opening inside the hour skipped by the change to summer time is the moment the clock jumps', () => {
    // Sunday 2026-03-29 in Berlin: 02:00 CET is followed by 03:00 CEST (01:00 UTC); 02:30 never shows.
    const night = { timeZone: 'Europe/Berlin', weekly: { sun: [['02:30', '05:00']] as Array<[string, string]> } };
    assert.equal(openingState(night, Date.UTC(2026, 2, 28, 12)).nextOpening, Date.UTC(2026, 2, 29, 1));
    assert.equal(openingState(night, Date.UTC(2026, 2, 29, 1)).open, true, 'open from 03:00 CEST');
    assert.equal(openingState(night, Date.UTC(2026, 2, 29, 0, 59)).open, false, '01:59 CET: not yet');
    // New York, 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00 UTC).
    const newYork = { timeZone: 'America/New_York', weekly: { sun: [['02:15', '04:00']] as Array<[string, string]> } };
    assert.equal(openingState(newYork, Date.UTC(2026, 2, 7, 12)).nextOpening, Date.UTC(2026, 2, 8, 7));
  });

  it('is open within an interval of the zone\'s own day, closed at its end, and never opens without days', () => {
    assert.deepEqual(openingState(berlin, Date.UTC(2026, 2, 30, 7)), { open: true, nextOpening: 0 }, 'Monday 09:00 summer time');
    assert.equal(openingState(berlin, Date.UTC(2026, 2, 30, 15)).open, false, 'Monday 17:00 is closing time');
    assert.equal(openingState(berlin, Date.UTC(2026, 2, 30, 15)).nextOpening, Date.UTC(2026, 3, 6, 7), 'the next Monday');
    const newYork = { timeZone: 'America/New_York', weekly: { sun: [['00:00', '24:00']] as Array<[string, string]> } };
    assert.equal(openingState(newYork, Date.UTC(2026, 10, 7, 3, 59)).open, false, 'Friday 23:59 in New York is Saturday in UTC');
    assert.equal(openingState(newYork, Date.UTC(2026, 10, 8, 5)).open, true, 'Sunday midnight EST');
    assert.deepEqual(openingState({ timeZone: 'Asia/Tokyo', weekly: {} }), { open: false, nextOpening: 0 });
    assert.deepEqual(openingState(undefined), { open: true, nextOpening: 0 }, 'no hours: always open');
  });
});

describe('customer service: hours, pre-chat form, info, anonymous visitors', () => {
  const suite = useTestServer({ extra: ['--cs-visitors', '--trust-proxy'] });
  const setGroup = (body: Record<string, unknown>) => setServiceGroup(suite.server, body);
  const setAgent = (userId: string, groupIds: string[], cap?: number) => setServiceAgent(suite.server, userId, groupIds, cap);
  const mint = (ip: string, body: unknown = {}) => fetch(`${suite.server.url}/cs/visitor`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify(body),
  });
  const connectAs = async (token: string) => {
    const client = suite.track(new IMClient({ url: suite.server.wsUrl, token, WebSocket: WebSocket as unknown as WebSocketConstructor, platform: 'node' }));
    await client.connect();
    return client;
  };

  it('checks the new group settings in the app API', async () => {
    const bad: Array<Record<string, unknown>> = [
      { hours: { timeZone: 'Mars/Olympus', weekly: {} } },
      { hours: { timeZone: 'UTC', weekly: { funday: [] } } },
      { hours: { timeZone: 'UTC', weekly: { mon: [['17:00', '09:00']] } } },
      { hours: { timeZone: 'UTC', weekly: { mon: [['9:00', '17:00']] } } },
      { preChatFields: [{ name: 'Name', label: 'Name', type: 'text' }] },
      { preChatFields: [{ name: 'a', label: 'A', type: 'text' }, { name: 'a', label: 'A', type: 'text' }] },
      { preChatFields: [{ name: 'topic', label: 'Topic', type: 'select' }] },
      { preChatFields: [{ name: 'topic', label: 'Topic', type: 'radio' }] },
      { preChatFields: Array.from({ length: 11 }, (_, i) => ({ name: `f${i}`, label: 'F', type: 'text' })) },
      { offlineMessage: 'x'.repeat(2001) },
      { cannedReplies: [{ shortcut: 'Hi', text: 'hello' }] },
      { cannedReplies: [{ shortcut: 'hi', text: 'a' }, { shortcut: 'hi', text: 'b' }] },
    ];
    for (const settings of bad) {
      const { status } = await api(suite.server, 'POST', '/api/cs/group/set', { groupId: 'checked', ...settings });
      assert.equal(status, 400, JSON.stringify(settings));
    }
    const { status, json } = await api(suite.server, 'POST', '/api/cs/group/set', {
      groupId: 'checked', hours: { timeZone: 'UTC', weekly: { mon: [['09:00', '12:00'], ['13:00', '24:00']] } },
      preChatFields: [{ name: 'topic', label: 'Topic', type: 'select', options: ['a', 'b'], required: true }],
      offlineMessage: 'back soon', cannedReplies: [{ shortcut: 'hi-1', text: 'Hello!' }],
    });
    assert.equal(status, 200, JSON.stringify(json));
    assert.deepEqual(json.group.preChatFields, [{ name: 'topic', label: 'Topic', type: 'select', options: ['a', 'b'], required: true }]);
  });

  it('tells anyone a group\'s hours now and when it opens next, in the group\'s zone', async () => {
    const later = tokyoDay(3);
    await setGroup({
      groupId: 'tokyo', name: 'Tokyo desk', mode: 'human', offlineMessage: 'We answer 09:00-10:00 Tokyo time.',
      hours: { timeZone: 'Asia/Tokyo', weekly: { [later.day]: [['09:00', '10:00']] } },
    });
    await setGroup({ groupId: 'always', mode: 'human', hours: { timeZone: 'America/New_York', weekly: allWeek('00:00', '24:00') } });
    const visitor = await suite.connect('info-visitor');
    const closed = await visitor.getCustomerServiceInfo('tokyo');
    assert.deepEqual(
      [closed.groupId, closed.name, closed.mode, closed.open, closed.timeZone, closed.offlineMessage, closed.session, closed.position],
      ['tokyo', 'Tokyo desk', 'human', false, 'Asia/Tokyo', 'We answer 09:00-10:00 Tokyo time.', null, 0],
    );
    assert.equal(closed.nextOpening, later.utcMidnight, '09:00 in Tokyo is 00:00 UTC that day');
    const open = await visitor.getCustomerServiceInfo('always');
    assert.deepEqual([open.open, open.nextOpening, open.timeZone], [true, 0, 'America/New_York']);
    const noHours = await visitor.getCustomerServiceInfo();
    assert.deepEqual([noHours.groupId, noHours.open, noHours.nextOpening, noHours.timeZone, noHours.preChatFields], ['service', true, 0, '', []]);
    await assert.rejects(visitor.getCustomerServiceInfo('no-such'), refusedWith(ErrorCode.RC_DISCUSSION_GROUP_ID_INVALID));
    await assert.rejects(visitor.getCustomerServiceInfo('bad@id'), refusedWith(ErrorCode.PARAMETER_ERROR));
  });

  it('refuses a new human session outside hours (CS_OUTSIDE_HOURS), while the robot answers and a running session goes on', async () => {
    await setGroup({ groupId: 'closed-h', mode: 'human', hours: { timeZone: 'UTC', weekly: {} }, offlineMessage: 'closed' });
    await setGroup({
      groupId: 'closed-r', mode: 'robot', welcome: 'Robot here.', hours: { timeZone: 'UTC', weekly: {} },
      faq: [{ keywords: ['hours'], answer: 'We are closed.' }],
    });
    await setAgent('night-agent', ['closed-h', 'closed-r']);
    await suite.connect('night-agent');
    const visitor = await suite.connect('night-visitor');
    await assert.rejects(visitor.startCustomService('closed-h'), refusedWith(ErrorCode.CS_OUTSIDE_HOURS));
    await assert.rejects(visitor.sendMessage({ conversationType: ConversationType.CUSTOMER_SERVICE, targetId: 'closed-h' },
      new TextMessage({ content: 'anyone?' })), refusedWith(ErrorCode.CS_OUTSIDE_HOURS), 'a message that would start one is refused too');
    assert.equal((await visitor.getCustomerServiceInfo('closed-h')).session, null, 'nothing was started');

    const messages: IMMessage[] = [];
    visitor.on('message', (m) => messages.push(m));
    const robot = await visitor.startCustomService('closed-r');
    assert.equal(robot.status, 'robot', 'the robot answers at any hour');
    await visitor.sendMessage({ conversationType: ConversationType.CUSTOMER_SERVICE, targetId: 'closed-r' }, new TextMessage({ content: 'your hours?' }));
    await waitFor((check) => visitor.on('message', check),
      () => messages.some((m) => m.senderUserId === 'cs:robot' && (m.content as TextMessage).content === 'We are closed.'), 'the robot\'s answer');
    await assert.rejects(visitor.switchToHumanMode('closed-r'), refusedWith(ErrorCode.CS_OUTSIDE_HOURS), 'only the switch to a human is refused');
    assert.equal((await visitor.getCustomerServiceInfo('closed-r')).session?.status, 'robot');

    // A session already running goes on when the group closes.
    await setGroup({ groupId: 'closing', mode: 'human' });
    await setAgent('late-agent', ['closing']);
    await suite.connect('late-agent');
    const running = await visitor.startCustomService('closing');
    assert.equal(running.status, 'open');
    await setGroup({ groupId: 'closing', mode: 'human', hours: { timeZone: 'UTC', weekly: {} } });
    await visitor.sendMessage({ conversationType: ConversationType.CUSTOMER_SERVICE, targetId: 'closing' }, new TextMessage({ content: 'still there?' }));
    assert.equal((await visitor.startCustomService('closing')).sessionId, running.sessionId);
  });

  it('checks the pre-chat form and keeps it as the session\'s visitorInfo', async () => {
    await setGroup({
      groupId: 'form', mode: 'human', preChatFields: [
        { name: 'name', label: 'Your name', type: 'text', required: true },
        { name: 'email', label: 'Email', type: 'email', required: true },
        { name: 'topic', label: 'Topic', type: 'select', options: ['billing', 'tech'] },
        { name: 'phone', label: 'Phone', type: 'tel' },
      ],
    });
    await setAgent('form-agent', ['form']);
    const agent = await suite.connect('form-agent');
    const visitor = await suite.connect('form-visitor');
    const info = await visitor.getCustomerServiceInfo('form');
    assert.deepEqual(info.preChatFields.map((field) => [field.name, field.type, field.required ?? false]),
      [['name', 'text', true], ['email', 'email', true], ['topic', 'select', false], ['phone', 'tel', false]]);
    const refusals: Array<Record<string, string>> = [
      {},
      { name: 'Ann' },
      { name: 'Ann', email: 'not-an-email' },
      { name: 'Ann', email: 'ann@example.com', topic: 'sales' },
      { name: 'Ann', email: 'ann@example.com', shoe: '42' },
      { name: 'x'.repeat(501), email: 'ann@example.com' },
      { name: '   ', email: 'ann@example.com' },
      { name: 'Ann', email: 'ann@example.com', phone: 'call me' },
      { name: 'Ann', email: 'ann@example.com', phone: '12' },
      { name: 'Ann', email: 'ann@example.com', phone: '1'.repeat(21) },
    ];
    for (const form of refusals) {
      await assert.rejects(visitor.startCustomService('form', form), refusedWith(ErrorCode.PARAMETER_ERROR), JSON.stringify(form).slice(0, 80));
    }
    await assert.rejects(visitor.startCustomService('form', ['a'] as unknown as Record<string, string>), refusedWith(ErrorCode.PARAMETER_ERROR));
    const session = await visitor.startCustomService('form', { name: 'Ann', email: 'ann@example.com', topic: 'tech', phone: '' });
    assert.deepEqual(session.visitorInfo, { name: 'Ann', email: 'ann@example.com', topic: 'tech' }, 'empty optional fields are left out');
    assert.equal(session.agentId, 'form-agent');
    const [seen] = await agent.getCustomerSessions();
    assert.deepEqual(seen?.visitorInfo, session.visitorInfo, 'the agent sees the form');
    const again = await visitor.getCustomerServiceInfo('form');
    assert.deepEqual([again.session?.sessionId, again.session?.visitorInfo], [session.sessionId, session.visitorInfo]);
    await agent.resolveCustomerSession(session.sessionId);
    const withPhone = await visitor.startCustomService('form', { name: 'Ann', email: 'ann@example.com', phone: '+49 (30) 555-0100' });
    assert.equal(withPhone.visitorInfo.phone, '+49 (30) 555-0100', 'a phone number as people write it');
  });

  it('a follow-up after a resolve carries the previous answers; a new form replaces them', async () => {
    await setGroup({
      groupId: 'follow', mode: 'human', preChatFields: [
        { name: 'name', label: 'Your name', type: 'text', required: true },
        { name: 'order', label: 'Order', type: 'text' },
      ],
    });
    await setAgent('follow-agent', ['follow']);
    const agent = await suite.connect('follow-agent');
    const visitor = await suite.connect('follow-visitor');
    const first = await visitor.startCustomService('follow', { name: 'Ann', order: '42' });
    await agent.resolveCustomerSession(first.sessionId);
    // Writing again (no form): a new session with the same answers, for the agent to see.
    await visitor.sendMessage({ conversationType: ConversationType.CUSTOMER_SERVICE, targetId: 'follow' }, new TextMessage({ content: 'one more thing' }));
    const second = (await visitor.getCustomerServiceInfo('follow')).session!;
    assert.notEqual(second.sessionId, first.sessionId);
    assert.deepEqual(second.visitorInfo, { name: 'Ann', order: '42' });
    assert.deepEqual((await agent.getCustomerSessions('mine'))[0]?.visitorInfo, { name: 'Ann', order: '42' }, 'the agent sees them');
    await agent.resolveCustomerSession(second.sessionId);
    // startCustomService without answers: the carried ones satisfy the required field.
    const third = await visitor.startCustomService('follow', {});
    assert.deepEqual(third.visitorInfo, { name: 'Ann', order: '42' });
    await agent.resolveCustomerSession(third.sessionId);
    // New answers replace them, and a field the form no longer has is not carried.
    const fourth = await visitor.startCustomService('follow', { name: 'Ann B.' });
    assert.deepEqual(fourth.visitorInfo, { name: 'Ann B.' });
    await agent.resolveCustomerSession(fourth.sessionId);
    await setGroup({ groupId: 'follow', mode: 'human', preChatFields: [{ name: 'email', label: 'Email', type: 'email' }] });
    const fifth = await visitor.startCustomService('follow', {});
    assert.deepEqual(fifth.visitorInfo, {}, 'name is no field any more');
  });

  it('tells a queued visitor their place in cs.info', async () => {
    await setGroup({ groupId: 'waits', mode: 'human' });
    const [first, second] = [await suite.connect('wait-1'), await suite.connect('wait-2')];
    await first.startCustomService('waits');
    const queued = await second.startCustomService('waits');
    assert.equal(queued.status, 'queued', 'no agents');
    const info = await second.getCustomerServiceInfo('waits');
    assert.deepEqual([info.session?.status, info.position], ['queued', 2]);
  });

  it('mints anonymous visitors, renews them for the same id, and keeps them apart from app users', async () => {
    const response = await mint('10.0.0.1');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    assert.equal(response.headers.get('access-control-allow-credentials'), null, 'no credentials');
    const minted = await response.json() as { userId: string; token: string; expiresAt: number };
    assert.match(minted.userId, /^visitor-[A-Za-z0-9_-]{22}$/);
    assert.ok(minted.expiresAt > Date.now());
    const second = await (await mint('10.0.0.1')).json() as { userId: string };
    assert.notEqual(second.userId, minted.userId, 'each mint is a new visitor');

    const renewed = await (await mint('10.0.0.1', { token: minted.token })).json() as { userId: string; token: string };
    assert.equal(renewed.userId, minted.userId, 'the same visitor across visits');
    const visitor = await connectAs(renewed.token);
    const session = await visitor.startCustomService();
    assert.equal(session.visitorId, minted.userId, 'a visitor is an ordinary user');

    const preflight = await fetch(`${suite.server.url}/cs/visitor`, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');

    const appToken = (await api(suite.server, 'POST', '/api/user/token', { userId: 'app-user' })).json.token as string;
    const notVisitor = await mint('10.0.0.1', { token: appToken });
    assert.equal(notVisitor.status, 401, 'an app user\'s token renews no visitor');
    assert.equal((await notVisitor.json()).code, ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR);
    assert.equal((await mint('10.0.0.1', { token: 'forged.token' })).status, 401);
    assert.equal((await mint('10.0.0.1', [] as unknown as Record<string, unknown>)).status, 400);

    // A visitor whose tokens were revoked (the app banned them) cannot renew themself back in.
    const banned = await (await mint('10.0.0.9')).json() as { userId: string; token: string };
    assert.equal((await api(suite.server, 'POST', '/api/user/token/revoke', { userId: banned.userId })).status, 200);
    const renewal = await mint('10.0.0.9', { token: banned.token });
    assert.equal(renewal.status, 401, 'a revoked visitor token renews nothing');
    assert.equal((await renewal.json()).code, ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR);

    const refused = await api(suite.server, 'POST', '/api/user/token', { userId: 'visitor-AAAAAAAAAAAAAAAAAAAAAA' });
    assert.equal(refused.status, 400, 'the app API makes no user with the visitors\' prefix');
    assert.equal((await api(suite.server, 'POST', '/api/cs/agent/set', { userId: 'visitor-x', groupIds: ['service'] })).status, 400);
  });

  it('limits mints per client IP: 429 with code 20604, other addresses unaffected', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await mint('10.0.0.2')).status);
    assert.deepEqual(statuses, [...Array(20).fill(200), 429]);
    const limited = await mint('10.0.0.2');
    assert.equal(limited.status, 429);
    assert.equal((await limited.json()).code, ErrorCode.SEND_FREQUENCY_TOO_FAST);
    assert.equal((await mint('10.0.0.3')).status, 200, 'per address');
  });

  it('gives the browser helper requestVisitorIdentity: mint, renew, and the server\'s code on failure', async () => {
    const first = await requestVisitorIdentity(suite.server.wsUrl);
    assert.match(first.userId, /^visitor-/);
    const again = await requestVisitorIdentity(suite.server.url, { token: first.token });
    assert.equal(again.userId, first.userId);
    await assert.rejects(requestVisitorIdentity(suite.server.url, { token: 'nope' }), refusedWith(ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR));
  });
});

describe('customer service without --cs-visitors', () => {
  const suite = useTestServer();

  it('has no anonymous-visitor endpoint', async () => {
    const response = await fetch(`${suite.server.url}/cs/visitor`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(response.status, 404);
    await assert.rejects(requestVisitorIdentity(suite.server.wsUrl), (error: IMError) => error.code === ErrorCode.RC_HTTP_RECV_FAIL && /cs-visitors/.test(error.message));
  });
});
