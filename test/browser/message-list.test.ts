import { expect, fixture, html } from '@open-wc/testing';
import { ImMessageList } from '../../src/components/message-list/message-list.js';
import { ChatSession } from '../../src/core/client/chat-session.js';
import { IMClient } from '../../src/core/client/client.js';
import { TextMessage, UnknownMessage } from '../../src/core/messages/index.js';
import type { MessageContent } from '../../src/core/messages/registry.js';
import { ConnectionStatus, ConversationType } from '../../src/core/protocol/codes.js';
import {
  conversationKey, receiveHistory, receiveMessage, setLoadingOlder, setUser, windowOf,
  type ChatState, type ConversationRef, type MessageItem,
} from '../../src/core/store/chat-state.js';
import { settle } from './frames.js';

if (!customElements.get('im-message-list')) customElements.define('im-message-list', ImMessageList);

const env: { ws: string; http: string } = await (await fetch('/__im-test-env.json')).json();
const token = async (userId: string): Promise<string> => (await (await fetch(`/__im-token?userId=${userId}`)).json()).token;

/** Resolves when the store's state satisfies `check` (checked now and after every change). */
function storeReaches(session: ChatSession, check: (state: ChatState) => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (check(session.state)) return resolve();
    const off = session.store.subscribe(() => {
      if (check(session.state)) {
        off();
        resolve();
      }
    });
  });
}

const root = (element: ImMessageList): ShadowRoot => element.shadowRoot!;
const scrollerOf = (element: ImMessageList) => root(element).querySelector<HTMLElement>('[part="list"]')!;
const rowsOf = (element: ImMessageList) => [...root(element).querySelectorAll<HTMLElement>('[part="row"]')];
const rowById = (element: ImMessageList, id: string) => root(element).querySelector<HTMLElement>(`[part="row"][data-id="${id}"]`);
const distanceToBottom = (scroller: HTMLElement) => scroller.scrollHeight - scroller.clientHeight - scroller.scrollTop;

/** The first message whose bubble shows in the scroller's viewport, and where that bubble is. */
function firstVisible(element: ImMessageList): { id: string; top: number } {
  const viewportTop = scrollerOf(element).getBoundingClientRect().top;
  const visible = rowsOf(element)
    .map((row) => ({ id: row.dataset.id!, rect: row.querySelector('[part="bubble"]')!.getBoundingClientRect() }))
    .filter(({ rect }) => rect.bottom > viewportTop)
    .sort((a, b) => a.rect.top - b.rect.top);
  expect(visible.length, 'some message is visible').to.be.greaterThan(0);
  return { id: visible[0]!.id, top: visible[0]!.rect.top };
}

/** Whether the row of `id` is rendered and its bubble entirely inside the scroller's viewport. */
function inViewport(element: ImMessageList, id: string): boolean {
  const bubble = rowById(element, id)?.querySelector('[part="bubble"]');
  if (!bubble) return false;
  const viewport = scrollerOf(element).getBoundingClientRect();
  const rect = bubble.getBoundingClientRect();
  return rect.top >= viewport.top - 1 && rect.bottom <= viewport.bottom + 1;
}

let serial = 0;
/** A store item built directly, as the session would build it. */
function makeItem(conversation: ConversationRef, fields: Partial<MessageItem> & { text?: string; content?: MessageContent }): MessageItem {
  const { text, ...rest } = fields;
  serial++;
  return {
    id: `ml-item-${serial}`,
    conversationType: conversation.conversationType,
    targetId: conversation.targetId,
    senderUserId: conversation.targetId,
    objectName: 'RC:TxtMsg',
    content: new TextMessage({ content: text ?? `message ${serial}` }),
    messageUid: `ml-uid-${serial}`,
    seq: serial,
    sentTime: Date.now(),
    direction: 2,
    status: 'sent',
    ...rest,
  };
}

describe('<im-message-list>', () => {
  const clients: IMClient[] = [];
  const sessions: ChatSession[] = [];

  /** A session over a client that is never connected: the store alone drives the element. */
  const offlineSession = async (userId: string) => {
    const client = new IMClient({ url: env.ws, token: await token(userId) });
    const session = new ChatSession(client);
    sessions.push(session);
    return session;
  };
  const connect = async (userId: string) => {
    const client = new IMClient({ url: env.ws, tokenProvider: () => token(userId) });
    clients.push(client);
    await client.connect();
    return client;
  };
  const onlineSession = async (userId: string, options: { pageSize?: number } = {}) => {
    const session = new ChatSession(await connect(userId), options);
    sessions.push(session);
    await session.start();
    expect(session.state.status).to.equal(ConnectionStatus.CONNECTED);
    return session;
  };
  const mount = (session: ChatSession, conversation: ConversationRef, style = 'height: 400px; width: 380px') =>
    fixture<ImMessageList>(html`<im-message-list lang="en" theme="light" style=${style} .session=${session}
      conversation-type=${conversation.conversationType} target-id=${conversation.targetId}></im-message-list>`);

  afterEach(async () => {
    for (const session of sessions.splice(0)) session.dispose();
    await Promise.all(clients.splice(0).map((client) => client.disconnect()));
  });

  it('keeps only a few hundred elements in its shadow DOM for 100,000 messages, at the bottom and in the middle', async () => {
    const session = await offlineSession('ml-big');
    const conversation = { conversationType: ConversationType.PRIVATE, targetId: 'ml-big-peer' };
    const key = conversationKey(conversation);
    const start = Date.UTC(2024, 0, 1, 9);
    const items: MessageItem[] = [];
    for (let i = 0; i < 100_000; i++) {
      items.push(makeItem(conversation, {
        id: `big-${i}`, seq: i + 1, messageUid: `big-uid-${i}`, sentTime: start + i * 90_000,
        direction: i % 3 === 0 ? 1 : 2, senderUserId: i % 3 === 0 ? 'ml-big' : 'ml-big-peer',
        text: i % 5 === 0 ? `message ${i}\nwith a second line\nand a third` : `message ${i}`,
      }));
    }
    session.store.update((state) => receiveHistory(state, key, items, { hasOlder: false, latest: true }));
    expect(windowOf(session.state, key).items.length).to.equal(100_000);

    const element = await mount(session, conversation);
    await settle(element);
    const scroller = scrollerOf(element);
    const atBottomCount = root(element).querySelectorAll('*').length;
    expect(atBottomCount, 'elements at the bottom').to.be.below(300);
    expect(distanceToBottom(scroller)).to.be.at.most(2);
    expect(inViewport(element, 'big-99999'), 'the newest message shows').to.equal(true);
    expect(element.renderedRange.total).to.equal(100_000);
    expect(element.renderedRange.end).to.equal(100_000);
    expect(element.renderedRange.end - element.renderedRange.start).to.be.below(60);

    scroller.scrollTop = scroller.scrollHeight / 2;
    await settle(element);
    const middleCount = root(element).querySelectorAll('*').length;
    expect(middleCount, 'elements in the middle').to.be.below(300);
    const { start: first, end } = element.renderedRange;
    expect(first).to.be.within(30_000, 70_000);
    expect(end - first).to.be.below(60);
    const shown = firstVisible(element);
    expect(Number(rowById(element, shown.id)!.dataset.index)).to.be.within(first, end - 1);
    // Every rendered row sits exactly below the one before (heights measured, offsets summed).
    const rendered = rowsOf(element).sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index));
    for (let i = 1; i < rendered.length; i++) {
      expect(rendered[i]!.getBoundingClientRect().top).to.be.closeTo(rendered[i - 1]!.getBoundingClientRect().bottom, 1);
    }
    expect(element.atBottom).to.equal(false);
  });

  it('keeps the first visible message at the same pixel position while older pages load (real server)', async () => {
    const writer = await connect('ml-writer');
    for (let i = 0; i < 80; i++) {
      await writer.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'ml-reader' },
        new TextMessage({ content: i % 4 === 0 ? `older ${i}\nsecond line of ${i}` : `older ${i}` }));
    }
    const session = await onlineSession('ml-reader', { pageSize: 20 });
    const conversation = { conversationType: ConversationType.PRIVATE, targetId: 'ml-writer' };
    const key = conversationKey(conversation);
    await session.open(conversation);
    expect(windowOf(session.state, key).items.length).to.equal(20);

    const element = await mount(session, conversation);
    await settle(element);
    const scroller = scrollerOf(element);
    expect(distanceToBottom(scroller), 'opens at the bottom').to.be.at.most(2);
    const newest = windowOf(session.state, key).items.at(-1)!;
    expect(inViewport(element, newest.id)).to.equal(true);

    const loadOlderEvents: Array<{ conversationType: number; targetId: string }> = [];
    element.addEventListener('im-load-older', (event) => loadOlderEvents.push(event.detail));
    let pages = 0;
    while (windowOf(session.state, key).hasOlder) {
      const before = windowOf(session.state, key).items.length;
      // Recorded when the element asks for the page, before the page can arrive.
      const recorded = new Promise<{ id: string; top: number }>((resolve) => {
        element.addEventListener('im-load-older', () => resolve(firstVisible(element)), { once: true });
      });
      const loaded = storeReaches(session, (state) => windowOf(state, key).items.length > before && !windowOf(state, key).loadingOlder);
      scroller.scrollTop = 0;
      const anchor = await recorded;
      await loaded;
      await settle(element);
      pages++;

      const added = windowOf(session.state, key).items.length - before;
      expect(added).to.equal(20);
      const row = rowById(element, anchor.id)!;
      expect(row, 'the anchor message is still rendered').to.exist;
      expect(row.querySelector('[part="bubble"]')!.getBoundingClientRect().top).to.be.closeTo(anchor.top, 1);
      const index = Number(row.dataset.index);
      expect(windowOf(session.state, key).items[index]!.id).to.equal(anchor.id);
      const above = rowsOf(element).filter((other) => Number(other.dataset.index) < index);
      expect(above.length, 'older rows are rendered above').to.be.greaterThan(0);
      expect(above.every((other) => other.getBoundingClientRect().bottom <= anchor.top + 1)).to.equal(true);
      expect(scroller.scrollTop).to.be.greaterThan(0);
    }
    expect(pages).to.equal(3);
    expect(loadOlderEvents).to.have.length(3);
    expect(loadOlderEvents[0]).to.deep.equal(conversation);
    expect(windowOf(session.state, key).items.map((item) => (item.content as TextMessage).content.split('\n')[0]))
      .to.deep.equal(Array.from({ length: 80 }, (_, i) => `older ${i}`));

    scroller.scrollTop = 0;
    await settle(element);
    expect(root(element).querySelector('[part="beginning"]')!.textContent).to.equal('Beginning of the conversation');
    expect(root(element).querySelector('[part="loading"]')).to.equal(null);
    expect(root(element).querySelector('[role="status"]')!.textContent, 'history is not announced').to.equal('');
  });

  it('follows the bottom when rows grow or the list gets shorter, keeps its place when it gets narrower, opens another conversation at the bottom', async () => {
    const session = await offlineSession('ml-resize');
    const conversation = { conversationType: ConversationType.PRIVATE, targetId: 'ml-resize-peer' };
    const other = { conversationType: ConversationType.PRIVATE, targetId: 'ml-resize-other' };
    const items = Array.from({ length: 200 }, (_, i) => makeItem(conversation, { text: `resize ${i} ` + 'word '.repeat(i % 13) }));
    const otherItems = Array.from({ length: 50 }, (_, i) => makeItem(other, { text: `other ${i}` }));
    session.store.update((state) => receiveHistory(receiveHistory(state, conversationKey(conversation), items, { hasOlder: false, latest: true }),
      conversationKey(other), otherItems, { hasOlder: false, latest: true }));
    const element = await mount(session, conversation);
    await settle(element);
    const scroller = scrollerOf(element);
    expect(distanceToBottom(scroller)).to.be.at.most(2);

    // Rows grow after they were measured (a bigger font): measured again, still at the bottom.
    const before = rowById(element, items[199]!.id)!.getBoundingClientRect().height;
    element.style.setProperty('--im-font-size', '22px');
    await settle(element, 6);
    expect(rowById(element, items[199]!.id)!.getBoundingClientRect().height).to.be.greaterThan(before);
    expect(distanceToBottom(scroller)).to.be.at.most(2);
    const rendered = rowsOf(element).sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index));
    for (let i = 1; i < rendered.length; i++) {
      expect(rendered[i]!.getBoundingClientRect().top).to.be.closeTo(rendered[i - 1]!.getBoundingClientRect().bottom, 1);
    }

    // The list gets shorter (say the composer grew): still at the bottom.
    element.style.height = '250px';
    await settle(element, 6);
    expect(distanceToBottom(scroller)).to.be.at.most(2);
    expect(inViewport(element, items[199]!.id)).to.equal(true);

    // Scrolled up, the list gets narrower: every text re-wraps, the first visible message stays.
    scroller.scrollTop = scroller.scrollHeight / 2;
    await settle(element);
    const anchor = firstVisible(element);
    element.style.width = '260px';
    await settle(element, 6);
    expect(rowById(element, anchor.id)!.querySelector('[part="bubble"]')!.getBoundingClientRect().top).to.be.closeTo(anchor.top, 1);

    // Another conversation opens at its bottom.
    element.targetId = other.targetId;
    await settle(element);
    expect(distanceToBottom(scroller)).to.be.at.most(2);
    expect(inViewport(element, otherItems[49]!.id)).to.equal(true);
    expect(element.renderedRange.total).to.equal(50);
    expect(rowsOf(element).every((row) => row.dataset.id!.startsWith('ml-item-') && otherItems.some((item) => item.id === row.dataset.id))).to.equal(true);
  });

  it('stays at the bottom as messages arrive; scrolled up, it keeps its place and offers "new messages" (real server)', async () => {
    const writer = await connect('ml-writer2');
    const toReader = { conversationType: ConversationType.PRIVATE, targetId: 'ml-reader2' };
    for (let i = 0; i < 25; i++) await writer.sendMessage(toReader, new TextMessage({ content: `hello ${i}` }));
    const session = await onlineSession('ml-reader2');
    const conversation = { conversationType: ConversationType.PRIVATE, targetId: 'ml-writer2' };
    const key = conversationKey(conversation);
    await session.open(conversation);
    const element = await mount(session, conversation, 'height: 300px; width: 360px');
    await settle(element);
    const scroller = scrollerOf(element);
    expect(distanceToBottom(scroller)).to.be.at.most(2);
    expect(windowOf(session.state, key).hasOlder).to.equal(false);

    // At the bottom: a new (tall) message keeps the list at the bottom once measured.
    const tall = 'first line\nsecond line\nthird line\n' + 'x'.repeat(100);
    let arrived = storeReaches(session, (state) => windowOf(state, key).items.length === 26);
    await writer.sendMessage(toReader, new TextMessage({ content: tall }));
    await arrived;
    await settle(element);
    const newest = windowOf(session.state, key).items.at(-1)!;
    expect(distanceToBottom(scroller)).to.be.at.most(2);
    expect(inViewport(element, newest.id)).to.equal(true);
    expect(root(element).querySelector('[part="new-messages"]')).to.equal(null);
    expect(root(element).querySelector('[role="status"]')!.textContent).to.equal(`ml-writer2: ${tall.replace(/\s+/g, ' ').slice(0, 200)}`);

    // Scrolled up: the view stays put and a button offers the new messages.
    scroller.scrollTop = 200;
    await settle(element);
    expect(element.atBottom).to.equal(false);
    const anchor = firstVisible(element);
    const scrollTop = scroller.scrollTop;
    arrived = storeReaches(session, (state) => windowOf(state, key).items.length === 27);
    await writer.sendMessage(toReader, new TextMessage({ content: 'while you were reading' }));
    await arrived;
    await settle(element);
    expect(scroller.scrollTop).to.equal(scrollTop);
    expect(rowById(element, anchor.id)!.querySelector('[part="bubble"]')!.getBoundingClientRect().top).to.be.closeTo(anchor.top, 1);
    const button = root(element).querySelector<HTMLButtonElement>('[part="new-messages"]')!;
    expect(button.textContent).to.contain('New messages');
    expect(root(element).querySelector('[role="status"]')!.textContent).to.equal('ml-writer2: while you were reading');

    button.click();
    await settle(element);
    expect(distanceToBottom(scroller)).to.be.at.most(2);
    expect(inViewport(element, windowOf(session.state, key).items.at(-1)!.id)).to.equal(true);
    expect(root(element).querySelector('[part="new-messages"]')).to.equal(null);
    expect(element.atBottom).to.equal(true);
  });

  it('shows Retry and Delete on a failed own message: Delete removes it, Retry sends it (real server)', async () => {
    const session = await onlineSession('ml-sender');
    const conversation = { conversationType: ConversationType.PRIVATE, targetId: 'ml-peer' };
    const key = conversationKey(conversation);
    const failedId = `mlfailed${Date.now().toString(36)}a`;
    const retriedId = `mlfailed${Date.now().toString(36)}b`;
    session.store.update((state) => {
      let next = receiveHistory(state, key, [makeItem(conversation, { text: 'hi there' })], { hasOlder: false, latest: true });
      for (const id of [failedId, retriedId]) {
        next = receiveMessage(next, makeItem(conversation, {
          id, seq: undefined, messageUid: undefined, direction: 1, senderUserId: 'ml-sender',
          status: 'failed', errorCode: 30002, text: `failed ${id}`,
        }), { counted: false });
      }
      return next;
    });
    const element = await mount(session, conversation);
    await settle(element);

    const failedRow = rowById(element, failedId)!;
    const status = failedRow.querySelector<HTMLElement>('[part="status"]')!;
    expect(status.getAttribute('title')).to.equal('Not sent (30002)');
    expect(status.getAttribute('aria-label')).to.equal('Not sent (30002)');
    expect(failedRow.querySelector('[part="retry-button"]')!.textContent).to.equal('Retry');
    expect(failedRow.querySelector('[part="discard-button"]')!.textContent).to.equal('Delete');
    expect(rowsOf(element).filter((row) => row.querySelector('[part="retry-button"]'))).to.have.length(2);

    const events: Array<{ type: string; detail: unknown; composed: boolean; bubbles: boolean; cancelable: boolean }> = [];
    const record = (event: Event) => {
      const { type, composed, bubbles, cancelable } = event;
      events.push({ type, detail: (event as CustomEvent).detail, composed, bubbles, cancelable });
    };
    document.addEventListener('im-message-discard', record);
    document.addEventListener('im-message-retry', record);
    try {
      failedRow.querySelector<HTMLButtonElement>('[part="discard-button"]')!.click();
      expect(events[0]).to.deep.equal({ type: 'im-message-discard', detail: { ...conversation, id: failedId }, composed: true, bubbles: true, cancelable: true });
      await settle(element);
      expect(windowOf(session.state, key).items.some((item) => item.id === failedId)).to.equal(false);
      expect(rowById(element, failedId)).to.equal(null);

      // A page may veto the retry.
      const veto = (event: Event) => event.preventDefault();
      element.addEventListener('im-message-retry', veto, { once: true });
      rowById(element, retriedId)!.querySelector<HTMLButtonElement>('[part="retry-button"]')!.click();
      expect(windowOf(session.state, key).items.find((item) => item.id === retriedId)!.status).to.equal('failed');

      const sent = storeReaches(session, (state) => windowOf(state, key).items.find((item) => item.id === retriedId)?.status === 'sent');
      rowById(element, retriedId)!.querySelector<HTMLButtonElement>('[part="retry-button"]')!.click();
      expect(events.filter((event) => event.type === 'im-message-retry')).to.have.length(2);
      await sent;
      await settle(element);
      const retriedRow = rowById(element, retriedId)!;
      expect(retriedRow.querySelector('[part="status"]')!.getAttribute('aria-label')).to.equal('Sent');
      expect(retriedRow.querySelector('[part="retry-button"]')).to.equal(null);
      const [conversationOnServer] = await session.client.getConversationList();
      expect(conversationOnServer!.latestMessage?.clientMsgId).to.equal(retriedId);
    } finally {
      document.removeEventListener('im-message-discard', record);
      document.removeEventListener('im-message-retry', record);
    }
  });

  it('renders text as text, keeps line breaks, wraps long words, and survives odd content', async () => {
    const session = await offlineSession('ml-text');
    const conversation = { conversationType: ConversationType.PRIVATE, targetId: 'ml-hostile' };
    const key = conversationKey(conversation);
    const hostile = makeItem(conversation, { text: '<img src=x onerror=alert(1)>' });
    const lines = makeItem(conversation, { text: 'line one\nline two\n\n  indented' });
    const long = makeItem(conversation, { text: 'a'.repeat(500) });
    const unknown = makeItem(conversation, { objectName: 'X:Custom', content: new UnknownMessage('X:Custom', { html: '<b>bold</b>' }) });
    const broken = makeItem(conversation, { content: null as unknown as MessageContent, sentTime: Number.NaN, senderUserId: undefined as unknown as string });
    const notText = makeItem(conversation, { content: { content: { nested: true } } as unknown as MessageContent, sentTime: 1e20 });
    session.store.update((state) => setUser(receiveHistory(state, key, [hostile, lines, long, unknown, broken, notText], { hasOlder: false, latest: true }),
      'ml-hostile', { name: '<script>alert(1)</script>', portraitUri: 'javascript:alert(1)' }));
    const element = await mount(session, conversation, 'height: 600px; width: 360px');
    await settle(element);

    expect(root(element).querySelector('img, script, b')).to.equal(null);
    const textOf = (id: string) => rowById(element, id)!.querySelector('[part="bubble"] .text')!;
    expect(textOf(hostile.id).textContent).to.equal('<img src=x onerror=alert(1)>');
    expect(textOf(lines.id).textContent).to.equal('line one\nline two\n\n  indented');
    expect(getComputedStyle(textOf(lines.id)).whiteSpace).to.equal('pre-wrap');
    expect(textOf(lines.id).getBoundingClientRect().height).to.be.greaterThan(3 * 14);
    const longBubble = rowById(element, long.id)!.querySelector<HTMLElement>('[part="bubble"]')!;
    expect(longBubble.getBoundingClientRect().width).to.be.at.most(scrollerOf(element).clientWidth);
    expect(longBubble.scrollWidth).to.be.at.most(longBubble.clientWidth + 1);
    for (const item of [unknown, broken, notText]) expect(textOf(item.id).textContent).to.equal('Unsupported message');
    expect(rowById(element, broken.id)!.querySelector('[part="time"]')).to.equal(null);
    expect(rowById(element, notText.id)!.querySelector('[part="time"]'), 'a time out of range').to.equal(null);
  });

  it('groups: avatar and name at the start of each run, own bubbles on the right, date separators by day', async () => {
    const session = await offlineSession('ml-me');
    const conversation = { conversationType: ConversationType.GROUP, targetId: 'ml-group' };
    const key = conversationKey(conversation);
    const now = new Date();
    const at = (daysAgo: number, hour: number, minute = 0) =>
      new Date(now.getFullYear(), now.getMonth(), now.getDate() - daysAgo, hour, minute).getTime();
    const items = [
      makeItem(conversation, { senderUserId: 'ml-ann', sentTime: at(400, 10), text: 'a year ago' }),
      makeItem(conversation, { senderUserId: 'ml-ann', sentTime: at(1, 10), text: 'yesterday 1' }),
      makeItem(conversation, { senderUserId: 'ml-ann', sentTime: at(1, 10, 2), text: 'yesterday 2, same run' }),
      makeItem(conversation, { senderUserId: 'ml-bob', sentTime: at(1, 10, 3), text: 'bob joins' }),
      makeItem(conversation, { senderUserId: 'ml-me', direction: 1, sentTime: at(0, 0, 1), text: 'mine' }),
      makeItem(conversation, { senderUserId: 'ml-bob', sentTime: at(0, 0, 2), text: 'bob again' }),
      makeItem(conversation, { senderUserId: 'ml-bob', sentTime: at(0, 0, 30), text: 'bob, half an hour later' }),
    ];
    const avatarUrl = new URL('./fixtures/message-list-avatar.svg', import.meta.url).href;
    session.store.update((state) => setUser(setUser(receiveHistory(state, key, items, { hasOlder: false, latest: true }),
      'ml-ann', { name: 'Ann Lee', portraitUri: avatarUrl }), 'ml-bob', { name: 'Bob', portraitUri: 'javascript:alert(1)' }));
    const element = await mount(session, conversation, 'height: 700px; width: 400px');
    await settle(element);

    const row = (i: number) => rowById(element, items[i]!.id)!;
    const names = items.map((_, i) => row(i).querySelector('[part="name"]')?.textContent ?? null);
    expect(names).to.deep.equal(['Ann Lee', 'Ann Lee', null, 'Bob', null, 'Bob', 'Bob']);
    expect(row(0).querySelector<HTMLImageElement>('[part="avatar"] img')!.src).to.equal(avatarUrl);
    expect(row(3).querySelector('[part="avatar"]')!.textContent!.trim()).to.equal('BO');
    expect(row(3).querySelector('img')).to.equal(null);
    expect(row(4).querySelector('[part="avatar"]')).to.equal(null);
    const scrollerBox = scrollerOf(element).getBoundingClientRect();
    const ownBubble = row(4).querySelector('[part="bubble"]')!.getBoundingClientRect();
    const otherBubble = row(3).querySelector('[part="bubble"]')!.getBoundingClientRect();
    expect(scrollerBox.right - ownBubble.right).to.be.below(30);
    expect(otherBubble.left - scrollerBox.left).to.be.below(80);
    expect(ownBubble.left).to.be.greaterThan(otherBubble.right);

    const separators = items.map((_, i) => row(i).querySelector('[part="date-separator"]')?.textContent ?? null);
    const longAgo = new Date(at(400, 10));
    expect(separators).to.deep.equal([
      longAgo.toLocaleDateString('en', { year: 'numeric', month: 'long', day: 'numeric' }),
      'Yesterday', null, null, 'Today', null, null,
    ]);

    element.setAttribute('lang', 'zh-CN');
    element.requestUpdate();
    await settle(element);
    expect(row(1).querySelector('[part="date-separator"]')!.textContent).to.equal('昨天');
    expect(row(4).querySelector('[part="date-separator"]')!.textContent).to.equal('今天');
    expect(scrollerOf(element).getAttribute('aria-label')).to.equal('消息');
  });

  it('scrolls with PageUp, PageDown, Home and End when focused', async () => {
    const session = await offlineSession('ml-keys');
    const conversation = { conversationType: ConversationType.PRIVATE, targetId: 'ml-keys-peer' };
    const key = conversationKey(conversation);
    const items = Array.from({ length: 300 }, (_, i) => makeItem(conversation, { text: `line ${i}` }));
    session.store.update((state) => receiveHistory(state, key, items, { hasOlder: false, latest: true }));
    const element = await mount(session, conversation);
    await settle(element);
    const scroller = scrollerOf(element);
    expect(scroller.tabIndex).to.equal(0);
    scroller.focus();
    expect(root(element).activeElement).to.equal(scroller);
    const press = async (key: string) => {
      scroller.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, composed: true, cancelable: true }));
      await settle(element);
    };
    // A page up: what was at the top of the view moves down by most of a page, and stays in view.
    const before = firstVisible(element);
    await press('PageUp');
    const moved = rowById(element, before.id)!.querySelector('[part="bubble"]')!.getBoundingClientRect().top - before.top;
    expect(moved).to.be.within(scroller.clientHeight * 0.5, scroller.clientHeight);
    expect(element.atBottom).to.equal(false);
    await press('PageDown');
    expect(distanceToBottom(scroller)).to.be.at.most(2);
    await press('Home');
    expect(scroller.scrollTop).to.equal(0);
    expect(inViewport(element, items[0]!.id)).to.equal(true);
    await press('End');
    expect(distanceToBottom(scroller)).to.be.at.most(2);
    expect(inViewport(element, items[299]!.id)).to.equal(true);
  });

  it('shows the empty slot when the conversation is loaded and has no messages', async () => {
    const session = await offlineSession('ml-empty');
    const conversation = { conversationType: ConversationType.PRIVATE, targetId: 'ml-nobody' };
    session.store.update((state) => receiveHistory(state, conversationKey(conversation), [], { hasOlder: false, latest: true }));
    const element = await fixture<ImMessageList>(html`<im-message-list style="height: 200px" .session=${session}
      conversation-type="1" target-id="ml-nobody"><p slot="empty">Say hello</p></im-message-list>`);
    await settle(element);
    const slot = root(element).querySelector<HTMLSlotElement>('slot[name="empty"]')!;
    expect(slot.assignedElements().map((node) => node.textContent)).to.deep.equal(['Say hello']);
    expect(root(element).querySelector('[part="row"]')).to.equal(null);
  });

  it('has no accessibility violations (axe), with separators, runs, statuses and failed actions', async () => {
    const session = await offlineSession('ml-a11y');
    const conversation = { conversationType: ConversationType.GROUP, targetId: 'ml-a11y-group' };
    const key = conversationKey(conversation);
    const yesterday = Date.now() - 86_400_000;
    const items = [
      makeItem(conversation, { senderUserId: 'ml-a11y-ann', sentTime: yesterday, text: 'hello' }),
      makeItem(conversation, { senderUserId: 'ml-a11y-ann', sentTime: yesterday + 1000, text: 'second' }),
      makeItem(conversation, { senderUserId: 'ml-a11y', direction: 1, text: 'mine, sent' }),
      makeItem(conversation, { objectName: 'X:Card', content: new UnknownMessage('X:Card', {}) }),
    ];
    session.store.update((state) => {
      let next = setUser(receiveHistory(state, key, items, { hasOlder: true, latest: true }), 'ml-a11y-ann', { name: 'Ann' });
      const own = { seq: undefined, messageUid: undefined, direction: 1 as const, senderUserId: 'ml-a11y' };
      next = receiveMessage(next, makeItem(conversation, { ...own, id: 'ml-a11y-sending', status: 'sending', text: 'sending…' }), { counted: false });
      next = receiveMessage(next, makeItem(conversation, { ...own, id: 'ml-a11y-failed', status: 'failed', errorCode: 30003, text: 'failed' }),
        { counted: false });
      return setLoadingOlder(next, key, true);
    });
    const element = await mount(session, conversation, 'height: 800px; width: 400px');
    await settle(element);
    expect(rowsOf(element)).to.have.length(6);
    const scroller = scrollerOf(element);
    expect(scroller.getAttribute('role')).to.equal('list');
    expect(scroller.getAttribute('aria-label')).to.equal('Messages');
    expect(rowsOf(element).map((row) => [row.getAttribute('role'), row.getAttribute('aria-posinset'), row.getAttribute('aria-setsize')]))
      .to.deep.equal([1, 2, 3, 4, 5, 6].map((n) => ['listitem', String(n), '6']));
    expect(rowById(element, 'ml-a11y-sending')!.querySelector('[part="status"]')!.getAttribute('aria-label')).to.equal('Sending');
    expect(root(element).querySelector('[part="loading"]')!.textContent).to.equal('Loading earlier messages…');
    await expect(element).to.be.accessible();
  });
});
