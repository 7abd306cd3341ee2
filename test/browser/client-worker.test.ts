import { expect } from '@open-wc/testing';
import { IMClient } from '../../src/core/client/client.js';
import type { IMMessage } from '../../src/core/client/types.js';
import type { TextMessage } from '../../src/core/messages/index.js';

const env: { ws: string } = await (await fetch('/__im-test-env.json')).json();
const token = async (userId: string): Promise<string> => (await (await fetch(`/__im-token?userId=${userId}`)).json()).token;

describe('IMClient in a Web Worker', () => {
  it('connects and sends from a worker, where there is no DOM', async () => {
    const receiver = new IMClient({ url: env.ws, tokenProvider: () => token('page-user') });
    await receiver.connect();
    const arrived = new Promise<IMMessage>((resolve) => receiver.on('message', resolve));

    const worker = new Worker(new URL('./fixtures/client-worker.ts', import.meta.url), { type: 'module' });
    const reply = new Promise<{ ok: boolean; userId?: string; messageUid?: string; hasDocument?: boolean; error?: string }>((resolve, reject) => {
      worker.onmessage = (event) => resolve(event.data);
      worker.onerror = (event) => reject(new Error(event.message));
    });
    worker.postMessage({ url: env.ws, token: await token('worker-user'), to: 'page-user', text: 'from a worker' });
    const result = await reply;
    worker.terminate();

    expect(result.error).to.equal(undefined);
    expect(result.ok).to.equal(true);
    expect(result.userId).to.equal('worker-user');
    expect(result.hasDocument).to.equal(false);
    const message = await arrived;
    expect(message.messageUid).to.equal(result.messageUid);
    expect((message.content as TextMessage).content).to.equal('from a worker');
    await receiver.disconnect();
  });
});
