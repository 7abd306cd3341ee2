import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/components/index.js';
import type { ImChatPanel } from '../../src/components/chat-panel/chat-panel.js';
import { actionsChunk } from '../../src/components/internal/actions.js';
import { ChatSession } from '../../src/core/client/chat-session.js';
import type { TextMessage } from '../../src/core/messages/index.js';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { createGroup, liveClients, receives, storeReaches } from './live.js';
import { clickOn, expectSeen, isShown, untilShown } from './seen.js';
import { routeModule } from './network.js';

// The composer's member list after `@` is drawn by the actions chunk (src/components/internal/
// actions.ts). Here the chunk has not come when the `@` is typed: its request fails, then is held
// by the network (Playwright's routing, the `route` command of web-test-runner.config.mjs), in a
// page where nothing loaded it before (this file alone imports it).

const route = (mode: 'pass' | 'fail' | 'hold') => routeModule('actions-chunk', mode);

describe('the composer\'s member list when its chunk comes after the `@`', () => {
  const { connect, track } = liveClients();
  afterEach(() => route('pass'));

  it('types on without it (a failed fetch too), and shows the list once it comes, for the text as it is then; a click chooses', async () => {
    expect(actionsChunk.module, 'not loaded before').to.equal(undefined);
    await route('fail');
    await createGroup('lazy-mention-club', ['lzm-ann', 'lzm-bob', 'lzm-cat']);
    const bob = await connect('lzm-bob');
    const session = track(new ChatSession(await connect('lzm-ann')));
    await session.start();
    const group = { conversationType: ConversationType.GROUP, targetId: 'lazy-mention-club' };
    await session.open(group);
    const panel = await fixture<ImChatPanel>(html`<im-chat-panel lang="en" style="height: 600px; width: 480px; display: block"
      .session=${session} conversation-type=${group.conversationType} target-id=${group.targetId}></im-chat-panel>`);
    const composer = panel.shadowRoot!.querySelector('im-composer')!;
    await composer.updateComplete;
    const input = composer.shadowRoot!.querySelector('textarea')!;
    const memberList = () => composer.shadowRoot!.querySelector('[part="mention-list"]');
    await storeReaches(session, (state) => state.groups['lazy-mention-club']?.memberIds?.length === 3);

    // The chunk cannot be fetched (offline): no list, and the message goes as typed.
    const plain = receives(bob, (message) => message.objectName === 'RC:TxtMsg');
    input.focus();
    await sendKeys({ type: 'ok @lzm' });
    await composer.updateComplete;
    expect(memberList(), 'no list without the chunk').to.equal(null);
    await sendKeys({ press: 'Enter' });
    const sent = (await plain).content as TextMessage;
    expect(sent.content).to.equal('ok @lzm');
    expect(sent.mentionedInfo).to.equal(undefined);
    expect(input.value).to.equal('');
    expect(actionsChunk.module).to.equal(undefined);

    // Held: every key is kept, nothing shows yet, nothing is sent.
    await route('hold');
    const sends: unknown[] = [];
    composer.addEventListener('im-request-send', (event) => sends.push(event));
    await sendKeys({ type: 'hi @c' });
    await composer.updateComplete;
    expect(memberList()).to.equal(null);
    await sendKeys({ type: 'a' });
    expect(input.value, 'no keystroke lost').to.equal('hi @ca');
    expect(actionsChunk.module, 'still on its way').to.equal(undefined);
    expect(sends).to.have.length(0);

    // It comes: the list opens for "@ca", above the input, on top.
    await route('pass');
    const list = await untilShown(() => (isShown(memberList()) ? memberList() : null));
    expectSeen(list, 'the member list');
    const options = [...list!.querySelectorAll<HTMLElement>('[role="option"]')];
    expect(options.map((option) => option.textContent!.trim())).to.deep.equal(['lzm-cat']);
    expectSeen(options[0], 'lzm-cat in the list');
    expect(options[0]!.getAttribute('aria-selected')).to.equal('true');
    expect(input.getAttribute('aria-controls')).to.equal('mentions');
    expect(input.getAttribute('aria-activedescendant')).to.equal(options[0]!.id);

    // A click chooses (the caret stays in the input); Enter then sends, with the mention.
    await clickOn(options[0]!);
    expect(input.value).to.equal('hi @lzm-cat ');
    await composer.updateComplete;
    expect(memberList(), 'the list closes').to.equal(null);
    expect(composer.shadowRoot!.activeElement, 'the caret stays in the input').to.equal(input);
    const mentioned = receives(bob, (message) => message.objectName === 'RC:TxtMsg');
    await sendKeys({ type: 'look' });
    await sendKeys({ press: 'Enter' });
    const text = (await mentioned).content as TextMessage;
    expect(text.content).to.equal('hi @lzm-cat look');
    expect(text.mentionedInfo).to.deep.include({ type: 2, userIdList: ['lzm-cat'] });
    expect(sends).to.have.length(1);
  });
});
