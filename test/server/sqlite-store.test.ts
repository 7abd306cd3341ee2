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
    assert.equal(raw.pragma('user_version', { simple: true }), 7,
      'every migration ran (delivered positions, token revocations, customer service, its second slice, tickets, blacklist and status)');
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
});
