import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import type { IMClient } from '../../src/core/client/client.js';
import type { Conversation, IMMessage } from '../../src/core/client/types.js';
import { connectClient, createGroup, startTestServer, waitFor, type TestServer } from '../helpers/server.js';

const TOTAL = 300;
const KILL_AFTER = [40, 120, 210];
const IN_FLIGHT = 16;

for (const transport of ['websocket', 'polling'] as const) describe(`crash safety over ${transport}`, () => {
  let server: TestServer;
  const clients: IMClient[] = [];

  before(async () => {
    server = await startTestServer();
    await createGroup(server, 'crew', ['sender', 'r1', 'r2']);
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.disconnect()));
    await server.dispose();
  });

  it('SIGKILL and restart while a sender streams: every acked message reaches every member exactly once, in order', async () => {
    const connect = async (userId: string) => {
      const client = await connectClient(server, userId, { transports: [transport] });
      clients.push(client);
      return client;
    };
    const sender = await connect('sender');
    const receivers = { r1: await connect('r1'), r2: await connect('r2') };
    const received: Record<string, IMMessage[]> = { r1: [], r2: [] };
    for (const [id, client] of Object.entries(receivers)) client.on('message', (m) => received[id]!.push(m));

    const group: Conversation = { conversationType: ConversationType.GROUP, targetId: 'crew' };
    const direct: Conversation = { conversationType: ConversationType.PRIVATE, targetId: 'r1' };
    const acked: IMMessage[] = [];
    let nextKill = 0;
    let restarting: Promise<void> | undefined;

    // Kill the server at fixed points of progress, while up to IN_FLIGHT sends are unresolved.
    const maybeKill = () => {
      if (nextKill < KILL_AFTER.length && acked.length >= KILL_AFTER[nextKill]! && !restarting) {
        nextKill++;
        restarting = (async () => {
          await server.kill('SIGKILL');
          server = await server.restart();
          restarting = undefined;
        })();
      }
    };

    const inFlight = new Set<Promise<unknown>>();
    for (let i = 0; i < TOTAL; i++) {
      const conversation = i % 3 === 2 ? direct : group;
      const send = sender.sendMessage(conversation, new TextMessage({ content: `n${i}` })).then((message) => {
        acked.push(message);
        maybeKill();
      });
      inFlight.add(send);
      send.finally(() => inFlight.delete(send));
      if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    await restarting;
    assert.equal(nextKill, KILL_AFTER.length, 'the server was killed each time');
    assert.equal(acked.length, TOTAL);

    const ackedIn = (c: Conversation) => acked.filter((m) => m.conversationType === c.conversationType).map((m) => m.clientMsgId);
    const groupIds = new Set(ackedIn(group));
    const directIds = new Set(ackedIn(direct));
    assert.equal(groupIds.size + directIds.size, TOTAL, 'every send has its own clientMsgId');

    // Delivered: every member received each message once, and per conversation in gap-free seq order.
    const expectations: Array<[string, Conversation, Set<string>]> = [
      ['r1', group, groupIds], ['r2', group, groupIds], ['r1', direct, directIds],
    ];
    for (const [id] of Object.entries(receivers)) {
      const want = id === 'r1' ? groupIds.size + directIds.size : groupIds.size;
      await waitFor((check) => receivers[id as 'r1'].on('message', check), () => received[id]!.length >= want,
        () => `${id} receiving ${want} (got ${received[id]!.length}, status ${receivers[id as 'r1'].status})`, 30_000);
    }
    for (const [id, conversation, ids] of expectations) {
      const got = received[id]!.filter((m) => m.conversationType === conversation.conversationType);
      assert.equal(got.length, ids.size, `${id} got each message once`);
      assert.deepEqual(new Set(got.map((m) => m.clientMsgId)), ids);
      assert.deepEqual(got.map((m) => m.seq), got.map((_, i) => i + 1), `${id} got a gap-free seq order`);
    }

    // Stored: every member's history holds exactly the acked messages, in the order sent.
    const sentOrder = (c: Conversation) => acked.filter((m) => m.conversationType === c.conversationType)
      .sort((a, b) => a.seq - b.seq).map((m) => (m.content as TextMessage).content);
    for (const [id, conversation] of expectations) {
      const reader = receivers[id as 'r1'];
      const target = conversation.conversationType === ConversationType.PRIVATE ? { ...conversation, targetId: 'sender' } : conversation;
      const history = await reader.getHistoryMessages(target, { count: 200 });
      const all = [...history.messages];
      let page = history;
      while (page.hasMore) {
        page = await reader.getHistoryMessages(target, { count: 200, before: all[0]!.seq });
        all.unshift(...page.messages);
      }
      assert.deepEqual(all.map((m) => (m.content as TextMessage).content), sentOrder(conversation), `${id}'s history`);
      // Within one conversation the sender's order is kept: n-numbers ascend with seq.
      const numbers = all.map((m) => Number((m.content as TextMessage).content.slice(1)));
      assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b));
    }
  });
});
