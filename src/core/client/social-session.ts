import { ConnectionStatus, ErrorCode } from '../protocol/codes.js';
import type { IMError } from './errors.js';
import type { Store } from '../store/store.js';
import type { ChatState, PresenceInfo } from '../store/chat-state.js';
import type { ChatClient } from './chat-client.js';
import type { UserStatus } from './social.js';

/**
 * Online status and the blacklist for the elements: which users they show (watched, counted per
 * caller, subscribed once and again after every connect), and whom this user blocked, in the store
 * (`state.presence`, `state.blocked`). Clients without these calls leave both empty.
 */
export class SocialSession {
  private readonly watched = new Map<string, number>();
  private readonly stop: Array<() => void> = [];
  private readonly asking = new Set<string>();

  constructor(private readonly client: ChatClient, private readonly store: Store<ChatState>) {
    this.stop.push(
      client.on('userStatus', (status) => this.note([status])),
      client.on('blacklist', ({ userId, blocked }) => this.noteBlocked(userId, blocked)),
      client.on('status', (status) => {
        if (status === ConnectionStatus.CONNECTED && this.watched.size) this.subscribe([...this.watched.keys()]);
      }),
    );
  }

  /** Shows `userIds`' presence in the store while watched; returns the function that stops watching. */
  watch(userIds: readonly string[]): () => void {
    const fresh = userIds.filter((id) => {
      const count = this.watched.get(id) ?? 0;
      this.watched.set(id, count + 1);
      return count === 0;
    });
    if (fresh.length && this.client.status === ConnectionStatus.CONNECTED) this.subscribe(fresh);
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      const gone = userIds.filter((id) => {
        const count = (this.watched.get(id) ?? 1) - 1;
        if (count > 0) this.watched.set(id, count);
        else this.watched.delete(id);
        return count <= 0;
      });
      // A shared connection's subscriptions serve every tab, which this one cannot count: they stay
      // until the connection ends (or the cap clears them, below).
      if (gone.length && !this.client.share && this.client.status === ConnectionStatus.CONNECTED) {
        void this.client.unsubscribeUserStatus?.(gone).catch(() => undefined);
      }
    };
  }

  /** Asks whether this user blocked `userId` (once per session; the `blacklist` event keeps it current). */
  async loadBlocked(userId: string): Promise<void> {
    if (this.store.getState().blocked?.[userId] !== undefined || !this.client.getBlacklistStatus || this.asking.has(userId)) return;
    this.asking.add(userId);
    try {
      const blocked = await this.client.getBlacklistStatus(userId);
      if (this.store.getState().blocked?.[userId] === undefined) this.noteBlocked(userId, blocked);
    } finally {
      this.asking.delete(userId);
    }
  }

  /** Blocks or unblocks `userId` (rejects with the seed's code). */
  async setBlocked(userId: string, blocked: boolean): Promise<void> {
    if (blocked) await this.client.addToBlacklist?.(userId);
    else await this.client.removeFromBlacklist?.(userId);
    this.noteBlocked(userId, blocked);
  }

  dispose(): void {
    for (const stop of this.stop.splice(0)) stop();
  }

  private subscribe(userIds: string[], again = true): void {
    // At most 200 per connection on the server: the first 200 watched.
    for (let i = 0; i < Math.min(userIds.length, 200); i += 100) {
      void this.client.subscribeUserStatus?.(userIds.slice(i, Math.min(i + 100, 200))).then((answer) => this.note(answer.statuses), (error) => {
        // Full (a shared connection keeps other tabs' and earlier subscriptions): start over with the users shown here.
        if (again && (error as IMError)?.code === ErrorCode.PARAMETER_ERROR && this.client.unsubscribeUserStatus) {
          void this.client.unsubscribeUserStatus().then(() => this.subscribe([...this.watched.keys()], false), () => undefined);
        }
      });
    }
  }

  private note(statuses: readonly UserStatus[]): void {
    this.store.update((state) => {
      const presence: Record<string, PresenceInfo> = { ...state.presence };
      for (const { userId, online, status, text } of statuses) presence[userId] = { online, status, text };
      return { ...state, presence };
    });
  }

  private noteBlocked(userId: string, blocked: boolean): void {
    this.store.update((state) => (state.blocked?.[userId] === blocked ? state : { ...state, blocked: { ...state.blocked, [userId]: blocked } }));
  }
}
