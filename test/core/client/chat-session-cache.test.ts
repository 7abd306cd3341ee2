import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { ConnectionStatus, ConversationType } from '../../../src/core/protocol/codes.js';
import { TextMessage } from '../../../src/core/messages/index.js';
import { IMClient } from '../../../src/core/client/client.js';
import { ChatSession } from '../../../src/core/client/chat-session.js';
import { MemoryStore } from '../../../src/core/storage/key-value-store.js';
import type { ChatState } from '../../../src/core/store/chat-state.js';
import type { WebSocketConstructor } from '../../../src/core/transport/transport.js';
import { connectClient, startTestServer, tokenFor, waitFor, type TestServer } from '../../helpers/server.js';

describe('ChatSession with a persistent store: the next start shows the cache, then catches up', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.dispose());

  const until = <T>(session: ChatSession, predicate: (state: ChatState) => T, what: string) =>
    waitFor((check) => session.store.subscribe(check), () => predicate(session.state), what);
  const texts = (session: ChatSession, key: string) => session.state.windows[key]?.items.map((m) => `${(m.content as TextMessage).content}:${m.status}`);

  const session = (storage: MemoryStore, userId: string, token: string) => new ChatSession(new IMClient({
    url: server.wsUrl, token, WebSocket: WebSocket as unknown as WebSocketConstructor,
    storage, reconnect: { minDelay: 50, maxDelay: 300, firstConnect: true },
  }), { storage, userId });

  it('conversations, messages, drafts and unsent messages survive; each unsent message is stored once', async () => {
    const storage = new MemoryStore();
    const bob = await connectClient(server, 'cc-bob');
    const toBob = { conversationType: ConversationType.PRIVATE, targetId: 'cc-bob' };
    const token = await tokenFor(server, 'cc-alice');
    const first = session(storage, 'cc-alice', token);
    await first.start();
    await first.open(toBob);
    await first.send(toBob, new TextMessage({ content: 'one' }));
    await bob.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'cc-alice' }, new TextMessage({ content: 'two' }));
    await until(first, (s) => s.windows['1:cc-bob']?.items.length === 2, 'both messages');
    first.setDraft(toBob, 'unfinished');

    await server.kill('SIGKILL');
    await until(first, (s) => s.status !== ConnectionStatus.CONNECTED, 'link lost');
    const pending = first.send(toBob, new TextMessage({ content: 'three, written while the server is down' }));
    await until(first, (s) => s.windows['1:cc-bob']?.items.at(-1)?.status === 'sending', 'shown as sending');
    await first.dispose();
    await first.client.disconnect();
    assert.equal((await pending).status, 'failed', 'the closed page gave up on it; the outbox has not');

    // The next page: the server is still down, and everything shows anyway.
    const second = session(storage, 'cc-alice', token);
    const started = second.start();
    await until(second, (s) => s.windows['1:cc-bob']?.items.length === 3, 'the cache and the outbox');
    assert.notEqual(second.state.status, ConnectionStatus.CONNECTED);
    assert.deepEqual(texts(second, '1:cc-bob'), ['one:sent', 'two:sent', 'three, written while the server is down:sending']);
    assert.deepEqual(second.state.conversations.keys, ['1:cc-bob']);
    assert.equal(second.state.drafts['1:cc-bob'], 'unfinished');
    assert.equal(second.state.windows['1:cc-bob']!.stale, true);

    server = await server.restart();
    await started;
    await second.open(toBob);
    await until(second, (s) => s.windows['1:cc-bob']?.items.every((m) => m.status === 'sent') && !s.windows['1:cc-bob']?.stale, 'sent and fresh');
    assert.deepEqual(texts(second, '1:cc-bob'), ['one:sent', 'two:sent', 'three, written while the server is down:sent']);
    const history = await second.client.getHistoryMessages(toBob);
    assert.deepEqual(history.messages.map((m) => (m.content as TextMessage).content), ['one', 'two', 'three, written while the server is down']);

    await second.logout();
    assert.deepEqual(await storage.keys(), [], 'logout leaves nothing of the user');
    assert.deepEqual(second.state.conversations.keys, []);
    await bob.disconnect();
  });
});
