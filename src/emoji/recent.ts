/**
 * Recently used emoji, per user, most recent first, deduplicated, at most `limit` of them.
 * Storage is whatever the caller passes (the storage layer decides where: IndexedDB, memory…);
 * what comes back from it is treated as untrusted and cleaned.
 */

/** The little a store has to do. */
export interface RecentEmojiStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
}

export interface RecentEmojiOptions {
  /** How many to keep (default 24). */
  limit?: number;
  /** Key prefix in the store (default `'im-emoji:recent:'`); the user id follows it. */
  prefix?: string;
}

export const DEFAULT_RECENT_LIMIT = 24;
const MAX_EMOJI_LENGTH = 64;

const isEmojiString = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_EMOJI_LENGTH;

export class RecentEmoji {
  /** The store key: prefix + user id. */
  readonly key: string;
  readonly limit: number;
  readonly #store: RecentEmojiStore;
  /** Reads and writes run one after another, so concurrent `add`s never lose an emoji. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(store: RecentEmojiStore, userId: string, options: RecentEmojiOptions = {}) {
    if (typeof userId !== 'string' || userId === '') throw new TypeError('RecentEmoji: userId must be a non-empty string');
    const limit = options.limit ?? DEFAULT_RECENT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1) throw new TypeError(`RecentEmoji: limit must be a positive integer, not ${limit}`);
    this.#store = store;
    this.limit = limit;
    this.key = `${options.prefix ?? 'im-emoji:recent:'}${userId}`;
  }

  /** The recent emoji, most recent first. */
  list(): Promise<string[]> {
    return this.#run(() => this.#read());
  }

  /** Moves (or adds) `emoji` to the front; resolves with the new list. */
  add(emoji: string): Promise<string[]> {
    if (!isEmojiString(emoji)) return Promise.reject(new TypeError(`RecentEmoji: not an emoji string: ${JSON.stringify(emoji)}`));
    return this.#run(async () => {
      const next = [emoji, ...(await this.#read()).filter((e) => e !== emoji)].slice(0, this.limit);
      await this.#store.set(this.key, next);
      return next;
    });
  }

  /** Forgets this user's recent emoji. */
  clear(): Promise<void> {
    return this.#run(() => this.#store.set(this.key, []));
  }

  #run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(task);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #read(): Promise<string[]> {
    const stored = await this.#store.get(this.key);
    if (!Array.isArray(stored)) return [];
    return [...new Set(stored.filter(isEmojiString))].slice(0, this.limit);
  }
}
