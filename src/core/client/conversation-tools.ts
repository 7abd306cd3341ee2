import { ErrorCode, NotificationStatus } from '../protocol/codes.js';
import type { ConversationSearchHit, SearchedMessage } from '../protocol/conversation-records.js';
import { IMError } from './errors.js';
import type { Conversation, DecodedMessage, IMMessage } from './types.js';

export { NotificationStatus };

/** A JSON query of the client (`conv.*`, `search.*`). */
export type JsonQuery = <T>(topic: string, request: Record<string, unknown>) => Promise<T>;

/** The user's settings of a conversation, kept on the server and the same on every device. */
export interface ConversationSettings {
  isTop: boolean;
  /** Do not disturb. */
  muted: boolean;
}

/** A conversation with messages that matched searchConversationByContent. */
export interface ConversationSearchResult extends Conversation {
  /** How many of its messages match. */
  matchCount: number;
  /** The newest matching message. */
  latestMessage: IMMessage;
}

/** A message the caller names for deleteRemoteMessages: the seed's `messageUId`, or `messageUid`. */
export type MessageRef = { messageUid: string } | { messageUId: string };

const conversationOf = (conversation: Conversation) => {
  if (!conversation || typeof conversation.conversationType !== 'number' || typeof conversation.targetId !== 'string') {
    throw new IMError(ErrorCode.PARAMETER_ERROR, 'a conversation is { conversationType, targetId }');
  }
  return { conversationType: conversation.conversationType, targetId: conversation.targetId };
};

/** A JSON answer's message as the wire message IMClient reads. */
export const wireOf = (message: SearchedMessage): DecodedMessage => ({ ...message, content: new TextEncoder().encode(message.content), persisted: true });

/**
 * The calls behind IMClient's pin, do-not-disturb, one-sided delete, unread total and search
 * methods (docs: README, "Pin, do not disturb, deletes and search").
 */
export const conversationTools = (query: JsonQuery, toMessage: (wire: DecodedMessage) => IMMessage) => ({
  setConversationToTop: (conversation: Conversation, isTop: boolean) =>
    query<ConversationSettings>('conv.top', { ...conversationOf(conversation), isTop: isTop !== false }),

  setConversationNotificationStatus: (conversation: Conversation, status: NotificationStatus) =>
    query<ConversationSettings>('conv.notify', { ...conversationOf(conversation), status }),

  async getConversationNotificationStatus(conversation: Conversation): Promise<NotificationStatus> {
    const settings = await query<ConversationSettings>('conv.settings', conversationOf(conversation));
    return settings.muted ? NotificationStatus.DO_NOT_DISTURB : NotificationStatus.NOTIFY;
  },

  async deleteRemoteMessages(conversation: Conversation, messages: readonly MessageRef[]): Promise<string[]> {
    const messageUids = (messages ?? []).map((m) => ('messageUid' in m ? m.messageUid : m?.messageUId));
    return (await query<{ deletedMessageUids: string[] }>('conv.deleteMessages', { ...conversationOf(conversation), messageUids }))
      .deletedMessageUids;
  },

  async clearRemoteHistoryMessages(conversation: Conversation & { timestamp?: number }, timestamp = conversation?.timestamp): Promise<number> {
    return (await query<{ clearedSeq: number }>('conv.clearHistory', { ...conversationOf(conversation), timestamp })).clearedSeq;
  },

  async clearConversations(conversationTypes?: number[]): Promise<number> {
    return (await query<{ removed: number }>('conv.clear', conversationTypes?.length ? { conversationTypes } : {})).removed;
  },

  async getTotalUnreadCount(options: { excludeMuted?: boolean } = {}): Promise<number> {
    return (await query<{ count: number }>('conv.unread', { excludeMuted: options.excludeMuted === true })).count;
  },

  async searchConversationByContent(keyword: string, conversationTypes?: number[]): Promise<ConversationSearchResult[]> {
    const answer = await query<{ conversations: ConversationSearchHit[] }>('search.conversations',
      { keyword, ...(conversationTypes?.length ? { conversationTypes } : {}) });
    return answer.conversations.map((hit) => ({
      conversationType: hit.conversationType, targetId: hit.targetId, matchCount: hit.matchCount, latestMessage: toMessage(wireOf(hit.latestMatch)),
    }));
  },

  /**
   * Matching messages, newest first, sent before `timestamp` (0: the newest). To page on, pass the
   * last message of the previous page instead of its time: messages of the same ms are then
   * neither skipped nor repeated.
   */
  async searchMessageByContent(conversation: Conversation, keyword: string, timestamp: number | Pick<IMMessage, 'sentTime' | 'cursor'> = 0, count = 20):
    Promise<{ messages: IMMessage[]; hasMore: boolean }> {
    const from = typeof timestamp === 'number' ? { timestamp } : { timestamp: timestamp.sentTime, cursor: timestamp.cursor };
    const answer = await query<{ messages: SearchedMessage[]; hasMore: boolean }>('search.messages',
      { ...conversationOf(conversation), keyword, ...from, count });
    return { messages: answer.messages.map((message) => toMessage(wireOf(message))), hasMore: answer.hasMore };
  },
});

export type ConversationTools = ReturnType<typeof conversationTools>;

/**
 * The seed's conversation list (an array) with `hasMore`, not enumerable: the array still compares,
 * spreads and serializes as the plain list.
 */
export function listWithHasMore<T>(list: T[], hasMore: boolean): T[] & { hasMore: boolean } {
  return Object.defineProperty(list, 'hasMore', { value: hasMore, enumerable: false }) as T[] & { hasMore: boolean };
}

/** The methods of ConversationTools, which IMClient has and a TabSharedClient forwards. */
export const CONVERSATION_TOOL_METHODS = [
  'setConversationToTop', 'setConversationNotificationStatus', 'getConversationNotificationStatus', 'deleteRemoteMessages',
  'clearRemoteHistoryMessages', 'clearConversations', 'getTotalUnreadCount', 'searchConversationByContent', 'searchMessageByContent',
] as const satisfies ReadonlyArray<keyof ConversationTools>;
