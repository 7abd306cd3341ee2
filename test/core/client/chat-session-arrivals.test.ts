import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { ConversationType } from '../../../src/core/protocol/codes.js';
import { TextMessage } from '../../../src/core/messages/index.js';
import { IMClient } from '../../../src/core/client/client.js';
import { ChatSession, type ChatSessionOptions } from '../../../src/core/client/chat-session.js';
import type { ChatState } from '../../../src/core/store/chat-state.js';
import type { WebSocketConstructor } from '../../../src/core/transport/transport.js';
import { FaultProxy } from '../../helpers/fault-proxy.js';
import { tokenFor, useTestServer, waitFor } from '../../helpers/server.js';

describe('ChatSession: what happens to a conversation while a page or the list about it is on its way', () => {
  const suite = useTestServer();
  const until = <T>(session: ChatSession, predicate: (state: ChatState) => T, what: string) =>
    waitFor((check) => session.store.subscribe(check), () => predicate(session.state), what);
  const text = (state: ChatState, key: string) => state.windows[key]?.items.map((item) => (item.content as TextMessage).content);

  /**
   * A started session of `userId`, its conversation list loaded, whose server→client bytes can
   * be held and handed over at once.
   */
  const behindProxy = async (userId: string, run: (session: ChatSession, proxy: FaultProxy) => Promise<void>, options: ChatSessionOptions = {}) => {
    const proxy = await FaultProxy.start({ upstreamPort: suite.server.port, seed: 1 });
    try {
      const session = new ChatSession(suite.track(new IMClient({
        url: `ws://127.0.0.1:${proxy.port}/im`, token: await tokenFor(suite.server, userId), WebSocket: WebSocket as unknown as WebSocketConstructor,
      })), options);
      try {
        await session.start();
        await until(session, (state) => state.conversations.loaded, 'the conversation list');
        await run(session, proxy);
      } finally {
        await session.dispose();
      }
    } finally {
      await proxy.close();
    }
  };

  /**
   * `request` is answered (the answer names `answerNames`) and the proxy holds the answer; then
   * `meanwhile` happens on the server, and once what it sends this client is held as well
   * (`meanwhileHeld`, asked before `meanwhile` runs), the client gets both in one write.
   */
  const inOneRead = async (proxy: FaultProxy, request: () => Promise<unknown>, answerNames: string,
    meanwhile: () => Promise<unknown>, meanwhileHeld: () => Promise<void>) => {
    proxy.holdDownstream();
    const answerHeld = proxy.untilHeldDownstream(answerNames);
    const answered = request();
    await answerHeld;
    const held = meanwhileHeld();
    await meanwhile();
    await held;
    proxy.releaseDownstream();
    await answered;
  };

  it('a message, and the newest page read before it: shown after the page', async () => {
    const ann = await suite.connect('arr-ann');
    const toBob = { conversationType: ConversationType.PRIVATE, targetId: 'arr-bob' };
    await ann.sendMessage(toBob, new TextMessage({ content: 'before-the-page' }));
    await behindProxy('arr-bob', async (bob, proxy) => {
      await inOneRead(proxy, () => bob.open({ conversationType: ConversationType.PRIVATE, targetId: 'arr-ann' }), 'before-the-page',
        () => ann.sendMessage(toBob, new TextMessage({ content: 'after-the-page' })), () => proxy.untilHeldDownstream('after-the-page'));

      await until(bob, (state) => text(state, '1:arr-ann')?.includes('after-the-page'), 'the message shown');
      assert.deepEqual(text(bob.state, '1:arr-ann'), ['before-the-page', 'after-the-page']);
      const entry = bob.state.conversations.byKey['1:arr-ann']!;
      assert.equal((entry.latestMessage?.content as TextMessage).content, 'after-the-page');
      assert.equal(entry.unreadCount, 0, 'read where it is open');
    });
  });

  it('a message, and the list read before it: the preview and the unread count', async () => {
    const cy = await suite.connect('arr-cy');
    const toDee = { conversationType: ConversationType.PRIVATE, targetId: 'arr-dee' };
    await cy.sendMessage(toDee, new TextMessage({ content: 'before-the-list' }));
    await behindProxy('arr-dee', async (dee, proxy) => {
      await inOneRead(proxy, () => dee.loadConversations(), 'before-the-list',
        () => cy.sendMessage(toDee, new TextMessage({ content: 'after-the-list' })), () => proxy.untilHeldDownstream('after-the-list'));

      const entry = dee.state.conversations.byKey['1:arr-cy']!;
      assert.equal((entry.latestMessage?.content as TextMessage).content, 'after-the-list');
      assert.equal(entry.unreadCount, 2);
    });
  });

  it('a recall, and the newest page read before it: the message shows recalled', async () => {
    const eve = await suite.connect('arr-eve');
    const toFay = { conversationType: ConversationType.PRIVATE, targetId: 'arr-fay' };
    const sent = await eve.sendMessage(toFay, new TextMessage({ content: 'taken-back' }));
    await behindProxy('arr-fay', async (fay, proxy) => {
      // The recall names the message again.
      await inOneRead(proxy, () => fay.open({ conversationType: ConversationType.PRIVATE, targetId: 'arr-eve' }), 'taken-back',
        () => eve.recallMessage(toFay, { messageUid: sent.messageUid, sentTime: sent.sentTime }), () => proxy.untilHeldDownstreamAgain(sent.messageUid));

      assert.deepEqual(fay.state.windows['1:arr-eve']!.items.map((item) => item.objectName), ['RC:RcNtf']);
      assert.equal(fay.state.conversations.byKey['1:arr-eve']!.latestMessage!.objectName, 'RC:RcNtf');
    });
  });

  it('a recall, and the list read before it: the preview shows it recalled, unread no more', async () => {
    const gus = await suite.connect('arr-gus');
    const toHal = { conversationType: ConversationType.PRIVATE, targetId: 'arr-hal' };
    const sent = await gus.sendMessage(toHal, new TextMessage({ content: 'taken-back-too' }));
    await behindProxy('arr-hal', async (hal, proxy) => {
      assert.equal(hal.state.conversations.byKey['1:arr-gus']?.unreadCount, 1);
      await inOneRead(proxy, () => hal.loadConversations(), 'taken-back-too',
        () => gus.recallMessage(toHal, { messageUid: sent.messageUid, sentTime: sent.sentTime }), () => proxy.untilHeldDownstreamAgain(sent.messageUid));

      const entry = hal.state.conversations.byKey['1:arr-gus']!;
      assert.deepEqual([entry.latestMessage!.objectName, entry.unreadCount], ['RC:RcNtf', 0]);
    });
  });

  it('a send of this user and a pin made on another device, and the list read before them: both stay', async () => {
    const ivy = await suite.connect('arr-ivy');
    await ivy.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'arr-jon' }, new TextMessage({ content: 'before-the-list-too' }));
    const jonsLaptop = await suite.connect('arr-jon');
    const withIvy = { conversationType: ConversationType.PRIVATE, targetId: 'arr-ivy' };
    await behindProxy('arr-jon', async (jon, proxy) => {
      let sent: Promise<unknown> | undefined;
      await inOneRead(proxy, () => jon.loadConversations(), 'before-the-list-too', async () => {
        // The send's answer (the next bytes for this client), then the pin's notice (which names the conversation).
        const heldBefore = proxy.heldDownstream().length;
        const sendHeld = proxy.untilHeldDownstream((held) => held.length > heldBefore);
        sent = jon.send(withIvy, new TextMessage({ content: 'from-this-device' }));
        await sendHeld;
        const pinHeld = proxy.untilHeldDownstreamAgain('arr-ivy');
        await jonsLaptop.setConversationToTop(withIvy, true);
        await pinHeld;
      }, async () => undefined);
      await sent;

      const entry = jon.state.conversations.byKey['1:arr-ivy']!;
      assert.deepEqual([(entry.latestMessage?.content as TextMessage).content, entry.latestMessage?.status], ['from-this-device', 'sent']);
      assert.equal(entry.pinned, true);
    });
  });

  it('a history cleared on another device, and an older page read before it: the page shows none of it', async () => {
    const kim = await suite.connect('arr-kim');
    const toLee = { conversationType: ConversationType.PRIVATE, targetId: 'arr-lee' };
    for (let n = 1; n <= 4; n++) await kim.sendMessage(toLee, new TextMessage({ content: `old-${n}` }));
    const leesPhone = await suite.connect('arr-lee');
    const withKim = { conversationType: ConversationType.PRIVATE, targetId: 'arr-kim' };
    await behindProxy('arr-lee', async (lee, proxy) => {
      await lee.open(withKim);
      assert.deepEqual(text(lee.state, '1:arr-kim'), ['old-4'], 'the newest page (one message a page)');
      await inOneRead(proxy, () => lee.loadOlder(withKim), 'old-3',
        // The notice names the conversation again.
        () => leesPhone.clearRemoteHistoryMessages({ ...withKim, timestamp: Date.now() }), () => proxy.untilHeldDownstreamAgain('arr-kim'));

      assert.deepEqual(text(lee.state, '1:arr-kim'), []);
    }, { pageSize: 1 });
  });
});
