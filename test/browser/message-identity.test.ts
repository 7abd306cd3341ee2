// Who a message shows as being from, and what it makes the page fetch: notices carry their
// sender's name, file names cannot be reordered by bidi controls, portraits are absolute URLs.
import { expect, fixture, html } from '@open-wc/testing';
import { ImMessageList } from '../../src/components/message-list/message-list.js';
import { ImConversationList } from '../../src/components/conversation-list/conversation-list.js';
import { ChatSession } from '../../src/core/client/chat-session.js';
import { IMClient } from '../../src/core/client/client.js';
import { UnknownMessage } from '../../src/core/messages/index.js';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { conversationKey, receiveHistory, receiveMessage, setStatus, setUser, type MessageItem } from '../../src/core/store/chat-state.js';
import { expectSeen, untilShown } from './seen.js';
import { settle } from './frames.js';

if (!customElements.get('im-message-list')) customElements.define('im-message-list', ImMessageList);
if (!customElements.get('im-conversation-list')) customElements.define('im-conversation-list', ImConversationList);

const env: { ws: string } = await (await fetch('/__im-test-env.json')).json();
type ConversationRef = { conversationType: number; targetId: string };
const group: ConversationRef = { conversationType: ConversationType.GROUP, targetId: 'identity-group' };
let seq = 0;
function item(senderUserId: string, objectName: string, fields: Record<string, unknown>, conversation = group): MessageItem {
  seq++;
  return {
    id: `identity-${seq}`, ...conversation, senderUserId, objectName, content: new UnknownMessage(objectName, fields),
    messageUid: `identity-uid-${seq}`, seq, sentTime: Date.now() - 1000, direction: 2, status: 'sent',
  };
}

function sessionWith(items: MessageItem[], users: Record<string, { name: string; portraitUri?: string }>, conversation = group): ChatSession {
  const session = new ChatSession(new IMClient({ url: env.ws, token: 'unused' }));
  session.store.update((state) => {
    let next = setStatus(state, 0, 'me');
    for (const [userId, user] of Object.entries(users)) next = setUser(next, userId, user);
    return receiveHistory(next, conversationKey(conversation), items, { hasOlder: false, latest: true });
  });
  return session;
}

async function messageList(session: ChatSession, conversation = group): Promise<ImMessageList> {
  const element = await fixture<ImMessageList>(html`<im-message-list lang="en" style="height: 600px; width: 500px" .session=${session}
    conversation-type=${conversation.conversationType} target-id=${conversation.targetId}></im-message-list>`);
  await settle(element);
  return element;
}

const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('who a message shows as being from, in <im-message-list>', () => {
  it('shows a member\'s information and group notices with the member\'s name: a notice cannot pass for the system', async () => {
    const session = sessionWith([
      item('mallory', 'RC:InfoNtf', { message: 'Bob left the group' }),
      item('mallory', 'RC:GrpNtf', { operatorUserId: 'bob', operation: 'Kicked', message: 'Bob removed Carol' }),
    ], { mallory: { name: 'Mallory' }, bob: { name: 'Bob' } });
    const element = await messageList(session);
    const notices = [...element.shadowRoot!.querySelectorAll<HTMLElement>('[part="notice"]')];
    expect(notices.map((notice) => notice.innerText.trim())).to.deep.equal(['Mallory: Bob left the group', 'Mallory: Bob removed Carol']);
    for (const notice of notices) expectSeen(notice, notice.innerText);
  });

  it('shows the server\'s own notices (customer service) unnamed: no user id can contain ":"', async () => {
    const service = { conversationType: ConversationType.CUSTOMER_SERVICE, targetId: 'service' };
    const element = await messageList(sessionWith([
      item('cs:server', 'RC:InfoNtf', { message: 'An agent joined the conversation' }, service),
      item('mallory', 'RC:InfoNtf', { message: 'An agent joined the conversation' }, service),
    ], { mallory: { name: 'Mallory' } }, service), service);
    const notices = [...element.shadowRoot!.querySelectorAll<HTMLElement>('[part="notice"]')];
    for (const notice of notices) expectSeen(notice, notice.innerText);
    expect(notices.map((notice) => notice.innerText.trim())).to.deep.equal(['An agent joined the conversation', 'Mallory: An agent joined the conversation']);
  });

  it('shows a file name without bidi controls, so its extension reads as it is', async () => {
    const element = await messageList(sessionWith([
      item('carol', 'RC:FileMsg', { name: 'invoice\u202Efdp.exe', size: 10, fileUrl: 'https://cdn.example.com/f' }),
    ], { carol: { name: 'Carol' } }));
    // The file's bubble comes with the media chunk.
    const name = await untilShown(() => element.shadowRoot!.querySelector<HTMLElement>('[part="file"] .file-name'));
    expectSeen(name, 'the file name');
    expect(name.innerText).to.equal('invoicefdp.exe');
    expect(BIDI.test(element.shadowRoot!.querySelector<HTMLAnchorElement>('[part="download"]')!.download)).to.equal(false);
  });

  it('shows initials, and fetches nothing, for a portrait that is not an absolute http(s) URL', async () => {
    const portraits = ['/avatar.png', 'avatar.png', '//cdn.example.com/a.png', 'https://cdn.example.com/ok.png'];
    const users = Object.fromEntries(portraits.map((portraitUri, i) => [`user-${i}`, { name: `User ${i}`, portraitUri }]));
    const element = await messageList(sessionWith(portraits.map((_, i) => item(`user-${i}`, 'RC:TxtMsg', { content: `from ${i}` })), users));
    const avatars = [...element.shadowRoot!.querySelectorAll<HTMLElement>('[part="avatar"]')];
    expect(avatars.length).to.equal(4);
    expect(avatars.map((avatar) => avatar.querySelector('img')?.getAttribute('src') ?? avatar.innerText.trim()))
      .to.deep.equal(['U0', 'U1', 'U2', 'https://cdn.example.com/ok.png']);
  });
});

describe('notices and file names in <im-conversation-list>', () => {
  it('previews a member\'s notice with the member\'s name', async () => {
    const session = sessionWith([], { mallory: { name: 'Mallory' } });
    session.store.update((state) => receiveMessage(state, item('mallory', 'RC:GrpNtf', { operation: 'Quit', message: 'Bob left the group' }), { counted: true, reading: false }));
    const element = await fixture<ImConversationList>(html`<im-conversation-list lang="en" style="height: 400px; width: 360px" .session=${session}></im-conversation-list>`);
    await settle(element);
    const preview = element.shadowRoot!.querySelector<HTMLElement>('[part="item"] [part="preview"]')!;
    expectSeen(preview, 'the preview');
    expect(preview.innerText.trim()).to.equal('Mallory: Bob left the group');
  });

  it('previews a file without bidi controls', async () => {
    const privateChat: ConversationRef = { conversationType: ConversationType.PRIVATE, targetId: 'carol' };
    const session = sessionWith([], { carol: { name: 'Carol' } }, privateChat);
    session.store.update((state) => receiveMessage(state, item('carol', 'RC:FileMsg', { name: 'photo\u202Egnp.js', size: 1, fileUrl: 'https://cdn.example.com/f' }, privateChat), { counted: true, reading: false }));
    const element = await fixture<ImConversationList>(html`<im-conversation-list lang="en" style="height: 400px; width: 360px" .session=${session}></im-conversation-list>`);
    await settle(element);
    const row = element.shadowRoot!.querySelector<HTMLElement>('[part="item"]')!;
    expectSeen(row, 'the conversation');
    expect(row.innerText).to.contain('photognp.js');
    expect(BIDI.test(row.innerText)).to.equal(false);
  });
});
