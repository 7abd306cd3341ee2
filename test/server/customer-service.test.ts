import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { ConversationType, ErrorCode } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import type { IMClient } from '../../src/core/client/client.js';
import type { IMError } from '../../src/core/client/errors.js';
import type { IMMessage } from '../../src/core/client/types.js';
import type { CustomerQueueEvent, CustomerRatingEvent, CustomerStatusEvent, CustomerWaitingEvent } from '../../src/core/client/customer-service.js';
import type { WebSocketConstructor } from '../../src/core/transport/transport.js';
import { api, useTestServer, waitFor, setServiceAgent, setServiceGroup } from '../helpers/server.js';

const service = (targetId: string) => ({ conversationType: ConversationType.CUSTOMER_SERVICE, targetId });
const text = (m: IMMessage) => (m.content as TextMessage).content;
const refusedWith = (code: number) => (error: IMError) => error.code === code;

/** Everything a client hears, to wait on. */
function record(client: IMClient) {
  const messages: IMMessage[] = [];
  const queue: CustomerQueueEvent[] = [];
  const statuses: CustomerStatusEvent[] = [];
  const ratings: CustomerRatingEvent[] = [];
  const waiting: CustomerWaitingEvent[] = [];
  client.on('message', (m) => messages.push(m));
  client.on('customerServiceWaiting', (e) => waiting.push(e));
  client.on('customerServiceQueue', (e) => queue.push(e));
  client.on('customerServiceStatus', (e) => statuses.push(e));
  client.on('customerServiceRating', (e) => ratings.push(e));
  const on = (check: () => void) => {
    const offs = [client.on('message', check), client.on('customerServiceQueue', check), client.on('customerServiceStatus', check),
      client.on('customerServiceRating', check), client.on('customerServiceWaiting', check)];
    return () => offs.forEach((off) => off());
  };
  const until = <T>(predicate: () => T | undefined | false, what: string) => waitFor(on, predicate, what);
  return {
    messages, queue, statuses, ratings, waiting, until,
    text: (content: string) => until(() => messages.find((m) => m.objectName === 'RC:TxtMsg' && text(m) === content), `message ${content}`),
    status: (status: string, agentId = '') =>
      until(() => statuses.find((s) => s.status === status && s.agentId === agentId), `status ${status} ${agentId}`),
    position: (position: number) => until(() => queue.at(-1)?.position === position && queue.at(-1), `queue position ${position}`),
  };
}

/** A WebSocket that keeps every frame the server sent, to look into the bytes. */
function recordingWebSocket(frames: Buffer[]): WebSocketConstructor {
  class Recording extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      this.on('message', (data) => frames.push(Buffer.from(data as Buffer)));
    }
  }
  return Recording as unknown as WebSocketConstructor;
}

describe('customer service (conversation type 5)', () => {
  const suite = useTestServer();
  const setGroup = (body: Record<string, unknown>) => setServiceGroup(suite.server, body);
  const setAgent = (userId: string, groupIds: string[], cap?: number) => setServiceAgent(suite.server, userId, groupIds, cap);

  it('checks skill groups and agents in the app API', async () => {
    assert.equal((await api(suite.server, 'POST', '/api/cs/group/set', { groupId: 'has@at' })).status, 400);
    assert.equal((await api(suite.server, 'POST', '/api/cs/group/set', { groupId: 'ok', mode: 'bot' })).status, 400);
    assert.equal((await api(suite.server, 'POST', '/api/cs/agent/set', { userId: 'x', groupIds: ['ok'], cap: -1 })).status, 400);
    assert.equal((await api(suite.server, 'POST', '/api/cs/group/set', { groupId: 'ok' }, { Signature: 'forged' })).status, 401);
    const visitor = await suite.connect('nobody-visitor');
    await assert.rejects(visitor.startCustomService('no-such-group'), refusedWith(ErrorCode.RC_DISCUSSION_GROUP_ID_INVALID));
    const byDefault = await visitor.startCustomService();
    assert.deepEqual([byDefault.groupId, byDefault.status], ['service', 'queued'], 'the default group works before any set-up, human first');
    assert.equal((await visitor.stopCustomService()).status, 'resolved');
  });

  it('queues visitors oldest first, assigns the least-loaded agent under caps, keeps others out, and frees a slot on resolve', async () => {
    await setGroup({ groupId: 'sales', name: 'Sales', mode: 'human', maxPerAgent: 5 });
    await setAgent('ann', ['sales'], 1);
    await setAgent('bob', ['sales'], 1);
    await setAgent('cat', ['sales'], 0);
    const [ann, bob, cat] = [await suite.connect('ann'), await suite.connect('bob'), await suite.connect('cat')];
    const annHears = record(ann);
    const bobHears = record(bob);

    const v1 = await suite.connect('v1');
    const v1Hears = record(v1);
    const first = await v1.startCustomService('sales');
    assert.deepEqual([first.status, first.agentId, first.targetId], ['open', 'ann', 'sales'], 'a tie of load goes to the agent set up first');
    const v2 = await suite.connect('v2');
    assert.equal((await v2.startCustomService('sales')).agentId, 'bob', 'the least-loaded agent');
    const v3 = await suite.connect('v3');
    const v3Hears = record(v3);
    const third = await v3.startCustomService('sales');
    assert.equal(third.status, 'queued', 'both agents are at their cap');
    await v3Hears.position(1);
    const v4 = await suite.connect('v4');
    const v4Hears = record(v4);
    await v4.startCustomService('sales');
    await v4Hears.position(2);
    await annHears.until(() => annHears.waiting.at(-1)?.waiting === 2, 'two waiting, told to the agents');
    assert.deepEqual(annHears.waiting.at(-1), { groupId: 'sales', waiting: 2 });
    assert.equal(annHears.messages.some((m) => m.objectName.startsWith('IM:Cs')), false, 'signals come as events, not messages');
    assert.equal((await v1.startCustomService('sales')).sessionId, first.sessionId, 'starting again returns the active session');

    await v1.sendMessage(service('sales'), new TextMessage({ content: 'my order is late' }));
    const question = await annHears.text('my order is late');
    assert.equal(question.targetId, 'v1@sales', 'an agent sees the visitor and the group');
    assert.equal(bobHears.messages.some((m) => m.objectName === 'RC:TxtMsg' && text(m) === 'my order is late'), false);
    await ann.sendMessage(service('v1@sales'), new TextMessage({ content: 'let me check' }));
    const answer = await v1Hears.text('let me check');
    assert.deepEqual([answer.targetId, answer.senderUserId], ['sales', 'ann']);

    await assert.rejects(cat.getHistoryMessages(service('v1@sales')), refusedWith(ErrorCode.RC_MSG_UNAUTHORIZED), 'an agent not assigned reads nothing');
    await assert.rejects(cat.sendMessage(service('v1@sales'), new TextMessage({ content: 'hi' })), refusedWith(ErrorCode.RC_MSG_UNAUTHORIZED));
    await assert.rejects(bob.resolveCustomerSession(first.sessionId), refusedWith(ErrorCode.RC_MSG_UNAUTHORIZED));
    const history = await ann.getHistoryMessages(service('v1@sales'));
    assert.deepEqual(history.messages.filter((m) => m.objectName === 'RC:TxtMsg').map(text), ['my order is late', 'let me check']);
    assert.deepEqual((await ann.getCustomerSessions()).map((s) => [s.visitorId, s.status]),
      [['v1', 'pending'], ['v3', 'queued'], ['v4', 'queued']], 'the agent\'s own, then the queue oldest first');

    await ann.resolveCustomerSession(first.sessionId);
    await v1Hears.status('resolved', 'ann');
    await v3Hears.status('open', 'ann');
    await v4Hears.position(1);
    await bobHears.until(() => bobHears.waiting.at(-1)?.waiting === 1, 'one waiting after the resolve');
    await assert.rejects(ann.sendMessage(service('v1@sales'), new TextMessage({ content: 'late' })), refusedWith(ErrorCode.RC_MSG_UNAUTHORIZED));

    // Typing starts no session; after resolved, a visitor's message starts a new one: queued behind v4.
    assert.equal(await v1.sendTypingStatus(service('sales')), true);
    await assert.rejects(v1.stopCustomService('sales'), refusedWith(ErrorCode.CS_SESSION_NOT_FOUND));
    await v1.sendMessage(service('sales'), new TextMessage({ content: 'one more thing' }));
    await v1Hears.position(2);
    await v4Hears.position(1);
  });

  it('transfers to another agent, keeps internal notes out of the visitor\'s frames, and keeps the visitor\'s seq gap-free', async () => {
    await setGroup({ groupId: 'billing', mode: 'human' });
    await setAgent('dan', ['billing'], 2);
    await setAgent('eve', ['billing'], 2);
    const [dan, eve] = [await suite.connect('dan'), await suite.connect('eve')];
    const eveHears = record(eve);
    const frames: Buffer[] = [];
    const visitor = await suite.connect('w1', { WebSocket: recordingWebSocket(frames), transports: ['websocket'] });
    const visitorHears = record(visitor);
    const session = await visitor.startCustomService('billing');
    assert.equal(session.agentId, 'dan');
    await visitor.sendMessage(service('billing'), new TextMessage({ content: 'refund please' }));

    const note = await dan.addCustomerSessionNote(session.sessionId, 'SECRET-NOTE-repeat-refunder');
    assert.equal(note.authorId, 'dan');
    assert.equal((await eve.getCustomerSessionNotes(session.sessionId))[0]?.text, 'SECRET-NOTE-repeat-refunder', 'agents of the group read notes');
    await assert.rejects(visitor.getCustomerSessionNotes(session.sessionId), refusedWith(ErrorCode.RC_MSG_UNAUTHORIZED));

    const moved = await dan.transferCustomerSession(session.sessionId, { toAgentId: 'eve' });
    assert.deepEqual([moved.agentId, moved.status], ['eve', 'open']);
    const notice = await visitorHears.status('open', 'eve');
    assert.match(notice.message, /eve/);
    await eveHears.status('open', 'eve');
    await assert.rejects(dan.getHistoryMessages(service('w1@billing')), refusedWith(ErrorCode.RC_MSG_UNAUTHORIZED));
    await eve.sendMessage(service('w1@billing'), new TextMessage({ content: 'refund done' }));
    await visitorHears.text('refund done');

    const history = await visitor.getHistoryMessages(service('billing'), { count: 100 });
    assert.deepEqual(history.messages.map((m) => m.seq), history.messages.map((_, i) => i + 1), 'gap-free from 1');
    assert.ok(history.messages.some((m) => m.objectName === 'RC:InfoNtf' && m.senderUserId === 'cs:server'), 'grey notices from the server');
    const all = Buffer.concat(frames);
    assert.ok(all.includes(Buffer.from('refund done')), 'the recording sees the visitor\'s frames');
    assert.equal(all.includes(Buffer.from('SECRET-NOTE')), false, 'no note in any frame the visitor received');
  });

  it('lets an agent take a queued session above the cap, and transfer it to another group\'s queue', async () => {
    await setGroup({ groupId: 'front', mode: 'human' });
    await setGroup({ groupId: 'back', mode: 'human' });
    await setAgent('hal', ['front'], 0);
    await setAgent('ida', ['back'], 1);
    const [hal, ida, outsider] = [await suite.connect('hal'), await suite.connect('ida'), await suite.connect('jon')];
    const visitor = await suite.connect('z1');
    const visitorHears = record(visitor);
    const session = await visitor.startCustomService('front');
    assert.equal(session.status, 'queued', 'no agent has a slot');
    await visitorHears.position(1);
    await assert.rejects(outsider.takeCustomerSession(session.sessionId), refusedWith(ErrorCode.RC_MSG_UNAUTHORIZED));
    assert.equal((await hal.takeCustomerSession(session.sessionId)).agentId, 'hal', 'a manual take ignores the automatic cap');
    await visitorHears.status('open', 'hal');
    await assert.rejects(hal.takeCustomerSession(session.sessionId), refusedWith(ErrorCode.CS_SESSION_NOT_FOUND), 'no longer queued');

    const moved = await hal.transferCustomerSession(session.sessionId, { toGroupId: 'back' });
    assert.deepEqual([moved.servingGroupId, moved.agentId, moved.targetId], ['back', 'ida', 'z1@front'], 'the conversation stays where the visitor addressed it');
    await visitorHears.status('open', 'ida');
    await ida.sendMessage(service('z1@front'), new TextMessage({ content: 'back office here' }));
    const reply = await visitorHears.text('back office here');
    assert.equal(reply.targetId, 'front');
    await assert.rejects(hal.sendMessage(service('z1@front'), new TextMessage({ content: 'still me?' })), refusedWith(ErrorCode.RC_MSG_UNAUTHORIZED));
  });

  it('takes one rating per session, and tells the agent', async () => {
    await setGroup({ groupId: 'rate', mode: 'human' });
    await setAgent('fay', ['rate'], 1);
    const fay = await suite.connect('fay');
    const fayHears = record(fay);
    const visitor = await suite.connect('x1');
    await assert.rejects(visitor.evaluateHumanCustomService('rate', 5, 'great'), refusedWith(ErrorCode.CS_SESSION_NOT_FOUND));
    const session = await visitor.startCustomService('rate');
    await assert.rejects(visitor.evaluateHumanCustomService('rate', 6), refusedWith(ErrorCode.PARAMETER_ERROR));
    await fay.resolveCustomerSession(session.sessionId);
    assert.deepEqual(await visitor.evaluateHumanCustomService('rate', 4, 'quick'), { sessionId: session.sessionId, score: 4, comment: 'quick' });
    const rating = await fayHears.until(() => fayHears.ratings[0], 'a rating');
    assert.deepEqual(rating, { sessionId: session.sessionId, score: 4, comment: 'quick', robot: false });
    await assert.rejects(visitor.evaluateHumanCustomService('rate', 1, 'again'), refusedWith(ErrorCode.CS_ALREADY_EVALUATED));
    await assert.rejects(visitor.evaluateRobotCustomService('rate', 1), refusedWith(ErrorCode.CS_ALREADY_EVALUATED), 'once per session, robot or human');
  });

  it('lets the robot answer from its FAQ until the visitor switches to a human', async () => {
    await setGroup({
      groupId: 'help', mode: 'robot', welcome: 'Hello, I am the help robot.', faq: [{ keywords: ['price'], answer: 'It costs 9 euros.' }],
    });
    await setAgent('gus', ['help'], 1);
    const gus = await suite.connect('gus');
    const gusHears = record(gus);
    const visitor = await suite.connect('y1');
    const visitorHears = record(visitor);
    const session = await visitor.startCustomService('help');
    assert.deepEqual([session.status, session.agentId], ['robot', '']);
    const welcome = await visitorHears.text('Hello, I am the help robot.');
    assert.equal(welcome.senderUserId, 'cs:robot');
    await visitor.sendMessage(service('help'), new TextMessage({ content: 'What is the PRICE?' }));
    await visitorHears.text('It costs 9 euros.');
    await visitor.sendMessage(service('help'), new TextMessage({ content: 'something else' }));
    await visitorHears.until(() => visitorHears.messages.filter((m) => m.senderUserId === 'cs:robot').length === 3, 'the fallback answer');
    assert.deepEqual(await gus.getCustomerSessions(), [], 'no agent sees a robot session');

    const human = await visitor.switchToHumanMode('help');
    assert.deepEqual([human.status, human.agentId], ['open', 'gus']);
    await visitorHears.status('open', 'gus');
    await visitor.sendMessage(service('help'), new TextMessage({ content: 'price again?' }));
    await gusHears.text('price again?');
    await gus.sendMessage(service('y1@help'), new TextMessage({ content: 'a human here' }));
    await visitorHears.text('a human here');
    assert.equal(visitorHears.messages.filter((m) => m.senderUserId === 'cs:robot').length, 3, 'the robot is quiet once a human serves');
  });
});
