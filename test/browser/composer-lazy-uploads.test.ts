import { expect, fixture, html } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../src/components/index.js';
import { composerMedia, type ImComposer } from '../../src/components/composer/composer.js';
import { ChatSession } from '../../src/core/client/chat-session.js';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { liveClients, storeReaches } from './live.js';
import { clickOn, expectSeen, untilShown } from './seen.js';
import { routeModule } from './network.js';

// The composer's upload rows are drawn by its media chunk (composer-media.ts), which sending a
// file from the composer loads first. An upload the page starts itself (session.sendFile) can come
// before it: here the chunk's request is held by the network (Playwright's routing, the `route`
// command of web-test-runner.config.mjs) in a page where nothing loaded it before.

const route = (file: string, mode: 'pass' | 'fail' | 'hold') => executeServerCommand('route', { file, mode });
const routeChunk = (mode: 'pass' | 'hold') => routeModule('composer-media', mode);

describe('the composer\'s upload rows before its media chunk', () => {
  const { connect, track } = liveClients();
  afterEach(async () => {
    await routeChunk('pass');
    await route('files', 'pass');
  });

  it('shows an upload the page started as a waiting row until the chunk comes, then as the chunk draws it; its close button drops it', async () => {
    expect(composerMedia.module, 'not loaded before').to.equal(undefined);
    await routeChunk('hold');
    // The upload itself fails (the server's POST /files is cut off): its row stays, failed, until dismissed.
    await route('files', 'fail');
    const session = track(new ChatSession(await connect('lzu-ann')));
    await session.start();
    const chat = { conversationType: ConversationType.PRIVATE, targetId: 'lzu-nobody' };
    await session.open(chat);
    const composer = await fixture<ImComposer>(html`<im-composer lang="en" style="width: 480px; margin-top: 40px"
      .session=${session} conversation-type=${chat.conversationType} target-id=${chat.targetId}></im-composer>`);
    const row = () => composer.shadowRoot!.querySelector<HTMLElement>('[part="upload"]');

    const sent = session.sendFile(chat, new File(['some notes'], 'notes.txt', { type: 'text/plain' }));
    const waiting = await untilShown(() => row());
    expectSeen(waiting, 'the upload\'s row');
    expect(waiting.dataset.status, 'waiting for the chunk').to.equal('loading');
    expect(waiting.querySelector('.upload-name')!.textContent).to.equal('notes.txt');
    expectSeen(waiting.querySelector('progress'), 'a progress bar');
    expect(await sent, 'the upload failed').to.equal(undefined);
    expect(session.state.uploads['1:lzu-nobody']?.[0]?.status).to.equal('failed');
    expect(row()!.dataset.status, 'still waiting for the chunk').to.equal('loading');

    await routeChunk('pass');
    const failed = await untilShown(() => (row()?.dataset.status === 'failed' ? row() : null));
    expectSeen(failed, 'the upload\'s row');
    expect(failed.querySelector('.upload-name')!.textContent).to.equal('Could not upload notes.txt');
    expect(failed.querySelector('progress')!.max, 'its progress in percent').to.equal(100);
    const dismiss = failed.querySelector<HTMLButtonElement>('button.dismiss')!;
    expectSeen(dismiss, 'the close button');
    expect(dismiss.getAttribute('aria-label')).to.equal('Cancel upload');
    await clickOn(dismiss);
    await storeReaches(session, (state) => !state.uploads['1:lzu-nobody']);
    await composer.updateComplete;
    expect(row(), 'the row goes').to.equal(null);
    expect(session.state.windows['1:lzu-nobody']?.items ?? [], 'nothing sent').to.have.length(0);
  });
});
