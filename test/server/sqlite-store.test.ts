import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteChatStore } from '../../src/server/storage/sqlite-store.js';
import type { AppendInput } from '../../src/server/storage/chat-store.js';
import { describeChatStoreContract } from './storage-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'im-store-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

describeChatStoreContract('SQLite file', async () => new SqliteChatStore(join(dir, 'contract.sqlite')));
describeChatStoreContract('SQLite in memory', async () => new SqliteChatStore(':memory:'));

describe('SQLite store', () => {
  it('keeps everything across a reopen, in WAL mode, migrating once', async () => {
    const file = join(dir, 'reopen.sqlite');
    const first = new SqliteChatStore(file);
    const { message } = await first.appendMessage({
      conversationKey: '1:a:b', conversationType: 1, senderUserId: 'a', clientMsgId: 'keep', objectName: 'RC:TxtMsg',
      content: new TextEncoder().encode('{"content":"kept"}'), counted: true, recipients: ['a', 'b'],
    });
    await first.close();

    const raw = new Database(file, { readonly: true });
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(raw.pragma('page_size', { simple: true }), 2048, 'a new file has 2 KB pages');
    assert.equal(raw.pragma('user_version', { simple: true }), 10,
      'every migration ran (delivered positions, token revocations, customer service, its second slice, tickets, blacklist and status, settings/deletes, search file, resend index)');
    raw.close();

    const second = new SqliteChatStore(file);
    const again = await second.appendMessage({
      conversationKey: '1:a:b', conversationType: 1, senderUserId: 'a', clientMsgId: 'keep', objectName: 'RC:TxtMsg',
      content: new TextEncoder().encode('{"content":"kept"}'), counted: true, recipients: ['a', 'b'],
    });
    assert.equal(again.duplicate, true, 'deduplication survives a restart');
    assert.equal(again.message.messageUid, message.messageUid);
    assert.equal((await second.syncAfter('b', 0, 10)).messages.length, 1);
    await second.close();
  });

  it('leads the resend index with the clientMsgId once migrated, keeping every message, its id and the ids given', async () => {
    const file = join(dir, 'resend-index.sqlite');
    const first = new SqliteChatStore(file);
    const stored = [];
    for (const id of ['r-1', 'r-2', 'r-3']) stored.push((await first.appendMessage(textInput(id, `text ${id}`))).message);
    await first.close();
    // The file as version 9 left it: the index led by the sender; ids given up to 100 (AUTOINCREMENT's mark).
    const raw = new Database(file);
    const oldTable = (raw.prepare("SELECT sql FROM sqlite_master WHERE name = 'messages'").pluck().get() as string)
      .replace('UNIQUE (client_msg_id, sender_id)', 'UNIQUE (sender_id, client_msg_id)').replace(/^CREATE TABLE "?messages"?/, 'CREATE TABLE messages_old');
    assert.match(oldTable, /UNIQUE \(sender_id, client_msg_id\)/);
    raw.exec(`${oldTable}; INSERT INTO messages_old SELECT * FROM messages; DROP TABLE messages;
      ALTER TABLE messages_old RENAME TO messages; UPDATE sqlite_sequence SET seq = 100 WHERE name = 'messages'; PRAGMA user_version = 9;`);
    assert.deepEqual(resendIndexColumns(raw), ['sender_id', 'client_msg_id']);
    raw.close();

    const told: string[] = [];
    const second = new SqliteChatStore(file, { log: (line) => told.push(line) });
    assert.equal(told.length, 2, 'the migration is told, before and after');
    assert.match(told[0]!, /from version 9 to 10/);
    assert.match(told[1]!, /migrated to version 10 in \d+ ms/);
    const synced = (await second.syncAfter('b', 0, 10)).messages;
    assert.deepEqual(synced.map((m) => [m.id, m.messageUid, m.clientMsgId]), stored.map((m) => [m.id, m.messageUid, m.clientMsgId]),
      'every message kept, with its id and uid');
    const resend = await second.appendMessage(textInput('r-2', 'text r-2'));
    assert.equal(resend.duplicate, true, 'a resend is still found');
    assert.equal(resend.message.id, stored[1]!.id);
    const next = await second.appendMessage(textInput('r-4', 'text r-4'));
    assert.equal(next.message.id, 101, 'no id below the mark is given again');
    assert.deepEqual(await found(second, 'text'), ['r-4', 'r-3', 'r-2', 'r-1'], 'the search file follows the same ids');
    await second.close();
    const migrated = new Database(file, { readonly: true });
    assert.equal(migrated.pragma('user_version', { simple: true }), 10);
    assert.deepEqual(resendIndexColumns(migrated), ['client_msg_id', 'sender_id']);
    migrated.close();
  });

  it('keeps the page size of a file made before (4 KB)', async () => {
    const file = join(dir, 'pages-4k.sqlite');
    const made = new Database(file);
    made.pragma('journal_mode = WAL');
    made.exec('CREATE TABLE earlier (x)');
    made.exec('DROP TABLE earlier');
    made.close();
    const store = new SqliteChatStore(file);
    await store.appendMessage(textInput('4k', '四千 page'));
    assert.deepEqual(await found(store, '四千'), ['4k']);
    await store.close();
    const raw = new Database(file, { readonly: true });
    assert.equal(raw.pragma('page_size', { simple: true }), 4096);
    raw.close();
  });

  it('indexes the messages stored before the search came, once migrated', async () => {
    const file = join(dir, 'backfill.sqlite');
    const first = new SqliteChatStore(file);
    const post = (clientMsgId: string, objectName: string, content: unknown) => first.appendMessage({
      conversationKey: '1:a:b', conversationType: 1, senderUserId: 'a', clientMsgId, objectName,
      content: new TextEncoder().encode(JSON.stringify(content)), counted: true, recipients: ['a', 'b'],
    });
    await post('old-1', 'RC:TxtMsg', { content: '旧消息 old text' });
    await post('old-2', 'RC:FileMsg', { name: '旧文件.txt', size: 1, fileUrl: 'https://x.example/f' });
    await post('old-3', 'RC:ImgMsg', { imageUri: 'https://x.example/旧.png' });
    await first.close();
    // The file as the previous version left it: without the last migration's tables and columns.
    const raw = new Database(file);
    raw.exec(`DROP TABLE search_removals; DROP TABLE store_identity; DROP TABLE message_deletions; ALTER TABLE user_conversations DROP COLUMN is_top; ALTER TABLE user_conversations DROP COLUMN muted;
      ALTER TABLE user_conversations DROP COLUMN cleared_seq; ALTER TABLE inbox DROP COLUMN deleted; PRAGMA user_version = 7;`);
    raw.close();

    const second = new SqliteChatStore(file);
    const found = async (text: string) => (await second.searchMessages({ viewerId: 'b', conversationKeys: ['1:a:b'], text, count: 10 }))
      .messages.map((m) => m.clientMsgId);
    assert.deepEqual(await found('旧'), ['old-2', 'old-1']);
    assert.deepEqual(await found('old text'), ['old-1']);
    assert.deepEqual(await found('旧文件'), ['old-2']);
    await second.close();
  });

  it('moves the search out of a file that kept it inside, and finds what was there', async () => {
    const file = await withoutSearchFile('search-inside.sqlite', textInput('in-1', '搬家 moved text'));
    // The file as version 8 left it: its search tables inside, holding the entry.
    const raw = new Database(file);
    raw.exec(`DROP TABLE search_removals; DROP TABLE store_identity;
      CREATE TABLE message_text (id INTEGER PRIMARY KEY, conversation_key TEXT NOT NULL, sent_time INTEGER NOT NULL, text TEXT NOT NULL);
      CREATE INDEX message_text_by_conversation ON message_text (conversation_key, sent_time);
      CREATE VIRTUAL TABLE message_text_index USING fts5(text, content='message_text', content_rowid='id', tokenize='trigram');
      CREATE TRIGGER message_text_added AFTER INSERT ON message_text BEGIN INSERT INTO message_text_index (rowid, text) VALUES (new.id, new.text); END;
      CREATE TRIGGER message_text_removed AFTER DELETE ON message_text BEGIN
        INSERT INTO message_text_index (message_text_index, rowid, text) VALUES ('delete', old.id, old.text); END;
      INSERT INTO message_text (id, conversation_key, sent_time, text) SELECT id, conversation_key, sent_time, '搬家 moved text' FROM messages;
      PRAGMA user_version = 8;`);
    raw.close();

    const second = new SqliteChatStore(file);
    assert.deepEqual(await found(second, '搬家'), ['in-1']);
    await second.appendMessage(textInput('in-2', '搬家 again'));
    assert.deepEqual(await found(second, '搬家'), ['in-2', 'in-1']);
    await second.close();
    const tables = (db: Database.Database) => db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'message_text%'").pluck().all();
    const chat = new Database(file, { readonly: true });
    assert.deepEqual(tables(chat), [], 'the chat file keeps no search tables');
    chat.close();
    const search = new Database(`${file}-search`, { readonly: true });
    assert.deepEqual(search.prepare('SELECT text FROM message_text ORDER BY id').pluck().all(), ['搬家 moved text', '搬家 again']);
    search.close();
  });

  it('builds the search file again when it is lost, or belongs to a backup the chat file was restored from', async () => {
    const file = await withoutSearchFile('search-lost.sqlite', textInput('lost-1', '备份 one'));
    const second = new SqliteChatStore(file);
    assert.deepEqual(await found(second, '备份'), ['lost-1'], 'a lost search file is built again');
    await second.close();

    copyFileSync(file, `${file}.backup`);
    const third = new SqliteChatStore(file);
    await third.appendMessage(textInput('lost-2', '备份 two, not in the backup'));
    assert.deepEqual(await found(third, '备份'), ['lost-2', 'lost-1']);
    await third.close();
    // The chat file goes back to the backup; the search file stays as it was, ahead of it.
    copyFileSync(`${file}.backup`, file);
    const fourth = new SqliteChatStore(file);
    await fourth.appendMessage(textInput('lost-3', '备份 three, after the restore'));
    assert.deepEqual(await found(fourth, '备份'), ['lost-3', 'lost-1'], 'what the restored file holds, nothing else');
    await fourth.close();

    // Another store's search file beside this one is not taken for its own.
    const other = join(dir, 'search-other.sqlite');
    const fifth = new SqliteChatStore(other);
    await fifth.appendMessage(textInput('other-1', '别人 other store'));
    await fifth.close();
    copyFileSync(`${file}-search`, `${other}-search`);
    const sixth = new SqliteChatStore(other);
    assert.deepEqual(await found(sixth, '备份'), []);
    assert.deepEqual(await found(sixth, '别人'), ['other-1']);
    await sixth.close();
  });

  it('closes while its search thread is indexing, once that is done', async () => {
    const store = new SqliteChatStore(join(dir, 'search-closing.sqlite'));
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.appendMessage(textInput(`busy-${i}`, `忙 busy ${i}`))));
    const searching = store.searchMessages({ viewerId: 'b', conversationKeys: ['1:a:b'], text: '忙', count: 5 });
    await store.close();
    assert.equal((await searching).messages.length, 5, 'the search asked before the close is answered');
  });

  it('starts its search thread again when it has died', async () => {
    const store = new SqliteChatStore(join(dir, 'search-restart.sqlite'));
    await store.appendMessage(textInput('r-1', '重启 one'));
    assert.deepEqual(await found(store, '重启'), ['r-1']);
    const { worker } = (store as unknown as { search: { worker?: { terminate(): Promise<number> } } }).search;
    // The process held while the thread ends, as a server's open sockets would hold it (an idle thread lets go of it).
    const hold = setInterval(() => undefined, 1000);
    await worker!.terminate().finally(() => clearInterval(hold));
    await store.appendMessage(textInput('r-2', '重启 two'));
    assert.deepEqual(await found(store, '重启'), ['r-2', 'r-1'], 'a new thread indexes what came since');
    await store.close();
  });

  it('removes a recalled message\'s text from the search file', async () => {
    const file = join(dir, 'search-recall.sqlite');
    const store = new SqliteChatStore(file);
    await store.appendMessage(textInput('keep', '留下 kept words'));
    const { message } = await store.appendMessage(textInput('gone', '撤回 secret words'));
    assert.deepEqual(await found(store, 'words'), ['gone', 'keep'], 'both indexed before the recall');
    await store.recallMessage({
      messageId: message.id, expectedObjectName: 'RC:TxtMsg',
      replacement: { objectName: 'RC:RcNtf', content: new TextEncoder().encode('{"operatorId":"a"}') },
      command: { ...textInput('gone.cmd', ''), objectName: 'RC:RcCmd', counted: false, listed: false },
    });
    assert.deepEqual(await found(store, 'words'), ['keep']);
    await store.close();
    const search = new Database(`${file}-search`, { readonly: true });
    assert.deepEqual(search.prepare('SELECT text FROM message_text').pluck().all(), ['留下 kept words'], 'the recalled text is gone from the file');
    assert.deepEqual(search.prepare("SELECT rowid FROM message_text_index WHERE message_text_index MATCH '\"secret\"'").pluck().all(), [],
      'and from its index');
    search.close();
  });
});

/** A store file of `name` holding `message`, closed, its search file deleted. */
async function withoutSearchFile(name: string, message: AppendInput): Promise<string> {
  const file = join(dir, name);
  const store = new SqliteChatStore(file);
  await store.appendMessage(message);
  await store.close();
  rmSync(`${file}-search`);
  return file;
}

/** The columns of the messages table's unique index on its sender and clientMsgId, in order. */
function resendIndexColumns(db: Database.Database): string[] {
  const indexes = db.prepare("SELECT name FROM pragma_index_list('messages') WHERE \"unique\" = 1").pluck().all() as string[];
  const columns = indexes.map((name) => db.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno').pluck().all(name) as string[]);
  const resend = columns.filter((names) => names.includes('sender_id') && names.includes('client_msg_id'));
  assert.equal(resend.length, 1, 'one such index');
  return resend[0]!;
}

function textInput(clientMsgId: string, text: string): AppendInput {
  return {
    conversationKey: '1:a:b', conversationType: 1, senderUserId: 'a', clientMsgId, objectName: 'RC:TxtMsg',
    content: new TextEncoder().encode(JSON.stringify({ content: text })), counted: true, recipients: ['a', 'b'],
  };
}

async function found(store: SqliteChatStore, text: string): Promise<string[]> {
  return (await store.searchMessages({ viewerId: 'b', conversationKeys: ['1:a:b'], text, count: 10 })).messages.map((m) => m.clientMsgId);
}
