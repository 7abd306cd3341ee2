import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html, nothing } from 'lit';
import { ConversationType, conversationKey, receiveConversations, receiveHistory, type CustomerSession } from '../src/components/index.js';
import '../src/components/agent-console/index.js';
import type { AgentService, AgentSession, AgentTicket, ImAgentConsole } from '../src/components/agent-console/index.js';
import { fixtureNow, inboxSession, ME, sentItem } from './fixtures.js';
import { describe, frame, type FrameArgs } from './frame.js';

interface Args extends FrameArgs {
  /** Opens Dana's conversation at start (`session-id`). */
  open: boolean;
  /** `muted`: no sound for new visitor messages. */
  muted: boolean;
}

const MINUTE = 60_000;
const GROUP = 'help';

/** The customer-service sessions alice (an agent of "help") sees, by scope. */
function fixtureSessions(now: number): Record<'mine' | 'queued' | 'all' | 'resolved', AgentSession[]> {
  const session = (sessionId: number, visitorId: string, status: CustomerSession['status'], agentId: string, minutesAgo: number,
    extra: Partial<AgentSession> = {}): AgentSession => ({
    sessionId, groupId: GROUP, servingGroupId: GROUP, visitorId, targetId: `${visitorId}@${GROUP}`, status, agentId,
    createdAt: now - minutesAgo * MINUTE, rating: 0, visitorInfo: {}, ...extra,
  });
  const dana = session(41, 'guest-dana', 'open', ME, 12, { visitorName: 'Dana Reyes', visitorInfo: { name: 'Dana Reyes', email: 'dana@example.com', order: 'A-1001' } });
  const li = session(42, 'guest-li', 'pending', ME, 35, { visitorName: 'Li Wei' });
  const queued = [session(45, 'guest-omar', 'queued', '', 3, { visitorName: 'Omar' }), session(46, 'visitor-x3Jk9', 'queued', '', 1)];
  const others = session(43, 'guest-sam', 'open', 'bob', 20, { visitorName: 'Sam' });
  return {
    mine: [dana, li],
    queued,
    all: [dana, li, others, ...queued],
    resolved: [session(40, 'guest-kim', 'resolved', ME, 180, { visitorName: 'Kim', rating: 5 })],
  };
}

/** Messages visitors left for "help" outside hours: two open, one closed by bob. */
function fixtureTickets(now: number): AgentTicket[] {
  const ticket = (ticketId: number, minutesAgo: number, fields: Partial<AgentTicket>): AgentTicket => ({
    ticketId, groupId: GROUP, visitorId: `visitor-t${ticketId}`, name: '', email: '', message: '', form: {}, status: 'open',
    createdAt: now - minutesAgo * MINUTE, closedBy: '', closedAt: 0, ...fields,
  });
  return [
    ticket(7, 50, {
      name: 'Priya Shah', email: 'priya@example.com', form: { order: 'B-2040' },
      message: 'The parcel says delivered but it is not here.\nCould someone call me tomorrow morning?',
    }),
    // A visitor's text is shown as they typed it, markup and all.
    ticket(6, 600, { email: 'no.name+shop@example.org', message: 'Do you ship to Norway? <b>Urgent</b>' }),
    ticket(5, 1500, { name: 'Tom', email: 'tom@example.net', message: 'Wrong size sent.', status: 'closed', closedBy: 'bob', closedAt: now - 1400 * MINUTE }),
  ];
}

/**
 * The console's calls answered from fixtures (no server), as an app's own backend could answer
 * them: what each would return for alice.
 */
function fixtureService(now: number): AgentService {
  const sessions = fixtureSessions(now);
  let tickets = fixtureTickets(now);
  return {
    userId: ME,
    on: () => () => undefined,
    getCustomerSessionsPage: async (scope = 'mine') => ({ sessions: sessions[scope], hasMore: false }),
    takeCustomerSession: async (sessionId) => ({ ...sessions.queued.find((s) => s.sessionId === sessionId)!, status: 'open', agentId: ME }),
    transferCustomerSession: async (sessionId) => sessions.mine.find((s) => s.sessionId === sessionId)!,
    resolveCustomerSession: async (sessionId) => ({ ...sessions.mine.find((s) => s.sessionId === sessionId)!, status: 'resolved' }),
    addCustomerSessionNote: async (sessionId, text) => ({ sessionId, authorId: ME, text, time: Date.now() }),
    getCustomerSessionNotes: async (sessionId) => (sessionId === 41
      ? [{ sessionId, authorId: 'bob', text: 'Order A-1001 was refunded once already; check with finance before a second refund.', time: now - 60 * MINUTE }]
      : []),
    getCustomerServiceAgents: async () => ({
      groups: [{ groupId: GROUP, name: 'Help desk' }, { groupId: 'billing', name: 'Billing' }],
      agents: [
        { userId: ME, name: 'Alice', groupIds: [GROUP], cap: 5, load: 2, online: true, away: false },
        { userId: 'bob', name: 'Bob', groupIds: [GROUP], cap: 5, load: 1, online: true, away: false },
        { userId: 'carol', name: 'Carol', groupIds: [GROUP, 'billing'], cap: 3, load: 0, online: true, away: true },
      ],
    }),
    setCustomerServiceAgentAway: async (away) => ({ away }),
    getCustomerSessionTranscript: async (sessionId) => [
      { seq: 1, time: now - 12 * MINUTE, senderId: 'guest-dana', senderName: '', text: `Hi (session ${sessionId}), my order A-1001 arrived damaged.` },
      { seq: 2, time: now - 10 * MINUTE, senderId: ME, senderName: 'Alice', text: 'I am sorry to hear that. Could you send a photo of the box?' },
    ],
    getCustomerServiceTickets: async (status) => tickets.filter((ticket) => !status || ticket.status === status),
    closeCustomerServiceTicket: async (ticketId) => {
      tickets = tickets.map((ticket) => (ticket.ticketId === ticketId ? { ...ticket, status: 'closed', closedBy: ME, closedAt: Date.now() } : ticket));
      return tickets.find((ticket) => ticket.ticketId === ticketId)!;
    },
    getCannedReplies: async () => [
      { groupId: GROUP, shortcut: 'hello', text: 'Hello! How can I help you today?' },
      { groupId: GROUP, shortcut: 'refund', text: 'I have started the refund; it shows on your statement within 5 working days.' },
      { groupId: GROUP, shortcut: 'thanks', text: 'Thank you for waiting, I am on it.' },
    ],
  };
}

/** The inbox session with the two conversations of alice's visitors (Li's with two unread). */
function consoleSession(lang: Args['lang']) {
  const now = fixtureNow();
  const session = inboxSession({ lang });
  const dana = { conversationType: ConversationType.CUSTOMER_SERVICE, targetId: `guest-dana@${GROUP}` };
  const li = { conversationType: ConversationType.CUSTOMER_SERVICE, targetId: `guest-li@${GROUP}` };
  const danaItems = [
    sentItem(dana, 1, 'guest-dana', 'Hi, my order A-1001 arrived damaged.', now - 12 * MINUTE),
    sentItem(dana, 2, ME, 'I am sorry to hear that. Could you send a photo of the box?', now - 10 * MINUTE),
    sentItem(dana, 3, 'guest-dana', 'Sure, one moment.', now - 9 * MINUTE),
  ];
  const liItems = [sentItem(li, 1, 'guest-li', 'Is the blue one back in stock?', now - 3 * MINUTE), sentItem(li, 2, 'guest-li', 'In size M?', now - 2 * MINUTE)];
  session.store.update((state) => {
    let next = receiveConversations(state, [
      { ...dana, unreadCount: 0, readSeq: 3, updatedTime: now - 9 * MINUTE, latestMessage: danaItems[2] },
      { ...li, unreadCount: 2, readSeq: 0, updatedTime: now - 2 * MINUTE, latestMessage: liItems[1] },
    ], { hasMore: false, replace: false });
    next = receiveHistory(next, conversationKey(dana), danaItems, { hasOlder: false, latest: true });
    return receiveHistory(next, conversationKey(li), liItems, { hasOlder: false, latest: true });
  });
  return { session, service: fixtureService(now) };
}

const meta = {
  title: 'im-agent-console',
  component: 'im-agent-console',
  args: { theme: 'light', lang: 'en', width: 1200, open: true, muted: false },
  parameters: {
    docs: {
      description: {
        component: 'The customer-service agent’s console, loaded from its own file (`im-agent-console.js`): sessions by tab '
          + '(Queued with Take, Mine, All, Resolved), the open conversation with canned replies (type `/` in the empty composer), '
          + 'the visitor’s details, internal notes and the actions Resolve, Transfer, Transcript (a .txt download) and Away, and '
          + 'the messages visitors left outside hours (Messages). Here it gets a ready `.session` and '
          + 'an `.agentService` answering from fixtures instead of `server` and `token`; `no-title` keeps the docs page’s title.',
      },
    },
  },
  render: (args) => {
    const { session, service } = consoleSession(args.lang);
    return frame(html`
      <im-agent-console .session=${session} .agentService=${service} theme=${args.theme} lang=${args.lang} no-title
        ?muted=${args.muted} session-id=${args.open ? 41 : nothing}></im-agent-console>`,
    { width: args.width });
  },
} satisfies Meta<Args>;

export default meta;
type Story = StoryObj<Args>;

/** Shows the story's console on its Messages tab (as the agent's click would). */
async function showMessages(canvasElement: HTMLElement): Promise<void> {
  const console = canvasElement.querySelector<ImAgentConsole>('im-agent-console')!;
  await console.updateComplete;
  console.shadowRoot!.querySelector<HTMLButtonElement>('[role="tab"][data-scope="messages"]')!.click();
  await console.updateComplete;
}

export const Default: Story = {
  parameters: describe('Dana’s conversation open: her pre-chat answers and a colleague’s internal note on the right; Li’s row has an unread dot.'),
};

export const Messages: Story = {
  args: { open: false },
  play: ({ canvasElement }) => showMessages(canvasElement),
  parameters: describe('The Messages tab: what visitors left outside business hours, open ones counted on the tab. Each shows the name, '
    + 'a `mailto:` link to reply, the time, the message as typed and the pre-chat answers; Close closes it, a closed one says who closed it '
    + 'and when (the Closed switch lists them).'),
};

export const NothingOpen: Story = {
  args: { open: false },
  parameters: describe('No session chosen yet: the centre asks for one; the counts show on the tabs.'),
};

export const Narrow: Story = {
  args: { width: 720 },
  parameters: describe('Under 900px the session list and the visitor pane fold behind the two toggles above the conversation.'),
};

export const Dark: Story = {
  args: { theme: 'dark' },
  parameters: describe('`theme="dark"`: the console and every element inside follow; notes stay yellow, as internal.'),
};

export const Chinese: Story = {
  args: { lang: 'zh-CN' },
  parameters: describe('`lang="zh-CN"`.'),
};
