import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { BusEvent, FanoutBus } from './bus.js';
import type { StoredMessage } from './storage/chat-store.js';
import { RateLimiter, type SendLimiter } from './rate-limit.js';
import { RedisRoomStore } from './chatroom-redis.js';
import type { RoomStore } from './chatroom-store.js';

/** What a node reads of the shared message log: every stored message, in id (= commit) order. */
export interface MessageLog {
  messagesAfter(afterId: number, limit: number): Promise<Array<{ message: StoredMessage; recipients: string[] }>>;
  /** The highest message id stored (0 when none). */
  lastMessageId(): Promise<number>;
}

/** Which users have sessions on the other nodes of a cluster. */
export interface ClusterPresence {
  /** The platforms of the user's sessions on this node changed (empty: none left). */
  announce(userId: string, platforms: string[]): void;
  /** The platforms of the user's sessions on other nodes, sorted. */
  remotePlatforms(userId: string): string[];
  /** Told when another node's sessions of a user changed; `remoteBefore`: remotePlatforms until then. */
  onPresenceChange: (userId: string, remoteBefore: string[]) => void;
}

/** A gap in the ids heard is usually only pub/sub order between publishers: wait this long for the hint before reading the log. */
const GAP_WAIT_MS = 15;
/** Also read the log this often, for a hint that never came (a dropped pub/sub connection). */
const FOLLOW_INTERVAL_MS = 1000;
const LOG_PAGE = 500;

/** Events as they travel between nodes: JSON, with the byte arrays as base64. */
interface Envelope {
  node: string;
  event?: BusEvent;
  /** The platforms of one user's sessions on the sending node changed. */
  presence?: { userId: string; platforms: string[] };
  /** All of the sending node's users and their platforms: also the node's sign of life. */
  snapshot?: Record<string, string[]>;
}

/** How often a node tells its whole presence, and after how long without it a node counts as gone. */
const SNAPSHOT_INTERVAL_MS = 5000;
const NODE_GONE_MS = 15_000;

// The holder's own value: a Buffer's toJSON() has run by the time the replacer sees `value`.
const encode = (envelope: Envelope): string => JSON.stringify(envelope, function (this: Record<string, unknown>, key: string, value: unknown) {
  const original = this[key];
  return original instanceof Uint8Array ? { $b: Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64') } : value;
});

const decode = (text: string): Envelope => JSON.parse(text, (_key, value: unknown) =>
  (value && typeof value === 'object' && typeof (value as { $b?: unknown }).$b === 'string'
    ? new Uint8Array(Buffer.from((value as { $b: string }).$b, 'base64')) : value)) as Envelope;

const isStored = (event: BusEvent): event is Extract<BusEvent, { kind: 'message' }> =>
  event.kind === 'message' && event.persisted !== false && event.message.id > 0;

/**
 * The fan-out of a cluster of nodes that share one database: Redis pub/sub carries every event
 * to every node, but only as a hint for stored messages. A client's sync cursor is the message
 * id, and a client takes a pushed id at or below its cursor as seen: a node that pushed id 11
 * before id 10 would lose 10 for that client. So each node hands stored messages to its
 * sessions strictly in id order, and the ids come in commit order (see the stores): when an id
 * is heard past a gap, the gap is read from the database, where everything below a committed id
 * is already visible (an id missing there never will be). A hint lost with a pub/sub
 * connection costs latency, never a message: the log is read again on reconnect and every
 * second. Other events (unstored messages, conversation changes, receipts, revocations) are
 * delivered as they arrive, as on a single node.
 */
export class RedisClusterBus implements FanoutBus, ClusterPresence {
  readonly nodeId = randomUUID();
  private readonly handlers = new Set<(event: BusEvent) => void>();
  /** Stored messages heard but not handed on yet (waiting for a lower id), by id. */
  private readonly pending = new Map<number, Extract<BusEvent, { kind: 'message' }>>();
  private delivered = 0;
  private reading: Promise<void> | undefined;
  private readAgain = false;
  private gapTimer: NodeJS.Timeout | undefined;
  private readonly followTimer: NodeJS.Timeout;
  private closed = false;
  /** Other nodes' users: node → user → platforms; and when each node was last heard of. */
  private readonly remote = new Map<string, Map<string, string[]>>();
  private readonly remoteSeen = new Map<string, number>();
  /** This node's users and their platforms, as announced. */
  private readonly local = new Map<string, string[]>();
  private readonly snapshotTimer: NodeJS.Timeout;
  onPresenceChange: (userId: string, remoteBefore: string[]) => void = () => {};

  private constructor(private readonly publisher: Redis, private readonly subscriber: Redis, private readonly channel: string,
    private readonly log: MessageLog, private readonly logError: (scope: string, error: unknown) => void) {
    this.followTimer = setInterval(() => this.readLog(), FOLLOW_INTERVAL_MS);
    this.followTimer.unref();
    this.snapshotTimer = setInterval(() => this.sendSnapshot(), SNAPSHOT_INTERVAL_MS);
    this.snapshotTimer.unref();
  }

  get presence(): ClusterPresence {
    return this;
  }

  /** The cluster's chatrooms, in Redis: the same rooms on every node. */
  roomStore(): RoomStore {
    return new RedisRoomStore(this.publisher, `${this.channel}:room`);
  }

  /** A send limit shared by the cluster's nodes. */
  limiter(name: string, ratePerSecond: number): SendLimiter {
    return new ClusterRateLimiter(this.publisher, `${this.channel}:limit:${name}`, ratePerSecond);
  }

  /**
   * Connects to Redis at `url`. `channel` names the cluster: nodes of one database share it.
   * Follows the log from its current end: sessions that connect later sync what came before.
   */
  static async connect(url: string, channel: string, log: MessageLog, logError: (scope: string, error: unknown) => void): Promise<RedisClusterBus> {
    const { Redis } = await import('ioredis');
    // Commands wait through a reconnect instead of failing after a few retries: a publish
    // must not throw into a send path because Redis restarted.
    const options = { maxRetriesPerRequest: null, retryStrategy: (times: number) => Math.min(50 * times, 1000), lazyConnect: true };
    const publisher = new Redis(url, options);
    const subscriber = new Redis(url, options);
    for (const client of [publisher, subscriber]) client.on('error', (error: Error) => logError('redis', error));
    await Promise.all([publisher.connect(), subscriber.connect()]);
    const bus = new RedisClusterBus(publisher, subscriber, channel, log, logError);
    bus.delivered = await log.lastMessageId();
    subscriber.on('message', (from: string, text: string) => {
      if (from === channel) bus.heard(text);
    });
    // After a reconnect the subscription is renewed by the client; what was published in
    // between is read from the log.
    subscriber.on('ready', () => bus.readLog());
    await subscriber.subscribe(channel);
    bus.sendSnapshot();
    return bus;
  }

  publish(event: BusEvent): void {
    if (this.closed) return;
    this.send({ node: this.nodeId, event });
    this.take(event);
  }

  announce(userId: string, platforms: string[]): void {
    if (platforms.length) this.local.set(userId, platforms);
    else this.local.delete(userId);
    this.send({ node: this.nodeId, presence: { userId, platforms } });
  }

  remotePlatforms(userId: string): string[] {
    const platforms = new Set<string>();
    for (const users of this.remote.values()) for (const platform of users.get(userId) ?? []) platforms.add(platform);
    return [...platforms].sort();
  }

  private send(envelope: Envelope): void {
    this.publisher.publish(this.channel, encode(envelope)).catch((error: unknown) => this.logError('redis', error));
  }

  private sendSnapshot(): void {
    if (this.closed) return;
    this.send({ node: this.nodeId, snapshot: Object.fromEntries(this.local) });
    const now = Date.now();
    for (const [node, seen] of this.remoteSeen) {
      if (now - seen > NODE_GONE_MS) this.replaceNode(node, undefined);
    }
  }

  /** Sets (or, with undefined, forgets) another node's users, telling each change. */
  private replaceNode(node: string, users: Map<string, string[]> | undefined): void {
    const old = this.remote.get(node) ?? new Map<string, string[]>();
    const changed = new Set([...old.keys(), ...(users?.keys() ?? [])]);
    const before = new Map([...changed].map((userId) => [userId, this.remotePlatforms(userId)]));
    if (users) {
      this.remote.set(node, users);
      this.remoteSeen.set(node, Date.now());
    } else {
      this.remote.delete(node);
      this.remoteSeen.delete(node);
    }
    for (const userId of changed) {
      if (String(old.get(userId)) !== String(users?.get(userId))) this.onPresenceChange(userId, before.get(userId)!);
    }
  }

  subscribe(handler: (event: BusEvent) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** The highest message id handed to this node's sessions. */
  get deliveredId(): number {
    return this.delivered;
  }

  private heard(text: string): void {
    let envelope: Envelope;
    try {
      envelope = decode(text);
    } catch (error) {
      this.logError('bus', error);
      return;
    }
    // Our own events were taken when published.
    if (envelope.node === this.nodeId) return;
    if (envelope.event) this.take(envelope.event);
    if (envelope.snapshot) this.replaceNode(envelope.node, new Map(Object.entries(envelope.snapshot)));
    if (envelope.presence) {
      const users = new Map(this.remote.get(envelope.node) ?? []);
      if (envelope.presence.platforms.length) users.set(envelope.presence.userId, envelope.presence.platforms);
      else users.delete(envelope.presence.userId);
      this.replaceNode(envelope.node, users);
    }
  }

  private take(event: BusEvent): void {
    if (!isStored(event)) {
      this.emit(event);
      return;
    }
    const id = event.message.id;
    if (id <= this.delivered) return;
    // The publishing node's own event knows which session sent it (that one has its PUBACK).
    const known = this.pending.get(id);
    if (!known || (!known.fromSessionId && event.fromSessionId)) this.pending.set(id, event);
    this.drain();
  }

  /** Hands on the pending messages that follow the delivered ones without a gap. */
  private drain(): void {
    for (let next = this.pending.get(this.delivered + 1); next; next = this.pending.get(this.delivered + 1)) {
      this.pending.delete(this.delivered + 1);
      this.delivered += 1;
      this.emit(next);
    }
    if (this.pending.size > 0 && !this.gapTimer) {
      this.gapTimer = setTimeout(() => {
        this.gapTimer = undefined;
        if (this.pending.size > 0) this.readLog();
      }, GAP_WAIT_MS);
    }
  }

  /** Reads the log past what was delivered, and hands it on in order; one read at a time. */
  private readLog(): void {
    if (this.closed) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = this.readPages().catch((error: unknown) => this.logError('bus', error)).finally(() => {
      this.reading = undefined;
      if (this.readAgain) {
        this.readAgain = false;
        this.readLog();
      }
    });
  }

  private async readPages(): Promise<void> {
    for (;;) {
      const page = await this.log.messagesAfter(this.delivered, LOG_PAGE);
      for (const { message, recipients } of page) {
        if (message.id <= this.delivered) continue;
        // Ids between the delivered one and this are holes that stay holes: ids are visible in order.
        const heard = this.pending.get(message.id);
        this.pending.delete(message.id);
        this.delivered = message.id;
        this.emit(heard ?? { kind: 'message', recipients, message, fromSessionId: '' });
      }
      for (const id of this.pending.keys()) if (id <= this.delivered) this.pending.delete(id);
      if (page.length < LOG_PAGE || this.closed) break;
    }
    this.drain();
  }

  private emit(event: BusEvent): void {
    for (const handler of this.handlers) {
      try {
        handler(event);
      } catch (error) {
        this.logError('bus', error);
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.followTimer);
    clearInterval(this.snapshotTimer);
    clearTimeout(this.gapTimer);
    this.handlers.clear();
    await this.reading;
    this.subscriber.disconnect();
    await this.publisher.quit().catch(() => this.publisher.disconnect());
  }
}

/**
 * A token bucket per user shared by the nodes of a cluster (in Redis, on Redis's clock), so a
 * user connected to three nodes sends no faster than to one. When Redis does not answer in
 * time, the node's own bucket decides: a Redis restart slows no one down.
 */
export class ClusterRateLimiter implements SendLimiter {
  private readonly fallback: RateLimiter;

  constructor(private readonly redis: Redis, private readonly key: string, private readonly ratePerSecond: number) {
    this.fallback = new RateLimiter(ratePerSecond);
    redis.defineCommand('imTakeToken', { numberOfKeys: 1, lua: TAKE_TOKEN });
  }

  async take(key: string): Promise<boolean> {
    if (this.ratePerSecond <= 0) return true;
    try {
      const taken = await withTimeout((this.redis as unknown as { imTakeToken(key: string, rate: number): Promise<number> })
        .imTakeToken(`${this.key}:${key}`, this.ratePerSecond), REDIS_LIMIT_TIMEOUT_MS);
      return taken === 1;
    } catch {
      return this.fallback.take(key);
    }
  }

  sweep(): void {
    this.fallback.sweep();
  }
}

const REDIS_LIMIT_TIMEOUT_MS = 250;

/** KEYS[1]: the bucket; ARGV[1]: rate per second (also the burst). Returns 1 when a token was taken. */
const TAKE_TOKEN = `
local rate = tonumber(ARGV[1])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local bucket = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens = tonumber(bucket[1]) or rate
local updated = tonumber(bucket[2]) or now
tokens = math.min(rate, tokens + (now - updated) / 1000 * rate)
local taken = 0
if tokens >= 1 then
  tokens = tokens - 1
  taken = 1
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'u', tostring(now))
redis.call('PEXPIRE', KEYS[1], 2000)
return taken
`;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('redis did not answer in time')), ms);
    }),
  ]);
}
