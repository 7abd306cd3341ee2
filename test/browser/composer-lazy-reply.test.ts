import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/components/index.js';
import type { ImChatPanel } from '../../src/components/chat-panel/chat-panel.js';
import { actionsChunk } from '../../src/components/internal/actions.js';
import { ChatSession } from '../../src/core/client/chat-session.js';
import { TextMessage, type ReferenceMessage } from '../../src/core/messages/index.js';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { liveClients, receives, storeReaches } from './live.js';
import { expectSeen, isShown, untilShown } from './seen.js';
import { routeModule } from './network.js';

// The composer's reply preview is drawn by the actions chunk (src/components/internal/actions.ts);
// reply mode itself is in the store, and sending a reply does not need the chunk. Here the chunk's
// request fails, then is held by the network (Playwright's routing, the `route` command of
// web-test-runner.config.mjs), in a page where nothing loaded it before (this file alone imports it).

const route = (mode: 'pass' | 'fail' | 'hold') => routeModule('actions-chunk', mode);

describe('the composer\'s reply preview when its chunk comes after the reply', () => {
  const { connect, track } = liveClients();
  afterEach(() => route('pass'));

  it('sends replies without it (failed or on its way), and shows the preview of one started before it came', async () => {
    expect(actionsChunk.module, 'not loaded before').to.equal(undefined);
    await route('fail');
    const peer = await connect('lzr-bob');
    const session = track(new ChatSession(await connect('lzr-ann')));
    await session.start();
    const chat = { conversationType: ConversationType.PRIVATE, targetId: 'lzr-bob' };
    for (const content of ['first question', 'second question', 'third question']) {
      await peer.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'lzr-ann' }, new TextMessage({ content }));
    }
    await session.open(chat);
    const items = await storeReaches(session, (state) => (state.windows['1:lzr-bob']?.items.length === 3 ? state.windows['1:lzr-bob'].items : undefined));
    const panel = await fixture<ImChatPanel>(html`<im-chat-panel lang="en" style="height: 600px; width: 480px; display: block"
      .session=${session} conversation-type=${chat.conversationType} target-id=${chat.targetId}></im-chat-panel>`);
    const composer = panel.shadowRoot!.querySelector('im-composer')!;
    await composer.updateComplete;
    const input = composer.shadowRoot!.querySelector('textarea')!;
    const part = (name: string) => composer.shadowRoot!.querySelector<HTMLElement>(`[part="${name}"]`);
    const replyWith = async (text: string) => {
      const quoted = receives(peer, (message) => message.objectName === 'RC:ReferenceMsg');
      await sendKeys({ type: text });
      await sendKeys({ press: 'Enter' });
      return (await quoted).content as ReferenceMessage;
    };

    // The chunk cannot be fetched (offline): reply mode shows a retry and its close button, and
    // the reply is sent as a reply. (The message menu's "Reply" is session.replyTo.)
    session.replyTo(chat, items[0]!);
    const retry = await untilShown(() => part('reply')?.querySelector<HTMLButtonElement>('.retry'));
    expectSeen(retry, 'the retry in place of the preview');
    expect(retry.textContent).to.equal('Could not load. Retry');
    expectSeen(part('reply-dismiss'), 'the reply\'s close button');
    expect(composer.shadowRoot!.activeElement, 'reply mode puts the caret in the composer').to.equal(input);
    const first = await replyWith('one');
    expect(first.content).to.equal('one');
    expect((first.referMsg as { content: string }).content).to.equal('first question');
    expect(first.referMsgUid).to.equal(items[0]!.messageUid);
    await storeReaches(session, (state) => !state.replies['1:lzr-bob']);
    await composer.updateComplete;
    expect(part('reply'), 'reply mode ends with the send').to.equal(null);

    // On its way: a reply sent before it comes is a reply all the same.
    await route('hold');
    session.replyTo(chat, items[1]!);
    await composer.updateComplete;
    expect(isShown(part('reply')), 'no preview yet').to.equal(false);
    const second = await replyWith('two');
    expect((second.referMsg as { content: string }).content).to.equal('second question');
    expect(second.referMsgUid).to.equal(items[1]!.messageUid);
    expect(actionsChunk.module, 'still on its way').to.equal(undefined);

    // A reply started while it is on its way: the preview shows once it comes, and the reply goes.
    session.replyTo(chat, items[2]!);
    await sendKeys({ type: 'three' });
    await composer.updateComplete;
    expect(isShown(part('reply'))).to.equal(false);
    await route('pass');
    const preview = await untilShown(() => (isShown(part('reply')) && part('reply')!.querySelector('.reply-text') ? part('reply') : null));
    expectSeen(preview, 'the reply preview');
    expect(preview!.querySelector('.reply-label')!.textContent).to.equal('Reply to lzr-bob');
    expectSeen(preview!.querySelector('.reply-text'), 'the quoted text');
    expect(preview!.querySelector('.reply-text')!.textContent).to.equal('third question');
    expectSeen(part('reply-dismiss'), 'the reply\'s close button');
    expect(input.value, 'no keystroke lost').to.equal('three');
    const quoted = receives(peer, (message) => message.objectName === 'RC:ReferenceMsg');
    await sendKeys({ press: 'Enter' });
    const third = (await quoted).content as ReferenceMessage;
    expect(third.content).to.equal('three');
    expect((third.referMsg as { content: string }).content).to.equal('third question');
    await storeReaches(session, (state) => !state.replies['1:lzr-bob']);
    await composer.updateComplete;
    expect(part('reply')).to.equal(null);

    // The close button ends reply mode.
    session.replyTo(chat, items[0]!);
    await untilShown(() => isShown(part('reply-dismiss')));
    part('reply-dismiss')!.click();
    await storeReaches(session, (state) => !state.replies['1:lzr-bob']);
  });
});
