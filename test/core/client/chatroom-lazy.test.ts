import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../../src/core/protocol/codes.js';
import { IMError } from '../../../src/core/client/errors.js';
import { chatroomModule } from '../../../src/core/client/chatroom-lazy.js';
import { useTestServer } from '../../helpers/server.js';

// The chatroom module (src/core/client/chatroom.ts) loads on the client's first chatroom call.
describe('chatrooms load on the first chatroom call', () => {
  const suite = useTestServer();

  it('not before it; a failed load rejects with RC_NET_UNAVAILABLE, and the next call loads it', async () => {
    const real = chatroomModule.load;
    assert.equal(chatroomModule.loaded, undefined, 'not loaded with the client');
    const ivy = await suite.connect('lazy-ivy');
    assert.equal(chatroomModule.loaded, undefined, 'not loaded by connecting');
    let attempts = 0;
    chatroomModule.load = () => {
      attempts++;
      return Promise.reject(new TypeError('Failed to fetch dynamically imported module'));
    };
    try {
      for (const call of [() => ivy.joinChatRoom('lazy-room', -1), () => ivy.setFilterMessages(['RC:TxtMsg'])]) {
        await assert.rejects(call(), (error: unknown) => error instanceof IMError && error.code === ErrorCode.RC_NET_UNAVAILABLE
          && /could not load the chatroom module: Failed to fetch dynamically imported module/.test(error.message));
      }
      assert.equal(attempts, 2, 'each call tries again');
    } finally {
      chatroomModule.load = real;
    }
    const joined = await ivy.joinChatRoom('lazy-room', -1);
    assert.deepEqual({ roomId: joined.roomId, memberCount: joined.memberCount }, { roomId: 'lazy-room', memberCount: 1 });
    assert.equal(typeof (chatroomModule as { loaded?: { ChatroomTracker?: unknown } }).loaded?.ChatroomTracker, 'function', 'loaded once used');
  });
});
