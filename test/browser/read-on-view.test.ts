import { expect, fixture, html } from '@open-wc/testing';
import '../../src/components/index.js';
import type { ImChatPanel } from '../../src/components/chat-panel/chat-panel.js';
import { ChatSession } from '../../src/core/client/chat-session.js';
import { TextMessage } from '../../src/core/messages/index.js';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { liveClients, storeReaches } from './live.js';

/** The page as the browser would report it when the tab is in the background. */
function setPageHidden(hidden: boolean): void {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
  document.dispatchEvent(new Event('visibilitychange'));
}

describe('reads are what the reader sees', () => {
  const { connect } = liveClients();
  afterEach(() => {
    setPageHidden(false);
    delete (document as { visibilityState?: string }).visibilityState;
  });

  it('a hidden tab marks nothing read; when it shows again, what is in view is read on the server', async () => {
    const bob = await connect('view-bob');
    const session = new ChatSession(await connect('view-ann'));
    await session.start();
    const conversation = { conversationType: ConversationType.PRIVATE, targetId: 'view-bob' };
    await session.open(conversation);
    await fixture<ImChatPanel>(html`<im-chat-panel lang="en" style="height: 500px; width: 420px; display: block" .session=${session}
      conversation-type="1" target-id="view-bob"></im-chat-panel>`);
    setPageHidden(true);
    await bob.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'view-ann' }, new TextMessage({ content: 'are you there?' }));
    await storeReaches(session, (state) => state.windows['1:view-bob']?.items.length === 1);
    expect(session.state.conversations.byKey['1:view-bob']!.unreadCount, 'unread while hidden').to.equal(1);
    // The server agrees: no read was sent (asked over another connection of the same user).
    const other = await connect('view-ann');
    expect((await other.getConversationList()).find((c) => c.targetId === 'view-bob')!.unreadCount).to.equal(1);

    const readElsewhere = new Promise<number>((resolve) => other.on('conversation', (change) => resolve(change.readSeq)));
    setPageHidden(false);
    expect(await readElsewhere, 'the read reaches the user\'s other device').to.equal(1);
    await storeReaches(session, (state) => state.conversations.byKey['1:view-bob']!.unreadCount === 0);
    session.dispose();
  });
});

describe('reads of what arrives in view', () => {
  const { connect } = liveClients();

  it('a message arriving in the open, seen conversation is read on the server too', async () => {
    const bob = await connect('seen-bob');
    const session = new ChatSession(await connect('seen-ann'));
    await session.start();
    await session.open({ conversationType: ConversationType.PRIVATE, targetId: 'seen-bob' });
    await fixture<ImChatPanel>(html`<im-chat-panel lang="en" style="height: 500px; width: 420px; display: block" .session=${session}
      conversation-type="1" target-id="seen-bob"></im-chat-panel>`);
    const other = await connect('seen-ann');
    const readElsewhere = new Promise<number>((resolve) => other.on('conversation', (change) => resolve(change.readSeq)));
    await bob.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'seen-ann' }, new TextMessage({ content: 'in view' }));
    expect(await readElsewhere, 'the user\'s other device hears of the read').to.equal(1);
    expect((await other.getConversationList()).find((c) => c.targetId === 'seen-bob')!.unreadCount).to.equal(0);
    session.dispose();
  });
});
