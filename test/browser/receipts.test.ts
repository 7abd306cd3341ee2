import { expect, fixture, html } from '@open-wc/testing';
import '../../src/components/index.js';
import type { ImChatPanel } from '../../src/components/chat-panel/chat-panel.js';
import { ChatSession } from '../../src/core/client/chat-session.js';
import { TextMessage } from '../../src/core/messages/index.js';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { createGroup, liveClients, storeReaches } from './live.js';
import { backgroundBehind, contrast, isShown } from './seen.js';

/** Resolves once `read()` returns `want`, checked after each of the element's updates. */
async function shows(element: HTMLElement & { updateComplete: Promise<unknown> }, read: () => unknown, want: unknown): Promise<void> {
  for (;;) {
    await element.updateComplete;
    if (read() === want) return;
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
}

describe('typing and receipts in the widget', () => {
  const { connect, track } = liveClients();
  const panel = async (userId: string, conversation: { conversationType: number; targetId: string }) => {
    const session = track(new ChatSession(await connect(userId)));
    await session.start();
    await session.open(conversation);
    const element = await fixture<ImChatPanel>(html`<im-chat-panel lang="en" style="height: 500px; width: 440px; display: block"
      .session=${session} conversation-type=${conversation.conversationType} target-id=${conversation.targetId}></im-chat-panel>`);
    return { session, element, list: element.shadowRoot!.querySelector('im-message-list')! };
  };

  it('shows "typing…" in the header while the peer types, gone when the peer\'s message arrives', async () => {
    const bob = await connect('typ-bob');
    const { session, element } = await panel('typ-ann', { conversationType: ConversationType.PRIVATE, targetId: 'typ-bob' });
    // What shows: the typing label's text while it is visible, '' while it is not.
    const typing = () => {
      const label = element.shadowRoot!.querySelector('[part="typing"]')!;
      return isShown(label) ? label.textContent!.trim() : '';
    };
    await bob.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'typ-ann' }, new TextMessage({ content: 'hi' }));
    await storeReaches(session, (state) => state.conversations.byKey['1:typ-bob']);
    expect(await bob.sendTypingStatus({ conversationType: ConversationType.PRIVATE, targetId: 'typ-ann' })).to.equal(true);
    const rows = await fixture<HTMLElement & { updateComplete: Promise<unknown> }>(html`<im-conversation-list lang="en" .session=${session}></im-conversation-list>`);
    await storeReaches(session, (state) => state.typing['1:typ-bob']?.['typ-bob']);
    await shows(element, typing, 'typing…');
    await shows(rows, () => rows.shadowRoot!.querySelector('[data-key="1:typ-bob"] [part="preview"]')?.textContent?.trim(), 'typing…');
    const preview = rows.shadowRoot!.querySelector<HTMLElement>('[data-key="1:typ-bob"] [part="preview"]')!;
    for (const theme of ['light', 'dark']) {
      rows.setAttribute('theme', theme);
      await rows.updateComplete;
      expect(isShown(preview), theme).to.equal(true);
      const colour = getComputedStyle(preview).color;
      expect(contrast(colour, backgroundBehind(preview)), `${theme}: "typing…" ${colour} on ${backgroundBehind(preview)}`).to.be.at.least(4.5);
    }
    await bob.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'typ-ann' }, new TextMessage({ content: 'done typing' }));
    await storeReaches(session, (state) => !state.typing['1:typ-bob']?.['typ-bob']);
    await shows(element, typing, '');
  });

  it('ticks an own message sent, then delivered, then read, as the peer\'s device receives and reads it', async () => {
    const bob = await connect('tick-bob');
    const { session, list } = await panel('tick-ann', { conversationType: ConversationType.PRIVATE, targetId: 'tick-bob' });
    const tick = () => list.shadowRoot!.querySelector('[part="row"]:last-of-type [part="status"]')?.getAttribute('data-status');
    const delivered = new Promise((resolve) => bob.on('message', resolve));
    const sent = await session.send({ conversationType: ConversationType.PRIVATE, targetId: 'tick-bob' }, new TextMessage({ content: 'hello' }));
    expect(sent.status).to.equal('sent');
    await delivered;
    await storeReaches(session, (state) => (state.conversations.byKey['1:tick-bob']?.peerDeliveredSeq ?? 0) >= sent.seq!);
    await shows(list, tick, 'delivered');
    await bob.clearUnreadCount({ conversationType: ConversationType.PRIVATE, targetId: 'tick-ann' });
    await storeReaches(session, (state) => (state.conversations.byKey['1:tick-bob']?.peerReadSeq ?? 0) >= sent.seq!);
    await shows(list, tick, 'read');
  });

  it('lists who read an own group message and who did not, and follows reads while open', async () => {
    await createGroup('rr-club', ['rr-ann', 'rr-bob', 'rr-cat']);
    const bob = await connect('rr-bob');
    const cat = await connect('rr-cat');
    const club = { conversationType: ConversationType.GROUP, targetId: 'rr-club' };
    const { session, list } = await panel('rr-ann', club);
    const sent = await session.send(club, new TextMessage({ content: 'who reads this?' }));
    await bob.clearUnreadCount(club, sent.seq);
    await list.updateComplete;
    list.shadowRoot!.querySelector<HTMLButtonElement>('[part~="receipts-button"]')!.click();
    const count = () => list.shadowRoot!.querySelector('.readers-count')?.textContent?.trim();
    await shows(list, count, 'Read by 1 of 2');
    // Cat has not read it, but cat's device has it: ✓✓ beside the name.
    await shows(list, () => list.shadowRoot!.querySelector('[part="readers"] .reader-state')?.getAttribute('data-status'), 'delivered');
    await cat.clearUnreadCount(club, sent.seq);
    await shows(list, count, 'Read by 2 of 2');
    expect([...list.shadowRoot!.querySelectorAll('[part="readers"] ul')].map((ul) => [...ul.querySelectorAll('li')].map((li) => li.textContent!.trim())))
      .to.deep.equal([['rr-bob', 'rr-cat'], []]);
  });
});
