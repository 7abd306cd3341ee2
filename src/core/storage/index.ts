export { DegradingStore, MemoryStore } from './key-value-store.js';
export type { KeyValueStore } from './key-value-store.js';
export { IndexedDbStore, deleteUserData, openUserStore, userDatabaseName } from './indexeddb-store.js';
export type { OpenedStore } from './indexeddb-store.js';
