import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../src/components/agent-console/index.js';
import type { AgentService, AgentSession, ImAgentConsole, SessionScope } from '../../src/components/agent-console/index.js';
import type { CustomerSessionStatus } from '../../src/core/client/customer-service.js';

// What the console asks of the server, and in what order answers land, for the cases the e2e
// suite cannot steer: a refresh and a "Load more" crossing. The server's side of it (the pages,
// `before`, `hasMore`) is covered by the e2e suite against the real server; here the console gets
// the documented `agentService` stand-in, whose answers the test holds and releases.

const GROUP = 'help';

function session(sessionId: number, status: CustomerSessionStatus = 'resolved'): AgentSession {
  return {
    sessionId, groupId: GROUP, servingGroupId: GROUP, visitorId: `guest-${sessionId}`, targetId: `guest-${sessionId}@${GROUP}`,
    status, agentId: status === 'queued' ? '' : 'alice', createdAt: Date.now(), rating: 0, visitorInfo: {},
  };
}

type Handler = (event: unknown) => void;

/** A service answering from `data` by the server's rules (newest first, `before`, pages of `limit`), recording each list asked for. */
function scriptedService(data: Record<SessionScope, AgentSession[]>) {
  const calls: Array<{ scope: SessionScope; before?: number }> = [];
  const handlers = new Map<string, Set<Handler>>();
  let held: { which: (before?: number) => boolean; until: Promise<void> } | undefined;
  const service = {
    userId: 'alice',
    on: (name: string, handler: Handler) => {
      if (!handlers.has(name)) handlers.set(name, new Set());
      handlers.get(name)!.add(handler);
      return () => handlers.get(name)!.delete(handler);
    },
    getCustomerSessionsPage: async (scope: SessionScope = 'mine', { before, limit = 100 }: { before?: number; limit?: number } = {}) => {
      calls.push(before === undefined ? { scope } : { scope, before });
      if (held?.which(before)) await held.until;
      const older = data[scope].filter((s) => before === undefined || s.sessionId < before).sort((a, b) => b.sessionId - a.sessionId);
      return { sessions: older.slice(0, limit), hasMore: older.length > limit };
    },
    getCustomerServiceTickets: async () => [],
    getCustomerServiceAgents: async () => ({ groups: [{ groupId: GROUP, name: 'Help desk' }], agents: [] }),
    getCannedReplies: async () => [],
    getCustomerSessionNotes: async () => [],
    getCustomerSessionTranscript: async () => { throw Object.assign(new Error('not an agent of this session\'s group'), { code: 20406 }); },
  } as unknown as AgentService;
  return {
    service,
    calls,
    emit: (name: string, event: unknown) => { for (const handler of handlers.get(name) ?? []) handler(event); },
    /** Holds the answers to the pages `which` picks (by their `before`) until the returned function is called. */
    hold(which: (before?: number) => boolean): () => void {
      let release!: () => void;
      held = { which, until: new Promise<void>((resolve) => { release = resolve; }) };
      return () => { held = undefined; release(); };
    },
  };
}

const root = (element: ImAgentConsole) => element.shadowRoot!;
const shownIds = (element: ImAgentConsole) =>
  [...root(element).querySelectorAll('[part="session-list"] > li')].map((row) => Number(row.getAttribute('data-session-id')));
const scopesAsked = (calls: Array<{ scope: SessionScope }>) => calls.map((call) => call.scope).sort();
const clickTab = async (element: ImAgentConsole, tab: string) => {
  root(element).querySelector<HTMLElement>(`[role="tab"][data-scope="${tab}"]`)!.click();
  await element.updateComplete;
};
const countOn = (element: ImAgentConsole, tab: string) => root(element).querySelector(`[role="tab"][data-scope="${tab}"] .count`)?.textContent?.trim();
const statusChange = { conversationType: 5, targetId: `guest-1@${GROUP}`, sessionId: 1, status: 'resolved', agentId: 'alice', message: '' };
const range = (from: number, to: number) => Array.from({ length: from - to + 1 }, (_, index) => session(from - index));

/** A console over 150 resolved sessions, showing Resolved with its first page of 100. */
async function resolvedFirstPage() {
  const data: Record<SessionScope, AgentSession[]> = { mine: [], queued: [], all: [], resolved: range(150, 1) };
  const fake = scriptedService(data);
  const element = await fixture<ImAgentConsole>(html`<im-agent-console lang="en" no-title .agentService=${fake.service}></im-agent-console>`);
  await waitUntil(() => root(element).querySelector('[role="tab"][data-scope="resolved"]'));
  await clickTab(element, 'resolved');
  await waitUntil(() => shownIds(element).length === 100, 'the first page');
  return { data, fake, element };
}

describe('agent console: what it loads, and when', () => {
  it('a status change loads Mine and the tab in view only; a live queue count loads nothing unless the queue is in view', async () => {
    const fake = scriptedService({ mine: [session(30, 'open')], queued: [session(40, 'queued')], all: [], resolved: [session(10), session(11)] });
    const element = await fixture<ImAgentConsole>(html`<im-agent-console lang="en" no-title .agentService=${fake.service}></im-agent-console>`);
    await waitUntil(() => shownIds(element).includes(30) && countOn(element, 'queued') === '1', 'Mine and the queue count, loaded');
    expect(scopesAsked(fake.calls), 'at start: Mine, and Queued for its count').to.deep.equal(['mine', 'queued']);

    // The loads of one change start together, so what was asked shows at once.
    fake.calls.length = 0;
    fake.emit('customerServiceStatus', statusChange);
    expect(scopesAsked(fake.calls), 'on Mine: Mine once').to.deep.equal(['mine']);
    await waitUntil(() => !root(element).querySelector('.panel .empty'));

    await clickTab(element, 'resolved');
    await waitUntil(() => shownIds(element).includes(11), 'Resolved shown');
    fake.calls.length = 0;
    fake.emit('customerServiceStatus', statusChange);
    expect(scopesAsked(fake.calls), 'on Resolved: Mine and Resolved').to.deep.equal(['mine', 'resolved']);
    await waitUntil(() => shownIds(element).includes(11));

    fake.calls.length = 0;
    fake.emit('customerServiceWaiting', { groupId: GROUP, waiting: 7 });
    await element.updateComplete;
    expect(fake.calls, 'the count comes with the event').to.deep.equal([]);
    expect(countOn(element, 'queued')).to.equal('7');
    expect(countOn(element, 'all'), 'no count to keep on All').to.equal(undefined);

    await clickTab(element, 'queued');
    await waitUntil(() => shownIds(element).includes(40), 'Queued shown');
    fake.calls.length = 0;
    fake.emit('customerServiceWaiting', { groupId: GROUP, waiting: 8 });
    expect(scopesAsked(fake.calls), 'the queue in view loads its rows').to.deep.equal(['queued']);
  });

  it('keeps what Load more added when a refresh that began before it lands after it', async () => {
    const { data, fake, element } = await resolvedFirstPage();

    const release = fake.hold((before) => before === undefined);
    fake.emit('customerServiceStatus', statusChange);
    root(element).querySelector<HTMLElement>('[part="load-more-button"]')!.click();
    await waitUntil(() => shownIds(element).length === 150, 'the next page, while the refresh waits');
    data.resolved = range(151, 1);
    release();
    await waitUntil(() => shownIds(element)[0] === 151, 'the refresh landed');
    await element.updateComplete;
    expect(shownIds(element)).to.deep.equal(range(151, 1).map((s) => s.sessionId));
    expect(root(element).querySelector('[part="load-more-button"]'), 'nothing more').to.equal(null);
  });

  it('asks again from the new end when a refresh replaced the list while the next page was on its way', async () => {
    const { data, fake, element } = await resolvedFirstPage();

    const release = fake.hold((before) => before !== undefined);
    root(element).querySelector<HTMLElement>('[part="load-more-button"]')!.click();
    // Two more sessions end meanwhile: the refreshed first page ends at 53, two above where the held page begins.
    data.resolved = range(152, 1);
    fake.emit('customerServiceStatus', statusChange);
    await waitUntil(() => shownIds(element)[0] === 152, 'the refresh landed first');
    release();
    await waitUntil(() => shownIds(element).length === 152, 'the next page, from the new end');
    expect(shownIds(element), 'each session once, none missing').to.deep.equal(range(152, 1).map((s) => s.sessionId));
    expect(fake.calls.filter((call) => call.before !== undefined).map((call) => call.before)).to.deep.equal([51, 53]);
  });

  it('shows a Resolved session\'s details on choosing it, and a transcript the server refuses as the console\'s error', async () => {
    const fake = scriptedService({ mine: [], queued: [], all: [], resolved: [session(12)] });
    const element = await fixture<ImAgentConsole>(html`<im-agent-console lang="en" no-title .agentService=${fake.service}></im-agent-console>`);
    await waitUntil(() => root(element).querySelector('[role="tab"][data-scope="resolved"]'));
    await clickTab(element, 'resolved');
    await waitUntil(() => shownIds(element).includes(12), 'Resolved shown');
    root(element).querySelector<HTMLElement>('li[data-session-id="12"] button.inspect')!.click();
    await element.updateComplete;
    expect(root(element).querySelector('[part="visitor"]')!.textContent).to.contain('#12');
    expect(root(element).querySelector('[part="resolve-button"]'), 'not the agent\'s to resolve').to.equal(null);
    root(element).querySelector<HTMLElement>('[part="transcript-button"]')!.click();
    await waitUntil(() => root(element).querySelector('[role="alert"]'), 'the error shown');
    expect(root(element).querySelector('[role="alert"]')!.textContent).to.contain('Could not download the transcript: not an agent of this session\'s group (20406)');
  });
});
