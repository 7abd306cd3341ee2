import { expect, fixture, html } from '@open-wc/testing';
import '../../src/components/index.js';
import type { ImChat } from '../../src/components/chat/chat.js';
import type { ImComposer } from '../../src/components/composer/composer.js';
import type { ImConversationList } from '../../src/components/conversation-list/conversation-list.js';
import { ConnectionStatus, ConversationType } from '../../src/core/protocol/codes.js';
import { IMClient } from '../../src/core/client/client.js';
import { TextMessage } from '../../src/core/messages/index.js';

const env: { ws: string } = await (await fetch('/__im-test-env.json')).json();
const token = async (userId: string): Promise<string> => (await (await fetch(`/__im-token?userId=${userId}`)).json()).token;

/** Resolves once `check` returns a truthy value, re-checked after every animation frame. */
async function until<T>(check: () => T | undefined | null | false, what: string, frames = 600): Promise<T> {
  for (let i = 0; i < frames; i++) {
    const value = check();
    if (value) return value;
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const shadow = (element: Element | null | undefined): ShadowRoot => {
  if (!element?.shadowRoot) throw new Error(`no shadow root on ${element?.tagName}`);
  return element.shadowRoot;
};
const listOf = (chat: ImChat) => shadow(chat).querySelector('im-conversation-list') as ImConversationList;
const panelOf = (chat: ImChat) => shadow(chat).querySelector('im-chat-panel')!;
const composerOf = (chat: ImChat) => shadow(panelOf(chat)).querySelector('im-composer') as ImComposer;
const rows = (chat: ImChat) => [...shadow(listOf(chat)).querySelectorAll<HTMLElement>('li[role="option"]')];
const badgeOf = (row: HTMLElement | undefined) => row?.querySelector('[part="badge"]')?.textContent?.trim();

async function mountChat(userId: string, attributes: { lang?: string; theme?: string } = {}): Promise<ImChat> {
  const chat = await fixture<ImChat>(html`<im-chat style="--im-chat-height: 500px; width: 900px"
    server=${env.ws} token=${await token(userId)} lang=${attributes.lang ?? 'en'} theme=${attributes.theme ?? 'light'}></im-chat>`);
  await until(() => chat.session?.state.status === ConnectionStatus.CONNECTED, `${userId} connected`);
  return chat;
}

describe('<im-chat> against the reference server', () => {
  it('Alice sends; Bob sees it, his unread badge counts it and clears when he opens the conversation', async () => {
    const bob = await mountChat('w-bob');
    const alice = await mountChat('w-alice');
    await alice.session!.open({ conversationType: ConversationType.PRIVATE, targetId: 'w-bob' });
    await until(() => composerOf(alice)?.shadowRoot?.querySelector('textarea'), 'alice composer');
    const textarea = composerOf(alice).shadowRoot!.querySelector('textarea')!;
    textarea.value = 'Hello Bob <b>not bold</b>';
    textarea.dispatchEvent(new Event('input'));
    textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
    expect(textarea.value).to.equal('', 'the composer clears on send');

    const row = await until(() => rows(bob).find((r) => r.dataset.key === '1:w-alice'), 'bob\'s row for alice');
    await until(() => badgeOf(row) === '1', 'badge 1');
    expect(row.querySelector('[part="preview"]')!.textContent).to.equal('Hello Bob <b>not bold</b>');
    expect(row.querySelector('b')).to.equal(null, 'text is never parsed as HTML');

    row.click();
    await until(() => !badgeOf(rows(bob).find((r) => r.dataset.key === '1:w-alice')), 'badge cleared');
    expect(bob.session!.state.activeKey).to.equal('1:w-alice');
    const serverSide = await bob.session!.client.getConversationList();
    expect(serverSide.find((c) => c.targetId === 'w-alice')!.unreadCount).to.equal(0);
  });

  it('Enter during an IME composition does not send; Enter after it does', async () => {
    const chat = await mountChat('w-ime');
    await chat.session!.open({ conversationType: ConversationType.PRIVATE, targetId: 'w-ime-peer' });
    const composer = await until(() => composerOf(chat), 'composer');
    await composer.updateComplete;
    const textarea = composer.shadowRoot!.querySelector('textarea')!;
    const sent: string[] = [];
    chat.addEventListener('im-request-send', (event) => sent.push(event.detail.text));

    textarea.dispatchEvent(new CompositionEvent('compositionstart', { data: '' }));
    textarea.value = 'nihao';
    textarea.dispatchEvent(new Event('input'));
    textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, bubbles: true, cancelable: true }));
    textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', keyCode: 229, bubbles: true, cancelable: true }));
    textarea.value = '你好';
    textarea.dispatchEvent(new InputEvent('input', { isComposing: true, data: '你好' }));
    textarea.dispatchEvent(new CompositionEvent('compositionend', { data: '你好' }));
    // Safari's order: the Enter that commits the composition arrives right after compositionend.
    textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
    expect(sent).to.deep.equal([]);
    expect(textarea.value).to.equal('你好');

    await new Promise((resolve) => setTimeout(resolve));
    textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', shiftKey: true, bubbles: true, cancelable: true }));
    expect(sent).to.deep.equal([], 'Shift+Enter breaks the line');
    textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
    expect(sent).to.deep.equal(['你好']);
  });

  it('keeps a draft per conversation', async () => {
    const chat = await mountChat('w-drafter');
    const first = { conversationType: ConversationType.PRIVATE, targetId: 'w-d1' };
    const second = { conversationType: ConversationType.PRIVATE, targetId: 'w-d2' };
    await chat.session!.open(first);
    const textarea = () => composerOf(chat).shadowRoot!.querySelector('textarea')!;
    await until(() => composerOf(chat)?.shadowRoot?.querySelector('textarea'), 'composer');
    textarea().value = 'unfinished';
    textarea().dispatchEvent(new Event('input'));
    await chat.session!.open(second);
    await until(() => textarea().value === '', 'second conversation empty');
    await chat.session!.open(first);
    await until(() => textarea().value === 'unfinished', 'draft restored');
  });

  it('applies light and dark tokens, and a page\'s own --im-* values', async () => {
    const light = await mountChat('w-light', { theme: 'light' });
    const dark = await mountChat('w-dark', { theme: 'dark' });
    const background = (chat: ImChat) => getComputedStyle(chat).backgroundColor;
    expect(background(light)).to.equal('rgb(255, 255, 255)');
    expect(background(dark)).to.equal('rgb(17, 24, 39)');
    const listBackground = getComputedStyle(listOf(dark)).backgroundColor;
    expect(listBackground).to.equal('rgb(17, 24, 39)', 'inner elements follow the theme');
    light.style.setProperty('--im-color-background', 'rgb(1, 2, 3)');
    expect(background(light)).to.equal('rgb(1, 2, 3)');
  });

  it('speaks Chinese with lang="zh-CN"', async () => {
    const chat = await mountChat('w-zh', { lang: 'zh-CN' });
    await chat.session!.open({ conversationType: ConversationType.PRIVATE, targetId: 'w-zh-peer' });
    const composer = await until(() => composerOf(chat), 'composer');
    await composer.updateComplete;
    expect(composer.shadowRoot!.querySelector('textarea')!.getAttribute('aria-label')).to.equal('消息');
    expect(composer.shadowRoot!.querySelector('[part="send-button"]')!.textContent!.trim()).to.equal('发送');
  });

  it('has no axe violations in the list, the panel and the composer', async () => {
    const peer = new IMClient({ url: env.ws, token: await token('w-axe-peer') });
    await peer.connect();
    await peer.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'w-axe' }, new TextMessage({ content: 'hi' }));
    await peer.disconnect();
    const chat = await mountChat('w-axe');
    await until(() => rows(chat).length > 0, 'a row');
    await chat.session!.open({ conversationType: ConversationType.PRIVATE, targetId: 'w-axe-peer' });
    await until(() => composerOf(chat), 'composer');
    await expect(chat).to.be.accessible();
    await expect(listOf(chat)).to.be.accessible();
    await expect(panelOf(chat)).to.be.accessible();
    await expect(composerOf(chat)).to.be.accessible();
  });
});
