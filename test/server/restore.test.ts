import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { IMMessage } from '../../src/core/client/types.js';
import { ConnectionStatus, ConversationType } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import { connectClient, startTestServer, waitFor } from '../helpers/server.js';

describe('a store restored from a backup', () => {
  it('a device whose cursor is past the restored store\'s end still gets the messages stored after the restore', async () => {
    let server = await startTestServer();
    const store = join(server.dataDir, 'im.sqlite');
    const backup = join(server.dataDir, 'backup.sqlite');
    const bob = await connectClient(server, 'rs-bob');
    const ann = await connectClient(server, 'rs-ann');
    const seen: string[] = [];
    bob.on('message', (message: IMMessage) => seen.push((message.content as TextMessage).content));
    const toBob = { conversationType: ConversationType.PRIVATE, targetId: 'rs-bob' };
    const send = async (content: string) => {
      await ann.sendMessage(toBob, new TextMessage({ content }));
      await waitFor((check) => bob.on('message', check), () => seen.includes(content), `bob gets "${content}"`);
    };
    const reconnected = (client: typeof bob) => waitFor((check) => client.on('status', check),
      () => client.status === ConnectionStatus.CONNECTED, 'connected again');
    try {
      await send('kept 1');
      await send('kept 2');
      // A backup, taken with the server stopped (docs/sqlite.md takes one while it runs).
      await server.kill();
      copyFileSync(store, backup);
      server = await server.restart();
      await Promise.all([reconnected(bob), reconnected(ann)]);
      for (const content of ['lost 1', 'lost 2', 'lost 3']) await send(content);

      // The store goes back to the backup: bob's cursor is now past its last message.
      await server.kill();
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${store}${suffix}`, { force: true });
      copyFileSync(backup, store);
      server = await server.restart();
      await Promise.all([reconnected(bob), reconnected(ann)]);
      await send('after the restore');
      assert.deepEqual(seen, ['kept 1', 'kept 2', 'lost 1', 'lost 2', 'lost 3', 'after the restore']);
    } finally {
      await Promise.all([bob.disconnect(), ann.disconnect()]);
      await server.dispose();
    }
  });
});
