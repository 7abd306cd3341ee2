// The message menu as a person meets it: where it opens, that nothing covers it (the next rows,
// the composer), that it stays in the viewport, and the ways to open and close it.
import { expect, fixture, html } from '@open-wc/testing';
import { executeServerCommand, resetMouse, sendKeys, sendMouse } from '@web/test-runner-commands';
import '../../src/components/index.js';
import type { ImChatPanel } from '../../src/components/chat-panel/chat-panel.js';
import type { ImMessageList } from '../../src/components/message-list/message-list.js';
import { ChatSession } from '../../src/core/client/chat-session.js';
import { IMClient } from '../../src/core/client/client.js';
import { TextMessage, UnknownMessage } from '../../src/core/messages/index.js';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { conversationKey, receiveHistory, setStatus, type MessageItem } from '../../src/core/store/chat-state.js';
import { env, liveClients, storeReaches } from './live.js';
import { hitAt, untilShown } from './seen.js';
import { nextFrame, settle } from './frames.js';

/** Resolves once `check` returns a truthy value, re-checked after every animation frame. */
async function until<T>(check: () => T | undefined | null | false, what: string, frames = 600): Promise<T> {
  for (let i = 0; i < frames; i++) {
    const value = check();
    if (value) return value;
    await nextFrame();
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Lets the list render, measure and re-render: a few frames with their updates. */
type Rect = { left: number; top: number; right: number; bottom: number; width: number; height: number };
const centre = (box: Rect): [number, number] => [Math.round(box.left + box.width / 2), Math.round(box.top + box.height / 2)];
/** The area two rectangles share, px². */
const overlap = (a: Rect, b: Rect) => Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left))
  * Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));

const rowOf = (list: ImMessageList, id: string) => list.shadowRoot!.querySelector<HTMLElement>(`[part="row"][data-id="${id}"]`);
/** The menu, when it shows (it has a size on screen). */
function shownMenu(list: ImMessageList): HTMLElement | undefined {
  const menu = list.shadowRoot!.querySelector<HTMLElement>('[part="menu"]');
  return menu && menu.getBoundingClientRect().height > 0 ? menu : undefined;
}
const menuItems = (menu: HTMLElement) => [...menu.querySelectorAll<HTMLElement>('[part="menu-item"]')];

/** Every action of the menu is inside the viewport, and a pointer at its centre reaches it: nothing lies over it. */
function expectReachable(menu: HTMLElement): void {
  const items = menuItems(menu);
  expect(items.length, 'actions').to.be.greaterThan(1);
  for (const item of items) {
    const box = item.getBoundingClientRect();
    const what = item.dataset.action;
    expect(box.width, `${what} has a size`).to.be.greaterThan(20);
    expect(box.height, `${what} has a size`).to.be.greaterThan(10);
    expect(box.left, `${what} inside the viewport`).to.be.at.least(0);
    expect(box.top, `${what} inside the viewport`).to.be.at.least(0);
    expect(box.right, `${what} inside the viewport`).to.be.at.most(innerWidth);
    expect(box.bottom, `${what} inside the viewport`).to.be.at.most(innerHeight);
    const hit = hitAt(...centre(box));
    expect(hit === item || item.contains(hit), `${what} is what the pointer reaches (found ${hit?.outerHTML.slice(0, 80)})`).to.equal(true);
  }
}

const conversation = { conversationType: ConversationType.PRIVATE, targetId: 'menu-peer' };
let serial = 0;
function textItem(text: string, own = false): MessageItem {
  serial++;
  return {
    id: `menu-${serial}`, ...conversation, senderUserId: own ? 'menu-me' : 'menu-peer', objectName: 'RC:TxtMsg',
    content: new TextMessage({ content: text }), messageUid: `menu-uid-${serial}`, seq: serial,
    sentTime: Date.now() - 1000, direction: own ? 1 : 2, status: 'sent',
  };
}

/** A list over a store holding `items` (a session never connected: the store alone drives the element). */
async function mountList(items: MessageItem[], style: string): Promise<ImMessageList> {
  const session = new ChatSession(new IMClient({ url: env.ws, token: 'unused' }));
  session.store.update((state) => receiveHistory(setStatus(state, 0, 'menu-me'), conversationKey(conversation), items, { hasOlder: false, latest: true }));
  const list = await fixture<ImMessageList>(html`<im-message-list lang="en" theme="light" style=${style} .session=${session}
    conversation-type=${conversation.conversationType} target-id=${conversation.targetId}></im-message-list>`);
  await settle(list);
  return list;
}

/** The messages whose bubbles show entirely inside the list's viewport, top to bottom. */
function visibleRows(list: ImMessageList): HTMLElement[] {
  const view = list.shadowRoot!.querySelector('[part="list"]')!.getBoundingClientRect();
  return [...list.shadowRoot!.querySelectorAll<HTMLElement>('[part="row"]')]
    .filter((row) => {
      const box = row.querySelector('[part="bubble"]')!.getBoundingClientRect();
      return box.top >= view.top && box.bottom <= view.bottom;
    })
    .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top);
}

describe('the message menu of <im-message-list>', () => {
  const { connect, track } = liveClients();
  afterEach(() => resetMouse());

  it('opens on the last message of a conversation over the composer below it, every action on top and in reach (real server)', async () => {
    const bob = await connect('menu-bob');
    const ann = track(new ChatSession(await connect('menu-ann')));
    await ann.start();
    const chat = { conversationType: ConversationType.PRIVATE, targetId: 'menu-bob' };
    for (let i = 0; i < 6; i++) await bob.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'menu-ann' }, new TextMessage({ content: `hello ${i}` }));
    await ann.open(chat);
    const last = await ann.send(chat, new TextMessage({ content: 'the last word' }));
    const panel = await fixture<ImChatPanel>(html`<im-chat-panel lang="en" theme="light" style="height: 420px; width: 440px"
      .session=${ann} conversation-type=${chat.conversationType} target-id=${chat.targetId}></im-chat-panel>`);
    const list = panel.shadowRoot!.querySelector('im-message-list')!;
    const composer = panel.shadowRoot!.querySelector('im-composer')!;
    const row = await until(() => rowOf(list, last.id), 'the last message');
    await settle(list);

    // The ⋯ button sits beside the own bubble, on its left, level with it.
    const bubble = row.querySelector('[part="bubble"]')!.getBoundingClientRect();
    const button = row.querySelector<HTMLElement>('[part="actions-button"]')!;
    const buttonBox = button.getBoundingClientRect();
    expect(buttonBox.right, 'left of the bubble').to.be.at.most(bubble.left + 0.5);
    expect(bubble.left - buttonBox.right, 'next to it').to.be.below(12);
    expect(buttonBox.top < bubble.bottom && buttonBox.bottom > bubble.top, 'level with it').to.equal(true);

    await sendMouse({ type: 'click', position: centre(buttonBox) });
    const menu = await until(() => shownMenu(list), 'the menu');
    await settle(list);
    const menuBox = menu.getBoundingClientRect();
    expect(menuBox.top, 'below its button').to.be.at.least(buttonBox.bottom);
    expect(overlap(menuBox, composer.getBoundingClientRect()), 'over the composer').to.be.greaterThan(0);
    expect(menuItems(menu).map((item) => item.dataset.action)).to.deep.equal(['copy', 'reply', 'recall', 'delete']);
    expectReachable(menu);

    // An action chosen with the pointer: reply mode starts, the menu goes.
    const reply = menuItems(menu).find((item) => item.dataset.action === 'reply')!;
    await sendMouse({ type: 'click', position: centre(reply.getBoundingClientRect()) });
    await storeReaches(ann, (state) => state.replies?.[conversationKey(chat)]?.id === last.id);
    await settle(list);
    expect(shownMenu(list)).to.equal(undefined);
  });

  it('opens over the rows below a message in the middle, follows it as the list scrolls, and Escape gives the focus back', async () => {
    const items = Array.from({ length: 40 }, (_, i) => textItem(`message ${i}${i % 3 === 0 ? '\nwith a second line' : ''}`, i % 4 === 0));
    const list = await mountList(items, 'display: flex; height: 400px; width: 420px');
    const scroller = list.shadowRoot!.querySelector<HTMLElement>('[part="list"]')!;
    scroller.scrollTop = scroller.scrollHeight / 2;
    await settle(list);
    const row = visibleRows(list).find((candidate) => !candidate.classList.contains('own'))!;
    const below = visibleRows(list).filter((other) => other.getBoundingClientRect().top > row.getBoundingClientRect().top);
    expect(below.length, 'rows below it').to.be.greaterThan(3);

    // Shown on hover only, beside the other person's bubble, on its right.
    const button = row.querySelector<HTMLElement>('[part="actions-button"]')!;
    expect(getComputedStyle(button).opacity).to.equal('0');
    await sendMouse({ type: 'move', position: centre(row.querySelector('[part="bubble"]')!.getBoundingClientRect()) });
    expect(getComputedStyle(button).opacity).to.equal('1');
    const bubble = row.querySelector('[part="bubble"]')!.getBoundingClientRect();
    expect(button.getBoundingClientRect().left, 'right of the bubble').to.be.at.least(bubble.right - 0.5);
    await resetMouse();

    // From the keyboard: the first action takes the focus, the arrows move it.
    button.focus();
    await sendKeys({ press: 'Enter' });
    const menu = await until(() => shownMenu(list), 'the menu');
    await settle(list);
    const focused = () => (list.shadowRoot!.activeElement as HTMLElement | null)?.dataset.action;
    expect(focused()).to.equal('copy');
    await sendKeys({ press: 'ArrowDown' });
    expect(focused()).to.equal('reply');
    await sendKeys({ press: 'ArrowUp' });
    await sendKeys({ press: 'ArrowUp' });
    expect(focused(), 'round to the last').to.equal('delete');
    const menuBox = menu.getBoundingClientRect();
    expect(below.some((other) => overlap(menuBox, other.getBoundingClientRect()) > 0), 'over the rows below').to.equal(true);
    expectReachable(menu);

    // The list scrolls: the menu moves with its message.
    const buttonTop = button.getBoundingClientRect().top;
    scroller.scrollTop -= 30;
    await settle(list);
    const moved = button.getBoundingClientRect().top - buttonTop;
    expect(moved, 'the message moved').to.be.closeTo(30, 1);
    expect(menu.getBoundingClientRect().top - menuBox.top).to.be.closeTo(moved, 1);
    expectReachable(menu);

    // Escape: closed, the focus back on the ⋯ button, nothing of the menu left to hit.
    const formerly = centre(menuItems(menu)[0]!.getBoundingClientRect());
    await sendKeys({ press: 'Escape' });
    await settle(list);
    expect(shownMenu(list)).to.equal(undefined);
    expect(list.shadowRoot!.activeElement).to.equal(button);
    expect(hitAt(...formerly)?.closest('[part="menu"]') ?? null).to.equal(null);

    // Its message scrolled out of the list's view: the menu goes with it.
    button.click();
    await until(() => shownMenu(list), 'the menu again');
    scroller.scrollTop = 0;
    await settle(list);
    expect(shownMenu(list)).to.equal(undefined);
  });

  it('opens above its button when there is no room below it in the viewport', async () => {
    const items = Array.from({ length: 12 }, (_, i) => textItem(`near the bottom ${i}`, i % 2 === 1));
    const list = await mountList(items, 'display: flex; position: fixed; left: 0; bottom: 0; height: 300px; width: 400px');
    const row = visibleRows(list).at(-1)!;
    const button = row.querySelector<HTMLElement>('[part="actions-button"]')!;
    const buttonBox = button.getBoundingClientRect();
    expect(innerHeight - buttonBox.bottom, 'little room below').to.be.below(100);
    await sendMouse({ type: 'click', position: centre(buttonBox) });
    const menu = await until(() => shownMenu(list), 'the menu');
    await settle(list);
    const menuBox = menu.getBoundingClientRect();
    expect(menuBox.bottom, 'above its button').to.be.at.most(buttonBox.top + 0.5);
    expect(buttonBox.top - menuBox.bottom, 'close to it').to.be.below(10);
    expectReachable(menu);
  });

  it('opens at the pointer on a right click on a bubble, instead of the browser\'s menu, inside the viewport at its edge', async () => {
    const items = Array.from({ length: 30 }, (_, i) => textItem(`right click ${i} ${'word '.repeat(i % 5)}`, i % 2 === 0));
    const list = await mountList(items, 'display: flex; height: 400px; width: 420px');
    const prevented: boolean[] = [];
    const record = (event: Event) => prevented.push(event.defaultPrevented);
    globalThis.addEventListener('contextmenu', record);
    try {
      const row = visibleRows(list)[1]!;
      const bubble = row.querySelector('[part="bubble"]')!.getBoundingClientRect();
      const point = centre(bubble);
      await sendMouse({ type: 'click', position: point, button: 'right' });
      const menu = await until(() => shownMenu(list), 'the menu');
      await settle(list);
      expect(prevented, 'the browser\'s menu does not open').to.deep.equal([true]);
      const menuBox = menu.getBoundingClientRect();
      expect(menuBox.left).to.be.closeTo(point[0], 1);
      expect(menuBox.top).to.be.closeTo(point[1], 1);
      expectReachable(menu);
      await sendKeys({ press: 'Escape' });
      await settle(list);

      // At the right edge of the viewport: the menu opens to the left of the pointer, all of it in view.
      list.style.cssText = 'display: flex; position: fixed; right: 0; top: 0; height: 400px; width: 420px';
      await settle(list);
      const own = visibleRows(list).find((candidate) => candidate.classList.contains('own'))!;
      const ownBubble = own.querySelector('[part="bubble"]')!.getBoundingClientRect();
      const edge: [number, number] = [Math.round(ownBubble.right - 6), Math.round(ownBubble.top + ownBubble.height / 2)];
      expect(innerWidth - edge[0], 'near the edge').to.be.below(40);
      await sendMouse({ type: 'click', position: edge, button: 'right' });
      const atEdge = await until(() => shownMenu(list), 'the menu at the edge');
      await settle(list);
      expect(atEdge.getBoundingClientRect().right).to.be.at.most(edge[0] + 0.5);
      expectReachable(atEdge);
      expect(prevented).to.deep.equal([true, true]);
    } finally {
      globalThis.removeEventListener('contextmenu', record);
    }
  });

  it('opens on a touch held on a bubble; lifting the finger neither closes it nor taps what is under it', async () => {
    const image: MessageItem = {
      ...textItem(''), objectName: 'RC:ImgMsg',
      content: new UnknownMessage('RC:ImgMsg', { imageUri: new URL('./fixtures/picture-800x600.svg', import.meta.url).href }),
    };
    const list = await mountList([textItem('before'), image, textItem('after')], 'display: flex; height: 400px; width: 420px');
    // The picture's bubble comes with the media chunk.
    const picture = await untilShown(() => rowOf(list, image.id)?.querySelector<HTMLElement>('[part="image"]'));
    await picture.querySelector('img')!.decode();
    await settle(list);
    const actions: string[] = [];
    list.addEventListener('im-message-action', (event) => actions.push(event.detail.action));
    const [x, y] = centre(picture.getBoundingClientRect());

    await executeServerCommand('touch', { type: 'start', x, y });
    const menu = await until(() => shownMenu(list), 'the menu, while the finger is down');
    await settle(list);
    const menuBox = menu.getBoundingClientRect();
    expect(menuBox.left).to.be.closeTo(x, 1);
    expect(menuBox.top).to.be.closeTo(y, 1);
    await executeServerCommand('touch', { type: 'end' });
    await settle(list);
    expect(shownMenu(list), 'still open after the finger lifts').to.not.equal(undefined);
    expectReachable(menu);
    expect(list.shadowRoot!.querySelector('[part="lightbox"]'), 'the picture was not tapped').to.equal(null);
    expect(actions).to.deep.equal([]);

    // A tap is a tap again: on the picture, away from the menu, it closes the menu and opens the picture.
    const corner = picture.getBoundingClientRect();
    await executeServerCommand('touch', { type: 'start', x: Math.round(corner.left + 10), y: Math.round(corner.top + 10) });
    await executeServerCommand('touch', { type: 'end' });
    const lightbox = await until(() => list.shadowRoot!.querySelector<HTMLDialogElement>('[part="lightbox"]'), 'the lightbox');
    expect(lightbox.open).to.equal(true);
    expect(shownMenu(list)).to.equal(undefined);
    lightbox.close();
  });

  it('without the Popover API, still opens on top of the rows below and the composer, and a click elsewhere closes it', async () => {
    const showPopover = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'showPopover')!;
    Reflect.deleteProperty(HTMLElement.prototype, 'showPopover');
    try {
      const items = Array.from({ length: 20 }, (_, i) => textItem(`older browser ${i}`, i % 3 === 0));
      const session = new ChatSession(new IMClient({ url: env.ws, token: 'unused' }));
      session.store.update((state) => receiveHistory(setStatus(state, 0, 'menu-me'), conversationKey(conversation), items, { hasOlder: false, latest: true }));
      const panel = await fixture<ImChatPanel>(html`<im-chat-panel lang="en" theme="light" style="height: 420px; width: 440px"
        .session=${session} conversation-type=${conversation.conversationType} target-id=${conversation.targetId}></im-chat-panel>`);
      const list = panel.shadowRoot!.querySelector('im-message-list')!;
      await settle(list);
      const composer = panel.shadowRoot!.querySelector('im-composer')!;
      const row = visibleRows(list).at(-1)!;
      await sendMouse({ type: 'click', position: centre(row.querySelector('[part="actions-button"]')!.getBoundingClientRect()) });
      const menu = await until(() => shownMenu(list), 'the menu');
      await settle(list);
      expect(menu.hasAttribute('popover')).to.equal(false);
      expect(overlap(menu.getBoundingClientRect(), composer.getBoundingClientRect()), 'over the composer').to.be.greaterThan(0);
      expectReachable(menu);
      await sendMouse({ type: 'click', position: centre(visibleRows(list)[0]!.querySelector('[part="bubble"]')!.getBoundingClientRect()) });
      await settle(list);
      expect(shownMenu(list)).to.equal(undefined);
    } finally {
      Object.defineProperty(HTMLElement.prototype, 'showPopover', showPopover);
    }
  });
});
