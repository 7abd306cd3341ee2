import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PgChatStore } from '../../src/server/storage/pg-store.js';
import { RecallConflict, type AppendInput } from '../../src/server/storage/chat-store.js';
import { describeChatStoreContract } from './storage-contract.js';
import { createDatabase, terminateBackends } from '../helpers/postgres.js';

/** Every store here gets a database of its own (test/helpers/postgres.ts), dropped at the end. */
const created: Array<{ drop(): Promise<void> }> = [];

async function freshDatabase(): Promise<string> {
  const database = await createDatabase();
  created.push(database);
  return database.url;
}

after(async () => {
  for (const database of created) await database.drop();
});

describeChatStoreContract('PostgreSQL', async () => PgChatStore.open(await freshDatabase()));

const text = (value: string) => new TextEncoder().encode(JSON.stringify({ content: value }));
const input = (over: Partial<AppendInput> & Pick<AppendInput, 'conversationKey' | 'senderUserId' | 'clientMsgId' | 'recipients'>): AppendInput => ({
  conversationType: 1, objectName: 'RC:TxtMsg', content: text(over.clientMsgId), counted: true, ...over,
});

describe('PostgreSQL store', () => {
  it('migrates once when several nodes start at once, and again finds nothing to do', async () => {
    const url = await freshDatabase();
    const stores = await Promise.all(Array.from({ length: 4 }, () => PgChatStore.open(url, { poolSize: 2 })));
    const again = await PgChatStore.open(url);
    const direct = new pg.Client({ connectionString: url });
    await direct.connect();
    try {
      const { rows } = await direct.query('SELECT version FROM im_schema_migrations ORDER BY version');
      assert.deepEqual(rows.map((row) => row.version), [1, 2, 3], 'each version applied exactly once');
      const { rows: [extension] } = await direct.query(`SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'pg_trgm'`);
      assert.equal(extension.n, 1, 'pg_trgm is there (contrib installed)');
      const { rows: [index] } = await direct.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'messages_search'`);
      assert.match(index.indexdef, /gin \(search_text gin_trgm_ops\)/);
    } finally {
      await direct.end();
    }
    for (const store of [...stores, again]) await store.close();
  });

  it('tells clearly when the server cannot be reached', async () => {
    // Port 1 on the loopback: nothing listens there.
    await assert.rejects(PgChatStore.open('postgres://postgres@127.0.0.1:1/none'), /ECONNREFUSED|connect/);
  });

  it('keeps messages and their deduplication across a reopen', async () => {
    const url = await freshDatabase();
    const first = await PgChatStore.open(url);
    const { message } = await first.appendMessage(input({ conversationKey: '1:a:b', senderUserId: 'a', clientMsgId: 'keep', recipients: ['a', 'b'] }));
    await first.close();
    const second = await PgChatStore.open(url);
    const again = await second.appendMessage(input({ conversationKey: '1:a:b', senderUserId: 'a', clientMsgId: 'keep', recipients: ['a', 'b'] }));
    assert.deepEqual([again.duplicate, again.message], [true, message]);
    assert.equal((await second.syncAfter('b', 0, 10)).messages.length, 1);
    await second.close();
  });

  it('shares one log between nodes: one row per (sender, clientMsgId), gap-free seqs, ids a follower never skips', async () => {
    const url = await freshDatabase();
    const nodes = await Promise.all([PgChatStore.open(url), PgChatStore.open(url)]);
    const follower = await PgChatStore.open(url, { poolSize: 1 });
    const rounds = 40;
    let writing = true;
    const seen: number[] = [];
    // The follower reads `id > last seen` while both nodes write: with ids handed out in commit
    // order, nothing it has passed can show up later.
    const following = (async () => {
      let last = 0;
      for (;;) {
        const done = !writing;
        const page = await follower.messagesAfter(last, 7);
        for (const entry of page) {
          assert.ok(entry.message.id > last, 'ids come in increasing order');
          seen.push(entry.message.id);
          last = entry.message.id;
        }
        if (done && page.length === 0) return;
      }
    })();
    const writes: Array<Promise<{ duplicate: boolean; message: { id: number; seq: number; conversationKey: string; clientMsgId: string } }>> = [];
    for (let i = 0; i < rounds; i++) {
      // Every message is sent by both nodes at once (a client retrying through another node).
      for (const node of nodes) {
        writes.push(node.appendMessage(input({ conversationKey: `1:n${i % 3}:z`, senderUserId: 'z', clientMsgId: `x-${i}`, recipients: ['z', `n${i % 3}`] })));
        writes.push(node.appendMessage(input({ conversationKey: '1:y:z', senderUserId: 'y', clientMsgId: `y-${i}`, recipients: ['y', 'z'] })));
      }
      if (i % 10 === 9) await Promise.all(writes);
    }
    const results = await Promise.all(writes);
    writing = false;
    await following;

    const byKey = new Map<string, typeof results>();
    for (const result of results) byKey.set(result.message.clientMsgId, [...(byKey.get(result.message.clientMsgId) ?? []), result]);
    assert.equal(byKey.size, rounds * 2);
    for (const [key, copies] of byKey) {
      assert.equal(copies.filter((copy) => !copy.duplicate).length, 1, `${key}: stored once`);
      assert.equal(new Set(copies.map((copy) => copy.message.id)).size, 1, `${key}: both callers get the same message`);
    }
    const stored = await follower.messagesAfter(0, 10_000);
    assert.equal(stored.length, rounds * 2, 'no second row');
    assert.deepEqual(seen, stored.map((entry) => entry.message.id), 'the follower saw every message once, in order');
    for (const key of ['1:y:z', '1:n0:z', '1:n1:z', '1:n2:z']) {
      const seqs = stored.filter((entry) => entry.message.conversationKey === key).map((entry) => entry.message.seq);
      assert.deepEqual(seqs, seqs.map((_, i) => i + 1), `${key}: seqs gap-free, in id order`);
    }
    for (const store of [...nodes, follower]) await store.close();
  });

  it('commits the appends made together in one transaction (group commit), each resolved after it', async () => {
    const url = await freshDatabase();
    const store = await PgChatStore.open(url);
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => store.appendMessage(input({
      conversationKey: `1:gc-${i % 4}:gc`, senderUserId: 'gc', clientMsgId: `gc-${i}`, recipients: ['gc', `gc-${i % 4}`],
    }))));
    const direct = new pg.Client({ connectionString: url });
    await direct.connect();
    try {
      // Rows written by one transaction share its id (xmin).
      const { rows: [row] } = await direct.query(`SELECT count(DISTINCT xmin::text)::int AS transactions, count(*)::int AS messages
        FROM messages WHERE client_msg_id LIKE 'gc-%'`);
      assert.deepEqual(row, { transactions: 1, messages: 60 }, 'one transaction for the batch');
      const { rows: [inbox] } = await direct.query(`SELECT count(DISTINCT xmin::text)::int AS transactions, count(*)::int AS rows FROM inbox`);
      assert.deepEqual(inbox, { transactions: 1, rows: 120 });
    } finally {
      await direct.end();
    }
    assert.deepEqual(results.map((r) => r.message.id), results.map((_, i) => i + 1), 'ids in the order of the calls');
    await store.close();
  });

  it('answers the send path\'s lookups in the order they were asked, so pipelined sends append in order', async () => {
    const store = await PgChatStore.open(await freshDatabase());
    await store.createGroup('big', 'Big', Array.from({ length: 5000 }, (_, i) => `member-${i}`));
    const order: string[] = [];
    // The slow lookup first, then quick ones: they run at once on the pool, but resolve in turn.
    await Promise.all([
      store.groupMembers('big').then((members) => order.push(`members ${members.length}`)),
      store.isBlocked('a', 'b').then(() => order.push('blocked')),
      store.isGroupMember('big', 'member-1').then((member) => order.push(`member ${member}`)),
      store.groupExists('none').then((exists) => order.push(`exists ${exists}`)),
    ]);
    assert.deepEqual(order, ['members 5000', 'blocked', 'member true', 'exists false']);
    await store.close();
  });

  it('keeps a failing write of a batch from failing the others', async () => {
    const store = await PgChatStore.open(await freshDatabase());
    const { message } = await store.appendMessage(input({ conversationKey: '1:a:b', senderUserId: 'a', clientMsgId: 'target', recipients: ['a', 'b'] }));
    const recall = (clientMsgId: string) => store.recallMessage({
      messageId: message.id, expectedObjectName: 'RC:TxtMsg', replacement: { objectName: 'RC:RcNtf', content: new TextEncoder().encode('{}') },
      command: input({ conversationKey: '1:a:b', senderUserId: 'a', clientMsgId, objectName: 'RC:RcCmd', recipients: ['a', 'b'], listed: false, counted: false }),
    });
    // One batch (made in one tick): a fine append, a NUL the database cannot store, two recalls
    // of one message (the second conflicts), and a duplicate of the fine one.
    const outcomes = await Promise.allSettled([
      store.appendMessage(input({ conversationKey: '1:a:b', senderUserId: 'a', clientMsgId: 'fine', recipients: ['a', 'b'] })),
      store.appendMessage(input({ conversationKey: '1:a:b', senderUserId: 'a', clientMsgId: 'bad\0id', recipients: ['a', 'b'] })),
      recall('rc-1'),
      recall('rc-2'),
      store.appendMessage(input({ conversationKey: '1:a:b', senderUserId: 'a', clientMsgId: 'fine', recipients: ['a', 'b'] })),
    ]);
    assert.equal(outcomes[0].status, 'fulfilled');
    assert.equal(outcomes[1].status, 'rejected');
    assert.equal(outcomes[2].status, 'fulfilled');
    assert.ok(outcomes[3].status === 'rejected' && outcomes[3].reason instanceof RecallConflict, 'the second recall conflicts');
    assert.ok(outcomes[4].status === 'fulfilled' && outcomes[4].value.duplicate);
    const history = await store.history('1:a:b', { count: 10 });
    assert.deepEqual(history.messages.map((m) => [m.seq, m.clientMsgId]), [[1, 'target'], [2, 'fine'], [3, 'rc-1']], 'gap-free');
    await store.close();
  });

  it('searches wildcards and the escape character literally', async () => {
    const store = await PgChatStore.open(await freshDatabase());
    for (const [id, content] of [['w1', 'a_b \\ c'], ['w2', 'axb'], ['w3', 'Ünïcödé ÄBC']]) {
      await store.appendMessage(input({ conversationKey: '1:a:b', senderUserId: 'a', clientMsgId: id!, recipients: ['a', 'b'], content: text(content!) }));
    }
    const find = async (what: string) => (await store.searchMessages({ viewerId: 'a', conversationKeys: ['1:a:b'], text: what, count: 10 }))
      .messages.map((m) => m.clientMsgId);
    assert.deepEqual(await find('_'), ['w1']);
    assert.deepEqual(await find('a_b'), ['w1']);
    assert.deepEqual(await find('\\'), ['w1']);
    assert.deepEqual(await find('\\ c'), ['w1']);
    assert.deepEqual(await find('äbc'), ['w3'], 'any case beyond ASCII');
    assert.deepEqual(await find('ÜNÏ'), ['w3']);
    await store.close();
  });

  it('runs exclusively() one at a time across stores on one database, and a dead holder\'s lock goes with its connection', async () => {
    const url = await freshDatabase();
    const [a, b] = await Promise.all([PgChatStore.open(url, { poolSize: 3 }), PgChatStore.open(url, { poolSize: 3 })]);
    let inside = 0;
    let most = 0;
    const work = (store: PgChatStore) => store.exclusively('chain', async () => {
      most = Math.max(most, ++inside);
      await store.stats();
      await store.stats();
      inside--;
    });
    await Promise.all([work(a), work(b), work(a), work(b), work(b)]);
    assert.equal(most, 1, 'never two at once, though on two stores');

    // A holds the lock; B waits for it; A's connections are cut.
    let releaseA!: () => void;
    let aHolds!: () => void;
    const held = new Promise<void>((resolve) => { aHolds = resolve; });
    const aFinished = a.exclusively('chain', () => new Promise<void>((release) => { releaseA = release; aHolds(); }));
    await held;
    let bRan = false;
    const bWaits = b.exclusively('chain', async () => { bRan = true; });
    await terminateBackends(new URL(url).pathname.slice(1));
    await bWaits;
    assert.equal(bRan, true, 'B got the lock once the holder\'s connection was gone, without waiting for its work');
    releaseA();
    await aFinished;
    await a.exclusively('chain', async () => undefined);
    await Promise.all([a.close(), b.close()]);
  });
});
