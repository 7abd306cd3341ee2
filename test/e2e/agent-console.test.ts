import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';
import type { BrowserContext, Locator, Page } from 'playwright';
import { ConversationType, ErrorCode } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import type { IMClient } from '../../src/core/client/client.js';
import type { IMMessage } from '../../src/core/client/types.js';
import { api, connectClient, tokenFor, waitFor, type TestServer, setServiceAgent, setServiceGroup } from '../helpers/server.js';
import { useServerAndChromium } from './pages.js';

const CONSOLE = new URL('../../dist/im-agent-console.js', import.meta.url).pathname;
const GROUP = 'help';
const service = (targetId: string) => ({ conversationType: ConversationType.CUSTOMER_SERVICE, targetId });

/**
 * dist/im-agent-console.js leaves Lit to the app (as apps dedupe it); the page gets it the way an
 * app's bundler would give it: the built file bundled with the repository's Lit, nothing else.
 */
async function consoleScript(): Promise<string> {
  const result = await build({ entryPoints: [CONSOLE], bundle: true, format: 'iife', write: false, logLevel: 'silent' });
  return result.outputFiles[0]!.text;
}

/** Serves a support team's page (one script and the console) in a browser profile. */
async function serveConsole(context: BrowserContext, server: TestServer, script: string): Promise<void> {
  await context.route(`${server.url}/__console/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname.endsWith('.js')) {
      await route.fulfill({ contentType: 'text/javascript', body: script });
      return;
    }
    const token = url.searchParams.get('token') ?? '';
    await route.fulfill({
      contentType: 'text/html; charset=utf-8',
      body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Support desk</title>
<script src="/__console/im-agent-console.js"></script></head><body style="margin:0">
<im-agent-console server="${server.wsUrl}" token="${token}" cache="memory" style="--im-agent-console-height: 760px"></im-agent-console>
</body></html>`,
    });
  });
}

/**
 * A browser profile (one agent's browser) serving the console page, where every oscillator the
 * page starts is counted: the console's beep is one.
 */
async function agentBrowser(suite: { browser: import('playwright').Browser; server: TestServer }, script: string): Promise<BrowserContext> {
  const context = await suite.browser.newContext();
  context.setDefaultTimeout(15_000);
  await serveConsole(context, suite.server, script);
  await context.addInitScript({
    content: `window.__beeps = 0;
      const start = AudioContext.prototype.createOscillator;
      AudioContext.prototype.createOscillator = function () { window.__beeps++; return start.call(this); };`,
  });
  return context;
}

/** Opens the console for an agent in a new tab of the profile and waits until it is connected. */
async function openConsole(context: BrowserContext, server: TestServer, agent: string, width = 1280): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize({ width, height: 800 });
  await page.goto(`${server.url}/__console/desk.html?token=${encodeURIComponent(await tokenFor(server, agent))}`);
  await page.waitForFunction(() => (document.querySelector('im-agent-console') as unknown as { session?: { state: { status: number } } })?.session?.state.status === 0);
  return page;
}

const beeps = (page: Page) => page.evaluate(() => (window as unknown as { __beeps: number }).__beeps);

/**
 * What a person sees: the element is visible, inside the viewport, and a pointer at its centre
 * lands on it (nothing covers it) — looked up through the shadow roots.
 */
async function expectSeen(locator: Locator, what: string): Promise<void> {
  await locator.waitFor({ state: 'visible' });
  // Checked again after each frame for a while: a row may still be moving into place (a tab
  // switch, a list re-sorted) when it first becomes visible.
  // (No named functions inside: the test's TypeScript loader would wrap them in a helper the page lacks.)
  const seen = await locator.evaluate(async (element) => {
    let result = '';
    for (let frames = 0; frames < 120; frames++) {
      if (frames > 0) await new Promise((resolve) => requestAnimationFrame(resolve));
      const box = element.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || box.left < 0 || box.top < 0 || box.right > innerWidth || box.bottom > innerHeight) {
        result = 'outside the viewport';
        continue;
      }
      const x = box.left + box.width / 2;
      const y = box.top + box.height / 2;
      let hit = document.elementFromPoint(x, y);
      while (hit?.shadowRoot) {
        const inner = hit.shadowRoot.elementFromPoint(x, y);
        if (!inner || inner === hit) break;
        hit = inner;
      }
      result = `covered by ${hit?.tagName}.${hit?.className}`;
      for (let node: Node | null = hit; node; node = node.parentNode ?? (node as ShadowRoot).host ?? null) if (node === element) return 'seen';
    }
    return result;
  });
  assert.equal(seen, 'seen', what);
}

const tab = (page: Page, scope: string) => page.locator(`im-agent-console [role="tab"][data-scope="${scope}"]`);
const row = (page: Page, sessionId: number) => page.locator(`im-agent-console li[data-session-id="${sessionId}"]`);
const ticketRow = (page: Page, ticketId: number) => page.locator(`im-agent-console li[data-ticket-id="${ticketId}"]`);
const countOf = async (page: Page, scope: string) => Number(await tab(page, scope).locator('.count').innerText());

/** Waits until a tab's count, as shown, is `count`. */
async function waitForCount(page: Page, scope: string, count: number): Promise<void> {
  await page.waitForFunction(([scope, count]) => {
    const root = document.querySelector('im-agent-console')!.shadowRoot!;
    return root.querySelector(`[role="tab"][data-scope="${scope}"] .count`)?.textContent?.trim() === String(count);
  }, [scope, count] as const).catch(async () => assert.equal(await countOf(page, scope), count, `${scope} count`));
}

/** Everything a visitor's client receives, to look for what must never reach them. */
function visitorInbox(client: IMClient) {
  const messages: IMMessage[] = [];
  client.on('message', (message) => messages.push(message));
  return {
    messages,
    text: (content: string) => waitFor((check) => client.on('message', check),
      () => messages.find((message) => (message.content as TextMessage).content === content), `visitor receives "${content}"`),
  };
}

describe('<im-agent-console> (Chromium, real server)', () => {
  const suite = useServerAndChromium();
  let script = '';
  before(async () => { script = await consoleScript(); });

  const setAgent = (userId: string, cap: number) => setServiceAgent(suite.server, userId, [GROUP], cap);

  it('routes under caps into each agent\'s Mine, counts and takes the queue, resolves, transfers, keeps notes from the visitor, inserts canned replies, counts unread in the title', async () => {
    const group = await api(suite.server, 'POST', '/api/cs/group/set', {
      groupId: GROUP, name: 'Help desk', mode: 'human', maxPerAgent: 5,
      preChatFields: [{ name: 'name', label: 'Name', type: 'text' }, { name: 'order', label: 'Order number', type: 'text' }],
      cannedReplies: [{ shortcut: 'thanks', text: 'Thank you for waiting, I am on it.' }],
    });
    assert.equal(group.status, 200, JSON.stringify(group.json));
    await setAgent('agent-ann', 1);
    await setAgent('agent-bob', 1);
    const ann = await openConsole(await agentBrowser(suite, script), suite.server, 'agent-ann');
    const bobBrowser = await agentBrowser(suite, script);
    const bob = await openConsole(bobBrowser, suite.server, 'agent-bob');

    const visitor = async (id: string, form?: Record<string, string>) => {
      const client = await connectClient(suite.server, id);
      suite.clients.push(client);
      return { client, inbox: visitorInbox(client), session: await client.startCustomService(GROUP, form) };
    };
    // Caps of 1: the first two visitors go one to each agent (a tie goes to the agent set up first).
    const v1 = await visitor('guest-one');
    const v2 = await visitor('guest-two');
    assert.deepEqual([v1.session.agentId, v2.session.agentId], ['agent-ann', 'agent-bob']);
    await expectSeen(row(ann, v1.session.sessionId), 'ann sees her visitor in Mine');
    assert.match(await row(ann, v1.session.sessionId).innerText(), /guest-one/);
    await expectSeen(row(bob, v2.session.sessionId), 'bob sees his visitor in Mine');
    assert.equal(await row(ann, v2.session.sessionId).count(), 0, 'bob\'s visitor is not in ann\'s Mine');
    // All: bob's session shows at ann's as metadata, with nothing to open or take.
    await tab(ann, 'all').click();
    await expectSeen(row(ann, v2.session.sessionId), 'bob\'s session under All');
    assert.match(await row(ann, v2.session.sessionId).innerText(), /Served by agent-bob/);
    assert.equal(await row(ann, v2.session.sessionId).locator('button.open, button.take').count(), 0, 'nothing to open or take');
    await tab(ann, 'mine').click();

    // Both agents are full: the next two wait, and both consoles count them live.
    const v3 = await visitor('guest-three');
    const v4 = await visitor('guest-four', { name: 'Dana Reyes', order: 'A-1001' });
    assert.deepEqual([v3.session.status, v4.session.status], ['queued', 'queued']);
    await waitForCount(ann, 'queued', 2);
    await waitForCount(bob, 'queued', 2);

    // Bob takes the oldest from Queued, above his cap: it is his now.
    await tab(bob, 'queued').click();
    await expectSeen(row(bob, v3.session.sessionId).locator('button.take'), 'the Take button');
    await row(bob, v3.session.sessionId).locator('button.take').click();
    await expectSeen(row(bob, v3.session.sessionId).locator('button.open'), 'the taken session in bob\'s Mine');
    assert.equal(await tab(bob, 'mine').getAttribute('aria-selected'), 'true', 'Take switches to Mine');
    await waitForCount(ann, 'queued', 1);

    // Ann resolves her visitor: the slot frees and the last waiting visitor comes to her.
    await row(ann, v1.session.sessionId).locator('button.open').click();
    await expectSeen(ann.locator('im-agent-console [part="resolve-button"]'), 'Resolve');
    await ann.locator('im-agent-console [part="resolve-button"]').click();
    await expectSeen(row(ann, v4.session.sessionId), 'the next visitor in ann\'s Mine after the resolve');
    assert.equal(await row(ann, v1.session.sessionId).count(), 0, 'the resolved session left Mine');
    await waitForCount(ann, 'queued', 0);
    await tab(ann, 'resolved').click();
    await expectSeen(row(ann, v1.session.sessionId), 'the resolved session under Resolved');
    await tab(ann, 'mine').click();

    // The visitor's details: the name and the answers of the pre-chat form.
    await row(ann, v4.session.sessionId).locator('button.open').click();
    const visitorFacts = ann.locator('im-agent-console [part="visitor"]');
    await expectSeen(visitorFacts.locator('h2', { hasText: 'Dana Reyes' }), 'the visitor\'s name');
    assert.match(await visitorFacts.innerText(), /A-1001/);
    assert.match(await visitorFacts.innerText(), new RegExp(`#${v4.session.sessionId}`));

    // Notes: ann writes one on visitor four's session; it shows, marked internal, on yellow.
    await row(ann, v4.session.sessionId).locator('button.open').click();
    const note = 'Internal: VIP customer, refund approved by finance';
    await ann.locator('im-agent-console [part="note-input"]').fill(note);
    await ann.locator('im-agent-console [part="note-button"]').click();
    const shownNote = ann.locator('im-agent-console [part="note"]', { hasText: note });
    await expectSeen(shownNote, 'the note');
    await expectSeen(ann.locator('im-agent-console .notes .hint'), '"Only agents see notes"');
    assert.match(await ann.locator('im-agent-console .notes .hint').innerText(), /Only agents see notes/);
    const noteBackground = await ann.locator('im-agent-console .notes').evaluate((element) => getComputedStyle(element).backgroundColor);
    assert.equal(noteBackground, 'rgb(254, 249, 195)', 'notes stand out in yellow');

    // Canned replies, the group's and the page's own: "/" in the empty composer lists them,
    // typing filters by shortcut, Enter puts the text in.
    await ann.evaluate(() => {
      (document.querySelector('im-agent-console') as unknown as { cannedReplies: unknown }).cannedReplies = [
        { shortcut: 'hello', text: 'Hello! How can I help you today?' },
      ];
    });
    const input = ann.locator('im-agent-console im-composer textarea');
    await input.click();
    await input.pressSequentially('/');
    await expectSeen(ann.locator('im-agent-console [part="canned-reply"]', { hasText: '/hello' }), 'the canned list after "/"');
    await input.pressSequentially('th');
    await ann.locator('im-agent-console [part="canned-reply"]', { hasText: '/hello' }).waitFor({ state: 'detached' });
    await expectSeen(ann.locator('im-agent-console [part="canned-reply"]', { hasText: '/thanks' }), 'the filtered canned reply');
    await input.press('Enter');
    await ann.waitForFunction(() => {
      const composer = document.querySelector('im-agent-console')!.shadowRoot!.querySelector('im-chat-panel')!.shadowRoot!.querySelector('im-composer')!;
      return composer.shadowRoot!.querySelector('textarea')!.value === 'Thank you for waiting, I am on it.';
    });
    assert.equal(await ann.locator('im-agent-console [part="canned-list"]').count(), 0, 'the list closed');
    await input.press('Enter');
    await v4.inbox.text('Thank you for waiting, I am on it.');
    // The button opens the same list; a click puts the reply at the caret.
    await input.fill('Hi ');
    await ann.locator('im-agent-console [part="canned-button"]').click();
    await ann.locator('im-agent-console [part="canned-reply"]', { hasText: '/hello' }).click();
    assert.equal(await input.inputValue(), 'Hi Hello! How can I help you today?');
    await input.fill('');

    // Unread: a message to bob's visitor he has not opened shows in his title and as a dot, in
    // both of his tabs; the sound plays in one of them only (once per browser).
    const bobSecondTab = await openConsole(bobBrowser, suite.server, 'agent-bob');
    // Browsers play sound only after a gesture in the page: bob has clicked in both tabs.
    await tab(bob, 'mine').click();
    await tab(bobSecondTab, 'mine').click();
    assert.equal(await bob.title(), 'Support desk');
    const beepsBefore = [await beeps(bob), await beeps(bobSecondTab)];
    await v2.client.sendMessage(service(GROUP), new TextMessage({ content: 'is anyone there?' }));
    await bob.waitForFunction(() => document.title === '(1) Support desk');
    await bobSecondTab.waitForFunction(() => document.title === '(1) Support desk');
    await expectSeen(row(bob, v2.session.sessionId).locator('[part="unread-dot"]'), 'the unread dot');
    assert.deepEqual([await beeps(bob) - beepsBefore[0]!, await beeps(bobSecondTab) - beepsBefore[1]!], [1, 0], 'one beep, from the tab that leads');
    await bobSecondTab.close();
    await bob.bringToFront();
    await row(bob, v2.session.sessionId).locator('button.open').click();
    await bob.waitForFunction(() => document.title === 'Support desk');

    // Transfer: ann hands visitor four to bob (who has room once his cap is raised).
    await setAgent('agent-bob', 5);
    await ann.bringToFront();
    await row(ann, v4.session.sessionId).locator('button.open').click();
    const transferButton = ann.locator('im-agent-console [part="transfer-button"]');
    await transferButton.click();
    const dialog = ann.locator('im-agent-console dialog');
    await expectSeen(dialog, 'the transfer dialog');
    // A modal dialog: the focus moves into it, Escape closes it and gives the focus back.
    const focusInDialog = () => ann.evaluate(() => {
      const root = document.querySelector('im-agent-console')!.shadowRoot!;
      return root.querySelector('dialog')!.contains(root.activeElement);
    });
    assert.equal(await focusInDialog(), true, 'the focus is in the dialog');
    await ann.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await ann.evaluate(() => document.querySelector('im-agent-console')!.shadowRoot!.activeElement?.getAttribute('part')), 'transfer-button');
    await transferButton.click();
    await expectSeen(dialog, 'the transfer dialog, again');
    // The dialog lists the other agents with their presence and load (bob: two sessions of five).
    const bobChoice = dialog.locator('label.choice', { hasText: 'agent-bob' });
    await expectSeen(bobChoice, 'bob in the transfer dialog');
    assert.match(await bobChoice.innerText(), /online/);
    assert.match(await bobChoice.innerText(), /2 \/ 5/);
    assert.equal(await dialog.locator('label.choice', { hasText: 'agent-ann' }).count(), 0, 'not to oneself');
    await bobChoice.locator('input').check();
    await dialog.locator('button[type="submit"]').click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await transferButton.count(), 0, 'the transferred session is no longer open at ann\'s');
    await expectSeen(row(bob, v4.session.sessionId), 'the transferred session in bob\'s Mine');
    assert.equal(await row(ann, v4.session.sessionId).count(), 0, 'and no longer in ann\'s');

    // Bob sees ann's note on the session he received.
    await bob.bringToFront();
    await row(bob, v4.session.sessionId).locator('button.open').click();
    await expectSeen(bob.locator('im-agent-console [part="note"]', { hasText: note }), 'the note at the agent the session went to');

    // The visitor never got the note: not live, not in history.
    const history = await v4.client.getHistoryMessages(service(GROUP), { count: 100 });
    const everything = [...v4.inbox.messages, ...history.messages].map((message) => JSON.stringify(message.content));
    assert.ok(everything.some((content) => content.includes('Thank you for waiting')), 'the visitor got the reply');
    assert.equal(everything.filter((content) => content.includes('VIP customer')).length, 0, 'no note text reaches the visitor');

    // Away: ann, with no session left, gets no new visitor; the next goes to bob, busy as he is.
    const away = ann.locator('im-agent-console [part="away-button"]');
    await ann.bringToFront();
    await away.click();
    await ann.waitForFunction(() => document.querySelector('im-agent-console')!.shadowRoot!
      .querySelector('[part="away-button"]')!.getAttribute('aria-pressed') === 'true');
    const v5 = await visitor('guest-five');
    assert.equal(v5.session.agentId, 'agent-bob', 'an away agent gets no automatic assignment');
    await away.click();
    await ann.waitForFunction(() => document.querySelector('im-agent-console')!.shadowRoot!
      .querySelector('[part="away-button"]')!.getAttribute('aria-pressed') === 'false');
    const v6 = await visitor('guest-six');
    assert.equal(v6.session.agentId, 'agent-ann', 'back: the least-loaded agent again');
    await expectSeen(row(ann, v6.session.sessionId), 'the new visitor in ann\'s Mine');

    await ann.context().close();
    await bob.context().close();
  });

  it('shows the messages visitors left outside hours, closes one by keyboard, downloads a session\'s transcript without its notes', async () => {
    await setServiceGroup(suite.server, {
      groupId: 'night-desk', name: 'Night desk', mode: 'human', hours: { timeZone: 'UTC', weekly: {} },
      preChatFields: [{ name: 'topic', label: 'Topic', type: 'select', options: ['billing', 'tech'] }],
    });
    await setServiceGroup(suite.server, { groupId: 'day-desk', name: 'Day desk', mode: 'human' });
    await setServiceAgent(suite.server, 'agent-cy', ['night-desk', 'day-desk']);

    // A visitor finds the night desk closed and leaves a message; its text tries to be markup.
    const nightGuest = await connectClient(suite.server, 'guest-night');
    suite.clients.push(nightGuest);
    await assert.rejects(nightGuest.startCustomService('night-desk'), (error: { code?: number }) => error.code === ErrorCode.CS_OUTSIDE_HOURS);
    const email = 'nia+night@example.com';
    const message = '<img src=x onerror="window.__injected = true">Please call me back before 9';
    const left = await nightGuest.leaveCustomerServiceMessage('night-desk', { email, name: 'Nia Night', message, form: { topic: 'billing' } });

    const page = await openConsole(await agentBrowser(suite, script), suite.server, 'agent-cy');
    await waitForCount(page, 'messages', 1);
    // The tabs by keyboard: End goes to the last one, Messages.
    await tab(page, 'mine').focus();
    await page.keyboard.press('End');
    assert.equal(await tab(page, 'messages').getAttribute('aria-selected'), 'true');
    assert.equal(await page.evaluate(() => document.querySelector('im-agent-console')!.shadowRoot!.activeElement?.getAttribute('data-scope')), 'messages');
    const ticket = ticketRow(page, left.ticketId);
    await expectSeen(ticket.locator('.ticket-message'), 'the visitor\'s message');
    assert.equal(await ticket.locator('.ticket-message').innerText(), message, 'shown as the visitor typed it');
    assert.equal(await ticket.locator('img').count(), 0, 'no markup made of it');
    assert.equal(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected), undefined);
    await expectSeen(ticket.locator('.name', { hasText: 'Nia Night' }), 'the visitor\'s name');
    assert.match(await ticket.locator('.ticket-form').innerText(), /topic\s+billing/);
    const emailLink = ticket.locator('[part="ticket-email"]');
    await expectSeen(emailLink, 'the email link');
    assert.equal(await emailLink.innerText(), email);
    assert.ok((await emailLink.getAttribute('href'))!.startsWith(`mailto:${encodeURIComponent(email)}?subject=`), 'the address encoded whole');

    // Closed by keyboard: it says so in place, the count drops, and the Closed list has it.
    await ticket.locator('[part="ticket-close-button"]').focus();
    await page.keyboard.press('Enter');
    await expectSeen(ticket.locator('.closed-by'), 'who closed it');
    assert.match(await ticket.locator('.closed-by').innerText(), /Closed by agent-cy/);
    await waitForCount(page, 'messages', 0);
    assert.deepEqual((await nightGuest.getCustomerServiceInfo('night-desk')).session, null, 'no session came of it');
    await page.locator('im-agent-console [part="ticket-filter"] button[data-status="closed"]').click();
    await expectSeen(ticketRow(page, left.ticketId).locator('.closed-by'), 'the ticket under Closed');
    await page.locator('im-agent-console [part="ticket-filter"] button[data-status="open"]').click();
    await expectSeen(page.locator('im-agent-console .panel .empty', { hasText: 'No open messages' }), 'nothing open left');

    // Another message left while the console is open: it shows at once, counted, without a reload.
    const late = await nightGuest.leaveCustomerServiceMessage('night-desk', { email, message: 'One more thing' });
    await waitForCount(page, 'messages', 1);
    await expectSeen(ticketRow(page, late.ticketId).locator('.ticket-message'), 'the new message, live');

    // A conversation at the day desk: the visitor writes, the agent answers and leaves a note.
    const dayGuest = await connectClient(suite.server, 'guest-day');
    suite.clients.push(dayGuest);
    const inbox = visitorInbox(dayGuest);
    const session = await dayGuest.startCustomService('day-desk');
    assert.equal(session.agentId, 'agent-cy');
    await tab(page, 'mine').click();
    await row(page, session.sessionId).locator('button.open').click();
    await dayGuest.sendMessage(service('day-desk'), new TextMessage({ content: 'My parcel never came' }));
    const input = page.locator('im-agent-console im-composer textarea');
    await input.fill('Sorry! I am sending another today.');
    await input.press('Enter');
    await inbox.text('Sorry! I am sending another today.');
    const note = 'Internal: second parcel, check the courier';
    await page.locator('im-agent-console [part="note-input"]').fill(note);
    await page.locator('im-agent-console [part="note-button"]').click();
    await expectSeen(page.locator('im-agent-console [part="note"]', { hasText: note }), 'the note');

    const downloadTranscript = async (what: string) => {
      const button = page.locator('im-agent-console [part="transcript-button"]');
      await expectSeen(button, what);
      const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
      assert.match(download.suggestedFilename(), new RegExp(`^day-desk-session-${session.sessionId}-\\d{4}-\\d\\d-\\d\\d\\.txt$`));
      return (await readFile((await download.path())!, 'utf8')).replace(/^\uFEFF/, '');
    };
    const open = await downloadTranscript('Transcript, in Mine');
    assert.match(open.split('\n')[0]!, new RegExp(`— guest-day — session ${session.sessionId}$`));
    assert.match(open, /guest-day: My parcel never came/);
    assert.match(open, /agent-cy: Sorry! I am sending another today\./);
    assert.ok(!open.includes('second parcel'), 'no internal note in a transcript');

    // Resolved, the session is under Resolved: chosen there, its details and transcript show, its conversation does not open.
    await page.locator('im-agent-console [part="resolve-button"]').click();
    await row(page, session.sessionId).waitFor({ state: 'detached' });
    await tab(page, 'resolved').click();
    await row(page, session.sessionId).locator('button.inspect').click();
    await expectSeen(page.locator('im-agent-console [part="visitor"] dd', { hasText: `#${session.sessionId}` }), 'the resolved session\'s details');
    assert.equal(await page.locator('im-agent-console [part="resolve-button"]').count(), 0, 'nothing to resolve');
    assert.equal(await page.locator('im-agent-console im-chat-panel').count(), 0, 'no conversation opens');
    const resolved = await downloadTranscript('Transcript, in Resolved');
    assert.match(resolved, /guest-day: My parcel never came/);
    assert.match(resolved, /agent-cy: Sorry! I am sending another today\./);
    assert.ok(!resolved.includes('second parcel'), 'no internal note in a transcript');
    await page.context().close();
  });

  it('pages a long list: Load more adds the next page, and a refresh keeps it, each session once', async () => {
    await setServiceGroup(suite.server, { groupId: 'busy-desk', mode: 'human' });
    await setServiceAgent(suite.server, 'agent-dee', ['busy-desk']);
    // 105 sessions the agent served: a visitor starts each one (the agent is connected, so it is
    // assigned to them) and ends it at once, through the calls a visitor's client makes.
    const agent = await connectClient(suite.server, 'agent-dee');
    const guest = await connectClient(suite.server, 'guest-often');
    suite.clients.push(agent, guest);
    const serve = async () => {
      const started = await guest.startCustomService('busy-desk');
      assert.equal(started.agentId, 'agent-dee');
      await guest.stopCustomService('busy-desk');
      return started.sessionId;
    };
    const sessionIds: number[] = [];
    for (let i = 0; i < 105; i++) sessionIds.push(await serve());
    const newestFirst = [...sessionIds].reverse();

    const page = await openConsole(await agentBrowser(suite, script), suite.server, 'agent-dee');
    await tab(page, 'resolved').click();
    const rows = page.locator('im-agent-console [part="session-list"] > li');
    await rows.nth(99).waitFor();
    const shownIds = async () => (await rows.evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-session-id')))));
    assert.deepEqual(await shownIds(), newestFirst.slice(0, 100), 'the newest 100');
    const more = page.locator('im-agent-console [part="load-more-button"]');
    await more.scrollIntoViewIfNeeded();
    await expectSeen(more, 'Load more, at the end of the list');

    // By keyboard: the next page comes, the button goes (nothing more), the focus goes to the first row added.
    await more.focus();
    await page.keyboard.press('Enter');
    await more.waitFor({ state: 'detached' });
    assert.deepEqual(await shownIds(), newestFirst);
    assert.equal(await page.evaluate(() => document.querySelector('im-agent-console')!.shadowRoot!.activeElement?.closest('li')?.getAttribute('data-session-id')),
      String(newestFirst[100]));
    // Scrolled to, as the agent would, the oldest session shows.
    await row(page, newestFirst[104]!).scrollIntoViewIfNeeded();
    await expectSeen(row(page, newestFirst[104]!), 'the oldest session');

    // Another session ends: the list in view loads again, as deep as it was, each session once.
    const latest = await serve();
    await row(page, latest).waitFor();
    assert.deepEqual(await shownIds(), [latest, ...newestFirst]);
    await page.context().close();
  });

  it('under 900px folds the session list and the visitor pane behind toggles', async () => {
    const page = await openConsole(await agentBrowser(suite, script), suite.server, 'agent-ann', 800);
    const sessionsToggle = page.locator('im-agent-console [part="pane-toggle"][aria-controls="sessions-pane"]');
    const detailsToggle = page.locator('im-agent-console [part="pane-toggle"][aria-controls="details-pane"]');
    await expectSeen(sessionsToggle, 'the Sessions toggle');
    await expectSeen(detailsToggle, 'the details toggle');
    assert.equal(await tab(page, 'mine').isVisible(), false, 'the session list is folded away');
    await sessionsToggle.click();
    assert.equal(await sessionsToggle.getAttribute('aria-expanded'), 'true');
    await expectSeen(tab(page, 'queued'), 'the tabs, once shown');
    await detailsToggle.click();
    assert.equal(await tab(page, 'mine').isVisible(), false, 'one side pane at a time');
    await expectSeen(page.locator('im-agent-console [part="away-button"]'), 'the details pane');
    await page.context().close();
  });
});
