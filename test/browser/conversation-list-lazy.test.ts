import { expect, fixture, html } from '@open-wc/testing';
import { resetMouse, sendKeys, sendMouse } from '@web/test-runner-commands';
import '../../src/components/index.js';
import type { ImConversationList } from '../../src/components/conversation-list/conversation-list.js';
import { actionsChunk } from '../../src/components/internal/actions.js';
import { ChatSession } from '../../src/core/client/chat-session.js';
import { TextMessage } from '../../src/core/messages/index.js';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { liveClients, storeReaches } from './live.js';
import { clickOn, expectSeen, isShown, untilShown } from './seen.js';
import { routeModule } from './network.js';

// The conversation list's row menu, search results and "New conversation" form are drawn by the
// actions chunk (src/components/internal/actions.ts). Here its request fails, then is held by the
// network (the `route` command of web-test-runner.config.mjs), in a page where nothing loaded it
// before (this file alone imports it), then the chunk comes and each part works as a person uses it.

const route = (mode: 'pass' | 'fail' | 'hold') => routeModule('actions-chunk', mode);

describe('<im-conversation-list> when the chunk of its menus, results and form comes late', () => {
  const { connect, track } = liveClients();
  afterEach(async () => {
    await route('pass');
    await resetMouse();
  });

  /** `user`'s list, shown once its row of the conversation `peer` started with `text` is. */
  async function listWithOne(user: string, peer: string, text: string) {
    const sender = await connect(peer);
    await sender.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: user }, new TextMessage({ content: text }));
    const session = track(new ChatSession(await connect(user)));
    await session.start();
    await storeReaches(session, (state) => state.conversations.byKey[`1:${peer}`]);
    const list = await fixture<ImConversationList>(html`<im-conversation-list lang="en" theme="light" style="height: 480px; width: 360px"
      .session=${session}></im-conversation-list>`);
    const inList = <T extends HTMLElement>(selector: string) => list.shadowRoot!.querySelector<T>(selector);
    const row = await untilShown(() => isShown(inList(`li[data-key="1:${peer}"]`)) && inList(`li[data-key="1:${peer}"]`));
    return { session, list, inList, row };
  }

  it('shows a row menu opened before the chunk once it comes (a retry when it could not be fetched), the focus in it; pin and the keyboard work', async () => {
    expect(actionsChunk.module, 'not loaded before').to.equal(undefined);
    await route('fail');
    const { session, list, inList, row } = await listWithOne('lzl-ann', 'lzl-bob', 'parcel on its way');
    const menu = () => inList('[part="conversation-menu"]');
    const items = () => [...list.shadowRoot!.querySelectorAll<HTMLElement>('[part="conversation-menu"] [role="menuitem"]')];

    // Offline: the "New conversation" form gives way to a retry, and its button controls nothing yet.
    const opener = inList('[part="new-conversation-button"]')!;
    await clickOn(opener);
    const formRetry = await untilShown(() => isShown(inList('[part="header"] .retry')) && inList('[part="header"] .retry'));
    expectSeen(formRetry, 'the retry in place of the form');
    expect(opener.getAttribute('aria-expanded')).to.equal('false');
    expect(opener.hasAttribute('aria-controls')).to.equal(false);
    await clickOn(opener);
    await untilShown(() => inList('[part="header"] .retry') === null);

    // A right click on the row gives a menu of one item, to try again.
    const box = row.getBoundingClientRect();
    const openByRightClick = () => sendMouse({ type: 'click', button: 'right', position: [Math.round(box.left + 40), Math.round(box.top + box.height / 2)] });
    await openByRightClick();
    let retry = await untilShown(() => isShown(menu()) && items()[0]);
    expectSeen(retry, 'the retry in the menu');
    expect(retry.textContent).to.equal('Could not load. Retry');
    await untilShown(() => list.shadowRoot!.activeElement === retry);
    // Tried again, still offline: there again, focused; the focus going elsewhere (the search box) closes it, as it does the real menu.
    await clickOn(retry);
    await untilShown(() => isShown(items()[0]) && list.shadowRoot!.activeElement === items()[0]);
    await clickOn(inList('[part="search"] input')!);
    await untilShown(() => menu() === null);
    await openByRightClick();
    retry = await untilShown(() => isShown(menu()) && items()[0]);

    // Tried again while the chunk is on its way: nothing yet; it comes: the menu, focus on its first item.
    await route('hold');
    await clickOn(retry);
    await untilShown(() => !isShown(menu()));
    expect(actionsChunk.module, 'still on its way').to.equal(undefined);
    await route('pass');
    const pin = await untilShown(() => items().length === 2 && items()[0]);
    expectSeen(pin, 'Pin to top');
    expect(items().map((item) => item.textContent!.trim())).to.deep.equal(['Pin to top', 'Mute notifications']);
    await untilShown(() => list.shadowRoot!.activeElement === pin);
    expect(menu()!.getAttribute('aria-label')).to.equal('Actions for lzl-bob');

    // The keyboard moves in it; Pin pins, on the server, and the row shows it.
    await sendKeys({ press: 'ArrowDown' });
    expect(list.shadowRoot!.activeElement, 'ArrowDown: Mute').to.equal(items()[1]);
    await sendKeys({ press: 'ArrowDown' });
    expect(list.shadowRoot!.activeElement, 'and round to Pin').to.equal(pin);
    await sendKeys({ press: 'Enter' });
    await storeReaches(session, (state) => state.conversations.byKey['1:lzl-bob']?.pinned);
    const mark = await untilShown(() => inList('li[data-key="1:lzl-bob"] .mark[title="Pinned"]'));
    expectSeen(mark, 'the pinned mark');
    expect(menu(), 'closed by the choice').to.equal(null);
    expect(list.shadowRoot!.activeElement, 'the focus back on the row').to.equal(inList('li[data-key="1:lzl-bob"]'));

    // From the keyboard: Shift+F10 on the focused row, Escape closes, the focus back on the row.
    await sendKeys({ press: 'Shift+F10' });
    const unpin = await untilShown(() => isShown(menu()) && items()[0]);
    expect(unpin.textContent!.trim()).to.equal('Unpin');
    expect(list.shadowRoot!.activeElement).to.equal(unpin);
    // Home and End, as in any menu; ArrowUp from the first item goes round to the last.
    await sendKeys({ press: 'End' });
    expect(list.shadowRoot!.activeElement, 'End: the last item').to.equal(items()[1]);
    await sendKeys({ press: 'Home' });
    expect(list.shadowRoot!.activeElement, 'Home: the first item').to.equal(unpin);
    await sendKeys({ press: 'ArrowUp' });
    expect(list.shadowRoot!.activeElement, 'ArrowUp from the first: round to the last').to.equal(items()[1]);
    await sendKeys({ press: 'Escape' });
    expect(menu()).to.equal(null);
    await untilShown(() => list.shadowRoot!.activeElement === inList('li[data-key="1:lzl-bob"]'));
  });

  it('with the chunk here: the results of a search open the conversation; the form refuses an empty id and starts one with a good id', async () => {
    const { list, inList } = await listWithOne('lzs-ann', 'lzs-bob', 'the invoice is attached');
    expect(actionsChunk.module, 'loaded in the test before (one page)').to.not.equal(undefined);

    await clickOn(inList('[part="search"] input')!);
    await sendKeys({ type: 'invoice' });
    const result = await untilShown(() => {
      const found = inList('[part="search-results"] button[data-key="1:lzs-bob"]');
      return isShown(found) && found;
    });
    expectSeen(result, 'the conversation found');
    expect(result.textContent).to.contain('the invoice is attached');
    const selected = new Promise<CustomEvent>((resolve) => list.addEventListener('im-conversation-select', (event) => resolve(event as CustomEvent), { once: true }));
    await clickOn(result);
    expect((await selected).detail).to.deep.equal({ conversationType: 1, targetId: 'lzs-bob' });

    // The form: an empty id is refused where it is typed, a good one starts the conversation.
    await clickOn(inList('[part="new-conversation-button"]')!);
    const input = await untilShown(() => list.shadowRoot!.activeElement === inList('#new-conversation-id') && inList<HTMLInputElement>('#new-conversation-id'));
    expectSeen(input, 'the user id field');
    const opener = inList('[part="new-conversation-button"]')!;
    expect(opener.getAttribute('aria-expanded')).to.equal('true');
    expect(list.shadowRoot!.getElementById(opener.getAttribute('aria-controls')!), 'the button controls the form').to.equal(inList('[part="new-conversation-form"]'));
    await sendKeys({ press: 'Enter' });
    const error = await untilShown(() => isShown(inList('[part="new-conversation-form"] [role="alert"]')) && inList('[part="new-conversation-form"] [role="alert"]'));
    expectSeen(error, 'why the id is refused');
    const started = new Promise<CustomEvent>((resolve) => list.addEventListener('im-conversation-start', (event) => resolve(event as CustomEvent), { once: true }));
    await sendKeys({ type: 'lzs-cat' });
    await sendKeys({ press: 'Enter' });
    expect((await started).detail).to.deep.equal({ conversationType: 1, targetId: 'lzs-cat' });
    await untilShown(() => !isShown(inList('[part="new-conversation-form"]')));
  });
});
