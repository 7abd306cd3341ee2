import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/components/index.js';
import type { ImChatPanel } from '../../src/components/chat-panel/chat-panel.js';
import type { ImComposer } from '../../src/components/composer/composer.js';
import { ChatSession } from '../../src/core/client/chat-session.js';
import { ConnectionStatus, ConversationType } from '../../src/core/protocol/codes.js';
import { createGroup, liveClients, storeReaches } from './live.js';
import { panelsSideBySide } from './panels.js';
import { expectSeen, isShown, untilShown } from './seen.js';

describe('<im-chat-panel> header, as the reader sees it', () => {
  const { connect, track } = liveClients();
  /** A started session of `userId` with `conversation` open; typing shows for a minute (no expiry mid-test). */
  const sessionOf = async (userId: string, conversation: { conversationType: number; targetId: string }) => {
    const client = await connect(userId);
    const session = track(new ChatSession(client, { typingTimeout: 60_000 }));
    await session.start();
    await session.open(conversation);
    return { client, session };
  };
  const parts = (panel: ImChatPanel) => ({
    typing: panel.shadowRoot!.querySelector<HTMLElement>('[part="typing"]')!,
    status: panel.shadowRoot!.querySelector<HTMLElement>('[part="status"]')!,
    composer: panel.shadowRoot!.querySelector('im-composer') as ImComposer,
  });

  it('shows "typing…" while the peer types in their composer, connected; the status only once not connected', async () => {
    const ann = await sessionOf('hdr-ann', { conversationType: ConversationType.PRIVATE, targetId: 'hdr-bob' });
    const bob = await sessionOf('hdr-bob', { conversationType: ConversationType.PRIVATE, targetId: 'hdr-ann' });
    const [annPanel, bobPanel] = await panelsSideBySide({ session: ann.session, targetId: 'hdr-bob' }, { session: bob.session, targetId: 'hdr-ann' },
      { width: 780, height: 460 });
    await annPanel.updateComplete;
    expect(ann.session.state.status).to.equal(ConnectionStatus.CONNECTED);
    expect(isShown(parts(annPanel).typing), 'nobody types yet').to.equal(false);
    expect(isShown(parts(annPanel).status), 'the status hides while connected').to.equal(false);

    // Bob writes in his composer with the keyboard: his composer signals typing to the server.
    const bobComposer = parts(bobPanel).composer;
    await bobComposer.updateComplete;
    bobComposer.focus();
    await sendKeys({ type: 'hello' });
    await storeReaches(ann.session, (state) => state.typing['1:hdr-bob']?.['hdr-bob']);
    const typing = await untilShown(() => isShown(parts(annPanel).typing) && parts(annPanel).typing);
    expect(typing.textContent!.trim()).to.equal('typing…');
    expectSeen(typing, 'the typing label');
    expect(ann.session.state.status, 'while connected').to.equal(ConnectionStatus.CONNECTED);
    expect(isShown(parts(annPanel).status)).to.equal(false);

    // Not connected any more: the status shows, and who was typing still does until it expires.
    await ann.client.disconnect();
    await storeReaches(ann.session, (state) => state.status !== ConnectionStatus.CONNECTED);
    const status = await untilShown(() => isShown(parts(annPanel).status) && parts(annPanel).status);
    expectSeen(status, 'the connection status');
    expect(status.textContent!.trim()).to.not.equal('Connected');
    expectSeen(parts(annPanel).typing, 'the typing label beside the status');
  });

  it('names who types in a group', async () => {
    await createGroup('hdr-club', ['hdr-gann', 'hdr-gbob']);
    const club = { conversationType: ConversationType.GROUP, targetId: 'hdr-club' };
    const ann = await sessionOf('hdr-gann', club);
    const bob = await sessionOf('hdr-gbob', club);
    const panel = await fixture<ImChatPanel>(html`<im-chat-panel lang="en" theme="light" style="display: flex; width: 420px; height: 420px"
      .session=${ann.session} conversation-type="3" target-id="hdr-club"></im-chat-panel>`);
    await bob.session.notifyTyping(club);
    await storeReaches(ann.session, (state) => state.typing['3:hdr-club']?.['hdr-gbob']);
    const typing = await untilShown(() => isShown(parts(panel).typing) && parts(panel).typing);
    expect(typing.textContent!.trim()).to.equal('hdr-gbob is typing…');
    expectSeen(typing, 'the typing label');
  });

  it('draws the back button as an icon, with its name for assistive technology', async () => {
    const ann = await sessionOf('hdr-back', { conversationType: ConversationType.PRIVATE, targetId: 'hdr-back-peer' });
    const panel = await fixture<ImChatPanel>(html`<im-chat-panel lang="en" show-back style="display: flex; width: 360px; height: 400px"
      .session=${ann.session} conversation-type="1" target-id="hdr-back-peer"></im-chat-panel>`);
    const back = panel.shadowRoot!.querySelector<HTMLButtonElement>('[part="back-button"]')!;
    expectSeen(back, 'the back button');
    expect(back.querySelector('svg.icon-back')).to.be.instanceOf(SVGElement);
    expect(back.textContent!.trim(), 'no text glyph').to.equal('');
    expect(back.getAttribute('aria-label')).to.equal('Back');
  });
});
