import { ErrorCode, NotificationStatus } from '../core/protocol/codes.js';
import { MAX_QUERY_BODY_BYTES } from '../core/protocol/frames.js';
import type { ConversationSearchHit, SearchedMessage } from '../core/protocol/conversation-records.js';
import type { FanoutBus } from './bus.js';
import { ServiceError } from './service-error.js';
import { takePage, type ChatStore, type PageBudget, type StoredMessage } from './storage/chat-store.js';
import { targetIdFor } from './ids.js';

/** What the chat service lends: its read check, and the removal of one conversation from the list. */
export interface ConversationHooks {
  /** Checks that the user may read the conversation; its key. */
  authorizeRead(userId: string, conversationType: number, targetId: string): Promise<string>;
  /** The `remove` query: hides the conversation on every device of the user and reads it. */
  remove(userId: string, sessionId: string, conversationType: number, targetId: string): Promise<void>;
}

const MAX_KEYWORD = 256;
const MAX_DELETE = 100;
const MAX_SEARCH_PAGE = 100;
const MAX_SEARCH_CONVERSATIONS = 100;
const PAGE_BYTES = MAX_QUERY_BODY_BYTES - 256;
/** A message as JSON: its content as a string (each unit at most 6 bytes escaped) and its ids. */
const messageJsonBound = (message: StoredMessage): number => 200 + 6 * message.content.byteLength
  + 3 * (message.messageUid.length + message.clientMsgId.length + message.conversationKey.length + message.senderUserId.length + message.objectName.length);
const MESSAGE_BUDGET: PageBudget<StoredMessage> = { maxBytes: PAGE_BYTES, sizeOf: messageJsonBound };
const utf8 = new TextDecoder();

/** A message as it goes out in a JSON answer, seen by `viewerId`. */
export function toJsonMessage(message: StoredMessage, viewerId: string): SearchedMessage {
  return {
    messageUid: message.messageUid, clientMsgId: message.clientMsgId, conversationType: message.conversationType,
    targetId: targetIdFor(message.conversationKey, viewerId), senderUserId: message.senderUserId, objectName: message.objectName,
    content: utf8.decode(message.content), sentTime: message.sentTime, seq: message.seq, cursor: message.id, counted: message.counted,
  };
}

/**
 * The user's own handling of their conversations (JSON topics `conv.*`, `search.*`): pin and
 * do-not-disturb kept per user on the server, one-sided deletes (the others keep their copies),
 * the total unread count, and search by content. Every change reaches the user's devices as a
 * conversation change, as a removal does (the calling session's too).
 */
export class ConversationService {
  constructor(private readonly store: ChatStore, private readonly bus: FanoutBus, private readonly hooks: ConversationHooks) {}

  async query(userId: string, sessionId: string, topic: string, request: Record<string, unknown>): Promise<unknown> {
    switch (topic) {
      case 'conv.top':
        return this.setSettings(userId, sessionId, request, { isTop: flag(request, 'isTop') });
      case 'conv.notify': {
        const status = request.status;
        if (status !== NotificationStatus.DO_NOT_DISTURB && status !== NotificationStatus.NOTIFY) {
          throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'status must be 0 (do not disturb) or 1 (notify)');
        }
        return this.setSettings(userId, sessionId, request, { muted: status === NotificationStatus.DO_NOT_DISTURB });
      }
      case 'conv.settings': {
        const { key } = await this.conversation(userId, request);
        return this.store.conversationSettings(userId, key);
      }
      case 'conv.deleteMessages':
        return this.deleteMessages(userId, sessionId, request);
      case 'conv.clearHistory':
        return this.clearHistory(userId, sessionId, request);
      case 'conv.clear': {
        const types = conversationTypes(request);
        const keys = await this.store.conversationKeys(userId, types);
        let removed = 0;
        for (const key of keys) {
          const conversationType = Number(key.slice(0, key.indexOf(':')));
          try {
            // Every session of the user hears it, the caller's too: it names no conversation itself.
            await this.hooks.remove(userId, '', conversationType, targetIdFor(key, userId));
            removed++;
          } catch (error) {
            // A group the user left, a service session no longer theirs: not theirs to clear.
            if (!(error instanceof ServiceError)) throw error;
          }
        }
        return { removed };
      }
      case 'conv.unread':
        return { count: await this.store.totalUnread(userId, { excludeMuted: request.excludeMuted === true }) };
      case 'search.conversations':
        return this.searchConversations(userId, request);
      case 'search.messages':
        return this.searchMessages(userId, request);
      default:
        throw new ServiceError(ErrorCode.PARAMETER_ERROR, `unknown query topic ${JSON.stringify(topic.slice(0, 64))}`);
    }
  }

  private async conversation(userId: string, request: Record<string, unknown>) {
    const { conversationType, targetId } = request;
    if (typeof conversationType !== 'number' || typeof targetId !== 'string') {
      throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'conversationType (a number) and targetId (a string) are required');
    }
    return { conversationType, targetId, key: await this.hooks.authorizeRead(userId, conversationType, targetId) };
  }

  private async setSettings(userId: string, sessionId: string, request: Record<string, unknown>, change: { isTop?: boolean; muted?: boolean }) {
    const { conversationType, targetId, key } = await this.conversation(userId, request);
    const settings = await this.store.setConversationSettings(userId, key, conversationType, change);
    this.publish(userId, sessionId, { conversationType, targetId, settingsChanged: true, isTop: settings.isTop, muted: settings.muted });
    return settings;
  }

  private async deleteMessages(userId: string, sessionId: string, request: Record<string, unknown>) {
    const uids = request.messageUids;
    if (!Array.isArray(uids) || uids.length === 0 || uids.length > MAX_DELETE || !uids.every((uid) => typeof uid === 'string' && uid.length <= 64)) {
      throw new ServiceError(ErrorCode.PARAMETER_ERROR, `messageUids must be 1 to ${MAX_DELETE} message uids`);
    }
    const { conversationType, targetId, key } = await this.conversation(userId, request);
    const deleted = await this.store.deleteMessagesFor(userId, key, uids as string[]);
    if (deleted.length) this.publish(userId, sessionId, { conversationType, targetId, deletedMessageUids: deleted });
    return { deletedMessageUids: deleted };
  }

  private async clearHistory(userId: string, sessionId: string, request: Record<string, unknown>) {
    const timestamp = request.timestamp;
    if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || timestamp < 0) {
      throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'timestamp must be a time in ms, 0 or more');
    }
    const { conversationType, targetId, key } = await this.conversation(userId, request);
    const clearedSeq = await this.store.clearHistoryFor(userId, key, conversationType, timestamp);
    if (clearedSeq > 0) this.publish(userId, sessionId, { conversationType, targetId, clearedSeq });
    return { clearedSeq };
  }

  private async searchConversations(userId: string, request: Record<string, unknown>) {
    const keyword = keywordOf(request);
    const keys: string[] = [];
    for (const key of await this.store.conversationKeys(userId, conversationTypes(request))) {
      // Only conversations the user can read now (not a group they left).
      try {
        await this.hooks.authorizeRead(userId, Number(key.slice(0, key.indexOf(':'))), targetIdFor(key, userId));
        keys.push(key);
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
      }
    }
    const hits = await this.store.searchConversations({ viewerId: userId, conversationKeys: keys, text: keyword, limit: MAX_SEARCH_CONVERSATIONS });
    const page = takePage(hits, MAX_SEARCH_CONVERSATIONS, { maxBytes: PAGE_BYTES, sizeOf: (hit) => 80 + messageJsonBound(hit.latestMatch) });
    const conversations: ConversationSearchHit[] = page.items.map((hit) => ({
      conversationType: hit.conversationType, targetId: targetIdFor(hit.conversationKey, userId), matchCount: hit.matchCount,
      latestMatch: toJsonMessage(hit.latestMatch, userId),
    }));
    return { conversations };
  }

  private async searchMessages(userId: string, request: Record<string, unknown>) {
    const keyword = keywordOf(request);
    const { key } = await this.conversation(userId, request);
    const timestamp = typeof request.timestamp === 'number' && request.timestamp > 0 ? request.timestamp : undefined;
    // The last message of the previous page: messages of the same ms come after it, none twice.
    const cursor = typeof request.cursor === 'number' && request.cursor > 0 ? request.cursor : undefined;
    const count = typeof request.count === 'number' && request.count > 0 ? Math.min(Math.floor(request.count), MAX_SEARCH_PAGE) : 20;
    const page = await this.store.searchMessages({
      viewerId: userId, conversationKeys: [key], text: keyword, ...(timestamp ? { beforeTime: timestamp } : {}),
      ...(timestamp && cursor ? { beforeId: cursor } : {}), count, budget: MESSAGE_BUDGET,
    });
    return { messages: page.messages.map((message) => toJsonMessage(message, userId)), hasMore: page.hasMore };
  }

  /**
   * Tells every session of the user, the caller's included: tabs that share the caller's
   * connection learn it so, and applying a change twice changes nothing.
   */
  private publish(userId: string, _sessionId: string, update: Record<string, unknown> & { conversationType: number; targetId: string }): void {
    this.bus.publish({ kind: 'conversation', userId, fromSessionId: '', update: { ...update, time: Date.now() } });
  }
}

function flag(request: Record<string, unknown>, name: string): boolean {
  const value = request[name];
  if (typeof value !== 'boolean') throw new ServiceError(ErrorCode.PARAMETER_ERROR, `${name} must be true or false`);
  return value;
}

function keywordOf(request: Record<string, unknown>): string {
  const keyword = request.keyword;
  if (typeof keyword !== 'string' || keyword.trim() === '' || keyword.length > MAX_KEYWORD) {
    throw new ServiceError(ErrorCode.PARAMETER_ERROR, `keyword must be 1 to ${MAX_KEYWORD} characters`);
  }
  return keyword;
}

function conversationTypes(request: Record<string, unknown>): number[] | undefined {
  const types = request.conversationTypes;
  if (types === undefined || types === null) return undefined;
  if (!Array.isArray(types) || types.length > 16 || !types.every((type) => typeof type === 'number')) {
    throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'conversationTypes must be a list of conversation types');
  }
  return types as number[];
}
