import { expect, fixture, html } from '@open-wc/testing';
import { resetMouse, sendKeys } from '@web/test-runner-commands';
import '../../src/components/index.js';
import type { ImChat } from '../../src/components/chat/chat.js';
import type { ImConversationList } from '../../src/components/conversation-list/conversation-list.js';
import { ConnectionStatus, ConversationType } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import { env, liveClients, storeReaches, token } from './live.js';
import { clickOn, expectSeen, isShown, untilShown } from './seen.js';

describe('message search in <im-conversation-list>', () => {
  const { connect } = liveClients();
  afterEach(() => resetMouse());

  it('finds the conversations with matching messages (Chinese of two characters too), opens the one chosen, and Escape shows the list again', async () => {
    const bob = await connect('srch-bob');
    const cat = await connect('srch-cat');
    await bob.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'srch-ann' }, new TextMessage({ content: '你的订单已发货' }));
    await bob.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'srch-ann' }, new TextMessage({ content: '订单 again' }));
    await cat.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'srch-ann' }, new TextMessage({ content: 'lunch?' }));
    const chat = await fixture<ImChat>(html`<im-chat style="--im-chat-height: 460px; width: 780px" lang="en" theme="light"
      server=${env.ws} token=${await token('srch-ann')}></im-chat>`);
    await untilShown(() => chat.session?.state.status === ConnectionStatus.CONNECTED);
    const list = chat.shadowRoot!.querySelector<ImConversationList>('im-conversation-list')!;
    const inList = <T extends Element>(selector: string) => list.shadowRoot!.querySelector<T>(selector);
    await untilShown(() => isShown(inList('li[data-key="1:srch-cat"]')));

    const box = inList<HTMLInputElement>('[part="search"] input')!;
    expectSeen(box, 'the search box');
    expect(box.getAttribute('aria-label')).to.equal('Search messages');
    await clickOn(box);
    await sendKeys({ type: '订单' });
    const result = await untilShown(() => {
      const found = inList<HTMLButtonElement>('[part="search-results"] button[data-key="1:srch-bob"]');
      return isShown(found) && found;
    });
    expectSeen(result, 'the conversation found');
    expect(result.textContent).to.contain('2 matching messages').and.to.contain('订单 again');
    expect(inList('[part="search-results"]')!.querySelectorAll('button')).to.have.length(1, 'Cat\'s conversation has no match');
    expect(isShown(inList('li[data-key="1:srch-cat"]')), 'the list gives way to the results').to.equal(false);

    await clickOn(result);
    await storeReaches(chat.session!, (state) => state.activeKey === '1:srch-bob');
    const row = await untilShown(() => isShown(inList('li[data-key="1:srch-cat"]')) && inList('li[data-key="1:srch-bob"]'));
    expect(row.getAttribute('aria-selected'), 'opened, and the list is back').to.equal('true');
    expect(box.value).to.equal('');

    // Nothing found says so; Escape empties the box and brings the list back.
    await clickOn(box);
    await sendKeys({ type: 'zzz' });
    const none = await untilShown(() => {
      const status = list.shadowRoot!.querySelector<HTMLElement>('p[role="status"]');
      return status?.textContent === 'No messages found' && isShown(status) && status;
    });
    expectSeen(none, 'the "nothing found" line');
    await sendKeys({ press: 'Escape' });
    await untilShown(() => isShown(inList('li[data-key="1:srch-cat"]')));
    expect(box.value).to.equal('');
  });
});
