import { expect } from '@open-wc/testing';
import { IMClient } from '../../src/core/client/client.js';
import { ConnectionStatus, ConversationType, ErrorCode } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import type { IMMessage } from '../../src/core/client/types.js';

interface TestEnv {
  http: string;
  ws: string;
}

const env: TestEnv = await (await fetch('/__im-test-env.json')).json();
const token = async (userId: string): Promise<string> => (await (await fetch(`/__im-token?userId=${userId}`)).json()).token;

function nextMessage(client: IMClient): Promise<IMMessage> {
  return new Promise((resolve) => {
    const off = client.on('message', (message) => {
      off();
      resolve(message);
    });
  });
}

describe('IMClient in Chromium, against the reference server', () => {
  const clients: IMClient[] = [];
  const connect = async (userId: string) => {
    const client = new IMClient({ url: env.ws, tokenProvider: () => token(userId) });
    clients.push(client);
    await client.connect();
    return client;
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.disconnect()));
  });

  it('connects with the browser WebSocket and reports its status', async () => {
    const statuses: number[] = [];
    const client = new IMClient({ url: env.ws, tokenProvider: () => token('browser-ann') });
    clients.push(client);
    client.on('status', (status) => statuses.push(status));
    expect(await client.connect()).to.deep.equal({ userId: 'browser-ann' });
    expect(statuses).to.deep.equal([ConnectionStatus.CONNECTING, ConnectionStatus.CONNECTED]);
  });

  it('two users exchange messages both ways, text kept as text', async () => {
    const ann = await connect('browser-ann');
    const bob = await connect('browser-bob');
    const arriving = nextMessage(bob);
    const sent = await ann.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'browser-bob' },
      new TextMessage({ content: '<img src=x onerror=alert(1)> 你好 😀' }));
    const received = await arriving;
    expect(received.messageUid).to.equal(sent.messageUid);
    expect((received.content as TextMessage).content).to.equal('<img src=x onerror=alert(1)> 你好 😀');
    expect(received.targetId).to.equal('browser-ann');

    const back = nextMessage(ann);
    await bob.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'browser-ann' }, new TextMessage({ content: 'hi' }));
    expect((await back).seq).to.equal(sent.seq + 1);
    const list = await ann.getConversationList();
    expect(list[0]!.targetId).to.equal('browser-bob');
    expect(list[0]!.unreadCount).to.equal(1);
  });

  it('rejects a bad token with the seed code', async () => {
    const client = new IMClient({ url: env.ws, token: 'not-a-token' });
    clients.push(client);
    let code = 0;
    await client.connect().catch((error) => { code = error.code; });
    expect(code).to.equal(ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR);
  });
});
