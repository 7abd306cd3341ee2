import { expect, fixture, html } from '@open-wc/testing';
import { sendMouse } from '@web/test-runner-commands';
import '../../src/components/index.js';
import type { ImChat } from '../../src/components/chat/chat.js';
import type { ImChatPanel } from '../../src/components/chat-panel/chat-panel.js';
import type { ImConversationList } from '../../src/components/conversation-list/conversation-list.js';
import { ConnectionStatus, ConversationType, ErrorCode } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import { env, liveClients, storeReaches, token } from './live.js';
import { expectSeen, isShown, untilShown } from './seen.js';

const partOf = (root: Element, name: string) => root.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
const listOf = (chat: ImChat) => chat.shadowRoot!.querySelector<ImConversationList>('im-conversation-list')!;

describe('<im-chat> says why it cannot connect, and takes a userInfoProvider at any time', () => {
  const { connect } = liveClients();
  let chats: ImChat[] = [];
  afterEach(async () => {
    for (const chat of chats) await chat.logout();
    chats = [];
  });
  const mount = async (server: string, chatToken: string) => {
    const chat = await fixture<ImChat>(html`<im-chat style="--im-chat-height: 420px; width: 720px" lang="en" theme="light"
      cache="memory" share-tabs="off" server=${server} token=${chatToken}></im-chat>`);
    chats.push(chat);
    await untilShown(() => chat.session);
    return chat;
  };

  it('a refused token: the list shows the sign-in error with the seed code, never "Loading…" for ever', async () => {
    const chat = await mount(env.ws, 'not-a-token');
    await storeReaches(chat.session!, (state) => state.connectionError?.fatal);
    const list = listOf(chat);
    await list.updateComplete;
    const error = partOf(list, 'error');
    expectSeen(error, 'the error');
    expect(error!.getAttribute('role')).to.equal('alert');
    expect(error!.textContent).to.contain(String(ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR));
    expect(isShown(partOf(list, 'loading')), 'no "Loading…"').to.equal(false);
  });

  it('an unreachable server: the list says so with the next attempt, and "Retry now" tries at once', async () => {
    const chat = await mount('ws://127.0.0.1:9/im', await token('err-nobody'));
    await storeReaches(chat.session!, (state) => state.connectionError && !state.connectionError.fatal);
    const list = listOf(chat);
    await list.updateComplete;
    expectSeen(partOf(list, 'error'), 'the error');
    expect(partOf(list, 'error')!.textContent).to.match(/Cannot reach the chat server/);
    const retry = partOf(list, 'retry-button')!;
    expectSeen(retry, 'Retry now');
    const retried = new Promise<void>((resolve) => chat.session!.client.on('retry', () => resolve()));
    const box = retry.getBoundingClientRect();
    await sendMouse({ type: 'click', position: [Math.round(box.left + box.width / 2), Math.round(box.top + box.height / 2)] });
    await retried;
  });

  it('a userInfoProvider set after the chat connected renames the conversation and the panel title', async () => {
    const bob = await connect('nick-bob');
    await bob.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'nick-alice' }, new TextMessage({ content: 'hi' }));
    const chat = await mount(env.ws, await token('nick-alice'));
    await storeReaches(chat.session!, (state) => state.status === ConnectionStatus.CONNECTED && state.conversations.byKey['1:nick-bob']);
    const list = listOf(chat);
    await list.updateComplete;
    const row = () => list.shadowRoot!.querySelector<HTMLElement>('[part~="item"][data-key="1:nick-bob"]')!;
    row().click();
    chat.userInfoProvider = async (userId) => ({ name: `Nick ${userId}` });
    await storeReaches(chat.session!, (state) => state.users['nick-bob']?.name === 'Nick nick-bob');
    await list.updateComplete;
    const name = row().querySelector('[part~="name"]')!;
    expectSeen(name, 'the name in the row');
    expect(name.textContent).to.equal('Nick nick-bob');
    const panel = chat.shadowRoot!.querySelector<ImChatPanel>('im-chat-panel')!;
    await panel.updateComplete;
    expectSeen(partOf(panel, 'title'), 'the panel title');
    expect(partOf(panel, 'title')!.textContent).to.equal('Nick nick-bob');
  });
});
