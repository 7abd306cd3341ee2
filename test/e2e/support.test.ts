import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import type { IMClient } from '../../src/core/client/client.js';
import type { IMMessage } from '../../src/core/client/types.js';
import type { CustomerRatingEvent } from '../../src/core/client/customer-service.js';
import {
  api, connectClient, startTestServer, waitFor, waitForConnections, type TestServer, setServiceAgent, setServiceGroup,
} from '../helpers/server.js';
import { launchChromium } from './pages.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * The ES module build needs Lit by its bare name: the page maps it to the installed packages,
 * as a site without a bundler does with an import map.
 */
const IMPORT_MAP = JSON.stringify({
  imports: {
    lit: '/__site/modules/lit/index.js',
    'lit/': '/__site/modules/lit/',
    'lit-html': '/__site/modules/lit-html/lit-html.js',
    'lit-html/': '/__site/modules/lit-html/',
    'lit-element/': '/__site/modules/lit-element/',
    '@lit/reactive-element': '/__site/modules/@lit/reactive-element/reactive-element.js',
    '@lit/reactive-element/': '/__site/modules/@lit/reactive-element/',
    '@lit/context': '/__site/modules/@lit/context/index.js',
  },
});

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * A site's page with the launcher, answered by the browser context from the chat server's
 * origin: one module script and one element (plus the import map for Lit); the chat server
 * behind it is the real one.
 */
async function serveSupportPages(context: BrowserContext, server: TestServer): Promise<void> {
  await context.route(`${server.url}/__site/**`, async (route) => {
    const url = new URL(route.request().url());
    const served = (base: string, prefix: string) => {
      const file = normalize(join(ROOT, base, decodeURIComponent(url.pathname.slice(prefix.length))));
      if (!file.startsWith(join(ROOT, base))) return route.fulfill({ status: 403, body: '' });
      return route.fulfill({ contentType: 'text/javascript', body: readFileSync(file) });
    };
    if (url.pathname.startsWith('/__site/dist/')) return served('dist', '/__site/dist/');
    if (url.pathname.startsWith('/__site/modules/')) return served('node_modules', '/__site/modules/');
    const attributes = ['group', 'position', 'user', 'token']
      .filter((name) => url.searchParams.has(name))
      .map((name) => `${name}="${escapeAttribute(url.searchParams.get(name)!)}"`).join(' ');
    return route.fulfill({
      contentType: 'text/html; charset=utf-8',
      body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>site</title>
<script type="importmap">${IMPORT_MAP}</script>
<script type="module" src="/__site/dist/im-support.js"></script></head><body>
<main><h1>A shop</h1><p>Content of the site.</p></main>
<im-support server="${escapeAttribute(server.wsUrl)}" ${attributes}></im-support>
</body></html>`,
    });
  });
}

/** The box of an element in the page, and whether a pointer at its centre lands on it. */
interface SeenBox {
  left: number; top: number; right: number; bottom: number; width: number; height: number; onTop: boolean;
  viewport: { width: number; height: number };
}

/**
 * Page-side source (a string: the test loader would wrap named functions in helpers the page
 * does not have): the SeenBox of what the selector finds through open shadow roots (each of its
 * space-separated steps inside the previous one's trees), or null
 * while it is not rendered; with `strict`, null also while it is not in view and on top.
 */
const MEASURE = `(selector, strict, text) => {
  // Each space-separated step is looked for in the light and shadow trees under the previous
  // one; the last must hold \`text\` when one is given.
  const steps = selector.split(/\\s+(?![^\\[]*\\])/);
  const find = (root, step, last) => {
    for (const here of root.querySelectorAll(step)) if (!last || !text || here.textContent.includes(text)) return here;
    for (const host of root.querySelectorAll('*')) {
      const inner = host.shadowRoot && find(host.shadowRoot, step, last);
      if (inner) return inner;
    }
    return null;
  };
  let element = document;
  for (const [index, step] of steps.entries()) {
    const scope = element;
    const last = index === steps.length - 1;
    element = find(scope, step, last) || (scope.shadowRoot && find(scope.shadowRoot, step, last));
    if (!element) return null;
  }
  if (!element || !element.checkVisibility({ opacityProperty: true, visibilityProperty: true })) return null;
  const box = element.getBoundingClientRect();
  const x = box.left + box.width / 2, y = box.top + box.height / 2;
  let hit = document.elementFromPoint(x, y);
  while (hit && hit.shadowRoot) {
    const inner = hit.shadowRoot.elementFromPoint(x, y);
    if (!inner || inner === hit) break;
    hit = inner;
  }
  // On top: the pointer reaches the element or something inside it (its light or shadow tree).
  let node = hit;
  while (node && node !== element) node = node.parentNode || node.host || null;
  const seen = { left: box.left, top: box.top, right: box.right, bottom: box.bottom, width: box.width, height: box.height,
    onTop: node === element, viewport: { width: innerWidth, height: innerHeight } };
  const inView = seen.onTop && seen.width > 0 && seen.height > 0 && seen.left >= 0 && seen.top >= 0
    && seen.right <= innerWidth + 0.5 && seen.bottom <= innerHeight + 0.5;
  return strict && !inView ? null : seen;
}`;

const measure = (page: Page, selector: string, strict = false, text = '') =>
  page.evaluate(`(${MEASURE})(${JSON.stringify(selector)}, ${strict}, ${JSON.stringify(text)})`) as Promise<SeenBox | null>;

/** Waits until `selector` (holding `text`, if given) is rendered, sized, inside the viewport and on top at its centre (checked each frame); returns its box. */
async function waitSeen(page: Page, selector: string, what: string, text = ''): Promise<SeenBox> {
  try {
    await page.waitForFunction(`(${MEASURE})(${JSON.stringify(selector)}, true, ${JSON.stringify(text)})`, undefined, { timeout: 10_000 });
  } catch {
    // The assertions below say what was there instead.
  }
  const box = await measure(page, selector, false, text);
  assert.ok(box, `${what}: rendered`);
  assert.ok(box.width > 0 && box.height > 0, `${what}: has a size`);
  assert.ok(box.left >= 0 && box.top >= 0 && box.right <= box.viewport.width + 0.5 && box.bottom <= box.viewport.height + 0.5, `${what}: inside the viewport`);
  assert.ok(box.onTop, `${what}: on top at its centre`);
  return box;
}

const service = (targetId: string) => ({ conversationType: ConversationType.CUSTOMER_SERVICE, targetId });
const textOf = (message: IMMessage) => (message.content as TextMessage).content;

/**
 * Starts listening for the next `type` event that reaches the document (so it bubbles, and
 * crosses the shadow roots it started in), with `detail.count` of at least `minCount` when
 * given; resolves, once the listener is in place, to a function that waits for its detail.
 */
async function listen<T>(page: Page, type: string, minCount?: number, notUserId?: string): Promise<() => Promise<T>> {
  const slot = await page.evaluate(([type, minCount, notUserId]) => {
    const heard = ((window as unknown as { heard?: unknown[] }).heard ??= []);
    const index = heard.push(undefined) - 1;
    document.addEventListener(type, (event) => {
      const detail = (event as CustomEvent<{ count?: number; userId?: string }>).detail;
      if (heard[index] !== undefined || (minCount !== undefined && (detail.count ?? -1) < minCount)) return;
      if (notUserId !== undefined && detail.userId === notUserId) return;
      heard[index] = detail;
    });
    return index;
  }, [type, minCount, notUserId] as const);
  return async () => {
    const found = await page.waitForFunction((index) => (window as unknown as { heard: unknown[] }).heard[index], slot, { timeout: 10_000 });
    return found.jsonValue() as Promise<T>;
  };
}

/** The anonymous visitor this browser keeps for the server. */
const storedVisitor = (page: Page) => page.evaluate(() => {
  const entry = Object.keys(localStorage).find((key) => key.startsWith('im-support:visitor:'));
  return entry ? JSON.parse(localStorage.getItem(entry)!) as { userId: string; token: string } : undefined;
});

describe('<im-support>, the visitor\'s launcher (Chromium, real server)', () => {
  let server: TestServer;
  let browser: Browser;
  const clients: IMClient[] = [];
  before(async () => {
    server = await startTestServer({ extra: ['--cs-visitors'] });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    for (const client of clients) await client.disconnect();
    await server?.dispose();
  });

  const setGroup = (body: Record<string, unknown>) => setServiceGroup(server, body);
  const setAgent = (userId: string, groupIds: string[], cap?: number) => setServiceAgent(server, userId, groupIds, cap);
  const agent = async (userId: string) => {
    const client = await connectClient(server, userId);
    clients.push(client);
    const heard: IMMessage[] = [];
    const ratings: CustomerRatingEvent[] = [];
    client.on('message', (message) => heard.push(message));
    client.on('customerServiceRating', (rating) => ratings.push(rating));
    const on = (check: () => void) => {
      const offs = [client.on('message', check), client.on('customerServiceRating', check)];
      return () => offs.forEach((off) => off());
    };
    return {
      client, heard, ratings,
      text: (content: string) => waitFor(on, () => heard.find((m) => m.objectName === 'RC:TxtMsg' && textOf(m) === content), `the agent hears "${content}"`),
      rating: () => waitFor(on, () => ratings[0], 'a rating'),
    };
  };
  const device = async (viewport = { width: 1280, height: 800 }) => {
    const context = await browser.newContext({ viewport });
    context.setDefaultTimeout(15_000);
    await serveSupportPages(context, server);
    return context;
  };
  const openSite = async (context: BrowserContext, query = '') => {
    const page = await context.newPage();
    await page.goto(`${server.url}/__site/shop.html${query}`);
    return page;
  };

  it('shows a round bubble at the bottom-right, on top of the page; opens a card above it by click or keyboard; full screen at 400px', async () => {
    await setGroup({ groupId: 'front', name: 'Front desk', mode: 'human' });
    const context = await device();
    const page = await openSite(context, '?group=front');
    const bubble = await waitSeen(page, 'im-support [part="bubble"]', 'the bubble');
    assert.ok(Math.abs(bubble.width - 56) < 1 && Math.abs(bubble.height - 56) < 1, `56px round (${bubble.width}×${bubble.height})`);
    assert.equal(await page.locator('im-support [part="bubble"]').evaluate((element) => getComputedStyle(element).borderRadius), '50%');
    assert.ok(bubble.viewport.width - bubble.right >= 19 && bubble.viewport.width - bubble.right <= 21, 'near the right edge');
    assert.ok(bubble.viewport.height - bubble.bottom >= 19 && bubble.viewport.height - bubble.bottom <= 21, 'near the bottom edge');
    assert.equal(await page.locator('im-support [part="panel"]').count(), 0, 'no panel (nor Lit, nor the core) before it is wanted');
    assert.equal(await page.getByRole('button', { name: 'Chat with us' }).getAttribute('aria-expanded'), 'false');

    const opened = await listen(page, 'im-open');
    await page.getByRole('button', { name: 'Chat with us' }).click();
    assert.deepEqual(await opened(), {}, 'im-open reaches the document');
    const panel = await waitSeen(page, 'im-support [part="panel"]', 'the panel');
    assert.ok(panel.bottom <= bubble.top, 'above the bubble');
    assert.ok(Math.abs(panel.width - 380) < 1 && Math.abs(panel.height - 600) < 1, `a 380×600 card (${panel.width}×${panel.height})`);
    await waitSeen(page, 'im-support-panel [part="header"] h2', 'the header');
    // The group's name, once the server told it (cs.info).
    await page.locator('im-support-panel [part="header"] h2', { hasText: 'Front desk' }).waitFor();

    // Escape closes it and gives the focus back to the bubble; Enter on the bubble opens it again.
    const closed = await listen(page, 'im-close');
    await page.keyboard.press('Escape');
    await closed();
    await page.locator('im-support [part="panel"]').waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.querySelector('im-support')!.shadowRoot!.activeElement?.getAttribute('part')), 'bubble');
    await page.keyboard.press('Enter');
    await waitSeen(page, 'im-support [part="panel"]', 'the panel, opened by keyboard');

    // A phone: the panel is the whole screen, and its close button works.
    await page.setViewportSize({ width: 400, height: 700 });
    const full = await waitSeen(page, 'im-support [part="panel"]', 'the full-screen panel');
    assert.deepEqual([full.left, full.top, full.width, full.height], [0, 0, 400, 700], 'the whole viewport');
    await waitSeen(page, 'im-support-panel im-composer [part="send-button"]', 'the send button, not covered by the bubble');
    await page.locator('im-support-panel header button.close').click();
    await page.locator('im-support [part="panel"]').waitFor({ state: 'hidden' });
    await waitSeen(page, 'im-support [part="bubble"]', 'the bubble after closing');
    await context.close();
  });

  // One visitor through a whole conversation with the sales team; the tests after the first go on from there.
  const sales = { context: undefined as unknown as BrowserContext, page: undefined as unknown as Page, visitorId: '', sessionId: 0,
    ann: undefined as unknown as Awaited<ReturnType<typeof agent>> };

  it('asks for the pre-chat form with messages for what is missing or wrong, then queues the visitor with their place in line', async () => {
    await setGroup({
      groupId: 'sales', name: 'Sales', mode: 'human',
      preChatFields: [
        { name: 'name', label: 'Your name', type: 'text', required: true },
        { name: 'email', label: 'Email', type: 'email', required: true },
        { name: 'topic', label: 'Topic', type: 'select', options: ['Billing', 'Delivery'], required: true },
      ],
    });
    // Cap 0: nobody is assigned by itself, the visitor waits in line until the agent takes them.
    await setAgent('sales-ann', ['sales'], 0);
    sales.ann = await agent('sales-ann');
    sales.context = await device();
    const page = sales.page = await openSite(sales.context, '?group=sales');
    const identity = await listen<{ userId: string; anonymous: boolean }>(page, 'im-identity');
    await page.getByRole('button', { name: 'Chat with us' }).click();
    const who = await identity();
    assert.match(who.userId, /^visitor-[A-Za-z0-9_-]{22}$/, 'an anonymous visitor, minted on first open');
    assert.equal(who.anonymous, true);
    assert.equal((await storedVisitor(page))?.userId, who.userId, 'kept in this browser');
    sales.visitorId = who.userId;

    const panel = page.locator('im-support-panel');
    await waitSeen(page, 'im-support-panel label[for="field-name"]', 'the form\'s first field');
    await panel.getByRole('button', { name: 'Start chat' }).click();
    const nameError = panel.getByText('Your name is required');
    await nameError.waitFor();
    await waitSeen(page, 'im-support-panel #field-name-error', 'the message for the empty name');
    await panel.getByText('Email is required').waitFor();
    assert.equal(await panel.getByLabel('Your name').getAttribute('aria-invalid'), 'true');
    assert.equal(await panel.getByLabel('Your name').evaluate((input) => input === (input.getRootNode() as ShadowRoot).activeElement), true, 'the focus on the first field to fix');
    assert.equal((await sales.ann.client.getCustomerSessions()).length, 0, 'nothing started');

    await panel.getByLabel('Your name').fill('Vera');
    await panel.getByLabel('Email').fill('vera-at-example');
    await panel.getByLabel('Topic').selectOption('Delivery');
    await panel.getByRole('button', { name: 'Start chat' }).click();
    await panel.getByText('Enter an email address, like name@example.com').waitFor();
    assert.equal(await nameError.count(), 0, 'the name is fine now');
    await panel.getByLabel('Email').fill('vera@example.com');
    await panel.getByRole('button', { name: 'Start chat' }).click();

    await page.getByText('You are number 1 in line').waitFor();
    await waitSeen(page, 'im-support-panel .queue', 'the place in line');
    await waitSeen(page, 'im-support-panel im-composer textarea', 'the composer');
    const [session] = await sales.ann.client.getCustomerSessions();
    assert.ok(session, 'a session for the agent to take');
    assert.deepEqual([session.visitorId, session.status, session.visitorInfo], [sales.visitorId, 'queued', { name: 'Vera', email: 'vera@example.com', topic: 'Delivery' }],
      'the form went with the session');
    sales.sessionId = session.sessionId;
  });

  it('carries the visitor\'s message to the agent, and the agent\'s answer shows on the badge while the panel is closed', async () => {
    const { page, ann } = sales;
    await ann.client.takeCustomerSession(sales.sessionId);
    await page.locator('im-support-panel .queue').waitFor({ state: 'detached' });

    const input = page.locator('im-support-panel im-composer textarea');
    await input.fill('Where is my parcel?');
    await input.press('Enter');
    const question = await ann.text('Where is my parcel?');
    assert.deepEqual([question.targetId, question.senderUserId], [`${sales.visitorId}@sales`, sales.visitorId]);

    const closed = await listen(page, 'im-close');
    await page.locator('im-support-panel header button.close').click();
    await closed();
    const unread = await listen<{ count: number }>(page, 'im-unread-change', 1);
    await ann.client.sendMessage(service(`${sales.visitorId}@sales`), new TextMessage({ content: 'It ships today' }));
    assert.deepEqual(await unread(), { count: 1 }, 'im-unread-change reaches the document from inside the launcher');
    const badge = await waitSeen(page, 'im-support [part="badge"]', 'the badge');
    const bubble = await measure(page, 'im-support [part="bubble"]');
    assert.ok(bubble && badge.right > bubble.right - 16 && badge.top < bubble.top + 16, 'on the bubble\'s upper right');
    assert.equal(await page.locator('im-support [part="badge"]').textContent(), '1');
    assert.equal(await page.locator('im-support [part="badge"]').getAttribute('aria-label'), '1 unread message');
    await page.getByRole('button', { name: 'Chat with us (1 unread message)' }).waitFor();

    // Opened, the answer is in view: read, and the badge goes.
    await page.getByRole('button', { name: 'Chat with us (1 unread message)' }).click();
    await waitSeen(page, 'im-support-panel im-message-list [part="bubble"]', 'the answer', 'It ships today');
    await page.locator('im-support [part="badge"]').waitFor({ state: 'hidden' });
  });

  it('keeps the anonymous visitor and the conversation across a reload', async () => {
    const { page } = sales;
    const before = await storedVisitor(page);
    // The answer was read when the panel showed it; wait until the server has that read too, or
    // the reload would rightly count the answer again.
    await page.waitForFunction(async () => {
      const panel = document.querySelector('im-support')!.shadowRoot!.querySelector('im-support-panel') as
        { session?: { client: { getConversationList(): Promise<Array<{ conversationType: number; unreadCount: number }>> } } } | null;
      const conversations = await panel?.session?.client.getConversationList();
      return conversations?.find((c) => c.conversationType === 5)?.unreadCount === 0;
    }, undefined, { polling: 100 });
    await page.reload();
    // A returning visitor: the panel loads while the page is idle, so the badge is live before any click.
    // Started (cache, connection, the server's conversation list, the group's info) and nothing unread yet.
    await page.waitForFunction(() => {
      const support = document.querySelector('im-support') as HTMLElement & { unreadCount: number };
      const panel = support.shadowRoot!.querySelector('im-support-panel') as { info?: unknown } | null;
      return panel?.info !== undefined && support.unreadCount === 0;
    }, undefined, { polling: 100 });
    const unread = await listen<{ count: number }>(page, 'im-unread-change', 1);
    await sales.ann.client.sendMessage(service(`${sales.visitorId}@sales`), new TextMessage({ content: 'Are you still there?' }));
    assert.deepEqual(await unread(), { count: 1 }, 'counted before the panel was ever opened on this page');
    await waitSeen(page, 'im-support [part="badge"]', 'the badge, live after the reload');
    await page.getByRole('button', { name: 'Chat with us (1 unread message)' }).click();
    await waitSeen(page, 'im-support-panel im-message-list [part="bubble"]', 'the new answer', 'Are you still there?');
    await waitSeen(page, 'im-support-panel im-message-list [part="bubble"]', 'the agent\'s answer, after the reload', 'It ships today');
    await waitSeen(page, 'im-support-panel im-message-list [part="bubble"]', 'the visitor\'s question, after the reload', 'Where is my parcel?');
    const after = await storedVisitor(page);
    assert.equal(after?.userId, before?.userId, 'the same visitor');
    assert.equal(await page.locator('im-support-panel form').count(), 0, 'an ongoing session: no form again');
  });

  it('asks for a rating once the agent resolves the conversation: 1–5 stars and a comment, sent once', async () => {
    const { page, ann } = sales;
    await ann.client.resolveCustomerSession(sales.sessionId);
    const panel = page.locator('im-support-panel');
    await panel.getByRole('group', { name: 'How was your conversation?' }).waitFor();
    await waitSeen(page, 'im-support-panel .rating legend', 'the rating prompt');
    // Not rated before a reload: asked again after it, under the conversation.
    await page.reload();
    await page.getByRole('button', { name: 'Chat with us' }).click();
    await waitSeen(page, 'im-support-panel .rating legend', 'the rating prompt after a reload');
    await waitSeen(page, 'im-support-panel im-message-list [part="bubble"]', 'the conversation above it', 'It ships today');
    const stars = panel.getByRole('radio');
    assert.equal(await stars.count(), 5, 'five stars, as radio buttons');
    await panel.getByRole('button', { name: 'Send rating' }).click();
    await panel.getByText('Choose from 1 to 5 stars').waitFor();
    await panel.getByTitle('4 stars').click();
    assert.equal(await panel.getByRole('radio', { name: '4 stars' }).isChecked(), true, 'a click on the star chooses it');
    await panel.getByLabel('Comment (optional)').fill('Quick & kind <b>thanks</b>');
    await panel.getByRole('button', { name: 'Send rating' }).click();
    await waitSeen(page, 'im-support-panel .rating .thanks', 'the thanks');
    assert.equal(await panel.getByRole('button', { name: 'Send rating' }).count(), 0, 'no second rating');
    const rating = await ann.rating();
    assert.deepEqual([rating.sessionId, rating.score, rating.comment], [sales.sessionId, 4, 'Quick & kind <b>thanks</b>']);
    assert.equal(ann.ratings.length, 1, 'rated once');
  });

  it('downloads the conversation as a text file, without the agents\' notes', async () => {
    const { page, ann } = sales;
    await ann.client.addCustomerSessionNote(sales.sessionId, 'Internal: VIP customer');
    const button = page.getByRole('button', { name: 'Download the conversation' });
    await waitSeen(page, 'im-support-panel header button.transcript', 'the download button');
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    assert.match(download.suggestedFilename(), /^Sales-\d{4}-\d{2}-\d{2}\.txt$/);
    const text = readFileSync((await download.path())!, 'utf8');
    assert.match(text, /^\uFEFFSales\n/, 'titled with the group');
    assert.match(text, /\] You: Where is my parcel\?/);
    assert.match(text, /\] Support team: It ships today/, 'the agent, without a profile name');
    assert.match(text, /— The agent has resolved this conversation\. —/);
    assert.doesNotMatch(text, /VIP/, 'no notes');
  });

  it('after a resolve the visitor writes on without the form again; the answers go with the new session; "Not now" puts the rating off for good', async () => {
    const { page, ann } = sales;
    await page.reload();
    await page.getByRole('button', { name: 'Chat with us' }).click();
    await waitSeen(page, 'im-support-panel im-composer textarea', 'the composer, not the form');
    assert.equal(await page.locator('im-support-panel .rating legend').count(), 0, 'rated: not asked again');
    assert.equal(await page.locator('im-support-panel form .field').count(), 0, 'no pre-chat form');
    // The follow-up waits in the queue (the agent's cap is 0): the agent hears of it as a waiting count.
    let waiting = 0;
    const queued = waitFor((check) => ann.client.on('customerServiceWaiting', (event) => {
      if (event.groupId === 'sales') waiting = event.waiting;
      check();
    }), () => waiting > 0, 'a visitor waiting in sales');
    const input = page.locator('im-support-panel im-composer textarea');
    await input.fill('One more question');
    await input.press('Enter');
    await queued;
    const [followUp] = await ann.client.getCustomerSessions('queued');
    assert.ok(followUp && followUp.sessionId !== sales.sessionId, 'a new session');
    assert.deepEqual(followUp.visitorInfo, { name: 'Vera', email: 'vera@example.com', topic: 'Delivery' }, 'with the answers given before');
    await ann.client.takeCustomerSession(followUp.sessionId);
    await ann.client.resolveCustomerSession(followUp.sessionId);
    await waitSeen(page, 'im-support-panel .rating legend', 'the prompt for the follow-up');
    await page.locator('im-support-panel').getByRole('button', { name: 'Not now' }).click();
    await page.locator('im-support-panel .rating').waitFor({ state: 'detached' });
    await page.reload();
    await page.getByRole('button', { name: 'Chat with us' }).click();
    await waitSeen(page, 'im-support-panel im-message-list [part="bubble"]', 'the conversation', 'One more question');
    assert.equal(await page.locator('im-support-panel .rating').count(), 0, 'put off: not asked after the reload');
    await sales.context.close();
  });

  it('outside business hours: the offline message, when the team is back in the visitor\'s time, and a message left instead', async () => {
    // Open one hour, three days from now (UTC): closed today whatever the time.
    const opening = new Date();
    opening.setUTCDate(opening.getUTCDate() + 3);
    opening.setUTCHours(9, 0, 0, 0);
    const day = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][opening.getUTCDay()]!;
    await setGroup({
      groupId: 'night', name: 'Night desk', mode: 'human', offlineMessage: 'We answer <b>one hour</b> a week.',
      hours: { timeZone: 'UTC', weekly: { [day]: [['09:00', '10:00']] } },
    });
    await setAgent('night-nick', ['night']);
    const nick = await agent('night-nick');
    // The visitor is in Tokyo: the opening shows in their own time (09:00 UTC is 18:00 there).
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'Asia/Tokyo', locale: 'en-US' });
    context.setDefaultTimeout(15_000);
    await serveSupportPages(context, server);
    const page = await openSite(context, '?group=night');
    await page.getByRole('button', { name: 'Chat with us' }).click();
    const panel = page.locator('im-support-panel');
    await waitSeen(page, 'im-support-panel .offline-message', 'the offline message');
    assert.equal(await panel.locator('.offline-message').textContent(), 'We answer <b>one hour</b> a week.', 'as text, not HTML');
    const expected = new Intl.DateTimeFormat('en-US', { weekday: 'long', hour: 'numeric', minute: '2-digit', timeZone: 'Asia/Tokyo' }).format(opening);
    const backAt = await panel.locator('.back-at').textContent();
    assert.equal(backAt?.replace(/\s/g, ' '), `We'll be back ${expected.replace(/\s/g, ' ')}`);
    assert.match(backAt!, /6:00/, 'in the visitor\'s time zone');
    assert.equal(await panel.locator('im-composer').count(), 0, 'no conversation to write in while no one would answer');

    await panel.getByRole('button', { name: 'Send' }).click();
    await panel.getByText('Email is required').waitFor();
    await waitSeen(page, 'im-support-panel #field-message-error', 'the message for the empty message');
    await panel.getByLabel('Email').fill('owl@example.com');
    await panel.getByLabel('Name').fill('Owl');
    await panel.getByRole('textbox', { name: /^Message/ }).fill('Call me back <script>x</script>');
    await panel.getByRole('button', { name: 'Send' }).click();
    await waitSeen(page, 'im-support-panel .thanks', 'the thank-you');
    assert.equal(await panel.locator('form').count(), 0, 'the form is done');
    const tickets = await nick.client.getCustomerServiceTickets();
    assert.deepEqual(tickets.map((ticket) => [ticket.groupId, ticket.email, ticket.name, ticket.message]),
      [['night', 'owl@example.com', 'Owl', 'Call me back <script>x</script>']], 'the agents of the group find the ticket');
    await context.close();
  });

  it('while a robot answers, "Talk to a person" hands the visitor to an agent', async () => {
    await setGroup({ groupId: 'bot', name: 'Help', mode: 'robot', welcome: 'Hi, I answer first.', faq: [{ keywords: ['price'], answer: 'It costs 5 euros.' }] });
    await setAgent('bot-bea', ['bot']);
    const bea = await agent('bot-bea');
    const context = await device();
    const page = await openSite(context, '?group=bot');
    await page.getByRole('button', { name: 'Chat with us' }).click();
    const input = page.locator('im-support-panel im-composer textarea');
    await input.fill('What is the price?');
    await input.press('Enter');
    await waitSeen(page, 'im-support-panel im-message-list [part="bubble"]', 'the robot\'s answer', 'It costs 5 euros.');
    const talk = page.locator('im-support-panel').getByRole('button', { name: 'Talk to a person' });
    await talk.waitFor();
    await waitSeen(page, 'im-support-panel .talk-to-human', 'the button to a person');
    await talk.click();
    await talk.waitFor({ state: 'detached' });
    const visitorId = (await storedVisitor(page))!.userId;
    const [session] = (await bea.client.getCustomerSessions()).filter((s) => s.visitorId === visitorId);
    assert.deepEqual([session?.status, session?.agentId], ['open', 'bot-bea'], 'an agent serves the visitor now');
    await bea.client.sendMessage(service(`${visitorId}@bot`), new TextMessage({ content: 'Bea here, how can I help?' }));
    await waitSeen(page, 'im-support-panel im-message-list [part="bubble"]', 'the agent\'s message', 'Bea here, how can I help?');
    await context.close();
  });

  it('reset() forgets the anonymous visitor; identify() switches to a verified identity', async () => {
    const context = await device();
    const page = await openSite(context, '?group=front');
    const first = await listen<{ userId: string; anonymous: boolean }>(page, 'im-identity');
    await page.getByRole('button', { name: 'Chat with us' }).click();
    const anonymous = await first();
    assert.equal(anonymous.anonymous, true);

    const second = await listen<{ userId: string; anonymous: boolean }>(page, 'im-identity');
    await page.evaluate(() => (document.querySelector('im-support') as unknown as { reset(): Promise<void> }).reset());
    const fresh = await second();
    assert.equal(fresh.anonymous, true);
    assert.notEqual(fresh.userId, anonymous.userId, 'a new visitor');
    assert.equal((await storedVisitor(page))?.userId, fresh.userId, 'the old one is forgotten here');

    const token = (await api(server, 'POST', '/api/user/token', { userId: 'member-mia' })).json.token as string;
    const third = await listen<{ userId: string; anonymous: boolean }>(page, 'im-identity');
    await page.evaluate((token) => (document.querySelector('im-support') as unknown as { identify(identity: { userId: string; token: string }): Promise<void> })
      .identify({ userId: 'member-mia', token }), token);
    assert.deepEqual(await third(), { userId: 'member-mia', anonymous: false });
    await page.locator('im-support-panel [part="header"] h2', { hasText: 'Front desk' }).waitFor();
    await waitSeen(page, 'im-support-panel im-composer textarea', 'the composer, signed in');
    await context.close();
  });

  it('a visitor with the site in two tabs holds one connection; what is written in one shows in the other; reset() in one signs both out', async () => {
    await setGroup({ groupId: 'duo', name: 'Duo desk', mode: 'human' });
    await setAgent('duo-dan', ['duo']);
    const dan = await agent('duo-dan');
    // Every earlier test closed its browser context: the agents' clients are all that is left.
    await waitForConnections(server, clients.length);
    const context = await device();
    const first = await openSite(context, '?group=duo');
    await first.getByRole('button', { name: 'Chat with us' }).click();
    await waitSeen(first, 'im-support-panel im-composer textarea', 'the composer in the first tab');
    const second = await openSite(context, '?group=duo');
    await second.getByRole('button', { name: 'Chat with us' }).click();
    await waitSeen(second, 'im-support-panel im-composer textarea', 'the composer in the second tab');
    await waitForConnections(server, clients.length + 1);

    const input = first.locator('im-support-panel im-composer textarea');
    await input.fill('Written in the first tab');
    await input.press('Enter');
    await dan.text('Written in the first tab');
    await waitSeen(second, 'im-support-panel im-message-list [part="bubble"]', 'the message, in the second tab', 'Written in the first tab');
    const visitorId = (await storedVisitor(first))!.userId;
    await dan.client.sendMessage(service(`${visitorId}@duo`), new TextMessage({ content: 'Dan answers both' }));
    await waitSeen(first, 'im-support-panel im-message-list [part="bubble"]', 'the answer, first tab', 'Dan answers both');
    await waitSeen(second, 'im-support-panel im-message-list [part="bubble"]', 'the answer, second tab', 'Dan answers both');

    // Forgotten in one tab: the other tab's panel, open, goes on as the new visitor, not the old one.
    // (A late event of the tab's own start may still name the old visitor: only a new one counts.)
    const renamed = await listen<{ userId: string; anonymous: boolean }>(second, 'im-identity', undefined, visitorId);
    await first.evaluate(() => (document.querySelector('im-support') as unknown as { reset(): Promise<void> }).reset());
    const fresh = await renamed();
    assert.match(fresh.userId, /^visitor-/, 'the second tab is a new visitor too');
    assert.notEqual(fresh.userId, visitorId);
    await second.locator('im-support-panel im-message-list [part="bubble"]', { hasText: 'Dan answers both' }).waitFor({ state: 'detached' });
    await waitSeen(second, 'im-support-panel im-composer textarea', 'the composer, for the new visitor');
    await context.close();
  });
});
