/**
 * Persistence behind one small interface, so the cache, the outbox and drafts do not care
 * whether they live in IndexedDB or in memory. Values must be structured-cloneable.
 */
export interface KeyValueStore {
  /** `indexeddb` when data survives a reload, `memory` when it does not. */
  readonly kind: 'indexeddb' | 'memory';
  get<T = unknown>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
  /** Keys starting with `prefix` (all keys without one), in no particular order. */
  keys(prefix?: string): Promise<string[]>;
  /** Removes everything in this store. */
  clear(): Promise<void>;
  /** Lets go of the underlying storage (a database connection); the store is not used after. */
  close(): Promise<void>;
}

/** Keeps values in a Map, cloned on the way in and out as IndexedDB would. */
export class MemoryStore implements KeyValueStore {
  readonly kind = 'memory';
  private readonly values = new Map<string, unknown>();

  async get<T>(key: string): Promise<T | undefined> {
    return this.values.has(key) ? (structuredClone(this.values.get(key)) as T) : undefined;
  }

  async set(key: string, value: unknown): Promise<void> {
    this.values.set(key, structuredClone(value));
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }

  async keys(prefix = ''): Promise<string[]> {
    return [...this.values.keys()].filter((key) => key.startsWith(prefix));
  }

  async clear(): Promise<void> {
    this.values.clear();
  }

  async close(): Promise<void> {}
}

/**
 * A persistent store that degrades instead of failing: a write the persistent store refuses
 * (quota exceeded, storage blocked mid-session) is kept in memory, reads see it, and
 * `onDegraded` says so once. Nothing handed to `set` is lost for the life of the page.
 */
export class DegradingStore implements KeyValueStore {
  private readonly overlay = new MemoryStore();
  private readonly deleted = new Set<string>();
  private degradedReason: string | undefined;

  constructor(private readonly primary: KeyValueStore, private readonly onDegraded: (reason: string) => void = () => {}) {}

  get kind(): 'indexeddb' | 'memory' {
    return this.degradedReason ? 'memory' : this.primary.kind;
  }

  /** Why writes go to memory, once they do. */
  get degraded(): string | undefined {
    return this.degradedReason;
  }

  async get<T>(key: string): Promise<T | undefined> {
    if (this.deleted.has(key)) return undefined;
    const local = await this.overlay.get<T>(key);
    if (local !== undefined) return local;
    try {
      return await this.primary.get<T>(key);
    } catch (error) {
      this.degrade(error);
      return undefined;
    }
  }

  async set(key: string, value: unknown): Promise<void> {
    this.deleted.delete(key);
    if (!this.degradedReason) {
      try {
        await this.primary.set(key, value);
        await this.overlay.delete(key);
        return;
      } catch (error) {
        this.degrade(error);
      }
    }
    await this.overlay.set(key, value);
  }

  async delete(key: string): Promise<void> {
    await this.overlay.delete(key);
    try {
      await this.primary.delete(key);
    } catch (error) {
      this.degrade(error);
      this.deleted.add(key);
    }
  }

  async keys(prefix = ''): Promise<string[]> {
    let persistent: string[] = [];
    try {
      persistent = await this.primary.keys(prefix);
    } catch (error) {
      this.degrade(error);
    }
    return [...new Set([...persistent, ...(await this.overlay.keys(prefix))])].filter((key) => !this.deleted.has(key));
  }

  async clear(): Promise<void> {
    await this.overlay.clear();
    this.deleted.clear();
    try {
      await this.primary.clear();
    } catch (error) {
      this.degrade(error);
    }
  }

  close(): Promise<void> {
    return this.primary.close();
  }

  private degrade(error: unknown): void {
    if (this.degradedReason) return;
    this.degradedReason = `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? error}`;
    this.onDegraded(this.degradedReason);
  }
}
