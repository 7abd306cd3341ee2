import { expect, fixture, html } from '@open-wc/testing';
import '../../src/components/index.js';
import type { ImChatPanel } from '../../src/components/chat-panel/chat-panel.js';
import type { ImComposer } from '../../src/components/composer/composer.js';
import { ChatSession } from '../../src/core/client/chat-session.js';
import { liveClients } from './live.js';
import { expectSeen } from './seen.js';

describe('im-chat-panel insertText (tools beside the conversation, such as canned replies)', () => {
  const { connect, track } = liveClients();

  it('puts the text at the composer\'s caret, over a selection, into the draft, with the caret after it and the focus in the input', async () => {
    const session = track(new ChatSession(await connect('insert-ann')));
    await session.start();
    const view = await fixture<HTMLElement>(html`<div>
      <button type="button" class="outside">A tool beside the conversation</button>
      <im-chat-panel lang="en" theme="light" style="display: flex; width: 480px; height: 400px" .session=${session}
        conversation-type="1" target-id="insert-bob"></im-chat-panel>
    </div>`);
    const panel = view.querySelector<ImChatPanel>('im-chat-panel')!;
    await panel.updateComplete;
    const composer = panel.shadowRoot!.querySelector('im-composer') as ImComposer;
    await composer.updateComplete;
    const input = composer.shadowRoot!.querySelector('textarea')!;
    const send = composer.shadowRoot!.querySelector<HTMLButtonElement>('[part="send-button"]')!;

    // Written, the caret put after "Hello", then the focus leaves for a tool on the page.
    input.focus();
    input.value = 'Hello world';
    input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    input.setSelectionRange(5, 5);
    view.querySelector<HTMLButtonElement>('.outside')!.focus();

    panel.insertText(', dear');
    expect(input.value).to.equal('Hello, dear world');
    expect(session.state.drafts['1:insert-bob']).to.equal('Hello, dear world', 'the draft keeps it');
    expect([input.selectionStart, input.selectionEnd]).to.deep.equal([11, 11], 'the caret after the text');
    expect(composer.shadowRoot!.activeElement).to.equal(input, 'the focus is back in the input');

    // Over a selection: it replaces it.
    input.setSelectionRange(6, 11);
    panel.insertText(' my friend');
    expect(input.value).to.equal('Hello, my friend world');

    await composer.updateComplete;
    expectSeen(input, 'the input');
    expect(send.disabled, 'the send button is enabled by the inserted text').to.equal(false);
  });

  it('does nothing while no conversation is shown', async () => {
    const session = track(new ChatSession(await connect('insert-cat')));
    await session.start();
    const panel = await fixture<ImChatPanel>(html`<im-chat-panel lang="en" style="display: flex; width: 480px; height: 300px" .session=${session}></im-chat-panel>`);
    await panel.updateComplete;
    panel.insertText('nowhere');
    expect(panel.shadowRoot!.querySelector('im-composer')).to.equal(null);
    expect(Object.values(session.state.drafts)).to.deep.equal([]);
  });
});
