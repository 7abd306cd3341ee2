import { ConnectionStatus, ErrorCode } from '../protocol/codes.js';
import {
  messageTypeOptions, RecallCommandMessage, RecallNotificationMessage, type MessageContent,
} from '../messages/index.js';
import { Store } from '../store/store.js';
import {
  conversationKey, deleteItem, deleteItems, forgetHistory, initialChatState, setConversationFlags, markRead, noteMemberRead, recallItem, noteArrivalAfterList, placeArrivalAfterPage, receiveConversations, receiveHistory, receiveMessage,
  receiveRoomMessages, removeConversation, removeItem, restoreCache, setActive, setRoom, setConnectionError, setDraft, setFileUrls, setGroup, setLoadingOlder, setPeerReceipts, setReply, setStatus,
  setStorageFallback, setTyping, setUpload, setUser, updateItem,
  windowOf, type Arrival, type ChatState, type ConversationRef, type MessageItem, type UserInfo,
} from '../store/chat-state.js';
import type { KeyValueStore } from '../storage/key-value-store.js';
import type { ChatClient } from './chat-client.js';
import { newClientMsgId } from './client.js';
import { IMError } from './errors.js';
import { SessionCache, type SessionCacheOptions } from './session-cache.js';
import { loadSendFiles } from './send-files-lazy.js';
import type { ConversationChange, IMMessage, MessageReaders, TypingEvent } from './types.js';
import { SocialSession } from './social-session.js';

export interface ChatSessionOptions {
  /**
   * Names and avatars of users, cached in the store; messages that carry `user` need no call.
   * Without it, the server's profiles (the names given to its app-server API) are used.
   */
  userInfoProvider?: (userId: string) => Promise<UserInfo | undefined>;
  /** Messages per history page. */
  pageSize?: number;
  /**
   * The user's store (see `openUserStore`; the same one the client keeps its outbox in): the
   * conversations, last messages, drafts and names are cached there and shown at the next start
   * before the server answers.
   */
  storage?: KeyValueStore;
  /** How much the cache keeps. */
  cache?: SessionCacheOptions;
  /** Why `storage` is in memory only, when it is: kept in the state for the elements to show. */
  storageFallback?: string;
  /** The user, when known before connecting (it keys the cache): local echoes carry it. */
  userId?: string;
  /**
   * Origins of the chat server(s), e.g. `https://chat.example.com`: their `/files/` URLs in
   * messages are fetched through short-lived signed URLs (`fileUrl`); other URLs are used as they are.
   */
  fileOrigins?: string[];
  /** How long a typing signal shows, ms (default 6000; senders repeat it every 4 s while typing). */
  typingTimeout?: number;
}

/** The store's item for a message the client reported. */
export function toItem(message: IMMessage): MessageItem {
  return {
    id: message.clientMsgId || message.messageUid,
    conversationType: message.conversationType,
    targetId: message.targetId,
    senderUserId: message.senderUserId,
    objectName: message.objectName,
    content: message.content,
    messageUid: message.messageUid,
    seq: message.seq,
    sentTime: message.sentTime,
    direction: message.messageDirection,
    status: 'sent',
  };
}

/** What happened while a page or list was on its way: a message, or another change of a conversation. */
type Arrived = { arrival: Arrival } | { update: (state: ChatState) => ChatState };

/** A page (about conversation `key`) or the list (`key` undefined) on its way, and what happened meanwhile. */
interface ArrivalWatch {
  key: string | undefined;
  arrived: Arrived[];
}

/**
 * Does again to `state` what happened while a page or list was on its way: each change as it was
 * made, each message as `placeArrival` says (by default, nothing: it is shown already).
 */
function replay(arrived: readonly Arrived[], state: ChatState,
  placeArrival: (state: ChatState, arrival: Arrival) => ChatState = (next) => next): ChatState {
  return arrived.reduce((next, event) => ('update' in event ? event.update(next) : placeArrival(next, event.arrival)), state);
}

/**
 * Feeds one IMClient into one store and offers the actions the elements call: the only place
 * where client events turn into state. Elements read `store`; they never see the transport.
 */
export class ChatSession {
  readonly store: Store<ChatState>;
  /** Presence of the users shown, and whom this user blocked (social-session.ts). */
  readonly social: SocialSession;
  private readonly unsubscribers: Array<() => void> = [];
  private readonly userRequests = new Set<string>();
  /** Pages and lists on their way, and what happened meanwhile (done again after they land). */
  private readonly arrivalWatches = new Set<ArrivalWatch>();
  private userInfoProvider: ((userId: string) => Promise<UserInfo | undefined>) | undefined;
  /** Bumped when the userInfoProvider changes: answers from the one before are dropped. */
  private userSource = 0;
  private readonly pageSize: number;

  private readonly cache: SessionCache | undefined;
  private stopCaching: (() => Promise<void>) | undefined;
  private started: Promise<void> | undefined;

  constructor(readonly client: ChatClient, private readonly options: ChatSessionOptions = {}) {
    this.store = new Store(setStorageFallback(setStatus(initialChatState(client.status), client.status, options.userId ?? client.userId), options.storageFallback));
    this.pageSize = options.pageSize ?? 30;
    this.userInfoProvider = options.userInfoProvider;
    this.cache = options.storage && new SessionCache(options.storage, options.cache);
    this.social = new SocialSession(client, this.store);
    this.unsubscribers.push(() => this.social.dispose());
    this.unsubscribers.push(
      client.on('status', (status) => {
        this.store.update((state) => setStatus(status === ConnectionStatus.CONNECTED ? setConnectionError(state, undefined) : state, status, client.userId));
        if (status === ConnectionStatus.CONNECTED) void this.refresh();
      }),
      client.on('schedule', (_attempt, delay, cause) => this.store.update((state) =>
        setConnectionError(state, { code: cause?.code ?? ErrorCode.RC_NET_UNAVAILABLE, fatal: false, retryAt: Date.now() + delay }))),
      // The server's store went back to a backup: what is shown and cached past its end is gone
      // (the reconnect's refresh loads the list and the open conversation again).
      client.on('rewound', () => this.store.update(forgetHistory)),
      client.on('tokenExpired', (error) => this.store.update((state) => setConnectionError(state, { code: error?.code ?? ErrorCode.RC_CONN_TOKEN_EXPIRE, fatal: true }))),
      client.on('message', (message) => this.onMessage(message)),
      client.on('conversation', (change) => this.onConversationChange(change)),
      client.on('typing', (typing) => this.onTyping(typing)),
      // Sends restored from storage, and (with a shared connection) the other tabs' sends.
      client.on('sent', (message) => this.onSent(message)),
      client.on('sendFailed', (clientMsgId, error) => this.onSendFailed(clientMsgId, error)),
      client.on('chatroomMembers', ({ roomId, count }) => {
        const key = conversationKey({ conversationType: ROOM, targetId: roomId });
        if (this.state.rooms?.[key]) this.store.update((state) => setRoom(state, key, { memberCount: count }));
      }),
    );
    const onShared = client.onShared?.((kind, data) => {
      // Signed out in another tab: this one must not reconnect and cache the user's data again.
      if (kind === 'logout') {
        void this.logout({ everywhere: false });
        return;
      }
      const draft = data as { key?: unknown; text?: unknown };
      if (kind === 'draft' && typeof draft.key === 'string' && typeof draft.text === 'string') {
        const { key, text } = draft;
        this.store.update((state) => setDraft(state, key, text));
      }
    });
    if (onShared) this.unsubscribers.push(onShared);
  }

  /** The user's store the cache (and the client's outbox) live in, if any. */
  get storage(): KeyValueStore | undefined {
    return this.options.storage;
  }

  get state(): ChatState {
    return this.store.getState();
  }

  /**
   * Shows what the cache holds (conversations, messages, drafts, and the messages still waiting
   * to be sent), then connects the client (if it is not) and loads the conversation list.
   */
  async start(): Promise<void> {
    this.started ??= this.restore();
    await this.started;
    if (this.client.status === ConnectionStatus.CONNECTED) {
      await this.refresh();
      return;
    }
    try {
      await this.client.connect();
    } catch (error) {
      // Given up (a refused token, a kick): the elements say so instead of loading forever. A
      // disconnect asked for by the app is no error to show.
      const code = (error as IMError)?.code;
      if (typeof code === 'number' && code !== ErrorCode.RC_NET_CHANNEL_INVALID) {
        this.store.update((state) => setConnectionError(state, { code, fatal: true }));
      }
      throw error;
    }
  }

  /** Tries to connect now rather than at the next scheduled attempt (a "Retry now" button). */
  retryNow(): void {
    this.client.retry();
  }

  private async restore(): Promise<void> {
    if (this.cache) {
      const snapshot = await this.cache.load();
      this.store.update((state) => restoreCache(state, snapshot));
    }
    const pending = await this.client.restorePending().catch(() => []);
    for (const { clientMsgId, conversation, content } of pending) {
      if (this.findItem(conversationKey(conversation), clientMsgId)) continue;
      this.echoSend(this.echo(conversation, content, clientMsgId));
    }
    if (this.cache) this.stopCaching = this.cache.watch(this.store);
  }

  private findItem(key: string, id: string): MessageItem | undefined {
    return windowOf(this.state, key).items.find((item) => item.id === id);
  }

  private onSent(message: IMMessage): void {
    const key = conversationKey(message);
    // Not stored (a command): it has no place among the conversation's messages.
    if (message.persisted === false) {
      if (this.findItem(key, message.clientMsgId)) this.store.update((state) => removeItem(state, key, message.clientMsgId));
      return;
    }
    const change = { status: 'sent' as const, seq: message.seq, messageUid: message.messageUid, sentTime: message.sentTime, errorCode: undefined };
    if (this.findItem(key, message.clientMsgId)) this.updateOwnSend(key, message.clientMsgId, change);
    else this.echoSend(toItem(message));
  }

  private onSendFailed(clientMsgId: string, error: IMError): void {
    for (const [key, window] of Object.entries(this.state.windows)) {
      if (window.items.some((item) => item.id === clientMsgId && item.status === 'sending')) {
        this.updateOwnSend(key, clientMsgId, { status: 'failed', errorCode: error.code ?? ErrorCode.UNKNOWN });
      }
    }
  }

  /** The local echo of a message being sent. */
  private echo(conversation: ConversationRef, content: MessageContent, id: string): MessageItem {
    return {
      id,
      conversationType: conversation.conversationType,
      targetId: conversation.targetId,
      senderUserId: this.client.userId ?? this.state.userId ?? '',
      objectName: content.objectName,
      content,
      sentTime: Date.now(),
      direction: 1,
      status: 'sending',
    };
  }

  /** After a (re)connect: the list again, and the open conversation's newest page. */
  private async refresh(): Promise<void> {
    try {
      await this.loadConversations();
      // The open conversation's newest page: new since the link dropped, or never fetched
      // because it was opened before the first connection.
      const active = this.state.activeKey;
      if (active?.startsWith(`${ROOM}:`)) {
        // The client rejoins a room it was in by itself after a reconnect; a first join happens here.
        const roomId = active.slice(2);
        if (this.room !== roomId || !this.state.rooms?.[active]) await this.joinRoom(roomId);
      } else if (active) {
        const conversation = this.state.conversations.byKey[active] ?? parseKey(active);
        await this.loadLatest(conversation);
        if (!this.viewedReads) await this.markRead(conversation);
      }
    } catch {
      // The link dropped again; the next CONNECTED refreshes.
    }
  }

  private onConversationChange(change: ConversationChange): void {
    const key = conversationKey(change);
    // A receipt is about someone else: this user's own read position is not in it.
    if (change.peerReadSeq !== undefined || change.peerDeliveredSeq !== undefined) {
      const receipts = {
        ...(change.peerReadSeq !== undefined ? { peerReadSeq: change.peerReadSeq } : {}),
        ...(change.peerDeliveredSeq !== undefined ? { peerDeliveredSeq: change.peerDeliveredSeq } : {}),
      };
      this.updateConversation(key, (state) => setPeerReceipts(state, key, receipts));
      return;
    }
    if (change.memberReadUserId !== undefined) {
      const { memberReadUserId, memberReadSeq = 0 } = change;
      this.updateConversation(key, (state) => noteMemberRead(state, key, memberReadUserId, memberReadSeq));
      return;
    }
    if (change.memberDeliveredUserId !== undefined) {
      const { memberDeliveredUserId, memberDeliveredSeq = 0 } = change;
      this.updateConversation(key, (state) => noteMemberRead(state, key, memberDeliveredUserId, memberDeliveredSeq, 'delivered'));
      return;
    }
    // Made on another device of this user: pin or do not disturb, or messages deleted for them.
    if (change.isTop !== undefined || change.notificationStatus !== undefined) {
      const flags = { pinned: change.isTop === true, muted: change.notificationStatus === 0 };
      this.updateConversation(key, (state) => setConversationFlags(state, key, flags));
      return;
    }
    if (change.deletedMessageUids !== undefined || change.clearedSeq !== undefined) {
      const which = { messageUids: change.deletedMessageUids ?? [], clearedSeq: change.clearedSeq ?? 0 };
      this.updateConversation(key, (state) => deleteItems(state, key, which));
      return;
    }
    this.updateConversation(key, (state) => (change.removed ? removeConversation(state, key) : markRead(state, key, change.readSeq)));
  }

  private readonly typingTimers = new Map<string, ReturnType<typeof setTimeout>>();

  private onTyping(typing: TypingEvent): void {
    const key = conversationKey(typing);
    const timeout = this.options.typingTimeout ?? 6000;
    const expiresAt = Date.now() + timeout;
    this.store.update((state) => setTyping(state, key, typing.userId, expiresAt));
    const timerKey = `${key}\n${typing.userId}`;
    clearTimeout(this.typingTimers.get(timerKey));
    this.typingTimers.set(timerKey, setTimeout(() => {
      this.typingTimers.delete(timerKey);
      this.store.update((state) => setTyping(state, key, typing.userId, undefined));
    }, timeout));
  }

  /** The user's message ends their typing there at once. */
  private stopTypingOf(key: string, userId: string): void {
    const timerKey = `${key}\n${userId}`;
    clearTimeout(this.typingTimers.get(timerKey));
    this.typingTimers.delete(timerKey);
    this.store.update((state) => setTyping(state, key, userId, undefined));
  }

  /**
   * The user is typing in `conversation` (call it on input): the other members online see it
   * for a few seconds. Signals are throttled by the client; failures do not matter and are dropped.
   */
  async notifyTyping(conversation: ConversationRef): Promise<void> {
    await this.client.sendTypingStatus?.(conversation).catch(() => undefined);
  }

  /** The chatroom this session is in (joined by opening it), if any. */
  private room: string | undefined;

  /** Joins a room (conversation type 4; opening it does): its recent messages and member count come into the store. */
  async joinRoom(roomId: string): Promise<void> {
    if (!this.client.joinChatRoom) throw new IMError(ErrorCode.PARAMETER_ERROR, 'this client has no chatrooms');
    const key = conversationKey({ conversationType: ROOM, targetId: roomId });
    this.room = roomId;
    if (this.client.status !== ConnectionStatus.CONNECTED) return; // joined by refresh() once connected
    const joined = await this.client.joinChatRoom(roomId, this.pageSize);
    if (this.room !== roomId) return;
    this.store.update((state) => setRoom(receiveRoomMessages(state, key, joined.messages.map(roomItem)), key, { memberCount: joined.memberCount }));
    for (const message of joined.messages) this.learnUser(message.senderUserId, message.content);
  }

  /** Leaves the room (closing it does); its messages go from the store. */
  async leaveRoom(roomId: string): Promise<void> {
    const key = conversationKey({ conversationType: ROOM, targetId: roomId });
    if (this.room === roomId) this.room = undefined;
    this.store.update((state) => {
      const windows = { ...state.windows };
      delete windows[key];
      return setRoom({ ...state, windows }, key, undefined);
    });
    if (this.client.status === ConnectionStatus.CONNECTED) await this.client.quitChatRoom?.(roomId).catch(() => undefined);
  }

  /** Who of a group has read its message `seq` (the current members who received it, without the sender). */
  async getReaders(conversation: ConversationRef, seq: number): Promise<MessageReaders> {
    if (!this.client.getMessageReaders) throw new IMError(ErrorCode.PARAMETER_ERROR, 'this client cannot ask for readers');
    return this.client.getMessageReaders(conversation, seq);
  }

  private onMessage(message: IMMessage): void {
    if (message.conversationType === ROOM) {
      // Live only, in the room's window: no conversation entry, nothing unread.
      if (this.room !== message.targetId) return;
      this.store.update((state) => receiveRoomMessages(state, conversationKey(message), [roomItem(message)]));
      this.learnUser(message.senderUserId, message.content);
      return;
    }
    if (message.messageDirection === 2) this.stopTypingOf(conversationKey(message), message.senderUserId);
    if (message.content instanceof RecallCommandMessage) {
      const { messageUId, operatorId, recallTime, originalObjectName } = message.content;
      const notification = new RecallNotificationMessage({ operatorId, recallTime, originalObjectName });
      const key = conversationKey(message);
      this.updateConversation(key, (state) => recallItem(state, key, messageUId, notification));
      return;
    }
    // Not stored anywhere (a command): nothing to show in a conversation.
    if (message.persisted === false) return;
    const { isCounted } = messageTypeOptions(message.objectName);
    const key = conversationKey(message);
    const open = this.state.activeKey === key;
    // With an element judging what is seen (setViewing), a message in the open conversation
    // of a hidden or unfocused page stays unread until it is seen.
    const reading = open && (!this.viewedReads || this.viewing);
    const item = toItem(message);
    this.store.update((state) => receiveMessage(state, item, { counted: isCounted, reading }));
    this.noteArrived(key, { arrival: { item, counted: isCounted, reading } });
    this.learnUser(message.senderUserId, message.content);
    if (message.conversationType === 3) this.requestGroup(message.targetId);
    // What arrives in the conversation being read is read: tell the server (and so the user's
    // other devices), once for a burst. An element that judges what is seen marks reads itself.
    if (message.messageDirection === 2 && open && !this.viewedReads) this.scheduleRead(message);
  }

  /** An element decides what is read (setViewing was called): no read without it. */
  private viewedReads = false;
  private viewing = true;

  /**
   * For elements that know what the reader sees: from the first call on, the session marks
   * nothing read by itself; the element calls `markRead(conversation, seq)` for what was in view
   * while `viewing` (the page visible and focused, the list on screen). Until then, messages
   * arriving in the open conversation count as unread.
   */
  setViewing(viewing: boolean): void {
    this.viewedReads = true;
    this.viewing = viewing;
  }

  private readTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly readTargets = new Map<string, { conversation: ConversationRef; seq: number }>();

  private scheduleRead(message: IMMessage): void {
    const conversation = { conversationType: message.conversationType, targetId: message.targetId };
    this.readTargets.set(conversationKey(conversation), { conversation, seq: message.seq });
    this.readTimer ??= setTimeout(() => {
      this.readTimer = undefined;
      for (const { conversation: target, seq } of this.readTargets.values()) {
        this.client.clearUnreadCount(target, seq).catch(() => undefined);
      }
      this.readTargets.clear();
    }, 250);
  }

  async loadConversations(): Promise<void> {
    const { answer: page, arrived } = await this.whileArriving(undefined, () => this.client.getConversationPage({ count: 100 }));
    const listed = (state: ChatState) => receiveConversations(state, page.conversations.map((c) => ({
      conversationType: c.conversationType,
      targetId: c.targetId,
      unreadCount: c.unreadCount,
      latestMessage: c.latestMessage && toItem(c.latestMessage),
      readSeq: c.readSeq,
      updatedTime: c.updatedTime,
      ...(c.peerReadSeq !== undefined ? { peerReadSeq: c.peerReadSeq } : {}),
      ...(c.peerDeliveredSeq !== undefined ? { peerDeliveredSeq: c.peerDeliveredSeq } : {}),
      ...(c.isTop !== undefined ? { pinned: c.isTop } : {}),
      ...(c.notificationStatus !== undefined ? { muted: c.notificationStatus === 0 } : {}),
    })), { hasMore: page.hasMore, replace: true });
    this.store.update((state) => replay(arrived, listed(state), noteArrivalAfterList));
    // History this user cleared on another device while this one was away (a cache may hold it).
    for (const c of page.conversations) {
      if (c.clearedSeq) this.store.update((state) => deleteItems(state, conversationKey(c), { clearedSeq: c.clearedSeq }));
    }
    for (const c of page.conversations) {
      if (c.conversationType === 1) this.requestUser(c.targetId);
      if (c.conversationType === 3) this.requestGroup(c.targetId);
      if (c.latestMessage) this.learnUser(c.latestMessage.senderUserId, c.latestMessage.content);
    }
  }

  /** Makes `conversation` the one being read: loads its newest page and marks it read. */
  async open(conversation: ConversationRef | undefined): Promise<void> {
    const key = conversation ? conversationKey(conversation) : undefined;
    this.store.update((state) => setActive(state, key));
    if (this.room !== undefined && !(conversation?.conversationType === ROOM && conversation.targetId === this.room)) await this.leaveRoom(this.room);
    if (!conversation || !key) return;
    if (conversation.conversationType === ROOM) {
      await this.joinRoom(conversation.targetId);
      return;
    }
    const window = windowOf(this.state, key);
    if (window.loaded && this.client.status !== ConnectionStatus.CONNECTED) return; // the cache shows; the reconnect refreshes
    if (!window.loaded || window.stale) await this.loadLatest(conversation);
    if (!this.viewedReads) await this.markRead(conversation);
  }

  /**
   * A request's answer, and what happened to conversation `key` (or to any, for the list) while it
   * was on its way: it may have been read before that, and land after it (a long poll or a single
   * read can bring both at once).
   */
  private async whileArriving<T>(key: string | undefined, request: () => Promise<T>): Promise<{ answer: T; arrived: readonly Arrived[] }> {
    const watch: ArrivalWatch = { key, arrived: [] };
    this.arrivalWatches.add(watch);
    try {
      return { answer: await request(), arrived: watch.arrived };
    } finally {
      this.arrivalWatches.delete(watch);
    }
  }

  /** Records what happened to conversation `key` for the pages and lists on their way (`listOnly`: for the lists). */
  private noteArrived(key: string, arrived: Arrived, listOnly = false): void {
    for (const watch of this.arrivalWatches) if (watch.key === undefined || (!listOnly && watch.key === key)) watch.arrived.push(arrived);
  }

  /** Changes conversation `key` now, and again after the pages and lists on their way (read before the change, they may land after it). */
  private updateConversation(key: string, update: (state: ChatState) => ChatState, listOnly = false): void {
    this.store.update(update);
    this.noteArrived(key, { update }, listOnly);
  }

  /**
   * Shows a send of this user (sending, or sent from elsewhere). A list on its way may have been
   * read before it was stored: the send is its conversation's preview again after the list. (A
   * page's merge keeps it by itself.)
   */
  private echoSend(item: MessageItem): void {
    this.store.update((state) => receiveMessage(state, item, { counted: false }));
    this.noteArrived(conversationKey(item), { arrival: { item, counted: false, reading: true } }, true);
  }

  /** A send of this user was stored or failed: in the window, and as the preview (again after the lists on their way). */
  private updateOwnSend(key: string, id: string, change: Partial<MessageItem>): void {
    this.updateConversation(key, (state) => updateItem(state, key, id, change), true);
  }

  private async loadLatest(conversation: ConversationRef): Promise<void> {
    const key = conversationKey(conversation);
    const { answer: page, arrived } = await this.whileArriving(key, () => this.client.getHistoryMessages(conversation, { count: this.pageSize }));
    // A message that arrived meanwhile and is newer than the page was stored after the page was read.
    const newest = page.messages.reduce((high, message) => Math.max(high, message.seq), 0);
    const paged = (state: ChatState) => receiveHistory(state, key, page.messages.map(toItem), { hasOlder: page.hasMore, latest: true });
    this.store.update((state) => replay(arrived, paged(state),
      (next, { item }) => ((item.seq ?? 0) > newest ? placeArrivalAfterPage(next, key, item) : next)));
    for (const message of page.messages) this.learnUser(message.senderUserId, message.content);
  }

  /** Loads the page before the oldest message shown; resolves false when there is none. */
  async loadOlder(conversation: ConversationRef): Promise<boolean> {
    const key = conversationKey(conversation);
    const window = windowOf(this.state, key);
    if (!window.loaded || !window.hasOlder || window.loadingOlder) return false;
    const oldest = window.items.find((item) => item.seq !== undefined)?.seq;
    this.store.update((state) => setLoadingOlder(state, key, true));
    try {
      const { answer: page, arrived } = await this.whileArriving(key, () => this.client.getHistoryMessages(conversation, { count: this.pageSize, before: oldest ?? 0 }));
      // Messages arriving meanwhile are newer than the page, and in the window already; what else
      // happened (a history cleared or a recall on another device) is done again to the page.
      this.store.update((state) => replay(arrived, receiveHistory(state, key, page.messages.map(toItem), { hasOlder: page.hasMore, latest: false })));
      for (const message of page.messages) this.learnUser(message.senderUserId, message.content);
      return page.messages.length > 0;
    } catch (error) {
      this.store.update((state) => setLoadingOlder(state, key, false));
      throw error;
    }
  }

  /** Marks the conversation read (up to `upToSeq`, by default all of it) on every device of the user. */
  async markRead(conversation: ConversationRef, upToSeq?: number): Promise<void> {
    const key = conversationKey(conversation);
    const entry = this.state.conversations.byKey[key];
    // The read position decides, not the local unread count: a message that arrived while the
    // reader was looking was never counted here, and still has to be read on the server.
    const latest = entry?.latestMessage?.seq ?? 0;
    const target = Math.min(upToSeq ?? latest, latest);
    if (!entry || target <= entry.readSeq) return;
    this.store.update((state) => markRead(state, key, target));
    const { readSeq } = await this.client.clearUnreadCount(conversation, target);
    this.store.update((state) => markRead(state, key, readSeq));
  }

  /**
   * Sends with a local echo: the message shows at once as sending, then sent, or failed with
   * the seed's code (and can be retried or discarded). Resolves with the final item.
   */
  async send(conversation: ConversationRef, content: MessageContent, options: { id?: string } = {}): Promise<MessageItem> {
    const item = this.echo(conversation, content, options.id ?? newClientMsgId());
    if (conversation.conversationType === ROOM) this.store.update((state) => receiveRoomMessages(state, conversationKey(conversation), [item]));
    else this.echoSend(item);
    return this.deliver(item);
  }

  /** Sends a failed message again, under the same id (the server keeps one copy). */
  async retry(conversation: ConversationRef, id: string): Promise<MessageItem | undefined> {
    const key = conversationKey(conversation);
    const item = windowOf(this.state, key).items.find((candidate) => candidate.id === id);
    if (!item || item.status !== 'failed') return undefined;
    this.store.update((state) => updateItem(state, key, id, { status: 'sending', errorCode: undefined }));
    return this.deliver({ ...item, status: 'sending' });
  }

  /** Drops a failed message from the window. */
  discard(conversation: ConversationRef, id: string): void {
    this.store.update((state) => removeItem(state, conversationKey(conversation), id));
  }

  private async deliver(item: MessageItem): Promise<MessageItem> {
    const key = conversationKey(item);
    try {
      const sent = await this.client.sendMessage(item, item.content, { clientMsgId: item.id });
      // A room's message is ordered by its sentTime (it has no seq).
      const seq = item.conversationType === ROOM ? sent.sentTime : sent.seq;
      const change = { status: 'sent' as const, seq, messageUid: sent.messageUid, sentTime: sent.sentTime };
      this.updateOwnSend(key, item.id, change);
      return { ...item, ...change };
    } catch (error) {
      const change = { status: 'failed' as const, errorCode: (error as IMError).code ?? ErrorCode.UNKNOWN };
      this.updateOwnSend(key, item.id, change);
      return { ...item, ...change };
    }
  }

  /** Keeps the unsent text of a conversation (cached, and in step across the tabs of a shared connection). */
  setDraft(conversation: ConversationRef, text: string): void {
    const key = conversationKey(conversation);
    const before = this.state.drafts;
    this.store.update((state) => setDraft(state, key, text));
    if (this.state.drafts !== before) this.client.share?.('draft', { key, text });
  }

  /**
   * Caches what a message says of its sender, or asks the provider once. The info counts only
   * when it names the sender: any sender can write any `user` into a message, and taking
   * another id's info would let them show up as that user.
   */
  private learnUser(userId: string, content: MessageContent): void {
    const carried = (content as { user?: { id?: unknown; name?: unknown; portraitUri?: unknown } }).user;
    if (carried && carried.id === userId && typeof carried.name === 'string') {
      const portraitUri = typeof carried.portraitUri === 'string' ? carried.portraitUri : undefined;
      this.store.update((state) => setUser(state, userId, { name: carried.name as string, portraitUri }));
      return;
    }
    this.requestUser(userId);
  }

  /** Asks for a user not yet known (once per user): the userInfoProvider, else the server. */
  requestUser(userId: string): void {
    if (!userId || Object.hasOwn(this.state.users, userId) || this.userRequests.has(userId)) return;
    this.askForUser(userId);
  }

  private askForUser(userId: string): void {
    this.userRequests.add(userId);
    const provider = this.userInfoProvider;
    if (!provider) {
      this.queueProfile('user', userId);
      return;
    }
    const source = this.userSource;
    provider(userId).then((info) => {
      if (info && source === this.userSource) this.store.update((state) => setUser(state, userId, info));
    }, () => this.userRequests.delete(userId));
  }

  /**
   * Changes where names and avatars come from, at any time (an app may set its provider after
   * the session started): the users already known are asked again, and the new source's
   * answers replace the old ones; without a provider, the server's profiles are used.
   */
  setUserInfoProvider(provider: ((userId: string) => Promise<UserInfo | undefined>) | undefined): void {
    if (provider === this.userInfoProvider) return;
    this.userInfoProvider = provider;
    this.userSource++;
    const known = new Set([...Object.keys(this.state.users), ...[...this.userRequests].filter((id) => !id.startsWith('group:'))]);
    for (const userId of known) this.userRequests.delete(userId);
    for (const userId of known) this.askForUser(userId);
  }

  /** Asks the server for a group's name, once. */
  requestGroup(groupId: string): void {
    if (!groupId || Object.hasOwn(this.state.groups, groupId) || this.userRequests.has(`group:${groupId}`)) return;
    this.userRequests.add(`group:${groupId}`);
    this.queueProfile('group', groupId);
  }

  private profileQueue: { users: Set<string>; groups: Set<string> } | undefined;

  /** Lookups made in one tick go to the server as one query. */
  private queueProfile(kind: 'user' | 'group', id: string): void {
    if (!this.profileQueue) {
      const queue = (this.profileQueue = { users: new Set<string>(), groups: new Set<string>() });
      queueMicrotask(() => {
        this.profileQueue = undefined;
        const source = this.userSource;
        this.client.getProfiles({ userIds: [...queue.users], groupIds: [...queue.groups] }).then((profiles) => {
          // Users asked of the server before a provider took over: the provider answers them.
          const usersStillWanted = source === this.userSource;
          this.store.update((state) => {
            let next = state;
            for (const user of usersStillWanted ? profiles.users : []) {
              next = setUser(next, user.userId, { name: user.name || user.userId, ...(user.portraitUri ? { portraitUri: user.portraitUri } : {}) });
            }
            for (const group of profiles.groups) next = setGroup(next, group.groupId, { name: group.name || group.groupId, memberIds: group.memberIds });
            return next;
          });
          // Members' names, for the @mention list (a large group's first hundred; a query holds 200 ids).
          for (const group of profiles.groups) for (const memberId of group.memberIds.slice(0, 100)) this.requestUser(memberId);
        }, () => {
          // Not connected, or refused: ask again next time the id shows up.
          for (const userId of queue.users) this.userRequests.delete(userId);
          for (const groupId of queue.groups) this.userRequests.delete(`group:${groupId}`);
        });
      });
    }
    (kind === 'user' ? this.profileQueue.users : this.profileQueue.groups).add(id);
  }

  private fileQueue: Set<string> | undefined;
  private readonly fileRequests = new Set<string>();

  /**
   * A URL from a message, ready for an <img>, <audio>, <video> or link: this server's files as
   * a signed URL (asked for in batches; undefined until it arrives), other http(s) URLs as they
   * are, anything else undefined.
   */
  fileUrl(url: unknown): string | undefined {
    if (typeof url !== 'string') return undefined;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return undefined;
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
    if (!(this.options.fileOrigins ?? []).includes(parsed.origin) || !parsed.pathname.startsWith('/files/')) return parsed.href;
    const signed = this.state.fileUrls[url];
    // Asked again a while before it expires, so that a shown image never turns into a 403.
    if (signed && signed.expiresAt > Date.now() + 5 * 60_000) return signed.href;
    this.requestFileUrl(url);
    return signed?.href;
  }

  private requestFileUrl(url: string): void {
    if (this.fileRequests.has(url) || !this.client.getFileUrls) return;
    this.fileRequests.add(url);
    if (!this.fileQueue) {
      const queue = (this.fileQueue = new Set<string>());
      queueMicrotask(() => {
        this.fileQueue = undefined;
        const urls = [...queue];
        this.client.getFileUrls!(urls).then((signed) => {
          const entries: Record<string, { href: string; expiresAt: number }> = {};
          for (const [original, href] of Object.entries(signed)) {
            const expiresAt = Number(new URL(href).searchParams.get('e')) || Date.now() + 30 * 60_000;
            entries[original] = { href, expiresAt };
          }
          for (const original of urls) this.fileRequests.delete(original);
          this.store.update((state) => setFileUrls(state, entries));
        }, () => {
          for (const original of urls) this.fileRequests.delete(original);
        });
      });
    }
    this.fileQueue.add(url);
  }

  /**
   * Recalls one of the user's sent messages for every member and device (the server refuses
   * after its recall window with RECALL_MESSAGE).
   */
  async recall(conversation: ConversationRef, item: MessageItem): Promise<void> {
    if (!item.messageUid || !this.client.recallMessage) throw new IMError(ErrorCode.PARAMETER_ERROR, 'only a sent message can be recalled');
    await this.client.recallMessage(conversation, { messageUid: item.messageUid, sentTime: item.sentTime });
  }

  private readonly uploadControllers = new Map<string, AbortController>();

  /**
   * Uploads a file (picked, pasted, dropped) and sends it as the message its type makes: image,
   * GIF, video, voice (up to 60 s) or file. Progress shows in `state.uploads` until the message
   * takes its place as sending; a failed upload stays there, failed, until dismissed.
   */
  async sendFile(conversation: ConversationRef, file: Blob): Promise<MessageItem | undefined> {
    const key = conversationKey(conversation);
    const id = newClientMsgId();
    const name = typeof (file as Blob & { name?: unknown }).name === 'string' ? (file as File).name : 'file';
    const controller = new AbortController();
    this.uploadControllers.set(id, controller);
    this.store.update((state) => setUpload(state, key, id, { id, name, progress: 0, status: 'uploading' }));
    let shown = 0;
    try {
      if (!this.client.uploadFile) throw new IMError(ErrorCode.RC_HTTP_SEND_FAIL, 'this client cannot upload');
      // Loaded on first use; offline, the upload shows as failed (the composer loads it before).
      const { buildMediaMessage, mediaKindOf } = await loadSendFiles();
      let kind = mediaKindOf(file);
      let content: MessageContent;
      // A recording knows its own length (a `duration` in seconds on the Blob); others are measured.
      const duration = (file as Blob & { duration?: unknown }).duration;
      const body = { file, ...(typeof duration === 'number' ? { duration } : {}) };
      const build = () => buildMediaMessage(kind, (blob, options) => this.client.uploadFile!(blob, options), body, {
        onProgress: (percent) => {
          // Whole steps of 5: a re-render per percent of a large file is wasted work.
          if (percent < 100 && percent - shown < 5) return;
          shown = percent;
          this.store.update((state) => setUpload(state, key, id, { id, name, progress: percent, status: 'uploading' }));
        },
      }, { signal: controller.signal });
      try {
        content = await build();
      } catch (error) {
        // A recording over a minute is still worth sending: as a file.
        if (kind !== 'voice' || (error as IMError).code !== ErrorCode.PARAMETER_ERROR) throw error;
        kind = 'file';
        content = await build();
      }
      this.store.update((state) => setUpload(state, key, id, undefined));
      return await this.send(conversation, content, { id });
    } catch (error) {
      const cancelled = controller.signal.aborted;
      this.store.update((state) => setUpload(state, key, id, cancelled ? undefined
        : { id, name, progress: shown, status: 'failed', errorCode: (error as IMError).code ?? ErrorCode.UNKNOWN }));
      return undefined;
    } finally {
      this.uploadControllers.delete(id);
    }
  }

  /** Stops an upload (or dismisses a failed one). */
  cancelUpload(conversation: ConversationRef, id: string): void {
    const controller = this.uploadControllers.get(id);
    if (controller) controller.abort();
    else this.store.update((state) => setUpload(state, conversationKey(conversation), id, undefined));
  }

  /** Quotes `item` in the conversation's next message (undefined ends reply mode). */
  replyTo(conversation: ConversationRef, item: MessageItem | undefined): void {
    this.store.update((state) => setReply(state, conversationKey(conversation), item));
  }

  /**
   * Deletes a message for this user (the others still have it): at once here, and on the server
   * (deleteRemoteMessages) when it was sent, so that the user's other devices drop it too and
   * history never brings it back.
   */
  async deleteForMe(conversation: ConversationRef, id: string): Promise<void> {
    const key = conversationKey(conversation);
    const messageUid = windowOf(this.store.getState(), key).items.find((item) => item.id === id)?.messageUid;
    this.store.update((state) => deleteItem(state, key, id));
    if (messageUid && this.client.deleteRemoteMessages) {
      await this.client.deleteRemoteMessages({ conversationType: conversation.conversationType, targetId: conversation.targetId }, [{ messageUid }])
        .catch(() => undefined); // Kept out on this device all the same; the server is told on the next delete.
    }
  }

  /**
   * The user's conversations with messages containing `keyword` (any case; Chinese of one
   * character too), the newest match first; none when the client cannot search.
   */
  async searchConversations(keyword: string): Promise<import('./conversation-tools.js').ConversationSearchResult[]> {
    return this.client.searchConversationByContent ? this.client.searchConversationByContent(keyword) : [];
  }

  /** Pins or unpins the conversation for this user on every device (at once here; undone if the server refuses). */
  setPinned(conversation: ConversationRef, pinned: boolean): Promise<void> {
    return this.setFlag(conversation, { pinned }, () => this.client.setConversationToTop!(refOf(conversation), pinned));
  }

  /** Sets do-not-disturb for this user on every device: no unread count in the total, no sound. */
  setMuted(conversation: ConversationRef, muted: boolean): Promise<void> {
    return this.setFlag(conversation, { muted }, () => this.client.setConversationNotificationStatus!(refOf(conversation), muted ? 0 : 1));
  }

  private async setFlag(conversation: ConversationRef, flags: { pinned?: boolean; muted?: boolean }, save: () => Promise<unknown>): Promise<void> {
    const key = conversationKey(conversation);
    const before = this.store.getState().conversations.byKey[key];
    this.store.update((state) => setConversationFlags(state, key, flags));
    try {
      await save();
    } catch (error) {
      if (before) this.store.update((state) => setConversationFlags(state, key, { pinned: before.pinned, muted: before.muted }));
      throw error;
    }
  }

  /** Stops following the client; what the cache has not written yet is written first. */
  async dispose(): Promise<void> {
    if (this.room !== undefined) await this.leaveRoom(this.room);
    clearTimeout(this.readTimer);
    for (const timer of this.typingTimers.values()) clearTimeout(timer);
    this.typingTimers.clear();
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    const stop = this.stopCaching;
    this.stopCaching = undefined;
    await stop?.();
  }

  /**
   * Signs out on this browser: disconnects and forgets the user's cache, drafts and unsent
   * messages in `storage` (the messages stay on the server). With a shared connection, the
   * user's other tabs sign out too.
   */
  async logout(options: { everywhere?: boolean } = {}): Promise<void> {
    if (options.everywhere !== false) this.client.share?.('logout', {});
    await this.dispose();
    await this.client.disconnect();
    const storage = this.options.storage;
    await storage?.clear().catch(() => undefined);
    await storage?.close();
    this.store.update(() => initialChatState());
  }
}

const ROOM = 4;

/** A chatroom message as an item: its sentTime (strictly increasing per room) stands for the seq it does not have. */
const roomItem = (message: IMMessage): MessageItem => ({ ...toItem(message), seq: message.sentTime });

function parseKey(key: string): ConversationRef {
  const at = key.indexOf(':');
  return { conversationType: Number(key.slice(0, at)), targetId: key.slice(at + 1) };
}

const refOf = (conversation: ConversationRef) => ({ conversationType: conversation.conversationType, targetId: conversation.targetId });
