import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { conversationKey, newMessageUid, serviceConversationKey, targetIdFor } from '../../src/server/ids.js';

describe('conversation ids', () => {
  it('gives each side of a conversation the targetId it sees', () => {
    const pair = conversationKey(ConversationType.PRIVATE, 'bob', 'alice');
    assert.equal(pair, '1:alice:bob');
    assert.equal(targetIdFor(pair, 'alice'), 'bob');
    assert.equal(targetIdFor(pair, 'bob'), 'alice');
    const self = conversationKey(ConversationType.PRIVATE, 'alice', 'alice');
    assert.equal(targetIdFor(self, 'alice'), 'alice');
    const group = conversationKey(ConversationType.GROUP, 'alice', 'team.1');
    assert.equal(targetIdFor(group, 'alice'), 'team.1');
    assert.equal(targetIdFor(group, 'bob'), 'team.1');
    const service = serviceConversationKey('sales', 'v1');
    assert.equal(targetIdFor(service, 'v1'), 'sales', 'the visitor sees the skill group');
    assert.equal(targetIdFor(service, 'agent-7'), 'v1@sales', 'an agent sees the visitor at the group');
  });

  it('makes message uids of the seed\'s shape, different over many (past the random pool\'s refills)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const uid = newMessageUid();
      assert.match(uid, /^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
      seen.add(uid);
    }
    assert.equal(seen.size, 2000);
  });

  it('starts message uids with the second they were made, so the uids of a moment sort together', () => {
    const second = (uid: string) => [...uid.replace(/-/g, '').slice(0, 6)]
      .reduce((value, char) => value * 32 + 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.indexOf(char), 0);
    const before = Math.floor(Date.now() / 1000) % 2 ** 30;
    const uids = Array.from({ length: 100 }, () => newMessageUid());
    const after = Math.floor(Date.now() / 1000) % 2 ** 30;
    for (const uid of uids) assert.ok(second(uid) >= before && second(uid) <= after, `${uid} tells the second it was made`);
    assert.ok(new Set(uids.map((uid) => uid.slice(7))).size === 100, 'and differs in its random part');
  });
});
