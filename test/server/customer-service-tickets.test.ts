import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../src/core/protocol/codes.js';
import type { IMError } from '../../src/core/client/errors.js';
import { api, useTestServer, setServiceAgent, setServiceGroup } from '../helpers/server.js';

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
