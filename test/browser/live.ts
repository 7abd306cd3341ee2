// What the browser tests against the real server share: its address, tokens and groups from the
// test runner (the app secret stays there), clients cleaned up after each test, store waits.
import { expect } from '@open-wc/testing';
import type { ChatSession } from '../../src/core/client/chat-session.js';
import { IMClient } from '../../src/core/client/client.js';
import type { IMMessage } from '../../src/core/client/types.js';
import type { ChatState } from '../../src/core/store/chat-state.js';

export const env: { ws: string; http: string } = await (await fetch('/__im-test-env.json')).json();

export const token = async (userId: string): Promise<string> => (await (await fetch(`/__im-token?userId=${userId}`)).json()).token;

export async function createGroup(groupId: string, userIds: string[]): Promise<void> {
  const answer = await (await fetch(`/__im-group?groupId=${groupId}&userIds=${userIds.join(',')}`)).json();
  expect(answer.code, JSON.stringify(answer)).to.equal(200);
}

/** Resolves with `check`'s value once it is truthy for the store (checked now and after every change). */
export function storeReaches<T>(session: ChatSession, check: (state: ChatState) => T | undefined | false | null): Promise<T> {
  return new Promise((resolve) => {
    const test = () => {
      const value = check(session.state);
      if (!value) return;
      off();
      resolve(value);
    };
    const off = session.store.subscribe(test);
    test();
  });
}

/**
 * Connected clients for the tests of one `describe`, disconnected (and their sessions
 * disposed) after each test.
 */
export function liveClients(): { connect(userId: string): Promise<IMClient>; track(session: ChatSession): ChatSession } {
  const clients: IMClient[] = [];
  const sessions: ChatSession[] = [];
  afterEach(async () => {
    for (const session of sessions.splice(0)) await session.dispose();
    await Promise.all(clients.splice(0).map((client) => client.disconnect()));
  });
  return {
    async connect(userId) {
      const client = new IMClient({ url: env.ws, tokenProvider: () => token(userId) });
      clients.push(client);
      await client.connect();
      return client;
    },
    track(session) {
      sessions.push(session);
      return session;
    },
  };
}

/** Resolves with the first message `client` receives that satisfies `check`. */
export function receives(client: IMClient, check: (message: IMMessage) => boolean): Promise<IMMessage> {
  return new Promise((resolve) => {
    const off = client.on('message', (message) => {
      if (check(message)) {
        off();
        resolve(message);
      }
    });
  });
}
