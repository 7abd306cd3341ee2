import { im } from '../protocol/generated/im.js';
import { ConnectionStatus, ErrorCode, FrameType } from '../protocol/codes.js';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION, decodeBody, decodeFrame, encodeFrame, FrameError, type Frame } from '../protocol/frames.js';
import type { FetchLike, Transport, TransportHandlers, WebSocketConstructor } from '../transport/transport.js';
import { LazyLongPollTransport } from '../transport/long-poll-lazy.js';
import { pollUrlFor } from '../transport/poll-url.js';

export type TransportKind = 'websocket' | 'polling';
import type { KeyValueStore } from '../storage/key-value-store.js';
import { WebSocketTransport } from '../transport/websocket-transport.js';
// The messages index registers the built-in types: a client always decodes them.
import {
  decodeContent, encodeContent, messageTypeOptions, MessageValidationError, TypingStatusMessage, type MessageContent,
  type RecallCommandMessage,
} from '../messages/index.js';
import { backoffDelay } from './backoff.js';
import { Emitter } from './emitter.js';
import { IMError } from './errors.js';
import { conversationTools, listWithHasMore, type ConversationTools } from './conversation-tools.js';
import { httpBaseOf, signFileUrls, type UploadedFile, type UploadOptions, type UploadSource } from './upload.js';
import type { MediaKind, MediaMessageBody, UploadHooks } from './media-messages.js';
import { loadSendFiles } from './send-files-lazy.js';
import {
  DEFAULT_CUSTOMER_SERVICE_GROUP, customerServiceEventOf, isCustomerServiceSignal, type CustomerQueueEvent, type CustomerRatingEvent,
  type CustomerSession, type CustomerSessionNote, type CustomerStatusEvent, type CustomerWaitingEvent, type CustomerTicketEvent, type CustomerServiceInfo,
  type CustomerSessionScope, type CustomerSessionPage, type CustomerServiceAgents, type CustomerCannedReply, type CustomerTranscriptLine,
  type CustomerServiceTicket,
} from './customer-service.js';
import { SocialCalls, isSocialSignal, type BlacklistChange, type BlacklistPage, type ChosenUserStatus, type UserStatus, type UserStatusAnswer } from './social.js';
import type {
  ChatroomTracker, ChatroomEntryEvent, ChatroomEntryOptions, ChatroomInfo, ChatroomJoinResult, ChatroomMembersEvent,
  ChatroomRemoveOptions, ChatroomState, ChatroomStatusEvent,
} from './chatroom.js';
import { CHATROOM_KV_OBJECT_NAME, CHATROOM_MEMBERS_OBJECT_NAME, type MessagePriority } from './chatroom-names.js';
import { chatroomModule, loadChatroom } from './chatroom-lazy.js';

/** Options of the upload sugar: the send's, plus how the file is served and a way to cancel. */
export interface MediaSendOptions extends SendOptions {
  contentDisposition?: 'inline' | 'attachment';
  signal?: AbortSignal;
}
import {
  MessageDirection, type Conversation, type ConversationChange, type ConversationInfo, type IMMessage, type MessageReaders,
  type TypingEvent,
} from './types.js';

export interface IMClientOptions {
  /**
   * WebSocket URL of the server's `/im` endpoint, or several (servers of one app): a connect
   * opens them all at once and keeps the first that answers (see `serverUrl`).
   */
  url: string | string[];
  token?: string;
  /**
   * Called for a token when none is given, ahead of the token's expiry (`tokenWillExpire`), and
   * again when the server says it expired.
   */
  tokenProvider?: () => Promise<string>;
  /** A WebSocket constructor, e.g. `ws`'s in Node; defaults to the global one. */
  WebSocket?: WebSocketConstructor;
  /**
   * Transports to try, in order (default `['websocket', 'polling']`): HTTP long-polling on
   * `/im/poll` takes over where WebSocket cannot connect.
   */
  transports?: TransportKind[];
  /** The fetch used by long-polling (default: the global one). */
  fetch?: FetchLike;
  deviceId?: string;
  /** Login tag of this device (`web`, `node`, …). */
  platform?: string;
  /**
   * Automatic reconnection after a connection was established and then lost. With
   * `firstConnect`, a first connection that fails for a passing reason (no network, server
   * down) is retried the same way: `connect()` resolves once connected and rejects only on a
   * refusal that retrying cannot mend (a bad token, say), and unsent messages wait meanwhile.
   */
  reconnect?: { enabled?: boolean; minDelay?: number; maxDelay?: number; firstConnect?: boolean };
  /** How long a query or a connect may wait for its answer, ms. */
  requestTimeout?: number;
  /**
   * Where `online` and `visibilitychange` come from, to reconnect at once when the network or
   * the page comes back; default: the page or worker global, when it has events.
   */
  environment?: EventTarget & { document?: { visibilityState?: string } };
  /**
   * Where a client with no sync cursor (a first visit, no storage) starts: `beginning` (default)
   * delivers every message the user ever received as `message` events; `now` starts after the
   * newest, for apps that show the past through the conversation list and history.
   */
  syncFrom?: 'beginning' | 'now';
  /**
   * This user's persistent store (see `openUserStore`): unsent messages and the sync cursor
   * survive a reload there; the next client on the same store sends them and syncs on.
   */
  storage?: KeyValueStore;
  /**
   * Tell the server what this device received in private chats (the sender's "delivered"), at
   * most once per conversation per 250 ms (default true).
   */
  deliveryReceipts?: boolean;
}

/** An unsent message as kept in storage. */
interface StoredOutgoing {
  clientMsgId: string;
  conversationType: number;
  targetId: string;
  objectName: string;
  content: Uint8Array;
  order: number;
}

const OUTBOX_PREFIX = 'outbox:';
const CURSOR_KEY = 'cursor';

export interface IMClientEvents extends Record<string, unknown[]> {
  /** Every message received: other users', and this user's sent from other devices. Typing signals come as `typing` instead. */
  message: [IMMessage];
  /** Someone else is typing (a `RC:TypSts`, never stored or counted); it lasts until their message or a few seconds. */
  typing: [TypingEvent];
  status: [ConnectionStatus];
  /**
   * Read position or removal changed on another device of this user, or pin, do not disturb or a
   * delete (`isTop`, `notificationStatus`, `deletedMessageUids`, `clearedSeq`); or a receipt: the other
   * side of a private chat read or received (`peerReadSeq`, `peerDeliveredSeq`), a group member
   * read (`memberReadUserId`, `memberReadSeq`).
   */
  conversation: [ConversationChange];
  /** An established connection was lost (the seed's `disconnect`); reconnecting follows unless it cannot help. */
  disconnect: [IMError];
  /**
   * A reconnect attempt is scheduled: its number (from 1), the delay in ms (the seed's
   * `schedule`), and why the last attempt or link failed.
   */
  schedule: [number, number, IMError];
  /** A reconnect attempt starts (the seed's `retry`). */
  retry: [number];
  /** The connection is back after a loss (the seed's `reconnect`); a sync follows. */
  reconnect: [];
  /**
   * The server's log ends before what this client had seen (its store was restored from a
   * backup): the messages past that end are gone, and their seqs and sync ids are given again.
   * Emitted on the CONNACK that shows it, before `status` CONNECTED; what a client shows or
   * caches of those messages should be dropped (ChatSession does) and loaded again.
   */
  rewound: [];
  /** A message of this client was stored by the server (also one restored from storage). */
  sent: [IMMessage];
  /** The server refused a message of this client for good. */
  sendFailed: [string, IMError];
  /**
   * The token expires soon: min(5 min, 10 % of its remaining lifetime) before CONNACK's
   * `tokenExpiresAt`. A `tokenProvider` is asked for the next token now.
   */
  tokenWillExpire: [];
  /**
   * The server refused or ended the session because the token expired, and no fresh token could
   * be had (no `tokenProvider`, or it failed or gave an expired one): the client stays disconnected.
   */
  tokenExpired: [IMError];
  /** Customer service, visitor: the place in the queue (1 = next), whenever it may have changed. */
  customerServiceQueue: [CustomerQueueEvent];
  /** Customer service: a session's status changed (also shown as a grey notice `message`). */
  customerServiceStatus: [CustomerStatusEvent];
  /** Customer service, agent: a visitor rated a session this agent served. */
  customerServiceRating: [CustomerRatingEvent];
  /** Customer service, agent: how many visitors wait in one of their groups' queues. */
  customerServiceWaiting: [CustomerWaitingEvent];
  /** Agent: a ticket came or was closed in one of their groups. */
  customerServiceTicket: [CustomerTicketEvent];
  /** A subscribed user's status changed (`subscribeUserStatus`). */
  userStatus: [UserStatus];
  /** This user blacklisted or unblocked someone (on this device or another). */
  blacklist: [BlacklistChange];
  /** Chatrooms (docs/chatroom.md): a KV entry of the room was set or removed; the member count; a rejoin after a reconnect. */
  chatroomEntry: [ChatroomEntryEvent];
  chatroomMembers: [ChatroomMembersEvent];
  chatroomStatus: [ChatroomStatusEvent];
}

export interface SendOptions {
  /**
   * The message's id for deduplication, when the caller needs it before the send resolves (a
   * local echo) or is retrying a failed send: the server stores one message per id.
   */
  clientMsgId?: string;
  /** Chatroom messages: which a slow reader loses first (LOW, then NORMAL; HIGH is kept). */
  priority?: MessagePriority;
}

interface OutboxEntry {
  clientMsgId: string;
  promise: Promise<IMMessage>;
  outgoing: im.IOutgoing;
  requestId: number;
  sent: boolean;
  conversation: Conversation;
  content: MessageContent;
  resolve(message: IMMessage): void;
  reject(error: IMError): void;
}

interface PendingQuery {
  resolve(body: Uint8Array): void;
  reject(error: IMError): void;
  timer: ReturnType<typeof setTimeout>;
}

/** Codes after which reconnecting cannot help. */
const FATAL_CODES = new Set<number>([
  ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR, ErrorCode.RC_CONN_NOT_AUTHRORIZED, ErrorCode.RC_CONN_PROTO_VERSION_ERROR,
  ErrorCode.RC_CONN_ID_REJECT, ErrorCode.RC_CONN_APP_BLOCKED_OR_DELETED, ErrorCode.RC_CONN_USER_BLOCKED,
  ErrorCode.RC_DISCONN_KICK, ErrorCode.RC_CONN_TOKEN_EXPIRE,
]);

/** How long the URL that worked last may try alone before the others join the race. */
const PREFERRED_HEAD_START_MS = 1000;
const TOKEN_NOTICE_MAX_MS = 5 * 60_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

const SYNC_PAGE = 200;
/** At most one typing signal per conversation this often: the peer's display lasts longer (6 s). */
const TYPING_INTERVAL_MS = 4000;
/** Delivery receipts of a burst of messages go out together, one per conversation. */
const DELIVERED_DELAY_MS = 250;
const TYPING_OBJECT_NAME = 'RC:TypSts';
const RATE_LIMIT_RETRY_MS = 1000;
/** First pause before asking again a query refused as too frequent; doubles up to RATE_LIMIT_RETRY_MS. */
const QUERY_RETRY_FIRST_MS = 100;

const CLIENT_MSG_ID = /^[A-Za-z0-9_\-.:]{1,64}$/;

let idCounter = 0;
/** A unique id: time, randomness and a per-process counter (base 36). */
export const newClientMsgId = (): string =>
  `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}${(idCounter++).toString(36)}`;

/**
 * The headless client: one connection to the server, automatic reconnection, sync after a
 * cursor, and sends that survive reconnects (each message keeps its clientMsgId through every
 * resend, so the server stores and delivers it once).
 */
export class IMClient extends Emitter<IMClientEvents> {
  private readonly options: IMClientOptions;
  private readonly WebSocketImpl: WebSocketConstructor | undefined;
  private workingTransport: TransportKind | undefined;
  private transport: Transport | undefined;
  private readonly urls: string[];
  /** The URL that connected last: tried first next time. */
  private preferredUrl: string | undefined;
  /** URL and token of the current transport. */
  private linkUrl: string | undefined;
  private linkToken: string | undefined;
  /** Transports of the connect attempt under way that have not opened yet. */
  private race: Set<Transport> | undefined;
  private tokenTimer: ReturnType<typeof setTimeout> | undefined;
  private statusValue: ConnectionStatus = ConnectionStatus.DISCONNECTED;
  private wanted = false;
  private everConnected = false;
  private userIdValue: string | undefined;
  private token: string | undefined;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatMs = 30_000;
  private nextRequestId = 1;
  private readonly queries = new Map<number, PendingQuery>();
  /** Sends not yet acknowledged, in send order. */
  private readonly outbox = new Map<string, OutboxEntry>();
  /** clientMsgIds this client sent, so that sync does not hand them back as received. */
  private readonly ownSent = new Set<string>();
  /**
   * Stored sends by their cursor, in ack order: once the cursor has passed one, no sync can
   * bring it back, and it leaves ownSent (which would otherwise keep every message sent).
   */
  private ownSentCursors: Array<{ cursor: number; clientMsgId: string }> = [];
  private cursor = 0;
  /** A cursor came from storage or a connection: this client has a past to catch up from. */
  private cursorKnown = false;
  private readonly lastSeq = new Map<string, number>();
  private syncing = false;
  private syncRequested = false;
  private buffered: im.Message[] = [];
  private tokenRenewed = false;
  private connectWaiter: { resolve(v: { userId: string }): void; reject(e: IMError): void } | undefined;
  private readonly deviceId: string;

  constructor(options: IMClientOptions) {
    super();
    this.options = options;
    this.WebSocketImpl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    const transports = options.transports ?? ['websocket', 'polling'];
    if (!transports.some((kind) => (kind === 'websocket' ? this.WebSocketImpl : typeof (options.fetch ?? globalThis.fetch) === 'function'))) {
      throw new IMError(ErrorCode.RC_SOCKET_NOT_CREATED, 'no usable transport: pass options.WebSocket, or allow polling where fetch exists');
    }
    this.urls = [...new Set([options.url].flat())];
    if (!this.urls.length) throw new IMError(ErrorCode.PARAMETER_ERROR, 'options.url names no server');
    this.token = options.token;
    this.deviceId = options.deviceId ?? newClientMsgId();
  }

  get status(): ConnectionStatus {
    return this.statusValue;
  }

  get userId(): string | undefined {
    return this.userIdValue;
  }

  /** Connects; resolves with the user id, or rejects with an IMError carrying the seed's code. */
  connect(): Promise<{ userId: string }> {
    if (this.statusValue === ConnectionStatus.CONNECTED && this.userIdValue) {
      return Promise.resolve({ userId: this.userIdValue });
    }
    if (this.connectWaiter) return Promise.reject(new IMError(ErrorCode.BIZ_ERROR_CONNECTING, 'already connecting'));
    this.wanted = true;
    this.watchEnvironment();
    this.restored ??= this.restore();
    return new Promise((resolve, reject) => {
      this.connectWaiter = { resolve, reject };
      void this.open();
    });
  }

  /**
   * Reconnects now instead of waiting for the next scheduled attempt. Does nothing while
   * connected or connecting; refuses after a kick or a rejected token (reconnecting cannot help).
   */
  retry(): void {
    if (!this.wanted || this.transport || this.race || this.statusValue === ConnectionStatus.CONNECTED) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.emit('retry', this.attempt);
    void this.open();
  }

  /** Closes the connection for good; unsent messages reject with RC_NET_CHANNEL_INVALID. */
  async disconnect(): Promise<void> {
    this.unwatchEnvironment();
    this.wanted = false;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.tokenTimer);
    clearTimeout(this.deliveredTimer);
    this.deliveredTimer = undefined;
    if (this.transport) {
      this.writeFrame({ type: FrameType.DISCONNECT, body: { code: 0, reason: 'client disconnect' } });
    }
    this.dropTransport();
    this.failConnect(new IMError(ErrorCode.RC_NET_CHANNEL_INVALID, 'disconnected'));
    this.failOutbox(new IMError(ErrorCode.RC_NET_CHANNEL_INVALID, 'disconnected before the message was sent'));
    this.setStatus(ConnectionStatus.DISCONNECTED);
    // Storage writes already asked for (cursor, outbox) finish before disconnect resolves.
    await this.storageQueue;
  }

  private async open(): Promise<void> {
    this.setStatus(ConnectionStatus.CONNECTING);
    await this.restored;
    if (!this.token && this.options.tokenProvider) {
      try {
        this.token = await this.options.tokenProvider();
      } catch (error) {
        const code = this.tokenRenewed ? ErrorCode.RC_CONN_TOKEN_EXPIRE : ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR;
        this.onConnectFailure(new IMError(code, `tokenProvider failed: ${(error as Error)?.message}`));
        return;
      }
    }
    if (!this.wanted) return;
    if (!this.token) {
      this.onConnectFailure(new IMError(ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR, 'no token'));
      return;
    }
    this.openTransport(this.token);
  }

  /** The transports to try, the one that worked last first. */
  private transportOrder(): TransportKind[] {
    const allowed = (this.options.transports ?? ['websocket', 'polling']).filter((kind) => kind !== 'websocket' || this.WebSocketImpl);
    return this.workingTransport && allowed.includes(this.workingTransport)
      ? [this.workingTransport, ...allowed.filter((kind) => kind !== this.workingTransport)]
      : allowed;
  }

  /**
   * One connect attempt: every server URL at once, and the first link to open carries CONNECT.
   * The others are closed before they say anything, so no server keeps a session for them
   * (racing to CONNACK instead would register sessions that receive pushes, and a single-login
   * policy behind two URLs of one backend would sign the winner out). The URL that connected last
   * goes first, alone for a head start, so a healthy link costs one socket; the others join when
   * it fails to open or is slow. Within one URL, a transport kind that cannot even open
   * (WebSocket blocked by a proxy, say) hands over to the next kind.
   */
  private openTransport(token: string): void {
    for (const abandoned of this.race ?? []) abandoned.close();
    const race = new Set<Transport>();
    this.race = race;
    const current = () => this.race === race;
    const kinds = this.transportOrder();
    const preferred = this.preferredUrl;
    const others = this.urls.filter((url) => url !== preferred);
    let othersStarted = !preferred;
    let running = 0;
    const connackTimer = setTimeout(() => {
      if (!current()) return;
      this.dropTransport();
      this.onConnectFailure(new IMError(ErrorCode.RC_CONN_ACK_TIMEOUT, 'no CONNACK in time'));
    }, this.options.requestTimeout ?? 15_000);
    // Counted before any opens: a URL that fails at once must not end the race for the rest.
    const start = (urls: string[]) => {
      running += urls.length;
      for (const url of urls) open(url, 0);
    };
    const startOthers = () => {
      if (othersStarted || !current() || this.transport) return;
      othersStarted = true;
      start(others);
    };
    const headStart = othersStarted ? undefined : setTimeout(startOthers, PREFERRED_HEAD_START_MS);
    /** Every kind failed to open for one URL. */
    const lost = (error: IMError) => {
      if (--running > 0 || !current()) return;
      if (!othersStarted && others.length) {
        startOthers();
        return;
      }
      clearTimeout(connackTimer);
      clearTimeout(headStart);
      this.race = undefined;
      this.onLinkLost(error);
    };
    const open = (url: string, index: number): void => {
      const kind = kinds[index];
      if (!kind) {
        lost(new IMError(ErrorCode.RC_SOCKET_NOT_CREATED, 'no transport available'));
        return;
      }
      const next = (reason: string, created: boolean) => {
        if (index + 1 < kinds.length && this.wanted) {
          open(url, index + 1);
          return;
        }
        const code = !created || (kind === 'websocket' && kinds.length === 1) ? ErrorCode.RC_SOCKET_NOT_CREATED : ErrorCode.RC_SOCKET_DISCONNECTED;
        lost(new IMError(code, `${url} ${kind}: ${reason}`));
      };
      let transport: Transport;
      const handlers: TransportHandlers = {
        onOpen: () => {
          if (!current() || !race.delete(transport)) {
            transport.close();
            return;
          }
          clearTimeout(headStart);
          const losers = [...race];
          race.clear();
          for (const loser of losers) loser.close();
          this.transport = transport;
          this.linkUrl = url;
          this.linkToken = token;
          this.writeFrame({
            type: FrameType.CONNECT,
            body: { protocolVersion: PROTOCOL_VERSION, token, deviceId: this.deviceId, platform: this.options.platform ?? 'web' },
          });
        },
        onFrame: (bytes) => {
          if (this.transport !== transport) return;
          clearTimeout(this.pongTimer);
          this.onFrame(bytes, () => {
            clearTimeout(connackTimer);
            if (current()) this.race = undefined;
            this.workingTransport = kind;
            this.preferredUrl = url;
          });
        },
        onClose: ({ reason }) => {
          if (this.transport === transport) {
            clearTimeout(connackTimer);
            this.transport = undefined;
            if (current()) this.race = undefined;
            this.onLinkLost(new IMError(ErrorCode.RC_SOCKET_DISCONNECTED, `${kind}: ${reason}`));
            return;
          }
          if (race.delete(transport) && current()) next(reason, true);
        },
      };
      try {
        transport = kind === 'websocket'
          ? new WebSocketTransport(url, this.WebSocketImpl!, handlers)
          : new LazyLongPollTransport(pollUrlFor(url), handlers, this.options.fetch ? { fetch: this.options.fetch } : {});
      } catch (error) {
        next((error as Error)?.message, false);
        return;
      }
      race.add(transport);
    };
    start(preferred ? [preferred] : others);
  }

  /** The server URL (one of `options.url`) the current link goes to; undefined while there is none. */
  get serverUrl(): string | undefined {
    return this.transport ? this.linkUrl : undefined;
  }

  /** The transport in use, when connected: `websocket` or `polling`. */
  get transportName(): TransportKind | undefined {
    return this.transport?.name as TransportKind | undefined;
  }

  private onFrame(bytes: Uint8Array, connacked: () => void): void {
    const decoded = decodeFrame(bytes);
    const oversizeAnswer = decoded.ok ? undefined : oversizeQueryAckId(bytes);
    if (oversizeAnswer !== undefined) {
      // An answer too large for a frame (a server that cuts pages by count only): the link is
      // fine, and the query that asked for it fails as "too large" and asks again for less.
      this.settleQuery(oversizeAnswer, (pending) => pending.reject(new IMError(ErrorCode.RC_QUERY_ACK_NO_DATA,
        `the answer of ${bytes.length} bytes exceeds the frame limit of ${MAX_FRAME_BYTES}`)));
      return;
    }
    if (!decoded.ok) {
      this.dropTransport();
      this.onLinkLost(new IMError(decoded.error.code, decoded.error.message));
      return;
    }
    const frame = decoded.frame;
    switch (frame.type) {
      case FrameType.CONNACK:
        connacked();
        this.onConnAck(frame.body as im.ConnAck);
        return;
      case FrameType.PUBACK:
        this.onPubAck(frame.body as im.PubAck);
        return;
      case FrameType.QUERYACK:
        this.onQueryAck(frame.body as im.QueryAck);
        return;
      case FrameType.PUBLISH:
        this.onPublish(frame.body as im.Publish);
        return;
      case FrameType.PINGRESP:
        return;
      case FrameType.DISCONNECT: {
        const body = frame.body as im.Disconnect;
        this.dropTransport();
        this.onLinkLost(new IMError(body.code || ErrorCode.RC_DISCONN_EXCEPTION, body.reason || 'server disconnected'));
        return;
      }
      default:
        return;
    }
  }

  private onConnAck(ack: im.ConnAck): void {
    if (ack.code !== 0) {
      this.dropTransport();
      if (ack.code === ErrorCode.RC_CONN_TOKEN_EXPIRE && this.options.tokenProvider && !this.tokenRenewed) {
        this.renewToken();
        return;
      }
      this.onConnectFailure(new IMError(ack.code, 'connection refused'));
      return;
    }
    this.userIdValue = ack.userId;
    this.tokenRenewed = false;
    // A device with no past (no cursor, nothing restored) starts at the newest message when asked
    // to: the conversation list and history show the past without replaying it message by message
    // (kept even when 0: the next visit on this storage has a past, and catches up from it). And when the server's log ends before what this device saw (its store restored from a
    // backup, or started over), its next messages take those ids again, which a cursor past them
    // would skip as seen: the cursor goes back to the server's end.
    const startsNow = !this.cursorKnown && this.cursor === 0 && this.options.syncFrom === 'now';
    const rewound = this.cursor > ack.latestCursor;
    if (startsNow || rewound) {
      const cursor = this.cursor = ack.latestCursor;
      this.writeStorage((storage) => storage.set(CURSOR_KEY, cursor));
      this.forgetOwnSentPassed();
    }
    if (rewound) this.emit('rewound');
    this.cursorKnown = true;
    this.heartbeatMs = Math.max(1, ack.heartbeatSeconds || 30) * 1000;
    const wasReconnecting = this.everConnected;
    this.attempt = 0;
    this.everConnected = true;
    this.startHeartbeat();
    this.watchTokenExpiry(ack);
    this.setStatus(ConnectionStatus.CONNECTED);
    if (this.deliveredPending.size) this.scheduleDelivered();
    const waiter = this.connectWaiter;
    this.connectWaiter = undefined;
    waiter?.resolve({ userId: ack.userId });
    if (wasReconnecting) this.emit('reconnect');
    for (const entry of this.outbox.values()) this.transmit(entry, true);
    this.sync();
    if (wasReconnecting) void this.chatroomTracker?.rejoin(); // none: this client never was in a room
  }

  /**
   * Asks for a fresh token (once per successful connection, so an expired token handed back
   * again ends in `tokenExpired` rather than a loop) and connects again at once. A token already
   * fetched at `tokenWillExpire` is used without asking again.
   */
  private renewToken(): void {
    this.tokenRenewed = true;
    if (this.token === this.linkToken) this.token = undefined;
    void this.open();
  }

  /**
   * Schedules `tokenWillExpire`, measured on the server's clock (CONNACK's serverTime) so that a
   * client clock that is off does not matter. The server ends the session at expiry; a token
   * fetched ahead is ready for the reconnect that follows, without waiting on the provider then.
   */
  private watchTokenExpiry(ack: im.ConnAck): void {
    clearTimeout(this.tokenTimer);
    if (!ack.tokenExpiresAt) return;
    const left = ack.tokenExpiresAt - ack.serverTime;
    const noticeAt = Date.now() + left - Math.min(TOKEN_NOTICE_MAX_MS, left / 10);
    const token = this.linkToken;
    const wait = () => {
      const delay = noticeAt - Date.now();
      this.tokenTimer = delay > MAX_TIMER_MS ? setTimeout(wait, MAX_TIMER_MS) : setTimeout(() => void this.fetchNextToken(token), delay);
    };
    wait();
  }

  private async fetchNextToken(expiring: string | undefined): Promise<void> {
    this.emit('tokenWillExpire');
    const provider = this.options.tokenProvider;
    if (!provider) return;
    try {
      const next = await provider();
      if (next && this.wanted && this.token === expiring) this.token = next;
    } catch {
      // Nothing lost: at expiry the server ends the session and renewToken asks again.
    }
  }

  private onConnectFailure(error: IMError): void {
    // The URL that worked before did not this time: the next attempt races all of them.
    this.preferredUrl = undefined;
    if ((this.everConnected || this.options.reconnect?.firstConnect) && this.wanted && !FATAL_CODES.has(error.code)) {
      this.scheduleReconnect(error);
      return;
    }
    this.stopForGood(error);
  }

  /** Nothing more can be done without the app: say why, and fail what waits. */
  private stopForGood(error: IMError): void {
    this.unwatchEnvironment();
    this.wanted = false;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.tokenTimer);
    this.failConnect(error);
    this.failOutbox(error);
    this.setStatus(statusForCode(error.code));
    if (error.code === ErrorCode.RC_CONN_TOKEN_EXPIRE) this.emit('tokenExpired', error);
  }

  private failOutbox(error: IMError): void {
    const entries = [...this.outbox.values()];
    this.outbox.clear();
    for (const entry of entries) {
      this.ownSent.delete(entry.clientMsgId);
      entry.reject(error);
    }
  }

  private failConnect(error: IMError): void {
    const waiter = this.connectWaiter;
    this.connectWaiter = undefined;
    waiter?.reject(error);
  }

  /** An established or establishing link went away. */
  private onLinkLost(error: IMError): void {
    this.stopHeartbeat();
    for (const [id, query] of this.queries) {
      clearTimeout(query.timer);
      query.reject(new IMError(ErrorCode.RC_SOCKET_DISCONNECTED, 'connection lost before the answer'));
      this.queries.delete(id);
    }
    for (const entry of this.outbox.values()) entry.sent = false;
    if (this.statusValue !== ConnectionStatus.CONNECTED) {
      this.onConnectFailure(error);
      return;
    }
    if (error.code === ErrorCode.RC_CONN_TOKEN_EXPIRE && this.wanted && this.options.tokenProvider) {
      // The server ended the session at the token's expiry: back at once with a fresh token.
      // The outbox stays; its messages go again under the same clientMsgIds.
      this.setStatus(ConnectionStatus.CONNECTING);
      this.emit('disconnect', error);
      this.renewToken();
      return;
    }
    if (FATAL_CODES.has(error.code) || !this.wanted) {
      this.stopForGood(error);
      return;
    }
    this.setStatus(ConnectionStatus.NETWORK_UNAVAILABLE);
    this.emit('disconnect', error);
    this.scheduleReconnect(error);
  }

  private scheduleReconnect(cause: IMError): void {
    if (this.options.reconnect?.enabled === false) {
      this.stopForGood(new IMError(ErrorCode.RC_NET_UNAVAILABLE, 'connection lost and reconnecting is off'));
      return;
    }
    clearTimeout(this.reconnectTimer);
    const delay = backoffDelay(this.attempt++, {
      minDelay: this.options.reconnect?.minDelay ?? 1000,
      maxDelay: this.options.reconnect?.maxDelay ?? 30_000,
    });
    this.setStatus(ConnectionStatus.CONNECTING);
    const attempt = this.attempt;
    this.emit('schedule', attempt, delay, cause);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.wanted) return;
      this.emit('retry', attempt);
      void this.open();
    }, delay);
  }

  private environmentCleanup: (() => void) | undefined;

  /** Reconnects at once when the browser says it is online again, or the page visible again. */
  private watchEnvironment(): void {
    if (this.environmentCleanup) return;
    const target = this.options.environment ?? (globalThis as unknown as IMClientOptions['environment']);
    if (!target || typeof target.addEventListener !== 'function') return;
    const onOnline = () => this.retry();
    // The browser knows the network is gone: waiting for the heartbeat to find out would leave
    // sends hanging on a dead socket for half a minute.
    const onOffline = () => {
      if (!this.transport) return;
      this.dropTransport();
      this.onLinkLost(new IMError(ErrorCode.RC_NET_UNAVAILABLE, 'the browser went offline'));
    };
    const documentTarget = target.document as (EventTarget & { visibilityState?: string }) | undefined;
    const onVisible = () => {
      if (documentTarget?.visibilityState === 'visible') this.retry();
    };
    target.addEventListener('online', onOnline);
    target.addEventListener('offline', onOffline);
    documentTarget?.addEventListener?.('visibilitychange', onVisible);
    this.environmentCleanup = () => {
      target.removeEventListener('online', onOnline);
      target.removeEventListener('offline', onOffline);
      documentTarget?.removeEventListener?.('visibilitychange', onVisible);
    };
  }

  private unwatchEnvironment(): void {
    this.environmentCleanup?.();
    this.environmentCleanup = undefined;
  }

  private dropTransport(): void {
    this.stopHeartbeat();
    const transport = this.transport;
    const race = this.race;
    this.transport = undefined;
    this.race = undefined;
    transport?.close();
    for (const candidate of race ?? []) candidate.close();
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeatTimer = setInterval(() => {
      this.writeFrame({ type: FrameType.PINGREQ, body: undefined });
      clearTimeout(this.pongTimer);
      // Any frame clears this; silence for a whole interval means the link is dead.
      this.pongTimer = setTimeout(() => {
        this.dropTransport();
        this.onLinkLost(new IMError(ErrorCode.RC_PONG_RECV_FAIL, 'no answer to heartbeat'));
      }, Math.min(this.heartbeatMs, 10_000));
    }, this.heartbeatMs);
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.pongTimer);
  }

  private setStatus(status: ConnectionStatus): void {
    if (status === this.statusValue) return;
    this.statusValue = status;
    this.emit('status', status);
  }

  private writeFrame(frame: Frame): void {
    this.transport?.send(encodeFrame(frame));
  }

  private requestId(): number {
    const id = this.nextRequestId;
    this.nextRequestId = id >= 0xffffffff ? 1 : id + 1;
    return id;
  }

  // ---- sending ----

  /**
   * Sends a message. It gets a clientMsgId at once and keeps it through every resend; the
   * promise resolves when the server has durably stored it, or rejects with the seed's code.
   */
  sendMessage<C extends MessageContent>(conversation: Conversation, content: C, options: SendOptions = {}): Promise<IMMessage<C>> {
    try {
      content.validate();
    } catch (error) {
      const code = error instanceof MessageValidationError ? error.code : ErrorCode.PARAMETER_ERROR;
      return Promise.reject(new IMError(code, (error as Error).message));
    }
    if (!this.wanted) return Promise.reject(new IMError(ErrorCode.BIZ_ERROR_CLIENT_NOT_INIT, 'connect() first'));
    const clientMsgId = options.clientMsgId ?? newClientMsgId();
    if (!CLIENT_MSG_ID.test(clientMsgId)) {
      return Promise.reject(new IMError(ErrorCode.PARAMETER_ERROR, 'clientMsgId must be 1-64 characters of A-Z a-z 0-9 _ - . :'));
    }
    const pending = this.outbox.get(clientMsgId);
    if (pending) return pending.promise as Promise<IMMessage<C>>;
    // The peer stops showing "typing" at this message: typing again right after must say so.
    if (content.objectName !== TYPING_OBJECT_NAME) this.typingSentAt.delete(keyOf(conversation));
    const typeOptions = messageTypeOptions(content.objectName);
    const outgoing: im.IOutgoing = {
      clientMsgId, conversationType: conversation.conversationType, targetId: conversation.targetId,
      objectName: content.objectName, content: encodeContent(content), counted: typeOptions.isCounted, persisted: typeOptions.isPersited,
      ...(options.priority ? { priority: options.priority } : {}),
    };
    let settle!: Pick<OutboxEntry, 'resolve' | 'reject'>;
    const promise = new Promise<IMMessage<C>>((resolve, reject) => {
      settle = { resolve: resolve as (message: IMMessage) => void, reject };
    });
    const entry: OutboxEntry = { clientMsgId, outgoing, requestId: 0, sent: false, conversation, content, promise, ...settle };
    this.enqueue(entry);
    const stored: StoredOutgoing = {
      clientMsgId, conversationType: conversation.conversationType, targetId: conversation.targetId,
      objectName: content.objectName, content: outgoing.content as Uint8Array, order: Date.now() * 1000 + (this.order++ % 1000),
    };
    // A chatroom message is live only: after a reload it would go to a room the page is not in.
    if (conversation.conversationType !== 4) this.writeStorage((storage) => storage.set(OUTBOX_PREFIX + clientMsgId, stored));
    return promise;
  }

  private order = 0;
  private readonly typingSentAt = new Map<string, number>();

  /**
   * Tells the conversation's other members online that this user is typing `typingContentType`
   * (an objectName). At most one signal per conversation per 4 s goes out; calls in between, and
   * calls while not connected, are dropped: resolves true when a signal went out. The signal is
   * never stored, never counted, and not shown on this user's other devices.
   */
  async sendTypingStatus(conversation: Conversation, typingContentType = 'RC:TxtMsg'): Promise<boolean> {
    const content = new TypingStatusMessage({ typingContentType });
    try {
      content.validate();
    } catch (error) {
      throw new IMError(error instanceof MessageValidationError ? error.code : ErrorCode.PARAMETER_ERROR, (error as Error).message);
    }
    if (this.statusValue !== ConnectionStatus.CONNECTED || !this.transport) return false;
    const key = keyOf(conversation);
    const now = Date.now();
    const last = this.typingSentAt.get(key);
    if (last !== undefined && now - last < TYPING_INTERVAL_MS) return false;
    this.typingSentAt.set(key, now);
    // Past the outbox on purpose: a signal is worth nothing later, so it is neither kept for a
    // reconnect nor awaited (a refusal, e.g. not a member, is dropped like a throttled call).
    const outgoing: im.IOutgoing = {
      clientMsgId: newClientMsgId(), conversationType: conversation.conversationType, targetId: conversation.targetId,
      objectName: TYPING_OBJECT_NAME, content: encodeContent(content), counted: false, persisted: false,
    };
    this.writeFrame({ type: FrameType.PUBLISH, qos: 1, body: { requestId: this.requestId(), outgoing } });
    return true;
  }

  private enqueue(entry: OutboxEntry): void {
    this.outbox.set(entry.clientMsgId, entry);
    this.ownSent.add(entry.clientMsgId);
    entry.promise.then((message) => this.emit('sent', message), (error: IMError) => {
      if (error.code !== ErrorCode.RC_NET_CHANNEL_INVALID) this.emit('sendFailed', entry.clientMsgId, error);
    });
    if (this.statusValue === ConnectionStatus.CONNECTED) this.transmit(entry, false);
  }

  /** Unsent messages, oldest first: what a reload restored, and what waits for the connection. */
  getPendingMessages(): Array<{ clientMsgId: string; conversation: Conversation; content: MessageContent }> {
    return [...this.outbox.values()].map((entry) => ({ clientMsgId: entry.clientMsgId, conversation: entry.conversation, content: entry.content }));
  }

  /**
   * The unsent messages an earlier client left in `options.storage` (after a reload), with
   * those sent since; reading storage once, as `connect()` does.
   */
  async restorePending(): Promise<ReturnType<IMClient['getPendingMessages']>> {
    this.restored ??= this.restore();
    await this.restored;
    return this.getPendingMessages();
  }

  private restored: Promise<void> | undefined;
  private storageQueue: Promise<unknown> = Promise.resolve();

  /** Storage writes run one after another, in call order; a failing store never breaks sending. */
  private writeStorage(write: (storage: KeyValueStore) => Promise<unknown>): void {
    const storage = this.options.storage;
    if (!storage) return;
    this.storageQueue = this.storageQueue.then(() => write(storage)).catch(() => undefined);
  }

  /** Picks up what an earlier client on the same storage left: its cursor and unsent messages. */
  private async restore(): Promise<void> {
    const storage = this.options.storage;
    if (!storage) return;
    try {
      const cursor = await storage.get<number>(CURSOR_KEY);
      if (typeof cursor === 'number' && Number.isSafeInteger(cursor) && cursor >= 0) {
        this.cursorKnown = true;
        if (cursor > this.cursor) this.cursor = cursor;
      }
      const stored: StoredOutgoing[] = [];
      for (const key of await storage.keys(OUTBOX_PREFIX)) {
        const value = await storage.get<StoredOutgoing>(key);
        if (value && typeof value.clientMsgId === 'string' && CLIENT_MSG_ID.test(value.clientMsgId) && value.content instanceof Uint8Array) {
          stored.push(value);
        }
      }
      stored.sort((a, b) => a.order - b.order);
      for (const value of stored) {
        if (this.outbox.has(value.clientMsgId)) continue;
        const conversation = { conversationType: value.conversationType, targetId: value.targetId };
        const content = decodeContent(value.objectName, value.content);
        const typeOptions = messageTypeOptions(value.objectName);
        let settle!: Pick<OutboxEntry, 'resolve' | 'reject'>;
        const promise = new Promise<IMMessage>((resolve, reject) => {
          settle = { resolve, reject };
        });
        this.enqueue({
          clientMsgId: value.clientMsgId, requestId: 0, sent: false, conversation, content, promise, ...settle,
          outgoing: {
            clientMsgId: value.clientMsgId, conversationType: value.conversationType, targetId: value.targetId,
            objectName: value.objectName, content: value.content, counted: typeOptions.isCounted, persisted: typeOptions.isPersited,
          },
        });
        promise.catch(() => undefined);
      }
    } catch {
      // An unreadable store: start fresh rather than not at all.
    }
  }

  private transmit(entry: OutboxEntry, dup: boolean): void {
    entry.requestId = this.requestId();
    entry.sent = true;
    this.writeFrame({ type: FrameType.PUBLISH, dup, qos: 1, body: { requestId: entry.requestId, outgoing: entry.outgoing } });
  }

  private onPubAck(ack: im.PubAck): void {
    const entry = this.outbox.get(ack.clientMsgId);
    if (!entry || entry.requestId !== ack.requestId) return; // an ack for an earlier attempt
    if (ack.code === ErrorCode.SEND_FREQUENCY_TOO_FAST) {
      // The user already pressed send: keep the message and try again shortly.
      entry.sent = false;
      setTimeout(() => {
        if (this.outbox.get(entry.clientMsgId) === entry && !entry.sent && this.statusValue === ConnectionStatus.CONNECTED) {
          this.transmit(entry, true);
        }
      }, RATE_LIMIT_RETRY_MS);
      return;
    }
    this.outbox.delete(entry.clientMsgId);
    this.writeStorage((storage) => storage.delete(OUTBOX_PREFIX + entry.clientMsgId));
    if (ack.code !== 0) {
      this.ownSent.delete(entry.clientMsgId);
      entry.reject(new IMError(ack.code, ack.reason || 'the server refused the message'));
      return;
    }
    // A message that was not stored never comes back by sync to be told apart from others',
    // nor one the cursor has passed.
    if (!entry.outgoing.persisted || ack.cursor <= this.cursor) this.ownSent.delete(entry.clientMsgId);
    else this.ownSentCursors.push({ cursor: ack.cursor, clientMsgId: entry.clientMsgId });
    if (entry.conversation.conversationType === 4) this.chatroomTracker?.noteSent(entry.conversation.targetId, ack.sentTime);
    this.noteSeq(entry.conversation, ack.seq);
    // No spread of the conversation: on Node 20, each property added after a spread costs ~1 µs.
    entry.resolve({
      conversationType: entry.conversation.conversationType, targetId: entry.conversation.targetId,
      senderUserId: this.userIdValue!, objectName: entry.content.objectName, content: entry.content,
      messageUid: ack.messageUid, clientMsgId: entry.clientMsgId, seq: ack.seq, sentTime: ack.sentTime,
      messageDirection: MessageDirection.SEND, cursor: ack.cursor, persisted: entry.outgoing.persisted !== false,
    });
  }

  // ---- receiving ----

  private onPublish(publish: im.Publish): void {
    if (publish.message) {
      const message = publish.message as im.Message;
      if (!message.persisted) {
        // Not stored: no seq or cursor to order it by, and no sync will ever bring it. Holding
        // it behind a sync, or taking its seq 0 for a gap, would only delay or lose it.
        if (message.objectName === TYPING_OBJECT_NAME) {
          this.onTyping(message);
          return;
        }
        if (isCustomerServiceSignal(message)) {
          this.emitCustomerServiceEvent(message);
          return;
        }
        if (message.conversationType === 4 && this.interceptChatroom(message)) return;
        if (isSocialSignal(message)) {
          this.social.receive(message);
          return;
        }
        if (!(message.senderUserId === this.userIdValue && this.ownSent.has(message.clientMsgId))) this.emit('message', this.toMessage(message));
        return;
      }
      const known = this.lastSeq.get(keyOf(message));
      if (this.syncing || (known !== undefined && message.seq > known + 1)) {
        // Mid-sync, or a gap in this conversation's seq: let a sync fill it, then continue in order.
        this.buffered.push(message);
        this.sync();
        return;
      }
      this.deliver([message]);
    } else if (publish.conversation) {
      const change = publish.conversation as im.ConversationUpdate;
      this.emit('conversation', {
        conversationType: change.conversationType, targetId: change.targetId, readSeq: change.readSeq, removed: change.removed,
        ...(change.peerReadSeq > 0 ? { peerReadSeq: change.peerReadSeq } : {}),
        ...(change.peerDeliveredSeq > 0 ? { peerDeliveredSeq: change.peerDeliveredSeq } : {}),
        ...(change.memberReadUserId ? { memberReadUserId: change.memberReadUserId, memberReadSeq: change.memberReadSeq } : {}),
        ...(change.memberDeliveredUserId ? { memberDeliveredUserId: change.memberDeliveredUserId, memberDeliveredSeq: change.memberDeliveredSeq } : {}),
        ...(change.settingsChanged ? { isTop: change.isTop, notificationStatus: change.muted ? 0 : 1 } : {}),
        ...(change.deletedMessageUids?.length ? { deletedMessageUids: change.deletedMessageUids } : {}),
        ...(change.clearedSeq > 0 ? { clearedSeq: change.clearedSeq } : {}),
      });
    }
  }

  private onTyping(message: im.Message): void {
    // The server does not echo typing to its sender; an old server might.
    if (message.senderUserId === this.userIdValue) return;
    const content = decodeContent(message.objectName, message.content) as Partial<TypingStatusMessage>;
    this.emit('typing', {
      conversationType: message.conversationType, targetId: message.targetId, userId: message.senderUserId,
      typingContentType: typeof content.typingContentType === 'string' ? content.typingContentType : 'RC:TxtMsg',
    });
  }

  // ---- delivery receipts ----

  /** The highest seq received per private or group chat, not yet told to the server. */
  private readonly deliveredPending = new Map<string, { conversation: Conversation; seq: number }>();
  private readonly deliveredTold = new Map<string, number>();
  private deliveredTimer: ReturnType<typeof setTimeout> | undefined;

  private noteDelivered(wire: im.Message): void {
    if (this.options.deliveryReceipts === false || (wire.conversationType !== 1 && wire.conversationType !== 3)
      || wire.senderUserId === this.userIdValue) return;
    const key = keyOf(wire);
    if (wire.seq <= Math.max(this.deliveredTold.get(key) ?? 0, this.deliveredPending.get(key)?.seq ?? 0)) return;
    this.deliveredPending.set(key, { conversation: { conversationType: wire.conversationType, targetId: wire.targetId }, seq: wire.seq });
    this.scheduleDelivered();
  }

  private scheduleDelivered(): void {
    this.deliveredTimer ??= setTimeout(() => {
      this.deliveredTimer = undefined;
      if (this.statusValue !== ConnectionStatus.CONNECTED) return; // the next CONNECTED sends them
      const batch = [...this.deliveredPending];
      this.deliveredPending.clear();
      for (const [key, { conversation, seq }] of batch) {
        const request = { conversationType: conversation.conversationType, targetId: conversation.targetId, seq };
        this.query('delivered', im.DeliveredRequest.encode(request).finish()).then(
          () => this.deliveredTold.set(key, Math.max(seq, this.deliveredTold.get(key) ?? 0)),
          (error: IMError) => {
            // Refused (not a participant any more): telling it again cannot help. Lost on the
            // way: told at the next connection, unless a newer one was queued meanwhile.
            if (error.code !== ErrorCode.RC_NET_UNAVAILABLE && error.code !== ErrorCode.RC_SOCKET_DISCONNECTED
              && error.code !== ErrorCode.RC_MSG_RESP_TIMEOUT) return;
            if (seq > (this.deliveredPending.get(key)?.seq ?? 0)) this.deliveredPending.set(key, { conversation, seq });
          });
      }
    }, DELIVERED_DELAY_MS);
  }

  /**
   * Pulls everything after the cursor; pushes arriving meanwhile wait and are merged in order.
   * A request made while a sync runs (a new connection) makes it go round once more.
   */
  private sync(): void {
    this.syncRequested = true;
    if (this.syncing) return;
    this.syncing = true;
    void this.runSync();
  }

  private async runSync(): Promise<void> {
    let complete = false;
    while (this.syncRequested) {
      this.syncRequested = false;
      complete = false;
      try {
        let limit = SYNC_PAGE;
        for (;;) {
          // A page too large for a frame is asked again smaller (queryPage). A single message too
          // large even alone ends this sync unfinished, the link kept: nothing after it is skipped.
          const answer = await this.queryPage('sync', limit, (count) => im.SyncRequest.encode({ cursor: this.cursor, limit: count }).finish());
          const page = decodeOrThrow(im.SyncResponse, answer.body);
          this.deliver(page.messages as im.Message[]);
          if (!page.hasMore || page.messages.length === 0) break;
          // Back towards full pages once past the large messages.
          limit = Math.min(SYNC_PAGE, answer.count * 2);
        }
        complete = true;
      } catch (error) {
        // A link that answers nothing in time is broken: reconnect (which syncs again).
        if ((error as IMError).code === ErrorCode.RC_MSG_RESP_TIMEOUT && this.transport) {
          this.dropTransport();
          this.onLinkLost(error as IMError);
        }
      }
    }
    const waiting = this.buffered.sort((a, b) => a.cursor - b.cursor);
    this.buffered = [];
    this.syncing = false;
    // After a failed sync the held pushes must not move the cursor past what is missing: the
    // next connection's sync brings them again, in order.
    if (complete) this.deliver(waiting);
  }

  private deliver(messages: im.Message[]): void {
    const before = this.cursor;
    this.deliverEach(messages);
    if (this.cursor !== before) {
      const cursor = this.cursor;
      this.writeStorage((storage) => storage.set(CURSOR_KEY, cursor));
      this.forgetOwnSentPassed();
    }
  }

  private forgetOwnSentPassed(): void {
    let passed = 0;
    while (passed < this.ownSentCursors.length && this.ownSentCursors[passed]!.cursor <= this.cursor) {
      this.ownSent.delete(this.ownSentCursors[passed]!.clientMsgId);
      passed++;
    }
    if (passed) this.ownSentCursors = this.ownSentCursors.slice(passed);
  }

  private deliverEach(messages: im.Message[]): void {
    for (const wire of messages) {
      const cursor = wire.cursor;
      if (cursor <= this.cursor) continue; // seen already (sync and push overlap)
      this.cursor = cursor;
      this.noteSeq(wire, wire.seq);
      if (wire.senderUserId === this.userIdValue && this.ownSent.delete(wire.clientMsgId)) continue;
      this.emit('message', this.toMessage(wire));
      this.emitCustomerServiceEvent(wire);
      // After the emit: "delivered" means this client has handed the message on.
      this.noteDelivered(wire);
    }
  }

  private noteSeq(conversation: Conversation, seq: number): void {
    const key = keyOf(conversation);
    if (seq > (this.lastSeq.get(key) ?? 0)) this.lastSeq.set(key, seq);
  }

  private toMessage(wire: im.Message): IMMessage {
    return {
      conversationType: wire.conversationType,
      targetId: wire.targetId,
      senderUserId: wire.senderUserId,
      objectName: wire.objectName,
      content: decodeContent(wire.objectName, wire.content),
      messageUid: wire.messageUid,
      clientMsgId: wire.clientMsgId,
      seq: wire.seq,
      sentTime: wire.sentTime,
      messageDirection: wire.senderUserId === this.userIdValue ? MessageDirection.SEND : MessageDirection.RECEIVE,
      cursor: wire.cursor,
      persisted: wire.persisted,
    };
  }

  // ---- queries ----

  /**
   * One query and its answer. A query the server refused as too frequent (SEND_FREQUENCY_TOO_FAST:
   * the user's query rate, or too many in flight on this connection) is asked again after a pause,
   * as long as the whole stays within the request timeout: a busy moment is not an error to show.
   */
  private async query(topic: string, body: Uint8Array): Promise<Uint8Array> {
    const timeout = this.options.requestTimeout ?? 15_000;
    const deadline = Date.now() + timeout;
    for (let pause = QUERY_RETRY_FIRST_MS; ; pause = Math.min(pause * 2, RATE_LIMIT_RETRY_MS)) {
      try {
        return await this.queryOnce(topic, body, Math.max(1, deadline - Date.now()));
      } catch (error) {
        if ((error as IMError).code !== ErrorCode.SEND_FREQUENCY_TOO_FAST || Date.now() + pause >= deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  private queryOnce(topic: string, body: Uint8Array, timeout: number): Promise<Uint8Array> {
    if (this.statusValue !== ConnectionStatus.CONNECTED || !this.transport) {
      return Promise.reject(new IMError(ErrorCode.RC_NET_UNAVAILABLE, 'not connected'));
    }
    const requestId = this.requestId();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.queries.delete(requestId);
        reject(new IMError(ErrorCode.RC_MSG_RESP_TIMEOUT, `no answer to ${topic}`));
      }, timeout);
      this.queries.set(requestId, { resolve, reject, timer });
      this.writeFrame({ type: FrameType.QUERY, qos: 1, body: { requestId, topic, body } });
    });
  }

  private onQueryAck(ack: im.QueryAck): void {
    this.settleQuery(ack.requestId, (pending) => {
      if (ack.code !== 0) pending.reject(new IMError(ack.code, ack.reason || 'query refused'));
      else pending.resolve(ack.body);
    });
  }

  private settleQuery(requestId: number, settle: (pending: PendingQuery) => void): void {
    const pending = this.queries.get(requestId);
    if (!pending) return;
    this.queries.delete(requestId);
    clearTimeout(pending.timer);
    settle(pending);
  }

  /**
   * A query for a page of `count` items: while the answer is too large for one frame
   * (RC_QUERY_ACK_NO_DATA: a frame refused for its size, or the server's refusal), asks again for
   * half as many, down to one. The page asked for starts where the first one would have, so
   * nothing is skipped or repeated: it only ends sooner, with `hasMore`.
   */
  private async queryPage(topic: string, count: number, request: (count: number) => Uint8Array):
    Promise<{ body: Uint8Array; count: number }> {
    for (;;) {
      try {
        return { body: await this.query(topic, request(count)), count };
      } catch (error) {
        const smaller = Math.floor(count / 2);
        if ((error as IMError).code !== ErrorCode.RC_QUERY_ACK_NO_DATA || !(smaller >= 1)) throw error;
        count = smaller;
      }
    }
  }

  /**
   * A page of one conversation's messages, ascending by seq. `before`/`after` are exclusive seqs.
   * A page may hold fewer than `count` (large messages: every answer fits in one frame); `hasMore`
   * says whether more are left.
   */
  async getHistoryMessages(conversation: Conversation, options: { count?: number; before?: number; after?: number } = {}):
    Promise<{ messages: IMMessage[]; hasMore: boolean }> {
    const { body } = await this.queryPage('history', positiveOr(options.count, 20), (count) => im.HistoryRequest.encode({
      conversationType: conversation.conversationType, targetId: conversation.targetId,
      before: options.before ?? 0, after: options.after ?? 0, count,
    }).finish());
    const page = decodeOrThrow(im.HistoryResponse, body);
    return { messages: (page.messages as im.Message[]).map((m) => this.toMessage(m)), hasMore: page.hasMore };
  }

  /**
   * One page of conversations, latest activity first; page on with `before: last.latestCursor`.
   * A page may hold fewer than `count` (large latest messages); `hasMore` says whether more are left.
   */
  async getConversationPage(options: { count?: number; before?: number; types?: number[] } = {}):
    Promise<{ conversations: ConversationInfo[]; hasMore: boolean }> {
    const { body } = await this.queryPage('conversations', positiveOr(options.count, 50), (count) => im.ConversationListRequest.encode({
      count, before: options.before ?? 0, types: options.types ?? [],
    }).finish());
    const page = decodeOrThrow(im.ConversationListResponse, body);
    return {
      hasMore: page.hasMore,
      conversations: (page.conversations as im.Conversation[]).map((c) => ({
        conversationType: c.conversationType, targetId: c.targetId, unreadCount: c.unreadCount,
        latestMessage: c.latestMessage ? this.toMessage(c.latestMessage as im.Message) : undefined,
        readSeq: c.readSeq, updatedTime: c.updatedTime, latestCursor: c.latestCursor,
        ...(c.conversationType === 1 ? { peerReadSeq: c.peerReadSeq, peerDeliveredSeq: c.peerDeliveredSeq } : {}),
        isTop: c.isTop, notificationStatus: c.muted ? 0 : 1, clearedSeq: c.clearedSeq,
      })),
    };
  }

  /** The seed's list (an array) of one page, with `hasMore`: whether more are left (page on with `before`). */
  async getConversationList(options: { count?: number; before?: number; types?: number[] } = {}): Promise<ConversationInfo[] & { hasMore: boolean }> {
    const page = await this.getConversationPage(options);
    return listWithHasMore(page.conversations, page.hasMore);
  }

  // ---- pin, do not disturb, one-sided deletes, unread total, search (conversation-tools.ts) ----

  private readonly tools: ConversationTools = conversationTools((topic, request) => this.customerServiceQuery(topic, request), (wire) => this.toMessage(wire));
  /** Pins (`true`) or unpins the conversation for this user, on every device. */
  setConversationToTop: ConversationTools['setConversationToTop'] = (...args) => this.tools.setConversationToTop(...args);
  /** 0 (DO_NOT_DISTURB) or 1 (NOTIFY), for this user on every device. */
  setConversationNotificationStatus: ConversationTools['setConversationNotificationStatus'] = (...args) => this.tools.setConversationNotificationStatus(...args);
  getConversationNotificationStatus: ConversationTools['getConversationNotificationStatus'] = (...args) => this.tools.getConversationNotificationStatus(...args);
  /** Deletes messages for this user only (others keep theirs), on every device; the uids deleted. */
  deleteRemoteMessages: ConversationTools['deleteRemoteMessages'] = (...args) => this.tools.deleteRemoteMessages(...args);
  /** Deletes for this user the messages sent at or before `timestamp`; the seq cleared up to. */
  clearRemoteHistoryMessages: ConversationTools['clearRemoteHistoryMessages'] = (...args) => this.tools.clearRemoteHistoryMessages(...args);
  /** Removes the user's conversations (of these types) from their list; how many. */
  clearConversations: ConversationTools['clearConversations'] = (...args) => this.tools.clearConversations(...args);
  getTotalUnreadCount: ConversationTools['getTotalUnreadCount'] = (...args) => this.tools.getTotalUnreadCount(...args);
  searchConversationByContent: ConversationTools['searchConversationByContent'] = (...args) => this.tools.searchConversationByContent(...args);
  searchMessageByContent: ConversationTools['searchMessageByContent'] = (...args) => this.tools.searchMessageByContent(...args);

  /** Marks the conversation read up to `readSeq` (default: its latest message) on every device. */
  async clearUnreadCount(conversation: Conversation, readSeq = 0): Promise<{ readSeq: number }> {
    const body = await this.query('read', im.ReadRequest.encode({ ...conversation, readSeq }).finish());
    return { readSeq: decodeOrThrow(im.ConversationUpdate, body).readSeq };
  }

  /**
   * Who has read message `seq` of a group, from the members' read positions: the current
   * members who received it (not those who joined later or left), without its sender. A group
   * too large to list in one frame (some thousands of members) is refused with RC_QUERY_ACK_NO_DATA.
   */
  async getMessageReaders(conversation: Conversation, seq: number): Promise<MessageReaders> {
    const body = await this.query('readers', im.ReadersRequest.encode({
      conversationType: conversation.conversationType, targetId: conversation.targetId, seq,
    }).finish());
    const result = decodeOrThrow(im.ReadersResponse, body);
    return { readUserIds: result.readUserIds, unreadUserIds: result.unreadUserIds, deliveredUserIds: result.deliveredUserIds };
  }

  /**
   * Names and pictures of users (as given to the app-server API), and names of groups this user
   * is in. Unknown ids are left out. Profiles too many for one frame are asked for in halves.
   */
  async getProfiles(ids: { userIds?: string[]; groupIds?: string[] }): Promise<{
    users: Array<{ userId: string; name: string; portraitUri: string }>;
    groups: Array<{ groupId: string; name: string; memberIds: string[] }>;
  }> {
    const userIds = ids.userIds ?? [];
    const groupIds = ids.groupIds ?? [];
    let body: Uint8Array;
    try {
      body = await this.query('profiles', im.ProfilesRequest.encode({ userIds, groupIds }).finish());
    } catch (error) {
      const users = [...new Set(userIds)];
      const groups = [...new Set(groupIds)];
      if ((error as IMError).code !== ErrorCode.RC_QUERY_ACK_NO_DATA || users.length + groups.length < 2) throw error;
      const half = Math.ceil((users.length + groups.length) / 2);
      const first = await this.getProfiles({ userIds: users.slice(0, half), groupIds: groups.slice(0, Math.max(0, half - users.length)) });
      const second = await this.getProfiles({ userIds: users.slice(half), groupIds: groups.slice(Math.max(0, half - users.length)) });
      return { users: [...first.users, ...second.users], groups: [...first.groups, ...second.groups] };
    }
    const result = decodeOrThrow(im.ProfilesResponse, body);
    return {
      users: (result.users as im.UserProfile[]).map((u) => ({ userId: u.userId, name: u.name, portraitUri: u.portraitUri })),
      groups: (result.groups as im.GroupProfile[]).map((g) => ({ groupId: g.groupId, name: g.name, memberIds: g.memberIds })),
    };
  }

  /**
   * Recalls a message this user sent, within the server's recall window (`--recall-window`,
   * default 120 s; past it: RECALL_MESSAGE 25101; someone else's message: RC_MSG_UNAUTHORIZED).
   * The server replaces the message with an RC:RcNtf and sends an RC:RcCmd (a RecallCommandMessage)
   * to every member and device, this client included, which arrives as a 'message'; the same
   * command is returned. `sentTime` is accepted for the seed's signature; the server goes by its
   * own record.
   */
  async recallMessage(conversation: Conversation, message: { messageUid: string; sentTime?: number }):
    Promise<IMMessage<RecallCommandMessage>> {
    if (typeof message?.messageUid !== 'string' || message.messageUid.length === 0) {
      throw new IMError(ErrorCode.PARAMETER_ERROR, 'messageUid is required');
    }
    const body = await this.query('recall', im.RecallRequest.encode({
      conversationType: conversation.conversationType, targetId: conversation.targetId, messageUid: message.messageUid,
    }).finish());
    const command = decodeOrThrow(im.RecallResponse, body).command;
    if (!command) throw new IMError(ErrorCode.UNKNOWN, 'the recall answer carries no command');
    return this.toMessage(command as im.Message) as IMMessage<RecallCommandMessage>;
  }

  private emitCustomerServiceEvent(wire: im.Message): void {
    const found = customerServiceEventOf(wire);
    if (found?.kind === 'customerServiceQueue') this.emit('customerServiceQueue', found.event);
    else if (found?.kind === 'customerServiceStatus') this.emit('customerServiceStatus', found.event);
    else if (found?.kind === 'customerServiceRating') this.emit('customerServiceRating', found.event);
    else if (found?.kind === 'customerServiceWaiting') this.emit('customerServiceWaiting', found.event);
    else if (found?.kind === 'customerServiceTicket') this.emit('customerServiceTicket', found.event);
  }

  // ---- online status and the blacklist (social.ts; README) ----

  private readonly social = new SocialCalls({
    onStatus: (listener) => this.on('status', listener),
    emit: (found) => (found.kind === 'userStatus' ? this.emit('userStatus', found.event) : this.emit('blacklist', found.event)),
  }, (topic, request) => this.customerServiceQuery(topic, request));

  /** The statuses of users this user may see (sharing a conversation or group); the others are `denied`. */
  getUserStatus(userIds: string | string[]): Promise<UserStatusAnswer> { return this.social.getUserStatus(userIds); }
  /** Sets what this user shows while online (`online`, `away`, `busy`; `text` up to 64 characters); subscribers hear it. */
  setUserStatus(status: ChosenUserStatus, text?: string): Promise<UserStatus> { return this.social.setUserStatus(status, text); }
  /** Subscribes this connection to users' status changes (`userStatus` events; at most 200); answers their statuses now. */
  subscribeUserStatus(userIds: string[]): Promise<UserStatusAnswer> { return this.social.subscribeUserStatus(userIds); }
  /** Ends subscriptions (all when no ids are given). */
  unsubscribeUserStatus(userIds?: string[]): Promise<void> { return this.social.unsubscribeUserStatus(userIds); }
  /** Blacklists a user: their private messages to this user are refused (REJECTED_BY_BLACKLIST 405). */
  addToBlacklist(userId: string): Promise<void> { return this.social.addToBlacklist(userId); }
  removeFromBlacklist(userId: string): Promise<void> { return this.social.removeFromBlacklist(userId); }
  /** This user's blacklist by user id, a page at a time (`after`: the last userId of the page before). */
  getBlacklist(options?: { after?: string; count?: number }): Promise<BlacklistPage> { return this.social.getBlacklist(options); }
  /** Whether this user blacklisted `userId`. */
  getBlacklistStatus(userId: string): Promise<boolean> { return this.social.getBlacklistStatus(userId); }

  // ---- chatrooms (conversation type 4; docs/chatroom.md) ----

  /** The chatroom tracker, once the chatroom module is loaded (chatroom-lazy.ts). */
  private chatroomTracker: ChatroomTracker | undefined;
  private chatroomLoading: Promise<ChatroomTracker> | undefined;

  /** The chatroom tracker if its module is loaded (by any client). */
  private loadedChatroom(): ChatroomTracker | undefined {
    const module = chatroomModule.loaded;
    if (!this.chatroomTracker && module) {
      this.chatroomTracker = new module.ChatroomTracker({
        query: (topic, body) => this.customerServiceQuery(topic, body),
        toMessage: (wire) => this.toMessage(wire),
        emitMessage: (message) => this.emit('message', message),
        emitEntry: (event) => this.emit('chatroomEntry', event),
        emitMembers: (event) => this.emit('chatroomMembers', event),
        emitStatus: (event) => this.emit('chatroomStatus', event),
      });
    }
    return this.chatroomTracker;
  }

  /** This client's room and filter (undefined before any chatroom call): what a new leading tab takes over. */
  chatroomState(): ChatroomState | undefined {
    return this.loadedChatroom()?.state;
  }

  /** Takes over the room and filter of a client that went (a leading tab), joining it again with what was missed. */
  resumeChatroom(state: ChatroomState): Promise<void> {
    return this.withChatroom((room) => room.resume(state));
  }

  /**
   * Runs a chatroom call with the tracker: at once when its module is loaded, else once it is; a
   * failed load rejects with RC_NET_UNAVAILABLE (and the next call tries again).
   */
  private withChatroom<T>(use: (room: ChatroomTracker) => Promise<T>): Promise<T> {
    const room = this.loadedChatroom();
    if (room) return use(room);
    this.chatroomLoading ??= loadChatroom().then(
      () => {
        this.chatroomLoading = undefined;
        return this.loadedChatroom()!;
      },
      (error: unknown) => {
        this.chatroomLoading = undefined;
        throw new IMError(ErrorCode.RC_NET_UNAVAILABLE, `could not load the chatroom module: ${(error as Error)?.message ?? error}`);
      });
    return this.chatroomLoading.then(use);
  }

  /**
   * A live chatroom message: whether the tracker consumed it. Before the tracker is loaded this
   * client has never joined a room nor set a filter, so there is nothing to filter or repeat; a
   * room's signal is consumed, and becomes its event once the tracker is there.
   */
  private interceptChatroom(message: im.Message): boolean {
    const room = this.loadedChatroom();
    if (room) return room.intercept(message);
    if (message.objectName !== CHATROOM_MEMBERS_OBJECT_NAME && message.objectName !== CHATROOM_KV_OBJECT_NAME) return false;
    this.withChatroom(async (loaded) => loaded.intercept(message)).catch(() => undefined);
    return true;
  }

  /**
   * Joins a room (made by its first join), leaving the room this user was in. `count`: recent
   * messages to get (-1 none, 0 the default 10, at most 50), returned and emitted as `message`.
   * After a dropped connection the client joins again by itself and gets what it missed.
   */
  joinChatRoom(roomId: string, count = 10): Promise<ChatroomJoinResult> {
    return this.withChatroom((room) => room.join(roomId, count));
  }

  quitChatRoom(roomId: string): Promise<void> {
    return this.withChatroom((room) => room.quit(roomId));
  }

  /** Members: how many, and `count` (0–20) of them by join time (`order` 1 oldest first, 2 newest first). */
  getChatRoomInfo(roomId: string, count = 0, order = 1): Promise<ChatroomInfo> {
    return this.customerServiceQuery('room.info', { roomId, count, order });
  }

  /** The room's recent window (kept in the server's memory): `order` 0 before `timestamp` (0 = now), 1 after; oldest first. */
  getChatRoomHistoryMessages(roomId: string, count = 20, order = 0, timestamp = 0): Promise<{ messages: IMMessage[]; hasMore: boolean }> {
    return this.withChatroom((room) => room.history(roomId, count, order, timestamp));
  }

  /** Sets a KV entry of the room; one another user set is refused with CHATROOM_KV_OVERWRITE_INVALID 23424. */
  setChatroomEntry(roomId: string, entry: ChatroomEntryOptions): Promise<void> {
    return this.customerServiceQuery('room.kv.set', { roomId, ...entry }).then(() => undefined);
  }

  forceSetChatroomEntry(roomId: string, entry: ChatroomEntryOptions): Promise<void> {
    return this.customerServiceQuery('room.kv.set', { roomId, ...entry, force: true }).then(() => undefined);
  }

  /** An entry's value; CHATROOM_KEY_NOT_EXIST 23427 when there is none. */
  async getChatroomEntry(roomId: string, key: string): Promise<string> {
    return (await this.customerServiceQuery<{ value: string }>('room.kv.get', { roomId, key })).value;
  }

  async getAllChatroomEntries(roomId: string): Promise<Record<string, string>> {
    const answer = await this.customerServiceQuery<{ entries: Array<{ key: string; value: string }> }>('room.kv.all', { roomId });
    return Object.fromEntries(answer.entries.map((entry) => [entry.key, entry.value]));
  }

  removeChatroomEntry(roomId: string, entry: ChatroomRemoveOptions): Promise<void> {
    return this.customerServiceQuery('room.kv.remove', { roomId, ...entry }).then(() => undefined);
  }

  forceRemoveChatroomEntry(roomId: string, entry: ChatroomRemoveOptions): Promise<void> {
    return this.customerServiceQuery('room.kv.remove', { roomId, ...entry, force: true }).then(() => undefined);
  }

  /** Chatroom messages of these objectNames are no longer delivered to this user (the server leaves them out). */
  setFilterMessages(objectNames: string[]): Promise<void> {
    return this.withChatroom((room) => room.setFilter(objectNames, this.statusValue === ConnectionStatus.CONNECTED));
  }

  // ---- customer service (conversation type 5; docs/customer-service.md) ----

  /** A customer-service query: JSON object in, JSON object out. */
  private async customerServiceQuery<T>(topic: string, request: Record<string, unknown>): Promise<T> {
    const body = await this.query(topic, new TextEncoder().encode(JSON.stringify(request)));
    return JSON.parse(new TextDecoder().decode(body)) as T;
  }

  /**
   * Visitor: starts (or returns the active) session with a skill group; the conversation is
   * `(CUSTOMER_SERVICE, groupId)`. The group answers with its robot or queues for an agent.
   * `form`: the pre-chat form (`{fieldName: value}`), checked against the group's fields when a
   * session starts (PARAMETER_ERROR -3) and kept as the session's `visitorInfo`. Outside business
   * hours a human-first group refuses with CS_OUTSIDE_HOURS 29423.
   */
  startCustomService(groupId = DEFAULT_CUSTOMER_SERVICE_GROUP, form?: Record<string, string>): Promise<CustomerSession> {
    return this.customerServiceQuery('cs.start', form === undefined ? { groupId } : { groupId, form });
  }

  /**
   * Anyone: a skill group as a launcher shows it (name, hours now and the next opening, offline
   * message, pre-chat fields) with this user's latest session and queue position.
   */
  getCustomerServiceInfo(groupId = DEFAULT_CUSTOMER_SERVICE_GROUP): Promise<CustomerServiceInfo> {
    return this.customerServiceQuery('cs.info', { groupId });
  }

  /** Visitor: ends the active session (CS_SESSION_NOT_FOUND 29404 when there is none). */
  stopCustomService(groupId = DEFAULT_CUSTOMER_SERVICE_GROUP): Promise<CustomerSession> {
    return this.customerServiceQuery('cs.stop', { groupId });
  }

  /** Visitor: leaves the robot for the queue of human agents; a session with a human already is returned as it is. */
  switchToHumanMode(groupId = DEFAULT_CUSTOMER_SERVICE_GROUP): Promise<CustomerSession> {
    return this.customerServiceQuery('cs.human', { groupId });
  }

  /**
   * Visitor: rates the latest session with the group, 1–5 and a comment. One rating per session,
   * robot or human: a second is refused with CS_ALREADY_EVALUATED 29409.
   */
  async evaluateHumanCustomService(groupId: string, score: number, comment = ''): Promise<{ sessionId: number; score: number; comment: string }> {
    return this.customerServiceQuery('cs.evaluate', { groupId, score, comment, robot: false });
  }

  /** Visitor: rates the robot's part of the latest session; the same one rating per session. */
  async evaluateRobotCustomService(groupId: string, score: number, comment = ''): Promise<{ sessionId: number; score: number; comment: string }> {
    return this.customerServiceQuery('cs.evaluate', { groupId, score, comment, robot: true });
  }

  /**
   * Agent: without a scope, the sessions assigned to this agent, then those queued in their groups
   * (oldest first). With a scope, its first page newest first (`getCustomerSessionsPage` pages on).
   */
  async getCustomerSessions(scope?: CustomerSessionScope, options: { before?: number; limit?: number } = {}): Promise<CustomerSession[]> {
    return (await this.getCustomerSessionsPage(scope, options)).sessions;
  }

  /**
   * Agent: one page of sessions: `mine` (open or pending with them), `queued` (their groups'
   * queues), `all` (not resolved in their groups, others' too: their messages stay unreadable),
   * `resolved` (those they served); newest first, `before` a sessionId, `limit` ≤ 100.
   */
  getCustomerSessionsPage(scope?: CustomerSessionScope, options: { before?: number; limit?: number } = {}): Promise<CustomerSessionPage> {
    return this.customerServiceQuery('cs.sessions', { ...(scope ? { scope } : {}), ...options });
  }

  /** Agent: the agents of their groups with load, connection and away status (for a transfer). */
  getCustomerServiceAgents(): Promise<CustomerServiceAgents> {
    return this.customerServiceQuery('cs.agents', {});
  }

  /** Agent: away (or back): an away agent gets no automatic assignment; take and transfer still work. */
  setCustomerServiceAgentAway(away: boolean): Promise<{ away: boolean }> {
    return this.customerServiceQuery('cs.agent.status', { away });
  }

  /** Agent: the canned replies of their groups (set with the app API's `cannedReplies`). */
  async getCannedReplies(): Promise<CustomerCannedReply[]> {
    return (await this.customerServiceQuery<{ replies: CustomerCannedReply[] }>('cs.canned', {})).replies;
  }

  /**
   * The visitor of a session, or an agent of its group: the session's messages as text lines,
   * all of them (read page by page). Internal notes are never part of it.
   */
  async getCustomerSessionTranscript(sessionId: number): Promise<CustomerTranscriptLine[]> {
    const lines: CustomerTranscriptLine[] = [];
    let after = 0;
    for (;;) {
      const page = await this.customerServiceQuery<{ lines: CustomerTranscriptLine[]; hasMore: boolean; after?: number }>(
        'cs.transcript', { sessionId, after });
      lines.push(...page.lines);
      const next = page.after ?? page.lines.at(-1)?.seq ?? after;
      // A page that moved nowhere would be asked for forever.
      if (!page.hasMore || next <= after) return lines;
      after = next;
    }
  }

  /**
   * Visitor: leaves a message for the group's agents (a ticket: never part of the conversation),
   * the way to reach a group outside its hours. `message` 1–2000, `email` required; 5 an hour per
   * visitor, then SEND_FREQUENCY_TOO_FAST 20604.
   */
  leaveCustomerServiceMessage(groupId: string, ticket: { email: string; name?: string; message: string; form?: Record<string, string> }):
    Promise<{ ticketId: number; createdAt: number }> {
    return this.customerServiceQuery('cs.ticket', { groupId, ...ticket });
  }

  /** Agent: the tickets of their groups, newest first (at most 200), all or by status. */
  async getCustomerServiceTickets(status?: 'open' | 'closed'): Promise<CustomerServiceTicket[]> {
    return (await this.customerServiceQuery<{ tickets: CustomerServiceTicket[] }>('cs.tickets', status ? { status } : {})).tickets;
  }

  /** Agent: closes a ticket of their groups (CS_TICKET_NOT_FOUND 29405 for any other). */
  closeCustomerServiceTicket(ticketId: number): Promise<CustomerServiceTicket> {
    return this.customerServiceQuery('cs.ticket.close', { ticketId });
  }

  /** Agent: takes a queued session of one of their groups (even above their automatic cap). */
  takeCustomerSession(sessionId: number): Promise<CustomerSession> {
    return this.customerServiceQuery('cs.take', { sessionId });
  }

  /** Agent: hands a session of theirs to another agent of its group, or to another group's queue. */
  transferCustomerSession(sessionId: number, to: { toAgentId: string } | { toGroupId: string }): Promise<CustomerSession> {
    return this.customerServiceQuery('cs.transfer', { sessionId, ...to });
  }

  /** Agent: resolves a session of theirs; the slot goes to the next queued visitor. */
  resolveCustomerSession(sessionId: number): Promise<CustomerSession> {
    return this.customerServiceQuery('cs.resolve', { sessionId });
  }

  /** Agent: an internal note on a session, for agents only: never a message, never seen by the visitor. */
  addCustomerSessionNote(sessionId: number, text: string): Promise<CustomerSessionNote> {
    return this.customerServiceQuery('cs.note', { sessionId, text });
  }

  /** Agent: a session's internal notes, oldest first. */
  async getCustomerSessionNotes(sessionId: number): Promise<CustomerSessionNote[]> {
    return (await this.customerServiceQuery<{ notes: CustomerSessionNote[] }>('cs.notes', { sessionId })).notes;
  }

  /** Removes the conversation from this user's list on every device, until a new message arrives. */
  async removeConversation(conversation: Conversation): Promise<void> {
    await this.query('remove', im.RemoveConversationRequest.encode(conversation).finish());
  }

  /**
   * Uploads a file to the server this client uses (the HTTP side of its WebSocket URL) with the
   * user's token; resolves with the file's canonical URL, to send in a message. Needs no connection.
   */
  async uploadFile(file: UploadSource, options: UploadOptions = {}): Promise<UploadedFile> {
    const { uploadFile } = await loadSendFiles(); // loaded on first use
    return uploadFile(this.httpBase(), await this.currentToken(), file, options, this.options.fetch);
  }

  /** Signed URLs (about an hour) for file URLs, keyed by the URL given; files this user may not read are left out. */
  async getFileUrls(urls: string[]): Promise<Record<string, string>> {
    return signFileUrls(this.httpBase(), await this.currentToken(), urls, this.options.fetch);
  }

  /**
   * The seed's upload sugar: uploads `body.file` (progress through `hooks.onProgress`), builds
   * the message (thumbnail drawn in the browser) and sends it. `hooks.onComplete` may return a
   * message of its own to send instead.
   */
  async sendImageMessage(conversation: Conversation, body: MediaMessageBody, hooks?: UploadHooks, options?: MediaSendOptions): Promise<IMMessage> {
    return this.sendMedia(body.file.type === 'image/gif' ? 'gif' : 'image', conversation, body, hooks, options);
  }

  async sendFileMessage(conversation: Conversation, body: MediaMessageBody, hooks?: UploadHooks, options?: MediaSendOptions): Promise<IMMessage> {
    return this.sendMedia('file', conversation, body, hooks, options);
  }

  /** A voice message: at most 60 seconds (measured in the browser when `body.duration` is not given). */
  async sendHQVoiceMessage(conversation: Conversation, body: MediaMessageBody, hooks?: UploadHooks, options?: MediaSendOptions): Promise<IMMessage> {
    return this.sendMedia('voice', conversation, body, hooks, options);
  }

  /** A short video, its first frame as the thumbnail. */
  async sendSightMessage(conversation: Conversation, body: MediaMessageBody, hooks?: UploadHooks, options?: MediaSendOptions): Promise<IMMessage> {
    return this.sendMedia('sight', conversation, body, hooks, options);
  }

  private async sendMedia(kind: MediaKind, conversation: Conversation, body: MediaMessageBody, hooks: UploadHooks = {},
    options: MediaSendOptions = {}): Promise<IMMessage> {
    const { contentDisposition, signal, ...sendOptions } = options;
    const { buildMediaMessage } = await loadSendFiles(); // loaded on first use
    const content = await buildMediaMessage(kind, (file, uploadOptions) => this.uploadFile(file, uploadOptions), body, hooks,
      { ...(contentDisposition ? { contentDisposition } : {}), ...(signal ? { signal } : {}) });
    return this.sendMessage(conversation, content, sendOptions);
  }

  private httpBase(): string {
    return httpBaseOf(this.serverUrl ?? this.preferredUrl ?? this.urls[0]!);
  }

  private async currentToken(): Promise<string> {
    if (this.token) return this.token;
    if (!this.options.tokenProvider) throw new IMError(ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR, 'no token');
    return this.options.tokenProvider();
  }
}

function keyOf(conversation: { conversationType?: number | null; targetId?: string | null }): string {
  return `${conversation.conversationType}:${conversation.targetId}`;
}

/** `value` when it is a positive number, else `fallback` (the server's default for 0 too). */
const positiveOr = (value: number | undefined, fallback: number): number => (value !== undefined && value > 0 ? value : fallback);

/**
 * The requestId of a QUERYACK too large for a frame, read from its first bytes without decoding
 * the rest (protobuf writes requestId, field 1, first); undefined for any other frame.
 */
function oversizeQueryAckId(bytes: Uint8Array): number | undefined {
  if (bytes.length <= MAX_FRAME_BYTES || bytes[0]! >> 4 !== FrameType.QUERYACK || bytes[1] !== 0x08) return undefined;
  let id = 0;
  for (let i = 2; i < 7; i++) {
    const byte = bytes[i]!;
    id += (byte & 0x7f) * 2 ** (7 * (i - 2));
    if ((byte & 0x80) === 0) return id;
  }
  return undefined;
}

function decodeOrThrow<T>(codec: { decode(bytes: Uint8Array): T }, bytes: Uint8Array): T {
  const result = decodeBody(codec, bytes);
  if (result instanceof FrameError) throw new IMError(result.code, result.message);
  return result;
}

function statusForCode(code: number): ConnectionStatus {
  if (code === ErrorCode.RC_DISCONN_KICK) return ConnectionStatus.KICKED_OFFLINE_BY_OTHER_CLIENT;
  if (code === ErrorCode.RC_SOCKET_NOT_CREATED || code === ErrorCode.RC_SOCKET_DISCONNECTED || code === ErrorCode.RC_NET_UNAVAILABLE) {
    return ConnectionStatus.NETWORK_UNAVAILABLE;
  }
  return ConnectionStatus.DISCONNECTED;
}
