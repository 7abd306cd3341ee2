import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import type { IMClient } from '../../src/core/client/client.js';
import type { Conversation, IMMessage } from '../../src/core/client/types.js';
import { api, connectClient, createGroup, startTestServer, waitFor, type TestServer } from '../helpers/server.js';
import { createDatabase } from '../helpers/postgres.js';

/** The built server with `--database`: a fresh PostgreSQL database (test/helpers/postgres.ts), dropped at the end. */
const SERVER_BIN = new URL('../../dist/im-server.js', import.meta.url).pathname;

const text = (m: IMMessage) => (m.content as TextMessage).content;

describe('the reference server on PostgreSQL (--database)', () => {
  let database: Awaited<ReturnType<typeof createDatabase>> | undefined;
  let server: TestServer | undefined;
  const clients: IMClient[] = [];
  const connect = async (userId: string) => {
    const client = await connectClient(server!, userId);
    clients.push(client);
    return client;
  };

  before(async () => {
    database = await createDatabase();
    server = await startTestServer({ extra: ['--database', database.url] });
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.disconnect()));
    await server?.dispose();
    await database?.drop();
  });

  it('refuses a --database that is not a PostgreSQL URL', () => {
    const run = spawnSync(process.execPath, [SERVER_BIN, '--port', '0', '--database', 'mysql://localhost/db'], { encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--database must be a PostgreSQL URL/);
    assert.match(run.stderr, /Usage: im-server/);
  });

  it('keeps private and group messages and conversation lists across SIGKILL; a resend is stored once', async () => {
    await createGroup(server!, 'pg-team', ['pg-alice', 'pg-bob']);
    const alice = await connect('pg-alice');
    const bob = await connect('pg-bob');
    const bobGot: IMMessage[] = [];
    bob.on('message', (m) => bobGot.push(m));
    const toBob: Conversation = { conversationType: ConversationType.PRIVATE, targetId: 'pg-bob' };
    const toAlice: Conversation = { conversationType: ConversationType.PRIVATE, targetId: 'pg-alice' };
    const team: Conversation = { conversationType: ConversationType.GROUP, targetId: 'pg-team' };

    const first = await alice.sendMessage(toBob, new TextMessage({ content: 'hello bob' }), { clientMsgId: 'pg-once' });
    await bob.sendMessage(toAlice, new TextMessage({ content: 'hi alice' }));
    const grouped = await alice.sendMessage(team, new TextMessage({ content: 'hello team' }));
    assert.deepEqual([first.seq, grouped.seq], [1, 1]);
    await waitFor((check) => bob.on('message', check), () => bobGot.length >= 2, 'bob receives both of alice\'s messages');
    assert.deepEqual(bobGot.map(text), ['hello bob', 'hello team']);

    await server!.kill('SIGKILL');
    server = await server!.restart();
    const alice2 = await connect('pg-alice');
    const bob2 = await connect('pg-bob');

    const privateHistory = await bob2.getHistoryMessages(toAlice);
    assert.deepEqual(privateHistory.messages.map((m) => [m.seq, text(m)]), [[1, 'hello bob'], [2, 'hi alice']]);
    assert.deepEqual((await alice2.getHistoryMessages(team)).messages.map(text), ['hello team']);
    const list = await alice2.getConversationList();
    assert.deepEqual(list.map((c) => [c.conversationType, c.targetId, c.latestMessage && text(c.latestMessage)]), [
      [ConversationType.GROUP, 'pg-team', 'hello team'], [ConversationType.PRIVATE, 'pg-bob', 'hi alice'],
    ]);
    const bobList = await bob2.getConversationList();
    assert.deepEqual(bobList.map((c) => [c.targetId, c.unreadCount]), [['pg-team', 1], ['pg-alice', 1]]);

    // The client never got its acknowledgement, say, and sends again with the same clientMsgId.
    const again = await alice2.sendMessage(toBob, new TextMessage({ content: 'hello bob' }), { clientMsgId: 'pg-once' });
    assert.deepEqual([again.messageUid, again.seq], [first.messageUid, first.seq], 'the first message, not a new one');
    assert.equal((await bob2.getHistoryMessages(toAlice)).messages.length, 2);
    assert.equal((await api(server!, 'GET', '/api/metrics')).json.messages, 3);
  });
});

/**
 * A TCP proxy in front of PostgreSQL that, once armed, lets the COMMIT of the next message append
 * (a transaction that took the log head) reach the database and then cuts that connection before
 * the answer comes back: the commit happened, the server does not know it.
 */
async function commitAnswerCutter(upstreamPort: number) {
  const state = { armed: false, cuts: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    let appending = false;
    let dropAnswer = false;
    client.on('data', (chunk) => {
      const text = chunk.toString('latin1');
      if (text.includes('im_log_head')) appending = true;
      if (text.includes('COMMIT\u0000')) {
        if (state.armed && appending) {
          state.armed = false;
          state.cuts++;
          dropAnswer = true;
        }
        appending = false;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!dropAnswer) {
        client.write(chunk);
        return;
      }
      client.destroy();
      upstream.destroy();
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    state,
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('a message whose COMMIT answer was lost (single node on PostgreSQL, no bus)', () => {
  let database: Awaited<ReturnType<typeof createDatabase>> | undefined;
  let cutter: Awaited<ReturnType<typeof commitAnswerCutter>> | undefined;
  let server: TestServer | undefined;
  const clients: IMClient[] = [];
  before(async () => {
    database = await createDatabase();
    const url = new URL(database.url);
    cutter = await commitAnswerCutter(Number(url.port || 5432));
    url.port = String(cutter.port);
    server = await startTestServer({ extra: ['--database', url.toString()] });
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.disconnect()));
    await server?.dispose();
    await cutter?.close();
    await database?.drop();
  });

  it('is acknowledged once and pushed to the recipient at once, not left for their next sync', async () => {
    const alice = await connectClient(server!, 'lost-alice');
    const bob = await connectClient(server!, 'lost-bob');
    clients.push(alice, bob);
    const bobGot: IMMessage[] = [];
    bob.on('message', (m) => bobGot.push(m));
    const toBob: Conversation = { conversationType: ConversationType.PRIVATE, targetId: 'lost-bob' };
    await alice.sendMessage(toBob, new TextMessage({ content: 'before' }));
    await waitFor((check) => bob.on('message', check), () => bobGot.length >= 1, 'bob receives the first message');

    cutter!.state.armed = true;
    const sent = await alice.sendMessage(toBob, new TextMessage({ content: 'committed, answer lost' }));
    assert.equal(cutter!.state.cuts, 1, 'the append\'s COMMIT answer was cut');
    assert.equal(sent.seq, 2);
    await waitFor((check) => bob.on('message', check), () => bobGot.length >= 2, () => `bob receives it by push (got ${bobGot.map(text).join(', ')})`);
    assert.deepEqual(bobGot.map((m) => [m.seq, text(m)]), [[1, 'before'], [2, 'committed, answer lost']]);
    assert.equal(bobGot[1]!.messageUid, sent.messageUid);
    const history = await bob.getHistoryMessages({ conversationType: ConversationType.PRIVATE, targetId: 'lost-alice' });
    assert.deepEqual(history.messages.map(text), ['before', 'committed, answer lost'], 'stored once');
  });
});
