import { decodeContent, encodeContent } from '../messages/index.js';
import type { KeyValueStore } from '../storage/key-value-store.js';
import type { Store } from '../store/store.js';
import type { ChatState, ConversationEntry, GroupInfo, MessageItem, UserInfo } from '../store/chat-state.js';

export interface SessionCacheOptions {
  /** Messages kept per conversation; older ones are evicted (default 50). */
  messagesPerConversation?: number;
  /** Conversations whose messages are kept, the most recent first (default 50). */
  conversations?: number;
}

export interface CacheSnapshot {
  conversations: ConversationEntry[];
  windows: Record<string, MessageItem[]>;
  drafts: Record<string, string>;
  users: Record<string, UserInfo>;
  groups: Record<string, GroupInfo>;
  deleted: Record<string, true>;
}

/** A message as cached: its content as the wire bytes, since a class instance does not survive structured cloning. */
type CachedItem = Omit<MessageItem, 'content' | 'latestMessage'> & { content: Uint8Array };
type CachedEntry = Omit<ConversationEntry, 'latestMessage'> & { latestMessage?: CachedItem };

// Bumped when the cached shapes change: an older cache is ignored rather than misread.
const VERSION = 1;
const VERSION_KEY = 'cache:version';
const LIST_KEY = 'cache:conversations';
const NAMES_KEY = 'cache:names';
const DRAFTS_KEY = 'cache:drafts';
const DELETED_KEY = 'cache:deleted';
const WINDOW_PREFIX = 'cache:window:';
const WRITE_DELAY_MS = 200;

const toCached = ({ content, ...item }: MessageItem): CachedItem => ({ ...item, content: encodeContent(content) });

function fromCached(value: unknown): MessageItem | undefined {
  const item = value as CachedItem | undefined;
  if (!item || typeof item.id !== 'string' || typeof item.objectName !== 'string' || !(item.content instanceof Uint8Array)) return undefined;
  if (item.status !== 'sent' && item.status !== 'failed') return undefined;
  try {
    return { ...item, content: decodeContent(item.objectName, item.content) };
  } catch {
    return undefined;
  }
}

/**
 * The widget's offline cache: conversations, the last messages of each, drafts and names in
 * the user's store, so that the next page load shows them before the server answers. Writes
 * follow the store a moment later, touching only what changed. Messages still sending are not
 * cached here: the client's outbox holds them (and is the one place they are sent from).
 */
export class SessionCache {
  private readonly perConversation: number;
  private readonly conversationLimit: number;
  private written: {
    byKey?: ChatState['conversations']['byKey'];
    users?: ChatState['users'];
    groups?: ChatState['groups'];
    drafts?: ChatState['drafts'];
    deleted?: ChatState['deleted'];
    windows: Map<string, readonly MessageItem[]>;
  } = { windows: new Map() };
  private timer: ReturnType<typeof setTimeout> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private latest: ChatState | undefined;
  private swept = false;

  constructor(private readonly storage: KeyValueStore, options: SessionCacheOptions = {}) {
    this.perConversation = Math.max(1, options.messagesPerConversation ?? 50);
    this.conversationLimit = Math.max(1, options.conversations ?? 50);
  }

  /** What an earlier page left; empty when there is nothing, or nothing readable. */
  async load(): Promise<CacheSnapshot> {
    const snapshot: CacheSnapshot = { conversations: [], windows: {}, drafts: {}, users: {}, groups: {}, deleted: {} };
    try {
      if ((await this.storage.get(VERSION_KEY)) !== VERSION) return snapshot;
      const [list, names, drafts, deleted] = await Promise.all([
        this.storage.get<CachedEntry[]>(LIST_KEY), this.storage.get<Pick<CacheSnapshot, 'users' | 'groups'>>(NAMES_KEY),
        this.storage.get<Record<string, string>>(DRAFTS_KEY), this.storage.get<Record<string, true>>(DELETED_KEY),
      ]);
      if (deleted && typeof deleted === 'object') snapshot.deleted = deleted;
      for (const entry of Array.isArray(list) ? list : []) {
        if (!entry || typeof entry.key !== 'string') continue;
        const latestMessage = entry.latestMessage && fromCached(entry.latestMessage);
        snapshot.conversations.push({ ...entry, ...(latestMessage ? { latestMessage } : { latestMessage: undefined }) });
      }
      if (names?.users && typeof names.users === 'object') snapshot.users = names.users;
      if (names?.groups && typeof names.groups === 'object') snapshot.groups = names.groups;
      if (drafts && typeof drafts === 'object') snapshot.drafts = drafts;
      // Only the conversations that have messages cached (the most recent ones), not a read per entry.
      const cached = new Set(await this.storage.keys(WINDOW_PREFIX));
      await Promise.all(snapshot.conversations.filter(({ key }) => cached.has(WINDOW_PREFIX + key)).map(async ({ key }) => {
        const items = await this.storage.get<unknown[]>(WINDOW_PREFIX + key);
        if (!Array.isArray(items)) return;
        const restored = items.map(fromCached).filter((item): item is MessageItem => item !== undefined);
        if (restored.length) snapshot.windows[key] = restored;
      }));
    } catch {
      // An unreadable cache is an empty one: the server has everything.
    }
    return snapshot;
  }

  /**
   * Follows the store from its current state on, which is taken as written (it is what was
   * just restored); returns the function that stops following, after a last write.
   */
  watch(store: Store<ChatState>): () => Promise<void> {
    const state = store.getState();
    this.written = {
      byKey: state.conversations.byKey, users: state.users, groups: state.groups, drafts: state.drafts, deleted: state.deleted,
      windows: new Map(Object.entries(state.windows).map(([key, window]) => [key, window.items])),
    };
    const unsubscribe = store.subscribe(() => this.schedule(store.getState()));
    // A page being hidden may be closed next: what waits for the timer is written now.
    const scope = globalThis as { addEventListener?: EventTarget['addEventListener']; removeEventListener?: EventTarget['removeEventListener'] };
    const onHide = () => void this.flush();
    scope.addEventListener?.('pagehide', onHide);
    scope.addEventListener?.('visibilitychange', onHide);
    return async () => {
      unsubscribe();
      scope.removeEventListener?.('pagehide', onHide);
      scope.removeEventListener?.('visibilitychange', onHide);
      await this.flush();
    };
  }

  /** Writes what changed since the last write, now. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const state = this.latest;
    this.latest = undefined;
    if (state) this.queue = this.queue.then(() => this.write(state)).catch(() => undefined);
    return this.queue.then(() => undefined);
  }

  /** Forgets everything cached (the client's outbox and cursor stay). */
  async clear(): Promise<void> {
    clearTimeout(this.timer);
    this.latest = undefined;
    await this.queue;
    const keys = await this.storage.keys('cache:');
    await Promise.all(keys.map((key) => this.storage.delete(key)));
    this.written = { windows: new Map() };
  }

  private schedule(state: ChatState): void {
    this.latest = state;
    this.timer ??= setTimeout(() => void this.flush(), WRITE_DELAY_MS);
  }

  private async write(state: ChatState): Promise<void> {
    const writes: Array<Promise<void>> = [];
    const { byKey } = state.conversations;
    if (byKey !== this.written.byKey) {
      this.written.byKey = byKey;
      const entries = state.conversations.keys.map((key) => byKey[key]!).map(({ latestMessage, ...entry }): CachedEntry =>
        (latestMessage && latestMessage.status !== 'sending' ? { ...entry, latestMessage: toCached(latestMessage) } : entry));
      writes.push(this.storage.set(VERSION_KEY, VERSION), this.storage.set(LIST_KEY, entries));
    }
    if (state.users !== this.written.users || state.groups !== this.written.groups) {
      this.written.users = state.users;
      this.written.groups = state.groups;
      writes.push(this.storage.set(NAMES_KEY, { users: state.users, groups: state.groups }));
    }
    if (state.deleted !== this.written.deleted) {
      this.written.deleted = state.deleted;
      writes.push(this.storage.set(DELETED_KEY, state.deleted));
    }
    if (state.drafts !== this.written.drafts) {
      this.written.drafts = state.drafts;
      writes.push(this.storage.set(DRAFTS_KEY, state.drafts));
    }
    const kept = new Set(state.conversations.keys.slice(0, this.conversationLimit));
    for (const key of kept) {
      const items = state.windows[key]?.items;
      if (!items || items === this.written.windows.get(key)) continue;
      this.written.windows.set(key, items);
      const cached = items.filter((item) => item.status !== 'sending').slice(-this.perConversation).map(toCached);
      writes.push(this.storage.set(WINDOW_PREFIX + key, cached));
    }
    // Evicted: conversations past the limit, and what earlier pages cached of removed ones.
    const cachedKeys = this.swept ? [...this.written.windows.keys()] : await this.storage.keys(WINDOW_PREFIX).then((keys) => keys.map((key) => key.slice(WINDOW_PREFIX.length)));
    this.swept = true;
    for (const key of cachedKeys) {
      if (kept.has(key)) continue;
      this.written.windows.delete(key);
      writes.push(this.storage.delete(WINDOW_PREFIX + key));
    }
    await Promise.all(writes);
  }
}
