import type { ChatroomEntry, ChatroomMember } from '../core/protocol/chatroom-records.js';
import { ownBytes, type StoredMessage } from './storage/chat-store.js';

/** A KV entry as kept: the public record and whether it goes with its setter. */
export interface RoomEntry extends ChatroomEntry {
  autoDelete: boolean;
}

/** What a leave did: the setter's autoDelete keys removed, the members left, whether the room went with it. */
export interface LeaveOutcome {
  removedKeys: string[];
  memberCount: number;
  gone: boolean;
}

export type JoinOutcome =
  | { full: true }
  | {
    full: false;
    /** False when the user was a member already. */
    added: boolean;
    /** The user's other room, left on the way. */
    left?: { roomId: string } & LeaveOutcome;
    memberCount: number;
  };

/** A message for the window, without its time: the store gives it (strictly increasing per room). */
export type UntimedMessage = Omit<StoredMessage, 'sentTime'>;

/**
 * Where chatrooms' state lives: members, one room per user, the recent window, KV entries and
 * memberships waiting to lapse. One node keeps it in memory (MemoryRoomStore); the nodes of a
 * cluster share one in Redis (RedisRoomStore, chatroom-redis.ts), so a room is the same room
 * whichever node its members are on. Each call is atomic.
 */
export interface RoomStore {
  roomOf(userId: string): Promise<string | undefined>;
  /** Joins the room (made by its first join), leaving the user's other room first; refused past `maxMembers` (0: no cap). */
  join(roomId: string, userId: string, now: number, maxMembers: number): Promise<JoinOutcome>;
  /** Takes the user out (undefined when not in it): their autoDelete entries go; an empty room goes. */
  leave(roomId: string, userId: string): Promise<LeaveOutcome | undefined>;
  /** Members in join order (oldest first). */
  members(roomId: string): Promise<ChatroomMember[]>;
  /** Their ids alone (a message's recipients). */
  memberIds(roomId: string): Promise<string[]>;
  memberCount(roomId: string): Promise<number>;
  /** Adds a message to the window, which keeps at most `windowSize` messages and `windowBytes` content bytes; returns its sentTime. */
  append(roomId: string, message: UntimedMessage, now: number, windowSize: number, windowBytes: number): Promise<number>;
  /** The window, oldest first, and the last sentTime given (0: none). */
  recent(roomId: string): Promise<{ messages: StoredMessage[]; lastSentTime: number }>;
  entries(roomId: string): Promise<RoomEntry[]>;
  entry(roomId: string, key: string): Promise<RoomEntry | undefined>;
  /** 'overwrite': set by another user (and not forced); 'exceed': a new key past `maxKeys`. */
  setEntry(roomId: string, entry: RoomEntry, force: boolean, maxKeys: number): Promise<'ok' | 'overwrite' | 'exceed'>;
  removeEntry(roomId: string, key: string, userId: string, force: boolean): Promise<'ok' | 'missing' | 'overwrite'>;
  /** A membership that lapses at `at` unless cancelled (the user came back). */
  scheduleLapse(userId: string, at: number): Promise<void>;
  cancelLapse(userId: string): Promise<void>;
  /** The lapses due by `now`, each handed to one caller only. */
  takeDueLapses(now: number): Promise<string[]>;
  roomCount(): Promise<number>;
  /** Tells `handler` when the rooms were lost (a Redis that restarted empty); memory never is. */
  onReset(handler: () => void): void;
  close(): Promise<void>;
}

interface MemoryRoom {
  members: Map<string, number>;
  recent: StoredMessage[];
  recentBytes: number;
  lastSentTime: number;
  entries: Map<string, RoomEntry>;
}

/** One node's rooms, in its memory. */
export class MemoryRoomStore implements RoomStore {
  private readonly rooms = new Map<string, MemoryRoom>();
  private readonly roomOfUser = new Map<string, string>();
  private readonly lapses = new Map<string, number>();

  async roomOf(userId: string): Promise<string | undefined> {
    return this.roomOfUser.get(userId);
  }

  async join(roomId: string, userId: string, now: number, maxMembers: number): Promise<JoinOutcome> {
    const current = this.roomOfUser.get(userId);
    let room = this.rooms.get(roomId);
    if (current === roomId && room?.members.has(userId)) return { full: false, added: false, memberCount: room.members.size };
    if (maxMembers > 0 && room && room.members.size >= maxMembers) return { full: true };
    const left = current !== undefined ? await this.leave(current, userId) : undefined;
    if (!room) {
      room = { members: new Map(), recent: [], recentBytes: 0, lastSentTime: 0, entries: new Map() };
      this.rooms.set(roomId, room);
    }
    room.members.set(userId, now);
    this.roomOfUser.set(userId, roomId);
    return { full: false, added: true, memberCount: room.members.size, ...(left && current !== undefined ? { left: { roomId: current, ...left } } : {}) };
  }

  async leave(roomId: string, userId: string): Promise<LeaveOutcome | undefined> {
    const room = this.rooms.get(roomId);
    if (this.roomOfUser.get(userId) === roomId) this.roomOfUser.delete(userId);
    this.lapses.delete(userId);
    if (!room?.members.delete(userId)) return undefined;
    const removedKeys: string[] = [];
    for (const entry of [...room.entries.values()]) {
      if (entry.autoDelete && entry.userId === userId) {
        room.entries.delete(entry.key);
        removedKeys.push(entry.key);
      }
    }
    const gone = room.members.size === 0;
    if (gone) this.rooms.delete(roomId);
    return { removedKeys, memberCount: room.members.size, gone };
  }

  async members(roomId: string): Promise<ChatroomMember[]> {
    return [...this.rooms.get(roomId)?.members ?? []].map(([userId, time]) => ({ userId, time }));
  }

  async memberIds(roomId: string): Promise<string[]> {
    return [...this.rooms.get(roomId)?.members.keys() ?? []];
  }

  async memberCount(roomId: string): Promise<number> {
    return this.rooms.get(roomId)?.members.size ?? 0;
  }

  async append(roomId: string, message: UntimedMessage, now: number, windowSize: number, windowBytes: number): Promise<number> {
    const room = this.rooms.get(roomId);
    const sentTime = Math.max(now, (room?.lastSentTime ?? 0) + 1);
    if (!room) return sentTime;
    room.lastSentTime = sentTime;
    // Its own bytes: a view into the frame's read would pin the whole read, and the window's
    // byte cap would not bound its memory. (sentTime before the spread: after one, on Node 20, a new
    // property costs ~1 µs.)
    room.recent.push({ sentTime, ...message, content: ownBytes(message.content) });
    room.recentBytes += message.content.byteLength;
    while (room.recent.length > windowSize || (room.recentBytes > windowBytes && room.recent.length > 1)) {
      room.recentBytes -= room.recent.shift()!.content.byteLength;
    }
    return sentTime;
  }

  async recent(roomId: string): Promise<{ messages: StoredMessage[]; lastSentTime: number }> {
    const room = this.rooms.get(roomId);
    return { messages: room?.recent.slice() ?? [], lastSentTime: room?.lastSentTime ?? 0 };
  }

  async entries(roomId: string): Promise<RoomEntry[]> {
    return [...this.rooms.get(roomId)?.entries.values() ?? []];
  }

  async entry(roomId: string, key: string): Promise<RoomEntry | undefined> {
    return this.rooms.get(roomId)?.entries.get(key);
  }

  async setEntry(roomId: string, entry: RoomEntry, force: boolean, maxKeys: number): Promise<'ok' | 'overwrite' | 'exceed'> {
    const room = this.rooms.get(roomId);
    if (!room) return 'ok';
    const existing = room.entries.get(entry.key);
    if (existing && existing.userId !== entry.userId && !force) return 'overwrite';
    if (!existing && room.entries.size >= maxKeys) return 'exceed';
    room.entries.set(entry.key, entry);
    return 'ok';
  }

  async removeEntry(roomId: string, key: string, userId: string, force: boolean): Promise<'ok' | 'missing' | 'overwrite'> {
    const room = this.rooms.get(roomId);
    const existing = room?.entries.get(key);
    if (!room || !existing) return 'missing';
    if (existing.userId !== userId && !force) return 'overwrite';
    room.entries.delete(key);
    return 'ok';
  }

  async scheduleLapse(userId: string, at: number): Promise<void> {
    this.lapses.set(userId, at);
  }

  async cancelLapse(userId: string): Promise<void> {
    this.lapses.delete(userId);
  }

  async takeDueLapses(now: number): Promise<string[]> {
    const due = [...this.lapses].filter(([, at]) => at <= now).map(([userId]) => userId);
    for (const userId of due) this.lapses.delete(userId);
    return due;
  }

  async roomCount(): Promise<number> {
    return this.rooms.size;
  }

  onReset(): void {}

  async close(): Promise<void> {}
}
