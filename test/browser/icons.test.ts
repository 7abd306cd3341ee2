import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/components/index.js';
import type { ImComposer } from '../../src/components/composer/composer.js';
import type { ImConversationList } from '../../src/components/conversation-list/conversation-list.js';
import { avatarColor } from '../../src/components/internal/format.js';
import { ChatSession } from '../../src/core/client/chat-session.js';
import { TextMessage } from '../../src/core/messages/index.js';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { setConversationFlags } from '../../src/core/store/chat-state.js';
import { createGroup, liveClients, storeReaches } from './live.js';
import { expectSeen, isShown, untilShown } from './seen.js';

/** Emoji and the text glyphs the controls used to be drawn with (tofu without an emoji font). */
const PICTOGRAPH = /[\p{Extended_Pictographic}\u2715\u25A0\u2039]/u;

/** The control shows the named SVG icon and no emoji or glyph standing in for one. */
function expectIcon(control: Element | null | undefined, name: string, what: string): void {
  expectSeen(control, what);
  const svg = control!.querySelector(`svg.icon-${name}`);
  expect(svg, `${what}: the ${name} icon`).to.be.instanceOf(SVGSVGElement);
  expect(isShown(svg), `${what}: the icon is drawn`).to.equal(true);
  expect(PICTOGRAPH.test(control!.textContent ?? ''), `${what}: no emoji character in "${control!.textContent}"`).to.equal(false);
}

const rgb = (hex: string) => `rgb(${[1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16)).join(', ')})`;

describe('icons and colours, as drawn', () => {
  const { connect, track } = liveClients();
  const started = async (userId: string) => {
    const session = track(new ChatSession(await connect(userId)));
    await session.start();
    return session;
  };

  it('draws the composer\'s controls as SVG icons, each keeping its accessible name', async () => {
    const peer = await connect('ico-peer');
    const session = await started('ico-ann');
    const conversation = { conversationType: ConversationType.PRIVATE, targetId: 'ico-peer' };
    await peer.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'ico-ann' }, new TextMessage({ content: 'quote me' }));
    await session.open(conversation);
    await storeReaches(session, (state) => state.windows['1:ico-peer']?.items.length === 1);
    const composer = await fixture<ImComposer>(html`<im-composer lang="en" theme="light" style="width: 520px; margin-top: 40px"
      .session=${session} conversation-type="1" target-id="ico-peer"></im-composer>`);
    const part = (name: string) => composer.shadowRoot!.querySelector<HTMLElement>(`[part="${name}"]`);

    expectIcon(part('attach-button'), 'paperclip', 'attach');
    expect(part('attach-button')!.querySelector('input')!.getAttribute('aria-label')).to.equal('Attach a file');
    expectIcon(part('emoji-button'), 'smile', 'emoji');
    expect(part('emoji-button')!.getAttribute('aria-label')).to.equal('Emoji');
    expectIcon(part('record-button'), 'mic', 'record');
    expect(part('record-button')!.getAttribute('aria-label')).to.equal('Record a voice message');
    const input = composer.shadowRoot!.querySelector('textarea')!;
    input.focus();
    await sendKeys({ type: 'hi' });
    await composer.updateComplete;
    expectIcon(part('send-button'), 'send', 'send');
    const label = part('send-button')!.querySelector('.send-label')!;
    expect(label.textContent).to.equal('Send');
    expectSeen(label, 'the "Send" label, with room for it');

    // Reply mode's dismiss button.
    session.replyTo(conversation, session.state.windows['1:ico-peer']!.items[0]!);
    await untilShown(() => part('reply-dismiss'));
    expectIcon(part('reply-dismiss'), 'close', 'dismiss the reply');
    expect(part('reply-dismiss')!.getAttribute('aria-label')).to.equal('Cancel reply');

    // Recording: the stop icon and the seconds.
    part('record-button')!.click();
    await untilShown(() => part('record-button')!.getAttribute('aria-pressed') === 'true');
    await composer.updateComplete;
    expectIcon(part('record-button'), 'stop', 'stop recording');
    expect(part('record-button')!.textContent!.trim()).to.match(/^\d+s$/);
    input.focus();
    await sendKeys({ press: 'Escape' });
    await untilShown(() => part('record-button')!.getAttribute('aria-pressed') === 'false');
  });

  it('keeps the send button\'s name where the composer is too narrow for its label', async () => {
    const session = await started('ico-narrow');
    const composer = await fixture<ImComposer>(html`<im-composer lang="zh-CN" theme="light" style="width: 300px"
      .session=${session} conversation-type="1" target-id="ico-narrow-peer"></im-composer>`);
    const input = composer.shadowRoot!.querySelector('textarea')!;
    input.focus();
    await sendKeys({ type: 'hi' });
    await composer.updateComplete;
    const send = composer.shadowRoot!.querySelector<HTMLButtonElement>('[part="send-button"]')!;
    expectIcon(send, 'send', 'send');
    expect(send.querySelector('.send-label')!.getBoundingClientRect().width, 'the label is not drawn').to.be.at.most(1);
    expect(send.textContent!.trim(), 'its accessible name').to.equal('发送');
    expect(composer.getBoundingClientRect().right, 'every control fits').to.be.at.least(send.getBoundingClientRect().right);
  });

  it('marks pinned and muted rows with icons and gives each initials avatar its id\'s colour', async () => {
    const club = 'ico-club';
    await createGroup(club, ['ico-list', 'ico-sam']);
    const sam = await connect('ico-sam');
    const kim = await connect('ico-kim');
    await sam.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'ico-list' }, new TextMessage({ content: 'from sam' }));
    await kim.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'ico-list' }, new TextMessage({ content: 'from kim' }));
    await sam.sendMessage({ conversationType: ConversationType.GROUP, targetId: club }, new TextMessage({ content: 'in the club' }));
    const session = await started('ico-list');
    await storeReaches(session, (state) => state.conversations.keys.length === 3);
    session.store.update((state) => setConversationFlags(state, '1:ico-sam', { pinned: true }));
    session.store.update((state) => setConversationFlags(state, '1:ico-kim', { muted: true }));
    const list = await fixture<ImConversationList>(html`<im-conversation-list lang="en" theme="light" style="width: 320px; height: 400px"
      .session=${session}></im-conversation-list>`);
    const row = (key: string) => list.shadowRoot!.querySelector<HTMLElement>(`li[data-key="${key}"]`)!;
    await untilShown(() => row('3:ico-club'));

    const pin = row('1:ico-sam').querySelector('.mark')!;
    expectIcon(pin, 'pin', 'the pinned mark');
    expect(pin.textContent!.trim(), 'said to assistive technology').to.equal('Pinned');
    const mute = row('1:ico-kim').querySelector('.mark')!;
    expectIcon(mute, 'bell-off', 'the muted mark');
    expect(mute.textContent!.trim()).to.equal('Muted');
    expect(PICTOGRAPH.test(list.shadowRoot!.textContent ?? ''), 'no emoji anywhere in the list').to.equal(false);

    // The user id for a private chat, the group id for a group; white initials on it.
    const ids = ['ico-sam', 'ico-kim', club];
    expect(new Set(ids.map(avatarColor)).size, 'ids picked to differ in colour').to.equal(3);
    for (const [key, id] of [['1:ico-sam', 'ico-sam'], ['1:ico-kim', 'ico-kim'], [`3:${club}`, club]] as const) {
      const avatar = row(key).querySelector<HTMLElement>('[part="avatar"]')!;
      expectSeen(avatar, `${id}'s avatar`);
      expect(getComputedStyle(avatar).backgroundColor, `${id}'s colour`).to.equal(rgb(avatarColor(id)));
      expect(getComputedStyle(avatar).color, 'white initials').to.equal('rgb(255, 255, 255)');
    }
  });
});
