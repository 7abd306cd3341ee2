import { expect } from '@open-wc/testing';
import { env, liveClients, receives, token } from './live.js';
import type { TextMessage } from '../../src/core/messages/index.js';

// A page written for the seed: its script tag pointed at dist/im-compat.iife.js, the seed's
// calls as its guide writes them, and the global RongIMLib.
describe('dist/im-compat.iife.js: the seed\'s RongIMLib global from one script tag', () => {
  const { connect } = liveClients();

  it('connects, hears and sends with the seed\'s calls, shapes and codes', async () => {
    const peer = await connect('compat-peer');
    const frame = document.createElement('iframe');
    frame.srcdoc = `<!doctype html><html><head><script src="/dist/im-compat.iife.js"></script></head><body></body></html>`;
    const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
    document.body.append(frame);
    await loaded;
    type Res = { code: number; msg?: string; data?: Record<string, unknown> };
    const RongIMLib = (frame.contentWindow as unknown as { RongIMLib: Record<string, any> }).RongIMLib;
    expect(RongIMLib.ConversationType.PRIVATE).to.equal(1);
    expect(RongIMLib.ErrorCode.SUCCESS).to.equal(0);

    RongIMLib.init({ appkey: 'test-key', navigators: [env.ws] });
    const heard: Array<{ content: { content: string }; senderUserId: string }> = [];
    const arrived = new Promise<void>((resolve) => {
      RongIMLib.addEventListener(RongIMLib.Events.MESSAGES, ({ messages }: { messages: typeof heard }) => {
        heard.push(...messages);
        resolve();
      });
    });
    const connected: Res = await RongIMLib.connect(await token('compat-page'));
    expect(connected).to.deep.equal({ code: 0, data: { userId: 'compat-page' } });

    const conversation = { conversationType: RongIMLib.ConversationType.PRIVATE, targetId: 'compat-peer' };
    const reached = receives(peer, (message) => (message.content as TextMessage).content === '来自旧页面');
    const res: Res = await RongIMLib.sendMessage(conversation, new RongIMLib.TextMessage({ content: '来自旧页面' }));
    expect(res.code).to.equal(RongIMLib.ErrorCode.SUCCESS);
    expect(res.data!.messageType).to.equal('RC:TxtMsg');
    expect((await reached).senderUserId).to.equal('compat-page');

    const { TextMessage: PeerText } = await import('../../src/core/messages/index.js');
    await peer.sendMessage({ conversationType: 1, targetId: 'compat-page' }, new PeerText({ content: 'hello old page' }));
    await arrived;
    expect(heard[0]!.content.content).to.equal('hello old page');
    expect(heard[0]!.senderUserId).to.equal('compat-peer');

    const refused: Res = await RongIMLib.sendMessage(conversation, new RongIMLib.TextMessage({ content: '' }));
    expect(refused.code).to.equal(RongIMLib.ErrorCode.PARAMETER_ERROR);
    await RongIMLib.disconnect();
    frame.remove();
  });
});
