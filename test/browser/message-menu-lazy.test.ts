// A message's menu and its readers are drawn by the actions chunk (src/components/internal/
// actions.ts, src/components/message-list/message-menu.ts), not by the list's own module. Here the
// chunk's request fails, then is held by the network (Playwright's routing, the `route` command of
// web-test-runner.config.mjs), in a page where nothing loaded it before (this file alone imports it).
import { expect, fixture, html } from '@open-wc/testing';
import { resetMouse, sendKeys, sendMouse } from '@web/test-runner-commands';
import '../../src/components/index.js';
import { actionsChunk } from '../../src/components/internal/actions.js';
import type { ImMessageList } from '../../src/components/message-list/message-list.js';
import { ChatSession } from '../../src/core/client/chat-session.js';
import { TextMessage } from '../../src/core/messages/index.js';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { settle } from './frames.js';
import { createGroup, liveClients, storeReaches } from './live.js';
import { clickOn, expectSeen, isShown, untilShown } from './seen.js';
import { routeModule } from './network.js';

const route = (mode: 'pass' | 'fail' | 'hold') => routeModule('actions-chunk', mode);

type Rect = { left: number; top: number; width: number; height: number };
const centre = (box: Rect): [number, number] => [Math.round(box.left + box.width / 2), Math.round(box.top + box.height / 2)];

/** The menu, when it shows (rendered, with a size). */
const shownMenu = (list: ImMessageList) => {
  const menu = list.shadowRoot!.querySelector<HTMLElement>('[part="menu"]');
  return isShown(menu) ? menu! : null;
};
const menuItems = (menu: HTMLElement) => [...menu.querySelectorAll<HTMLElement>('[part="menu-item"]')];
/** The action of the menu item holding the focus. */
const focusedAction = (list: ImMessageList) => (list.shadowRoot!.activeElement as HTMLElement | null)?.dataset.action;
const rowOf = (list: ImMessageList, id: string) => list.shadowRoot!.querySelector<HTMLElement>(`[part="row"][data-id="${id}"]`)!;
const actionsButton = (list: ImMessageList, id: string) => rowOf(list, id).querySelector<HTMLButtonElement>('[part="actions-button"]')!;

/** Every action of the menu is seen and in reach of the pointer. */
function expectActionsSeen(menu: HTMLElement, actions: string[]): void {
  expect(menuItems(menu).map((item) => item.dataset.action)).to.deep.equal(actions);
  for (const item of menuItems(menu)) expectSeen(item, `the menu's ${item.dataset.action}`);
}

describe('the message menu and the readers when their chunk comes after they were asked for', () => {
  const { connect, track } = liveClients();
  afterEach(async () => {
    await route('pass');
    await resetMouse();
  });

  it('are not in the list\'s module; a failed fetch opens nothing, and what was asked for while it was on its way opens on its arrival', async () => {
    expect(actionsChunk.module, 'not loaded before').to.equal(undefined);
    await route('fail');
    await createGroup('lazy-menu-club', ['lmn-ann', 'lmn-bob', 'lmn-cat']);
    const bob = await connect('lmn-bob');
    const club = { conversationType: ConversationType.GROUP, targetId: 'lazy-menu-club' };
    const session = track(new ChatSession(await connect('lmn-ann')));
    await session.start();
    await session.open(club);
    const own = await session.send(club, new TextMessage({ content: 'who reads this?' }));
    await bob.clearUnreadCount(club, own.seq);
    await bob.sendMessage(club, new TextMessage({ content: 'I did' }));
    const theirs = await storeReaches(session, (state) => state.windows['3:lazy-menu-club']?.items.find((item) => item.senderUserId === 'lmn-bob'));
    const list = await fixture<ImMessageList>(html`<im-message-list lang="en" theme="light" style="display: flex; height: 420px; width: 440px"
      .session=${session} conversation-type=${club.conversationType} target-id=${club.targetId}></im-message-list>`);
    await untilShown(() => rowOf(list, theirs.id));
    await settle(list);

    // The list shows its messages, their ⋯ and receipts buttons, without the chunk.
    expect(actionsChunk.module, 'the list renders without it').to.equal(undefined);
    const button = actionsButton(list, theirs.id);
    const receipts = rowOf(list, own.id).querySelector<HTMLButtonElement>('[part~="receipts-button"]')!;
    expectSeen(receipts, 'the receipts button');
    expect(list.shadowRoot!.querySelector('[part="menu"]')).to.equal(null);

    // The chunk cannot be fetched (offline): a press on ⋯ opens nothing, and says so.
    await sendMouse({ type: 'move', position: centre(rowOf(list, theirs.id).querySelector('[part="bubble"]')!.getBoundingClientRect()) });
    await clickOn(button);
    await actionsChunk.load().catch(() => undefined);
    await settle(list);
    expect(shownMenu(list), 'no menu without the chunk').to.equal(null);
    expect(button.getAttribute('aria-expanded')).to.equal('false');
    expect(actionsChunk.module).to.equal(undefined);

    // On its way: the readers asked for with the pointer, the menu from the keyboard. Neither
    // shows yet, and neither button claims to have opened something.
    await route('hold');
    await clickOn(receipts);
    button.focus();
    await sendKeys({ press: 'Enter' });
    await settle(list);
    expect(shownMenu(list), 'no menu yet').to.equal(null);
    expect(isShown(list.shadowRoot!.querySelector('[part="readers"]')), 'no readers yet').to.equal(false);
    expect(button.getAttribute('aria-expanded')).to.equal('false');
    expect(button.hasAttribute('aria-controls')).to.equal(false);
    expect(receipts.getAttribute('aria-expanded')).to.equal('false');
    expect(list.shadowRoot!.activeElement, 'the focus stays on ⋯ meanwhile').to.equal(button);
    expect(actionsChunk.module, 'still on its way').to.equal(undefined);

    // It comes: the menu opens below its ⋯ button with the focus on its first action, as it
    // always does, and the readers show under the own message.
    await route('pass');
    const menu = await untilShown(() => shownMenu(list));
    await settle(list);
    expect(focusedAction(list), 'the first action has the focus').to.equal('copy');
    expect(button.getAttribute('aria-expanded')).to.equal('true');
    expect(button.getAttribute('aria-controls')).to.equal('message-menu');
    expect(button.getAttribute('aria-haspopup')).to.equal('menu');
    expect(menu.getAttribute('role')).to.equal('menu');
    expect(menu.getBoundingClientRect().top, 'below its button').to.be.at.least(button.getBoundingClientRect().bottom);
    expectActionsSeen(menu, ['copy', 'reply', 'delete']);
    await sendKeys({ press: 'ArrowDown' });
    expect(focusedAction(list)).to.equal('reply');
    await sendKeys({ press: 'End' });
    expect(focusedAction(list)).to.equal('delete');
    await sendKeys({ press: 'ArrowDown' });
    expect(focusedAction(list), 'round to the first').to.equal('copy');
    await sendKeys({ press: 'Escape' });
    await settle(list);
    expect(shownMenu(list)).to.equal(null);
    expect(list.shadowRoot!.activeElement, 'Escape gives the focus back to ⋯').to.equal(button);
    expect(button.getAttribute('aria-expanded')).to.equal('false');

    const count = () => list.shadowRoot!.querySelector('[part="readers"] .readers-count');
    await untilShown(() => isShown(count()) && count()!.textContent!.trim() === 'Read by 1 of 2');
    expectSeen(list.shadowRoot!.querySelector('[part="readers"]'), 'the readers');
    expect(receipts.getAttribute('aria-expanded')).to.equal('true');
    expect([...list.shadowRoot!.querySelectorAll('[part="readers"] ul')].map((ul) => [...ul.querySelectorAll('li')].map((li) => li.textContent!.trim())))
      .to.deep.equal([['lmn-bob'], ['lmn-cat']]);
    // Their styles came with the chunk: a box apart from the row, like the menu's.
    expect(getComputedStyle(list.shadowRoot!.querySelector('[part="readers"]')!).borderTopStyle).to.equal('solid');
    await clickOn(receipts);
    await settle(list);
    expect(list.shadowRoot!.querySelector('[part="readers"]')).to.equal(null);
  });

  it('once here, opens from the keyboard at once: focus on the first action, arrows, Tab closes back to ⋯', async () => {
    // The previous test loaded it; a new page would have it fetched on intent or when idle.
    await actionsChunk.load();
    const bob = await connect('lmk-bob');
    const chat = { conversationType: ConversationType.PRIVATE, targetId: 'lmk-bob' };
    const session = track(new ChatSession(await connect('lmk-ann')));
    await session.start();
    await bob.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'lmk-ann' }, new TextMessage({ content: 'menu me' }));
    await session.open(chat);
    const item = await storeReaches(session, (state) => state.windows['1:lmk-bob']?.items[0]);
    const list = await fixture<ImMessageList>(html`<im-message-list lang="en" theme="light" style="display: flex; height: 420px; width: 440px"
      .session=${session} conversation-type=${chat.conversationType} target-id=${chat.targetId}></im-message-list>`);
    await untilShown(() => rowOf(list, item.id));
    await settle(list);
    const button = actionsButton(list, item.id);
    button.focus();
    await sendKeys({ press: 'Enter' });
    await list.updateComplete;
    const menu = shownMenu(list);
    expect(menu, 'shown with the update that asked for it').to.not.equal(null);
    expect(focusedAction(list)).to.equal('copy');
    expect(button.getAttribute('aria-expanded')).to.equal('true');
    await settle(list);
    expectActionsSeen(menu!, ['copy', 'reply', 'delete']);
    await sendKeys({ press: 'ArrowUp' });
    expect(focusedAction(list), 'round to the last').to.equal('delete');
    await sendKeys({ press: 'Home' });
    expect(focusedAction(list)).to.equal('copy');
    await sendKeys({ press: 'Tab' });
    await settle(list);
    expect(shownMenu(list)).to.equal(null);
    expect(list.shadowRoot!.activeElement).to.equal(button);
  });
});
