import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright';
import { ConversationType, ErrorCode } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import type { IMError } from '../../src/core/client/errors.js';
import { connectClient, tokenFor } from '../helpers/server.js';
import { newDevice, openChatPage, useServerAndChromium, waitForStatus } from './pages.js';

const headerDot = (page: Page, label: string) =>
  page.locator(`im-chat-panel [part="title"] [part="presence"][aria-label="${label}"]`).waitFor({ state: 'visible' });

describe('presence and the blacklist in two tabs of one user (Chromium)', () => {
  const suite = useServerAndChromium();

  it('both tabs show the peer\'s status and follow it; a block in one tab shows in the other; the blocked send is refused', async () => {
    const bob = await connectClient(suite.server, 'soc-bob');
    suite.clients.push(bob);
    await bob.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'soc-alice' }, new TextMessage({ content: 'hi' }));
    const device = await newDevice(suite.browser, suite.server);
    const first = await openChatPage(device, suite.server, await tokenFor(suite.server, 'soc-alice'), 'soc-bob');
    await waitForStatus(first, true);
    const second = await openChatPage(device, suite.server, await tokenFor(suite.server, 'soc-alice'), 'soc-bob');
    await waitForStatus(second, true);

    await headerDot(first, 'Online');
    await headerDot(second, 'Online');
    await bob.setUserStatus('away');
    await headerDot(first, 'Away');
    await headerDot(second, 'Away');

    await first.locator('im-chat-panel [part="menu-button"]').click();
    await first.getByRole('menuitem', { name: 'Block' }).click();
    const dialog = first.getByRole('alertdialog');
    await dialog.waitFor({ state: 'visible' });
    assert.match(await dialog.innerText(), /Block soc-bob\?/);
    await dialog.getByRole('button', { name: 'Block' }).click();
    await first.locator('im-chat-panel [part="blocked-notice"]').waitFor({ state: 'visible' });
    await second.locator('im-chat-panel [part="blocked-notice"]').waitFor({ state: 'visible' });

    await assert.rejects(bob.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'soc-alice' }, new TextMessage({ content: 'blocked' })),
      (error: IMError) => error.code === ErrorCode.REJECTED_BY_BLACKLIST);

    await second.locator('im-chat-panel [part="blocked-notice"]').getByRole('button', { name: 'Unblock' }).click();
    await first.locator('im-chat-panel [part="blocked-notice"]').waitFor({ state: 'hidden' });
    await bob.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'soc-alice' }, new TextMessage({ content: 'after' }));
    await first.locator('im-message-list [part="bubble"]', { hasText: 'after' }).waitFor({ state: 'visible' });
    assert.equal(await first.locator('im-message-list [part="bubble"]', { hasText: 'blocked' }).count(), 0, 'the refused message never shows');
    await device.close();
  });
});
