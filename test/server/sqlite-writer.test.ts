import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { RecallConflict, type AppendInput } from '../../src/server/storage/chat-store.js';
import { SqliteChatStore } from '../../src/server/storage/sqlite-store.js';

// The store on a file writes on its writer thread (worker_threads): these check the guarantees
// that must hold across it. The contract suite (sqlite-store.test.ts) runs on it too.

const dir = mkdtempSync(join(tmpdir(), 'im-writer-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newFile = () => join(dir, `store-${++files}.sqlite`);

const STORE_MODULE = fileURLToPath(new URL('../../src/server/storage/sqlite-store.ts', import.meta.url));

const text = (clientMsgId: string, content: string, from = 'a', to = 'b'): AppendInput => ({
  conversationKey: `1:${[from, to].sort().join(':')}`, conversationType: 1, senderUserId: from, clientMsgId, objectName: 'RC:TxtMsg',
  content: new TextEncoder().encode(JSON.stringify({ content })), counted: true, recipients: [from, to],
});

/** Runs `body` (an ES module's text) in a child process under tsx; returns the child and its stdout lines. */
function runScript(body: string) {
  const script = join(dir, `script-${++files}.mts`);
  writeFileSync(script, `import { SqliteChatStore } from ${JSON.stringify(STORE_MODULE)};\n${body}`);
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, lines: createInterface({ input: child.stdout! }), exited, stderr: () => stderr };
}

describe('SQLite writer thread', () => {
  it('commits the appends that arrive together in one batch, a repeat of (sender, clientMsgId) within it included', async () => {
    const store = new SqliteChatStore(newFile());
    const [first, second, repeat, reply] = await Promise.all([
      store.appendMessage(text('m1', 'one')),
      store.appendMessage(text('m2', 'two')),
      store.appendMessage(text('m1', 'one, sent again')),
      store.appendMessage(text('r1', 'reply', 'b', 'a')),
    ]);
    assert.deepEqual([first.duplicate, second.duplicate, repeat.duplicate, reply.duplicate], [false, false, true, false]);
    assert.equal(repeat.message.messageUid, first.message.messageUid, 'the repeat is the stored message');
    assert.equal(repeat.message.id, first.message.id);
    assert.deepEqual([first.message.seq, second.message.seq, reply.message.seq], [1, 2, 3], 'seq gap-free in call order');
    assert.ok(first.message.id < second.message.id && second.message.id < reply.message.id, 'ids in commit order');
    const { messages } = await store.history('1:a:b', { count: 10 });
    assert.deepEqual(messages.map((m) => m.clientMsgId), ['m1', 'm2', 'r1']);
    await store.close();
  });

  it('stores a content that is a view into a larger buffer as its own bytes, and answers with them alone', async () => {
    const store = new SqliteChatStore(newFile());
    // As a frame arrives: the content is a Buffer view into the socket's read (Buffer's slice() is a view too).
    const bytes = text('v1', 'in a frame').content;
    const read = Buffer.alloc(4096, 0x20);
    read.set(bytes, 1000);
    const view = read.subarray(1000, 1000 + bytes.length);
    const [result, repeat] = await Promise.all([
      store.appendMessage({ ...text('v1', ''), content: view }),
      store.appendMessage(text('v1', 'the same id again')),
    ]);
    assert.deepEqual([...result.message.content], [...bytes]);
    assert.equal(result.message.content.buffer.byteLength, bytes.length, 'the answer holds the content, not the read it came in');
    assert.equal(repeat.duplicate, true);
    assert.deepEqual([...repeat.message.content], [...bytes], "a duplicate's answer carries the stored content");
    const { messages } = await store.history(result.message.conversationKey, { count: 1 });
    assert.deepEqual([...messages[0]!.content], [...bytes]);
    await store.close();
  });

  it('leaves checkpoints to the search thread: once a search had the index catch up, the WAL is copied back', async () => {
    const file = newFile();
    const store = new SqliteChatStore(file);
    for (let i = 1; i <= 3; i++) await store.appendMessage(text(`c${i}`, `checkpointed ${i}`));
    const found = await store.searchMessages({ viewerId: 'b', conversationKeys: ['1:a:b'], text: 'checkpointed', count: 10 });
    assert.equal(found.messages.length, 3);
    // The wal-index (the -shm file, https://sqlite.org/walformat.html): two copies of its 48-byte
    // header, mxFrame (the WAL's last valid frame) at byte 16, then nBackfill (the frames copied
    // back into the database) at 96; native byte order.
    const shm = readFileSync(`${file}-shm`);
    const u32 = (offset: number) => (endianness() === 'LE' ? shm.readUInt32LE(offset) : shm.readUInt32BE(offset));
    const lastFrame = u32(16);
    const copiedBack = u32(96);
    // Far below the 1,000 pages at which the writer's own commits would checkpoint.
    assert.ok(lastFrame > 0 && lastFrame < 200, `WAL frames: ${lastFrame}`);
    assert.equal(copiedBack, lastFrame, 'every frame is in the database file');
    await store.close();
  });

  it('lets a read made once a write resolved see it (history, sync, search, list, receipts)', async () => {
    const store = new SqliteChatStore(newFile());
    for (let i = 1; i <= 5; i++) {
      const { message } = await store.appendMessage(text(`m${i}`, `searchable 第${i}条`));
      assert.equal((await store.history('1:a:b', { count: 1 })).messages[0]?.messageUid, message.messageUid);
      assert.equal((await store.syncAfter('b', message.id - 1, 10)).messages[0]?.messageUid, message.messageUid);
      assert.equal(await store.latestCursor('b'), message.id);
      const found = await store.searchMessages({ viewerId: 'b', conversationKeys: ['1:a:b'], text: `第${i}条`, count: 10 });
      assert.deepEqual(found.messages.map((m) => m.messageUid), [message.messageUid], 'found by search once the send resolved');
      assert.equal((await store.conversationList('b', { count: 10 })).conversations[0]?.latestMessage?.messageUid, message.messageUid);
    }
    const read = await store.markRead('b', '1:a:b', 3);
    assert.equal(read?.readSeq, 3);
    assert.equal((await store.receiptPositions('b', '1:a:b'))?.readSeq, 3);
    assert.equal(await store.markDelivered('b', '1:a:b', 5), 5);
    assert.equal((await store.receiptPositions('b', '1:a:b'))?.deliveredSeq, 5);
    await store.createGroup('g1', 'G', ['a', 'b']);
    assert.deepEqual(await store.groupMembers('g1'), ['a', 'b']);
    await store.joinGroup('g1', ['c']);
    assert.deepEqual((await store.groupMembers('g1')).sort(), ['a', 'b', 'c'], 'a join is seen once it resolved');
    await store.quitGroup('g1', ['a']);
    assert.equal(await store.isGroupMember('g1', 'a'), false, 'a quit is seen once it resolved');
    assert.deepEqual((await store.dismissGroup('g1'))?.sort(), ['b', 'c']);
    assert.deepEqual(await store.groupMembers('g1'), []);
    await store.close();
  });

  it('fails only the call that fails: the others committed with it stand, and the error keeps its SQLite code', async () => {
    const store = new SqliteChatStore(newFile());
    const bad = { ...text('bad', 'x'), conversationKey: null as unknown as string };
    const [one, broken, two, user] = await Promise.allSettled([
      store.appendMessage(text('ok1', 'one')),
      store.appendMessage(bad),
      store.appendMessage(text('ok2', 'two')),
      store.upsertUser({ userId: 'a', name: 'A', portraitUri: '' }),
    ]);
    assert.equal(one.status, 'fulfilled');
    assert.equal(two.status, 'fulfilled');
    assert.equal(user.status, 'fulfilled');
    assert.equal(broken.status, 'rejected');
    assert.match(String((broken as PromiseRejectedResult).reason.code), /^SQLITE_CONSTRAINT/);
    assert.deepEqual((await store.history('1:a:b', { count: 10 })).messages.map((m) => [m.clientMsgId, m.seq]), [['ok1', 1], ['ok2', 2]]);
    assert.equal((await store.getUser('a'))?.name, 'A');
    await store.close();
  });

  it('keeps a recall conflict a RecallConflict, and a repeated recall command a duplicate', async () => {
    const store = new SqliteChatStore(newFile());
    const { message } = await store.appendMessage(text('m1', 'to recall'));
    const recall = (clientMsgId: string, expectedObjectName: string) => store.recallMessage({
      messageId: message.id, expectedObjectName,
      replacement: { objectName: 'RC:RcNtf', content: new TextEncoder().encode('{}') },
      command: { ...text(clientMsgId, 'recall'), objectName: 'RC:RcCmd', content: new TextEncoder().encode('{}'), listed: false },
    });
    const first = await recall('cmd1', 'RC:TxtMsg');
    assert.equal(first.duplicate, false);
    await assert.rejects(recall('cmd2', 'RC:TxtMsg'), (error: unknown) => error instanceof RecallConflict);
    assert.equal((await recall('cmd1', 'RC:TxtMsg')).duplicate, true);
    await store.close();
  });

  it('commits what was handed over before close, ends the thread, and refuses writes after', async () => {
    const file = newFile();
    const store = new SqliteChatStore(file);
    const sends = [1, 2, 3].map((i) => store.appendMessage(text(`m${i}`, `queued ${i}`)));
    await store.close();
    assert.deepEqual((await Promise.all(sends)).map((r) => r.message.seq), [1, 2, 3], 'queued appends resolved by close');
    await assert.rejects(store.appendMessage(text('late', 'after close')));
    const again = new SqliteChatStore(file);
    assert.deepEqual((await again.history('1:a:b', { count: 10 })).messages.map((m) => m.clientMsgId), ['m1', 'm2', 'm3']);
    await again.close();
  });

  it('does not keep a process alive once its writes are answered, even unclosed', async () => {
    const file = newFile();
    const run = runScript(`
      const store = new SqliteChatStore(${JSON.stringify(file)});
      const { message } = await store.appendMessage({ conversationKey: '1:a:b', conversationType: 1, senderUserId: 'a', clientMsgId: 'm1',
        objectName: 'RC:TxtMsg', content: new TextEncoder().encode('{"content":"x"}'), counted: true, recipients: ['a', 'b'] });
      console.log('stored ' + message.seq);
    `);
    const [line] = await Promise.all([new Promise((resolve) => run.lines.once('line', resolve)), run.exited]);
    assert.equal(line, 'stored 1');
    assert.deepEqual(await run.exited, { code: 0, signal: null }, run.stderr());
  });

  it('loses no acknowledged append when the process is SIGKILLed mid-batch', async () => {
    const file = newFile();
    // Many appends in flight at once, so that batches are large; each acknowledgement is printed.
    const run = runScript(`
      const store = new SqliteChatStore(${JSON.stringify(file)});
      let n = 0;
      const lane = async (lane) => {
        for (;;) {
          const clientMsgId = 'l' + lane + '-' + n++;
          const { message } = await store.appendMessage({ conversationKey: '1:a:b', conversationType: 1, senderUserId: 'a', clientMsgId,
            objectName: 'RC:TxtMsg', content: new TextEncoder().encode(JSON.stringify({ content: 'text ' + clientMsgId })), counted: true,
            recipients: ['a', 'b'] });
          console.log(clientMsgId + ' ' + message.seq);
        }
      };
      for (let i = 0; i < 40; i++) void lane(i);
    `);
    const acked = new Map<string, number>();
    await new Promise<void>((resolve) => {
      run.lines.on('line', (line) => {
        const [clientMsgId, seq] = line.split(' ');
        acked.set(clientMsgId!, Number(seq));
        if (acked.size === 400) {
          run.child.kill('SIGKILL');
          resolve();
        }
      });
    });
    assert.equal((await run.exited).signal, 'SIGKILL');
    const store = new SqliteChatStore(file);
    const stored = new Map<string, number>();
    let before: number | undefined;
    for (;;) {
      const page = await store.history('1:a:b', { count: 200, ...(before ? { before } : {}) });
      for (const m of page.messages) stored.set(m.clientMsgId, m.seq);
      if (!page.hasMore || !page.messages.length) break;
      before = page.messages[0]!.seq;
    }
    for (const [clientMsgId, seq] of acked) assert.equal(stored.get(clientMsgId), seq, `${clientMsgId} acknowledged with seq ${seq} is stored`);
    const seqs = [...stored.values()].sort((a, b) => a - b);
    assert.deepEqual(seqs, seqs.map((_, i) => i + 1), 'seq gap-free after the crash');
    await store.close();
  });

  it('starts a new writer thread when its thread dies: the writes it had fail, the ones after it are stored', async () => {
    const logged: string[] = [];
    const store = new SqliteChatStore(newFile(), { log: (line) => logged.push(line) });
    await store.appendMessage(text('before', 'before the crash'));
    const writer = (store as unknown as { writer: { worker: { terminate(): Promise<number> } } }).writer;
    // A write in flight when the thread ends: it may have been committed or not; its caller hears it failed.
    const inFlight = store.appendMessage(text('during', 'as the thread ends')).then(() => 'stored', (error: Error) => error.message);
    // The process held while the thread ends, as a server's open sockets would hold it.
    const hold = setInterval(() => undefined, 1000);
    await writer.worker.terminate().finally(() => clearInterval(hold));
    const fate = await inFlight;
    assert.ok(fate === 'stored' || /writer thread stopped/.test(fate), fate);
    const after = await store.appendMessage(text('after', 'after the crash'));
    assert.equal(after.duplicate, false);
    assert.match(logged.join('\n'), /writer thread stopped; starting a new one/);
    // Sent again under its clientMsgId (what a client does with a failed send): stored once either way.
    const again = await store.appendMessage(text('during', 'as the thread ends'));
    assert.equal(again.duplicate, fate === 'stored');
    const { messages } = await store.history('1:a:b', { count: 10 });
    assert.deepEqual(messages.map((m) => m.clientMsgId).sort(), ['after', 'before', 'during']);
    assert.deepEqual(messages.map((m) => m.seq), [1, 2, 3]);
    await store.close();
  });
});
