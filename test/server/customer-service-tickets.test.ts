import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../src/core/protocol/codes.js';
import type { IMError } from '../../src/core/client/errors.js';
import type { CustomerTicketEvent } from '../../src/core/client/customer-service.js';
import { api, useTestServer, setServiceAgent, setServiceGroup, waitFor } from '../helpers/server.js';

const refusedWith = (code: number) => (error: IMError) => error.code === code;

describe('customer service: tickets (messages left for a group)', () => {
  const suite = useTestServer();
  const setGroup = (body: Record<string, unknown>) => setServiceGroup(suite.server, body);
  const setAgent = (userId: string, groupIds: string[], cap?: number) => setServiceAgent(suite.server, userId, groupIds, cap);

  it('takes a visitor\'s message outside hours, lists it to the group\'s agents newest first, and closes it', async () => {
    await setGroup({
      groupId: 'after-hours', mode: 'human', hours: { timeZone: 'UTC', weekly: {} }, offlineMessage: 'Leave us a message.',
      preChatFields: [{ name: 'topic', label: 'Topic', type: 'select', options: ['billing', 'tech'] }],
    });
    await setGroup({ groupId: 'other-team', mode: 'human' });
    await setAgent('ticket-agent', ['after-hours']);
    await setAgent('other-agent', ['other-team']);
    const [agent, other, visitor] = [await suite.connect('ticket-agent'), await suite.connect('other-agent'), await suite.connect('ticket-visitor')];

    await assert.rejects(visitor.startCustomService('after-hours'), refusedWith(ErrorCode.CS_OUTSIDE_HOURS));
    const first = await visitor.leaveCustomerServiceMessage('after-hours', { email: 'tv@example.com', name: 'Tess', message: 'Call me back', form: { topic: 'billing' } });
    assert.ok(first.ticketId > 0 && first.createdAt > 0);
    const second = await visitor.leaveCustomerServiceMessage('after-hours', { email: 'tv@example.com', message: 'Also this' });

    const open = await agent.getCustomerServiceTickets();
    assert.deepEqual(open.map((ticket) => ticket.ticketId), [second.ticketId, first.ticketId], 'newest first');
    assert.deepEqual(open[1], {
      ticketId: first.ticketId, groupId: 'after-hours', visitorId: 'ticket-visitor', name: 'Tess', email: 'tv@example.com', message: 'Call me back',
      form: { topic: 'billing' }, status: 'open', createdAt: first.createdAt, closedBy: '', closedAt: 0,
    });
    assert.deepEqual(await other.getCustomerServiceTickets(), [], 'only their groups\' tickets');
    await assert.rejects(other.closeCustomerServiceTicket(first.ticketId), refusedWith(ErrorCode.CS_TICKET_NOT_FOUND));
    await assert.rejects(agent.closeCustomerServiceTicket(999_999), refusedWith(ErrorCode.CS_TICKET_NOT_FOUND));

    const closed = await agent.closeCustomerServiceTicket(first.ticketId);
    assert.deepEqual([closed.status, closed.closedBy], ['closed', 'ticket-agent']);
    assert.deepEqual((await agent.getCustomerServiceTickets('open')).map((ticket) => ticket.ticketId), [second.ticketId]);
    assert.deepEqual((await agent.getCustomerServiceTickets('closed')).map((ticket) => ticket.ticketId), [first.ticketId]);
    assert.equal((await visitor.getCustomerServiceInfo('after-hours')).session, null, 'no session came of it: tickets are no conversation');

    await assert.rejects(visitor.getCustomerServiceTickets(), refusedWith(ErrorCode.RC_MSG_UNAUTHORIZED), 'visitors list no tickets');
    await assert.rejects(visitor.closeCustomerServiceTicket(second.ticketId), refusedWith(ErrorCode.RC_MSG_UNAUTHORIZED));
    await assert.rejects(agent.getCustomerServiceTickets('pending' as 'open'), refusedWith(ErrorCode.PARAMETER_ERROR));
  });

  it('tells the group\'s agents, live, when a ticket comes or is closed (not what it says), and nobody else', async () => {
    await setGroup({ groupId: 'live-tickets', mode: 'human', hours: { timeZone: 'UTC', weekly: {} } });
    await setGroup({ groupId: 'quiet-team', mode: 'human' });
    await setAgent('live-ann', ['live-tickets']);
    await setAgent('live-bob', ['live-tickets', 'quiet-team']);
    await setAgent('quiet-cy', ['quiet-team']);
    const [ann, bob, cy, visitor] = [await suite.connect('live-ann'), await suite.connect('live-bob'), await suite.connect('quiet-cy'), await suite.connect('live-v')];
    const heard = new Map<string, CustomerTicketEvent[]>([['ann', []], ['bob', []], ['cy', []], ['visitor', []]]);
    for (const [name, client] of [['ann', ann], ['bob', bob], ['cy', cy], ['visitor', visitor]] as const) {
      client.on('customerServiceTicket', (event) => heard.get(name)!.push(event));
    }
    const until = (check: () => boolean, what: string) => waitFor((tick) => {
      const offs = [ann, bob].map((client) => client.on('customerServiceTicket', tick));
      return () => offs.forEach((off) => off());
    }, check, what);
    const left = await visitor.leaveCustomerServiceMessage('live-tickets', { email: 'v@example.com', message: 'Secret order 42' });
    await until(() => heard.get('ann')!.length === 1 && heard.get('bob')!.length === 1, 'both agents hear of the ticket');
    assert.deepEqual(heard.get('ann'), [{ groupId: 'live-tickets', ticketId: left.ticketId, status: 'open' }]);
    await ann.closeCustomerServiceTicket(left.ticketId);
    await until(() => heard.get('bob')!.length === 2 && heard.get('ann')!.length === 2, 'both hear it closed');
    assert.deepEqual(heard.get('bob')![1], { groupId: 'live-tickets', ticketId: left.ticketId, status: 'closed' });
    // A message of the agents' own afterwards: the others had their chance to hear anything.
    await ann.leaveCustomerServiceMessage('quiet-team', { email: 'a@example.com', message: 'to the quiet team' });
    await waitFor((tick) => cy.on('customerServiceTicket', tick), () => heard.get('cy')!.length === 1, 'cy hears the quiet team\'s ticket');
    assert.equal(heard.get('cy')!.length, 1, 'cy heard nothing of the other group');
    assert.equal(heard.get('visitor')!.length, 0, 'the visitor hears nothing');
    assert.equal(JSON.stringify([...heard.values()]).includes('Secret'), false, 'the text is not in the signal');
    const history = await ann.getHistoryMessages({ conversationType: 5, targetId: 'live-tickets' }, { count: 20 });
    assert.equal(history.messages.length, 0, 'a signal, never a stored message');
  });

  it('checks a ticket\'s fields', async () => {
    await setGroup({ groupId: 'tickets2', mode: 'human', preChatFields: [{ name: 'topic', label: 'Topic', type: 'select', options: ['a'] }] });
    const visitor = await suite.connect('ticket-checks');
    const bad: Array<Record<string, unknown>> = [
      { message: 'no email' },
      { email: 'not-an-email', message: 'hi' },
      { email: 'a@example.com', message: '' },
      { email: 'a@example.com', message: '   ' },
      { email: 'a@example.com', message: 'x'.repeat(2001) },
      { email: 'a@example.com', message: 'hi', name: 'n'.repeat(129) },
      { email: 'a@example.com', message: 'hi', form: { topic: 'b' } },
      { email: 'a@example.com', message: 'hi', form: { unknown: 'x' } },
    ];
    for (const ticket of bad) {
      await assert.rejects(visitor.leaveCustomerServiceMessage('tickets2', ticket as { email: string; message: string }),
        refusedWith(ErrorCode.PARAMETER_ERROR), JSON.stringify(ticket).slice(0, 60));
    }
    await assert.rejects(visitor.leaveCustomerServiceMessage('nope', { email: 'a@example.com', message: 'hi' }),
      refusedWith(ErrorCode.RC_DISCUSSION_GROUP_ID_INVALID));
    assert.ok((await visitor.leaveCustomerServiceMessage('tickets2', { email: 'a@example.com', message: 'x'.repeat(2000) })).ticketId > 0);
  });

  it('takes 5 tickets a visitor an hour, then refuses with 20604', async () => {
    await setGroup({ groupId: 'limited', mode: 'human' });
    const [visitor, another] = [await suite.connect('ticket-flood'), await suite.connect('ticket-calm')];
    for (let i = 0; i < 5; i++) await visitor.leaveCustomerServiceMessage('limited', { email: 'f@example.com', message: `m${i}` });
    await assert.rejects(visitor.leaveCustomerServiceMessage('limited', { email: 'f@example.com', message: 'sixth' }),
      refusedWith(ErrorCode.SEND_FREQUENCY_TOO_FAST));
    await assert.rejects(visitor.leaveCustomerServiceMessage('service', { email: 'f@example.com', message: 'other group' }),
      refusedWith(ErrorCode.SEND_FREQUENCY_TOO_FAST), 'per visitor, whatever the group');
    assert.ok((await another.leaveCustomerServiceMessage('limited', { email: 'c@example.com', message: 'hi' })).ticketId > 0, 'others unaffected');
  });
});
