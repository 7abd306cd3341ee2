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

  it('starts message uids with the millisecond they were made, so uids made one after another sort so', () => {
    const millisecond = (uid: string) => [...uid.replace(/-/g, '').slice(0, 8)]
      .reduce((value, char) => value * 32 + 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.indexOf(char), 0);
    const before = Date.now() % 2 ** 40;
    const uids: string[] = [];
    // On until the newest uid tells a later millisecond than the first (the order is seen across
    // milliseconds, not only within one), or 50 ms passed (then the assertion below says so).
    while (uids.length < 100 || (millisecond(uids.at(-1)!) <= millisecond(uids[0]!) && Date.now() % 2 ** 40 < before + 50)) {
      uids.push(newMessageUid());
    }
    const after = Date.now() % 2 ** 40;
    for (const uid of uids) assert.ok(millisecond(uid) >= before && millisecond(uid) <= after, `${uid} tells the millisecond it was made`);
    for (let i = 1; i < uids.length; i++) {
      assert.ok(millisecond(uids[i]!) >= millisecond(uids[i - 1]!), `${uids[i]} is not made before ${uids[i - 1]}`);
    }
    assert.ok(millisecond(uids.at(-1)!) > millisecond(uids[0]!), 'the uids span milliseconds');
    assert.equal(new Set(uids.map((uid) => uid.slice(10))).size, uids.length, 'and differ in their random part');
  });
});
