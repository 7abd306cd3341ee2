import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/components/index.js';
import type { ImChatPanel } from '../../src/components/chat-panel/chat-panel.js';
import { ChatSession } from '../../src/core/client/chat-session.js';
import { ReferenceMessage, TextMessage } from '../../src/core/messages/index.js';
import { ConnectionStatus, ConversationType } from '../../src/core/protocol/codes.js';
import { createGroup, env, liveClients, receives, storeReaches } from './live.js';

async function pngFile(name: string, width: number, height: number): Promise<File> {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#c33';
  context.fillRect(0, 0, width, height);
  const blob = await new Promise<Blob>((resolve) => canvas.toBlob((value) => resolve(value!), 'image/png'));
  return new File([blob], name, { type: 'image/png' });
}

describe('composing rich messages in <im-chat-panel> against the real server', () => {
  const { connect, track } = liveClients();
  const panelFor = async (userId: string, conversation: { conversationType: number; targetId: string }) => {
    const session = track(new ChatSession(await connect(userId), { fileOrigins: [new URL(env.http).origin] }));
    await session.start();
    expect(session.state.status).to.equal(ConnectionStatus.CONNECTED);
    await session.open(conversation);
    const panel = await fixture<ImChatPanel>(html`<im-chat-panel lang="en" style="height: 600px; width: 480px; display: block"
      .session=${session} conversation-type=${conversation.conversationType} target-id=${conversation.targetId}></im-chat-panel>`);
    const composer = panel.shadowRoot!.querySelector('im-composer')!;
    const list = panel.shadowRoot!.querySelector('im-message-list')!;
    await composer.updateComplete;
    return { session, panel, composer, list, input: composer.shadowRoot!.querySelector('textarea')! };
  };

  it('pastes an image: progress, then an image message the peer can open through a signed URL', async () => {
    const peer = await connect('rich-bob');
    const { session, composer, list } = await panelFor('rich-ann', { conversationType: ConversationType.PRIVATE, targetId: 'rich-bob' });
    const arrived = receives(peer, (message) => message.objectName === 'RC:ImgMsg');
    const data = new DataTransfer();
    data.items.add(await pngFile('red.png', 800, 600));
    composer.shadowRoot!.querySelector('textarea')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, composed: true }));
    await storeReaches(session, (state) => state.uploads['1:rich-bob']?.length === 1);
    const message = await arrived;
    const content = message.content as unknown as { imageUri: string; content?: string };
    expect(content.imageUri).to.match(new RegExp(`^${env.http}/files/`));
    expect(content.content!.length, 'a thumbnail within the seed\'s 10 KB').to.be.within(1, 10_240);
    await storeReaches(session, (state) => !state.uploads['1:rich-bob'] && state.windows['1:rich-bob']?.items.at(-1)?.status === 'sent');
    // The sender's own list shows it from the signed URL, and the image really loads.
    const image = await new Promise<HTMLImageElement>((resolve) => {
      const find = () => {
        const img = list.shadowRoot!.querySelector<HTMLImageElement>('[part="image"] img');
        if (img?.src.startsWith(`${env.http}/files/`) && img.complete && img.naturalWidth > 0) resolve(img);
        else requestAnimationFrame(find);
      };
      find();
    });
    expect(new URL(image.src).searchParams.get('s'), 'signed').to.be.a('string');
    expect(image.naturalWidth).to.equal(800);
  });

  it('cancels an upload: no message is sent and the progress row goes', async () => {
    const { session, composer } = await panelFor('rich-cancel', { conversationType: ConversationType.PRIVATE, targetId: 'rich-nobody' });
    const big = new File([new Uint8Array(16 * 1024 * 1024)], 'big.bin', { type: 'application/octet-stream' });
    composer.sendFiles([big]);
    const upload = await storeReaches(session, (state) => state.uploads['1:rich-nobody']?.[0]);
    await composer.updateComplete;
    composer.shadowRoot!.querySelector<HTMLButtonElement>('[part="upload"] button')!.click();
    await storeReaches(session, (state) => !state.uploads['1:rich-nobody']);
    expect(upload.name).to.equal('big.bin');
    expect(session.state.windows['1:rich-nobody']?.items ?? []).to.have.length(0);
  });

  it('replies with a quote from the message menu, and recalls its own message for the peer', async () => {
    const peer = await connect('quote-bob');
    const { session, list, input, composer } = await panelFor('quote-ann', { conversationType: ConversationType.PRIVATE, targetId: 'quote-bob' });
    await peer.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'quote-ann' }, new TextMessage({ content: 'lunch at noon?' }));
    await storeReaches(session, (state) => state.windows['1:quote-bob']?.items.length === 1);
    await list.updateComplete;
    list.shadowRoot!.querySelector<HTMLButtonElement>('[part="actions-button"]')!.click();
    await list.updateComplete;
    list.shadowRoot!.querySelector<HTMLButtonElement>('[role="menuitem"][data-action="reply"]')!.click();
    await storeReaches(session, (state) => state.replies['1:quote-bob']);
    await list.updateComplete;
    await composer.updateComplete;
    expect(composer.shadowRoot!.activeElement, 'reply mode puts the caret in the composer').to.equal(input);
    const quoted = receives(peer, (message) => message.objectName === 'RC:ReferenceMsg');
    await sendKeys({ type: 'yes!' });
    await sendKeys({ press: 'Enter' });
    const reply = (await quoted).content as ReferenceMessage;
    expect(reply.content).to.equal('yes!');
    expect(reply.referMsgUserId).to.equal('quote-bob');
    expect((reply.referMsg as { content: string }).content).to.equal('lunch at noon?');
    expect(session.state.replies['1:quote-bob'], 'reply mode ends with the send').to.equal(undefined);

    // Recall it: the peer sees the recall command; the sender's bubble becomes the grey bar.
    await storeReaches(session, (state) => state.windows['1:quote-bob']?.items.at(-1)?.status === 'sent');
    await list.updateComplete;
    const buttons = list.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part="actions-button"]');
    buttons[buttons.length - 1]!.click();
    await list.updateComplete;
    const recalled = receives(peer, (message) => message.objectName === 'RC:RcCmd');
    list.shadowRoot!.querySelector<HTMLButtonElement>('[role="menuitem"][data-action="recall"]')!.click();
    await recalled;
    await storeReaches(session, (state) => state.windows['1:quote-bob']?.items.at(-1)?.objectName === 'RC:RcNtf');
    await list.updateComplete;
    expect([...list.shadowRoot!.querySelectorAll('[part="notice"]')].map((notice) => notice.textContent!.trim())).to.include('You recalled a message');
  });

  it('offers the group\'s members after @ and sends the mention in mentionedInfo', async () => {
    await createGroup('mention-club', ['men-ann', 'men-bob', 'men-cat']);
    const bob = await connect('men-bob');
    const { session, composer, input } = await panelFor('men-ann', { conversationType: ConversationType.GROUP, targetId: 'mention-club' });
    await storeReaches(session, (state) => state.groups['mention-club']?.memberIds?.length === 3);
    input.focus();
    await sendKeys({ type: 'hi @b' });
    await composer.updateComplete;
    const options = [...composer.shadowRoot!.querySelectorAll('[part="mention-list"] [role="option"]')].map((option) => option.textContent!.trim());
    expect(options).to.deep.equal(['men-bob']);
    const mentioned = receives(bob, (message) => message.objectName === 'RC:TxtMsg');
    await sendKeys({ press: 'Enter' });
    expect(input.value).to.equal('hi @men-bob ');
    await sendKeys({ type: 'look' });
    await sendKeys({ press: 'Enter' });
    const text = (await mentioned).content as TextMessage;
    expect(text.content).to.equal('hi @men-bob look');
    expect(text.mentionedInfo).to.deep.include({ type: 2, userIdList: ['men-bob'] });
  });

  it('records a voice message from the (synthetic) microphone and sends it with its length', async () => {
    const peer = await connect('voice-bob');
    const { composer } = await panelFor('voice-ann', { conversationType: ConversationType.PRIVATE, targetId: 'voice-bob' });
    const record = () => composer.shadowRoot!.querySelector<HTMLButtonElement>('[part="record-button"]')!;
    const voice = receives(peer, (message) => message.objectName === 'RC:HQVCMsg');
    record().click();
    // Recording takes real time: wait until the composer has counted over a second.
    await new Promise<void>((resolve) => {
      const check = () => (record().getAttribute('aria-pressed') === 'true' && /[1-9]s$/.test(record().textContent!.trim()) ? resolve() : requestAnimationFrame(check));
      check();
    });
    record().click();
    const message = (await voice).content as unknown as { remoteUrl: string; duration: number; type: string };
    expect(message.remoteUrl).to.match(new RegExp(`^${env.http}/files/`));
    expect(message.duration).to.be.within(1, 3);
    expect(message.type).to.match(/webm|ogg/);
    expect(record().getAttribute('aria-pressed')).to.equal('false');
  });
});
