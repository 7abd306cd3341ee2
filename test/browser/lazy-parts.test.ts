import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { IMClient } from '../../src/core/client/client.js';
import { GIFMessage } from '../../src/core/messages/index.js';
import '../../src/components/index.js';
import { composerMedia } from '../../src/components/composer/composer.js';
import { pngBlob } from './images.js';

// The parts of the widget loaded on a user action (media bubbles, sending files), in real
// Chromium against the real server: from the script tag (dist/im-widget.iife.js and its sibling
// modules, which must be built) and from the ES modules. The network's answers for a chunk are
// held or failed through Playwright's routing (web-test-runner.config.mjs, the `route` command).

const env: { ws: string; http: string } = await (await fetch('/__im-test-env.json')).json();
const token = async (userId: string): Promise<string> => (await (await fetch(`/__im-token?userId=${userId}`)).json()).token;
const route = (file: string, mode: 'pass' | 'fail' | 'hold') => executeServerCommand('route', { file, mode });

/** The first element matching `selector` in `root` or any shadow root inside it. */
function deep<T extends Element>(root: Document | ShadowRoot | Element, selector: string): T | null {
  const found = root.querySelector<T>(selector);
  if (found) return found;
  if (root instanceof Element && root.shadowRoot) return deep<T>(root.shadowRoot, selector);
  for (const element of root.querySelectorAll('*')) {
    const inner = element.shadowRoot ? deep<T>(element.shadowRoot, selector) : null;
    if (inner) return inner;
  }
  return null;
}

/** Resolves with `check()`'s value once it has one, checking at each animation frame of `win`. */
function until<T>(check: () => T | null | undefined | false, win: Window = window): Promise<T> {
  return new Promise((resolve) => {
    const next = () => {
      const value = check();
      if (value) resolve(value);
      else win.requestAnimationFrame(next);
    };
    next();
  });
}

/** A page (an 800×600 frame) with the script tag and `body`, loaded. */
async function scriptTagFrame(body = ''): Promise<{ frame: HTMLIFrameElement; win: Window & typeof globalThis & { IMWidget: { IMClient: typeof IMClient } } }> {
  const frame = document.createElement('iframe');
  frame.style.cssText = 'width: 800px; height: 600px';
  frame.srcdoc = `<!doctype html><html lang="en"><head><script src="/dist/im-widget.iife.js"></script></head><body>${body}</body></html>`;
  const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  document.body.append(frame);
  await loaded;
  return { frame, win: frame.contentWindow as Window & typeof globalThis & { IMWidget: { IMClient: typeof IMClient } } };
}

/** A page with the script tag and `<im-chat>` open on `peer`, for `userId`. */
async function scriptTagPage(userId: string, peer: string) {
  return scriptTagFrame(`<im-chat style="display:block;height:580px" server="${env.ws}" token="${await token(userId)}" target-id="${peer}"></im-chat>`);
}

const fetched = (win: Window, file: string) => win.performance.getEntriesByType('resource').some((entry) => entry.name.endsWith(`/${file}`));

describe('lazy parts of the widget', () => {
  afterEach(async () => {
    for (const file of ['im-widget-media.js', 'im-widget-composer-media.js', 'im-widget-send-files.js', 'im-widget-chatroom.js', 'im-widget-long-poll.js', 'im-widget-emoji-picker.js', 'im-widget-actions.js']) await route(file, 'pass');
  });

  it('script tag: a picture shows at its size in a placeholder while its chunk loads, then the picture, in the same box', async () => {
    await route('im-widget-media.js', 'hold');
    const peer = new IMClient({ url: env.ws, token: await token('lazy-pic-peer') });
    await peer.connect();
    const uploaded = await peer.uploadFile(await pngBlob(300, 200), { name: 'p.png' });
    const { frame, win } = await scriptTagPage('lazy-pic-user', 'lazy-pic-peer');
    // The conversation shows before the media chunk is there: the script tag alone is enough.
    await until(() => deep(win.document, 'textarea[part="input"]'), win);
    await peer.sendMessage({ conversationType: 1, targetId: 'lazy-pic-user' },
      new GIFMessage({ remoteUrl: uploaded.url, width: 300, height: 200, gifDataSize: uploaded.size }));

    const placeholder = await until(() => deep<HTMLElement>(win.document, '[part="media-placeholder"]'), win);
    const box = placeholder.getBoundingClientRect();
    expect([box.width, box.height], 'the picture\'s size fitted in 240×320').to.deep.equal([240, 160]);
    expect(placeholder.getAttribute('aria-busy')).to.equal('true');

    await route('im-widget-media.js', 'pass');
    const image = await until(() => deep<HTMLImageElement>(win.document, '[part="image"] img'), win);
    if (!image.complete || image.naturalWidth === 0) await new Promise((resolve) => image.addEventListener('load', resolve, { once: true }));
    const shown = image.getBoundingClientRect();
    expect([shown.width, shown.height], 'the same box').to.deep.equal([240, 160]);
    expect(image.naturalWidth).to.equal(300);
    expect(deep(win.document, '[part="media-placeholder"]')).to.equal(null);
    expect(fetched(win, 'im-widget-media.js'), 'the sibling module, fetched').to.equal(true);
    await peer.disconnect();
    frame.remove();
  });

  it('script tag: sending a file when its chunk cannot load keeps the file and the draft, and Retry sends it', async () => {
    await route('im-widget-composer-media.js', 'fail');
    const peer = new IMClient({ url: env.ws, token: await token('lazy-retry-peer') });
    await peer.connect();
    const received = new Promise<{ objectName: string; content: { name?: string } }>((resolve) => {
      peer.on('message', (message) => {
        if (message.objectName === 'RC:FileMsg') resolve(message as unknown as { objectName: string; content: { name?: string } });
      });
    });
    const { frame, win } = await scriptTagPage('lazy-retry-user', 'lazy-retry-peer');
    const textarea = await until(() => deep<HTMLTextAreaElement>(win.document, 'textarea[part="input"]'), win);
    textarea.value = 'a draft that must stay';
    textarea.dispatchEvent(new win.Event('input', { bubbles: true, composed: true }));
    const composer = deep<HTMLElement & { sendFiles(files: File[]): void }>(win.document, 'im-composer')!;
    composer.sendFiles([new win.File(['the notes'], 'notes.txt', { type: 'text/plain' })]);

    const retry = await until(() => deep<HTMLButtonElement>(win.document, '[part="upload-retry"]'), win);
    expect(retry.textContent).to.equal('Could not load. Retry');
    expect(retry.closest('[part="upload"]')!.textContent).to.contain('notes.txt');
    expect(deep<HTMLTextAreaElement>(win.document, 'textarea[part="input"]')!.value).to.equal('a draft that must stay');

    await route('im-widget-composer-media.js', 'pass');
    retry.click();
    const message = await received;
    expect(message.content.name).to.equal('notes.txt');
    const bubble = await until(() => deep<HTMLElement>(win.document, '[part="file"] .file-name'), win);
    expect(bubble.textContent).to.equal('notes.txt');
    expect(deep(win.document, '[part="upload-retry"]')).to.equal(null);
    expect(deep<HTMLTextAreaElement>(win.document, 'textarea[part="input"]')!.value).to.equal('a draft that must stay');
    expect(fetched(win, 'im-widget-send-files.js'), 'the core\'s part too').to.equal(true);
    await peer.disconnect();
    frame.remove();
  });

  it('script tag: the emoji picker keeps its frame while its module loads, shows Retry when it cannot, then its emoji in the same box', async () => {
    await route('im-widget-emoji-picker.js', 'fail');
    const { frame, win } = await scriptTagFrame();
    expect(win.customElements.get('im-emoji-picker'), 'defined with the script').to.not.equal(undefined);
    const picker = win.document.createElement('im-emoji-picker');
    win.document.body.append(picker);
    const retry = await until(() => deep<HTMLButtonElement>(win.document, '[part="retry"]'), win);
    expect(retry.textContent).to.equal('Could not load. Retry');
    const before = picker.getBoundingClientRect();
    expect(deep(win.document, '[part="search"]'), 'the frame is there').to.not.equal(null);

    await route('im-widget-emoji-picker.js', 'pass');
    retry.click();
    await until(() => deep(win.document, '[part="emoji"]'), win);
    const after = picker.getBoundingClientRect();
    expect([after.width, after.height], 'the same box').to.deep.equal([before.width, before.height]);
    expect(picker.shadowRoot!.activeElement, 'the search box has the focus').to.equal(deep(win.document, '[part="search"]'));
    expect(deep(win.document, '[part="retry"]')).to.equal(null);
    expect(fetched(win, 'im-widget-emoji-picker.js'), 'the sibling module, fetched').to.equal(true);
    frame.remove();
  });

  it('script tag: a chatroom call whose module cannot load rejects with RC_NET_UNAVAILABLE, and the next call loads it', async () => {
    await route('im-widget-chatroom.js', 'fail');
    const { frame, win } = await scriptTagFrame();
    const client = new win.IMWidget.IMClient({ url: env.ws, token: await token('lazy-room-user') });
    await client.connect();
    const error = await client.joinChatRoom('lazy-room', 0).then(() => null, (reason: { code?: number }) => reason);
    expect(error?.code, 'RC_NET_UNAVAILABLE').to.equal(30002);
    await route('im-widget-chatroom.js', 'pass');
    const joined = await client.joinChatRoom('lazy-room', 0);
    expect(joined.roomId).to.equal('lazy-room');
    expect(fetched(win, 'im-widget-chatroom.js'), 'the sibling module, fetched').to.equal(true);
    await client.disconnect();
    frame.remove();
  });

  it('script tag: long-polling comes from its sibling module when the client opens it', async () => {
    const { frame, win } = await scriptTagFrame();
    expect(fetched(win, 'im-widget-long-poll.js'), 'not before').to.equal(false);
    const client = new win.IMWidget.IMClient({ url: env.ws, token: await token('lazy-poll-user'), transports: ['polling'] });
    await client.connect();
    expect(client.transportName).to.equal('polling');
    expect(fetched(win, 'im-widget-long-poll.js'), 'the sibling module, fetched').to.equal(true);
    await client.disconnect();
    frame.remove();
  });

  it('ES modules: attach → upload works on first use, the chunk fetched on intent', async () => {
    expect(composerMedia.module, 'not loaded before').to.equal(undefined);
    const peer = new IMClient({ url: env.ws, token: await token('lazy-esm-peer') });
    await peer.connect();
    const received = new Promise<{ content: { name?: string } }>((resolve) => {
      peer.on('message', (message) => {
        if (message.objectName === 'RC:FileMsg') resolve(message as unknown as { objectName: string; content: { name?: string } });
      });
    });
    const chat = document.createElement('im-chat');
    chat.setAttribute('server', env.ws);
    chat.setAttribute('token', await token('lazy-esm-user'));
    chat.setAttribute('target-id', 'lazy-esm-peer');
    chat.style.cssText = 'display:block;width:800px;height:600px';
    document.body.append(chat);
    const attach = await until(() => deep<HTMLElement>(chat, '[part="attach-button"]'));
    attach.dispatchEvent(new PointerEvent('pointerenter'));
    await until(() => composerMedia.module);

    const input = attach.querySelector<HTMLInputElement>('input[type="file"]')!;
    const files = new DataTransfer();
    files.items.add(new File(['hello from the attach button'], 'first.txt', { type: 'text/plain' }));
    input.files = files.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
    expect((await received).content.name).to.equal('first.txt');
    const bubble = await until(() => deep<HTMLElement>(chat, '[part="file"] .file-name'));
    expect(bubble.textContent).to.equal('first.txt');
    await peer.disconnect();
    chat.remove();
  });
});
