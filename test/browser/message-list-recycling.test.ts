import { expect, fixture, html } from '@open-wc/testing';
import { ImMessageList } from '../../src/components/message-list/message-list.js';
import { ChatSession } from '../../src/core/client/chat-session.js';
import { IMClient } from '../../src/core/client/client.js';
import { TextMessage } from '../../src/core/messages/index.js';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { conversationKey, receiveHistory, type ConversationRef, type MessageItem } from '../../src/core/store/chat-state.js';
import { nextFrame, settle } from './frames.js';

if (!customElements.get('im-message-list')) customElements.define('im-message-list', ImMessageList);

const root = (element: ImMessageList): ShadowRoot => element.shadowRoot!;
const scrollerOf = (element: ImMessageList) => root(element).querySelector<HTMLElement>('[part="list"]')!;
const rowsOf = (element: ImMessageList) => [...root(element).querySelectorAll<HTMLElement>('[part="row"]')];
const rowById = (element: ImMessageList, id: string) => root(element).querySelector<HTMLElement>(`[part="row"][data-id="${id}"]`);

/** Every node in the shadow tree (elements, text, comments): what the DOM holds for the list. */
function nodeCount(element: ImMessageList): number {
  const walker = document.createTreeWalker(root(element), NodeFilter.SHOW_ALL);
  let count = 0;
  while (walker.nextNode()) count++;
  return count;
}

/** The row under a point of the viewport, as hit testing finds it (what a click there would reach). */
function rowAt(element: ImMessageList, x: number, y: number): HTMLElement | null {
  return (root(element).elementFromPoint(x, y) as HTMLElement | null)?.closest<HTMLElement>('[part="row"]') ?? null;
}

const START = Date.UTC(2024, 0, 1, 9);
const PEER = 'rc-peer';

/** N messages: every third own (sent), a new day every 400, one in five multi-line. */
function makeItems(conversation: ConversationRef, n: number): MessageItem[] {
  const items: MessageItem[] = [];
  for (let i = 0; i < n; i++) {
    const own = i % 3 === 0;
    items.push({
      id: `rc-${i}`,
      conversationType: conversation.conversationType,
      targetId: conversation.targetId,
      senderUserId: own ? 'rc-me' : PEER,
      objectName: 'RC:TxtMsg',
      content: new TextMessage({ content: i % 5 === 0 ? `text ${i}\nsecond line of ${i}` : `text ${i}` }),
      messageUid: `rc-uid-${i}`,
      seq: i + 1,
      sentTime: START + Math.floor((i * 86_400_000) / 400),
      direction: own ? 1 : 2,
      status: 'sent',
    });
  }
  return items;
}

describe('<im-message-list> row recycling', () => {
  const sessions: ChatSession[] = [];
  afterEach(() => {
    for (const session of sessions.splice(0)) session.dispose();
  });

  const open = async (n: number) => {
    const session = new ChatSession(new IMClient({ url: 'ws://127.0.0.1:9/im', token: 'offline' }));
    sessions.push(session);
    const conversation = { conversationType: ConversationType.PRIVATE, targetId: PEER };
    session.store.update((state) => receiveHistory(state, conversationKey(conversation), makeItems(conversation, n), { hasOlder: false, latest: true }));
    const element = await fixture<ImMessageList>(html`<im-message-list lang="en" theme="light" style="height: 400px; width: 380px"
      .session=${session} conversation-type=${conversation.conversationType} target-id=${conversation.targetId}></im-message-list>`);
    await settle(element);
    return element;
  };

  it('a row reused for another message shows that message only: text, time, status, separator, ARIA position', async () => {
    const element = await open(10_000);
    const before = new Set(rowsOf(element));
    const scroller = scrollerOf(element);
    scroller.scrollTop = scroller.scrollHeight / 2;
    await settle(element);
    const rows = rowsOf(element);
    const reused = rows.filter((row) => before.has(row));
    expect(reused.length, 'rows kept their DOM for other messages').to.be.greaterThan(rows.length / 2);
    for (const row of rows) {
      const index = Number(row.dataset.index);
      expect(row.dataset.id).to.equal(`rc-${index}`);
      expect(row.getAttribute('aria-posinset')).to.equal(String(index + 1));
      expect(row.getAttribute('aria-setsize')).to.equal('10000');
      const text = row.querySelector('.text')!.textContent;
      expect(text).to.equal(index % 5 === 0 ? `text ${index}\nsecond line of ${index}` : `text ${index}`);
      const own = index % 3 === 0;
      expect(row.classList.contains('own'), `row ${index} own`).to.equal(own);
      expect(row.classList.contains('other'), `row ${index} other`).to.equal(!own);
      // Status only on own messages; the time is this message's.
      expect(row.querySelectorAll('[part="status"]').length, `row ${index} status`).to.equal(own ? 1 : 0);
      const time = row.querySelector('time')!;
      expect(time.dateTime).to.equal(new Date(START + Math.floor((index * 86_400_000) / 400)).toISOString());
      expect(time.title).to.contain('2024');
      expect(time.textContent).to.match(/^\d\d:\d\d/);
      // A date separator exactly where a new day starts.
      const newDay = index % 400 === 0 || new Date(START + Math.floor((index * 86_400_000) / 400)).getDate()
        !== new Date(START + Math.floor(((index - 1) * 86_400_000) / 400)).getDate();
      expect(row.querySelectorAll('[part="date-separator"]').length, `row ${index} separator`).to.equal(newDay ? 1 : 0);
      expect(row.querySelectorAll('[part="bubble"]').length).to.equal(1);
      expect(row.querySelector('[part="actions-button"]')!.getAttribute('aria-expanded')).to.equal('false');
    }
  });

  it('keeps fewer than 500 DOM nodes for 100,000 messages, and a jump lands with rows covering the viewport', async () => {
    const element = await open(100_000);
    const scroller = scrollerOf(element);
    expect(nodeCount(element), 'nodes at the bottom').to.be.below(500);
    for (const fraction of [0.5, 0.1, 0.87, 0]) {
      scroller.scrollTop = (scroller.scrollHeight - scroller.clientHeight) * fraction;
      await settle(element, 2);
      expect(nodeCount(element), `nodes at ${fraction}`).to.be.below(500);
      const view = scroller.getBoundingClientRect();
      const { start, end } = element.renderedRange;
      // Hit testing finds a row of the rendered range under every part of the viewport.
      let previous = -1;
      for (let y = view.top + 4; y < view.bottom - 4; y += 24) {
        const row = rowAt(element, view.left + view.width / 2, y) ?? rowAt(element, view.left + 40, y) ?? rowAt(element, view.right - 40, y);
        // At the very top, the "beginning of the conversation" head is above the first row.
        const head = root(element).querySelector('.head')!.getBoundingClientRect();
        if (!row && start === 0 && y < head.bottom) continue;
        expect(row, `a row under y=${Math.round(y - view.top)} at ${fraction}`).to.not.equal(null);
        const index = Number(row!.dataset.index);
        expect(index).to.be.within(start, end - 1);
        expect(row!.dataset.id).to.equal(`rc-${index}`);
        // Top to bottom, the rows under the points go in message order.
        expect(index).to.be.at.least(previous);
        previous = index;
      }
    }
  });

  it('while the thumb is dragged across 100,000 messages every frame shows rows; once it stops, rows beyond the viewport are ready for a nudge', async () => {
    const element = await open(100_000);
    const scroller = scrollerOf(element);
    const view = () => scroller.getBoundingClientRect();
    const rowUnder = (y: number) => rowAt(element, view().left + view().width / 2, y) ?? rowAt(element, view().left + 40, y) ?? rowAt(element, view().right - 40, y);
    // A drag: a far step up on each frame, as the bench's jump does, looking at what each frame shows.
    const step = (scroller.scrollHeight - scroller.clientHeight) / 8;
    for (let k = 0; k < 5; k++) {
      scroller.scrollTop -= step;
      await nextFrame();
      await element.updateComplete;
      await nextFrame();
      for (const y of [view().top + 4, view().top + view().height / 2, view().bottom - 4]) {
        expect(rowUnder(y), `a row under y=${Math.round(y - view().top)} on step ${k}`).to.not.equal(null);
      }
    }
    // The drag stopped. Within a second the list renders rows above and below the viewport again.
    const rowsBeyond = () => {
      const rows = rowsOf(element).map((row) => row.getBoundingClientRect());
      return rows.some((rect) => rect.bottom < view().top) && rows.some((rect) => rect.top > view().bottom);
    };
    for (let frame = 0; frame < 60 && !rowsBeyond(); frame++) await nextFrame();
    expect(rowsBeyond(), 'rows rendered either side of the viewport after the drag').to.equal(true);
    // A nudge up shows rows at once, before the list has had a frame to react to it.
    scroller.scrollTop -= 100;
    expect(rowUnder(view().top + 4), 'a row at the top right after the nudge').to.not.equal(null);
  });

  it('never leaves the focus in a row lent to another message, and keeps rows in message order', async () => {
    const element = await open(10_000);
    const scroller = scrollerOf(element);
    const rows = rowsOf(element);
    const target = rows[Math.floor(rows.length / 2)]!;
    const id = target.dataset.id!;
    target.querySelector<HTMLElement>('[part="actions-button"]')!.focus();
    await settle(element);
    for (const top of [1000, scroller.scrollHeight / 3, 0]) {
      scroller.scrollTop = top;
      await settle(element);
      // Whatever holds the focus now is in the row of the message that was focused, or in none.
      const active = root(element).activeElement;
      const row = active?.closest<HTMLElement>('[part="row"]');
      if (row) expect(row.dataset.id).to.equal(id);
      const indexes = rowsOf(element).map((r) => Number(r.dataset.index));
      expect(indexes.join(), 'rows in document order').to.equal([...indexes].sort((a, b) => a - b).join());
      for (const r of rowsOf(element)) expect(r.dataset.id).to.equal(`rc-${r.dataset.index}`);
    }
    element.scrollToBottom();
    await settle(element);
    expect(rowById(element, id)!.querySelector('.text')!.textContent).to.contain(`text ${id.slice(3)}`);
  });
});
