import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import { connectClient, tokenFor } from '../helpers/server.js';
import { newDevice, openChatPage, useServerAndChromium, waitForStatus } from './pages.js';

/** The conversation's row in the page's list. */
const row = (page: Page, key: string) => page.locator(`im-conversation-list li[data-key="${key}"]`);
const mark = (page: Page, key: string, title: 'Pinned' | 'Muted') => row(page, key).locator(`.mark[title="${title}"]`);

describe('pin and do-not-disturb follow the user to their other devices (Chromium)', () => {
  const suite = useServerAndChromium();

  it('a pin made on one device shows on the other and in its other tab, a mute made there shows on the first, and both are there on a new device', async () => {
    const bob = await connectClient(suite.server, 'set-bob');
    suite.clients.push(bob);
    await bob.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'set-ann' }, new TextMessage({ content: 'hello Ann' }));
    const key = '1:set-bob';
    const open = async () => {
      const page = await openChatPage(await newDevice(suite.browser, suite.server), suite.server, await tokenFor(suite.server, 'set-ann'), 'set-bob');
      await waitForStatus(page, true);
      await row(page, key).waitFor({ state: 'visible' });
      return page;
    };
    const phone = await open();
    const laptop = await open();
    // A second tab of the phone: it shares the phone's connection (the server's change comes back to it).
    const phoneTab = await openChatPage(phone.context(), suite.server, await tokenFor(suite.server, 'set-ann'), 'set-bob');
    await waitForStatus(phoneTab, true);
    await row(phoneTab, key).waitFor({ state: 'visible' });
    assert.equal(await mark(laptop, key, 'Pinned').count(), 0);

    // The phone pins from the row's menu (a right click).
    await row(phone, key).click({ button: 'right' });
    await phone.getByRole('menuitem', { name: 'Pin to top' }).click();
    await mark(phone, key, 'Pinned').waitFor({ state: 'visible' });
    await mark(laptop, key, 'Pinned').waitFor({ state: 'visible' });
    await mark(phoneTab, key, 'Pinned').waitFor({ state: 'visible' });

    // The laptop mutes from the keyboard: the row focused, Shift+F10, Enter on the item.
    await row(laptop, key).focus();
    await laptop.keyboard.press('Shift+F10');
    const mute = laptop.getByRole('menuitem', { name: 'Mute notifications' });
    await mute.waitFor({ state: 'visible' });
    await laptop.keyboard.press('ArrowDown');
    await laptop.keyboard.press('Enter');
    await mark(laptop, key, 'Muted').waitFor({ state: 'visible' });
    await mark(phone, key, 'Muted').waitFor({ state: 'visible' });
    await mark(phoneTab, key, 'Muted').waitFor({ state: 'visible' });
    assert.equal(await laptop.getByRole('menu').count(), 0, 'the menu closed');

    // A device that never saw either change has both from the server.
    const tablet = await open();
    await mark(tablet, key, 'Pinned').waitFor({ state: 'visible' });
    await mark(tablet, key, 'Muted').waitFor({ state: 'visible' });

    // Unpinned on the tablet: gone on the phone.
    await row(tablet, key).click({ button: 'right' });
    await tablet.getByRole('menuitem', { name: 'Unpin' }).click();
    await mark(phone, key, 'Pinned').waitFor({ state: 'detached' });
    await mark(phoneTab, key, 'Pinned').waitFor({ state: 'detached' });
    await mark(phone, key, 'Muted').waitFor({ state: 'visible' });

    // Unmuted from the phone's second tab (a call through the leading tab): the first tab follows.
    await row(phoneTab, key).click({ button: 'right' });
    await phoneTab.getByRole('menuitem', { name: 'Unmute' }).click();
    await mark(phone, key, 'Muted').waitFor({ state: 'detached' });
    await mark(laptop, key, 'Muted').waitFor({ state: 'detached' });
  });
});
