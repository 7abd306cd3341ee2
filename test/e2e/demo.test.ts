import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, FrameLocator, Page } from 'playwright';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { launchChromium } from './pages.js';

/** The page box of what `selector` finds in the frame, once it is visible. */
async function boxOf(frame: FrameLocator | Page, selector: string) {
  const locator = frame.locator(selector).first();
  await locator.waitFor({ state: 'visible' });
  const box = await locator.boundingBox();
  assert.ok(box && box.width > 0 && box.height > 0, `${selector} has a size`);
  return box;
}

/** The page scrolls neither way beyond the viewport's width. */
const pageWidth = (page: Page) => page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, viewport: innerWidth }));

describe('the demo page (--demo) in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  before(async () => {
    server = await startTestServer({ extra: ['--demo'] });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('at 1280px: Alice and Bob side by side, each with list and conversation, each other listed, writing at once', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    const alice = page.frameLocator('iframe[title="Alice\'s chat"]');
    const bob = page.frameLocator('iframe[title="Bob\'s chat"]');
    const [aliceFrame, bobFrame] = [await boxOf(page, 'iframe[title="Alice\'s chat"]'), await boxOf(page, 'iframe[title="Bob\'s chat"]')];
    assert.equal(Math.round(aliceFrame.y), Math.round(bobFrame.y), 'side by side');
    assert.ok(aliceFrame.x + aliceFrame.width <= bobFrame.x, 'Alice left of Bob, not overlapping');
    assert.ok(bobFrame.x + bobFrame.width <= 1280, 'Bob inside the window');
    assert.ok(aliceFrame.y + aliceFrame.height <= 800 && bobFrame.y + bobFrame.height <= 800, 'both frames whole in the window');
    const width = await pageWidth(page);
    assert.ok(width.scroll <= width.viewport, `no sideways scrolling (${width.scroll} > ${width.viewport})`);

    for (const [frame, frameBox, peer] of [[alice, aliceFrame, 'bob'], [bob, bobFrame, 'alice']] as const) {
      const list = await boxOf(frame, 'im-chat im-conversation-list');
      const panel = await boxOf(frame, 'im-chat im-chat-panel');
      assert.ok(list.x + list.width <= panel.x + 1, 'the list beside the conversation');
      assert.ok(panel.x + panel.width <= frameBox.x + frameBox.width + 1, 'the conversation inside the frame');
      assert.ok(panel.width >= 280, `room to read (${panel.width}px)`);
      const row = await boxOf(frame, `im-conversation-list li[data-key="1:${peer}"]`);
      assert.ok(row.y >= list.y && row.y + row.height <= list.y + list.height, `${peer}'s row in view`);
      await boxOf(frame, 'im-conversation-list [part="new-conversation-button"]');
    }

    // Alice opens the seeded chat and answers; Bob sees it in his list straight away.
    await alice.locator('im-conversation-list li[data-key="1:bob"]').click();
    const input = alice.locator('im-composer textarea');
    await input.waitFor({ state: 'visible' });
    await input.fill('hello Bob, from the demo');
    await input.press('Enter');
    await bob.locator('im-conversation-list li[data-key="1:alice"] [part="preview"]', { hasText: 'hello Bob, from the demo' }).waitFor({ state: 'visible' });
    await context.close();
  });

  it('on a phone: the frames one above the other, nothing wider than the screen', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    const aliceFrame = await boxOf(page, 'iframe[title="Alice\'s chat"]');
    const bobFrame = await boxOf(page, 'iframe[title="Bob\'s chat"]');
    assert.ok(bobFrame.y >= aliceFrame.y + aliceFrame.height, 'stacked');
    for (const frame of [aliceFrame, bobFrame]) assert.ok(frame.x >= 0 && frame.x + frame.width <= 390, 'as wide as the screen at most');
    assert.ok(aliceFrame.height >= 400, 'tall enough to use');
    const width = await pageWidth(page);
    assert.ok(width.scroll <= width.viewport, `no sideways scrolling (${width.scroll} > ${width.viewport})`);
    // One pane at a time inside: the list first.
    await boxOf(page.frameLocator('iframe[title="Alice\'s chat"]'), 'im-conversation-list li[data-key="1:bob"]');
    await context.close();
  });
});
