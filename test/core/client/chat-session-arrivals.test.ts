import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { ConversationType } from '../../../src/core/protocol/codes.js';
import { TextMessage } from '../../../src/core/messages/index.js';
import { IMClient } from '../../../src/core/client/client.js';
import { ChatSession } from '../../../src/core/client/chat-session.js';
import type { ChatState } from '../../../src/core/store/chat-state.js';
import type { WebSocketConstructor } from '../../../src/core/transport/transport.js';
import { countOf, FaultProxy } from '../../helpers/fault-proxy.js';
import { tokenFor, useTestServer, waitFor } from '../../helpers/server.js';

describe('ChatSession: a message that arrives while a page about its conversation is on its way', () => {
  const suite = useTestServer();
  const until = <T>(session: ChatSession, predicate: (state: ChatState) => T, what: string) =>
    waitFor((check) => session.store.subscribe(check), () => predicate(session.state), what);
  const text = (state: ChatState, key: string) => state.windows[key]?.items.map((item) => (item.content as TextMessage).content);

  /** A session of `userId` whose server→client bytes can be held and handed over at once. */
  const behindProxy = async (userId: string, run: (session: ChatSession, proxy: FaultProxy) => Promise<void>) => {
    const proxy = await FaultProxy.start({ upstreamPort: suite.server.port, seed: 1 });
    try {
      const session = new ChatSession(suite.track(new IMClient({
        url: `ws://127.0.0.1:${proxy.port}/im`, token: await tokenFor(suite.server, userId), WebSocket: WebSocket as unknown as WebSocketConstructor,
      })));
      try {
        await run(session, proxy);
      } finally {
        await session.dispose();
      }
    } finally {
      await proxy.close();
    }
  };

  it('the newest page: shown with it, when the page was read before it was stored and both land in one read', async () => {
    const ann = await suite.connect('arr-ann');
    const toBob = { conversationType: ConversationType.PRIVATE, targetId: 'arr-bob' };
    await ann.sendMessage(toBob, new TextMessage({ content: 'before-the-page' }));
    await behindProxy('arr-bob', async (bob, proxy) => {
      await bob.start();
      await until(bob, (state) => state.conversations.loaded && state.conversations.byKey['1:arr-ann'], 'the conversation listed');

      // The page is read and answered now, without the next message; the proxy holds the answer,
      // then the message's push, and hands both over at once.
      proxy.holdDownstream();
      const pageHeld = proxy.untilHeldDownstream('before-the-page');
      const opened = bob.open({ conversationType: ConversationType.PRIVATE, targetId: 'arr-ann' });
      await pageHeld;
      const pushHeld = proxy.untilHeldDownstream('after-the-page');
      await ann.sendMessage(toBob, new TextMessage({ content: 'after-the-page' }));
      await pushHeld;
      proxy.releaseDownstream();
      await opened;

      await until(bob, (state) => text(state, '1:arr-ann')?.includes('after-the-page'), 'the message shown');
      assert.deepEqual(text(bob.state, '1:arr-ann'), ['before-the-page', 'after-the-page']);
      const entry = bob.state.conversations.byKey['1:arr-ann']!;
      assert.equal((entry.latestMessage?.content as TextMessage).content, 'after-the-page');
      assert.equal(entry.unreadCount, 0, 'read where it is open');
    });
  });

  it('the conversation list: its preview and unread count, when the list was read before it was stored and both land in one read', async () => {
    const cy = await suite.connect('arr-cy');
    const toDee = { conversationType: ConversationType.PRIVATE, targetId: 'arr-dee' };
    await cy.sendMessage(toDee, new TextMessage({ content: 'before-the-list' }));
    await behindProxy('arr-dee', async (dee, proxy) => {
      await dee.start();
      await until(dee, (state) => state.conversations.loaded && state.conversations.byKey['1:arr-cy'], 'the conversation listed');

      proxy.holdDownstream();
      const listHeld = proxy.untilHeldDownstream('before-the-list');
      const listed = dee.loadConversations();
      await listHeld;
      const pushHeld = proxy.untilHeldDownstream('after-the-list');
      await cy.sendMessage(toDee, new TextMessage({ content: 'after-the-list' }));
      await pushHeld;
      proxy.releaseDownstream();
      await listed;

      const entry = dee.state.conversations.byKey['1:arr-cy']!;
      assert.equal((entry.latestMessage?.content as TextMessage).content, 'after-the-list');
      assert.equal(entry.unreadCount, 2);
    });
  });

  it('a recall: the message shows recalled, when the page was read before the recall and both land in one read', async () => {
    const eve = await suite.connect('arr-eve');
    const toFay = { conversationType: ConversationType.PRIVATE, targetId: 'arr-fay' };
    const sent = await eve.sendMessage(toFay, new TextMessage({ content: 'taken-back' }));
    await behindProxy('arr-fay', async (fay, proxy) => {
      await fay.start();
      await until(fay, (state) => state.conversations.loaded && state.conversations.byKey['1:arr-eve'], 'the conversation listed');

      proxy.holdDownstream();
      const pageHeld = proxy.untilHeldDownstream('taken-back');
      const opened = fay.open({ conversationType: ConversationType.PRIVATE, targetId: 'arr-eve' });
      await pageHeld;
      // The page names the message once; the recall names it again.
      const recallHeld = proxy.untilHeldDownstream(sent.messageUid, 2);
      await eve.recallMessage(toFay, { messageUid: sent.messageUid, sentTime: sent.sentTime });
      await recallHeld;
      proxy.releaseDownstream();
      await opened;

      const shown = fay.state.windows['1:arr-eve']!.items;
      assert.deepEqual(shown.map((item) => item.objectName), ['RC:RcNtf']);
      assert.equal(fay.state.conversations.byKey['1:arr-eve']!.latestMessage!.objectName, 'RC:RcNtf');
    });
  });

  it('a recall: the preview shows it recalled and unread no more, when the list was read before the recall and both land in one read', async () => {
    const gus = await suite.connect('arr-gus');
    const toHal = { conversationType: ConversationType.PRIVATE, targetId: 'arr-hal' };
    const sent = await gus.sendMessage(toHal, new TextMessage({ content: 'taken-back-too' }));
    await behindProxy('arr-hal', async (hal, proxy) => {
      await hal.start();
      await until(hal, (state) => state.conversations.loaded && state.conversations.byKey['1:arr-gus']?.unreadCount === 1, 'the conversation listed, unread');

      proxy.holdDownstream();
      const listHeld = proxy.untilHeldDownstream('taken-back-too');
      const listed = hal.loadConversations();
      await listHeld;
      const recallHeld = proxy.untilHeldDownstream(sent.messageUid, 2);
      await gus.recallMessage(toHal, { messageUid: sent.messageUid, sentTime: sent.sentTime });
      await recallHeld;
      proxy.releaseDownstream();
      await listed;

      const entry = hal.state.conversations.byKey['1:arr-gus']!;
      assert.deepEqual([entry.latestMessage!.objectName, entry.unreadCount], ['RC:RcNtf', 0]);
    });
  });

  it('the conversation list: a send of this user stays the preview, and a pin made on another device stays, when the list was read before them', async () => {
    const ivy = await suite.connect('arr-ivy');
    await ivy.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'arr-jon' }, new TextMessage({ content: 'before-the-list-too' }));
    const jonsLaptop = await suite.connect('arr-jon');
    const withIvy = { conversationType: ConversationType.PRIVATE, targetId: 'arr-ivy' };
    await behindProxy('arr-jon', async (jon, proxy) => {
      await jon.start();
      await until(jon, (state) => state.conversations.loaded && state.conversations.byKey['1:arr-ivy'], 'the conversation listed');

      proxy.holdDownstream();
      const listHeld = proxy.untilHeldDownstream('before-the-list-too');
      const listed = jon.loadConversations();
      await listHeld;
      // The send's answer and the pin's notice wait at the proxy too, after the list.
      const heldBefore = proxy.heldDownstream().length;
      const sendHeld = proxy.untilHeldDownstream((held) => held.length > heldBefore);
      const sent = jon.send(withIvy, new TextMessage({ content: 'from-this-device' }));
      await sendHeld;
      const ivyNamed = countOf(proxy.heldDownstream(), Buffer.from('arr-ivy'));
      const pinHeld = proxy.untilHeldDownstream('arr-ivy', ivyNamed + 1);
      await jonsLaptop.setConversationToTop(withIvy, true);
      await pinHeld;
      proxy.releaseDownstream();
      await Promise.all([listed, sent]);

      const entry = jon.state.conversations.byKey['1:arr-ivy']!;
      assert.deepEqual([(entry.latestMessage?.content as TextMessage).content, entry.latestMessage?.status], ['from-this-device', 'sent']);
      assert.equal(entry.pinned, true);
    });
  });
});
