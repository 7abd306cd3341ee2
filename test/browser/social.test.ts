import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/components/index.js';
import type { ImChatPanel } from '../../src/components/chat-panel/chat-panel.js';
import type { ImConversationList } from '../../src/components/conversation-list/conversation-list.js';
import type { ImComposer } from '../../src/components/composer/composer.js';
import { ChatSession } from '../../src/core/client/chat-session.js';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import { liveClients, storeReaches } from './live.js';
import { panelsSideBySide } from './panels.js';
import { clickOn, expectSeen, isShown, untilShown } from './seen.js';

describe('presence and blocking, as a person sees them', () => {
  const { connect, track } = liveClients();
  const sessionOf = async (userId: string, conversation: { conversationType: number; targetId: string }) => {
    const client = await connect(userId);
    const session = track(new ChatSession(client));
    await session.start();
    await session.open(conversation);
    return { client, session };
  };
  const inShadow = <T extends Element>(host: Element, selector: string) => host.shadowRoot!.querySelector<T>(selector);

  it('shows a presence dot, named, on the list\'s avatar and beside the panel\'s title, and follows its changes', async () => {
    const bob = await connect('pr-bob');
    await bob.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'pr-ann' }, new TextMessage({ content: 'hello' }));
    const ann = await sessionOf('pr-ann', { conversationType: ConversationType.PRIVATE, targetId: 'pr-bob' });
    const view = await fixture<HTMLElement>(html`<div style="display: flex; width: 800px; height: 420px">
      <im-conversation-list lang="en" theme="light" style="width: 300px" .session=${ann.session}></im-conversation-list>
      <im-chat-panel lang="en" theme="light" style="flex: 1; min-width: 0" .session=${ann.session}
        conversation-type="1" target-id="pr-bob"></im-chat-panel>
    </div>`);
    const list = view.querySelector<ImConversationList>('im-conversation-list')!;
    const panel = view.querySelector<ImChatPanel>('im-chat-panel')!;
    const dots = () => [inShadow(list, '[data-key="1:pr-bob"] [part="presence"]'), inShadow(panel, '[part="title"] [part="presence"]')];
    const labelled = (label: string) => untilShown(() => {
      const found = dots();
      return found.every((dot) => isShown(dot) && dot!.getAttribute('aria-label') === label) && found;
    });

    for (const [i, dot] of (await labelled('Online')).entries()) {
      expectSeen(dot, `the presence dot ${i ? 'in the header' : 'on the avatar'}`);
      expect(dot!.getAttribute('role')).to.equal('img');
      expect(dot!.getAttribute('title')).to.equal('Online');
    }
    await bob.setUserStatus('busy', 'In a meeting');
    for (const dot of await labelled('Busy: In a meeting')) expectSeen(dot, 'the busy dot');
    await bob.disconnect();
    for (const dot of await labelled('Offline')) expectSeen(dot, 'the offline dot');
  });

  it('blocks after a confirmation, says so in the panel, and the blocked user\'s send shows failed with 405', async () => {
    const ann = await sessionOf('bk-ann', { conversationType: ConversationType.PRIVATE, targetId: 'bk-bob' });
    const bob = await sessionOf('bk-bob', { conversationType: ConversationType.PRIVATE, targetId: 'bk-ann' });
    const [annPanel, bobPanel] = await panelsSideBySide({ session: ann.session, targetId: 'bk-bob' }, { session: bob.session, targetId: 'bk-ann' },
      { width: 900, height: 480 });

    const menuButton = await untilShown(() => inShadow(annPanel, '[part="menu-button"]'));
    expectSeen(menuButton, 'the conversation menu button');
    expect(menuButton.getAttribute('aria-label')).to.equal('Conversation actions');
    await clickOn(menuButton);
    const block = await untilShown(() => {
      const item = inShadow(annPanel, '[role="menuitem"]');
      return isShown(item) && item;
    });
    expect(block.textContent!.trim()).to.equal('Block');
    expectSeen(block, 'Block in the menu');
    await clickOn(block);
    const confirm = await untilShown(() => {
      const dialog = inShadow(annPanel, '[role="alertdialog"]');
      return isShown(dialog) && dialog;
    });
    expect(confirm.textContent).to.contain('Block bk-bob?');
    expect(ann.session.state.blocked?.['bk-bob'], 'nothing happens before confirming').to.not.equal(true);
    const yes = confirm.querySelector<HTMLElement>('button.danger')!;
    expectSeen(yes, 'the confirming Block button');
    await clickOn(yes);

    const notice = await untilShown(() => {
      const found = inShadow(annPanel, '[part="blocked-notice"]');
      return isShown(found) && found;
    });
    expectSeen(notice, 'the blocked notice');
    expect(notice.textContent).to.contain('You blocked bk-bob');

    // Bob writes to Ann with his composer: the server refuses it, and his panel shows it failed with the code.
    const composer = inShadow<ImComposer>(bobPanel, 'im-composer')!;
    await composer.updateComplete;
    composer.focus();
    await sendKeys({ type: 'are you there?' });
    await sendKeys({ press: 'Enter' });
    await storeReaches(bob.session, (state) => state.windows['1:bk-ann']?.items.find((item) => item.status === 'failed'));
    const list = inShadow(bobPanel, 'im-message-list')!;
    const reason = await untilShown(() => {
      const found = inShadow(list, '[part="failure-reason"]');
      return isShown(found) && found;
    });
    expectSeen(reason, 'why the message was not sent');
    expect(reason.textContent).to.contain('405');
    const status = inShadow(list, '.actions [part="status"]')!;
    expectSeen(status, 'the failed mark');
    expect(status.getAttribute('aria-label')).to.equal('Not sent (405)');

    // Unblocking from the notice takes the notice away.
    await clickOn(notice.querySelector('button')!);
    await untilShown(() => !isShown(inShadow(annPanel, '[part="blocked-notice"]')));
    expect(ann.session.state.blocked?.['bk-bob']).to.equal(false);
  });

  it('works the menu with the keyboard: focus goes into it, Cancel comes first, Escape closes it back to its button', async () => {
    const ann = await sessionOf('kb-ann', { conversationType: ConversationType.PRIVATE, targetId: 'kb-bob' });
    const panel = await fixture<ImChatPanel>(html`<im-chat-panel lang="en" theme="light" style="display: flex; width: 500px; height: 400px"
      .session=${ann.session} conversation-type="1" target-id="kb-bob"></im-chat-panel>`);
    const button = await untilShown(() => inShadow<HTMLButtonElement>(panel, '[part="menu-button"]'));
    button.focus();
    await sendKeys({ press: 'Enter' });
    const item = await untilShown(() => {
      const found = inShadow(panel, '[role="menuitem"]');
      return isShown(found) && found;
    });
    expect(panel.shadowRoot!.activeElement, 'the focus is on the menu item').to.equal(item);
    await sendKeys({ press: 'Enter' });
    const cancel = await untilShown(() => {
      const found = inShadow(panel, '[role="alertdialog"] .cancel');
      return isShown(found) && found;
    });
    expect(panel.shadowRoot!.activeElement, 'Cancel has the focus').to.equal(cancel);
    await sendKeys({ press: 'Escape' });
    await untilShown(() => !inShadow(panel, '[role="alertdialog"]'));
    expect(panel.shadowRoot!.activeElement, 'back on the menu button').to.equal(inShadow(panel, '[part="menu-button"]'));
    expect(ann.session.state.blocked?.['kb-bob'], 'nothing was blocked').to.not.equal(true);
  });
});
