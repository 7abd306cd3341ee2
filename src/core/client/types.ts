import type { MessageContent } from '../messages/registry.js';
import type { SearchedMessage } from '../protocol/conversation-records.js';

export interface Conversation {
  conversationType: number;
  targetId: string;
}

/** The seed's MessageDirection. */
export const MessageDirection = { SEND: 1, RECEIVE: 2 } as const;
export type MessageDirection = (typeof MessageDirection)[keyof typeof MessageDirection];

export interface IMMessage<C extends MessageContent = MessageContent> extends Conversation {
  senderUserId: string;
  objectName: string;
  content: C;
  messageUid: string;
  clientMsgId: string;
  /** Position in the conversation: gap-free, the display order. */
  seq: number;
  /** Server time of the commit, ms. */
  sentTime: number;
  messageDirection: MessageDirection;
  /** The user's sync cursor at this message. */
  cursor: number;
  /**
   * false for a message of a type that is not stored (CommandMessage, a custom type registered
   * with isPersited false): delivered live only, with seq and cursor 0.
   */
  persisted?: boolean;
}

export interface ConversationInfo extends Conversation {
  unreadCount: number;
  latestMessage: IMMessage | undefined;
  /** Seq of the last message read, on any of the user's devices. */
  readSeq: number;
  updatedTime: number;
  /** Paging key for getConversationList({ before }). */
  latestCursor: number;
  /** Private chats: the other participant read up to this seq (0 elsewhere). */
  peerReadSeq?: number;
  /** Private chats: the other participant's devices received up to this seq (0 elsewhere). */
  peerDeliveredSeq?: number;
  /** Pinned by this user (setConversationToTop), on every device. */
  isTop?: boolean;
  /** The seed's notificationStatus: 0 do not disturb, 1 notify (setConversationNotificationStatus). */
  notificationStatus?: number;
  /** This user deleted the history up to this seq (clearRemoteHistoryMessages); 0 when not. */
  clearedSeq?: number;
}

/**
 * A change to one conversation: made on another device or tab of the same user (`readSeq`,
 * `removed`), or a receipt about someone else. A receipt carries `peerReadSeq` /
 * `peerDeliveredSeq` (the other side of a private chat) or `memberReadUserId` + `memberReadSeq`
 * (a group member read) and says nothing of this user's own read position: its readSeq is 0.
 */
export interface ConversationChange extends Conversation {
  readSeq: number;
  removed: boolean;
  peerReadSeq?: number;
  peerDeliveredSeq?: number;
  memberReadUserId?: string;
  memberReadSeq?: number;
  /** A group member's device received the conversation up to memberDeliveredSeq. */
  memberDeliveredUserId?: string;
  memberDeliveredSeq?: number;
  /** Pin or do not disturb set on another device: the conversation's settings now. */
  isTop?: boolean;
  notificationStatus?: number;
  /** Messages deleted for this user on another device (deleteRemoteMessages). */
  deletedMessageUids?: string[];
  /** The history up to this seq was deleted for this user on another device (clearRemoteHistoryMessages). */
  clearedSeq?: number;
}

/** Someone else is typing in a conversation (a `RC:TypSts` received). */
export interface TypingEvent extends Conversation {
  userId: string;
  /** The objectName of what is being typed. */
  typingContentType: string;
}

/** Who of a group's members that received a message has read it (the sender is not listed). */
export interface MessageReaders {
  readUserIds: string[];
  unreadUserIds: string[];
  /** Of `unreadUserIds`, the members whose device has the message. */
  deliveredUserIds: string[];
}

/**
 * A message as the wire decodes it, before IMClient makes an IMMessage of it: what JSON answers
 * (search, chatrooms) are turned into. The JSON record with its content as bytes; spelled from
 * that record rather than the generated codec, whose typings are not published.
 */
export type DecodedMessage = Omit<SearchedMessage, 'content'> & { content: Uint8Array; persisted: boolean };
