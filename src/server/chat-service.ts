import { im } from '../core/protocol/generated/im.js';
import { ConversationType, ErrorCode } from '../core/protocol/codes.js';
import { MAX_CONTENT_BYTES, MAX_QUERY_BODY_BYTES, decodeBody, FrameError } from '../core/protocol/frames.js';
import { RecallConflict, type ChatStore, type ConversationState, type PageBudget, type StoredMessage } from './storage/chat-store.js';
import { checkContent, neutralizeContent, typeFlags } from './content-rules.js';
import type { FanoutBus } from './bus.js';
import { ServiceError } from './service-error.js';
import { CustomerService } from './customer-service.js';
import { SocialService } from './social.js';
import { ConversationService } from './conversation-service.js';
import { ChatroomService, type ChatroomOptions } from './chatroom.js';
import type { RoomStore } from './chatroom-store.js';
import { RateLimiter, type SendLimiter } from './rate-limit.js';
import { errorLogger, type ErrorLogger } from './error-log.js';
import {
  SUPPORTED_CONVERSATION_TYPES, agentTargetId, conversationKey, isValidId, newMessageUid, privateParticipants, targetIdFor,
} from './ids.js';

const CLIENT_MSG_ID = /^[A-Za-z0-9_\-.:]{1,64}$/;
const OBJECT_NAME = /^[A-Za-z0-9_\-.:]{1,64}$/;
const MAX_PAGE = 200;

const RECALL_COMMAND = 'RC:RcCmd';
const RECALL_NOTIFICATION = 'RC:RcNtf';
const TYPING_STATUS = 'RC:TypSts';
const DEFAULT_HISTORY_PAGE = 20;

/**
 * What a page's list may take: the answer's body less its other fields (a SyncResponse's cursor
 * and hasMore take 13 bytes at most), so that every page fits in one QUERYACK frame.
 */
export const PAGE_BYTES = MAX_QUERY_BODY_BYTES - 32;

/**
 * An upper bound of the bytes a message takes as an element of a list (its tag and length
 * included): each string and bytes field at most 6 bytes of tag and length, each number 11, a
 * string at most 3 bytes of UTF-8 per UTF-16 unit (its ids are ASCII, short: the slack is small,
 * and counting is cheaper than measuring). The targetId a viewer sees is part of the
 * conversation key. O(1), no encoding.
 */
export function messageWireBound(message: StoredMessage): number {
  return 85 + message.content.byteLength + 3 * (message.messageUid.length + message.clientMsgId.length
    + message.conversationKey.length + message.senderUserId.length + message.objectName.length);
}

/** An upper bound of a conversation list entry's bytes, its latest message included (isTop, muted, clearedSeq: 15). */
export function conversationWireBound(state: ConversationState): number {
  return 94 + 3 * state.conversationKey.length + (state.latestMessage ? messageWireBound(state.latestMessage) : 0);
}

const MESSAGE_PAGE: PageBudget<StoredMessage> = { maxBytes: PAGE_BYTES, sizeOf: messageWireBound };
const CONVERSATION_PAGE: PageBudget<ConversationState> = { maxBytes: PAGE_BYTES, sizeOf: conversationWireBound };

export { ServiceError };

export interface QueryResult {
  code: number;
  body?: Uint8Array;
}

/** The message as one user sees it on the wire; `persisted: false` for one delivered live only. */
export function toWireMessage(message: StoredMessage, viewerId: string, persisted = true): im.IMessage {
  return {
    messageUid: message.messageUid,
    clientMsgId: message.clientMsgId,
    conversationType: message.conversationType,
    targetId: targetIdFor(message.conversationKey, viewerId),
    senderUserId: message.senderUserId,
    objectName: message.objectName,
    content: message.content,
    sentTime: message.sentTime,
    seq: message.seq,
    cursor: message.id,
    counted: message.counted,
    persisted,
  };
}

function toWireConversation(state: ConversationState, viewerId: string): im.IConversation {
  return {
    conversationType: state.conversationType,
    targetId: targetIdFor(state.conversationKey, viewerId),
    unreadCount: state.unreadCount,
    latestMessage: state.latestMessage && toWireMessage(state.latestMessage, viewerId),
    readSeq: state.readSeq,
    updatedTime: state.latestMessage?.sentTime ?? 0,
    latestCursor: state.latestCursor,
    peerReadSeq: state.peerReadSeq ?? 0,
    peerDeliveredSeq: state.peerDeliveredSeq ?? 0,
    isTop: state.isTop ?? false,
    muted: state.muted ?? false,
    clearedSeq: state.clearedSeq ?? 0,
  };
}

export interface ChatServiceOptions {
  rateLimit: number;
  /** How long after its sentTime a message may be recalled, in seconds (default 120). */
  recallWindowSeconds?: number;
  /** Where unexpected failures after a send was answered go (once per kind). */
  logError?: ErrorLogger;
  /**
   * Told of every stored message (and chatroom message), so that files it links to become
   * readable by the conversation; given the rule of who reads a conversation.
   */
  files?: {
    noteSent(conversationKey: string, content: Uint8Array, senderUserId: string): Promise<void>;
    useConversationAccess(access: (userId: string, conversationKey: string) => Promise<boolean>): void;
  };
  chatrooms?: ChatroomOptions;
  /** Where chatrooms' state lives (default: this node's memory; a cluster shares it in Redis). */
  rooms?: RoomStore;
  /** Where the per-user send limits are kept (default: in this process; a cluster keeps them in Redis). */
  limiter?: (name: string, ratePerSecond: number) => SendLimiter;
}

/**
 * What users can do, independent of how their frames arrive (WebSocket now, long-polling later):
 * every method authorizes the user first, and refuses with a ServiceError carrying a seed code.
 */
export class ChatService {
  private readonly limiter: SendLimiter;
  private readonly typingLimiter: SendLimiter;
  private readonly files: ChatServiceOptions['files'];

  private readonly recallWindowMs: number;
  /** Conversation type 5: sessions, queue, assignment, robot, ratings, notes. */
  readonly customerService: CustomerService;
  /** Online status and the blacklist (`user.*`). */
  readonly social: SocialService;
  /** Pin, do not disturb, one-sided deletes, unread total, search (`conv.*`, `search.*`). */
  private readonly conversations: ConversationService;
  /** Conversation type 4: rooms in memory, live delivery only (docs/chatroom.md). */
  readonly chatrooms: ChatroomService;

  constructor(private readonly store: ChatStore, private readonly bus: FanoutBus, options: ChatServiceOptions) {
    this.customerService = new CustomerService(store, bus, options.logError ?? errorLogger((line) => console.error(line)));
    this.social = new SocialService(store, bus, options.logError ?? errorLogger((line) => console.error(line)));
    this.conversations = new ConversationService(store, bus, {
      authorizeRead: (userId, type, targetId) => this.authorizeRead(userId, type, targetId),
      remove: (userId, sessionId, type, targetId) => this.remove(userId, sessionId, type, targetId),
    });
    this.chatrooms = new ChatroomService(bus, options.chatrooms, options.rooms, options.logError ?? errorLogger((line) => console.error(line)));
    const limiter = options.limiter ?? ((_name: string, rate: number) => new RateLimiter(rate));
    this.limiter = limiter('send', options.rateLimit);
    this.typingLimiter = limiter('typing', options.rateLimit);
    this.recallWindowMs = (options.recallWindowSeconds ?? 120) * 1000;
    this.files = options.files;
    this.files?.useConversationAccess((userId, key) => this.mayReadConversation(userId, key));
  }

  /**
   * Whether the user may read the conversation `key` now, as a history read would allow: a private
   * chat's two users, a group's members, a chatroom's members, a customer-service conversation's
   * visitor and the agent serving them. Files sent to it follow this rule.
   */
  async mayReadConversation(userId: string, key: string): Promise<boolean> {
    const [type, ...rest] = key.split(':');
    switch (Number(type)) {
      case ConversationType.PRIVATE: return privateParticipants(key)?.includes(userId) ?? false;
      case ConversationType.GROUP: return this.store.isGroupMember(rest.join(':'), userId);
      case ConversationType.CHATROOM: return this.chatrooms.isMember(userId, rest.join(':'));
      case ConversationType.CUSTOMER_SERVICE: {
        const [groupId, visitorId] = rest as [string, string];
        if (userId === visitorId) return true;
        try {
          await this.customerService.authorizeRead(userId, agentTargetId(groupId, visitorId));
          return true;
        } catch (error) {
          if (error instanceof ServiceError) return false;
          throw error;
        }
      }
      default: return false;
    }
  }

  sweep(): void {
    this.limiter.sweep();
    this.typingLimiter.sweep();
  }

  /**
   * Stores a message durably, acknowledges it through `acknowledge`, then fans it out. The
   * sender hears of its message before anyone hears of a later one: otherwise the sender would
   * see the next seq before its own and take it for a gap.
   */
  async send(userId: string, sessionId: string, outgoing: im.IOutgoing, acknowledge: (ack: im.IPubAck) => void): Promise<void> {
    const clientMsgId = outgoing.clientMsgId ?? '';
    const conversationType = outgoing.conversationType ?? 0;
    const targetId = outgoing.targetId ?? '';
    const objectName = outgoing.objectName ?? '';
    let content = outgoing.content ?? new Uint8Array(0);
    if (outgoing.senderUserId && outgoing.senderUserId !== userId) {
      throw new ServiceError(ErrorCode.RC_MSG_UNAUTHORIZED, 'a user can only send as themself');
    }
    if (!CLIENT_MSG_ID.test(clientMsgId)) throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'clientMsgId is invalid');
    if (!OBJECT_NAME.test(objectName)) throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'objectName is invalid');
    if (content.length > MAX_CONTENT_BYTES) {
      throw new ServiceError(ErrorCode.PARAMETER_ERROR, `content exceeds ${MAX_CONTENT_BYTES} bytes`);
    }
    content = validateContent(objectName, content, userId);
    if (conversationType === ConversationType.CHATROOM) {
      if (!(await this.limiter.take(userId))) throw new ServiceError(ErrorCode.SEND_FREQUENCY_TOO_FAST, 'sending too fast');
      await this.chatrooms.send(userId, sessionId, { clientMsgId, targetId, objectName, content, priority: outgoing.priority ?? 0 }, acknowledge,
        (key) => this.files?.noteSent(key, content, userId));
      return;
    }
    const flags = typeFlags(objectName, outgoing);
    const serviceMessage = conversationType === ConversationType.CUSTOMER_SERVICE && flags.persisted;
    let stored: StoredMessage | undefined;
    if (serviceMessage) {
      if (!isValidId(targetId)) throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'targetId is invalid');
      // Routed, stored and fanned out in the customer-service chain: a transfer or resolve runs
      // wholly before or after, so the message goes to whoever serves the session at that point.
      stored = await this.customerService.serially(userId, targetId, ({ key, recipients }) => this.deliver(
        userId, sessionId, { clientMsgId, conversationType, objectName, content, flags }, key, recipients, acknowledge));
    } else {
      // Only a stored message starts a customer-service session: typing after a resolve starts none.
      const { key, recipients } = await this.route(userId, conversationType, targetId, flags.persisted);
      if (conversationType === ConversationType.PRIVATE) await this.social.checkPrivateSend(userId, targetId);
      stored = await this.deliver(userId, sessionId, { clientMsgId, conversationType, objectName, content, flags }, key, recipients, acknowledge);
    }
    // After the ack and the fan-out: the robot's answer comes after the question. The message is
    // acknowledged already: a failure here must not answer the send a second time.
    if (stored && serviceMessage) await this.customerService.afterMessageLogged(stored);
  }

  /** Stores (unless a live-only signal) and acknowledges a routed message, then fans it out; the stored message when new. */
  private async deliver(userId: string, sessionId: string,
    outgoing: { clientMsgId: string; conversationType: number; objectName: string; content: Uint8Array; flags: ReturnType<typeof typeFlags> },
    key: string, recipients: string[], acknowledge: (ack: im.IPubAck) => void): Promise<StoredMessage | undefined> {
    const { clientMsgId, conversationType, objectName, content, flags } = outgoing;
    // Typing signals have a budget of their own: showing "typing…" must never hold back a message.
    const limiter = objectName === 'RC:TypSts' ? this.typingLimiter : this.limiter;
    if (!(await limiter.take(userId))) throw new ServiceError(ErrorCode.SEND_FREQUENCY_TOO_FAST, 'sending too fast');
    if (!flags.persisted) {
      // Nothing stored, so no seq and no cursor: the recipients' online sessions get it now or
      // never, and no one's sync stream or seq order moves.
      const message: StoredMessage = {
        id: 0, conversationKey: key, conversationType, senderUserId: userId, clientMsgId, messageUid: newMessageUid(),
        objectName, content, sentTime: Date.now(), seq: 0, counted: false,
      };
      acknowledge({ code: 0, messageUid: message.messageUid, clientMsgId, sentTime: message.sentTime, seq: 0, cursor: 0 });
      // The user's other devices know they are typing; showing it there would be noise.
      const live = objectName === TYPING_STATUS ? recipients.filter((id) => id !== userId) : recipients;
      if (live.length) this.bus.publish({ kind: 'message', recipients: live, message, fromSessionId: sessionId, persisted: false });
      return undefined;
    }
    const { message, duplicate } = await this.store.appendMessage({
      conversationKey: key, conversationType, senderUserId: userId, clientMsgId, objectName, content,
      counted: flags.counted, recipients,
    });
    await this.files?.noteSent(key, content, userId);
    acknowledge({
      code: 0, messageUid: message.messageUid, clientMsgId: message.clientMsgId, sentTime: message.sentTime,
      seq: message.seq, cursor: message.id,
    });
    // A resend of a stored message was delivered the first time (or reaches its recipients by
    // sync): fanning it out again would show it twice.
    if (!duplicate) this.bus.publish({ kind: 'message', recipients, message, fromSessionId: sessionId });
    return duplicate ? undefined : message;
  }

  /** The time before which the user's tokens are revoked (0: none are). */
  tokensValidAfter(userId: string): Promise<number> {
    return this.store.tokensValidAfter(userId);
  }

  /**
   * Revokes the user's tokens issued until now and ends their live sessions (on every node, by
   * the bus). A token issued later works. Returns the revocation time.
   */
  async revokeTokens(userId: string): Promise<number> {
    const validAfter = Date.now();
    await this.store.revokeTokens(userId, validAfter);
    this.bus.publish({ kind: 'revoke', userId, validAfter });
    return validAfter;
  }

  /** The user's newest sync cursor (0 when nothing was ever delivered to them). */
  latestCursor(userId: string): Promise<number> {
    return this.store.latestCursor(userId);
  }

  /** The conversation's key and recipients, after checking that `userId` may write to it. */
  private async route(userId: string, conversationType: number, targetId: string, startsServiceSession = false) {
    if (!SUPPORTED_CONVERSATION_TYPES.has(conversationType)) {
      throw new ServiceError(ErrorCode.PARAMETER_ERROR, `conversation type ${conversationType} is not supported`);
    }
    if (!isValidId(targetId)) throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'targetId is invalid');
    if (conversationType === ConversationType.CUSTOMER_SERVICE) return this.customerService.route(userId, targetId, startsServiceSession);
    const key = conversationKey(conversationType, userId, targetId);
    if (conversationType === ConversationType.PRIVATE) {
      return { key, recipients: userId === targetId ? [userId] : [userId, targetId] };
    }
    // One lookup on the hot path; whether the group exists only matters for the refusal's code.
    const members = await this.store.groupMembers(targetId);
    if (members.includes(userId)) return { key, recipients: members };
    if (members.length === 0 && !(await this.store.groupExists(targetId))) {
      throw new ServiceError(ErrorCode.RC_DISCUSSION_GROUP_ID_INVALID, `group ${targetId} does not exist`);
    }
    throw new ServiceError(ErrorCode.NOT_IN_GROUP, `not a member of group ${targetId}`);
  }

  /** Checks that `userId` may read the conversation; returns its key. */
  private async authorizeRead(userId: string, conversationType: number, targetId: string): Promise<string> {
    if (!SUPPORTED_CONVERSATION_TYPES.has(conversationType)) {
      throw new ServiceError(ErrorCode.PARAMETER_ERROR, `conversation type ${conversationType} is not supported`);
    }
    if (!isValidId(targetId)) throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'targetId is invalid');
    if (conversationType === ConversationType.CUSTOMER_SERVICE) return this.customerService.authorizeRead(userId, targetId);
    const key = conversationKey(conversationType, userId, targetId);
    if (conversationType === ConversationType.GROUP && !(await this.store.isGroupMember(targetId, userId))) {
      throw new ServiceError(ErrorCode.NOT_IN_GROUP, `not a member of group ${targetId}`);
    }
    if (conversationType === ConversationType.PRIVATE && !privateParticipants(key)?.includes(userId)) {
      throw new ServiceError(ErrorCode.RC_MSG_UNAUTHORIZED, 'not a participant');
    }
    return key;
  }

  /**
   * Answers a query. Every answer fits in one frame: pages are cut by bytes as well as by count,
   * and an answer that cannot be cut (readers of a very large group, profiles of many ids) is
   * refused with RC_QUERY_ACK_NO_DATA, "ask for less", rather than sent in a frame the client
   * would refuse.
   */
  async query(userId: string, sessionId: string, topic: string, body: Uint8Array): Promise<QueryResult> {
    const result = await this.answer(userId, sessionId, topic, body);
    if (result.body && result.body.length > MAX_QUERY_BODY_BYTES) {
      throw new ServiceError(ErrorCode.RC_QUERY_ACK_NO_DATA,
        `the answer (${result.body.length} bytes) does not fit in one frame (${MAX_QUERY_BODY_BYTES}): ask for less`);
    }
    return result;
  }

  private async answer(userId: string, sessionId: string, topic: string, body: Uint8Array): Promise<QueryResult> {
    if (topic.startsWith('room.')) {
      return ok(new TextEncoder().encode(JSON.stringify(await this.chatrooms.query(userId, topic, parseJsonBody(body), sessionId))));
    }
    if (topic.startsWith('cs.')) {
      // Customer-service topics carry JSON objects both ways (docs/customer-service.md).
      const answer = await this.customerService.query(userId, topic, parseJsonBody(body));
      return ok(new TextEncoder().encode(JSON.stringify(answer)));
    }
    if (topic.startsWith('user.')) {
      return ok(new TextEncoder().encode(JSON.stringify(await this.social.query(userId, sessionId, topic, parseJsonBody(body)))));
    }
    if (topic.startsWith('conv.') || topic.startsWith('search.')) {
      return ok(new TextEncoder().encode(JSON.stringify(await this.conversations.query(userId, sessionId, topic, parseJsonBody(body)))));
    }
    switch (topic) {
      case 'sync': {
        const request = parse(im.SyncRequest, body);
        const limit = clampPage(request.limit, MAX_PAGE);
        const { messages, hasMore } = await this.store.syncAfter(userId, Math.max(0, request.cursor), limit, MESSAGE_PAGE);
        const cursor = messages.length ? messages[messages.length - 1]!.id : request.cursor;
        return ok(im.SyncResponse.encode({
          messages: messages.map((m) => toWireMessage(m, userId)), cursor, hasMore,
        }).finish());
      }
      case 'history': {
        const request = parse(im.HistoryRequest, body);
        const key = await this.authorizeRead(userId, request.conversationType, request.targetId);
        const page = await this.store.history(key, {
          before: request.before > 0 ? request.before : undefined,
          after: request.after > 0 ? request.after : undefined,
          count: clampPage(request.count, MAX_PAGE, DEFAULT_HISTORY_PAGE),
          budget: MESSAGE_PAGE, viewerId: userId,
        });
        // A recall command has done its work on the message it names (now RC:RcNtf); as a row of
        // its own it would show as an empty bubble. Sync still carries it, for devices that were away.
        return ok(im.HistoryResponse.encode({
          messages: page.messages.filter((m) => m.objectName !== RECALL_COMMAND).map((m) => toWireMessage(m, userId)),
          hasMore: page.hasMore,
        }).finish());
      }
      case 'conversations': {
        const request = parse(im.ConversationListRequest, body);
        const page = await this.store.conversationList(userId, {
          types: request.types, before: request.before > 0 ? request.before : undefined,
          count: clampPage(request.count, MAX_PAGE, 50),
          budget: CONVERSATION_PAGE,
        });
        return ok(im.ConversationListResponse.encode({
          conversations: page.conversations.map((c) => toWireConversation(c, userId)), hasMore: page.hasMore,
        }).finish());
      }
      case 'read': {
        const request = parse(im.ReadRequest, body);
        const key = await this.authorizeRead(userId, request.conversationType, request.targetId);
        const before = await this.store.receiptPositions(userId, key);
        const state = await this.store.markRead(userId, key, request.readSeq > 0 ? request.readSeq : undefined);
        this.publishState(userId, sessionId, request.conversationType, request.targetId, state?.readSeq ?? 0, false);
        await this.publishRead(userId, key, request.conversationType, request.targetId, before, state?.readSeq ?? 0);
        return ok(im.ConversationUpdate.encode({
          conversationType: request.conversationType, targetId: request.targetId, readSeq: state?.readSeq ?? 0,
        }).finish());
      }
      case 'remove': {
        const request = parse(im.RemoveConversationRequest, body);
        await this.remove(userId, sessionId, request.conversationType, request.targetId);
        return ok(new Uint8Array(0));
      }
      case 'delivered':
        return this.delivered(userId, parse(im.DeliveredRequest, body));
      case 'readers':
        return this.readers(userId, parse(im.ReadersRequest, body));
      case 'recall':
        return this.recall(userId, parse(im.RecallRequest, body));
      case 'profiles': {
        const request = parse(im.ProfilesRequest, body);
        if (request.userIds.length + request.groupIds.length > MAX_PAGE) {
          throw new ServiceError(ErrorCode.PARAMETER_ERROR, `at most ${MAX_PAGE} ids per query`);
        }
        const users: im.IUserProfile[] = [];
        for (const id of new Set(request.userIds.filter(isValidId))) {
          const user = await this.store.getUser(id);
          if (user) users.push({ userId: user.userId, name: user.name, portraitUri: user.portraitUri });
        }
        // Group names and members only for the asker's own groups.
        const groups: im.IGroupProfile[] = [];
        for (const id of new Set(request.groupIds.filter(isValidId))) {
          const memberIds = await this.store.groupMembers(id);
          if (!memberIds.includes(userId)) continue;
          const name = await this.store.groupName(id);
          if (name !== undefined) groups.push({ groupId: id, name, memberIds });
        }
        const answer = im.ProfilesResponse.encode({ users, groups }).finish();
        // Asked alone, a group whose member list cannot fit in a frame lists the members that fit
        // (memberIds serves @mentions). Several profiles that do not fit together are refused as
        // too large (query), and the client asks for them in halves.
        if (answer.length > MAX_QUERY_BODY_BYTES && users.length === 0 && groups.length === 1) {
          const group = groups[0]!;
          let room = MAX_QUERY_BODY_BYTES - 32 - Buffer.byteLength(group.groupId!) - Buffer.byteLength(group.name!);
          const fitting: string[] = [];
          for (const memberId of group.memberIds!) {
            room -= 2 + Buffer.byteLength(memberId);
            if (room < 0) break;
            fitting.push(memberId);
          }
          return ok(im.ProfilesResponse.encode({ groups: [{ ...group, memberIds: fitting }] }).finish());
        }
        return ok(answer);
      }
      default:
        throw new ServiceError(ErrorCode.PARAMETER_ERROR, `unknown query topic ${JSON.stringify(topic.slice(0, 64))}`);
    }
  }

  private async remove(userId: string, sessionId: string, conversationType: number, targetId: string): Promise<void> {
    const key = await this.authorizeRead(userId, conversationType, targetId);
    const before = await this.store.receiptPositions(userId, key);
    const state = await this.store.removeConversation(userId, key);
    this.publishState(userId, sessionId, conversationType, targetId, state?.readSeq ?? 0, true);
    // Removing reads the conversation to its end: the other side learns that as a read.
    await this.publishRead(userId, key, conversationType, targetId, before, state?.readSeq ?? 0);
  }

  /**
   * The sender takes a message back: it becomes an RC:RcNtf naming who recalled it and when
   * (its content is gone), and an RC:RcCmd, stored and not counted, tells every member's
   * devices, the caller's own included, online now or by their next sync. A repeated request
   * returns the first command.
   */
  private async recall(userId: string, request: im.RecallRequest): Promise<QueryResult> {
    const { key, recipients } = await this.route(userId, request.conversationType, request.targetId);
    const original = typeof request.messageUid === 'string' && request.messageUid.length <= 64
      ? await this.store.messageByUid(key, request.messageUid) : undefined;
    if (!original) throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'no such message in this conversation');
    if (original.senderUserId !== userId) throw new ServiceError(ErrorCode.RC_MSG_UNAUTHORIZED, 'only the sender may recall a message');
    if (original.objectName === RECALL_COMMAND) throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'a recall command cannot be recalled');
    const recallTime = Date.now();
    // Past the window, a message already recalled still answers with its first command.
    if (original.objectName !== RECALL_NOTIFICATION && recallTime - original.sentTime > this.recallWindowMs) {
      throw new ServiceError(ErrorCode.RECALL_MESSAGE, `the recall window of ${this.recallWindowMs / 1000} s has passed`);
    }
    const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
    const notice = { operatorId: userId, recallTime, originalObjectName: original.objectName };
    let result;
    try {
      result = await this.store.recallMessage({
        messageId: original.id,
        expectedObjectName: original.objectName,
        replacement: { objectName: RECALL_NOTIFICATION, content: json(notice) },
        command: {
          conversationKey: key, conversationType: request.conversationType, senderUserId: userId,
          // One command per message: a retried recall finds the first one.
          clientMsgId: `rc.${original.messageUid}`, objectName: RECALL_COMMAND, counted: false, recipients, listed: false,
          content: json({
            messageUId: original.messageUid, conversationType: request.conversationType, targetId: request.targetId,
            sentTime: original.sentTime, ...notice,
          }),
        },
      });
    } catch (error) {
      if (error instanceof RecallConflict) throw new ServiceError(ErrorCode.RECALL_MESSAGE, 'the message was recalled already');
      throw error;
    }
    if (result.message.objectName !== RECALL_COMMAND) {
      throw new ServiceError(ErrorCode.RECALL_MESSAGE, 'the message was recalled already');
    }
    if (!result.duplicate) this.bus.publish({ kind: 'message', recipients, message: result.message, fromSessionId: '' });
    return ok(im.RecallResponse.encode({ command: toWireMessage(result.message, userId) }).finish());
  }

  /**
   * A device of the user received a private chat up to `seq`. Only the other side's messages
   * count (a device receiving the user's own message from another device of theirs says nothing
   * about the peer's messages), and the peer hears of it only when the position moved.
   */
  private async delivered(userId: string, request: im.DeliveredRequest): Promise<QueryResult> {
    if (request.conversationType !== ConversationType.PRIVATE && request.conversationType !== ConversationType.GROUP) {
      throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'delivery receipts are kept for private and group chats');
    }
    const key = await this.authorizeRead(userId, request.conversationType, request.targetId);
    if (request.targetId === userId || !(request.seq > 0)) return ok(new Uint8Array(0));
    const before = (await this.store.receiptPositions(userId, key))?.deliveredSeq ?? 0;
    const after = await this.store.markDelivered(userId, key, request.seq);
    if (after > before && request.conversationType === ConversationType.GROUP) {
      // The group's other members learn it (an open readers list follows it).
      const others = (await this.store.groupMembers(request.targetId)).filter((id) => id !== userId);
      if (others.length) {
        this.bus.publish({
          kind: 'receipt', recipients: others,
          update: { conversationType: ConversationType.GROUP, targetId: request.targetId, time: Date.now(), memberDeliveredUserId: userId, memberDeliveredSeq: after },
        });
      }
    } else if (after > before) {
      const positions = await this.store.receiptPositions(userId, key);
      this.bus.publish({
        kind: 'receipt', recipients: [request.targetId],
        update: {
          conversationType: ConversationType.PRIVATE, targetId: userId, time: Date.now(),
          peerReadSeq: positions?.readSeq ?? 0, peerDeliveredSeq: Math.max(after, positions?.readSeq ?? 0),
        },
      });
    }
    return ok(new Uint8Array(0));
  }

  /**
   * Tells the others of a read that moved: the other participant of a private chat (not the
   * reader's own devices, which get the plain read position), or a group's other members.
   */
  private async publishRead(userId: string, key: string, conversationType: number, targetId: string,
    before: { readSeq: number; deliveredSeq: number } | undefined, readSeq: number): Promise<void> {
    if (readSeq <= (before?.readSeq ?? 0)) return;
    const time = Date.now();
    if (conversationType === ConversationType.PRIVATE) {
      if (targetId === userId) return;
      this.bus.publish({
        kind: 'receipt', recipients: [targetId],
        update: { conversationType, targetId: userId, time, peerReadSeq: readSeq, peerDeliveredSeq: Math.max(readSeq, before?.deliveredSeq ?? 0) },
      });
      return;
    }
    const others = (await this.store.groupMembers(targetId)).filter((id) => id !== userId);
    if (others.length) {
      this.bus.publish({ kind: 'receipt', recipients: others, update: { conversationType, targetId, time, memberReadUserId: userId, memberReadSeq: readSeq } });
    }
  }

  /**
   * Who of a group has read one of its messages, from the members' read positions (nothing is
   * kept per message). Listed are the current members who received it: a member who joined
   * later never had it, one who left is no longer asked about. The sender is left out.
   */
  private async readers(userId: string, request: im.ReadersRequest): Promise<QueryResult> {
    if (request.conversationType !== ConversationType.GROUP) {
      throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'readers are told for group messages');
    }
    const key = await this.authorizeRead(userId, request.conversationType, request.targetId);
    const message = request.seq > 0 ? await this.store.messageBySeq(key, request.seq) : undefined;
    if (!message) throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'no such message in this conversation');
    const readUserIds: string[] = [];
    const unreadUserIds: string[] = [];
    const deliveredUserIds: string[] = [];
    for (const { userId: memberId, readSeq, deliveredSeq } of await this.store.groupReadPositions(request.targetId, key, message.seq)) {
      if (memberId === message.senderUserId) continue;
      if (readSeq >= message.seq) {
        readUserIds.push(memberId);
        continue;
      }
      unreadUserIds.push(memberId);
      if (deliveredSeq >= message.seq) deliveredUserIds.push(memberId);
    }
    return ok(im.ReadersResponse.encode({ readUserIds, unreadUserIds, deliveredUserIds }).finish());
  }

  private publishState(userId: string, sessionId: string, conversationType: number, targetId: string,
    readSeq: number, removed: boolean): void {
    this.bus.publish({
      kind: 'conversation', userId, fromSessionId: sessionId,
      update: { conversationType, targetId, readSeq, removed, time: Date.now() },
    });
  }
}

const ok = (body: Uint8Array): QueryResult => ({ code: 0, body });

function parse<T>(codec: { decode(bytes: Uint8Array): T }, body: Uint8Array): T {
  const result = decodeBody(codec, body);
  if (result instanceof FrameError) throw new ServiceError(ErrorCode.PARAMETER_ERROR, result.message);
  return result;
}

function clampPage(requested: number, max: number, fallback = max): number {
  if (!Number.isFinite(requested) || requested <= 0) return fallback;
  return Math.min(Math.floor(requested), max);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseJsonBody(bytes: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes) || '{}');
  } catch {
    throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'the query body is not UTF-8 JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'the query body must be a JSON object');
  return value as Record<string, unknown>;
}

/**
 * The server checks what it can of every content: JSON object, and the fields of known types.
 * Returns what to store: the bytes as sent, or the content made safe (neutralizeContent).
 */
function validateContent(objectName: string, bytes: Uint8Array, senderUserId: string): Uint8Array {
  let content: unknown;
  try {
    content = JSON.parse(utf8.decode(bytes));
  } catch {
    throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'content is not UTF-8 JSON');
  }
  if (!content || typeof content !== 'object' || Array.isArray(content)) {
    throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'content must be a JSON object');
  }
  const violation = checkContent(objectName, content as Record<string, unknown>);
  if (violation) throw new ServiceError(violation.code, violation.reason);
  return neutralizeContent(objectName, content as Record<string, unknown>, senderUserId)
    ? new TextEncoder().encode(JSON.stringify(content)) : bytes;
}
