import { ConversationType, ErrorCode } from '../core/protocol/codes.js';
import { MAX_QUERY_BODY_BYTES } from '../core/protocol/frames.js';
import type { ChatroomEntry, ChatroomMember, ChatroomWireMessage } from '../core/protocol/chatroom-records.js';
import type { im } from '../core/protocol/generated/im.js';
import type { FanoutBus } from './bus.js';
import { ServiceError } from './service-error.js';
import { takePage, type PageBudget, type StoredMessage } from './storage/chat-store.js';
import { isValidId, newMessageUid } from './ids.js';

/** A message's priority for slow readers (Outgoing.priority): LOW is dropped first, then NORMAL; HIGH only with the reader. */
export const MessagePriority = { NORMAL: 0, HIGH: 1, LOW: 2 } as const;

/** The KV change notice members get live (the seed's chatroom KV notification). */
export const KV_NOTIFY_OBJECT_NAME = 'RC:chrmKVNotiMsg';
/** Live, to a room's members: how many are in it now (coalesced to one a second). */
export const MEMBERS_OBJECT_NAME = 'IM:ChrmMembers';
/** The sender of room signals: a `:` is in no user id. */
export const ROOM_SENDER = 'room:server';

export const DEFAULT_KEEP_SECONDS = 30 * 60;
export const DEFAULT_WINDOW = 200;
export const MAX_KEYS = 100;
const MAX_JOIN_MESSAGES = 50;
const DEFAULT_JOIN_MESSAGES = 10;
const MAX_HISTORY = 50;
const MAX_INFO_MEMBERS = 20;
const KEY_PATTERN = /^[A-Za-z0-9_+=\-]{1,128}$/;
const MAX_VALUE = 4096;
const MAX_EXTRA = 512;
const MEMBERS_NOTICE_MS = 1000;
/** The recent window also stops at this many content bytes per room (contents go up to 128 KB each). */
const WINDOW_BYTES = 1024 * 1024;
const PAGE_BYTES = MAX_QUERY_BODY_BYTES - 256;
const JSON_PAGE: PageBudget<unknown> = { maxBytes: PAGE_BYTES, sizeOf: (item) => Buffer.byteLength(JSON.stringify(item)) + 1 };

export interface ChatroomOptions {
  /** Members a room may hold; 0 = no cap (RC_CHATROOM_IS_FULL past it). */
  maxMembers?: number;
  /** How long a member whose last connection dropped stays a member, seconds (default 1800). */
  keepSeconds?: number;
  /** Recent messages kept per room, in memory (default 200). */
  window?: number;
}

interface Member {
  userId: string;
  joinedAt: number;
  /** Set while the user has no connection: when the membership lapses. */
  lapse: ReturnType<typeof setTimeout> | undefined;
}

interface Entry extends ChatroomEntry {
  autoDelete: boolean;
}

interface Room {
  roomId: string;
  members: Map<string, Member>;
  /** Recent messages, oldest first; sentTime strictly increasing. */
  recent: StoredMessage[];
  entries: Map<string, Entry>;
  lastSentTime: number;
  recentBytes: number;
  membersNotice: { sentAt: number; timer: ReturnType<typeof setTimeout> | undefined };
}

/** Drops of chatroom messages for slow readers, by priority (in /api/metrics). */
export class PriorityDrops {
  low = 0;
  normal = 0;
  high = 0;

  /**
   * Whether a live chatroom message of `priority` is dropped for a reader with `queued` bytes
   * waiting: LOW past a quarter of the hard cap, NORMAL past half; HIGH is never dropped here
   * (past the cap the reader itself is disconnected, as for any message).
   */
  drop(priority: number, queued: number, maxQueued: number): boolean {
    if (priority === MessagePriority.HIGH) return false;
    const limit = priority === MessagePriority.LOW ? maxQueued / 4 : maxQueued / 2;
    if (queued <= limit) return false;
    if (priority === MessagePriority.LOW) this.low++;
    else this.normal++;
    return true;
  }
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

function roomIdOf(body: Record<string, unknown>): string {
  const roomId = body.roomId;
  if (!isValidId(roomId)) throw new ServiceError(ErrorCode.RC_CHATROOM_PATAMETER_INVALID, 'roomId is invalid');
  return roomId;
}

function integer(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'a number is not an integer');
  return value;
}

export function toWireRecord(message: StoredMessage): ChatroomWireMessage {
  return {
    messageUid: message.messageUid, clientMsgId: message.clientMsgId, senderUserId: message.senderUserId,
    objectName: message.objectName, content: new TextDecoder().decode(message.content), sentTime: message.sentTime,
  };
}

/**
 * Chatrooms (conversation type 4), all in memory on this node: a room is made by its first
 * join and goes when its last member leaves, with its recent messages and KV entries. Nothing is
 * stored: messages go live to the members connected now; the recent window serves joins,
 * history and a rejoin after a dropped connection.
 */
export class ChatroomService {
  private readonly rooms = new Map<string, Room>();
  /** The one room of each user. */
  private readonly roomOfUser = new Map<string, string>();
  /** Per user: objectNames they do not want from rooms (setFilterMessages). */
  private readonly filters = new Map<string, Set<string>>();
  private readonly keepMs: number;
  private readonly windowSize: number;
  private readonly maxMembers: number;
  readonly drops = new PriorityDrops();

  constructor(private readonly bus: FanoutBus, options: ChatroomOptions = {}) {
    this.keepMs = (options.keepSeconds ?? DEFAULT_KEEP_SECONDS) * 1000;
    this.windowSize = Math.max(1, options.window ?? DEFAULT_WINDOW);
    this.maxMembers = options.maxMembers ?? 0;
  }

  get roomCount(): number {
    return this.rooms.size;
  }

  /** The user connected: a membership waiting to lapse holds again. */
  userOnline(userId: string): void {
    const member = this.memberOf(userId);
    if (member?.lapse) {
      clearTimeout(member.lapse);
      member.lapse = undefined;
    }
  }

  /** The user's last connection went: the membership lapses after the keep time unless they come back. */
  userOffline(userId: string): void {
    const member = this.memberOf(userId);
    if (!member || member.lapse) return;
    member.lapse = setTimeout(() => {
      const roomId = this.roomOfUser.get(userId);
      if (roomId) this.leave(userId, roomId);
    }, this.keepMs);
    member.lapse.unref();
  }

  /** Whether the user is in the room now (a dropped connection keeps them in for a while). */
  isMember(userId: string, roomId: string): boolean {
    return this.roomOfUser.get(userId) === roomId;
  }

  private memberOf(userId: string): Member | undefined {
    const roomId = this.roomOfUser.get(userId);
    return roomId === undefined ? undefined : this.rooms.get(roomId)?.members.get(userId);
  }

  /** Where a type-4 message of `userId` goes; refused unless a member. */
  private routeLive(userId: string, roomId: string): Room {
    if (!isValidId(roomId)) throw new ServiceError(ErrorCode.RC_CHATROOM_PATAMETER_INVALID, 'targetId is invalid');
    const room = this.rooms.get(roomId);
    if (!room?.members.has(userId)) throw new ServiceError(ErrorCode.NOT_IN_CHATROOM, `not in chatroom ${roomId}`);
    return room;
  }

  /**
   * A message to a room: kept in its recent window, acknowledged, then pushed to the members
   * connected now (those filtering its objectName out left aside), with its priority for slow
   * readers. No seq, no cursor, no unread count, no offline delivery.
   */
  send(userId: string, sessionId: string, outgoing: { clientMsgId: string; targetId: string; objectName: string; content: Uint8Array; priority: number },
    acknowledge: (ack: im.IPubAck) => void): void {
    const room = this.routeLive(userId, outgoing.targetId);
    if (outgoing.objectName === 'RC:TypSts') {
      // Who is typing is no news to a room of thousands: acknowledged, shown to no one.
      acknowledge({ code: 0, messageUid: newMessageUid(), clientMsgId: outgoing.clientMsgId, sentTime: Date.now(), seq: 0, cursor: 0 });
      return;
    }
    if (outgoing.objectName === KV_NOTIFY_OBJECT_NAME || outgoing.objectName === MEMBERS_OBJECT_NAME) {
      throw new ServiceError(ErrorCode.PARAMETER_ERROR, `${outgoing.objectName} is the server's to send`);
    }
    const priority = outgoing.priority === MessagePriority.HIGH || outgoing.priority === MessagePriority.LOW ? outgoing.priority : MessagePriority.NORMAL;
    // Strictly increasing per room: a rejoin asks for what came after the last time it saw.
    const sentTime = Math.max(Date.now(), room.lastSentTime + 1);
    room.lastSentTime = sentTime;
    const message: StoredMessage = {
      id: 0, conversationKey: `${ConversationType.CHATROOM}:${room.roomId}`, conversationType: ConversationType.CHATROOM,
      senderUserId: userId, clientMsgId: outgoing.clientMsgId, messageUid: newMessageUid(), objectName: outgoing.objectName,
      content: outgoing.content, sentTime, seq: 0, counted: false,
    };
    room.recent.push(message);
    room.recentBytes += message.content.byteLength;
    while (room.recent.length > this.windowSize || (room.recentBytes > WINDOW_BYTES && room.recent.length > 1)) {
      room.recentBytes -= room.recent.shift()!.content.byteLength;
    }
    acknowledge({ code: 0, messageUid: message.messageUid, clientMsgId: message.clientMsgId, sentTime, seq: 0, cursor: 0 });
    const recipients: string[] = [];
    for (const memberId of room.members.keys()) {
      if (!this.filters.get(memberId)?.has(message.objectName)) recipients.push(memberId);
    }
    if (recipients.length) this.bus.publish({ kind: 'message', recipients, message, fromSessionId: sessionId, persisted: false, priority });
  }

  async query(userId: string, topic: string, body: Record<string, unknown>): Promise<unknown> {
    switch (topic) {
      case 'room.join': return this.join(userId, body);
      case 'room.quit': {
        const roomId = roomIdOf(body);
        if (this.roomOfUser.get(userId) !== roomId) throw new ServiceError(ErrorCode.NOT_IN_CHATROOM, `not in chatroom ${roomId}`);
        this.leave(userId, roomId);
        return {};
      }
      case 'room.info': return this.info(userId, body);
      case 'room.history': return this.history(userId, body);
      case 'room.filter': {
        const names = body.objectNames;
        if (!Array.isArray(names) || names.length > 100 || !names.every((name) => typeof name === 'string' && name.length <= 64)) {
          throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'objectNames: at most 100 strings');
        }
        if (names.length) this.filters.set(userId, new Set(names as string[]));
        else this.filters.delete(userId);
        return { objectNames: names };
      }
      case 'room.kv.set': return this.setEntry(userId, body);
      case 'room.kv.remove': return this.removeEntry(userId, body);
      case 'room.kv.get': {
        const room = this.routeLive(userId, roomIdOf(body));
        const entry = room.entries.get(String(body.key));
        if (!entry) throw new ServiceError(ErrorCode.CHATROOM_KEY_NOT_EXIST, 'no such key');
        return publicEntry(entry);
      }
      case 'room.kv.all': {
        const room = this.routeLive(userId, roomIdOf(body));
        // At most 100 keys of up to 4 KB: the page is cut by bytes, and `hasMore` tells of the rest.
        const page = takePage([...room.entries.values()].map(publicEntry), MAX_KEYS, JSON_PAGE);
        return { entries: page.items, hasMore: page.hasMore };
      }
      default:
        throw new ServiceError(ErrorCode.PARAMETER_ERROR, `unknown query topic ${JSON.stringify(topic.slice(0, 64))}`);
    }
  }

  /**
   * Joins a room (made on first join), leaving the user's other room. `count`: recent messages
   * in the answer (-1 none, 0 the default 10, at most 50); `after`: a rejoin's last sentTime
   * seen, answered with every message of the window after it instead.
   */
  private join(userId: string, body: Record<string, unknown>): unknown {
    const roomId = roomIdOf(body);
    const count = integer(body.count, 0);
    const after = integer(body.after, 0);
    if (count < -1) throw new ServiceError(ErrorCode.RC_CHATROOM_PATAMETER_INVALID, 'count is -1, 0 or more');
    const current = this.roomOfUser.get(userId);
    if (current !== undefined && current !== roomId) this.leave(userId, current);
    let room = this.rooms.get(roomId);
    if (!room?.members.has(userId)) {
      if (this.maxMembers > 0 && room && room.members.size >= this.maxMembers) {
        throw new ServiceError(ErrorCode.RC_CHATROOM_IS_FULL, `chatroom ${roomId} is full`);
      }
      if (!room) {
        room = {
          roomId, members: new Map(), recent: [], entries: new Map(), lastSentTime: 0, recentBytes: 0, membersNotice: { sentAt: 0, timer: undefined },
        };
        this.rooms.set(roomId, room);
      }
      room.members.set(userId, { userId, joinedAt: Date.now(), lapse: undefined });
      this.roomOfUser.set(userId, roomId);
      this.noticeMembers(room);
    } else {
      this.userOnline(userId);
    }
    let messages: StoredMessage[];
    let hasMore: boolean;
    if (body.after !== undefined) {
      const missed = room.recent.filter((m) => m.sentTime > after);
      // Newest last; what does not fit in one answer is asked for by history.
      const page = takePage(missed.slice().reverse().map(toWireRecord), this.windowSize, JSON_PAGE);
      return { roomId, memberCount: room.members.size, messages: page.items.reverse(), hasMore: page.hasMore, time: room.lastSentTime };
    }
    const wanted = count === -1 ? 0 : Math.min(count === 0 ? DEFAULT_JOIN_MESSAGES : count, MAX_JOIN_MESSAGES);
    messages = wanted > 0 ? room.recent.slice(-wanted) : [];
    const page = takePage(messages.slice().reverse().map(toWireRecord), MAX_JOIN_MESSAGES, JSON_PAGE);
    hasMore = page.hasMore;
    // `time`: what a rejoin asks to have after, when no message came since.
    return { roomId, memberCount: room.members.size, messages: page.items.reverse(), hasMore, time: room.lastSentTime };
  }

  /** Takes the user out of the room: their autoDelete entries go; an empty room goes. */
  private leave(userId: string, roomId: string): void {
    const room = this.rooms.get(roomId);
    this.roomOfUser.delete(userId);
    const member = room?.members.get(userId);
    if (!room || !member) return;
    clearTimeout(member.lapse);
    room.members.delete(userId);
    for (const entry of [...room.entries.values()]) {
      if (entry.autoDelete && entry.userId === userId) {
        room.entries.delete(entry.key);
        this.noticeEntry(room, userId, 2, entry.key, '', '');
      }
    }
    if (room.members.size === 0) {
      clearTimeout(room.membersNotice.timer);
      this.rooms.delete(roomId);
      return;
    }
    this.noticeMembers(room);
  }

  /** Members online now and some of them (seed order: 1 oldest joiners first, 2 newest first). */
  private info(userId: string, body: Record<string, unknown>): unknown {
    const room = this.routeLive(userId, roomIdOf(body));
    const count = integer(body.count, 0);
    const order = integer(body.order, 1);
    if (count < 0 || count > MAX_INFO_MEMBERS) throw new ServiceError(ErrorCode.RC_CHATROOM_PATAMETER_INVALID, `count is 0–${MAX_INFO_MEMBERS}`);
    if (order !== 1 && order !== 2) throw new ServiceError(ErrorCode.RC_CHATROOM_PATAMETER_INVALID, 'order is 1 (oldest first) or 2 (newest first)');
    // Map order is join order.
    const all = [...room.members.values()];
    const picked = (order === 1 ? all.slice(0, count) : all.slice(-count || all.length).reverse().slice(0, count));
    const members: ChatroomMember[] = picked.map((m) => ({ userId: m.userId, time: m.joinedAt }));
    return { roomId: room.roomId, userTotalNums: room.members.size, userInfos: members };
  }

  /**
   * The recent window, on demand (seed order: 0 older than `timestamp`, newest first from it; 1
   * newer than it). Answered oldest first either way.
   */
  private history(userId: string, body: Record<string, unknown>): unknown {
    const room = this.routeLive(userId, roomIdOf(body));
    const count = integer(body.count, 20);
    const order = integer(body.order, 0);
    const timestamp = integer(body.timestamp, 0);
    if (count < 1 || count > MAX_HISTORY) throw new ServiceError(ErrorCode.RC_CHATROOM_PATAMETER_INVALID, `count is 1–${MAX_HISTORY}`);
    if (order !== 0 && order !== 1) throw new ServiceError(ErrorCode.RC_CHATROOM_PATAMETER_INVALID, 'order is 0 (older) or 1 (newer)');
    if (order === 0) {
      const older = room.recent.filter((m) => timestamp <= 0 || m.sentTime < timestamp).reverse();
      const page = takePage(older.map(toWireRecord), count, JSON_PAGE);
      return { messages: page.items.reverse(), hasMore: page.hasMore };
    }
    const newer = room.recent.filter((m) => m.sentTime > timestamp);
    const page = takePage(newer.map(toWireRecord), count, JSON_PAGE);
    return { messages: page.items, hasMore: page.hasMore };
  }

  private setEntry(userId: string, body: Record<string, unknown>): unknown {
    const room = this.routeLive(userId, roomIdOf(body));
    const { key, value } = body;
    const extra = body.notificationExtra ?? '';
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) throw new ServiceError(ErrorCode.RC_CHATROOM_PATAMETER_INVALID, 'key: 1–128 of A-Z a-z 0-9 _ + = -');
    if (typeof value !== 'string' || value.length > MAX_VALUE) throw new ServiceError(ErrorCode.RC_CHATROOM_PATAMETER_INVALID, `value: a string of at most ${MAX_VALUE}`);
    if (typeof extra !== 'string' || extra.length > MAX_EXTRA) throw new ServiceError(ErrorCode.RC_CHATROOM_PATAMETER_INVALID, `notificationExtra: at most ${MAX_EXTRA}`);
    const existing = room.entries.get(key);
    if (existing && existing.userId !== userId && body.force !== true) {
      throw new ServiceError(ErrorCode.CHATROOM_KV_OVERWRITE_INVALID, `key ${key} was set by another user`);
    }
    if (!existing && room.entries.size >= MAX_KEYS) throw new ServiceError(ErrorCode.CHATROOM_KV_EXCEED, `at most ${MAX_KEYS} keys per room`);
    const entry: Entry = { key, value, userId, time: Date.now(), autoDelete: body.autoDelete === true };
    room.entries.set(key, entry);
    if (body.isSendNotification !== false) this.noticeEntry(room, userId, 1, key, value, extra);
    return publicEntry(entry);
  }

  private removeEntry(userId: string, body: Record<string, unknown>): unknown {
    const room = this.routeLive(userId, roomIdOf(body));
    const key = body.key;
    const extra = body.notificationExtra ?? '';
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) throw new ServiceError(ErrorCode.RC_CHATROOM_PATAMETER_INVALID, 'key: 1–128 of A-Z a-z 0-9 _ + = -');
    if (typeof extra !== 'string' || extra.length > MAX_EXTRA) throw new ServiceError(ErrorCode.RC_CHATROOM_PATAMETER_INVALID, `notificationExtra: at most ${MAX_EXTRA}`);
    const existing = room.entries.get(key);
    if (!existing) throw new ServiceError(ErrorCode.CHATROOM_KEY_NOT_EXIST, `no key ${key}`);
    if (existing.userId !== userId && body.force !== true) {
      throw new ServiceError(ErrorCode.CHATROOM_KV_OVERWRITE_INVALID, `key ${key} was set by another user`);
    }
    room.entries.delete(key);
    if (body.isSendNotification !== false) this.noticeEntry(room, userId, 2, key, '', extra);
    return {};
  }

  /** A KV change, live to every member (the setter's other devices too): type 1 set, 2 removed. */
  private noticeEntry(room: Room, userId: string, type: 1 | 2, key: string, value: string, extra: string): void {
    this.signal(room, userId, KV_NOTIFY_OBJECT_NAME, { type, key, value, extra });
  }

  /** The member count, live: at once, or a second after the last one when they come fast. */
  private noticeMembers(room: Room): void {
    const notice = room.membersNotice;
    if (notice.timer) return;
    const wait = notice.sentAt + MEMBERS_NOTICE_MS - Date.now();
    const send = () => {
      notice.timer = undefined;
      notice.sentAt = Date.now();
      if (this.rooms.get(room.roomId) === room) this.signal(room, ROOM_SENDER, MEMBERS_OBJECT_NAME, { count: room.members.size });
    };
    if (wait <= 0) send();
    else {
      notice.timer = setTimeout(send, wait);
      notice.timer.unref();
    }
  }

  private signal(room: Room, senderUserId: string, objectName: string, content: unknown): void {
    const message: StoredMessage = {
      id: 0, conversationKey: `${ConversationType.CHATROOM}:${room.roomId}`, conversationType: ConversationType.CHATROOM,
      senderUserId, clientMsgId: newMessageUid(), messageUid: newMessageUid(), objectName, content: json(content),
      sentTime: Date.now(), seq: 0, counted: false,
    };
    this.bus.publish({ kind: 'message', recipients: [...room.members.keys()], message, fromSessionId: '', persisted: false, priority: MessagePriority.HIGH });
  }
}

function publicEntry(entry: Entry): ChatroomEntry {
  return { key: entry.key, value: entry.value, userId: entry.userId, time: entry.time };
}
