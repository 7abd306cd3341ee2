// What the bubbles look like, measured in Chromium: links one can click (and only safe ones),
// pictures as wide as they are, read ticks unlike delivered ones, an avatar colour per person.
import { expect, fixture, html } from '@open-wc/testing';
import { resetMouse, sendMouse } from '@web/test-runner-commands';
import '../../src/components/index.js';
import type { ImMessageList } from '../../src/components/message-list/message-list.js';
import { avatarColor } from '../../src/components/internal/format.js';
import { ChatSession } from '../../src/core/client/chat-session.js';
import { IMClient } from '../../src/core/client/client.js';
import { TextMessage, UnknownMessage } from '../../src/core/messages/index.js';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { conversationKey, receiveHistory, setStatus, setUser, type ConversationRef, type MessageItem } from '../../src/core/store/chat-state.js';
import { env, liveClients, storeReaches } from './live.js';
import { contrast, expectSeen, hitAt, isShown, untilShown } from './seen.js';
import { settle } from './frames.js';

const centreOf = (element: Element): [number, number] => {
  const box = element.getBoundingClientRect();
  return [Math.round(box.left + box.width / 2), Math.round(box.top + box.height / 2)];
};

const hexToRgb = (hex: string) => `rgb(${[1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16)).join(', ')})`;

let serial = 0;
function item(conversation: ConversationRef, objectName: string, fields: Record<string, unknown>, over: Partial<MessageItem> = {}): MessageItem {
  serial++;
  return {
    id: `look-${serial}`, ...conversation, senderUserId: conversation.targetId, objectName,
    content: objectName === 'RC:TxtMsg' ? new TextMessage(fields as never) : new UnknownMessage(objectName, fields),
    messageUid: `look-uid-${serial}`, seq: serial, sentTime: Date.now() - 1000, direction: 2, status: 'sent', ...over,
  };
}

/** A list over a store holding `items` (a session never connected: the store alone drives the element). */
async function mountList(conversation: ConversationRef, items: MessageItem[], style: string, users: Record<string, string> = {}): Promise<ImMessageList> {
  const session = new ChatSession(new IMClient({ url: env.ws, token: 'unused' }));
  session.store.update((state) => {
    let next = setStatus(state, 0, 'look-me');
    for (const [id, name] of Object.entries(users)) next = setUser(next, id, { name });
    return receiveHistory(next, conversationKey(conversation), items, { hasOlder: false, latest: true });
  });
  const list = await fixture<ImMessageList>(html`<im-message-list lang="en" theme="light" style=${style} .session=${session}
    conversation-type=${conversation.conversationType} target-id=${conversation.targetId}></im-message-list>`);
  await settle(list);
  return list;
}

const rowOf = (list: ImMessageList, id: string) => list.shadowRoot!.querySelector<HTMLElement>(`[part="row"][data-id="${id}"]`)!;

describe('links in messages of <im-message-list>', () => {
  afterEach(() => resetMouse());

  it('are real links one can click, with the sentence\'s punctuation left out, http(s) only, and never from hostile text', async () => {
    const chat = { conversationType: ConversationType.PRIVATE, targetId: 'look-links' };
    const plainText = 'Docs: https://example.com/a_(b). Also www.example.org, ok? 看https://x.test/p。';
    const hostileText = 'javascript:alert(1) https://x.test/"><img src=x onerror=alert(1)> data:text/html,<script>alert(1)</script> www.javascript:alert(1)';
    const plain = item(chat, 'RC:TxtMsg', { content: plainText });
    const hostile = item(chat, 'RC:TxtMsg', { content: hostileText });
    const mention = item(chat, 'RC:TxtMsg', { content: '@Me see https://x.test/@Me!', mentionedInfo: { type: 2, userIdList: ['look-me'] } });
    const reply = item(chat, 'RC:ReferenceMsg', {
      referMsgUserId: 'look-me', referMsg: { content: 'where?' }, referMsgUid: 'x', objName: 'RC:TxtMsg', content: 'here (https://x.test/where)',
    });
    const list = await mountList(chat, [plain, hostile, mention, reply], 'display: flex; height: 560px; width: 640px', { 'look-me': 'Me' });
    const links = (id: string) => [...rowOf(list, id).querySelectorAll<HTMLAnchorElement>('a[part="link"]')];
    const shown = (id: string) => links(id).map((link) => [link.textContent, link.getAttribute('href')]);

    expect(shown(plain.id)).to.deep.equal([
      ['https://example.com/a_(b)', 'https://example.com/a_(b)'],
      ['www.example.org', 'https://www.example.org/'],
      ['https://x.test/p', 'https://x.test/p'],
    ]);
    expect(rowOf(list, plain.id).querySelector('.text')!.textContent, 'nothing of the text lost').to.equal(plainText);
    expect(shown(hostile.id)).to.deep.equal([['https://x.test/', 'https://x.test/']]);
    expect(shown(mention.id)).to.deep.equal([['https://x.test/@Me', 'https://x.test/@Me']]);
    expect([...rowOf(list, mention.id).querySelectorAll('[part="mention"]')].map((mark) => mark.textContent)).to.deep.equal(['@Me']);
    expect(shown(reply.id)).to.deep.equal([['https://x.test/where', 'https://x.test/where']]);

    const all = [...list.shadowRoot!.querySelectorAll<HTMLAnchorElement>('a')];
    expect(all).to.have.length(6);
    for (const link of all) {
      expect(new URL(link.href).protocol, link.href).to.match(/^https?:$/);
      expect(link.target).to.equal('_blank');
      expect(link.rel.split(' ')).to.include.members(['noopener', 'noreferrer', 'ugc']);
    }
    // Hostile text stays text: no element made of it, all of it readable.
    expect(list.shadowRoot!.querySelectorAll('img, script, iframe, object, embed').length).to.equal(0);
    expect(rowOf(list, hostile.id).querySelector('.text')!.textContent).to.equal(hostileText);

    // Each link is what a pointer over it reaches, and a click there is the link's.
    for (const link of all) expect(hitAt(...centreOf(link)), link.href).to.equal(link);
    const clicked: Array<EventTarget | undefined> = [];
    const keepPage = (event: Event) => {
      clicked.push(event.composedPath().find((node) => node instanceof HTMLAnchorElement));
      event.preventDefault(); // no new tab from a test
    };
    document.addEventListener('click', keepPage, { capture: true });
    // A right click on a link keeps the browser's menu (open in a new tab, copy the address).
    const contextMenus: boolean[] = [];
    const recordMenu = (event: Event) => contextMenus.push(event.defaultPrevented);
    globalThis.addEventListener('contextmenu', recordMenu);
    try {
      await sendMouse({ type: 'click', position: centreOf(all[1]!) });
      expect(clicked).to.deep.equal([all[1]]);
      await sendMouse({ type: 'click', position: centreOf(all[1]!), button: 'right' });
      await settle(list);
      expect(contextMenus).to.deep.equal([false]);
      expect(list.shadowRoot!.querySelector('[part="menu"]')).to.equal(null);
    } finally {
      document.removeEventListener('click', keepPage, { capture: true });
      globalThis.removeEventListener('contextmenu', recordMenu);
    }
  });
});

describe('pictures in <im-message-list>', () => {
  const picture = new URL('./fixtures/picture-800x600.svg', import.meta.url).href;

  it('make a bubble as wide as the picture (240 px at most) plus its padding, not as wide as the row', async () => {
    const chat = { conversationType: ConversationType.PRIVATE, targetId: 'look-pictures' };
    const image = item(chat, 'RC:ImgMsg', { imageUri: picture });
    const gif = item(chat, 'RC:GIFMsg', { remoteUrl: picture, width: 300, height: 200, gifDataSize: 1 });
    const video = item(chat, 'RC:SightMsg', { sightUrl: 'https://cdn.example.com/v.mp4', duration: 3 });
    const own = item(chat, 'RC:ImgMsg', { imageUri: picture }, { direction: 1, senderUserId: 'look-me' });
    const list = await mountList(chat, [image, gif, video, own], 'display: flex; height: 900px; width: 600px');
    // The bubbles come with the media chunk, and a picture has its size once it has loaded.
    const pictures = await untilShown(() => {
      const shown = [image, gif, own].map((message) => rowOf(list, message.id)?.querySelector('img'));
      return shown.every((img) => img?.complete && img.naturalWidth > 0 && isShown(img)) && shown;
    });
    for (const img of pictures) await img!.decode();
    await settle(list);
    const rowWidth = list.shadowRoot!.querySelector('[part="list"]')!.clientWidth;
    const bubbleOf = (id: string) => rowOf(list, id).querySelector('[part="bubble"]')!;
    const padding = (element: Element) => parseFloat(getComputedStyle(element).paddingLeft) + parseFloat(getComputedStyle(element).paddingRight);
    for (const message of [image, gif, own]) {
      const bubble = bubbleOf(message.id);
      const shown = bubble.querySelector('img')!.getBoundingClientRect();
      expect(shown.width, 'the picture at 240 px').to.be.closeTo(240, 0.5);
      expect(shown.height / shown.width, 'its proportions').to.be.closeTo(600 / 800, 0.01);
      expect(bubble.getBoundingClientRect().width, 'the bubble as wide as the picture').to.be.closeTo(240 + padding(bubble), 0.5);
      expect(bubble.getBoundingClientRect().width).to.be.below(rowWidth / 2);
    }
    const videoBubble = bubbleOf(video.id);
    expect(videoBubble.getBoundingClientRect().width).to.be.closeTo(videoBubble.querySelector('video')!.getBoundingClientRect().width + padding(videoBubble), 0.5);
    expect(videoBubble.getBoundingClientRect().width).to.be.at.most(240 + padding(videoBubble) + 0.5);
    const ownBubble = bubbleOf(own.id).getBoundingClientRect();
    expect(list.shadowRoot!.querySelector('[part="list"]')!.getBoundingClientRect().right - ownBubble.right, 'own pictures on the right').to.be.below(30);

    // A narrow list: the picture gets smaller with the bubble, in proportion.
    list.style.width = '220px';
    await settle(list);
    const narrow = bubbleOf(image.id);
    const small = narrow.querySelector('img')!.getBoundingClientRect();
    expect(small.width).to.be.below(240);
    expect(small.height / small.width).to.be.closeTo(600 / 800, 0.01);
    expect(narrow.getBoundingClientRect().width).to.be.closeTo(small.width + padding(narrow), 0.5);
    expect(narrow.getBoundingClientRect().right).to.be.at.most(list.getBoundingClientRect().right);
  });
});

describe('read ticks and avatars in <im-message-list>', () => {
  const { connect, track } = liveClients();

  it('show delivered and read as different icons and colours, each at 3:1 or more on the own bubble, light and dark (real server)', async () => {
    const bob = await connect('tick-look-bob');
    const ann = track(new ChatSession(await connect('tick-look-ann')));
    await ann.start();
    const chat = { conversationType: ConversationType.PRIVATE, targetId: 'tick-look-bob' };
    const key = conversationKey(chat);
    await ann.open(chat);
    const received = new Promise<void>((resolve) => { let n = 0; bob.on('message', () => { if (++n === 2) resolve(); }); });
    const read = await ann.send(chat, new TextMessage({ content: 'this one Bob reads' }));
    const delivered = await ann.send(chat, new TextMessage({ content: 'this one only reaches his phone' }));
    await received;
    await storeReaches(ann, (state) => (state.conversations.byKey[key]?.peerDeliveredSeq ?? 0) >= delivered.seq!);
    await bob.clearUnreadCount({ conversationType: ConversationType.PRIVATE, targetId: 'tick-look-ann' }, read.seq);
    await storeReaches(ann, (state) => (state.conversations.byKey[key]?.peerReadSeq ?? 0) >= read.seq!);
    const list = await fixture<ImMessageList>(html`<im-message-list lang="en" theme="light" style="display: flex; height: 300px; width: 420px"
      .session=${ann} conversation-type=${chat.conversationType} target-id=${chat.targetId}></im-message-list>`);
    await settle(list);
    const tick = (id: string) => rowOf(list, id).querySelector<HTMLElement>('[part="status"]')!;
    expect(tick(read.id).getAttribute('aria-label')).to.equal('Read');
    expect(tick(delivered.id).getAttribute('aria-label')).to.equal('Delivered');

    for (const theme of ['light', 'dark'] as const) {
      list.theme = theme;
      await settle(list);
      const colours = [read, delivered].map((message) => {
        const status = tick(message.id);
        const icon = status.querySelector('svg')!;
        const box = icon.getBoundingClientRect();
        const bubble = rowOf(list, message.id).querySelector('[part="bubble"]')!;
        const within = bubble.getBoundingClientRect();
        expect(box.width, `${theme}: a visible icon`).to.be.greaterThan(10);
        expect(box.left >= within.left && box.right <= within.right && box.top >= within.top && box.bottom <= within.bottom, `${theme}: in the bubble`).to.equal(true);
        expect(icon.classList.contains('icon-check-double'), `${theme}: a double check`).to.equal(true);
        const colour = getComputedStyle(status).color;
        const background = getComputedStyle(bubble).backgroundColor;
        expect(contrast(colour, background), `${theme}: ${status.getAttribute('aria-label')} ${colour} on ${background}`).to.be.at.least(3);
        return colour;
      });
      expect(colours[0], `${theme}: read unlike delivered`).to.not.equal(colours[1]);
      expect(contrast(colours[0]!, colours[1]!), `${theme}: read and delivered told apart`).to.be.greaterThan(1.1);
    }
  });

  it('give each sender of a group a colour of their own behind white initials', async () => {
    const group = { conversationType: ConversationType.GROUP, targetId: 'look-group' };
    const senders = ['look-ann', 'look-bob', 'look-cat'];
    expect(new Set(senders.map(avatarColor)).size, 'the ids were chosen for different colours').to.equal(3);
    const items = senders.map((senderUserId) => item(group, 'RC:TxtMsg', { content: `hi from ${senderUserId}` }, { senderUserId }));
    const list = await mountList(group, items, 'display: flex; height: 400px; width: 420px', { 'look-ann': 'Ann', 'look-bob': 'Bob', 'look-cat': 'Cat' });
    for (const [index, sender] of senders.entries()) {
      const avatar = rowOf(list, items[index]!.id).querySelector<HTMLElement>('[part="avatar"]')!;
      const style = getComputedStyle(avatar);
      expect(style.backgroundColor, sender).to.equal(hexToRgb(avatarColor(sender)));
      expect(style.color).to.equal('rgb(255, 255, 255)');
      expect(contrast(style.color, style.backgroundColor)).to.be.at.least(4.5);
      expect(avatar.getBoundingClientRect().width).to.be.greaterThan(20);
    }
  });
});

describe('a short conversation in <im-message-list>', () => {
  it('sits at the bottom, by the composer, not at the top of an empty pane', async () => {
    const chat = { conversationType: ConversationType.PRIVATE, targetId: 'look-short' };
    const items = [item(chat, 'RC:TxtMsg', { content: 'first' }), item(chat, 'RC:TxtMsg', { content: 'second' })];
    const list = await mountList(chat, items, 'display: flex; height: 500px; width: 420px');
    const pane = list.shadowRoot!.querySelector('[part="list"]')!.getBoundingClientRect();
    const [first, last] = [rowOf(list, items[0]!.id), rowOf(list, items[1]!.id)];
    const lastBubble = last.querySelector('[part~="bubble"]')!;
    expectSeen(lastBubble, 'the newest message');
    expect(pane.bottom - last.getBoundingClientRect().bottom, 'the newest message ends at the bottom').to.be.lessThan(24);
    expect(first.getBoundingClientRect().top - pane.top, 'the space is above, not below').to.be.greaterThan(pane.height / 2);
  });
});
