import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/components/index.js';
import type { ImEmojiPicker } from '../../src/components/emoji-picker/emoji-picker.js';
import type { ImComposer } from '../../src/components/composer/composer.js';
import { ChatSession } from '../../src/core/client/chat-session.js';
import { IMClient } from '../../src/core/client/client.js';
import { setStatus } from '../../src/core/store/chat-state.js';

const buttons = (picker: ImEmojiPicker) => [...picker.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part="emoji"]')];
const tabs = (picker: ImEmojiPicker) => [...picker.shadowRoot!.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
const key = (target: Element, name: string) =>
  target.dispatchEvent(new KeyboardEvent('keydown', { key: name, bubbles: true, composed: true, cancelable: true }));

async function allCategories(picker: ImEmojiPicker): Promise<void> {
  while (!tabs(picker).some((tab) => tab.textContent!.trim() === 'Flags')) {
    await new Promise((resolve) => requestAnimationFrame(resolve));
    await picker.updateComplete;
  }
}

describe('<im-emoji-picker>', () => {
  it('shows the built-ins first, moves with arrow keys, picks with Enter and closes with Escape', async () => {
    const picker = await fixture<ImEmojiPicker>(html`<im-emoji-picker lang="zh-CN" user-id="picker-1"></im-emoji-picker>`);
    await picker.updateComplete;
    const first = buttons(picker);
    expect(first.length).to.equal(128);
    expect(first[0]!.textContent).to.equal('😀');
    expect(first[0]!.getAttribute('aria-label')).to.equal('笑嘻嘻');

    first[0]!.focus();
    key(first[0]!, 'ArrowRight');
    await picker.updateComplete;
    key(picker.shadowRoot!.activeElement!, 'ArrowDown');
    await picker.updateComplete;
    const focused = picker.shadowRoot!.activeElement as HTMLButtonElement;
    expect(focused.dataset.index).to.equal('9', 'right one, down one row of 8');
    const picked = oneEvent(picker, 'im-emoji-select');
    focused.click();
    const { detail } = await picked;
    expect(detail.emoji).to.equal(buttons(picker)[9]!.textContent);
    expect(detail.symbol).to.match(/^\[.+\]$/);

    const closing = oneEvent(picker, 'im-emoji-close');
    key(focused, 'Escape');
    await closing;
  });

  it('searches zh and en names over the full Unicode set, loaded later, and remembers recent picks', async () => {
    const picker = await fixture<ImEmojiPicker>(html`<im-emoji-picker lang="en" user-id="picker-2"></im-emoji-picker>`);
    await allCategories(picker);
    const search = picker.shadowRoot!.querySelector('input')!;
    search.value = 'pizza';
    search.dispatchEvent(new Event('input'));
    await picker.updateComplete;
    expect(buttons(picker).map((b) => b.textContent)).to.include('🍕');
    search.value = '笑嘻嘻';
    search.dispatchEvent(new Event('input'));
    await picker.updateComplete;
    expect(buttons(picker).map((b) => b.textContent)).to.deep.equal(['😀']);
    buttons(picker)[0]!.click();
    search.value = '';
    search.dispatchEvent(new Event('input'));
    tabs(picker)[0]!.click();
    await picker.updateComplete;
    await new Promise((resolve) => requestAnimationFrame(resolve));
    await picker.updateComplete;
    expect(buttons(picker).map((b) => b.textContent)).to.deep.equal(['😀'], 'recent');
    await expect(picker).to.be.accessible();
  });

  it('keeps every pick in recent, even picks made in quick succession', async () => {
    const picker = await fixture<ImEmojiPicker>(html`<im-emoji-picker lang="en" user-id="picker-quick"></im-emoji-picker>`);
    await picker.updateComplete;
    const picked = [buttons(picker)[3]!, buttons(picker)[4]!, buttons(picker)[5]!].map((b) => b.textContent);
    for (let i = 3; i <= 5; i++) buttons(picker)[i]!.click();
    tabs(picker)[0]!.click();
    await picker.updateComplete;
    while (buttons(picker).length !== 3) {
      await new Promise((resolve) => requestAnimationFrame(resolve));
      await picker.updateComplete;
    }
    expect(buttons(picker).map((b) => b.textContent)).to.deep.equal(picked.reverse());
  });

  it('inserts the picked emoji at the caret of the composer', async () => {
    const session = new ChatSession(new IMClient({ url: 'ws://127.0.0.1:9/im', token: 'unused' }));
    session.store.update((state) => setStatus(state, 0, 'composer-user'));
    const composer = await fixture<ImComposer>(html`<im-composer lang="en" .session=${session} conversation-type="1" target-id="peer"></im-composer>`);
    const textarea = composer.shadowRoot!.querySelector('textarea')!;
    textarea.value = 'ab';
    textarea.dispatchEvent(new Event('input'));
    textarea.setSelectionRange(1, 1);
    composer.shadowRoot!.querySelector<HTMLButtonElement>('[part="emoji-button"]')!.click();
    await composer.updateComplete;
    const picker = composer.shadowRoot!.querySelector('im-emoji-picker') as ImEmojiPicker;
    await picker.updateComplete;
    buttons(picker)[1]!.click();
    await composer.updateComplete;
    expect(textarea.value).to.equal('a😁b');
    expect(session.state.drafts['1:peer']).to.equal('a😁b');
  });
});
