import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { ImMessageList } from '../../src/components/message-list/message-list.js';
import { mediaChunk } from '../../src/components/message-list/message-content.js';
import { ChatSession } from '../../src/core/client/chat-session.js';
import { IMClient } from '../../src/core/client/client.js';
import { TextMessage, UnknownMessage } from '../../src/core/messages/index.js';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { conversationKey, receiveHistory, receiveMessage, setStatus, setUser, type MessageItem } from '../../src/core/store/chat-state.js';
import { settle } from './frames.js';

if (!customElements.get('im-message-list')) customElements.define('im-message-list', ImMessageList);

const env: { ws: string } = await (await fetch('/__im-test-env.json')).json();
const conversation = { conversationType: ConversationType.GROUP, targetId: 'types-group' };
let seq = 0;
function item(objectName: string, fields: Record<string, unknown>, over: Partial<MessageItem> = {}): MessageItem {
  seq++;
  return {
    id: `types-${seq}`, ...conversation, senderUserId: 'carol', objectName,
    content: objectName === 'RC:TxtMsg' ? new TextMessage(fields as never) : new UnknownMessage(objectName, fields),
    messageUid: `types-uid-${seq}`, seq, sentTime: Date.now() - 1000, direction: 2, status: 'sent', ...over,
  };
}

/** A session whose store holds `items` (no connection: the element reads the store alone). */
async function mountWith(items: MessageItem[]): Promise<ImMessageList> {
  // The media bubbles' renderers are a chunk loaded on first use: these tests look at the bubbles
  // themselves (lazy-parts.test.ts shows the placeholder while it loads).
  await mediaChunk.load();
  const session = new ChatSession(new IMClient({ url: env.ws, token: 'unused' }));
  session.store.update((state) => {
    let next = setStatus(state, 0, 'me');
    next = setUser(next, 'carol', { name: 'Carol' });
    next = setUser(next, 'me', { name: 'Me' });
    return receiveHistory(next, conversationKey(conversation), items, { hasOlder: false, latest: true });
  });
  const element = await fixture<ImMessageList>(html`<im-message-list lang="en" style="height: 2400px; width: 500px" .session=${session}
    conversation-type=${conversation.conversationType} target-id=${conversation.targetId}></im-message-list>`);
  await settle(element);
  return element;
}

const HOSTILE = [
  'javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'java\nscript:alert(1)', 'vbscript:msgbox(1)',
  'data:text/html,<script>alert(1)</script>', 'data:image/svg+xml,<svg onload=alert(1)>', 'file:///etc/passwd', '/relative/path',
];

describe('message types in <im-message-list>', () => {
  it('renders every built-in type, notices as bars, commands not at all, unknown types as unsupported', async () => {
    const element = await mountWith([
      item('RC:TxtMsg', { content: 'hello @Me and @all', mentionedInfo: { type: 2, userIdList: ['me'] } }),
      item('RC:ImgMsg', { content: 'iVBORw0KGgo=', imageUri: 'https://cdn.example.com/a.png' }),
      item('RC:GIFMsg', { remoteUrl: 'https://cdn.example.com/a.gif', width: 300, height: 200, gifDataSize: 10 }),
      item('RC:FileMsg', { name: 'report.pdf', size: 1_234_567, type: 'pdf', fileUrl: 'https://cdn.example.com/report.pdf' }),
      item('RC:HQVCMsg', { remoteUrl: 'https://cdn.example.com/v.aac', duration: 12 }),
      item('RC:SightMsg', { sightUrl: 'https://cdn.example.com/v.mp4', content: 'iVBORw0KGgo=', duration: 5, size: 100, name: 'v.mp4' }),
      item('RC:LBSMsg', { latitude: 31.2304, longitude: 121.4737, poi: 'People\'s Square', content: 'iVBORw0KGgo=' }),
      item('RC:ImgTextMsg', { title: 'An article', content: 'Its summary', imageUri: 'https://cdn.example.com/i.png', url: 'https://example.com/post' }),
      item('RC:ReferenceMsg', { referMsgUserId: 'me', referMsg: { content: 'the original' }, referMsgUid: 'x', content: 'my answer', objName: 'RC:TxtMsg' }),
      item('RC:GrpNtf', { operatorUserId: 'carol', operation: 'Add', data: '', message: 'Carol added Dave' }),
      item('RC:RcNtf', { operatorId: 'carol', recallTime: Date.now() }),
      item('RC:CmdMsg', { name: 'refresh', data: '' }),
      item('App:Unknown', { whatever: 1 }),
    ]);
    const shadow = element.shadowRoot!;
    const rows = [...shadow.querySelectorAll<HTMLElement>('[part="row"]')];
    expect(rows.length, 'the command is not shown').to.equal(12);
    expect(shadow.querySelector('[part="mention"]')?.textContent).to.equal('@Me');
    expect(rows[0]!.classList.contains('mentioned'), 'a message naming the reader is marked').to.equal(true);
    expect(shadow.querySelector<HTMLImageElement>('[part="image"] img')!.src).to.equal('https://cdn.example.com/a.png');
    expect(shadow.querySelector('[part="file"] .file-name')!.textContent).to.equal('report.pdf');
    expect(shadow.querySelector('[part="file"] .file-size')!.textContent).to.equal('1.2 MB');
    expect(shadow.querySelector<HTMLAnchorElement>('[part="download"]')!.href).to.equal('https://cdn.example.com/report.pdf');
    expect(shadow.querySelector<HTMLAudioElement>('[part="voice"] audio')!.src).to.equal('https://cdn.example.com/v.aac');
    expect(shadow.querySelector<HTMLVideoElement>('[part="video"] video')!.poster).to.match(/^data:image\/jpeg;base64,/);
    expect(shadow.querySelector<HTMLAnchorElement>('[part="location"] a')!.href).to.contain('mlat=31.2304');
    expect(shadow.querySelector<HTMLAnchorElement>('[part="card"]')!.href).to.equal('https://example.com/post');
    expect(shadow.querySelector('[part="quote"]')!.textContent).to.contain('the original');
    const notices = [...shadow.querySelectorAll('[part="notice"]')].map((notice) => notice.textContent!.trim());
    expect(notices).to.deep.equal(['Carol: Carol added Dave', 'Carol recalled a message'], 'a notice a member sent names the member');
    expect(rows.at(-1)!.textContent).to.contain('Unsupported message');
  });

  it('opens an image in a lightbox that Escape closes', async () => {
    const element = await mountWith([item('RC:ImgMsg', { content: 'iVBORw0KGgo=', imageUri: 'https://cdn.example.com/big.png' })]);
    const shadow = element.shadowRoot!;
    shadow.querySelector<HTMLButtonElement>('[part="image"]')!.click();
    await settle(element);
    const dialog = shadow.querySelector<HTMLDialogElement>('[part="lightbox"]')!;
    expect(dialog.open).to.equal(true);
    expect(dialog.querySelector('img')!.getAttribute('src')).to.equal('https://cdn.example.com/big.png');
    await sendKeys({ press: 'Escape' });
    await settle(element);
    expect(shadow.querySelector('[part="lightbox"]')).to.equal(null);
  });

  it('never makes a hostile URL a live link, image or media source, in any URL field', async () => {
    const items: MessageItem[] = [];
    for (const url of HOSTILE) {
      items.push(
        item('RC:ImgMsg', { content: url, imageUri: url }),
        item('RC:GIFMsg', { remoteUrl: url, width: 10, height: 10 }),
        item('RC:FileMsg', { name: 'x.html', size: 1, type: 'html', fileUrl: url }),
        item('RC:HQVCMsg', { remoteUrl: url, duration: 1 }),
        item('RC:SightMsg', { sightUrl: url, content: url }),
        item('RC:LBSMsg', { latitude: 1, longitude: 2, poi: url, content: url }),
        item('RC:ImgTextMsg', { title: url, content: url, imageUri: url, url }),
      );
    }
    const element = await mountWith(items);
    const shadow = element.shadowRoot!;
    const sources = [
      ...[...shadow.querySelectorAll('a')].map((a) => a.getAttribute('href')),
      ...[...shadow.querySelectorAll('img, audio, video, source, iframe')].map((media) => media.getAttribute('src')),
      ...[...shadow.querySelectorAll('video')].map((video) => video.getAttribute('poster')),
    ].filter((value): value is string => value !== null);
    expect(sources.length, 'some rows rendered').to.be.greaterThan(0);
    for (const value of sources) {
      // What remains live: the map link we built from numbers, and thumbnails as JPEG data we
      // labelled ourselves (base64 characters only: never a document, never a script).
      expect(value, value).to.match(/^(https:\/\/www\.openstreetmap\.org\/|data:image\/jpeg;base64,[A-Za-z0-9+/]+=*$)/);
    }
    expect(shadow.querySelectorAll('iframe, object, embed, script').length).to.equal(0);
    // Hostile text stays text.
    expect(shadow.textContent).to.contain('javascript:alert(1)');
  });
});

describe('the message menu in <im-message-list>', () => {
  it('opens from the keyboard, moves with the arrows, and "Delete for me" keeps the message out of later pages', async () => {
    const first = item('RC:TxtMsg', { content: 'keep me' });
    const second = item('RC:TxtMsg', { content: 'delete me' });
    const element = await mountWith([first, second]);
    const session = element.session!;
    const shadow = element.shadowRoot!;
    const button = shadow.querySelector<HTMLElement>(`[data-id="${second.id}"] [part="actions-button"]`)!;
    button.focus();
    await sendKeys({ press: 'Enter' });
    await settle(element);
    const focused = () => (shadow.activeElement as HTMLElement | null)?.dataset.action;
    expect(focused(), 'the first action has the focus').to.equal('copy');
    await sendKeys({ press: 'ArrowDown' });
    expect(focused()).to.equal('reply');
    await sendKeys({ press: 'ArrowDown' });
    expect(focused()).to.equal('delete', 'no recall on a message of someone else');
    await sendKeys({ press: 'Enter' });
    await settle(element);
    const key = conversationKey(conversation);
    expect(session.state.windows[key]!.items.map((m) => m.id)).to.deep.equal([first.id]);
    // The same message coming back in a page from the server stays deleted.
    session.store.update((state) => receiveHistory(state, key, [first, second], { hasOlder: false, latest: true }));
    expect(session.state.windows[key]!.items.map((m) => m.id)).to.deep.equal([first.id]);
  });
});

describe('<im-conversation-list> previews', () => {
  it('says what kind of message came last, and marks a last message that was not sent', async () => {
    const session = new ChatSession(new IMClient({ url: env.ws, token: 'unused' }));
    const { ImConversationList } = await import('../../src/components/conversation-list/conversation-list.js');
    if (!customElements.get('im-conversation-list')) customElements.define('im-conversation-list', ImConversationList);
    session.store.update((state) => {
      let next = setStatus(state, 0, 'me');
      next = receiveMessage(next, item('RC:FileMsg', { name: 'plan.pdf', size: 1, fileUrl: 'https://x.example/plan.pdf' }, { targetId: 'files', conversationType: 1 }), { counted: true });
      next = receiveMessage(next, { ...item('RC:TxtMsg', { content: 'did not go' }, { targetId: 'offline', conversationType: 1, direction: 1 }), status: 'failed', seq: undefined, messageUid: undefined }, { counted: false });
      return next;
    });
    const list = await fixture(html`<im-conversation-list lang="en" .session=${session}></im-conversation-list>`);
    await (list as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    const previews = [...list.shadowRoot!.querySelectorAll('[part="preview"]')].map((preview) => preview.textContent!.replace(/\s+/g, ' ').trim());
    expect(previews).to.have.members(['[File] plan.pdf', 'Not sent: did not go']);
  });
});

describe('<im-chat> passes the map link and the recall window on', () => {
  it('reaches the message list inside', async () => {
    await import('../../src/components/index.js');
    const session = new ChatSession(new IMClient({ url: env.ws, token: 'unused' }));
    const chat = await fixture<HTMLElement & { updateComplete: Promise<unknown> }>(html`<im-chat lang="en" target-id="someone" .session=${session}
      map-url="https://maps.example.com/?q={lat},{lng}" recall-window="30"></im-chat>`);
    await chat.updateComplete;
    const panel = chat.shadowRoot!.querySelector('im-chat-panel')! as HTMLElement & { updateComplete: Promise<unknown> };
    await panel.updateComplete;
    const list = panel.shadowRoot!.querySelector('im-message-list') as ImMessageList | null;
    expect(list, 'the panel shows the conversation').to.not.equal(null);
    expect(list!.mapUrl).to.equal('https://maps.example.com/?q={lat},{lng}');
    expect(list!.recallWindow).to.equal(30);
  });
});

