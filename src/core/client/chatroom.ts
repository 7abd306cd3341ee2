import { ConversationType } from '../protocol/codes.js';
import type { ChatroomEntry, ChatroomMember, ChatroomWireMessage } from '../protocol/chatroom-records.js';
import type { DecodedMessage, IMMessage } from './types.js';

export type { ChatroomEntry, ChatroomMember };

import { CHATROOM_KV_OBJECT_NAME, CHATROOM_MEMBERS_OBJECT_NAME } from './chatroom-names.js';

export { CHATROOM_KV_OBJECT_NAME, CHATROOM_MEMBERS_OBJECT_NAME, MessagePriority } from './chatroom-names.js';

export interface ChatroomJoinResult {
  roomId: string;
  /** Members in the room now (this user included). */
  memberCount: number;
  /** The recent messages asked for (oldest first); each also comes as a `message` event. */
  messages: IMMessage[];
}

export interface ChatroomInfo {
  roomId: string;
  /** Members in the room (the seed's name). */
  userTotalNums: number;
  /** Some of them, by join time (order 1 oldest first, 2 newest first). */
  userInfos: ChatroomMember[];
}

/** A KV entry changed in the user's room: `type` 1 set, 2 removed; `userId` who did it. */
export interface ChatroomEntryEvent {
  roomId: string;
  type: 1 | 2;
  key: string;
  value: string;
  userId: string;
  extra: string;
}

export interface ChatroomMembersEvent {
  roomId: string;
  count: number;
}

/** A client's room (with the time of the last message seen there) and filter. */
export interface ChatroomState {
  roomId?: string;
  lastSentTime?: number;
  objectNames: string[];
}

/** After a reconnect the client joins its room again: `rejoined`, or `failed` with the refusal's code. */
export interface ChatroomStatusEvent {
  roomId: string;
  status: 'rejoined' | 'failed';
  code?: number;
}

export interface ChatroomEntryOptions {
  key: string;
  value: string;
  /** The entry goes when its setter leaves the room (quits, or its membership lapses). */
  autoDelete?: boolean;
  /** Tell the members (default true). */
  isSendNotification?: boolean;
  notificationExtra?: string;
}

export interface ChatroomRemoveOptions {
  key: string;
  isSendNotification?: boolean;
  notificationExtra?: string;
}

/** More than a room's window (200 by default) holds. */
const SEEN_LIMIT = 1000;

interface Hooks {
  query<T>(topic: string, body: Record<string, unknown>): Promise<T>;
  toMessage(wire: DecodedMessage): IMMessage;
  emitMessage(message: IMMessage): void;
  emitEntry(event: ChatroomEntryEvent): void;
  emitMembers(event: ChatroomMembersEvent): void;
  emitStatus(event: ChatroomStatusEvent): void;
}

/** A join or history answer's message as the wire message the client turns into an IMMessage. */
export function fromChatroomRecord(record: ChatroomWireMessage, roomId: string): DecodedMessage {
  return {
    messageUid: record.messageUid, clientMsgId: record.clientMsgId, conversationType: ConversationType.CHATROOM, targetId: roomId,
    senderUserId: record.senderUserId, objectName: record.objectName, content: new TextEncoder().encode(record.content),
    sentTime: record.sentTime, seq: 0, cursor: 0, counted: false, persisted: false,
  };
}

/**
 * The client's side of chatrooms (conversation type 4): the room it is in, the newest message
 * time seen there (a rejoin after a dropped connection asks for what came after it), and the
 * objectNames filtered out.
 */
export class ChatroomTracker {
  private room: { roomId: string; lastSentTime: number } | undefined;
  private filter = new Set<string>();
  /** The room's messages seen lately: a rejoin's answer may repeat one that came live meanwhile. */
  private readonly seen = new Set<string>();

  constructor(private readonly hooks: Hooks) {}

  get roomId(): string | undefined {
    return this.room?.roomId;
  }

  async join(roomId: string, count: number): Promise<ChatroomJoinResult> {
    // An explicit join hands out the recent messages again, also those seen on an earlier visit.
    this.seen.clear();
    const answer = await this.hooks.query<{ roomId: string; memberCount: number; messages: ChatroomWireMessage[]; time?: number }>(
      'room.join', { roomId, count });
    const lastSentTime = Math.max(answer.time ?? 0, ...answer.messages.map((m) => m.sentTime));
    this.room = { roomId, lastSentTime };
    const messages = this.deliver(roomId, answer.messages);
    return { roomId, memberCount: answer.memberCount, messages };
  }

  async quit(roomId: string): Promise<void> {
    await this.hooks.query('room.quit', { roomId });
    if (this.room?.roomId === roomId) this.room = undefined;
  }

  /** Connected again: join the room again, with every message of its window since the last one seen. */
  async rejoin(): Promise<void> {
    const room = this.room;
    if (this.filter.size) await this.hooks.query('room.filter', { objectNames: [...this.filter] }).catch(() => undefined);
    if (!room) return;
    try {
      const answer = await this.hooks.query<{ memberCount: number; messages: ChatroomWireMessage[] }>(
        'room.join', { roomId: room.roomId, count: -1, after: room.lastSentTime });
      if (this.room !== room) return;
      this.deliver(room.roomId, answer.messages);
      this.hooks.emitMembers({ roomId: room.roomId, count: answer.memberCount });
      this.hooks.emitStatus({ roomId: room.roomId, status: 'rejoined' });
    } catch (error) {
      if (this.room === room) this.room = undefined;
      this.hooks.emitStatus({ roomId: room.roomId, status: 'failed', code: (error as { code?: number })?.code });
    }
  }

  /** The room and filter, as a new leading tab needs them to carry on (TabSharedClient). */
  get state(): ChatroomState {
    return { ...(this.room ? { roomId: this.room.roomId, lastSentTime: this.room.lastSentTime } : {}), objectNames: [...this.filter] };
  }

  /** Takes over another client's room and filter (a leading tab that went), and joins again like after a reconnect. */
  resume(state: ChatroomState): Promise<void> {
    this.filter = new Set(state.objectNames);
    this.room = state.roomId === undefined ? undefined : { roomId: state.roomId, lastSentTime: state.lastSentTime ?? 0 };
    return this.rejoin();
  }

  async setFilter(objectNames: string[], connected: boolean): Promise<void> {
    this.filter = new Set(objectNames);
    if (connected) await this.hooks.query('room.filter', { objectNames });
  }

  /** Whether a message of a room is left out for this user. */
  filtered(objectName: string): boolean {
    return this.filter.has(objectName);
  }

  /** Notes a sent message's time (the server's), so a rejoin does not ask for it again. */
  noteSent(roomId: string, sentTime: number): void {
    if (this.room?.roomId === roomId && sentTime > this.room.lastSentTime) this.room.lastSentTime = sentTime;
  }

  /**
   * A live message of a room: signals become events, filtered ones go, the others are noted
   * and handed back to be emitted as `message`. Returns whether it was consumed here.
   */
  intercept(wire: Pick<DecodedMessage, 'objectName' | 'content' | 'targetId' | 'senderUserId' | 'sentTime' | 'messageUid'>): boolean {
    if (wire.objectName === CHATROOM_MEMBERS_OBJECT_NAME || wire.objectName === CHATROOM_KV_OBJECT_NAME) {
      let content: Record<string, unknown> = {};
      try {
        content = JSON.parse(new TextDecoder().decode(wire.content)) as Record<string, unknown>;
      } catch { /* the server's own JSON */ }
      if (wire.objectName === CHATROOM_MEMBERS_OBJECT_NAME) {
        this.hooks.emitMembers({ roomId: wire.targetId, count: Number(content.count) || 0 });
      } else {
        this.hooks.emitEntry({
          roomId: wire.targetId, type: content.type === 2 ? 2 : 1, key: String(content.key ?? ''), value: String(content.value ?? ''),
          userId: wire.senderUserId, extra: String(content.extra ?? ''),
        });
      }
      return true;
    }
    this.noteSent(wire.targetId, wire.sentTime);
    return this.filtered(wire.objectName) || this.repeated(wire.messageUid);
  }

  private repeated(messageUid: string): boolean {
    if (this.seen.has(messageUid)) return true;
    this.seen.add(messageUid);
    if (this.seen.size > SEEN_LIMIT) this.seen.delete(this.seen.values().next().value!);
    return false;
  }

  private deliver(roomId: string, records: ChatroomWireMessage[]): IMMessage[] {
    const messages: IMMessage[] = [];
    for (const record of records) {
      this.noteSent(roomId, record.sentTime);
      if (this.filtered(record.objectName) || this.repeated(record.messageUid)) continue;
      const message = this.hooks.toMessage(fromChatroomRecord(record, roomId));
      messages.push(message);
      this.hooks.emitMessage(message);
    }
    return messages;
  }

  history(roomId: string, count: number, order: number, timestamp: number): Promise<{ messages: IMMessage[]; hasMore: boolean }> {
    return this.hooks.query<{ messages: ChatroomWireMessage[]; hasMore: boolean }>('room.history', { roomId, count, order, timestamp })
      .then((answer) => ({
        messages: answer.messages.filter((m) => !this.filtered(m.objectName)).map((m) => this.hooks.toMessage(fromChatroomRecord(m, roomId))),
        hasMore: answer.hasMore,
      }));
  }
}
