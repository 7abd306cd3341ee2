import { expect } from '@open-wc/testing';
import {
  DegradingStore, IndexedDbStore, MemoryStore, deleteUserData, openUserStore, userDatabaseName, type KeyValueStore,
} from '../../src/core/storage/index.js';

let counter = 0;
const freshName = () => `im-widget-test-${Date.now()}-${counter++}`;

/** The contract every KeyValueStore keeps. */
function contract(name: string, make: () => KeyValueStore): void {
  describe(`KeyValueStore contract: ${name}`, () => {
    it('gets what was set, as a copy, and undefined for what was not', async () => {
      const store = make();
      const value = { text: '你好 😀', list: [1, 2, 3], nested: { at: new Date(5) } };
      await store.set('a', value);
      const back = await store.get<typeof value>('a');
      expect(back).to.deep.equal(value);
      value.list.push(4);
      expect((await store.get<typeof value>('a'))!.list).to.deep.equal([1, 2, 3], 'stored values do not change with the caller\'s');
      expect(await store.get('missing')).to.equal(undefined);
    });

    it('overwrites, deletes, lists keys by prefix and clears', async () => {
      const store = make();
      await store.set('outbox:1', 1);
      await store.set('outbox:2', 2);
      await store.set('draft:x', 'y');
      await store.set('outbox:1', 'one');
      expect(await store.get('outbox:1')).to.equal('one');
      expect((await store.keys('outbox:')).sort()).to.deep.equal(['outbox:1', 'outbox:2']);
      await store.delete('outbox:2');
      expect((await store.keys()).sort()).to.deep.equal(['draft:x', 'outbox:1']);
      await store.clear();
      expect(await store.keys()).to.deep.equal([]);
    });
  });
}

contract('memory', () => new MemoryStore());
contract('IndexedDB', () => new IndexedDbStore(freshName()));
contract('degrading over IndexedDB', () => new DegradingStore(new IndexedDbStore(freshName())));

/** A browser storage that refuses writes, as a full disk or a revoked permission does. */
class RefusingStore extends MemoryStore {
  override async set(): Promise<void> {
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
  }
}

describe('storage in the browser', () => {
  it('keeps data across instances (a reload) and apart per user and server', async () => {
    const server = `ws://test-${freshName()}/im`;
    const alice = (await openUserStore(server, 'alice')).store;
    const bob = (await openUserStore(server, 'bob')).store;
    expect(alice.kind).to.equal('indexeddb');
    await alice.set('draft:1:bob', 'hi bob');
    await bob.set('draft:1:alice', 'hi alice');
    const aliceAgain = new IndexedDbStore(userDatabaseName(server, 'alice'));
    expect(await aliceAgain.get('draft:1:bob')).to.equal('hi bob');
    expect(await aliceAgain.keys()).to.deep.equal(['draft:1:bob'], 'alice never sees bob\'s data');
    const elsewhere = (await openUserStore(`${server}/other`, 'alice')).store;
    expect(await elsewhere.keys()).to.deep.equal([]);
    await Promise.all([alice.close(), aliceAgain.close(), elsewhere.close()]);
    await deleteUserData(server, 'alice');
    expect(await new IndexedDbStore(userDatabaseName(server, 'alice')).keys()).to.deep.equal([], 'logout clears the user\'s data');
    expect(await bob.get('draft:1:alice')).to.equal('hi alice');
  });

  it('falls back to memory, and says why, when IndexedDB is missing or blocked', async () => {
    const missing = await openUserStore('ws://x/im', 'u', { indexedDB: null });
    expect(missing.store.kind).to.equal('memory');
    expect(missing.fallbackReason).to.match(/not available/);
    // Blocked storage, as in some private modes: opening the database fails.
    const frame = document.createElement('iframe');
    document.body.append(frame);
    const blockedFactory = (frame.contentWindow as Window & typeof globalThis).indexedDB;
    Object.defineProperty(blockedFactory, 'open', { value: () => { throw new DOMException('The operation is insecure.', 'SecurityError'); } });
    const blocked = await openUserStore('ws://x/im', 'u', { indexedDB: blockedFactory });
    frame.remove();
    expect(blocked.store.kind).to.equal('memory');
    expect(blocked.fallbackReason).to.match(/insecure/);
    await blocked.store.set('outbox:1', { text: 'kept' });
    expect(await blocked.store.get('outbox:1')).to.deep.equal({ text: 'kept' });
  });

  it('degrades to memory on a quota error without losing the write', async () => {
    const reasons: string[] = [];
    const store = new DegradingStore(new RefusingStore(), (reason) => reasons.push(reason));
    await store.set('outbox:1', { text: 'must not be lost' });
    await store.set('outbox:2', { text: 'nor this' });
    expect(await store.get('outbox:1')).to.deep.equal({ text: 'must not be lost' });
    expect((await store.keys('outbox:')).sort()).to.deep.equal(['outbox:1', 'outbox:2']);
    expect(store.kind).to.equal('memory');
    expect(reasons).to.have.length(1);
    expect(reasons[0]).to.match(/QuotaExceededError/);
    await store.delete('outbox:1');
    expect(await store.keys('outbox:')).to.deep.equal(['outbox:2']);
  });
});
