import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConversationType, ErrorCode } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import type { IMClient } from '../../src/core/client/client.js';
import type { IMError } from '../../src/core/client/errors.js';
import type { IMMessage } from '../../src/core/client/types.js';
import type { BlacklistChange, UserStatus } from '../../src/core/client/social.js';
import { connectClient, createGroup, startTestServer, useTestServer, waitFor } from '../helpers/server.js';

const private_ = (targetId: string) => ({ conversationType: ConversationType.PRIVATE, targetId });
const refusedWith = (code: number) => (error: IMError) => error.code === code;
const text = (content: string) => new TextMessage({ content });

/** Everything of these events a client hears, to wait on. */
function record(client: IMClient) {
  const statuses: UserStatus[] = [];
  const blacklist: BlacklistChange[] = [];
  const messages: IMMessage[] = [];
  client.on('userStatus', (status) => statuses.push(status));
  client.on('blacklist', (change) => blacklist.push(change));
  client.on('message', (message) => messages.push(message));
  const on = (check: () => void) => {
    const offs = [client.on('userStatus', check), client.on('blacklist', check), client.on('message', check)];
    return () => offs.forEach((off) => off());
  };
  const until = <T>(predicate: () => T | undefined | false, what: string) => waitFor(on, predicate, what);
  return { statuses, blacklist, messages, until };
}

describe('blacklist', () => {
  const suite = useTestServer();

  it('refuses a blocked sender\'s private messages with 405: nothing stored or delivered; unblocking restores', async () => {
    const ann = await suite.connect('bl-ann');
    const ben = await suite.connect('bl-ben');
    const annHeard = record(ann);
    await ben.sendMessage(private_('bl-ann'), text('before'));
    await annHeard.until(() => annHeard.messages.some((m) => (m.content as TextMessage).content === 'before'), 'the first message');

    await ann.addToBlacklist('bl-ben');
    assert.equal(await ann.getBlacklistStatus('bl-ben'), true);
    assert.equal(await ben.getBlacklistStatus('bl-ann'), false, 'one way only');
    const failed: Array<[string, IMError]> = [];
    ben.on('sendFailed', (id, error) => failed.push([id, error]));
    await assert.rejects(ben.sendMessage(private_('bl-ann'), text('blocked')), refusedWith(ErrorCode.REJECTED_BY_BLACKLIST));
    assert.equal(failed.at(-1)?.[1].code, ErrorCode.REJECTED_BY_BLACKLIST, 'settled as failed, not retried');
    assert.deepEqual(ben.getPendingMessages?.() ?? [], [], 'not left in the outbox');

    // Ann can still write to Ben (the seed's rule: the blacklist stops what reaches its owner).
    await ann.sendMessage(private_('bl-ben'), text('from ann'));
    const history = await ann.getHistoryMessages(private_('bl-ben'), { count: 20 });
    assert.deepEqual(history.messages.map((m) => (m.content as TextMessage).content), ['before', 'from ann'], 'the refused message is not stored');

    await ann.removeFromBlacklist('bl-ben');
    assert.equal(await ann.getBlacklistStatus('bl-ben'), false);
    await ben.sendMessage(private_('bl-ann'), text('after'));
    await annHeard.until(() => annHeard.messages.some((m) => (m.content as TextMessage).content === 'after'), 'the message after unblocking');
    assert.ok(!annHeard.messages.some((m) => (m.content as TextMessage).content === 'blocked'), 'the blocked message never arrived');
  });

  it('lets group messages through (as the seed)', async () => {
    const ann = await suite.connect('blg-ann');
    const ben = await suite.connect('blg-ben');
    await createGroup(suite.server, 'blg-team', ['blg-ann', 'blg-ben']);
    const annHeard = record(ann);
    await ann.addToBlacklist('blg-ben');
    await ben.sendMessage({ conversationType: ConversationType.GROUP, targetId: 'blg-team' }, text('to the group'));
    await annHeard.until(() => annHeard.messages.some((m) => (m.content as TextMessage).content === 'to the group'), 'the group message');
  });

  it('tells the owner\'s other devices, and lists the blacklist in bounded pages', async () => {
    const phone = await suite.connect('bll-ann', { platform: 'ios' });
    const desk = await suite.connect('bll-ann');
    const deskHeard = record(desk);
    const phoneHeard = record(phone);
    await phone.addToBlacklist('bll-x1');
    await deskHeard.until(() => deskHeard.blacklist.find((c) => c.userId === 'bll-x1' && c.blocked), 'the other device hears of the block');
    assert.deepEqual(phoneHeard.blacklist, [{ userId: 'bll-x1', blocked: true }], 'the calling client emits it once too');
    for (const id of ['bll-x3', 'bll-x2', 'bll-x4']) await desk.addToBlacklist(id);
    await desk.addToBlacklist('bll-x2');
    await phone.removeFromBlacklist('bll-x4');
    await deskHeard.until(() => deskHeard.blacklist.find((c) => c.userId === 'bll-x4' && !c.blocked), 'the unblock');

    const first = await desk.getBlacklist({ count: 2 });
    assert.deepEqual(first.users.map((u) => u.userId), ['bll-x1', 'bll-x2']);
    assert.equal(first.hasMore, true);
    assert.ok(first.users.every((u) => u.time > 0));
    const second = await desk.getBlacklist({ count: 2, after: 'bll-x2' });
    assert.deepEqual([second.users.map((u) => u.userId), second.hasMore], [['bll-x3'], false]);
  });

  it('refuses bad input with PARAMETER_ERROR', async () => {
    const ann = await suite.connect('blb-ann');
    await assert.rejects(ann.addToBlacklist('blb-ann'), refusedWith(ErrorCode.PARAMETER_ERROR), 'not oneself');
    await assert.rejects(ann.addToBlacklist('bad id!'), refusedWith(ErrorCode.PARAMETER_ERROR));
    await assert.rejects(ann.getBlacklist({ count: 0 }), refusedWith(ErrorCode.PARAMETER_ERROR));
    await assert.rejects(ann.getBlacklist({ after: '' + 'x'.repeat(65) }), refusedWith(ErrorCode.PARAMETER_ERROR));
    const page = await ann.getBlacklist({ count: 100_000 });
    assert.deepEqual(page, { users: [], hasMore: false }, 'a large count is capped, not refused');
  });
});

describe('user online status', () => {
  const suite = useTestServer();

  it('answers online, the chosen status and platforms to users who share a conversation; denies the others', async () => {
    const ann = await suite.connect('st-ann', { platform: 'web' });
    const ben = await suite.connect('st-ben', { platform: 'ios' });
    await suite.connect('st-eve');
    await ann.sendMessage(private_('st-ben'), text('hi'));

    const answer = await ann.getUserStatus(['st-ben', 'st-eve', 'st-nobody']);
    assert.deepEqual(answer.statuses, [{ userId: 'st-ben', online: true, status: 'online', text: '', platforms: ['ios'] }]);
    assert.deepEqual(answer.denied, ['st-eve', 'st-nobody'], 'no shared conversation: nothing told');
    assert.deepEqual((await ann.getUserStatus('st-ann')).statuses[0]?.platforms, ['web'], 'oneself');

    await ben.setUserStatus('busy', 'In a meeting');
    assert.deepEqual((await ann.getUserStatus('st-ben')).statuses[0],
      { userId: 'st-ben', online: true, status: 'busy', text: 'In a meeting', platforms: ['ios'] });
    await assert.rejects(ben.setUserStatus('sleeping' as 'busy'), refusedWith(ErrorCode.PARAMETER_ERROR));
    await assert.rejects(ben.setUserStatus('away', 'x'.repeat(65)), refusedWith(ErrorCode.PARAMETER_ERROR));
    await assert.rejects(ann.getUserStatus([]), refusedWith(ErrorCode.PARAMETER_ERROR));
    await assert.rejects(ann.getUserStatus(Array.from({ length: 201 }, (_, i) => `u${i}`)), refusedWith(ErrorCode.PARAMETER_ERROR));

    // A shared group is enough.
    await createGroup(suite.server, 'st-team', ['st-ann', 'st-eve']);
    assert.deepEqual((await ann.getUserStatus('st-eve')).statuses.map((s) => s.online), [true]);
  });

  it('tells subscribers of the first connect, a status change, and the disconnect of the last session', async () => {
    const ann = await suite.connect('sub-ann');
    await createGroup(suite.server, 'sub-team', ['sub-ann', 'sub-ben']);
    const heard = record(ann);
    const subscribed = await ann.subscribeUserStatus(['sub-ben', 'sub-stranger']);
    assert.deepEqual(subscribed.statuses, [{ userId: 'sub-ben', online: false, status: 'offline', text: '', platforms: [] }]);
    assert.deepEqual(subscribed.denied, ['sub-stranger']);

    const phone = await suite.connect('sub-ben', { platform: 'ios' });
    await heard.until(() => heard.statuses.find((s) => s.userId === 'sub-ben' && s.online), 'online at the first session');
    const desk = await suite.connect('sub-ben', { platform: 'web' });
    await heard.until(() => heard.statuses.find((s) => s.platforms.join() === 'ios,web'), 'a second platform');
    await desk.setUserStatus('away');
    await heard.until(() => heard.statuses.find((s) => s.status === 'away'), 'the chosen status');
    const count = heard.statuses.length;
    await desk.disconnect();
    await heard.until(() => heard.statuses.length > count && heard.statuses.at(-1)!.platforms.join() === 'ios', 'one session left');
    assert.equal(heard.statuses.at(-1)!.online, true, 'still online while a session is left');
    await phone.disconnect();
    await heard.until(() => heard.statuses.at(-1)?.online === false, 'offline after the last session');
    assert.deepEqual(heard.statuses.at(-1), { userId: 'sub-ben', online: false, status: 'offline', text: '', platforms: [] });

    // The chosen status is kept: the next session shows it again.
    await suite.connect('sub-ben');
    await heard.until(() => heard.statuses.at(-1)?.online && heard.statuses.at(-1)?.status === 'away', 'away again on the next connect');

    await ann.unsubscribeUserStatus(['sub-ben']);
    const before = heard.statuses.length;
    const again = await suite.connect('sub-ben', { platform: 'android' });
    await again.setUserStatus('busy');
    // A marker that arrives after anything the status change would have pushed.
    await again.sendMessage(private_('sub-ann'), text('marker'));
    await heard.until(() => heard.messages.some((m) => (m.content as TextMessage).content === 'marker'), 'the marker');
    assert.equal(heard.statuses.length, before, 'no events after unsubscribing');
  });

  it('bounds subscriptions per session; they end with the session', async () => {
    const ann = await suite.connect('cap-ann');
    const ids = Array.from({ length: 201 }, (_, i) => `cap-u${i}`);
    await createGroup(suite.server, 'cap-team', ['cap-ann', ...ids]);
    await ann.subscribeUserStatus(ids.slice(0, 150));
    await assert.rejects(ann.subscribeUserStatus(ids.slice(150)), refusedWith(ErrorCode.PARAMETER_ERROR), 'past 200');
    await ann.subscribeUserStatus(ids.slice(150, 200));
    await ann.subscribeUserStatus(ids.slice(0, 10));
    // Another session of the same user has its own budget.
    const other = await suite.connect('cap-ann');
    await other.subscribeUserStatus(ids.slice(0, 200));

    // Ann's subscribing sessions end; a session of hers that never subscribed hears nothing.
    await ann.disconnect();
    await other.disconnect();
    const quiet = await suite.connect('cap-ann');
    const heard = record(quiet);
    const watched = await suite.connect('cap-u0');
    await watched.setUserStatus('busy');
    await watched.sendMessage(private_('cap-ann'), text('marker'));
    await heard.until(() => heard.messages.some((m) => (m.content as TextMessage).content === 'marker'), 'the marker');
    assert.deepEqual(heard.statuses, [], 'the subscriptions ended with their sessions');
  });

  it('shows a user who blacklisted the asker as offline', async () => {
    const ann = await suite.connect('hide-ann');
    const ben = await suite.connect('hide-ben');
    await ann.sendMessage(private_('hide-ben'), text('hi'));
    const heard = record(ann);
    await ann.subscribeUserStatus(['hide-ben']);
    await ben.addToBlacklist('hide-ann');
    await heard.until(() => heard.statuses.find((s) => s.userId === 'hide-ben' && !s.online), 'offline once blocked');
    assert.equal((await ann.getUserStatus('hide-ben')).statuses[0]?.online, false);
    await ben.removeFromBlacklist('hide-ann');
    await heard.until(() => heard.statuses.at(-1)?.online, 'online again once unblocked');
  });
});

describe('blacklist bound', () => {
  const suite = useTestServer({ extra: ['--query-rate-limit', '0'] });

  it('holds at most 1000 users; re-adding one already there is fine; pages are at most 200', async () => {
    const ann = await suite.connect('cap-bl-ann');
    const ids = Array.from({ length: 1000 }, (_, i) => `cbl-${String(i).padStart(4, '0')}`);
    for (let i = 0; i < ids.length; i += 50) await Promise.all(ids.slice(i, i + 50).map((id) => ann.addToBlacklist(id)));
    await assert.rejects(ann.addToBlacklist('cbl-extra'), refusedWith(ErrorCode.PARAMETER_ERROR), 'the 1001st');
    await ann.addToBlacklist('cbl-0007');
    const seen: string[] = [];
    for (let after: string | undefined, hasMore = true; hasMore;) {
      const page = await ann.getBlacklist({ count: 500, ...(after ? { after } : {}) });
      assert.ok(page.users.length <= 200, 'a page holds at most 200');
      seen.push(...page.users.map((u) => u.userId));
      hasMore = page.hasMore;
      after = page.users.at(-1)?.userId;
    }
    assert.deepEqual(seen, ids);
    await ann.removeFromBlacklist('cbl-0000');
    await ann.addToBlacklist('cbl-extra');
  });
});

describe('user online status across a server restart', () => {
  it('subscribes again after the client reconnects, and tells what changed meanwhile', async () => {
    let server = await startTestServer();
    const clients: IMClient[] = [];
    try {
      const ann = await connectClient(server, 'rs-ann');
      clients.push(ann);
      await createGroup(server, 'rs-team', ['rs-ann', 'rs-ben']);
      const heard = record(ann);
      await ann.subscribeUserStatus(['rs-ben']);
      await server.kill();
      server = await server.restart();
      // Ben comes online on the new server process, which knows nothing of Ann's subscription:
      // her client subscribes again on reconnecting and hears his status.
      const ben = await connectClient(server, 'rs-ben');
      clients.push(ben);
      await heard.until(() => heard.statuses.find((s) => s.userId === 'rs-ben' && s.online), 'Ben online after the restart');
      await ben.setUserStatus('away');
      await heard.until(() => heard.statuses.find((s) => s.status === 'away'), 'a live change on the new connection');
    } finally {
      await Promise.all(clients.map((client) => client.disconnect()));
      await server.dispose();
    }
  });
});
