import { clear, del, get, keys, promisifyRequest, set, type UseStore } from 'idb-keyval';
import { MemoryStore, type KeyValueStore } from './key-value-store.js';

const OBJECT_STORE = 'kv';

/** One IndexedDB database per user and server: two users on one browser never share data. */
export class IndexedDbStore implements KeyValueStore {
  readonly kind = 'indexeddb';
  private readonly store: UseStore;
  private readonly database: Promise<IDBDatabase>;

  constructor(readonly databaseName: string, idb: IDBFactory = globalThis.indexedDB) {
    // idb-keyval's createStore, on the given factory (a frame's, a worker's, or the page's).
    const request = idb.open(databaseName);
    request.onupgradeneeded = () => request.result.createObjectStore(OBJECT_STORE);
    const database = (this.database = promisifyRequest(request));
    this.store = (mode, callback) => database.then((db) => callback(db.transaction(OBJECT_STORE, mode).objectStore(OBJECT_STORE)));
  }

  async close(): Promise<void> {
    (await this.database.catch(() => undefined))?.close();
  }

  get<T>(key: string): Promise<T | undefined> {
    return get<T>(key, this.store);
  }

  set(key: string, value: unknown): Promise<void> {
    return set(key, value, this.store);
  }

  delete(key: string): Promise<void> {
    return del(key, this.store);
  }

  async keys(prefix = ''): Promise<string[]> {
    return (await keys<IDBValidKey>(this.store)).map(String).filter((key) => key.startsWith(prefix));
  }

  clear(): Promise<void> {
    return clear(this.store);
  }
}

export interface OpenedStore {
  store: KeyValueStore;
  /** Why the store is in memory (IndexedDB missing, blocked, or failing), if it is. */
  fallbackReason?: string;
}

/** The database name of a user's data on a server. */
export const userDatabaseName = (server: string, userId: string): string => `im-widget:${server}:${userId}`;

/**
 * Opens the user's persistent store, or a memory store when IndexedDB is unavailable (private
 * modes, blocked storage, no IndexedDB at all). Never throws: the reason comes back instead.
 */
export async function openUserStore(server: string, userId: string,
  options: { indexedDB?: IDBFactory | null } = {}): Promise<OpenedStore> {
  let idb: IDBFactory | null | undefined;
  try {
    idb = 'indexedDB' in options ? options.indexedDB : globalThis.indexedDB;
  } catch (error) {
    // Sandboxed frames and some privacy settings throw on merely reading `indexedDB`.
    return { store: new MemoryStore(), fallbackReason: `IndexedDB is not available: ${(error as Error)?.message ?? error}` };
  }
  if (!idb) return { store: new MemoryStore(), fallbackReason: 'IndexedDB is not available' };
  try {
    const store = new IndexedDbStore(userDatabaseName(server, userId), idb);
    // A write and a read: some browsers open the database, then fail every transaction.
    await store.set('__probe', 1);
    if ((await store.get('__probe')) !== 1) throw new Error('IndexedDB did not keep a value');
    await store.delete('__probe');
    return { store };
  } catch (error) {
    return { store: new MemoryStore(), fallbackReason: `IndexedDB failed: ${(error as Error)?.message ?? error}` };
  }
}

/** Forgets everything of one user on this browser (logout). */
export function deleteUserData(server: string, userId: string, options: { indexedDB?: IDBFactory | null } = {}): Promise<void> {
  let idb: IDBFactory | null | undefined;
  try {
    idb = 'indexedDB' in options ? options.indexedDB : globalThis.indexedDB;
  } catch {
    return Promise.resolve(); // storage is blocked: nothing of the user's can be there
  }
  if (!idb) return Promise.resolve();
  const factory = idb;
  return new Promise((resolve, reject) => {
    const request = factory.deleteDatabase(userDatabaseName(server, userId));
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
    // Another tab holds it open: it is deleted once that tab lets go.
    request.onblocked = () => resolve();
  });
}
