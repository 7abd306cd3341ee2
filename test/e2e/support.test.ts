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
import { api, connectClient, startTestServer, waitFor, type TestServer } from '../helpers/server.js';
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
const MEASURE = `(selector, strict) => {
  // Each space-separated step is looked for in the light and shadow trees under the previous one.
  const find = (root, step) => {
    const here = root.querySelector(step);
    if (here) return here;
    for (const host of root.querySelectorAll('*')) {
      const inner = host.shadowRoot && find(host.shadowRoot, step);
      if (inner) return inner;
    }
    return null;
  };
  let element = document;
  for (const step of selector.split(/\\s+(?![^\\[]*\\])/)) {
    const scope = element;
    element = find(scope, step) || (scope.shadowRoot && find(scope.shadowRoot, step));
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

const measure = (page: Page, selector: string, strict = false) =>
  page.evaluate(`(${MEASURE})(${JSON.stringify(selector)}, ${strict})`) as Promise<SeenBox | null>;

/** Waits until `selector` is rendered, sized, inside the viewport and on top at its centre (checked each frame); returns its box. */
async function waitSeen(page: Page, selector: string, what: string): Promise<SeenBox> {
  try {
    await page.waitForFunction(`(${MEASURE})(${JSON.stringify(selector)}, true)`, undefined, { timeout: 10_000 });
  } catch {
    // The assertions below say what was there instead.
  }
  const box = await measure(page, selector);
  assert.ok(box, `${what}: rendered`);
  assert.ok(box.width > 0 && box.height > 0, `${what}: has a size`);
  assert.ok(box.left >= 0 && box.top >= 0 && box.right <= box.viewport.width + 0.5 && box.bottom <= box.viewport.height + 0.5, `${what}: inside the viewport`);
  assert.ok(box.onTop, `${what}: on top at its centre`);
  return box;
}

const service = (targetId: string) => ({ conversationType: ConversationType.CUSTOMER_SERVICE, targetId });
const textOf = (message: IMMessage) => (message.content as TextMessage).content;

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

  const setGroup = async (body: Record<string, unknown>) => {
    const { status, json } = await api(server, 'POST', '/api/cs/group/set', body);
    assert.equal(status, 200, JSON.stringify(json));
  };
  const setAgent = async (userId: string, groupIds: string[], cap = 5) => {
    const { status, json } = await api(server, 'POST', '/api/cs/agent/set', { userId, groupIds, cap });
    assert.equal(status, 200, JSON.stringify(json));
  };
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

    const opened = page.evaluate(() => new Promise<boolean>((resolve) => document.querySelector('im-support')!.addEventListener('im-open', (event) => resolve(event.bubbles && event.composed), { once: true })));
    await page.getByRole('button', { name: 'Chat with us' }).click();
    assert.equal(await opened, true, 'im-open, bubbling and composed');
    const panel = await waitSeen(page, 'im-support [part="panel"]', 'the panel');
    assert.ok(panel.bottom <= bubble.top, 'above the bubble');
    assert.ok(Math.abs(panel.width - 380) < 1 && Math.abs(panel.height - 600) < 1, `a 380×600 card (${panel.width}×${panel.height})`);
    await waitSeen(page, 'im-support-panel [part="header"] h2', 'the header');
    // The group's name, once the server told it (cs.info).
    await page.locator('im-support-panel [part="header"] h2', { hasText: 'Front desk' }).waitFor();

    // Escape closes it and gives the focus back to the bubble; Enter on the bubble opens it again.
    const closed = page.evaluate(() => new Promise<void>((resolve) => document.querySelector('im-support')!.addEventListener('im-close', () => resolve(), { once: true })));
    await page.keyboard.press('Escape');
    await closed;
    await page.locator('im-support [part="panel"]').waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.querySelector('im-support')!.shadowRoot!.activeElement?.getAttribute('part')), 'bubble');
    await page.keyboard.press('Enter');
    await waitSeen(page, 'im-support [part="panel"]', 'the panel, opened by keyboard');

    // A phone: the panel is the whole screen, and its close button works.
    await page.setViewportSize({ width: 400, height: 700 });
    const full = await waitSeen(page, 'im-support [part="panel"]', 'the full-screen panel');
    assert.deepEqual([full.left, full.top, full.width, full.height], [0, 0, 400, 700], 'the whole viewport');
    await page.locator('im-support-panel header button.close').click();
    await page.locator('im-support [part="panel"]').waitFor({ state: 'hidden' });
    await waitSeen(page, 'im-support [part="bubble"]', 'the bubble after closing');
    await context.close();
  });
});
