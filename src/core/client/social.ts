import { ConnectionStatus } from '../protocol/codes.js';
import {
  BLACKLIST_OBJECT_NAME, MAX_STATUS_SUBSCRIPTIONS, SOCIAL_SENDER, USER_STATUS_OBJECT_NAME, type BlacklistChange, type BlacklistEntry, type ChosenUserStatus,
  type UserStatus,
} from '../protocol/social-records.js';

export type { BlacklistChange, BlacklistEntry, ChosenUserStatus, UserStatus } from '../protocol/social-records.js';
export { MAX_BLACKLIST, MAX_STATUS_SUBSCRIPTIONS, MAX_STATUS_TEXT } from '../protocol/social-records.js';

/**
 * Online status and the blacklist as the client sees them (`user.*` queries; README, "Online
 * status and the blacklist"). The server's live signals come as messages from `user:server`,
 * turned into the `userStatus` and `blacklist` events here.
 */

/** The calls of `IMClient` for online status and the blacklist: a `TabSharedClient` forwards each to the leading tab. */
export const SOCIAL_METHODS = [
  'getUserStatus', 'setUserStatus', 'subscribeUserStatus', 'unsubscribeUserStatus',
  'addToBlacklist', 'removeFromBlacklist', 'getBlacklist', 'getBlacklistStatus',
] as const;

export type SocialMethod = (typeof SOCIAL_METHODS)[number];

export interface UserStatusAnswer {
  /** The statuses the caller may see. */
  statuses: UserStatus[];
  /** The ids the caller may not see (no shared conversation or group). */
  denied: string[];
}

export interface BlacklistPage {
  users: BlacklistEntry[];
  /** More after these: ask again with `after` the last one's userId. */
  hasMore: boolean;
}

export type SocialEvent = { kind: 'userStatus'; event: UserStatus } | { kind: 'blacklist'; event: BlacklistChange };

interface WireMessageFields {
  senderUserId?: string | null;
  objectName?: string | null;
  content?: Uint8Array | null;
}

/** Whether a live message is one of these signals (emitted as its event, never as a message). */
export const isSocialSignal = (wire: WireMessageFields): boolean => wire.senderUserId === SOCIAL_SENDER;

/** The event a signal carries, if it is well-formed. */
export function socialEventOf(wire: WireMessageFields): SocialEvent | undefined {
  if (wire.senderUserId !== SOCIAL_SENDER || !wire.content) return undefined;
  let content: Record<string, unknown>;
  try {
    content = JSON.parse(new TextDecoder().decode(wire.content));
  } catch {
    return undefined;
  }
  if (typeof content?.userId !== 'string') return undefined;
  if (wire.objectName === BLACKLIST_OBJECT_NAME) return { kind: 'blacklist', event: { userId: content.userId, blocked: content.blocked === true } };
  if (wire.objectName === USER_STATUS_OBJECT_NAME) return { kind: 'userStatus', event: content as unknown as UserStatus };
  return undefined;
}

interface SocialHost {
  onStatus(listener: (status: ConnectionStatus) => void): void;
  emit(event: SocialEvent): void;
}

/**
 * The client's half: the JSON queries, and the subscriptions to bring back after a reconnect
 * (the server keeps them per connection).
 */
export class SocialCalls {
  private readonly subscribed = new Set<string>();

  constructor(private readonly host: SocialHost, private readonly ask: <T>(topic: string, request: Record<string, unknown>) => Promise<T>) {
    host.onStatus((status) => {
      if (status === ConnectionStatus.CONNECTED && this.subscribed.size) {
        // A new connection has no subscriptions: subscribe again, and tell what changed meanwhile.
        this.ask<UserStatusAnswer>('user.status.subscribe', { userIds: [...this.subscribed].slice(-MAX_STATUS_SUBSCRIPTIONS) })
          .then((answer) => answer.statuses.forEach((event) => this.host.emit({ kind: 'userStatus', event })), () => undefined);
      }
    });
  }

  /** Emits the event a live signal carries. */
  receive(wire: WireMessageFields): void {
    const found = socialEventOf(wire);
    if (found) this.host.emit(found);
  }

  getUserStatus(userIds: string | string[]): Promise<UserStatusAnswer> {
    return this.ask('user.status.get', { userIds: typeof userIds === 'string' ? [userIds] : userIds });
  }

  setUserStatus(status: ChosenUserStatus, text = ''): Promise<UserStatus> {
    return this.ask('user.status.set', { status, text });
  }

  async subscribeUserStatus(userIds: string[]): Promise<UserStatusAnswer> {
    const answer = await this.ask<UserStatusAnswer>('user.status.subscribe', { userIds });
    for (const status of answer.statuses) {
      // Latest last: a reconnect subscribes again to the latest 200.
      this.subscribed.delete(status.userId);
      this.subscribed.add(status.userId);
    }
    return answer;
  }

  async unsubscribeUserStatus(userIds?: string[]): Promise<void> {
    for (const id of userIds ?? [...this.subscribed]) this.subscribed.delete(id);
    await this.ask('user.status.unsubscribe', userIds ? { userIds } : {});
  }

  async addToBlacklist(userId: string): Promise<void> {
    await this.ask('user.blacklist.add', { userId });
    this.host.emit({ kind: 'blacklist', event: { userId, blocked: true } });
  }

  async removeFromBlacklist(userId: string): Promise<void> {
    await this.ask('user.blacklist.remove', { userId });
    this.host.emit({ kind: 'blacklist', event: { userId, blocked: false } });
  }

  getBlacklist(options: { after?: string; count?: number } = {}): Promise<BlacklistPage> {
    return this.ask('user.blacklist.list', options);
  }

  async getBlacklistStatus(userId: string): Promise<boolean> {
    return (await this.ask<{ blocked: boolean }>('user.blacklist.status', { userId })).blocked;
  }
}
