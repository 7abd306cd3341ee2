import { expect, fixture, html } from '@open-wc/testing';
import { resetMouse, sendKeys, sendMouse, setViewport } from '@web/test-runner-commands';
import '../../src/components/index.js';
import type { ImChatPanel } from '../../src/components/chat-panel/chat-panel.js';
import type { ImComposer } from '../../src/components/composer/composer.js';
import type { ImEmojiPicker } from '../../src/components/emoji-picker/emoji-picker.js';
import { ChatSession } from '../../src/core/client/chat-session.js';
import type { TextMessage } from '../../src/core/messages/index.js';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { liveClients, receives } from './live.js';
import { boxInViewport, clickOn, expectSeen, isShown, untilShown } from './seen.js';

const expectWithin = (inner: DOMRect, outer: DOMRect, what: string) => {
  expect(inner.left, `${what}: left`).to.be.at.least(outer.left - 0.5);
  expect(inner.right, `${what}: right`).to.be.at.most(outer.right + 0.5);
};
const expectInside = (inner: DOMRect, outer: DOMRect, what: string) => {
  expectWithin(inner, outer, what);
  expect(inner.top, `${what}: top`).to.be.at.least(outer.top - 0.5);
  expect(inner.bottom, `${what}: bottom`).to.be.at.most(outer.bottom + 0.5);
};

describe('the emoji picker of <im-composer>, as a person uses it', () => {
  const { connect, track } = liveClients();
  afterEach(async () => {
    await resetMouse();
    await setViewport({ width: 800, height: 600 });
  });

  const mount = async (userId: string, peer: string, style = 'width: 480px; height: 560px') => {
    const session = track(new ChatSession(await connect(userId)));
    await session.start();
    const conversation = { conversationType: ConversationType.PRIVATE, targetId: peer };
    await session.open(conversation);
    const view = await fixture<HTMLElement>(html`<div>
      <button type="button" class="outside" style="display: block; margin-bottom: 8px">Elsewhere on the page</button>
      <im-chat-panel lang="en" theme="light" style="display: flex; ${style}" .session=${session}
        conversation-type="1" target-id=${peer}></im-chat-panel>
    </div>`);
    const panel = view.querySelector<ImChatPanel>('im-chat-panel')!;
    await panel.updateComplete;
    const composer = panel.shadowRoot!.querySelector('im-composer') as ImComposer;
    await composer.updateComplete;
    const root = composer.shadowRoot!;
    return {
      session, view, panel, composer,
      toggle: root.querySelector<HTMLButtonElement>('[part="emoji-button"]')!,
      input: root.querySelector('textarea')!,
      picker: () => root.querySelector<ImEmojiPicker>('im-emoji-picker'),
      list: panel.shadowRoot!.querySelector('im-message-list')!,
      outside: view.querySelector<HTMLButtonElement>('.outside')!,
    };
  };

  /** Opens the picker with a click on its button and waits until it shows. */
  const open = async (toggle: HTMLButtonElement, picker: () => ImEmojiPicker | null): Promise<ImEmojiPicker> => {
    await clickOn(toggle);
    const shown = await untilShown(() => isShown(picker()) && picker());
    await shown.updateComplete;
    expect(toggle.getAttribute('aria-expanded')).to.equal('true');
    return shown;
  };
  const closed = (picker: () => ImEmojiPicker | null, toggle: HTMLButtonElement) =>
    untilShown(() => picker() === null && toggle.getAttribute('aria-expanded') === 'false');

  it('stays open for clicks inside it and closes on a click outside it, in the widget or elsewhere on the page', async () => {
    const { toggle, picker, list, outside } = await mount('pick-out', 'pick-out-peer');
    let shown = await open(toggle, picker);
    expectSeen(shown, 'the picker');
    await clickOn(shown.shadowRoot!.querySelector('[part="search"]')!);
    await clickOn(shown.shadowRoot!.querySelector('[role="tab"]')!);
    await shown.updateComplete;
    expect(isShown(picker()), 'clicks inside keep it open').to.equal(true);

    // The message list, in the same widget.
    const listBox = list.getBoundingClientRect();
    await sendMouse({ type: 'click', position: [Math.round(listBox.right - 20), Math.round(listBox.top + 20)] });
    await closed(picker, toggle);

    // A button of the page around the widget.
    shown = await open(toggle, picker);
    await clickOn(outside);
    await closed(picker, toggle);

    // Its own button toggles it closed (the press there is not "outside").
    await open(toggle, picker);
    await clickOn(toggle);
    await closed(picker, toggle);
  });

  it('stays open while picking, closes when the message is sent, and on Escape', async () => {
    const peer = await connect('pick-send-peer');
    const { toggle, picker, input, composer } = await mount('pick-send', 'pick-send-peer');
    const shown = await open(toggle, picker);
    const smile = shown.shadowRoot!.querySelector<HTMLButtonElement>('[part="emoji"]')!;
    await clickOn(smile);
    expect(input.value).to.equal('😀');
    expect(isShown(picker()), 'a pick keeps it open for the next').to.equal(true);
    const arrived = receives(peer, (message) => message.objectName === 'RC:TxtMsg');
    input.focus();
    await sendKeys({ type: ' hi' });
    await sendKeys({ press: 'Enter' });
    await closed(picker, toggle);
    expect(((await arrived).content as TextMessage).content).to.equal('😀 hi');

    // Escape in the picker closes it and the caret is back in the input.
    const again = await open(toggle, picker);
    expect(again.shadowRoot!.activeElement, 'the search has the focus').to.equal(again.shadowRoot!.querySelector('[part="search"]'));
    await sendKeys({ press: 'Escape' });
    await closed(picker, toggle);
    expect(composer.shadowRoot!.activeElement).to.equal(input);

    // Escape in the input closes it too.
    await open(toggle, picker);
    input.focus();
    await sendKeys({ press: 'Escape' });
    await closed(picker, toggle);
  });

  it('fits a 320px wide screen: the picker inside the composer, its tabs scrolling inside the picker', async () => {
    await setViewport({ width: 320, height: 640 });
    const { toggle, picker, composer } = await mount('pick-narrow', 'pick-narrow-peer', 'width: 100%; height: 560px');
    const shown = await open(toggle, picker);
    const tabs = () => [...shown.shadowRoot!.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
    // The full Unicode set loads after the built-ins: its categories make the row long.
    await untilShown(() => tabs().some((tab) => tab.textContent!.trim() === 'Flags'));
    await shown.updateComplete;

    const pickerBox = boxInViewport(shown, 'the picker');
    // It opens above the composer, within its width.
    expectWithin(pickerBox, composer.getBoundingClientRect(), 'the picker within the composer\'s width');
    const row = shown.shadowRoot!.querySelector<HTMLElement>('[part="tabs"]')!;
    expectInside(row.getBoundingClientRect(), pickerBox, 'the tab row');
    expectInside(shown.shadowRoot!.querySelector('[part="grid"]')!.getBoundingClientRect(), pickerBox, 'the grid');
    expect(row.scrollWidth, 'more tabs than fit: the row scrolls').to.be.above(row.clientWidth);
    expect(document.documentElement.scrollWidth, 'nothing sticks out of the page').to.be.at.most(innerWidth);

    // Scrolled to the end, the last tab shows inside the picker and a click there selects it.
    row.scrollLeft = row.scrollWidth;
    const flags = tabs().at(-1)!;
    await untilShown(() => flags.getBoundingClientRect().right <= row.getBoundingClientRect().right + 0.5);
    expectSeen(flags, 'the last tab');
    expectInside(flags.getBoundingClientRect(), pickerBox, 'the last tab');
    await clickOn(flags);
    await shown.updateComplete;
    expect(flags.getAttribute('aria-selected')).to.equal('true');
    const flag = shown.shadowRoot!.querySelector('[part="emoji"]')!;
    expectSeen(flag, 'a flag to pick');
    expect(flag.getBoundingClientRect().height, 'rows keep their height; the grid scrolls').to.be.at.least(22);
  });
});
