import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright';
import type { IMClient } from '../../src/core/client/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const IIFE = new URL('../../dist/im-widget.iife.js', import.meta.url).pathname;

/** The system Chromium (never a downloaded one), headless. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    headless: true,
    // Pages answered by the context (servePages) have no network address of their own, so
    // Chromium would treat their WebSocket to the loopback server as a public site reaching
    // into the local network.
    args: ['--disable-features=LocalNetworkAccessChecks'],
  });
}

/**
 * A reference server and a Chromium for the tests of one suite (registered as its before/after
 * hooks); `clients` are Node clients the tests made, disconnected at the end.
 */
export function useServerAndChromium(): { readonly server: TestServer; readonly browser: Browser; clients: IMClient[] } {
  const suite = { server: undefined as unknown as TestServer, browser: undefined as unknown as Browser, clients: [] as IMClient[] };
  before(async () => {
    suite.server = await startTestServer();
    suite.browser = await launchChromium();
  });
  after(async () => {
    await suite.browser?.close();
    for (const client of suite.clients) await client.disconnect();
    await suite.server?.dispose();
  });
  return suite;
}

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * Serves a site's page with the widget from the chat server's own origin (a secure context, as
 * Web Locks need), answered by the browser context itself: the page is what a site would paste,
 * one script tag and one element; the chat server behind it is the real one.
 */
export async function servePages(context: BrowserContext, server: TestServer): Promise<void> {
  await context.route(`${server.url}/__site/**`, async (route) => {
    const url = new URL(route.request().url());
    // The script and the sibling modules it imports on first use (emoji data, lazy parts).
    const sibling = /^\/__site\/(im-emoji-data|im-widget-[a-z-]+)\.js$/.exec(url.pathname);
    if (url.pathname === '/__site/im-widget.iife.js' || sibling) {
      const file = sibling ? new URL(`../../dist/${sibling[1]}.js`, import.meta.url).pathname : IIFE;
      await route.fulfill({ contentType: 'text/javascript', body: readFileSync(file) });
      return;
    }
    const token = url.searchParams.get('token') ?? '';
    const peer = url.searchParams.get('peer') ?? '';
    await route.fulfill({
      contentType: 'text/html; charset=utf-8',
      body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>site</title>
<script src="/__site/im-widget.iife.js"></script></head><body>
<im-chat server="${escapeAttribute(server.wsUrl)}" token="${escapeAttribute(token)}" target-id="${escapeAttribute(peer)}"
  ${url.searchParams.has('cache') ? `cache="${escapeAttribute(url.searchParams.get('cache')!)}"` : ''}></im-chat>
</body></html>`,
    });
  });
}

/** A browser profile (its own storage, locks and cookies: one device) that serves the site pages. */
export async function newDevice(browser: Browser, server: TestServer): Promise<BrowserContext> {
  const context = await browser.newContext();
  // Failing waits fail within a test's budget, with Playwright's message.
  context.setDefaultTimeout(15_000);
  await servePages(context, server);
  return context;
}

/** Opens the site page for a user (a new tab of the context) and waits for the widget's session. */
export async function openChatPage(context: BrowserContext, server: TestServer, token: string, peer: string, extra = ''): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${server.url}/__site/page.html?token=${encodeURIComponent(token)}&peer=${encodeURIComponent(peer)}${extra}`);
  await page.waitForFunction(() => (document.querySelector('im-chat') as { session?: unknown } | null)?.session !== undefined);
  return page;
}

/** Texts of the open conversation's messages with their send status, as the store holds them. */
export function shownMessages(page: Page): Promise<Array<{ text: string; status: string }>> {
  return page.evaluate(() => {
    const chat = document.querySelector('im-chat') as unknown as {
      session: { state: { activeKey?: string; windows: Record<string, { items: Array<{ content: { content?: string }; status: string }> }> } };
    };
    const state = chat.session.state;
    const items = state.activeKey ? state.windows[state.activeKey]?.items ?? [] : [];
    return items.map((item) => ({ text: String(item.content.content ?? ''), status: item.status }));
  });
}

export const CONNECTED = 0;

/** The widget's connection status, as its store says. */
export const statusOf = (page: Page) => page.evaluate(() => (document.querySelector('im-chat') as unknown as { session: { state: { status: number } } }).session.state.status);

export const waitForStatus = (page: Page, connected: boolean) => page.waitForFunction((want) => {
  const chat = document.querySelector('im-chat') as unknown as { session?: { state: { status: number } } } | null;
  return chat?.session !== undefined && (chat.session.state.status === 0) === want;
}, connected);

/** Types into the widget's composer and presses Enter, as a user does. */
export async function typeAndSend(page: Page, text: string): Promise<void> {
  const input = page.locator('im-composer textarea');
  await input.fill(text);
  await input.press('Enter');
}

/** Waits until the open conversation shows exactly these texts with these statuses (in this order). */
export async function waitForShown(page: Page, expected: Array<{ text: string; status: string }>): Promise<void> {
  try {
    await page.waitForFunction((want) => {
      const chat = document.querySelector('im-chat') as unknown as {
        session?: { state: { activeKey?: string; windows: Record<string, { items: Array<{ content: { content?: string }; status: string }> }> } };
      } | null;
      const state = chat?.session?.state;
      const items = state?.activeKey ? state.windows[state.activeKey]?.items ?? [] : [];
      return JSON.stringify(items.map((item) => ({ text: String(item.content.content ?? ''), status: item.status }))) === JSON.stringify(want);
    }, expected, { timeout: 15_000 });
  } catch (error) {
    assert.deepEqual(await shownMessages(page), expected, (error as Error).message);
  }
}


/**
 * Evaluates `predicate` in the page until it returns something truthy (it may be async, which
 * `page.waitForFunction` does not wait for: a pending promise is truthy).
 */
export async function until(page: Page, predicate: (arg: string) => unknown, arg: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await page.evaluate(predicate, arg))) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${predicate.toString().slice(0, 200)}`);
  }
}
