import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteChatStore } from '../../src/server/storage/sqlite-store.js';
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
    assert.equal(raw.pragma('user_version', { simple: true }), 8,
      'every migration ran (delivered positions, token revocations, customer service, its second slice, tickets, blacklist and status, settings/deletes/search)');
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
    raw.exec(`DROP TRIGGER message_text_added; DROP TRIGGER message_text_removed; DROP TABLE message_text_index; DROP TABLE message_text;
      DROP TABLE message_deletions; ALTER TABLE user_conversations DROP COLUMN is_top; ALTER TABLE user_conversations DROP COLUMN muted;
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
});
