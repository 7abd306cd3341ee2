import { expect, fixture, html } from '@open-wc/testing';
import '../../src/components/index.js';
import type { ImChat } from '../../src/components/chat/chat.js';
import type { ImChatPanel } from '../../src/components/chat-panel/chat-panel.js';
import { ChatSession } from '../../src/core/client/chat-session.js';
import { ConnectionStatus, ConversationType } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import type { IMClient } from '../../src/core/client/client.js';
import { env, liveClients, receives, token } from './live.js';
import { expectSeen, isShown, untilShown } from './seen.js';

const shadow = (element: Element | null | undefined): ShadowRoot => {
  if (!element?.shadowRoot) throw new Error(`no shadow root on ${element?.tagName}`);
  return element.shadowRoot;
};
const room = (targetId: string) => ({ conversationType: ConversationType.CHATROOM, targetId });
const bubbleWith = (panel: ImChatPanel, text: string) => [...shadow(shadow(panel).querySelector('im-message-list'))
  .querySelectorAll<HTMLElement>('[part="bubble"]')].find((bubble) => bubble.textContent?.includes(text));
const membersOf = (panel: ImChatPanel) => shadow(panel).querySelector<HTMLElement>('[part="members"]')!;

/** Resolves with the member count `client` hears next that satisfies `check`. */
const membersReach = (client: IMClient, roomId: string, check: (count: number) => boolean) => new Promise<number>((resolve) => {
  const off = client.on('chatroomMembers', (event) => {
    if (event.roomId === roomId && check(event.count)) {
      off();
      resolve(event.count);
    }
  });
});

describe('a chatroom in the widget (conversation-type="4")', () => {
  const { connect } = liveClients();

  it('<im-chat> joins on open: recent messages, the member count, a working composer, no list entry; quits when removed', async () => {
    const bob = await connect('cr-bob');
    await bob.joinChatRoom('cr-lobby', -1);
    await bob.sendMessage(room('cr-lobby'), new TextMessage({ content: 'said before Ann came' }));
    const annJoined = membersReach(bob, 'cr-lobby', (count) => count === 2);

    const host = await fixture<HTMLDivElement>(html`<div><im-chat style="--im-chat-height: 500px; width: 780px" lang="en" theme="light"
      server=${env.ws} token=${await token('cr-ann')} conversation-type="4" target-id="cr-lobby"></im-chat></div>`);
    const chat = host.querySelector<ImChat>('im-chat')!;
    const panel = await untilShown(() => shadow(chat).querySelector<ImChatPanel>('im-chat-panel'));
    await annJoined;

    expectSeen(await untilShown(() => bubbleWith(panel, 'said before Ann came')), 'the recent message');
    const members = await untilShown(() => isShown(membersOf(panel)) && membersOf(panel).textContent?.trim() === '2 members' && membersOf(panel));
    expectSeen(members, 'the member count in the header');
    expect(shadow(panel).querySelector('[part="title"]')!.textContent!.trim()).to.equal('cr-lobby');

    // Ann writes with the composer; Bob, in the room, gets it live.
    const heard = receives(bob, (message) => (message.content as TextMessage).content === 'hello from Ann');
    const composer = shadow(panel).querySelector('im-composer')!;
    const textarea = await untilShown(() => shadow(composer).querySelector('textarea'));
    textarea.value = 'hello from Ann';
    textarea.dispatchEvent(new Event('input'));
    textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
    expect((await heard).conversationType).to.equal(ConversationType.CHATROOM);
    expectSeen(await untilShown(() => bubbleWith(panel, 'hello from Ann')), 'her own message');

    // Bob's message shows live; the room never enters the conversation list, nothing is unread.
    await bob.sendMessage(room('cr-lobby'), new TextMessage({ content: 'live from Bob' }));
    expectSeen(await untilShown(() => bubbleWith(panel, 'live from Bob')), 'the live message');
    const list = shadow(chat).querySelector('im-conversation-list')!;
    expect([...shadow(list).querySelectorAll<HTMLElement>('li[role="option"]')].map((row) => row.dataset.key)).to.not.include('4:cr-lobby');
    expect(chat.session!.state.conversations.byKey['4:cr-lobby']).to.equal(undefined);

    // Closing the widget quits the room.
    const annLeft = membersReach(bob, 'cr-lobby', (count) => count === 1);
    chat.remove();
    await annLeft;
    expect((await bob.getChatRoomInfo('cr-lobby', 20)).userInfos.map((member) => member.userId)).to.deep.equal(['cr-bob']);
  });

  it('<im-chat-panel> with conversation-type="4" shows the room; removed from the page, it quits', async () => {
    const dan = await connect('cr-dan');
    await dan.joinChatRoom('cr-stage', -1);
    const eve = await connect('cr-eve');
    const session = new ChatSession(eve);
    await session.start();
    expect(session.state.status).to.equal(ConnectionStatus.CONNECTED);
    const eveJoined = membersReach(dan, 'cr-stage', (count) => count === 2);
    const panel = await fixture<ImChatPanel>(html`<im-chat-panel lang="en" theme="light" style="display: flex; width: 420px; height: 420px"
      .session=${session} conversation-type="4" target-id="cr-stage"></im-chat-panel>`);
    await eveJoined;
    await dan.sendMessage(room('cr-stage'), new TextMessage({ content: 'on stage' }));
    expectSeen(await untilShown(() => bubbleWith(panel, 'on stage')), 'the room message');
    expectSeen(await untilShown(() => isShown(membersOf(panel)) && membersOf(panel)), 'the member count');
    const eveLeft = membersReach(dan, 'cr-stage', (count) => count === 1);
    panel.remove();
    await eveLeft;
    await session.dispose();
  });
});
