import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../core/protocol/codes.js';
import {
  BLACKLIST_OBJECT_NAME, MAX_BLACKLIST, MAX_STATUS_QUERY, MAX_STATUS_SUBSCRIPTIONS, MAX_STATUS_TEXT, SOCIAL_SENDER, USER_STATUS_OBJECT_NAME,
  USER_STATUS_VALUES, type BlacklistEntry, type ChosenUserStatus, type UserStatus,
} from '../core/protocol/social-records.js';
import type { FanoutBus } from './bus.js';
import { type ChatStore, type PageBudget, type StoredMessage } from './storage/chat-store.js';
import { ServiceError } from './service-error.js';
import { isValidId, newMessageUid } from './ids.js';
import type { ErrorLogger } from './error-log.js';

/** A page of the blacklist fits in one answer with room to spare (ids are ASCII, at most 64). */
const BLACKLIST_PAGE: PageBudget<BlacklistEntry> = { maxBytes: 48 * 1024, sizeOf: (entry) => 40 + entry.userId.length };
const DEFAULT_BLACKLIST_PAGE = 100;
const MAX_BLACKLIST_PAGE = 200;

/** Where the gateway's sessions are: who is connected on this node, on which platforms. */
export interface PresenceSource {
  platformsOf(userId: string): string[];
}

/**
 * Online status and the blacklist (`user.*` JSON query topics).
 *
 * Presence is per server node: the gateway tells this service when a user's first session
 * connects and their last one ends, and subscriptions live with the session that made them.
 * A cluster would carry these changes on the bus as well; one node needs nothing more.
 *
 * Who may see whose status: the user themself, and users who share a private conversation (a
 * message passed between them: a pin alone does not do) or a group with them. A user who blacklisted the asker reads as offline to them. Nothing but
 * online, the chosen status, its text and the platforms is ever told.
 */
export class SocialService {
  /** Per session: its user and the users it subscribed to. */
  private readonly subscriptions = new Map<string, { userId: string; targets: Set<string> }>();
  /** Per watched user: the sessions subscribed to them. */
  private readonly watchers = new Map<string, Set<string>>();
  private presence: PresenceSource = { platformsOf: () => [] };

  constructor(private readonly store: ChatStore, private readonly bus: FanoutBus, private readonly logError: ErrorLogger) {}

  usePresence(presence: PresenceSource): void {
    this.presence = presence;
  }

  /** The gateway registered or unregistered a session: tells the watchers when the user's status changed. */
  sessionsChanged(userId: string, before: readonly string[]): void {
    const after = this.presence.platformsOf(userId);
    if (before.length === after.length && before.every((platform, i) => platform === after[i])) return;
    this.publishStatus(userId).catch((error) => this.logError('social', error));
  }

  /** A session ended: its subscriptions end with it. */
  sessionClosed(sessionId: string): void {
    this.unsubscribe(sessionId, undefined);
  }

  /** Refuses a private send from `senderId` to a user who blacklisted them (REJECTED_BY_BLACKLIST 405). */
  async checkPrivateSend(senderId: string, recipientId: string): Promise<void> {
    if (senderId !== recipientId && await this.store.isBlocked(recipientId, senderId)) {
      throw new ServiceError(ErrorCode.REJECTED_BY_BLACKLIST, 'the recipient has blacklisted the sender');
    }
  }

  async query(userId: string, sessionId: string, topic: string, request: Record<string, unknown>): Promise<unknown> {
    switch (topic) {
      case 'user.status.get':
        return this.statusesFor(userId, requestedIds(request.userIds));
      case 'user.status.set': {
        const status = request.status;
        if (typeof status !== 'string' || !(USER_STATUS_VALUES as readonly string[]).includes(status)) {
          throw new ServiceError(ErrorCode.PARAMETER_ERROR, `status must be one of ${USER_STATUS_VALUES.join(', ')}`);
        }
        const text = request.text ?? '';
        if (typeof text !== 'string' || text.length > MAX_STATUS_TEXT || /[\u0000-\u001f\u007f]/.test(text)) {
          throw new ServiceError(ErrorCode.PARAMETER_ERROR, `text must be a single line of at most ${MAX_STATUS_TEXT} characters`);
        }
        await this.store.setUserStatus(userId, { status: status as ChosenUserStatus, text: text.trim() });
        return this.publishStatus(userId);
      }
      case 'user.status.subscribe':
        return this.subscribe(userId, sessionId, requestedIds(request.userIds));
      case 'user.status.unsubscribe':
        this.unsubscribe(sessionId, request.userIds === undefined ? undefined : requestedIds(request.userIds));
        return {};
      case 'user.blacklist.add': {
        const other = requestedUser(request.userId);
        if (other === userId) throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'a user cannot blacklist themself');
        const result = await this.store.blockUser(userId, other, Date.now(), MAX_BLACKLIST);
        if (result === 'full') throw new ServiceError(ErrorCode.PARAMETER_ERROR, `a blacklist holds at most ${MAX_BLACKLIST} users`);
        if (result === 'added') this.blacklistChanged(userId, sessionId, other, true);
        return { userId: other, blocked: true };
      }
      case 'user.blacklist.remove': {
        const other = requestedUser(request.userId);
        if (await this.store.unblockUser(userId, other)) this.blacklistChanged(userId, sessionId, other, false);
        return { userId: other, blocked: false };
      }
      case 'user.blacklist.status': {
        const other = requestedUser(request.userId);
        return { userId: other, blocked: await this.store.isBlocked(userId, other) };
      }
      case 'user.blacklist.list': {
        const after = request.after ?? '';
        if (after !== '' && !isValidId(after)) throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'after is invalid');
        const count = request.count ?? DEFAULT_BLACKLIST_PAGE;
        if (!Number.isSafeInteger(count) || (count as number) < 1) throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'count is invalid');
        const page = await this.store.blockedUsers(userId, {
          after: after as string, limit: Math.min(count as number, MAX_BLACKLIST_PAGE), budget: BLACKLIST_PAGE,
        });
        return { users: page.entries, hasMore: page.hasMore };
      }
      default:
        throw new ServiceError(ErrorCode.PARAMETER_ERROR, `unknown query topic ${JSON.stringify(topic.slice(0, 64))}`);
    }
  }

  /** The statuses `asker` may see of `userIds`; the others are `denied`. */
  private async statusesFor(asker: string, userIds: string[]): Promise<{ statuses: UserStatus[]; denied: string[] }> {
    const statuses: UserStatus[] = [];
    const denied: string[] = [];
    for (const id of userIds) {
      if (id !== asker && !(await this.store.sharesConversation(asker, id))) {
        denied.push(id);
        continue;
      }
      statuses.push(id !== asker && await this.store.isBlocked(id, asker) ? offline(id) : await this.statusOf(id));
    }
    return { statuses, denied };
  }

  private async statusOf(userId: string): Promise<UserStatus> {
    const platforms = this.presence.platformsOf(userId);
    if (platforms.length === 0) return offline(userId);
    const chosen = await this.store.userStatus(userId);
    return { userId, online: true, status: chosen?.status ?? 'online', text: chosen?.text ?? '', platforms };
  }

  private async subscribe(userId: string, sessionId: string, userIds: string[]) {
    const answer = await this.statusesFor(userId, userIds);
    let entry = this.subscriptions.get(sessionId);
    const adding = answer.statuses.filter((status) => !entry?.targets.has(status.userId));
    if ((entry?.targets.size ?? 0) + adding.length > MAX_STATUS_SUBSCRIPTIONS) {
      throw new ServiceError(ErrorCode.PARAMETER_ERROR, `a session subscribes to at most ${MAX_STATUS_SUBSCRIPTIONS} users; unsubscribe some first`);
    }
    if (!entry) this.subscriptions.set(sessionId, (entry = { userId, targets: new Set() }));
    for (const { userId: target } of adding) {
      entry.targets.add(target);
      let sessions = this.watchers.get(target);
      if (!sessions) this.watchers.set(target, (sessions = new Set()));
      sessions.add(sessionId);
    }
    return answer;
  }

  /** `userIds` undefined: all of the session's subscriptions. */
  private unsubscribe(sessionId: string, userIds: string[] | undefined): void {
    const entry = this.subscriptions.get(sessionId);
    if (!entry) return;
    for (const target of userIds ?? [...entry.targets]) {
      if (!entry.targets.delete(target)) continue;
      const sessions = this.watchers.get(target);
      sessions?.delete(sessionId);
      if (sessions?.size === 0) this.watchers.delete(target);
    }
    if (entry.targets.size === 0) this.subscriptions.delete(sessionId);
  }

  /** Tells the users whose sessions watch `userId` its status now (as each may see it); returns it. */
  private async publishStatus(userId: string): Promise<UserStatus> {
    const status = await this.statusOf(userId);
    const watchers = new Set<string>();
    for (const sessionId of this.watchers.get(userId) ?? []) {
      const watcher = this.subscriptions.get(sessionId)?.userId;
      if (watcher !== undefined) watchers.add(watcher);
    }
    const hiddenFrom: string[] = [];
    const shownTo: string[] = [];
    for (const watcher of watchers) {
      (watcher !== userId && await this.store.isBlocked(userId, watcher) ? hiddenFrom : shownTo).push(watcher);
    }
    if (shownTo.length) this.live(shownTo, USER_STATUS_OBJECT_NAME, status, '');
    if (hiddenFrom.length) this.live(hiddenFrom, USER_STATUS_OBJECT_NAME, offline(userId), '');
    return status;
  }

  /** The blacklisting user's other sessions learn of it (the calling one has the answer). */
  private blacklistChanged(userId: string, sessionId: string, other: string, blocked: boolean): void {
    this.live([userId], BLACKLIST_OBJECT_NAME, { userId: other, blocked }, sessionId);
    // The blocked user's view of the owner changes too: a watcher sees them offline from now on.
    const watchesOwner = [...this.watchers.get(userId) ?? []].some((id) => this.subscriptions.get(id)?.userId === other);
    if (watchesOwner) {
      this.statusOf(userId).then((status) => this.live([other], USER_STATUS_OBJECT_NAME, blocked ? offline(userId) : status, ''))
        .catch((error) => this.logError('social', error));
    }
  }

  /** A push that is not stored: no seq, no sync brings it later. */
  private live(recipients: string[], objectName: string, content: unknown, fromSessionId: string): void {
    const message: StoredMessage = {
      id: 0, conversationKey: `0:${SOCIAL_SENDER}`, conversationType: 0, senderUserId: SOCIAL_SENDER, clientMsgId: `user.${randomUUID()}`,
      messageUid: newMessageUid(), objectName, content: new TextEncoder().encode(JSON.stringify(content)), sentTime: Date.now(), seq: 0, counted: false,
    };
    this.bus.publish({ kind: 'message', recipients, message, fromSessionId, persisted: false });
  }
}

const offline = (userId: string): UserStatus => ({ userId, online: false, status: 'offline', text: '', platforms: [] });

function requestedUser(value: unknown): string {
  if (!isValidId(value)) throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'userId is invalid');
  return value;
}

function requestedIds(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_STATUS_QUERY) {
    throw new ServiceError(ErrorCode.PARAMETER_ERROR, `userIds must list 1 to ${MAX_STATUS_QUERY} user ids`);
  }
  if (!value.every(isValidId)) throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'userIds holds an invalid id');
  return [...new Set(value as string[])];
}
