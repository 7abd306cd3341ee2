import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { IMClient } from '../../src/core/client/client.js';
import { ChatSession } from '../../src/core/client/chat-session.js';
import type { IMMessage } from '../../src/core/client/types.js';
import { MemoryStore } from '../../src/core/storage/key-value-store.js';
import type { ChatState } from '../../src/core/store/chat-state.js';
import type { WebSocketConstructor } from '../../src/core/transport/transport.js';
import { ConnectionStatus, ConversationType } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import { connectClient, startTestServer, tokenFor, waitFor, type TestServer } from '../helpers/server.js';

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

  it('a session drops what it showed and cached of the lost messages, and shows the store as it is', async () => {
    let server: TestServer = await startTestServer();
    const store = join(server.dataDir, 'im.sqlite');
    const backup = join(server.dataDir, 'backup.sqlite');
    const storage = new MemoryStore();
    const newSession = (token: string) => new ChatSession(new IMClient({
      url: server.wsUrl, token, WebSocket: WebSocket as unknown as WebSocketConstructor, platform: 'node',
      storage, reconnect: { minDelay: 50, maxDelay: 400 },
    }), { storage, userId: 'rw-bob' });
    const token = await tokenFor(server, 'rw-bob');
    let bob = newSession(token);
    const ann = await connectClient(server, 'rw-ann');
    const toBob = { conversationType: ConversationType.PRIVATE, targetId: 'rw-bob' };
    const withAnn = { conversationType: ConversationType.PRIVATE, targetId: 'rw-ann' };
    const until = (session: ChatSession, predicate: (state: ChatState) => unknown, what: string) =>
      waitFor((check) => session.store.subscribe(check), () => predicate(session.state), what);
    const shown = (session: ChatSession) => session.state.windows['1:rw-ann']?.items.map((item) => `${item.seq}:${(item.content as TextMessage).content}`);
    const send = async (content: string) => {
      await ann.sendMessage(toBob, new TextMessage({ content }));
      await until(bob, () => shown(bob)?.some((text) => text.endsWith(`:${content}`)), `bob shows "${content}"`);
    };
    const restart = async () => {
      server = await server.restart();
      await until(bob, (state) => state.status === ConnectionStatus.CONNECTED, 'bob connected again');
      await waitFor((check) => ann.on('status', check), () => ann.status === ConnectionStatus.CONNECTED, 'ann connected again');
    };
    try {
      await bob.start();
      await bob.open(withAnn);
      await send('kept 1');
      await send('kept 2');
      await server.kill();
      copyFileSync(store, backup);
      await restart();
      for (const content of ['lost 1', 'lost 2']) await send(content);
      assert.deepEqual(shown(bob), ['1:kept 1', '2:kept 2', '3:lost 1', '4:lost 2']);

      await server.kill();
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${store}${suffix}`, { force: true });
      copyFileSync(backup, store);
      await restart();
      await send('after the restore');
      // The restored store gives seq 3 again: one message with it, the one the store holds.
      assert.deepEqual(shown(bob), ['1:kept 1', '2:kept 2', '3:after the restore']);
      // Its push may come after the page that showed it; the preview moves to it either way.
      await until(bob, (state) => (state.conversations.byKey['1:rw-ann']?.latestMessage?.content as TextMessage | undefined)?.content === 'after the restore',
        'the preview is the message after the restore');
      assert.equal(bob.state.conversations.byKey['1:rw-ann']?.latestMessage?.seq, 3);

      // The next page starts from the cache: it holds the store as it is, too.
      await bob.dispose();
      await bob.client.disconnect();
      bob = newSession(token);
      void bob.start().catch(() => undefined);
      await until(bob, () => shown(bob)?.length, 'the cache shown');
      assert.deepEqual(shown(bob), ['1:kept 1', '2:kept 2', '3:after the restore']);
    } finally {
      await bob.dispose();
      await Promise.all([bob.client.disconnect(), ann.disconnect()]);
      await server.dispose();
    }
  });
});
