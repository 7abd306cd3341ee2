import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ChatroomMember } from '../core/protocol/chatroom-records.js';
import { ConversationType } from '../core/protocol/codes.js';
import type { StoredMessage } from './storage/chat-store.js';
import type { JoinOutcome, LeaveOutcome, RoomEntry, RoomStore, UntimedMessage } from './chatroom-store.js';

/*
 * Keys, under the cluster's prefix P:
 *   P:user-room          hash  user → their room
 *   P:rooms              set   rooms that have members
 *   P:lapses             zset  user → when their membership lapses
 *   P:r:ROOM:members     zset  member → join number (join order)
 *   P:r:ROOM:joined      hash  member → join time (ms)
 *   P:r:ROOM:meta        hash  joins (counter), last (last sentTime), bytes (window content bytes)
 *   P:r:ROOM:recent      list  "sentTime|bytes|json", oldest first
 *   P:r:ROOM:kv          hash  key → JSON entry
 * Every change is one Lua script, so it is atomic whichever node runs it. The keys are built in
 * the scripts: one Redis server (or a primary), as the bus itself needs.
 */

/** The leave every script shares: returns nil when the user was not in the room. */
const LEAVE = `
local function roomKey(P, room, part) return P .. ':r:' .. room .. ':' .. part end
local function leave(P, room, user)
  if redis.call('HGET', P .. ':user-room', user) == room then redis.call('HDEL', P .. ':user-room', user) end
  redis.call('ZREM', P .. ':lapses', user)
  if redis.call('ZREM', roomKey(P, room, 'members'), user) == 0 then return nil end
  redis.call('HDEL', roomKey(P, room, 'joined'), user)
  local removed = {}
  local kv = redis.call('HGETALL', roomKey(P, room, 'kv'))
  for i = 1, #kv, 2 do
    local entry = cjson.decode(kv[i + 1])
    if entry.autoDelete and entry.userId == user then
      redis.call('HDEL', roomKey(P, room, 'kv'), kv[i])
      table.insert(removed, kv[i])
    end
  end
  local count = redis.call('ZCARD', roomKey(P, room, 'members'))
  if count == 0 then
    redis.call('DEL', roomKey(P, room, 'members'), roomKey(P, room, 'joined'), roomKey(P, room, 'meta'), roomKey(P, room, 'recent'), roomKey(P, room, 'kv'))
    redis.call('SREM', P .. ':rooms', room)
  end
  return { removedKeys = removed, memberCount = count, gone = count == 0 }
end
`;

/** ARGV: P, room, user, now, maxMembers. */
const JOIN = `${LEAVE}
local P, room, user, now, max = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local members = roomKey(P, room, 'members')
local current = redis.call('HGET', P .. ':user-room', user)
if current == room and redis.call('ZSCORE', members, user) then
  return cjson.encode({ full = false, added = false, memberCount = redis.call('ZCARD', members) })
end
if max > 0 and redis.call('ZCARD', members) >= max then return cjson.encode({ full = true }) end
local left = nil
if current then
  left = leave(P, current, user)
  if left then left.roomId = current end
end
local n = redis.call('HINCRBY', roomKey(P, room, 'meta'), 'joins', 1)
redis.call('ZADD', members, n, user)
redis.call('HSET', roomKey(P, room, 'joined'), user, now)
redis.call('HSET', P .. ':user-room', user, room)
redis.call('SADD', P .. ':rooms', room)
return cjson.encode({ full = false, added = true, memberCount = redis.call('ZCARD', members), left = left })
`;

/** ARGV: P, room, user. */
const LEAVE_ROOM = `${LEAVE}
local outcome = leave(ARGV[1], ARGV[2], ARGV[3])
if not outcome then return false end
return cjson.encode(outcome)
`;

/** ARGV: P, room, now, bytes, windowSize, windowBytes, payload. */
const APPEND = `
local function roomKey(P, room, part) return P .. ':r:' .. room .. ':' .. part end
local P, room, now, bytes, size, maxBytes = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local meta, recent = roomKey(P, room, 'meta'), roomKey(P, room, 'recent')
if redis.call('EXISTS', roomKey(P, room, 'members')) == 0 then return now end
local sent = math.max(now, tonumber(redis.call('HGET', meta, 'last') or '0') + 1)
redis.call('HSET', meta, 'last', string.format('%d', sent))
redis.call('RPUSH', recent, string.format('%d', sent) .. '|' .. bytes .. '|' .. ARGV[7])
local total = redis.call('HINCRBY', meta, 'bytes', bytes)
local length = redis.call('LLEN', recent)
while length > size or (total > maxBytes and length > 1) do
  local head = redis.call('LPOP', recent)
  total = redis.call('HINCRBY', meta, 'bytes', -tonumber(string.match(head, '^%d+|(%d+)|')))
  length = length - 1
end
return sent
`;

/** ARGV: P, room, key, entry JSON, user, force (1/0), maxKeys. */
const SET_ENTRY = `
local kv = ARGV[1] .. ':r:' .. ARGV[2] .. ':kv'
if redis.call('EXISTS', ARGV[1] .. ':r:' .. ARGV[2] .. ':members') == 0 then return 'ok' end
local existing = redis.call('HGET', kv, ARGV[3])
if existing then
  if cjson.decode(existing).userId ~= ARGV[5] and ARGV[6] ~= '1' then return 'overwrite' end
elseif redis.call('HLEN', kv) >= tonumber(ARGV[7]) then
  return 'exceed'
end
redis.call('HSET', kv, ARGV[3], ARGV[4])
return 'ok'
`;

/** ARGV: P, room, key, user, force (1/0). */
const REMOVE_ENTRY = `
local kv = ARGV[1] .. ':r:' .. ARGV[2] .. ':kv'
local existing = redis.call('HGET', kv, ARGV[3])
if not existing then return 'missing' end
if cjson.decode(existing).userId ~= ARGV[4] and ARGV[5] ~= '1' then return 'overwrite' end
redis.call('HDEL', kv, ARGV[3])
return 'ok'
`;

/** KEYS[1]: the lapses; ARGV[1]: now. Each due lapse is taken by one caller. */
const TAKE_DUE = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
for _, user in ipairs(due) do redis.call('ZREM', KEYS[1], user) end
return due
`;

interface Scripts {
  imRoomJoin(...args: string[]): Promise<string>;
  imRoomLeave(...args: string[]): Promise<string | null>;
  imRoomAppend(...args: string[]): Promise<number>;
  imRoomSetEntry(...args: string[]): Promise<'ok' | 'overwrite' | 'exceed'>;
  imRoomRemoveEntry(...args: string[]): Promise<'ok' | 'missing' | 'overwrite'>;
  imRoomTakeDue(key: string, now: string): Promise<string[]>;
}

/** A message in the window as kept: what the room's key and type do not already say, content as base64. */
interface WindowRecord { s: string; c: string; u: string; o: string; b: string }

/** cjson writes an empty Lua table as {}: the removed keys of a leave, as a list either way. */
const asLeave = (raw: { removedKeys: unknown; memberCount: number; gone: boolean }): LeaveOutcome => ({
  removedKeys: Array.isArray(raw.removedKeys) ? raw.removedKeys as string[] : [], memberCount: raw.memberCount, gone: raw.gone,
});

/** The rooms of a cluster, in Redis: the same rooms on every node. */
export class RedisRoomStore implements RoomStore {
  private readonly scripts: Scripts;

  /** `redis`: a command connection (not a subscriber); `prefix`: the cluster's key prefix. */
  constructor(private readonly redis: Redis, private readonly prefix: string) {
    redis.defineCommand('imRoomJoin', { numberOfKeys: 0, lua: JOIN });
    redis.defineCommand('imRoomLeave', { numberOfKeys: 0, lua: LEAVE_ROOM });
    redis.defineCommand('imRoomAppend', { numberOfKeys: 0, lua: APPEND });
    redis.defineCommand('imRoomSetEntry', { numberOfKeys: 0, lua: SET_ENTRY });
    redis.defineCommand('imRoomRemoveEntry', { numberOfKeys: 0, lua: REMOVE_ENTRY });
    redis.defineCommand('imRoomTakeDue', { numberOfKeys: 1, lua: TAKE_DUE });
    this.scripts = redis as unknown as Scripts;
  }

  private key(roomId: string, part: string): string {
    return `${this.prefix}:r:${roomId}:${part}`;
  }

  async roomOf(userId: string): Promise<string | undefined> {
    return (await this.redis.hget(`${this.prefix}:user-room`, userId)) ?? undefined;
  }

  async join(roomId: string, userId: string, now: number, maxMembers: number): Promise<JoinOutcome> {
    const raw = JSON.parse(await this.scripts.imRoomJoin(this.prefix, roomId, userId, String(now), String(maxMembers)));
    if (raw.full) return { full: true };
    return {
      full: false, added: raw.added, memberCount: raw.memberCount,
      ...(raw.left ? { left: { roomId: raw.left.roomId, ...asLeave(raw.left) } } : {}),
    };
  }

  async leave(roomId: string, userId: string): Promise<LeaveOutcome | undefined> {
    const raw = await this.scripts.imRoomLeave(this.prefix, roomId, userId);
    return raw ? asLeave(JSON.parse(raw)) : undefined;
  }

  async members(roomId: string): Promise<ChatroomMember[]> {
    const result = await this.redis.multi().zrange(this.key(roomId, 'members'), 0, -1).hgetall(this.key(roomId, 'joined')).exec();
    const ids = (result?.[0]?.[1] ?? []) as string[];
    const joined = (result?.[1]?.[1] ?? {}) as Record<string, string>;
    return ids.map((userId) => ({ userId, time: Number(joined[userId] ?? 0) }));
  }

  memberIds(roomId: string): Promise<string[]> {
    return this.redis.zrange(this.key(roomId, 'members'), 0, -1);
  }

  async memberCount(roomId: string): Promise<number> {
    return this.redis.zcard(this.key(roomId, 'members'));
  }

  async append(roomId: string, message: UntimedMessage, now: number, windowSize: number, windowBytes: number): Promise<number> {
    const record: WindowRecord = {
      s: message.senderUserId, c: message.clientMsgId, u: message.messageUid, o: message.objectName,
      b: Buffer.from(message.content.buffer, message.content.byteOffset, message.content.byteLength).toString('base64'),
    };
    return Number(await this.scripts.imRoomAppend(this.prefix, roomId, String(now), String(message.content.byteLength),
      String(windowSize), String(windowBytes), JSON.stringify(record)));
  }

  async recent(roomId: string): Promise<{ messages: StoredMessage[]; lastSentTime: number }> {
    const result = await this.redis.multi().lrange(this.key(roomId, 'recent'), 0, -1).hget(this.key(roomId, 'meta'), 'last').exec();
    const lines = (result?.[0]?.[1] ?? []) as string[];
    const messages = lines.map((line): StoredMessage => {
      const first = line.indexOf('|');
      const second = line.indexOf('|', first + 1);
      const record = JSON.parse(line.slice(second + 1)) as WindowRecord;
      return {
        id: 0, conversationKey: `${ConversationType.CHATROOM}:${roomId}`, conversationType: ConversationType.CHATROOM,
        senderUserId: record.s, clientMsgId: record.c, messageUid: record.u, objectName: record.o,
        content: new Uint8Array(Buffer.from(record.b, 'base64')), sentTime: Number(line.slice(0, first)), seq: 0, counted: false,
      };
    });
    return { messages, lastSentTime: Number(result?.[1]?.[1] ?? 0) };
  }

  async entries(roomId: string): Promise<RoomEntry[]> {
    return (await this.redis.hvals(this.key(roomId, 'kv'))).map((text) => JSON.parse(text) as RoomEntry);
  }

  async entry(roomId: string, key: string): Promise<RoomEntry | undefined> {
    const text = await this.redis.hget(this.key(roomId, 'kv'), key);
    return text === null ? undefined : JSON.parse(text) as RoomEntry;
  }

  setEntry(roomId: string, entry: RoomEntry, force: boolean, maxKeys: number): Promise<'ok' | 'overwrite' | 'exceed'> {
    return this.scripts.imRoomSetEntry(this.prefix, roomId, entry.key, JSON.stringify(entry), entry.userId, force ? '1' : '0', String(maxKeys));
  }

  removeEntry(roomId: string, key: string, userId: string, force: boolean): Promise<'ok' | 'missing' | 'overwrite'> {
    return this.scripts.imRoomRemoveEntry(this.prefix, roomId, key, userId, force ? '1' : '0');
  }

  async scheduleLapse(userId: string, at: number): Promise<void> {
    await this.redis.zadd(`${this.prefix}:lapses`, at, userId);
  }

  async cancelLapse(userId: string): Promise<void> {
    await this.redis.zrem(`${this.prefix}:lapses`, userId);
  }

  takeDueLapses(now: number): Promise<string[]> {
    return this.scripts.imRoomTakeDue(`${this.prefix}:lapses`, String(now));
  }

  roomCount(): Promise<number> {
    return this.redis.scard(`${this.prefix}:rooms`);
  }

  /**
   * The rooms live in Redis's memory: a Redis that restarts without them (no persistence) has
   * lost every room. Each store marks Redis with an epoch, and reads it again whenever its
   * connection is back: a missing or new epoch means the rooms are gone.
   */
  onReset(handler: () => void): void {
    const key = `${this.prefix}:epoch`;
    let known: string | undefined;
    const check = async () => {
      // A new value each time: with one per process, the node that marked the first epoch could
      // mark the emptied Redis again with the same value first, and no node would notice.
      await this.redis.set(key, randomUUID(), 'NX');
      const epoch = await this.redis.get(key);
      if (known !== undefined && epoch !== known) handler();
      known = epoch ?? undefined;
    };
    void check().catch(() => undefined);
    this.redis.on('ready', () => void check().catch(() => undefined));
  }

  async close(): Promise<void> {
    // The connection is the bus's: it closes it.
  }
}
