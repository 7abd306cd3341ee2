import { ConnectionStatus, ConversationType, ErrorCode } from '../protocol/codes.js';
import { decodeContent, encodeContent, type MessageContent } from '../messages/index.js';
import { CHATROOM_METHODS, CUSTOMER_SERVICE_CHANGES, CUSTOMER_SERVICE_METHODS, type ChatroomMethod, type ChatClient, type CustomerServiceClient, type CustomerServiceMethod } from './chat-client.js';
import type { IMClient, IMClientEvents } from './client.js';
import { newClientMsgId } from './client.js';
import { Emitter } from './emitter.js';
import { SOCIAL_METHODS, type SocialMethod } from './social.js';
import { CONVERSATION_TOOL_METHODS, listWithHasMore, type ConversationTools } from './conversation-tools.js';
import { IMError } from './errors.js';
import type { Conversation, IMMessage } from './types.js';
import type { ChatroomState } from './chatroom.js';

/** The browser APIs a shared connection needs; where either is missing, each tab connects on its own. */
export interface TabSharingEnvironment {
  locks?: LockManager;
  BroadcastChannel?: typeof BroadcastChannel;
}

export interface TabSharedClientOptions {
  /** The connection, made when this tab leads (with the user's storage, so the outbox carries over). */
  createClient: () => IMClient;
  /** Tabs with the same name share one connection: one name per user and server. */
  name: string;
  environment?: TabSharingEnvironment;
}

/** Whether this browser can share one connection between tabs. */
export function canShareConnection(environment: TabSharingEnvironment = browserEnvironment()): boolean {
  return typeof environment.locks?.request === 'function' && typeof environment.BroadcastChannel === 'function';
}

function browserEnvironment(): TabSharingEnvironment {
  const scope = globalThis as { navigator?: { locks?: LockManager }; BroadcastChannel?: typeof BroadcastChannel };
  return { locks: scope.navigator?.locks, BroadcastChannel: scope.BroadcastChannel };
}

/** Client calls a tab forwards to the leading tab. */
const REMOTE_METHODS = [
  'sendMessage', 'getHistoryMessages', 'getConversationPage', 'getConversationList', 'clearUnreadCount', 'getProfiles',
  'removeConversation', 'recallMessage', 'retry', 'sendTypingStatus', 'getMessageReaders', ...CUSTOMER_SERVICE_METHODS,
  ...SOCIAL_METHODS,
  ...CONVERSATION_TOOL_METHODS,
  ...CHATROOM_METHODS,
] as const;
type RemoteMethod = (typeof REMOTE_METHODS)[number];

/** Calls the leading tab confirms taking (`accepted`): if it goes before answering, they are not asked again. */
const runsOnce = (method: RemoteMethod): boolean => CUSTOMER_SERVICE_CHANGES.has(method as CustomerServiceMethod);

/** Events of the leader's client every tab hears. */
const RELAYED_EVENTS = [
  'message', 'typing', 'status', 'conversation', 'disconnect', 'schedule', 'retry', 'reconnect', 'rewound', 'sent', 'sendFailed', 'tokenWillExpire',
  'tokenExpired', 'customerServiceQueue', 'customerServiceStatus', 'customerServiceRating', 'customerServiceWaiting',
  'customerServiceTicket', 'userStatus', 'blacklist', 'chatroomEntry', 'chatroomMembers', 'chatroomStatus',
] as const satisfies ReadonlyArray<keyof IMClientEvents>;

/** How many call ids a leading tab remembers, to run a call asked again (after a change of leader) once. */
const REMEMBERED_CALLS = 1000;

/** How long a call asked again of a new leader waits for its connection (IMClient's default request timeout). */
const TAKEOVER_WAIT_MS = 15_000;

interface WireContent { objectName: string; bytes: Uint8Array }
type WireMessage = Omit<IMMessage, 'content'> & { content: WireContent };

type TabMessage =
  | { t: 'hello'; from: string }
  | { t: 'state'; from: string; status: ConnectionStatus; userId?: string; leader: boolean }
  | { t: 'call'; from: string; id: string; method: RemoteMethod; args: unknown[]; again?: boolean }
  | { t: 'accepted'; from: string; to: string; id: string }
  | { t: 'result'; from: string; to: string; id: string; value?: unknown; error?: { code: number; message: string } }
  | { t: 'event'; from: string; name: keyof IMClientEvents; args: unknown[] }
  | { t: 'shared'; from: string; kind: string; data: unknown }
  /** The leader's room and filter, which the next leader takes over. */
  | { t: 'room'; from: string; state: ChatroomState | undefined };

/** The chatroom calls after which the room or filter may have changed. */
const ROOM_CHANGES: ReadonlySet<string> = new Set(['joinChatRoom', 'quitChatRoom', 'setFilterMessages']);

interface PendingCall {
  method: RemoteMethod;
  args: unknown[];
  /** The leading tab that confirmed taking a call that runs once. */
  acceptedBy?: string;
  resolve(value: unknown): void;
  reject(error: IMError): void;
}

const toWireContent = (content: MessageContent): WireContent => ({ objectName: content.objectName, bytes: encodeContent(content) });
const fromWireContent = (wire: WireContent): MessageContent => decodeContent(wire.objectName, wire.bytes);
const toWireMessage = (message: IMMessage): WireMessage => ({ ...message, content: toWireContent(message.content) });
const fromWireMessage = (wire: WireMessage): IMMessage => ({ ...wire, content: fromWireContent(wire.content) });

/** A call's arguments as posted: sendMessage's content as bytes. */
const encodeArgs = (method: RemoteMethod, args: unknown[]): unknown[] =>
  (method === 'sendMessage' ? [args[0], toWireContent(args[1] as MessageContent), args[2]] : args);
const decodeArgs = (method: RemoteMethod, args: unknown[]): unknown[] =>
  (method === 'sendMessage' ? [args[0], fromWireContent(args[1] as WireContent), args[2]] : args);

/**
 * Results and event arguments carry messages and errors, whose classes (content types,
 * IMError's code) do not survive structured cloning.
 */
function encodeValue(value: unknown): unknown {
  if (value instanceof IMError) return { imError: { code: value.code, message: value.message } };
  if (value && typeof value === 'object') {
    if (Array.isArray(value)) return value.map(encodeValue);
    const record = value as { content?: unknown; messages?: IMMessage[]; conversations?: Array<{ latestMessage?: IMMessage }> };
    if (Array.isArray(record.messages)) return { ...record, messages: record.messages.map(toWireMessage) };
    if (Array.isArray(record.conversations)) {
      return { ...record, conversations: record.conversations.map((c) => ({ ...c, latestMessage: c.latestMessage && toWireMessage(c.latestMessage) })) };
    }
    if (typeof record.content === 'object' && record.content && 'objectName' in record.content) return toWireMessage(value as IMMessage);
    // A search result: a conversation with its latest match.
    const hit = value as { latestMessage?: IMMessage };
    if (hit.latestMessage && typeof hit.latestMessage.content === 'object') return { ...hit, latestMessage: toWireMessage(hit.latestMessage) };
  }
  return value;
}

function decodeValue(value: unknown): unknown {
  if (value && typeof value === 'object') {
    const record = value as {
      content?: unknown; messages?: WireMessage[]; conversations?: Array<{ latestMessage?: WireMessage }>; imError?: { code: number; message: string };
    };
    if (Array.isArray(value)) return value.map(decodeValue);
    if (record.imError) return new IMError(record.imError.code, record.imError.message);
    if (Array.isArray(record.messages)) return { ...record, messages: record.messages.map(fromWireMessage) };
    if (Array.isArray(record.conversations)) {
      return { ...record, conversations: record.conversations.map((c) => ({ ...c, latestMessage: c.latestMessage && fromWireMessage(c.latestMessage) })) };
    }
    if (record.content && typeof record.content === 'object' && (record.content as WireContent).bytes instanceof Uint8Array) {
      return fromWireMessage(value as WireMessage);
    }
    const hit = value as { latestMessage?: WireMessage };
    if (hit.latestMessage && (hit.latestMessage.content as WireContent | undefined)?.bytes instanceof Uint8Array) {
      return { ...hit, latestMessage: fromWireMessage(hit.latestMessage) };
    }
  }
  return value;
}

/**
 * One connection for all the tabs of a user on a server. The tab holding a Web Lock leads: it
 * owns the IMClient and relays its events over a BroadcastChannel; the other tabs forward their
 * calls to it. When the leader goes (closed, reloaded, crashed), the lock passes to a waiting
 * tab at once; that tab connects with the shared storage (the outbox and the sync cursor carry
 * over) and the others send their unanswered calls again. A message is still stored once: every
 * resend keeps its clientMsgId. Messages reach each tab once, in cursor order, whichever tab led.
 *
 * The customer-service calls (CUSTOMER_SERVICE_METHODS) are forwarded the same way, and their
 * events reach every tab. Of those that change something (CUSTOMER_SERVICE_CHANGES: a take, a
 * note, a ticket…), none is run twice: the leader confirms taking one, and if it goes before
 * answering, the call rejects with RC_SOCKET_DISCONNECTED (its outcome unknown, as with an
 * IMClient whose link drops before the answer) instead of being asked of the next leader.
 */
export interface TabSharedClient extends Pick<IMClient, CustomerServiceMethod | SocialMethod | ChatroomMethod>, ConversationTools {}

export class TabSharedClient extends Emitter<IMClientEvents> implements ChatClient, CustomerServiceClient {
  static {
    // One forwarding method per customer-service call, typed by the interface above.
    for (const method of [...CUSTOMER_SERVICE_METHODS, ...SOCIAL_METHODS, ...CONVERSATION_TOOL_METHODS, ...CHATROOM_METHODS]) {
      Object.defineProperty(TabSharedClient.prototype, method, {
        configurable: true,
        writable: true,
        value(this: TabSharedClient, ...args: unknown[]): Promise<unknown> {
          return this.call(method, args);
        },
      });
    }
  }

  private readonly tabId = newClientMsgId();
  private readonly locks: LockManager;
  private readonly channel: BroadcastChannel;
  private leaderClient: IMClient | undefined;
  /** The leading client's room and filter as last told (its last message's time kept current here). */
  private roomState: ChatroomState | undefined;
  private releaseLock: (() => void) | undefined;
  private stopLeading: Array<() => void> = [];
  private elected: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private leaderTabId: string | undefined;
  private statusValue: ConnectionStatus = ConnectionStatus.DISCONNECTED;
  private userIdValue: string | undefined;
  private wanted = false;
  private closed = false;
  private readonly calls = new Map<string, PendingCall>();
  /** Leading: the ids of the calls this tab took from others (one asked again is not run again). */
  private readonly takenCalls = new Set<string>();
  /** The last `message` was one this tab had (a new leader's sync repeating it): so is a status event following it. */
  private repeatedMessage = false;
  private readonly sharedListeners = new Set<(kind: string, data: unknown) => void>();
  /** The last message cursor this tab has seen: a new leader's sync may repeat older ones. */
  private seenCursor = 0;
  private connectWaiters: Array<{ resolve(value: { userId: string }): void; reject(error: IMError): void }> = [];

  constructor(private readonly options: TabSharedClientOptions) {
    super();
    const environment = options.environment ?? browserEnvironment();
    if (!canShareConnection(environment)) throw new IMError(ErrorCode.PARAMETER_ERROR, 'Web Locks and BroadcastChannel are needed to share a connection');
    this.locks = environment.locks!;
    this.channel = new environment.BroadcastChannel!(`im-widget:${options.name}`);
    this.channel.onmessage = (event: MessageEvent<TabMessage>) => this.onTabMessage(event.data);
  }

  get status(): ConnectionStatus {
    return this.statusValue;
  }

  get userId(): string | undefined {
    return this.userIdValue;
  }

  /** Whether this tab holds the connection. */
  get isLeader(): boolean {
    return this.leaderClient !== undefined;
  }

  /**
   * Decides this tab's part: it leads when no other tab does; otherwise it follows, and queues
   * for the lock to lead when the leader goes.
   */
  private elect(): Promise<void> {
    this.elected ??= new Promise<void>((decided) => {
      const lockName = `im-widget:${this.options.name}`;
      const lead = () => new Promise<void>((release) => {
        this.releaseLock = release;
        this.becomeLeader();
        decided();
      });
      this.locks.request(lockName, { ifAvailable: true }, (lock) => {
        if (lock) return lead();
        decided();
        this.post({ t: 'hello', from: this.tabId });
        this.locks.request(lockName, { signal: this.abort.signal }, () => (this.closed ? undefined : lead())).catch(() => undefined);
        return undefined;
      }).catch(() => decided());
    });
    return this.elected;
  }

  private becomeLeader(): void {
    const client = this.options.createClient();
    this.leaderClient = client;
    const relay = <K extends keyof IMClientEvents>(name: K) => client.on(name, (...args: IMClientEvents[K]) => {
      if (name === 'status') this.userIdValue = client.userId;
      this.post({ t: 'event', from: this.tabId, name, args: args.map(encodeValue) });
      this.onEvent(name, args);
    });
    this.stopLeading = RELAYED_EVENTS.map(relay);
    // The room of the tab that led goes on here: joined again, with what was said meanwhile.
    const room = this.roomState;
    if (this.wanted) {
      void client.connect().then(() => (room && (room.roomId !== undefined || room.objectNames.length)
        ? client.resumeChatroom(room).then(() => this.shareRoom()) : undefined)).catch(() => undefined);
    }
    this.announce();
    // Calls this tab made while another tab led go to its own client now.
    for (const [id, call] of this.calls) {
      if (this.lostWithLeader(id, call, this.tabId)) continue;
      this.runCallAgain(call.method, call.args).then((value) => this.settle(id, value), (error) => this.settle(id, undefined, error));
    }
  }

  /**
   * Whether a call the leading tab `leader` has not taken was taken by one gone since: one that
   * runs once then rejects (it may or may not have reached the server), the others are asked again.
   */
  private lostWithLeader(id: string, call: PendingCall, leader: string): boolean {
    if (!call.acceptedBy || call.acceptedBy === leader) return false;
    this.settle(id, undefined, new IMError(ErrorCode.RC_SOCKET_DISCONNECTED, `the leading tab went away before the answer to ${call.method}`));
    return true;
  }

  /** Tells the other tabs the leading client's room and filter. */
  private shareRoom(): void {
    const state = this.leaderClient?.chatroomState();
    if (!state) return;
    this.roomState = state;
    this.post({ t: 'room', from: this.tabId, state });
  }

  private announce(): void {
    this.post({ t: 'state', from: this.tabId, status: this.leaderClient?.status ?? this.statusValue, userId: this.leaderClient?.userId, leader: true });
  }

  private onTabMessage(message: TabMessage): void {
    if (this.closed || !message || message.from === this.tabId) return;
    switch (message.t) {
      case 'hello':
        if (this.leaderClient) {
          this.announce();
          this.shareRoom();
        }
        return;
      case 'room':
        if (!this.leaderClient) this.roomState = message.state;
        return;
      case 'state':
        if (this.leaderClient) return;
        this.userIdValue = message.userId ?? this.userIdValue;
        this.setStatus(message.status);
        if (message.from !== this.leaderTabId) {
          this.leaderTabId = message.from;
          // A new leader: what it may not have heard of is asked again (it runs a call it has
          // taken already once; the calls that run once and were taken by a leader gone since fail).
          for (const [id, call] of this.calls) {
            if (this.lostWithLeader(id, call, message.from) || call.acceptedBy === message.from) continue;
            this.post({ t: 'call', from: this.tabId, id, method: call.method, args: encodeArgs(call.method, call.args), again: true });
          }
        }
        return;
      case 'accepted': {
        const call = message.to === this.tabId ? this.calls.get(message.id) : undefined;
        if (call) call.acceptedBy = message.from;
        return;
      }
      case 'call': {
        if (!this.leaderClient || !REMOTE_METHODS.includes(message.method)) return;
        const key = `${message.from}:${message.id}`;
        if (this.takenCalls.has(key)) return;
        this.takenCalls.add(key);
        if (this.takenCalls.size > REMEMBERED_CALLS) this.takenCalls.delete(this.takenCalls.values().next().value!);
        if (runsOnce(message.method)) this.post({ t: 'accepted', from: this.tabId, to: message.from, id: message.id });
        const args = decodeArgs(message.method, message.args);
        (message.again ? this.runCallAgain(message.method, args) : this.runCall(message.method, args)).then(
          (value) => this.post({ t: 'result', from: this.tabId, to: message.from, id: message.id, value: encodeValue(value) }),
          (error: IMError) => {
            // Going away: the caller asks the next leader instead of failing the user's message.
            if (this.closed && error?.code === ErrorCode.RC_NET_CHANNEL_INVALID) return;
            this.post({ t: 'result', from: this.tabId, to: message.from, id: message.id, error: { code: error?.code ?? ErrorCode.UNKNOWN, message: error?.message ?? String(error) } });
          });
        return;
      }
      case 'result':
        if (message.to === this.tabId) this.settle(message.id, decodeValue(message.value), message.error && new IMError(message.error.code, message.error.message));
        return;
      case 'event':
        if (this.leaderClient) return;
        if (message.name === 'status') {
          this.setStatus(message.args[0] as ConnectionStatus);
          return;
        }
        this.onEvent(message.name, message.args.map(decodeValue) as IMClientEvents[typeof message.name]);
        return;
      case 'shared':
        for (const listener of [...this.sharedListeners]) listener(message.kind, message.data);
        return;
      default:
    }
  }

  /** An event of the connection, in this tab: messages once each, in order. */
  private onEvent<K extends keyof IMClientEvents>(name: K, args: IMClientEvents[K]): void {
    if (name === 'status') {
      this.setStatus(args[0] as ConnectionStatus);
      return;
    }
    if (name === 'message' && (args[0] as IMMessage).persisted !== false) {
      const message = args[0] as IMMessage;
      // A status change comes as a notice message and then its customerServiceStatus event.
      // (Live-only messages, such as a chatroom's, have no cursor: each comes once.)
      this.repeatedMessage = message.cursor <= this.seenCursor;
      if (this.repeatedMessage) return;
      this.seenCursor = message.cursor;
    } else if (name === 'customerServiceStatus' && this.repeatedMessage) {
      this.repeatedMessage = false;
      return;
    }
    if (name === 'message') {
      // A room's message: the next leader asks for what came after the last one.
      const message = args[0] as IMMessage;
      const room = this.roomState;
      if (room && room.roomId === message.targetId && message.conversationType === ConversationType.CHATROOM) {
        room.lastSentTime = Math.max(room.lastSentTime ?? 0, message.sentTime);
      }
    } else if (name === 'chatroomStatus' && this.leaderClient) {
      this.shareRoom(); // a rejoin refused: the room is gone
    }
    this.emit(name, ...args);
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.statusValue === status) return;
    this.statusValue = status;
    this.emit('status', status);
    if (status === ConnectionStatus.CONNECTED) {
      for (const waiter of this.connectWaiters.splice(0)) waiter.resolve({ userId: this.userIdValue ?? '' });
    } else if (status !== ConnectionStatus.CONNECTING && status !== ConnectionStatus.NETWORK_UNAVAILABLE) {
      for (const waiter of this.connectWaiters.splice(0)) waiter.reject(new IMError(ErrorCode.RC_NET_UNAVAILABLE, `connection status ${status}`));
    }
  }

  private runCall(method: RemoteMethod, args: unknown[]): Promise<unknown> {
    const client = this.leaderClient;
    if (!client) return Promise.reject(new IMError(ErrorCode.RC_NET_CHANNEL_INVALID, 'disconnected'));
    const result = (client[method] as (...args: unknown[]) => unknown).apply(client, args);
    return Promise.resolve(result).then((value) => {
      if (ROOM_CHANGES.has(method)) this.shareRoom();
      // Reads and removals made here reach the other tabs as the server tells other devices.
      if (method === 'clearUnreadCount' || method === 'removeConversation') {
        const conversation = args[0] as Conversation;
        const change = {
          conversationType: conversation.conversationType, targetId: conversation.targetId,
          readSeq: (value as { readSeq?: number } | undefined)?.readSeq ?? 0, removed: method === 'removeConversation',
        };
        this.post({ t: 'event', from: this.tabId, name: 'conversation', args: [change] });
        this.emit('conversation', change);
      }
      return value;
    });
  }

  /**
   * A call made before this tab led (asked again after the leader went): a new leader is still
   * connecting, and a query now would fail with RC_NET_UNAVAILABLE, so it waits for the connection
   * (at most TAKEOVER_WAIT_MS; a connection given up on answers at once). A send needs no wait:
   * the client's outbox keeps it until connected.
   */
  private async runCallAgain(method: RemoteMethod, args: unknown[]): Promise<unknown> {
    const client = this.leaderClient;
    if (client && this.wanted && method !== 'sendMessage' && client.status !== ConnectionStatus.CONNECTED) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          off();
          this.stopLeading = this.stopLeading.filter((stop) => stop !== done);
          resolve();
        };
        const timer = setTimeout(done, TAKEOVER_WAIT_MS);
        const off = client.on('status', (status) => {
          if (status !== ConnectionStatus.CONNECTING && status !== ConnectionStatus.NETWORK_UNAVAILABLE) done();
        });
        this.stopLeading.push(done);
      });
    }
    return this.runCall(method, args);
  }

  private call<T>(method: RemoteMethod, args: unknown[]): Promise<T> {
    if (this.leaderClient) return this.runCall(method, args) as Promise<T>;
    if (this.closed) return Promise.reject(new IMError(ErrorCode.RC_NET_CHANNEL_INVALID, 'disconnected'));
    const id = newClientMsgId();
    return new Promise<T>((resolve, reject) => {
      this.calls.set(id, { method, args, resolve: resolve as (value: unknown) => void, reject });
      this.post({ t: 'call', from: this.tabId, id, method, args: encodeArgs(method, args) });
    });
  }

  private settle(id: string, value: unknown, error?: IMError): void {
    const call = this.calls.get(id);
    if (!call) return;
    this.calls.delete(id);
    if (error) call.reject(error);
    else call.resolve(value);
  }

  private post(message: TabMessage): void {
    if (!this.closed) this.channel.postMessage(message);
  }

  async connect(): Promise<{ userId: string }> {
    this.wanted = true;
    await this.elect();
    if (this.leaderClient) return this.leaderClient.connect();
    if (this.statusValue === ConnectionStatus.CONNECTED) return { userId: this.userIdValue ?? '' };
    if (this.statusValue === ConnectionStatus.DISCONNECTED) this.setStatus(ConnectionStatus.CONNECTING);
    return new Promise((resolve, reject) => this.connectWaiters.push({ resolve, reject }));
  }

  /** Leaves the shared connection; when this tab led, the next tab takes over. */
  async disconnect(): Promise<void> {
    this.wanted = false;
    this.closed = true;
    this.abort.abort();
    for (const stop of this.stopLeading.splice(0)) stop();
    const client = this.leaderClient;
    this.leaderClient = undefined;
    for (const [id] of this.calls) this.settle(id, undefined, new IMError(ErrorCode.RC_NET_CHANNEL_INVALID, 'disconnected'));
    for (const waiter of this.connectWaiters.splice(0)) waiter.reject(new IMError(ErrorCode.RC_NET_CHANNEL_INVALID, 'disconnected'));
    await client?.disconnect();
    this.releaseLock?.();
    this.channel.close();
    this.setStatus(ConnectionStatus.DISCONNECTED);
  }

  retry(): void {
    void this.call('retry', []).catch(() => undefined);
  }

  sendMessage<C extends MessageContent>(conversation: Conversation, content: C, options: { clientMsgId?: string } = {}): Promise<IMMessage<C>> {
    // The id is fixed here, so that a resend to the next leader is the same message.
    const clientMsgId = options.clientMsgId ?? newClientMsgId();
    if (this.leaderClient) return this.leaderClient.sendMessage(conversation, content, { ...options, clientMsgId });
    return this.call<IMMessage>('sendMessage', [conversation, content, { ...options, clientMsgId }]).then((message) => message as IMMessage<C>);
  }

  getHistoryMessages(...args: Parameters<IMClient['getHistoryMessages']>): ReturnType<IMClient['getHistoryMessages']> {
    return this.call('getHistoryMessages', args);
  }

  getConversationPage(...args: Parameters<IMClient['getConversationPage']>): ReturnType<IMClient['getConversationPage']> {
    return this.call('getConversationPage', args);
  }

  async getConversationList(...args: Parameters<IMClient['getConversationList']>): ReturnType<IMClient['getConversationList']> {
    // A page, so that `hasMore` survives the trip between tabs (an array's own fields do not).
    const page = await this.getConversationPage(...args);
    return listWithHasMore(page.conversations, page.hasMore);
  }

  clearUnreadCount(...args: Parameters<IMClient['clearUnreadCount']>): ReturnType<IMClient['clearUnreadCount']> {
    return this.call('clearUnreadCount', args);
  }

  getProfiles(...args: Parameters<IMClient['getProfiles']>): ReturnType<IMClient['getProfiles']> {
    return this.call('getProfiles', args);
  }

  removeConversation(...args: Parameters<IMClient['removeConversation']>): ReturnType<IMClient['removeConversation']> {
    return this.call('removeConversation', args);
  }

  recallMessage(...args: Parameters<IMClient['recallMessage']>): ReturnType<IMClient['recallMessage']> {
    return this.call('recallMessage', args);
  }

  /** Throttled once for the browser: the leading tab's client keeps the clock. */
  sendTypingStatus(...args: Parameters<IMClient['sendTypingStatus']>): ReturnType<IMClient['sendTypingStatus']> {
    return this.call('sendTypingStatus', args);
  }

  getMessageReaders(...args: Parameters<IMClient['getMessageReaders']>): ReturnType<IMClient['getMessageReaders']> {
    return this.call('getMessageReaders', args);
  }

  /** This tab's sends still waiting for an answer (the leader's own, when this tab leads). */
  getPendingMessages(): ReturnType<IMClient['getPendingMessages']> {
    if (this.leaderClient) return this.leaderClient.getPendingMessages();
    return [...this.calls.values()].filter((call) => call.method === 'sendMessage').map((call) => ({
      conversation: call.args[0] as Conversation,
      content: call.args[1] as MessageContent,
      clientMsgId: (call.args[2] as { clientMsgId: string }).clientMsgId,
    }));
  }

  /** What an earlier page left unsent; the leading tab restores it (and the others see it once sent). */
  async restorePending(): ReturnType<IMClient['restorePending']> {
    await this.elect();
    return this.leaderClient ? this.leaderClient.restorePending() : [];
  }

  /**
   * Uploads and file URLs are plain HTTP with the user's token: each tab makes them itself
   * (through its own unconnected client when another tab holds the connection).
   */
  private get httpClient(): IMClient {
    return this.leaderClient ?? (this.ownHttpClient ??= this.options.createClient());
  }

  private ownHttpClient: IMClient | undefined;

  uploadFile(...args: Parameters<IMClient['uploadFile']>): ReturnType<IMClient['uploadFile']> {
    return this.httpClient.uploadFile(...args);
  }

  getFileUrls(...args: Parameters<IMClient['getFileUrls']>): ReturnType<IMClient['getFileUrls']> {
    return this.httpClient.getFileUrls(...args);
  }

  share(kind: string, data: unknown): void {
    this.post({ t: 'shared', from: this.tabId, kind, data });
  }

  onShared(listener: (kind: string, data: unknown) => void): () => void {
    this.sharedListeners.add(listener);
    return () => this.sharedListeners.delete(listener);
  }
}
