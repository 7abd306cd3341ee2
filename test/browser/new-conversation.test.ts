import { expect, fixture, html } from '@open-wc/testing';
import { resetMouse, sendKeys } from '@web/test-runner-commands';
import '../../src/components/index.js';
import type { ImChat } from '../../src/components/chat/chat.js';
import type { ImChatPanel } from '../../src/components/chat-panel/chat-panel.js';
import type { ImComposer } from '../../src/components/composer/composer.js';
import type { ImConversationList } from '../../src/components/conversation-list/conversation-list.js';
import type { ImEventDetails } from '../../src/components/internal/im-element.js';
import type { IMMessage } from '../../src/core/client/types.js';
import { ConnectionStatus } from '../../src/core/protocol/codes.js';
import { ChatSession } from '../../src/core/client/chat-session.js';
import { TextMessage } from '../../src/core/messages/index.js';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { createGroup, env, liveClients, storeReaches, token } from './live.js';
import { clickOn, expectSeen, hitAtCentre, isShown, untilShown } from './seen.js';

type Conversation = ImEventDetails['im-conversation-start'];

/** The element focused across shadow roots, from the document down. */
function deepActiveElement(): Element | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

describe('"New conversation" in <im-conversation-list> and <im-chat>', () => {
  const { connect, track } = liveClients();
  afterEach(() => resetMouse());

  const mountChat = async (userId: string, width: number, attributes = '') => {
    const chat = await fixture<ImChat>(html`<im-chat style="--im-chat-height: 460px; width: ${width}px" lang="en" theme="light"
      server=${env.ws} token=${await token(userId)} ?no-new-conversation=${attributes === 'no-new-conversation'}></im-chat>`);
    await untilShown(() => chat.session?.state.status === ConnectionStatus.CONNECTED);
    const list = chat.shadowRoot!.querySelector<ImConversationList>('im-conversation-list')!;
    const panel = chat.shadowRoot!.querySelector<ImChatPanel>('im-chat-panel')!;
    await list.updateComplete;
    const inList = <T extends Element>(selector: string) => list.shadowRoot!.querySelector<T>(selector);
    return {
      chat, list, panel,
      button: () => inList<HTMLButtonElement>('[part="new-conversation-button"]'),
      form: () => inList<HTMLFormElement>('[part="new-conversation-form"]'),
      input: () => inList<HTMLInputElement>('[part="new-conversation-form"] input'),
      error: () => inList<HTMLElement>('.start-error'),
    };
  };
  const events = (chat: ImChat) => {
    const seen: Array<[string, Conversation]> = [];
    for (const name of ['im-conversation-start', 'im-conversation-select'] as const) {
      chat.addEventListener(name, (event) => seen.push([name, { ...event.detail }]));
    }
    return seen;
  };

  it('starts a private conversation by user id: the panel shows it, and what is written there reaches that user', async () => {
    const bob = await connect('nc-bob');
    const { chat, list, panel, button, form, input } = await mountChat('nc-ann', 780);
    const seen = events(chat);
    expectSeen(button(), 'the "New conversation" button');
    expect(button()!.textContent!.trim()).to.equal('New conversation');
    expect(button()!.querySelector('svg.icon-plus')).to.be.instanceOf(SVGSVGElement);
    await clickOn(button()!);
    await untilShown(() => isShown(form()));
    expectSeen(form(), 'the form');
    expect(button()!.getAttribute('aria-expanded')).to.equal('true');
    expect(deepActiveElement(), 'the caret is in the user id field').to.equal(input());
    expect(list.shadowRoot!.querySelector(`label[for="${input()!.id}"]`)!.textContent!.trim()).to.equal('User ID');

    await sendKeys({ type: 'nc-bob' });
    await sendKeys({ press: 'Enter' });
    expect(seen).to.deep.equal([
      ['im-conversation-start', { conversationType: 1, targetId: 'nc-bob' }],
      ['im-conversation-select', { conversationType: 1, targetId: 'nc-bob' }],
    ]);
    await storeReaches(chat.session!, (state) => state.activeKey === '1:nc-bob' && state.windows['1:nc-bob']?.loaded);
    expect(chat.session!.state.windows['1:nc-bob']!.items, 'nothing said there yet').to.have.length(0);
    await untilShown(() => form() === null);

    // The panel shows it, and the caret waits in its composer.
    const title = await untilShown(() => {
      const heading = panel.shadowRoot!.querySelector<HTMLElement>('[part="title"]');
      return heading?.textContent === 'nc-bob' && isShown(heading) && heading;
    });
    expectSeen(title, 'the conversation\'s title');
    const composer = panel.shadowRoot!.querySelector<ImComposer>('im-composer')!;
    await untilShown(() => deepActiveElement() === composer.shadowRoot!.querySelector('textarea'));
    expectSeen(composer.shadowRoot!.querySelector('textarea'), 'the message input');

    const arrived = new Promise<IMMessage>((resolve) => bob.on('message', resolve));
    await sendKeys({ type: 'hello bob, it is ann' });
    await sendKeys({ press: 'Enter' });
    const message = await arrived;
    expect(message.senderUserId).to.equal('nc-ann');
    expect((message.content as TextMessage).content).to.equal('hello bob, it is ann');
    // From then on it is in the list like any other.
    const row = await untilShown(() => list.shadowRoot!.querySelector('li[data-key="1:nc-bob"]'));
    expectSeen(row, 'the new conversation\'s row');
    expect(row.getAttribute('aria-selected')).to.equal('true');
  });

  it('switches a narrow <im-chat> to the conversation it starts', async () => {
    const { chat, list, panel, button, input } = await mountChat('nc-narrow', 360);
    expect(isShown(panel), 'one pane: the list').to.equal(false);
    await clickOn(button()!);
    await untilShown(() => input());
    await sendKeys({ type: 'nc-narrow-peer' });
    await clickOn(list.shadowRoot!.querySelector('[part="new-conversation-form"] [type="submit"]')!);
    await untilShown(() => isShown(panel) && !isShown(list));
    await storeReaches(chat.session!, (state) => state.activeKey === '1:nc-narrow-peer');
    expectSeen(panel.shadowRoot!.querySelector('im-composer'), 'the composer');
    expectSeen(panel.shadowRoot!.querySelector('[part="back-button"]'), 'the way back to the list');
  });

  it('refuses an empty, an over-long or a malformed id with a message, and Escape or Cancel close the form', async () => {
    const { chat, button, form, input, error } = await mountChat('nc-refuse', 780);
    const seen = events(chat);
    await clickOn(button()!);
    await untilShown(() => input());
    const refused = async (typed: string, message: string) => {
      input()!.select();
      await sendKeys(typed ? { type: typed } : { press: 'Backspace' });
      await sendKeys({ press: 'Enter' });
      const shown = await untilShown(() => isShown(error()) && error());
      expect(shown.textContent!.trim()).to.equal(message);
      expectSeen(shown, `the message for "${typed.slice(0, 20)}"`);
      expect(input()!.getAttribute('aria-invalid')).to.equal('true');
      expect(input()!.getAttribute('aria-describedby')).to.equal(shown.id);
      expect(deepActiveElement(), 'the caret stays in the field').to.equal(input());
    };
    await refused('', 'Enter a user ID');
    await refused('   ', 'Enter a user ID');
    await refused('x'.repeat(65), 'A user ID has at most 64 characters');
    await refused('bob smith', 'A user ID has only letters, digits and _ = @ . + -');
    expect(seen, 'nothing started').to.deep.equal([]);
    expect(chat.session!.state.activeKey).to.equal(undefined);
    // Typing again clears the message.
    await sendKeys({ type: 'x' });
    await untilShown(() => !isShown(error()));

    await sendKeys({ press: 'Escape' });
    await untilShown(() => form() === null);
    expect(button()!.getAttribute('aria-expanded')).to.equal('false');
    expect(deepActiveElement(), 'focus back on the button').to.equal(button());

    await clickOn(button()!);
    await untilShown(() => isShown(form()));
    await clickOn(form()!.querySelector('.start-cancel')!);
    await untilShown(() => form() === null);
    expect(seen).to.deep.equal([]);
  });

  it('opens nothing when the page prevents im-conversation-start', async () => {
    const { chat, form } = await mountChat('nc-veto', 780);
    const seen = events(chat);
    chat.addEventListener('im-conversation-start', (event) => event.preventDefault());
    const list = chat.shadowRoot!.querySelector<ImConversationList>('im-conversation-list')!;
    await clickOn(list.shadowRoot!.querySelector('[part="new-conversation-button"]')!);
    await untilShown(() => isShown(form()));
    await sendKeys({ type: 'nc-veto-peer' });
    await sendKeys({ press: 'Enter' });
    expect(seen.map(([name]) => name)).to.deep.equal(['im-conversation-start']);
    expect(chat.session!.state.activeKey).to.equal(undefined);
    expect(isShown(form()), 'the form keeps what was typed').to.equal(true);
  });

  it('keeps a row moved to with the keyboard out from under the header', async () => {
    const sender = await connect('nc-rows-sender');
    for (let i = 0; i < 12; i++) {
      await createGroup(`nc-rows-${i}`, ['nc-rows-sender', 'nc-rows']);
      await sender.sendMessage({ conversationType: ConversationType.GROUP, targetId: `nc-rows-${i}` }, new TextMessage({ content: `row ${i}` }));
    }
    const session = track(new ChatSession(await connect('nc-rows')));
    await session.start();
    await storeReaches(session, (state) => state.conversations.keys.length === 12);
    const list = await fixture<ImConversationList>(html`<im-conversation-list lang="en" theme="light" style="width: 320px; height: 300px"
      .session=${session}></im-conversation-list>`);
    const rows = () => [...list.shadowRoot!.querySelectorAll<HTMLElement>('li[role="option"]')];
    await untilShown(() => rows().length === 12);
    rows()[0]!.focus();
    await sendKeys({ press: 'End' });
    await untilShown(() => deepActiveElement() === rows()[11]);
    for (let i = 0; i < 8; i++) await sendKeys({ press: 'ArrowUp' });
    const focused = await untilShown(() => deepActiveElement() === rows()[3] && rows()[3]);
    expect(hitAtCentre(focused), 'the focused row, not the header, at its centre').to.equal(true);
    expectSeen(list.shadowRoot!.querySelector('[part="new-conversation-button"]'), 'the button, still at the top');
  });

  it('hides the entry with no-new-conversation', async () => {
    const { list, button } = await mountChat('nc-hidden', 780, 'no-new-conversation');
    expect(list.hasAttribute('no-new-conversation'), 'im-chat passes the attribute on').to.equal(true);
    expect(button()).to.equal(null);
    expect(list.shadowRoot!.querySelector('[part="header"]')).to.equal(null);
  });
});
