import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConversationType } from '../../../src/core/protocol/codes.js';
import { TextMessage } from '../../../src/core/messages/index.js';
import { ChatSession } from '../../../src/core/client/chat-session.js';
import { IMClient } from '../../../src/core/client/client.js';
import { MessageDirection, type IMMessage } from '../../../src/core/client/types.js';

/** A client that is never connected: the test hands it the messages a server would push. */
class PushedClient extends IMClient {
  push(message: IMMessage): void {
    this.emit('message', message);
  }
}

let seq = 0;
const from = (senderUserId: string, content: TextMessage): IMMessage => {
  seq++;
  return {
    conversationType: ConversationType.GROUP, targetId: 'id-group', senderUserId, objectName: 'RC:TxtMsg', content,
    messageUid: `uid-${seq}`, clientMsgId: `c-${seq}`, seq, sentTime: Date.now(), messageDirection: MessageDirection.RECEIVE, cursor: seq,
  };
};

describe('ChatSession: who a message is from', () => {
  it('takes a message’s user info only for its own sender', async () => {
    const client = new PushedClient({ url: 'ws://127.0.0.1:9/im', token: 'unused' });
    const asked: string[] = [];
    const session = new ChatSession(client, {
      userInfoProvider: async (userId) => {
        asked.push(userId);
        return { name: `${userId} (from the app)` };
      },
    });
    client.push(from('mallory', new TextMessage({ content: 'hi', user: { id: 'bob', name: 'Bob', portraitUri: 'https://example.com/bob.png' } })));
    client.push(from('carol', new TextMessage({ content: 'hi', user: { id: 'carol', name: 'Carol', portraitUri: 'https://example.com/carol.png' } })));
    await new Promise<void>((resolve) => {
      const check = () => session.state.users.mallory && resolve();
      session.store.subscribe(check);
      check();
    });
    assert.equal(session.state.users.mallory!.name, 'mallory (from the app)', 'not "Bob"');
    assert.equal(session.state.users.mallory!.portraitUri, undefined);
    assert.equal(session.state.users.bob, undefined, 'nothing learnt of bob either');
    assert.deepEqual(session.state.users.carol, { name: 'Carol', portraitUri: 'https://example.com/carol.png' });
    assert.deepEqual(asked, ['mallory']);
    await session.dispose();
  });
});
