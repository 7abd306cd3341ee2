import type { ServiceHours } from '../service-hours.js';
import type { BlacklistEntry, ChosenUserStatus } from '../../core/protocol/social-records.js';
import type { CustomerPreChatField, CustomerServiceTicket, CustomerSessionStatus } from '../../core/protocol/customer-service-records.js';

/**
 * What the server needs from storage. The frame handlers only see this interface, so another
 * engine (PostgreSQL) can replace the embedded SQLite one; test/server/storage-contract.ts is
 * the suite every implementation must pass.
 */

export interface StoredMessage {
  /** Global, increasing with commit order; the users' sync cursors point into it. */
  id: number;
  conversationKey: string;
  conversationType: number;
  senderUserId: string;
  clientMsgId: string;
  messageUid: string;
  objectName: string;
  content: Uint8Array;
  sentTime: number;
  /** Gap-free position in the conversation, from 1. */
  seq: number;
  counted: boolean;
}

export interface AppendInput {
  conversationKey: string;
  conversationType: number;
  senderUserId: string;
  clientMsgId: string;
  objectName: string;
  content: Uint8Array;
  counted: boolean;
  /** Users who receive the message (the sender included); resolved by the caller. */
  recipients: readonly string[];
  /**
   * false: the message reaches the recipients' sync streams but does not become the
   * conversations' latest message (a recall command must not replace the preview).
   */
  listed?: boolean;
}

export interface RecallInput {
  /** The stored message being recalled (its `id`). */
  messageId: number;
  /** Its objectName as read: the replacement happens only if it is still that. */
  expectedObjectName: string;
  /** What the message becomes: it keeps its id, uid, seq and time; it no longer counts as unread. */
  replacement: { objectName: string; content: Uint8Array };
  /** The recall command appended in the same commit. */
  command: AppendInput;
}

export interface AppendResult {
  message: StoredMessage;
  /** The (sender, clientMsgId) pair was stored before: `message` is that first one. */
  duplicate: boolean;
}

export interface ConversationState {
  conversationKey: string;
  conversationType: number;
  /** Seq of the last message the user has read. */
  readSeq: number;
  unreadCount: number;
  latestMessage: StoredMessage | undefined;
  /** Cursor of the latest message: the list's order and paging key. */
  latestCursor: number;
  /** Private chats: the other participant's read position. */
  peerReadSeq?: number;
  /** Private chats: what the other participant's devices received (never below peerReadSeq). */
  peerDeliveredSeq?: number;
  /** The user pinned it. */
  isTop?: boolean;
  /** The user set do-not-disturb. */
  muted?: boolean;
  /** The user deleted the history up to this seq (0: none). */
  clearedSeq?: number;
}

/** One user's settings of a conversation. */
export interface ConversationSettings {
  isTop: boolean;
  muted: boolean;
}

/** A conversation with messages that matched a search. */
export interface SearchConversationHit {
  conversationKey: string;
  conversationType: number;
  matchCount: number;
  /** The newest matching message. */
  latestMatch: StoredMessage;
}

/**
 * A text search, for a reader the caller has authorized: the conversations' messages whose
 * visible text (a text's content, a file's name, a card's title, …) contains `text`, any case,
 * any script (CJK of one character included); never a message recalled, or deleted by `viewerId`.
 */
export interface SearchQuery {
  viewerId: string;
  conversationKeys: readonly string[];
  text: string;
}

/** One user's own positions in a conversation. */
export interface ReceiptPositions {
  readSeq: number;
  /** Highest seq of the others' messages a device of the user received (0 = none told yet). */
  deliveredSeq: number;
}

export interface UserRecord {
  userId: string;
  name: string;
  portraitUri: string;
}

/** A customer-service skill group (not a chat group): who serves its visitors, and how. */
export interface ServiceGroupRecord {
  groupId: string;
  name: string;
  /** 'robot': the server's robot answers first; 'human': straight to the queue. */
  mode: 'robot' | 'human';
  welcome: string;
  /** The robot's answers: the first entry with a keyword the visitor's text contains. */
  faq: Array<{ keywords: string[]; answer: string }>;
  /** Sessions one agent of this group takes at most by automatic assignment. */
  maxPerAgent: number;
  /** Absent: always open. */
  hours?: ServiceHours;
  /** The form a visitor fills in before a session starts. */
  preChatFields?: PreChatField[];
  /** Shown to visitors while the group is closed. */
  offlineMessage?: string;
  cannedReplies?: CannedReply[];
}

export type PreChatField = CustomerPreChatField;

export interface CannedReply {
  shortcut: string;
  text: string;
}

export interface ServiceAgentRecord {
  userId: string;
  groupIds: string[];
  /** The agent's own cap on open sessions (the lower of it and the group's applies). */
  cap: number;
  /** When the agent was first set up: ties of load go to the earlier one. */
  createdAt: number;
  /** Set by the agent: no automatic assignment while away. */
  away: boolean;
}

export type ServiceSessionStatus = CustomerSessionStatus;

export interface ServiceSessionRecord {
  sessionId: number;
  /** The group the visitor addressed: the conversation is `5:<groupId>:<visitorId>`. */
  groupId: string;
  /** The group whose queue and agents serve it now (another after a transfer to a group). */
  servingGroupId: string;
  visitorId: string;
  status: ServiceSessionStatus;
  /** '' while no agent is assigned. */
  agentId: string;
  createdAt: number;
  /** When it last entered the queue: the queue's order. */
  queuedAt: number;
  /** 0 = not rated yet. */
  rating: number;
  comment: string;
  /** The pre-chat form as the visitor filled it in; {} when none. */
  visitorInfo: Record<string, string>;
  /** The conversation's first seq of this session (its messages run to the next session's first). */
  startSeq: number;
}

export type NewServiceSession = Omit<ServiceSessionRecord, 'sessionId' | 'rating' | 'comment' | 'visitorInfo' | 'startSeq'>
  & { visitorInfo?: Record<string, string> };

/** Which sessions an agent lists: their own open ones, their groups' queue, all unresolved of their groups, or those they resolved. */
export type ServiceSessionScope = 'mine' | 'queued' | 'all' | 'resolved';

export interface ServiceSessionQuery {
  scope: ServiceSessionScope;
  agentId: string;
  groupIds: readonly string[];
  /** Only sessions with a smaller id (the page goes newest first). */
  before?: number;
  limit: number;
}

export interface ServiceNoteRecord {
  sessionId: number;
  authorId: string;
  text: string;
  time: number;
}

/** A message a visitor left for a group (outside hours, say): a row of its own, never part of a conversation. */
export type ServiceTicketRecord = CustomerServiceTicket;

/**
 * What a search looks at in each type: the text users see (a text's content, a file's name, a
 * card's title and summary, a place's name), never ids, URLs or thumbnails.
 */
export const SEARCHABLE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'RC:TxtMsg': ['content'],
  'RC:ReferenceMsg': ['content'],
  'RC:FileMsg': ['name'],
  'RC:SightMsg': ['name'],
  'RC:ImgTextMsg': ['title', 'content'],
  'RC:LBSMsg': ['poi'],
};

/** Customer service: skill groups, agents, sessions, internal notes and tickets. */
export interface ServiceStore {
  /**
   * Runs `work` holding the lock `name`, shared by every server process on this store, so that
   * read-then-write chains (an agent's last slot, a queue's head) run one at a time across a
   * cluster. A store only one process opens (SQLite) has no such lock: the caller's own order is enough.
   */
  exclusively?<T>(name: string, work: () => Promise<T>): Promise<T>;
  setServiceGroup(group: ServiceGroupRecord): Promise<void>;
  serviceGroup(groupId: string): Promise<ServiceGroupRecord | undefined>;
  /** Replaces the agent's groups and cap; no groups removes the agent. */
  setServiceAgent(agent: Omit<ServiceAgentRecord, 'createdAt' | 'away'>): Promise<void>;
  /** Sets the agent's away flag; false when there is no such agent. */
  setServiceAgentAway(userId: string, away: boolean): Promise<boolean>;
  serviceAgent(userId: string): Promise<ServiceAgentRecord | undefined>;
  /** The group's agents, first set up first. */
  serviceAgentsOf(groupId: string): Promise<ServiceAgentRecord[]>;
  /** Its startSeq is the conversation's next seq when it is created. */
  createServiceSession(session: NewServiceSession): Promise<ServiceSessionRecord>;
  serviceSession(sessionId: number): Promise<ServiceSessionRecord | undefined>;
  /** The visitor's newest session with the group, resolved or not. */
  latestServiceSession(visitorId: string, groupId: string): Promise<ServiceSessionRecord | undefined>;
  updateServiceSession(sessionId: number, change: Partial<Pick<ServiceSessionRecord, 'status' | 'agentId' | 'servingGroupId' | 'queuedAt'>>):
    Promise<ServiceSessionRecord | undefined>;
  /** Queued sessions served by the group, oldest in the queue first. */
  queuedServiceSessions(servingGroupId: string): Promise<ServiceSessionRecord[]>;
  /** Sessions assigned to the agent and not resolved (open or pending): the agent's load. */
  agentServiceSessions(agentId: string): Promise<ServiceSessionRecord[]>;
  /** Stores the rating unless the session has one: false then (one rating per session). */
  rateServiceSession(sessionId: number, rating: number, comment: string): Promise<boolean>;
  /** The scope's sessions, newest first, at most `limit`. */
  serviceSessions(query: ServiceSessionQuery): Promise<ServiceSessionRecord[]>;
  /** The session of the same visitor and group that came after this one, if any. */
  nextServiceSession(session: ServiceSessionRecord): Promise<ServiceSessionRecord | undefined>;
  addServiceNote(note: ServiceNoteRecord): Promise<void>;
  serviceNotes(sessionId: number): Promise<ServiceNoteRecord[]>;
  addServiceTicket(ticket: Omit<ServiceTicketRecord, 'ticketId' | 'status' | 'closedBy' | 'closedAt'>): Promise<ServiceTicketRecord>;
  serviceTicket(ticketId: number): Promise<ServiceTicketRecord | undefined>;
  /** Tickets of these groups, newest first, at most `limit`; `status` filters. */
  serviceTickets(query: { groupIds: readonly string[]; status?: 'open' | 'closed'; limit: number }): Promise<ServiceTicketRecord[]>;
  /** Closes the ticket (once: a closed one stays as it was closed); undefined when there is none. */
  closeServiceTicket(ticketId: number, closedBy: string, closedAt: number): Promise<ServiceTicketRecord | undefined>;
  /** How many tickets the visitor left since `since` (ms), in any group: their rate. */
  countServiceTickets(visitorId: string, since: number): Promise<number>;
}

/** The blacklist and users' chosen status (docs in README, "Online status and the blacklist"). */
export interface SocialStore {
  /**
   * `ownerId` blacklists `blockedId`, in one step with the check of `limit` (the most the owner's
   * list may hold): 'exists' when it was already (its time stays), 'full' when at the limit.
   */
  blockUser(ownerId: string, blockedId: string, time: number, limit?: number): Promise<'added' | 'exists' | 'full'>;
  /** false when it was not blacklisted. */
  unblockUser(ownerId: string, blockedId: string): Promise<boolean>;
  /** Whether `ownerId` blacklisted `blockedId`. */
  isBlocked(ownerId: string, blockedId: string): Promise<boolean>;
  /** The owner's blacklist by user id, after `after`; a page as `takePage` cuts it. */
  blockedUsers(ownerId: string, query: { after?: string; limit: number; budget?: PageBudget<BlacklistEntry> }):
    Promise<{ entries: BlacklistEntry[]; hasMore: boolean }>;
  countBlocked(ownerId: string): Promise<number>;
  setUserStatus(userId: string, status: { status: ChosenUserStatus; text: string }): Promise<void>;
  /** The user's chosen status; undefined when never set. */
  userStatus(userId: string): Promise<{ status: ChosenUserStatus; text: string } | undefined>;
  /**
   * Whether the two users share a private conversation (both have it, listed or removed: a message
   * passed between them; a pin or mute one of them set alone is not enough) or a group.
   */
  sharesConversation(userId: string, otherId: string): Promise<boolean>;
}

export interface ChatStore extends ServiceStore, SocialStore {
  /** Creates or updates a user; an empty name or portrait keeps the one stored. */
  upsertUser(user: UserRecord): Promise<void>;
  getUser(userId: string): Promise<UserRecord | undefined>;

  /** Creates the group, or renames it; adds the users as members. */
  createGroup(groupId: string, name: string, userIds: readonly string[]): Promise<void>;
  /** Adds members; false when the group does not exist. */
  joinGroup(groupId: string, userIds: readonly string[]): Promise<boolean>;
  quitGroup(groupId: string, userIds: readonly string[]): Promise<boolean>;
  /** Renames a group; false when it does not exist. */
  renameGroup(groupId: string, name: string): Promise<boolean>;
  /** Deletes a group and its members (its messages stay); the members it had, or undefined when it did not exist. */
  dismissGroup(groupId: string): Promise<string[] | undefined>;
  groupExists(groupId: string): Promise<boolean>;
  /** The group's name, or undefined when it does not exist. */
  groupName(groupId: string): Promise<string | undefined>;
  groupMembers(groupId: string): Promise<string[]>;
  isGroupMember(groupId: string, userId: string): Promise<boolean>;

  /**
   * Stores a message and delivers it to every recipient's inbox in one durable commit, unless
   * (sender, clientMsgId) is known: then nothing is written and the first message is returned.
   */
  appendMessage(input: AppendInput): Promise<AppendResult>;

  /** A message of the conversation by uid. */
  messageByUid(conversationKey: string, messageUid: string): Promise<StoredMessage | undefined>;

  /**
   * Replaces a message and appends the command that tells its recipients, in one durable commit.
   * When the command's (sender, clientMsgId) is known, nothing is written and that command is
   * returned as a duplicate; when the message changed since it was read, throws RecallConflict.
   */
  recallMessage(input: RecallInput): Promise<AppendResult>;

  /** A user's inbox after `cursor`, oldest first: a page as `takePage` cuts it. */
  syncAfter(userId: string, cursor: number, limit: number, budget?: PageBudget<StoredMessage>):
    Promise<{ messages: StoredMessage[]; hasMore: boolean }>;
  /** The cursor of the newest message in the user's inbox (0 when empty). */
  latestCursor(userId: string): Promise<number>;

  /**
   * A conversation's messages by seq, for a reader the caller has authorized: ascending; the
   * newest `count` below `before`, or the oldest `count` above `after`. The page is cut as
   * `takePage` cuts it, from the end it starts at (the newest below `before`: older ones are left).
   * With `viewerId`, the messages that user deleted for themself are left out.
   */
  history(conversationKey: string, query: { before?: number; after?: number; count: number; budget?: PageBudget<StoredMessage>; viewerId?: string }):
    Promise<{ messages: StoredMessage[]; hasMore: boolean }>;

  /**
   * A user's conversations, latest activity first; `before` is a latestCursor to page from. The
   * page is cut as `takePage` cuts it. `types` filters by conversation type: only the types the
   * server supports can match, and duplicates count once.
   */
  conversationList(userId: string, query: { types?: readonly number[]; before?: number; count: number; budget?: PageBudget<ConversationState> }):
    Promise<{ conversations: ConversationState[]; hasMore: boolean }>;

  /** Moves the read position forward (never back); 0 or absent = to the latest message. */
  markRead(userId: string, conversationKey: string, readSeq?: number): Promise<ConversationState | undefined>;

  /** The user's read and delivered positions in the conversation, or undefined when it has none. */
  receiptPositions(userId: string, conversationKey: string): Promise<ReceiptPositions | undefined>;

  /**
   * A device of the user received the conversation up to `seq`: the delivered position moves to
   * the highest message of another sender at or below `seq` the user has (never back). Returns
   * the position after the call.
   */
  markDelivered(userId: string, conversationKey: string, seq: number): Promise<number>;

  /** A message of the conversation by seq. */
  messageBySeq(conversationKey: string, seq: number): Promise<StoredMessage | undefined>;

  /**
   * The group's current members who received message `seq` of the conversation, with their read
   * positions, in membership order.
   */
  groupReadPositions(groupId: string, conversationKey: string, seq: number): Promise<Array<{ userId: string; readSeq: number; deliveredSeq: number }>>;

  /** Hides the conversation from the user's list until a newer message arrives; reads it. */
  removeConversation(userId: string, conversationKey: string): Promise<ConversationState | undefined>;

  /** The user's settings of the conversation (defaults when none were set). */
  conversationSettings(userId: string, conversationKey: string): Promise<ConversationSettings>;
  /** Changes the given settings; the settings after the change. */
  setConversationSettings(userId: string, conversationKey: string, conversationType: number, change: Partial<ConversationSettings>):
    Promise<ConversationSettings>;

  /**
   * Deletes messages of the conversation for this user only (the others keep theirs): history,
   * sync, search and unread counts leave them out from now on. Returns the uids that were
   * deleted (messages of the conversation, not deleted before).
   */
  deleteMessagesFor(userId: string, conversationKey: string, messageUids: readonly string[]): Promise<string[]>;
  /**
   * Deletes for this user the conversation's messages sent at or before `timestamp` (ms). Returns
   * the seq up to which the user's history is now cleared (never moves back; 0 when nothing).
   */
  clearHistoryFor(userId: string, conversationKey: string, conversationType: number, timestamp: number): Promise<number>;

  /** The keys of the user's listed conversations of these types (all types when absent or empty). */
  conversationKeys(userId: string, types?: readonly number[]): Promise<string[]>;

  /** The user's unread messages in all conversations; `excludeMuted`: not those set do-not-disturb. */
  totalUnread(userId: string, options?: { excludeMuted?: boolean }): Promise<number>;

  /** Conversations with matches, the newest match first, at most `limit`. */
  searchConversations(query: SearchQuery & { limit: number }): Promise<SearchConversationHit[]>;
  /**
   * Matching messages, newest first (by sentTime, then id), sent before `beforeTime` (ms; absent:
   * now), or at that time with an id below `beforeId` (the last of the previous page: messages of
   * one ms are neither skipped nor repeated); a page as `takePage` cuts it.
   */
  searchMessages(query: SearchQuery & { beforeTime?: number; beforeId?: number; count: number; budget?: PageBudget<StoredMessage> }):
    Promise<{ messages: StoredMessage[]; hasMore: boolean }>;

  /**
   * Revokes the user's tokens issued before `validAfter` (ms since epoch). The time never moves
   * back: a later, earlier revocation changes nothing.
   */
  revokeTokens(userId: string, validAfter: number): Promise<void>;
  /** The time before which the user's tokens are revoked; 0 when none are. */
  tokensValidAfter(userId: string): Promise<number>;

  /**
   * For nodes that follow the global log: every stored message with an id above `afterId`, in id
   * order, at most `limit`; `recipients` are the users whose inbox got it (sorted), `listed`
   * whether it became its conversations' latest message. Ids become visible in increasing order
   * (no message with a smaller id commits later), so following `id > last seen` skips none. A
   * recalled message comes as it is now (replaced); its recall command follows it in the log.
   */
  messagesAfter(afterId: number, limit: number): Promise<LoggedMessage[]>;
  /** The highest message id stored (0 when none): where a node that starts follows the log from. */
  lastMessageId(): Promise<number>;

  stats(): Promise<{ messages: number; users: number; groups: number }>;
  close(): Promise<void>;
}

/** A message of the global log, with whom it was delivered to (see `ChatStore.messagesAfter`). */
export interface LoggedMessage {
  message: StoredMessage;
  recipients: string[];
  listed: boolean;
}

/**
 * `bytes` in an ArrayBuffer of their own. A message's content arrives as a view into the frame's
 * socket read (a Node Buffer, whose slice() is a view too): kept, it would pin the whole read (up
 * to 64 KB for a few bytes of text), and posted to a thread, it would copy it all.
 */
export function ownBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}

/**
 * A bound on the bytes of a page, besides its count: a page must fit in one frame. The store
 * does not know the wire format; the caller says what each item takes.
 */
export interface PageBudget<T> {
  maxBytes: number;
  /** What the item takes in the page (the caller's upper bound of its encoded size). */
  sizeOf(item: T): number;
}

/**
 * Cuts a page from `source`, in its order: at most `limit` items, and only while their sizes add
 * up to `budget.maxBytes` at most; but never nothing when there is something, so that paging
 * always moves on (an item larger than the budget comes alone). `hasMore`: an item was left.
 * Pulls at most one item past the page, and measures each item it pulls once: O(page).
 */
export function takePage<T>(source: Iterable<T>, limit: number, budget?: PageBudget<T>): { items: T[]; hasMore: boolean } {
  const items: T[] = [];
  let bytes = 0;
  for (const item of source) {
    if (items.length >= limit) return { items, hasMore: true };
    if (budget) {
      bytes += budget.sizeOf(item);
      if (bytes > budget.maxBytes && items.length > 0) return { items, hasMore: true };
    }
    items.push(item);
  }
  return { items, hasMore: false };
}

/**
 * The database could not be reached for longer than the store waits: nothing was written. Sends
 * end the connection with RC_CONN_SERVER_UNAVAILABLE instead of refusing the message, so that
 * the client keeps it in its outbox and sends it again after reconnecting.
 */
export class StoreUnavailable extends Error {}

/** The message to recall was changed (recalled) by someone else between read and write. */
export class RecallConflict extends Error {}
