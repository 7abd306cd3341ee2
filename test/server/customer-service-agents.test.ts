import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConversationType, ErrorCode } from '../../src/core/protocol/codes.js';
import {
  FileMessage, GIFMessage, HQVoiceMessage, ImageMessage, LocationMessage, RichContentMessage, SightMessage, TextMessage,
} from '../../src/core/messages/index.js';
import type { IMClient } from '../../src/core/client/client.js';
import type { IMError } from '../../src/core/client/errors.js';
import type { CustomerStatusEvent } from '../../src/core/client/customer-service.js';
import { api, useTestServer, waitFor, setServiceAgent, setServiceGroup } from '../helpers/server.js';

const service = (targetId: string) => ({ conversationType: ConversationType.CUSTOMER_SERVICE, targetId });
const refusedWith = (code: number) => (error: IMError) => error.code === code;

/** The customer-service status changes a client hears, to wait on. */
function statuses(client: IMClient) {
  const heard: CustomerStatusEvent[] = [];
  client.on('customerServiceStatus', (event) => heard.push(event));
  return {
    heard,
    until: (status: string, agentId = '', from = 0) => waitFor((check) => client.on('customerServiceStatus', check),
      () => heard.slice(from).find((event) => event.status === status && event.agentId === agentId), `status ${status} ${agentId}`),
  };
}

describe('customer service: agents\' tools', () => {
  const suite = useTestServer();
  const setGroup = (body: Record<string, unknown>) => setServiceGroup(suite.server, body);
  const setAgent = (userId: string, groupIds: string[], cap?: number) => setServiceAgent(suite.server, userId, groupIds, cap);
  const say = (client: IMClient, targetId: string, content: string) => client.sendMessage(service(targetId), new TextMessage({ content }));

  it('assigns only to connected agents who are not away, and serves the queue again when one connects or comes back', async () => {
    await setGroup({ groupId: 'avail', name: 'Availability', mode: 'human' });
    await setAgent('offline-agent', ['avail']);
    const visitor = await suite.connect('avail-v1');
    const visitorHears = statuses(visitor);
    const session = await visitor.startCustomService('avail');
    assert.deepEqual([session.status, session.agentId], ['queued', ''], 'nobody connected to answer');

    const agent = await suite.connect('offline-agent');
    await visitorHears.until('open', 'offline-agent');
    const listed = await agent.getCustomerServiceAgents();
    assert.deepEqual(listed.groups, [{ groupId: 'avail', name: 'Availability' }]);
    assert.deepEqual(listed.agents, [{ userId: 'offline-agent', name: '', groupIds: ['avail'], cap: 5, load: 1, online: true, away: false }]);

    assert.deepEqual(await agent.setCustomerServiceAgentAway(true), { away: true });
    const second = await suite.connect('avail-v2');
    const secondHears = statuses(second);
    assert.equal((await second.startCustomService('avail')).status, 'queued', 'an away agent gets no automatic assignment');
    assert.equal((await agent.getCustomerServiceAgents()).agents[0]?.away, true);
    assert.deepEqual(await agent.setCustomerServiceAgentAway(false), { away: false });
    await secondHears.until('open', 'offline-agent');
    await assert.rejects(agent.setCustomerServiceAgentAway('yes' as unknown as boolean), refusedWith(ErrorCode.PARAMETER_ERROR));

    await setAgent('never-here', ['avail']);
    const others = (await agent.getCustomerServiceAgents()).agents.find((one) => one.userId === 'never-here');
    assert.deepEqual([others?.online, others?.load], [false, 0]);
  });

  it('gives back the sessions of an agent removed from a group to its queue, oldest first by creation', async () => {
    await setGroup({ groupId: 'leave', mode: 'human' });
    await setAgent('leaver', ['leave', 'other-g'], 2);
    await suite.connect('leaver');
    const [v1, v2, v3] = [await suite.connect('leave-v1'), await suite.connect('leave-v2'), await suite.connect('leave-v3')];
    const v1Hears = statuses(v1);
    assert.equal((await v1.startCustomService('leave')).agentId, 'leaver');
    assert.equal((await v2.startCustomService('leave')).agentId, 'leaver');
    assert.equal((await v3.startCustomService('leave')).status, 'queued', 'the agent is full');

    const heardBefore = v1Hears.heard.length;
    await setAgent('leaver', ['other-g'], 2);
    await v1Hears.until('queued', '', heardBefore);
    assert.deepEqual(await Promise.all([v1, v2, v3].map(async (v) => (await v.getCustomerServiceInfo('leave')).position)), [1, 2, 3],
      'the given-back sessions go first, by creation');
    const stayer = await suite.connect('stayer');
    await setAgent('stayer', ['leave'], 1);
    await v1Hears.until('open', 'stayer');
    assert.equal((await v2.getCustomerServiceInfo('leave')).position, 1);
  });

  it('lists sessions by scope, newest first with paging, and names the visitor for agents', async () => {
    await setGroup({ groupId: 'scopes', mode: 'human', preChatFields: [{ name: 'name', label: 'Name', type: 'text' }] });
    await setAgent('scope-a', ['scopes'], 10);
    await setAgent('scope-b', ['scopes'], 10);
    const [a, b] = [await suite.connect('scope-a'), await suite.connect('scope-b')];
    const { json } = await api(suite.server, 'POST', '/api/user/token', { userId: 'named-visitor', name: 'Nora Named' });
    assert.ok(json.token);
    const resolvedIds: number[] = [];
    for (let i = 0; i < 3; i++) {
      const visitor = await suite.connect(`scope-r${i}`);
      const session = await visitor.startCustomService('scopes', { name: `Form ${i}` });
      if (session.agentId !== 'scope-a') await b.transferCustomerSession(session.sessionId, { toAgentId: 'scope-a' });
      await a.resolveCustomerSession(session.sessionId);
      resolvedIds.push(session.sessionId);
    }
    const first = await a.getCustomerSessionsPage('resolved', { limit: 2 });
    assert.deepEqual([first.sessions.map((s) => s.sessionId), first.hasMore], [[resolvedIds[2], resolvedIds[1]], true]);
    const rest = await a.getCustomerSessionsPage('resolved', { limit: 2, before: first.sessions.at(-1)!.sessionId });
    assert.deepEqual([rest.sessions.map((s) => s.sessionId), rest.hasMore], [[resolvedIds[0]], false]);
    assert.deepEqual(rest.sessions[0]?.visitorInfo, { name: 'Form 0' });
    assert.equal(rest.sessions[0]?.visitorName, 'Form 0', 'no profile name: the form\'s');
    assert.deepEqual(await b.getCustomerSessions('resolved'), []);

    const named = await suite.connect('named-visitor');
    const namedSession = await named.startCustomService('scopes', { name: 'typed name' });
    const namedOwner = namedSession.agentId === 'scope-a' ? a : b;
    const other = namedOwner === a ? b : a;
    const mine = await namedOwner.getCustomerSessions('mine');
    assert.deepEqual(mine.map((s) => [s.sessionId, s.visitorName]), [[namedSession.sessionId, 'Nora Named']], 'the profile\'s name first');
    const all = await other.getCustomerSessions('all');
    assert.ok(all.some((s) => s.sessionId === namedSession.sessionId), 'all: others\' sessions too');
    await assert.rejects(other.getHistoryMessages(service('named-visitor@scopes')),
      refusedWith(ErrorCode.RC_MSG_UNAUTHORIZED), 'metadata only: their messages stay unreadable');
    assert.equal('visitorName' in namedSession, false, 'visitors do not get visitorName');

    await setAgent('scope-a', ['scopes'], 0);
    await setAgent('scope-b', ['scopes'], 0);
    const waiting = await suite.connect('scope-q');
    const queued = await waiting.startCustomService('scopes', {});
    assert.deepEqual((await a.getCustomerSessions('queued')).map((s) => s.sessionId), [queued.sessionId]);
    const byDefault = await a.getCustomerSessionsPage();
    assert.equal(byDefault.hasMore, false);
    assert.ok(byDefault.sessions.some((s) => s.sessionId === queued.sessionId), 'no scope: mine, then the queue, as before');
    await assert.rejects(a.getCustomerSessionsPage('everything' as 'all'), refusedWith(ErrorCode.PARAMETER_ERROR));
    await assert.rejects(a.getCustomerSessionsPage('all', { limit: 101 }), refusedWith(ErrorCode.PARAMETER_ERROR));
    await assert.rejects(a.getCustomerSessionsPage('all', { before: -1 }), refusedWith(ErrorCode.PARAMETER_ERROR));
  });

  it('runs an agent\'s message in the chain of changes: racing a transfer, it is stored before it or refused after it', async () => {
    await setGroup({ groupId: 'race', mode: 'human', maxPerAgent: 50 });
    await setAgent('racer-a', ['race'], 50);
    await setAgent('racer-b', ['race'], 50);
    // Two devices of one agent: one transfers while the other writes, so the two frames race on the server.
    const [a1, a2] = [await suite.connect('racer-a'), await suite.connect('racer-a')];
    await suite.connect('racer-b');
    for (let round = 0; round < 8; round++) {
      const visitor = await suite.connect(`race-v${round}`);
      const session = await visitor.startCustomService('race');
      assert.equal(session.agentId, 'racer-a');
      const [transfer, sent] = await Promise.allSettled([
        a1.transferCustomerSession(session.sessionId, { toAgentId: 'racer-b' }),
        say(a2, `race-v${round}@race`, `racing ${round}`),
      ]);
      assert.equal(transfer.status, 'fulfilled', transfer.status === 'rejected' ? String(transfer.reason) : '');
      const history = (await visitor.getHistoryMessages(service('race'), { count: 50 })).messages;
      const moved = history.find((m) => m.objectName === 'RC:InfoNtf' && JSON.parse((m.content as unknown as { extra: string }).extra).agentId === 'racer-b');
      assert.ok(moved, 'the transfer\'s notice');
      const racing = history.find((m) => m.objectName === 'RC:TxtMsg' && (m.content as TextMessage).content === `racing ${round}`);
      if (sent.status === 'rejected') {
        assert.equal((sent.reason as IMError).code, ErrorCode.RC_MSG_UNAUTHORIZED, 'refused as the session is no longer theirs');
        assert.equal(racing, undefined, 'and not stored');
      } else {
        assert.ok(racing && racing.seq < moved.seq, 'stored before the transfer, when it was still theirs');
      }
    }
  });

  it('gives agents their groups\' canned replies, and refuses agent topics to visitors', async () => {
    await setGroup({ groupId: 'canned', mode: 'human', cannedReplies: [{ shortcut: 'hello', text: 'Hello, how can I help?' }, { shortcut: 'bye', text: 'Goodbye!' }] });
    await setGroup({ groupId: 'canned2', mode: 'human', cannedReplies: [{ shortcut: 'hello', text: 'Hi from team 2' }] });
    await setAgent('canner', ['canned', 'canned2']);
    const agent = await suite.connect('canner');
    assert.deepEqual(await agent.getCannedReplies(), [
      { groupId: 'canned', shortcut: 'hello', text: 'Hello, how can I help?' },
      { groupId: 'canned', shortcut: 'bye', text: 'Goodbye!' },
      { groupId: 'canned2', shortcut: 'hello', text: 'Hi from team 2' },
    ]);
    const visitor = await suite.connect('canned-visitor');
    for (const call of [
      () => visitor.getCannedReplies(), () => visitor.getCustomerServiceAgents(), () => visitor.setCustomerServiceAgentAway(true),
      () => visitor.getCustomerSessions(), () => visitor.getCustomerSessionsPage('all'),
    ]) {
      await assert.rejects(call(), refusedWith(ErrorCode.RC_MSG_UNAUTHORIZED));
    }
  });

  it('reads a session\'s transcript page by page: its own stretch of the conversation, no notes, to its visitor and its group\'s agents only', async () => {
    await setGroup({ groupId: 'script', mode: 'human' });
    await setGroup({ groupId: 'elsewhere', mode: 'human' });
    await setAgent('scribe', ['script'], 5);
    await setAgent('stranger', ['elsewhere'], 5);
    const [scribe, stranger] = [await suite.connect('scribe'), await suite.connect('stranger')];
    const visitor = await suite.connect('script-v');
    const session = await visitor.startCustomService('script');
    assert.equal(session.agentId, 'scribe');
    const count = 230;
    await Promise.all(Array.from({ length: count }, (_, i) => say(visitor, 'script', `line ${i}`)));
    await scribe.addCustomerSessionNote(session.sessionId, 'NOTE-never-in-transcript');
    await say(scribe, 'script-v@script', 'agent answer');
    await scribe.resolveCustomerSession(session.sessionId);
    // A second session in the same conversation: not part of the first's transcript.
    const next = await visitor.startCustomService('script');
    await say(visitor, 'script', 'second session');

    const lines = await scribe.getCustomerSessionTranscript(session.sessionId);
    const texts = lines.map((line) => line.text);
    assert.equal(texts.filter((text) => text.startsWith('line ')).length, count, 'more than one page, all read');
    assert.deepEqual(lines.map((line) => line.seq), lines.map((_, i) => lines[0]!.seq + i), 'in order, none missed');
    assert.ok(texts.includes('agent answer'));
    assert.ok(lines.some((line) => line.senderId === 'cs:server' && line.text === 'Waiting for an agent…'), 'notices as lines');
    assert.equal(texts.some((text) => text.includes('NOTE-never')), false, 'notes never');
    assert.equal(texts.includes('second session'), false, 'the next session\'s messages are not this one\'s');
    assert.deepEqual((await visitor.getCustomerSessionTranscript(next.sessionId)).filter((line) => line.senderId === 'script-v').map((line) => line.text),
      ['second session']);
    assert.equal((await visitor.getCustomerSessionTranscript(session.sessionId)).length, lines.length, 'the visitor reads it too');

    await assert.rejects(stranger.getCustomerSessionTranscript(session.sessionId), refusedWith(ErrorCode.RC_MSG_UNAUTHORIZED), 'an agent of another group');
    const otherVisitor = await suite.connect('script-other');
    await assert.rejects(otherVisitor.getCustomerSessionTranscript(session.sessionId), refusedWith(ErrorCode.RC_MSG_UNAUTHORIZED));
    await assert.rejects(scribe.getCustomerSessionTranscript(999_999), refusedWith(ErrorCode.CS_SESSION_NOT_FOUND));
    await assert.rejects(stranger.getCustomerSessionNotes(session.sessionId), refusedWith(ErrorCode.RC_MSG_UNAUTHORIZED));
    await assert.rejects(stranger.takeCustomerSession(next.sessionId), refusedWith(ErrorCode.RC_MSG_UNAUTHORIZED));
  });

  it('writes messages that are no text as their summary in the transcript; a recalled one as [Recalled], its command as no line', async () => {
    await setGroup({ groupId: 'kinds', mode: 'human' });
    await setAgent('kinds-agent', ['kinds'], 5);
    const agent = await suite.connect('kinds-agent');
    const visitor = await suite.connect('kinds-v');
    const session = await visitor.startCustomService('kinds');
    const thumb = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    const to = service('kinds');
    for (const content of [
      new ImageMessage({ content: thumb, imageUri: 'https://cdn.example.test/a.png' }),
      new GIFMessage({ gifDataSize: 30_000, remoteUrl: 'https://cdn.example.test/a.gif', width: 300, height: 200 }),
      new FileMessage({ name: 'invoice.pdf', size: 1000, type: 'pdf', fileUrl: 'https://cdn.example.test/invoice.pdf' }),
      new HQVoiceMessage({ remoteUrl: 'https://cdn.example.test/v.aac', duration: 3 }),
      new SightMessage({ sightUrl: 'https://cdn.example.test/v.mp4', content: thumb, duration: 10, size: 100, name: 'clip.mp4' }),
      new LocationMessage({ latitude: 39.9, longitude: 116.4, poi: 'Front door', content: thumb }),
      new RichContentMessage({ title: 'Order 42', content: 'Summary', imageUri: 'https://example.test/i.png', url: 'https://example.test/o/42' }),
    ]) await visitor.sendMessage(to, content);
    const oops = await visitor.sendMessage(to, new TextMessage({ content: 'wrong chat, sorry' }));
    await visitor.recallMessage(to, { messageUid: oops.messageUid, sentTime: oops.sentTime });
    const texts = (await agent.getCustomerSessionTranscript(session.sessionId)).filter((line) => line.senderId === 'kinds-v').map((line) => line.text);
    assert.deepEqual(texts, ['[Image]', '[GIF]', '[File] invoice.pdf', '[Voice]', '[Video]', '[Location] Front door', '[Link] Order 42', '[Recalled]']);
  });
});
