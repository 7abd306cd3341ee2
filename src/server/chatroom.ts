import { ConversationType, ErrorCode } from '../core/protocol/codes.js';
import { MAX_QUERY_BODY_BYTES } from '../core/protocol/frames.js';
import type { ChatroomEntry, ChatroomWireMessage } from '../core/protocol/chatroom-records.js';
import { MemoryRoomStore, type LeaveOutcome, type RoomEntry, type RoomStore } from './chatroom-store.js';
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

/** How often memberships waiting to lapse are looked at (the keep time is a second or more). */
const LAPSE_SWEEP_MS = 250;

const roomKey = (roomId: string) => `${ConversationType.CHATROOM}:${roomId}`;

/**
 * Chatrooms (conversation type 4): a room is made by its first join and goes when its last
 * member leaves, with its recent messages and KV entries. Nothing is stored: messages go live to
 * the members connected now; the recent window serves joins, history and a rejoin after a
 * dropped connection. The rooms' state is in `rooms`: this node's memory, or Redis shared by the
 * nodes of a cluster (a room is then one room whichever node its members are on).
 */
export class ChatroomService {
  /** Per user: objectNames they do not want from rooms (setFilterMessages), applied by the node that pushes to them. */
  private readonly filters = new Map<string, Set<string>>();
  private readonly keepMs: number;
  private readonly windowSize: number;
  private readonly maxMembers: number;
  /** Per room, this node's member-count notice: when it last went, and one waiting to go. */
  private readonly membersNotices = new Map<string, { sentAt: number; timer: ReturnType<typeof setTimeout> | undefined }>();
  private readonly lapseTimer: ReturnType<typeof setInterval>;
  private isOnline: (userId: string) => boolean = () => false;
  /** The sessions of this node through which a room was joined: the ones to end if the rooms are lost. */
  private readonly joinedThrough = new Set<string>();
  /** Ends sessions (the gateway's); their clients connect again and join their rooms again. */
  private endSessions: (sessionIds: string[]) => void = () => {};
  readonly drops = new PriorityDrops();

  constructor(private readonly bus: FanoutBus, options: ChatroomOptions = {}, private readonly rooms: RoomStore = new MemoryRoomStore(),
    private readonly logError: (scope: string, error: unknown) => void = () => {}) {
    this.keepMs = (options.keepSeconds ?? DEFAULT_KEEP_SECONDS) * 1000;
    this.windowSize = Math.max(1, options.window ?? DEFAULT_WINDOW);
    this.maxMembers = options.maxMembers ?? 0;
    this.lapseTimer = setInterval(() => this.sweepLapses().catch((error) => this.logError('chatrooms', error)), LAPSE_SWEEP_MS);
    this.lapseTimer.unref();
    // The rooms were lost (Redis restarted empty): the clients that joined through this node
    // connect again, and join again as after any dropped connection.
    rooms.onReset(() => {
      const sessionIds = [...this.joinedThrough];
      this.joinedThrough.clear();
      this.logError('chatrooms', new Error(`the rooms were lost (Redis restarted empty?): ${sessionIds.length} session(s) that joined one end, and join again`));
      if (sessionIds.length) this.endSessions(sessionIds);
    });
  }

  /** How this node ends sessions, for when the rooms are lost. */
  useSessionEnder(endSessions: (sessionIds: string[]) => void): void {
    this.endSessions = endSessions;
  }

  /** A session of this node ended. */
  sessionClosed(sessionId: string): void {
    this.joinedThrough.delete(sessionId);
  }

  /** Who is connected now, on any node: a membership lapses only when its user is connected nowhere. */
  usePresence(isOnline: (userId: string) => boolean): void {
    this.isOnline = isOnline;
  }

  roomCount(): Promise<number> {
    return this.rooms.roomCount();
  }

  /** The user connected: a membership waiting to lapse holds again. */
  userOnline(userId: string): void {
    this.rooms.cancelLapse(userId).catch((error) => this.logError('chatrooms', error));
  }

  /** The user's last connection (on this node; on every node for a cluster's presence) went: the membership lapses after the keep time unless they come back. */
  userOffline(userId: string): void {
    if (this.isOnline(userId)) return;
    this.rooms.roomOf(userId)
      .then((roomId) => (roomId === undefined ? undefined : this.rooms.scheduleLapse(userId, Date.now() + this.keepMs)))
      .catch((error) => this.logError('chatrooms', error));
  }

  private async sweepLapses(): Promise<void> {
    for (const userId of await this.rooms.takeDueLapses(Date.now())) {
      if (this.isOnline(userId)) continue;
      const roomId = await this.rooms.roomOf(userId);
      if (roomId !== undefined) await this.leave(userId, roomId);
    }
  }

  /** Whether the user is in the room now (a dropped connection keeps them in for a while). */
  async isMember(userId: string, roomId: string): Promise<boolean> {
    return (await this.rooms.roomOf(userId)) === roomId;
  }

  /** Whether the user takes room messages of `objectName` (setFilterMessages); the server's own signals always. */
  wants(userId: string, objectName: string): boolean {
    return objectName === KV_NOTIFY_OBJECT_NAME || objectName === MEMBERS_OBJECT_NAME || !this.filters.get(userId)?.has(objectName);
  }

  /** `roomId` when the user is in it; refused unless a member. */
  private async routeLive(userId: string, roomId: string): Promise<string> {
    if (!isValidId(roomId)) throw new ServiceError(ErrorCode.RC_CHATROOM_PATAMETER_INVALID, 'targetId is invalid');
    if ((await this.rooms.roomOf(userId)) !== roomId) throw new ServiceError(ErrorCode.NOT_IN_CHATROOM, `not in chatroom ${roomId}`);
    return roomId;
  }

  /**
   * A message to a room: kept in its recent window, acknowledged, then pushed to the members
   * connected now (each node leaves out what its users filter). `noteSent`: told of a member's
   * message before anyone has it (files it links to become the room's to read).
   */
  async send(userId: string, sessionId: string, outgoing: { clientMsgId: string; targetId: string; objectName: string; content: Uint8Array; priority: number },
    acknowledge: (ack: im.IPubAck) => void, noteSent?: (conversationKey: string) => Promise<void> | undefined): Promise<void> {
    const roomId = await this.routeLive(userId, outgoing.targetId);
    if (outgoing.objectName === 'RC:TypSts') {
      // Who is typing is no news to a room of thousands: acknowledged, shown to no one.
      acknowledge({ code: 0, messageUid: newMessageUid(), clientMsgId: outgoing.clientMsgId, sentTime: Date.now(), seq: 0, cursor: 0 });
      return;
    }
    if (outgoing.objectName === KV_NOTIFY_OBJECT_NAME || outgoing.objectName === MEMBERS_OBJECT_NAME) {
      throw new ServiceError(ErrorCode.PARAMETER_ERROR, `${outgoing.objectName} is the server's to send`);
    }
    const priority = outgoing.priority === MessagePriority.HIGH || outgoing.priority === MessagePriority.LOW ? outgoing.priority : MessagePriority.NORMAL;
    await noteSent?.(roomKey(roomId));
    const untimed = {
      id: 0, conversationKey: roomKey(roomId), conversationType: ConversationType.CHATROOM,
      senderUserId: userId, clientMsgId: outgoing.clientMsgId, messageUid: newMessageUid(), objectName: outgoing.objectName,
      content: outgoing.content, seq: 0, counted: false,
    };
    // Strictly increasing per room: a rejoin asks for what came after the last time it saw.
    const sentTime = await this.rooms.append(roomId, untimed, Date.now(), this.windowSize, WINDOW_BYTES);
    // sentTime before the spread: on Node 20, a property added after a spread costs ~1 µs.
    const message: StoredMessage = { sentTime, ...untimed };
    acknowledge({ code: 0, messageUid: message.messageUid, clientMsgId: message.clientMsgId, sentTime, seq: 0, cursor: 0 });
    const recipients = await this.rooms.memberIds(roomId);
    if (recipients.length) this.bus.publish({ kind: 'message', recipients, message, fromSessionId: sessionId, persisted: false, priority });
  }

  async query(userId: string, topic: string, body: Record<string, unknown>, sessionId = ''): Promise<unknown> {
    switch (topic) {
      case 'room.join': {
        const answer = await this.join(userId, body);
        if (sessionId) this.joinedThrough.add(sessionId);
        return answer;
      }
      case 'room.quit': {
        const roomId = roomIdOf(body);
        if ((await this.rooms.roomOf(userId)) !== roomId) throw new ServiceError(ErrorCode.NOT_IN_CHATROOM, `not in chatroom ${roomId}`);
        await this.leave(userId, roomId);
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
        const roomId = await this.routeLive(userId, roomIdOf(body));
        const entry = await this.rooms.entry(roomId, String(body.key));
        if (!entry) throw new ServiceError(ErrorCode.CHATROOM_KEY_NOT_EXIST, 'no such key');
        return publicEntry(entry);
      }
      case 'room.kv.all': {
        const roomId = await this.routeLive(userId, roomIdOf(body));
        // At most 100 keys of up to 4 KB: the page is cut by bytes, and `hasMore` tells of the rest.
        const page = takePage((await this.rooms.entries(roomId)).map(publicEntry), MAX_KEYS, JSON_PAGE);
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
  private async join(userId: string, body: Record<string, unknown>): Promise<unknown> {
    const roomId = roomIdOf(body);
    const count = integer(body.count, 0);
    const after = integer(body.after, 0);
    if (count < -1) throw new ServiceError(ErrorCode.RC_CHATROOM_PATAMETER_INVALID, 'count is -1, 0 or more');
    const joined = await this.rooms.join(roomId, userId, Date.now(), this.maxMembers);
    if (joined.full) throw new ServiceError(ErrorCode.RC_CHATROOM_IS_FULL, `chatroom ${roomId} is full`);
    if (joined.left) this.afterLeave(userId, joined.left.roomId, joined.left);
    if (joined.added) this.noticeMembers(roomId);
    else await this.rooms.cancelLapse(userId);
    const { messages: recent, lastSentTime } = await this.rooms.recent(roomId);
    if (body.after !== undefined) {
      const missed = recent.filter((m) => m.sentTime > after);
      // Newest last; what does not fit in one answer is asked for by history.
      const page = takePage(missed.reverse().map(toWireRecord), this.windowSize, JSON_PAGE);
      return { roomId, memberCount: joined.memberCount, messages: page.items.reverse(), hasMore: page.hasMore, time: lastSentTime };
    }
    const wanted = count === -1 ? 0 : Math.min(count === 0 ? DEFAULT_JOIN_MESSAGES : count, MAX_JOIN_MESSAGES);
    const messages = wanted > 0 ? recent.slice(-wanted) : [];
    const page = takePage(messages.reverse().map(toWireRecord), MAX_JOIN_MESSAGES, JSON_PAGE);
    // `time`: what a rejoin asks to have after, when no message came since.
    return { roomId, memberCount: joined.memberCount, messages: page.items.reverse(), hasMore: page.hasMore, time: lastSentTime };
  }

  /** Takes the user out of the room: their autoDelete entries go; an empty room goes. */
  private async leave(userId: string, roomId: string): Promise<void> {
    const outcome = await this.rooms.leave(roomId, userId);
    if (outcome) this.afterLeave(userId, roomId, outcome);
  }

  /** The others hear of a leave: the entries that went with the user, and the count. */
  private afterLeave(userId: string, roomId: string, outcome: LeaveOutcome): void {
    for (const key of outcome.removedKeys) this.noticeEntry(roomId, userId, 2, key, '', '');
    if (outcome.gone) {
      clearTimeout(this.membersNotices.get(roomId)?.timer);
      this.membersNotices.delete(roomId);
    } else {
      this.noticeMembers(roomId);
    }
  }

  /** Members online now and some of them (seed order: 1 oldest joiners first, 2 newest first). */
  private async info(userId: string, body: Record<string, unknown>): Promise<unknown> {
    const roomId = await this.routeLive(userId, roomIdOf(body));
    const count = integer(body.count, 0);
    const order = integer(body.order, 1);
    if (count < 0 || count > MAX_INFO_MEMBERS) throw new ServiceError(ErrorCode.RC_CHATROOM_PATAMETER_INVALID, `count is 0–${MAX_INFO_MEMBERS}`);
    if (order !== 1 && order !== 2) throw new ServiceError(ErrorCode.RC_CHATROOM_PATAMETER_INVALID, 'order is 1 (oldest first) or 2 (newest first)');
    const all = await this.rooms.members(roomId);
    const picked = (order === 1 ? all.slice(0, count) : all.slice(-count || all.length).reverse().slice(0, count));
    return { roomId, userTotalNums: all.length, userInfos: picked };
  }

  /**
   * The recent window, on demand (seed order: 0 older than `timestamp`, newest first from it; 1
   * newer than it). Answered oldest first either way.
   */
  private async history(userId: string, body: Record<string, unknown>): Promise<unknown> {
    const roomId = await this.routeLive(userId, roomIdOf(body));
    const count = integer(body.count, 20);
    const order = integer(body.order, 0);
    const timestamp = integer(body.timestamp, 0);
    if (count < 1 || count > MAX_HISTORY) throw new ServiceError(ErrorCode.RC_CHATROOM_PATAMETER_INVALID, `count is 1–${MAX_HISTORY}`);
    if (order !== 0 && order !== 1) throw new ServiceError(ErrorCode.RC_CHATROOM_PATAMETER_INVALID, 'order is 0 (older) or 1 (newer)');
    const { messages: recent } = await this.rooms.recent(roomId);
    if (order === 0) {
      const older = recent.filter((m) => timestamp <= 0 || m.sentTime < timestamp).reverse();
      const page = takePage(older.map(toWireRecord), count, JSON_PAGE);
      return { messages: page.items.reverse(), hasMore: page.hasMore };
    }
    const newer = recent.filter((m) => m.sentTime > timestamp);
    const page = takePage(newer.map(toWireRecord), count, JSON_PAGE);
    return { messages: page.items, hasMore: page.hasMore };
  }

  private async setEntry(userId: string, body: Record<string, unknown>): Promise<unknown> {
    const roomId = await this.routeLive(userId, roomIdOf(body));
    const { key, value } = body;
    const extra = body.notificationExtra ?? '';
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) throw new ServiceError(ErrorCode.RC_CHATROOM_PATAMETER_INVALID, 'key: 1–128 of A-Z a-z 0-9 _ + = -');
    if (typeof value !== 'string' || value.length > MAX_VALUE) throw new ServiceError(ErrorCode.RC_CHATROOM_PATAMETER_INVALID, `value: a string of at most ${MAX_VALUE}`);
    if (typeof extra !== 'string' || extra.length > MAX_EXTRA) throw new ServiceError(ErrorCode.RC_CHATROOM_PATAMETER_INVALID, `notificationExtra: at most ${MAX_EXTRA}`);
    const entry: RoomEntry = { key, value, userId, time: Date.now(), autoDelete: body.autoDelete === true };
    const outcome = await this.rooms.setEntry(roomId, entry, body.force === true, MAX_KEYS);
    if (outcome === 'overwrite') throw new ServiceError(ErrorCode.CHATROOM_KV_OVERWRITE_INVALID, `key ${key} was set by another user`);
    if (outcome === 'exceed') throw new ServiceError(ErrorCode.CHATROOM_KV_EXCEED, `at most ${MAX_KEYS} keys per room`);
    if (body.isSendNotification !== false) this.noticeEntry(roomId, userId, 1, key, value, extra);
    return publicEntry(entry);
  }

  private async removeEntry(userId: string, body: Record<string, unknown>): Promise<unknown> {
    const roomId = await this.routeLive(userId, roomIdOf(body));
    const key = body.key;
    const extra = body.notificationExtra ?? '';
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) throw new ServiceError(ErrorCode.RC_CHATROOM_PATAMETER_INVALID, 'key: 1–128 of A-Z a-z 0-9 _ + = -');
    if (typeof extra !== 'string' || extra.length > MAX_EXTRA) throw new ServiceError(ErrorCode.RC_CHATROOM_PATAMETER_INVALID, `notificationExtra: at most ${MAX_EXTRA}`);
    const outcome = await this.rooms.removeEntry(roomId, key, userId, body.force === true);
    if (outcome === 'missing') throw new ServiceError(ErrorCode.CHATROOM_KEY_NOT_EXIST, `no key ${key}`);
    if (outcome === 'overwrite') throw new ServiceError(ErrorCode.CHATROOM_KV_OVERWRITE_INVALID, `key ${key} was set by another user`);
    if (body.isSendNotification !== false) this.noticeEntry(roomId, userId, 2, key, '', extra);
    return {};
  }

  /** A KV change, live to every member (the setter's other devices too): type 1 set, 2 removed. */
  private noticeEntry(roomId: string, userId: string, type: 1 | 2, key: string, value: string, extra: string): void {
    this.signal(roomId, userId, KV_NOTIFY_OBJECT_NAME, () => ({ type, key, value, extra }));
  }

  /** The member count, live: at once, or a second after the last one when they come fast (per node). */
  private noticeMembers(roomId: string): void {
    let notice = this.membersNotices.get(roomId);
    if (!notice) this.membersNotices.set(roomId, notice = { sentAt: 0, timer: undefined });
    if (notice.timer) return;
    const wait = notice.sentAt + MEMBERS_NOTICE_MS - Date.now();
    const current = notice;
    const send = () => {
      current.timer = undefined;
      current.sentAt = Date.now();
      this.signal(roomId, ROOM_SENDER, MEMBERS_OBJECT_NAME, async () => ({ count: await this.rooms.memberCount(roomId) }));
    };
    if (wait <= 0) send();
    else {
      current.timer = setTimeout(send, wait);
      current.timer.unref();
    }
  }

  /** A signal to every member now (nothing when the room is gone), its content made when sent. */
  private signal(roomId: string, senderUserId: string, objectName: string, content: () => unknown): void {
    void (async () => {
      const recipients = await this.rooms.memberIds(roomId);
      if (!recipients.length) return;
      const message: StoredMessage = {
        id: 0, conversationKey: roomKey(roomId), conversationType: ConversationType.CHATROOM,
        senderUserId, clientMsgId: newMessageUid(), messageUid: newMessageUid(), objectName, content: json(await content()),
        sentTime: Date.now(), seq: 0, counted: false,
      };
      this.bus.publish({ kind: 'message', recipients, message, fromSessionId: '', persisted: false, priority: MessagePriority.HIGH });
    })().catch((error) => this.logError('chatrooms', error));
  }

  async close(): Promise<void> {
    clearInterval(this.lapseTimer);
    for (const notice of this.membersNotices.values()) clearTimeout(notice.timer);
    await this.rooms.close();
  }
}

function publicEntry(entry: RoomEntry): ChatroomEntry {
  return { key: entry.key, value: entry.value, userId: entry.userId, time: entry.time };
}
