import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import type { IMClient } from '../../src/core/client/client.js';
import type { IMMessage } from '../../src/core/client/types.js';
import { connectClient, setServiceAgent, setServiceGroup, startTestServer, tokenFor, waitFor, type TestServer } from '../helpers/server.js';
import { launchChromium } from './pages.js';

// `<im-support>` as a site without a bundler embeds it: one classic script tag and one element,
// no import map. The script sits in a folder of its own (a CDN's), not beside the page: the
// panel and the emoji data are imported relative to the script, never to the page.

const DIST = new URL('../../dist/', import.meta.url).pathname;
const CDN_FOLDER = '/cdn/im-widget/dist/';
const PAGE = '/site/shop/page.html';
/** Another origin, as a real CDN is: module scripts from it need CORS, which it sends. */
const CROSS_ORIGIN_CDN = `https://cdn.example${CDN_FOLDER}`;

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

interface Site {
  /** Where the scripts come from (a folder URL). */
  cdn: string;
  /** With `<im-chat>` for this user (and its token), from dist/im-widget.iife.js loaded first. */
  widget?: { token: string; peer: string };
}

/**
 * Answers the page (PAGE) and the CDN's folder (dist/) from the browser context; anything else
 * under /site/ or the CDN's origin is a 404. Every request and every failed response is recorded.
 */
async function serve(context: BrowserContext, server: TestServer, site: Site, log: { requests: string[]; failed: string[] }): Promise<void> {
  context.on('request', (request) => void log.requests.push(request.url()));
  context.on('response', (response) => {
    if (response.status() >= 400) log.failed.push(`${response.status()} ${response.url()}`);
  });
  context.on('requestfailed', (request) => void log.failed.push(`${request.failure()?.errorText} ${request.url()}`));
  const cdn = new URL(site.cdn);
  const handler = async (route: Parameters<Parameters<BrowserContext['route']>[1]>[0]) => {
    const url = new URL(route.request().url());
    if (url.origin === cdn.origin && url.pathname.startsWith(cdn.pathname)) {
      const file = normalize(join(DIST, decodeURIComponent(url.pathname.slice(cdn.pathname.length))));
      if (file.startsWith(DIST) && file.endsWith('.js')) {
        return route.fulfill({ contentType: 'text/javascript', headers: { 'access-control-allow-origin': '*' }, body: readFileSync(file) });
      }
    }
    if (url.origin === server.url && url.pathname === PAGE) {
      const widget = site.widget
        ? `<script src="${site.cdn}im-widget.iife.js"></script>
<im-chat server="${escapeAttribute(server.wsUrl)}" token="${escapeAttribute(site.widget.token)}" target-id="${escapeAttribute(site.widget.peer)}" style="display:block;width:600px;height:500px"></im-chat>`
        : '';
      return route.fulfill({
        contentType: 'text/html; charset=utf-8',
        body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A shop</title></head><body>
<main><h1>A shop</h1><p>Content of the site.</p></main>
${widget}
<script src="${site.cdn}im-support.iife.js" async></script>
<im-support server="${escapeAttribute(server.wsUrl)}" group="sales"></im-support>
</body></html>`,
      });
    }
    return route.fulfill({ status: 404, body: '' });
  };
  await context.route(`${server.url}/site/**`, handler);
  await context.route(`${server.url}/cdn/**`, handler);
  if (cdn.origin !== server.url) await context.route(`${cdn.origin}/**`, handler);
}

/**
 * Waits until what `locator` finds is what a person sees: visible, sized, inside the viewport,
 * and a pointer at its centre lands on it (or on something inside it, through shadow roots).
 */
async function waitSeen(page: Page, locator: Locator, what: string): Promise<void> {
  await locator.waitFor({ state: 'visible' });
  const element = await locator.elementHandle();
  try {
    await page.waitForFunction((target) => {
      if (!target) return false;
      const box = target.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || box.left < 0 || box.top < 0 || box.right > innerWidth + 0.5 || box.bottom > innerHeight + 0.5) return false;
      const x = box.left + box.width / 2;
      const y = box.top + box.height / 2;
      let hit = document.elementFromPoint(x, y);
      while (hit && hit.shadowRoot) {
        const inner = hit.shadowRoot.elementFromPoint(x, y);
        if (!inner || inner === hit) break;
        hit = inner;
      }
      for (let node: Node | null = hit; node; node = node.parentNode ?? (node as ShadowRoot).host ?? null) if (node === target) return true;
      return false;
    }, element, { timeout: 10_000 });
  } catch (error) {
    assert.fail(`${what}: not in view and on top at its centre (${(error as Error).message.split('\n')[0]})`);
  } finally {
    await element?.dispose();
  }
}

const textOf = (message: IMMessage) => (message.content as TextMessage).content;

describe('<im-support> from one script tag (dist/im-support.iife.js, no import map; Chromium, real server)', () => {
  let server: TestServer;
  let browser: Browser;
  const clients: IMClient[] = [];
  before(async () => {
    server = await startTestServer({ extra: ['--cs-visitors'] });
    browser = await launchChromium();
    await setServiceGroup(server, { groupId: 'sales', name: 'Sales', mode: 'human' });
    await setServiceAgent(server, 'sales-ann', ['sales']);
  });
  after(async () => {
    await browser?.close();
    for (const client of clients) await client.disconnect();
    await server?.dispose();
  });

  /** A connected Node client and the messages it hears. */
  const listener = async (userId: string) => {
    const client = await connectClient(server, userId);
    clients.push(client);
    const heard: IMMessage[] = [];
    client.on('message', (message) => void heard.push(message));
    const text = (content: string) => waitFor((check) => client.on('message', check),
      () => heard.find((message) => message.objectName === 'RC:TxtMsg' && textOf(message) === content), `${userId} hears "${content}"`);
    return { client, text };
  };

  let ann: ReturnType<typeof listener> | undefined;
  /** The sales team's agent (one connection for the suite). */
  const agent = () => (ann ??= listener('sales-ann'));

  /** Opens the site's page in a new browser profile; console errors and uncaught exceptions are collected. */
  const openSite = async (site: Site) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(15_000);
    const log = { requests: [] as string[], failed: [] as string[], errors: [] as string[] };
    await serve(context, server, site, log);
    const page = await context.newPage();
    page.on('pageerror', (error) => void log.errors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') log.errors.push(message.text());
    });
    await page.goto(`${server.url}${PAGE}`);
    return { context, page, log };
  };

  /** The visitor opens the panel from the bubble and says `text`; the agent hears it; returns the visitor's id. */
  const visitorSays = async (page: Page, agent: Awaited<ReturnType<typeof listener>>, text: string) => {
    const bubble = page.locator('im-support [part="bubble"]');
    await waitSeen(page, bubble, 'the bubble');
    await bubble.click();
    await waitSeen(page, page.locator('im-support [part="panel"]'), 'the panel');
    // The group's name in the header, once the server told it.
    await page.locator('im-support-panel').getByRole('heading', { name: 'Sales', exact: true }).first().waitFor();
    const input = page.locator('im-support-panel im-composer textarea');
    await waitSeen(page, input, 'the composer');
    await input.fill(text);
    await input.press('Enter');
    const heard = await agent.text(text);
    const visitorId = heard.senderUserId;
    assert.match(visitorId, /^visitor-/, 'an anonymous visitor');
    assert.deepEqual([heard.conversationType, heard.targetId], [ConversationType.CUSTOMER_SERVICE, `${visitorId}@sales`]);
    return visitorId;
  };

  /** The site's own `<im-chat>` works: its user sends to the peer and sees the answer; the emoji picker gets its full set from the CDN. */
  const siteChatWorks = async (page: Page, peer: Awaited<ReturnType<typeof listener>>, tag: string) => {
    const input = page.locator('im-chat im-composer textarea');
    await waitSeen(page, input, 'the site chat\'s composer');
    const text = `Hello from the shop page (${tag})`;
    await input.fill(text);
    await input.press('Enter');
    await peer.text(text);
    const answer = `Hello back (${tag})`;
    await peer.client.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'shop-user' }, new TextMessage({ content: answer }));
    await waitSeen(page, page.locator('im-chat im-message-list [part="bubble"]', { hasText: answer }), 'the answer in the site\'s chat');

    // Both script-tag builds find their sibling files on the CDN (a plain script from another
    // origin would resolve a relative import() against about:blank).
    const data = page.waitForResponse(`${CROSS_ORIGIN_CDN}im-emoji-data.js`);
    await page.locator('im-chat im-composer [part="emoji-button"]').click();
    assert.equal((await data).status(), 200);
    await waitSeen(page, page.locator('im-chat').getByRole('tab', { name: 'Smileys & Emotion' }), 'a category of the full emoji set in the site\'s chat');
  };

  it('the page has the script tag only: the bubble, the panel on click (fetched from the script\'s folder), a visitor\'s message reaches the agent and the answer shows', async () => {
    const ann = await agent();
    const cdn = `${server.url}${CDN_FOLDER}`;
    const { context, page, log } = await openSite({ cdn });

    // One global, the launcher's class, and <im-support> defined with it; nothing of the panel yet.
    await waitSeen(page, page.locator('im-support [part="bubble"]'), 'the bubble');
    assert.deepEqual(await page.evaluate(() => {
      const global = (window as unknown as { IMSupport?: Record<string, unknown> }).IMSupport;
      return [Object.keys(global ?? {}), customElements.get('im-support') === global?.ImSupport, customElements.get('im-support-panel') === undefined];
    }), [['ImSupport'], true, true]);
    assert.deepEqual(log.requests.filter((url) => url.endsWith('.js')), [`${cdn}im-support.iife.js`], 'the launcher alone until it is wanted');

    const visitorId = await visitorSays(page, ann, 'Do you ship to Norway?');
    // The panel came from beside the script (the page's folder has no such file: it would be a 404).
    assert.ok(log.requests.includes(`${cdn}im-support-panel.js`), `the panel from the script's folder: ${log.requests.join(', ')}`);
    assert.ok(!log.requests.some((url) => url.startsWith(`${server.url}/site/`) && !url.endsWith(PAGE)), 'nothing asked of the page\'s folder');

    // The agent's answer, in the visitor's panel.
    await ann.client.sendMessage({ conversationType: ConversationType.CUSTOMER_SERVICE, targetId: `${visitorId}@sales` }, new TextMessage({ content: 'Yes, in three days' }));
    await waitSeen(page, page.locator('im-support-panel im-message-list [part="bubble"]', { hasText: 'Yes, in three days' }), 'the agent\'s answer');

    // The emoji picker's full set: im-emoji-data.js, imported relative to the panel module.
    const data = page.waitForResponse(`${cdn}im-emoji-data.js`);
    await page.locator('im-support-panel im-composer [part="emoji-button"]').click();
    assert.equal((await data).status(), 200);
    await waitSeen(page, page.getByRole('tab', { name: 'Smileys & Emotion' }), 'a category of the full emoji set');

    assert.deepEqual(log.failed, [], 'no failed requests');
    assert.deepEqual(log.errors, [], 'no errors in the console');
    await context.close();
  });

  it('beside dist/im-widget.iife.js from a CDN of another origin: each element is defined once, and both the site\'s chat and the launcher work', async () => {
    const ann = await agent();
    const peer = await listener('shop-peer');
    const { context, page, log } = await openSite({ cdn: CROSS_ORIGIN_CDN, widget: { token: await tokenFor(server, 'shop-user'), peer: 'shop-peer' } });

    await visitorSays(page, ann, 'A question from a signed-in page');
    // The elements the panel shares with the widget: defined by the widget (loaded first), once.
    assert.deepEqual(await page.evaluate(() => {
      const widget = (window as unknown as { IMWidget: Record<string, unknown> }).IMWidget;
      return [customElements.get('im-chat-panel') === widget.ImChatPanel, customElements.get('im-message-list') === widget.ImMessageList,
        customElements.get('im-composer') === widget.ImComposer, customElements.get('im-emoji-picker') === widget.ImEmojiPicker];
    }), [true, true, true, true]);
    assert.ok(log.requests.includes(`${CROSS_ORIGIN_CDN}im-support-panel.js`), 'the panel from the CDN');

    await siteChatWorks(page, peer, 'widget first');

    assert.deepEqual(log.failed, [], 'no failed requests');
    assert.deepEqual(log.errors, [], 'no errors in the console');
    await context.close();
  });

  it('with dist/im-widget.iife.js loaded after the panel: the widget\'s chat works with the elements the panel defined', async () => {
    const ann = await agent();
    const peer = await listener('shop-peer');
    const { context, page, log } = await openSite({ cdn: CROSS_ORIGIN_CDN });
    await visitorSays(page, ann, 'A question before the site chat loads');
    assert.equal(await page.evaluate(() => 'IMWidget' in window), false);

    // The site's chat comes later (a lazy part of the site), and finds <im-chat-panel> and the
    // elements in it defined already, by the panel's copy.
    const token = await tokenFor(server, 'shop-user');
    await page.evaluate(async ({ cdn, server, token }) => {
      const script = document.createElement('script');
      script.src = `${cdn}im-widget.iife.js`;
      const loaded = new Promise((resolve, reject) => {
        script.onload = resolve;
        script.onerror = reject;
      });
      document.head.append(script);
      await loaded;
      const chat = document.createElement('im-chat');
      chat.setAttribute('server', server);
      chat.setAttribute('token', token);
      chat.setAttribute('target-id', 'shop-peer');
      chat.style.cssText = 'display:block;width:600px;height:500px';
      document.querySelector('main')!.after(chat);
    }, { cdn: CROSS_ORIGIN_CDN, server: server.wsUrl, token });
    assert.deepEqual(await page.evaluate(() => {
      const widget = (window as unknown as { IMWidget: Record<string, unknown> }).IMWidget;
      return [customElements.get('im-chat') === widget.ImChat, customElements.get('im-chat-panel') === widget.ImChatPanel];
    }), [true, false], 'im-chat from the widget, im-chat-panel from the panel');
    await siteChatWorks(page, peer, 'widget later');

    assert.deepEqual(log.failed, [], 'no failed requests');
    assert.deepEqual(log.errors, [], 'no errors in the console');
    await context.close();
  });
});
