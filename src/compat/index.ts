/**
 * `im-widget/compat`: the seed's RongIMLib 5.x surface over this project's core, so that code
 * written against the seed's documents runs unchanged: `init`, `connect`, `addEventListener`,
 * `sendMessage` and the other calls resolve `{ code, msg?, data? }` (code 0 on success, else
 * the seed's numeric error code), with the `ConversationType`, `MessageType`, `ErrorCode` and
 * `Events` enums and the message classes.
 *
 * Differences from the seed, on purpose: there is no navigation server (`init` takes the chat
 * server's `/im` WebSocket URL as `server`, or as the first of `navigators`); a resend with the
 * failed message's `messageId` is stored once by the server (the seed stores it twice).
 */
import { IMClient, type IMClientOptions, type SendOptions } from '../core/client/client.js';
import { IMError } from '../core/client/errors.js';
import type { Conversation, ConversationInfo, IMMessage, TypingEvent } from '../core/client/types.js';
import {
  ConnectionStatus as CoreConnectionStatus, ConversationType as CoreConversationType, ErrorCode as CoreErrorCode, NotificationStatus as CoreNotificationStatus,
} from '../core/protocol/codes.js';
import { messageTypeOptions, type MessageContent } from '../core/messages/index.js';
import type { MediaMessageBody, UploadHooks } from '../core/client/media-messages.js';
import type { ChosenUserStatus, UserStatus } from '../core/protocol/social-records.js';

export {
  TextMessage, ImageMessage, GIFMessage, FileMessage, HQVoiceMessage, SightMessage, LocationMessage, RichContentMessage,
  ReferenceMessage, InformationNotificationMessage, CommandMessage, GroupNotificationMessage, registerMessageType,
} from '../core/messages/index.js';

/** The seed's result of every call. */
export interface IAsyncRes<T = undefined> {
  code: number;
  msg?: string;
  data?: T;
}

/** The seed's table (SUCCESS 0 included). */
export const ErrorCode = CoreErrorCode;
export const ConversationType = { ...CoreConversationType } as const;
export const ConnectionStatus = { ...CoreConnectionStatus } as const;

/** The built-in types' objectNames under the seed's names. */
export const MessageType = {
  TEXT: 'RC:TxtMsg',
  VOICE: 'RC:VcMsg',
  HQ_VOICE: 'RC:HQVCMsg',
  IMAGE: 'RC:ImgMsg',
  GIF: 'RC:GIFMsg',
  RICH_CONTENT: 'RC:ImgTextMsg',
  LOCATION: 'RC:LBSMsg',
  FILE: 'RC:FileMsg',
  SIGHT: 'RC:SightMsg',
  REFERENCE: 'RC:ReferenceMsg',
  INFORMATION_NOTIFICATION: 'RC:InfoNtf',
  GROUP_NOTIFICATION: 'RC:GrpNtf',
  COMMAND: 'RC:CmdMsg',
  RECALL: 'RC:RcCmd',
  RECALL_MESSAGE_NOTIFICATION: 'RC:RcNtf',
  TYPING_STATUS: 'RC:TypSts',
  READ_RECEIPT: 'RC:ReadNtf',
} as const;

/** The seed's `MentionedType` (its spelling of SINGLE kept). */
export const MentionedType = { ALL: 1, SINGAL: 2 } as const;

/** The seed's 5.x `NotificationStatus`: OPEN 1 (do not disturb on), CLOSE 2 (notify, the default). */
export const NotificationStatus = { OPEN: 1, CLOSE: 2 } as const;

/** The seed's `MessageDirection`: 1 sent by this user, 2 received. */
export const MessageDirection = { SEND: 1, RECEIVE: 2 } as const;

export const Events = {
  CONNECTING: 'CONNECTING',
  CONNECTED: 'CONNECTED',
  DISCONNECT: 'DISCONNECT',
  SUSPEND: 'SUSPEND',
  MESSAGES: 'MESSAGES',
  CONVERSATION: 'CONVERSATION',
  TYPING_STATUS: 'TYPING_STATUS',
  READ_RECEIPT_RECEIVED: 'READ_RECEIPT_RECEIVED',
} as const;
export type EventName = (typeof Events)[keyof typeof Events];

/** A message as the seed's listeners and results give it: its content a plain object. */
export interface IAReceivedMessage {
  conversationType: number;
  targetId: string;
  senderUserId: string;
  content: Record<string, unknown>;
  messageType: string;
  messageUId: string;
  /** The client's id of the message (a resend with it is stored once). */
  messageId: string;
  isPersited: boolean;
  isCounted: boolean;
  isMentioned: boolean;
  sentTime: number;
  receivedTime: number;
  messageDirection: 1 | 2;
  isOffLineMessage: boolean;
  /** Not part of the seed: the message's place in its conversation (gap-free). */
  seq: number;
}

export interface IAReceivedConversation {
  conversationType: number;
  targetId: string;
  unreadMessageCount: number;
  latestMessage: IAReceivedMessage | null;
  /** `NotificationStatus`: 1 do not disturb, 2 notify. */
  notificationStatus: number;
  isTop: boolean;
  hasMentioned: boolean;
}

export interface InitOptions {
  appkey: string;
  /** The chat server's `/im` WebSocket URL(s): `wss://chat.example.com/im`. */
  server?: string | string[];
  /** The seed's navigation servers: the first is taken as `server` (an http(s) URL becomes ws(s) + `/im`). */
  navigators?: string[];
  /** Node: the `ws` package's WebSocket. */
  WebSocket?: IMClientOptions['WebSocket'];
}

type Listener = (event: any) => void;

let options: InitOptions | undefined;
let client: IMClient | undefined;
let unbind: Array<() => void> = [];
const listeners = new Map<EventName, Set<Listener>>();
/** `setUserStatusListener`'s listeners: they hear the statuses of the users subscribed to. */
const statusListeners = new Set<(status: UserStatus) => void>();
/** Per conversation, the seq of each sentTime given out: `getHistoryMessages({ timestamp })` pages by it. */
const seqByTime = new Map<string, Map<number, number>>();

const keyOf = (conversation: Conversation) => `${conversation.conversationType}:${conversation.targetId}`;

function remember(message: IMMessage): void {
  if (!message.seq) return;
  const key = keyOf(message);
  let times = seqByTime.get(key);
  if (!times) seqByTime.set(key, (times = new Map()));
  times.set(message.sentTime, message.seq);
  // Bounded: a long session pages through a lot of history.
  if (times.size > 2000) times.delete(times.keys().next().value!);
}

function toReceived(message: IMMessage, offline = false): IAReceivedMessage {
  remember(message);
  const content = message.content.toJSON();
  const mentioned = (content as { mentionedInfo?: { type?: number; userIdList?: string[] } }).mentionedInfo;
  const me = client?.userId;
  const flags = messageTypeOptions(message.objectName);
  return {
    conversationType: message.conversationType,
    targetId: message.targetId,
    senderUserId: message.senderUserId,
    content,
    messageType: message.objectName,
    messageUId: message.messageUid,
    messageId: message.clientMsgId,
    isPersited: message.persisted ?? flags.isPersited,
    isCounted: flags.isCounted,
    isMentioned: !!mentioned && message.senderUserId !== me && (mentioned.type === MentionedType.ALL || !!me && !!mentioned.userIdList?.includes(me)),
    sentTime: message.sentTime,
    receivedTime: Date.now(),
    messageDirection: message.messageDirection === 1 ? 1 : 2,
    isOffLineMessage: offline,
    seq: message.seq,
  };
}

function toConversation(info: ConversationInfo): IAReceivedConversation {
  const latest = info.latestMessage ? toReceived(info.latestMessage) : null;
  return {
    conversationType: info.conversationType,
    targetId: info.targetId,
    unreadMessageCount: info.unreadCount,
    latestMessage: latest,
    notificationStatus: info.notificationStatus === CoreNotificationStatus.DO_NOT_DISTURB ? NotificationStatus.OPEN : NotificationStatus.CLOSE,
    isTop: info.isTop === true,
    hasMentioned: !!latest?.isMentioned && info.unreadCount > 0,
  };
}

/** Runs a call and answers as the seed does: `{ code: 0, data }`, or `{ code, msg }` for its error. */
async function settle<T>(work: () => Promise<T>): Promise<IAsyncRes<T>> {
  try {
    return { code: ErrorCode.SUCCESS, data: await work() };
  } catch (error) {
    const code = typeof (error as { code?: unknown })?.code === 'number' ? (error as { code: number }).code : ErrorCode.UNKNOWN;
    return { code, msg: (error as Error)?.message ?? String(error) };
  }
}

function emit(name: EventName, event: unknown): void {
  for (const listener of [...(listeners.get(name) ?? [])]) {
    try {
      listener(event);
    } catch (error) {
      // One listener's mistake does not keep the others from hearing.
      console.error(error);
    }
  }
}

function serverUrls(init: InitOptions): string | string[] {
  const given = init.server ?? init.navigators?.[0];
  if (!given || (Array.isArray(given) && given.length === 0)) {
    throw new IMError(ErrorCode.PARAMETER_ERROR, 'init({ server }) needs the chat server\'s /im WebSocket URL');
  }
  const toSocket = (url: string) => {
    if (!/^https?:/i.test(url)) return url;
    const parsed = new URL(url);
    parsed.protocol = parsed.protocol === 'https:' ? 'wss:' : 'ws:';
    if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/im';
    return parsed.href;
  };
  return Array.isArray(given) ? given.map(toSocket) : toSocket(given);
}

/** A call whose answer is only whether it worked: `{ code }`. */
const act = (call: (client: IMClient) => Promise<unknown>): Promise<IAsyncRes<undefined>> => settle(async () => {
  await call(requireClient());
  return undefined;
});

function requireClient(): IMClient {
  if (!client) throw new IMError(ErrorCode.RC_NET_CHANNEL_INVALID, 'not connected: call connect(token) first');
  return client;
}

/** Sets the app up; call once before `connect`. */
export function init(init: InitOptions): void {
  if (!init || typeof init.appkey !== 'string' || !init.appkey) throw new IMError(ErrorCode.PARAMETER_ERROR, 'init needs an appkey');
  serverUrls(init);
  options = init;
}

function bind(next: IMClient): void {
  unbind = [
    next.on('status', (status) => {
      if (status === CoreConnectionStatus.CONNECTED) emit(Events.CONNECTED, undefined);
      else if (status === CoreConnectionStatus.CONNECTING) emit(Events.CONNECTING, undefined);
    }),
    next.on('disconnect', (error) => emit(Events.DISCONNECT, error?.code ?? CoreConnectionStatus.DISCONNECTED)),
    next.on('schedule', (_attempt, _delay, error) => emit(Events.SUSPEND, error?.code ?? CoreConnectionStatus.NETWORK_UNAVAILABLE)),
    next.on('message', (message) => emit(Events.MESSAGES, { messages: [toReceived(message)] })),
    next.on('userStatus', (status) => {
      for (const listener of [...statusListeners]) listener(status);
    }),
    next.on('typing', (typing: TypingEvent) => emit(Events.TYPING_STATUS, {
      conversation: { conversationType: typing.conversationType, targetId: typing.targetId },
      status: [{ userId: typing.userId, typingContentType: typing.typingContentType, timestamp: Date.now() }],
    })),
    next.on('conversation', (change) => {
      if (change.peerReadSeq) {
        emit(Events.READ_RECEIPT_RECEIVED, { conversation: { conversationType: change.conversationType, targetId: change.targetId }, readSeq: change.peerReadSeq });
      }
      emit(Events.CONVERSATION, { conversationList: [{ conversation: { conversationType: change.conversationType, targetId: change.targetId }, updatedItems: change }] });
    }),
  ];
}

/** Signs in with a token minted by the app server; `data.userId` is the user's id. */
export function connect(token: string): Promise<IAsyncRes<{ userId: string }>> {
  return settle(async () => {
    if (!options) throw new IMError(ErrorCode.PARAMETER_ERROR, 'call init({ appkey, server }) before connect');
    if (client) await disconnectClient();
    const next = new IMClient({ url: serverUrls(options), token, platform: 'web', ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}) });
    client = next;
    bind(next);
    try {
      await next.connect();
    } catch (error) {
      if (client === next) await disconnectClient();
      throw error;
    }
    return { userId: next.userId ?? '' };
  });
}

async function disconnectClient(): Promise<void> {
  const current = client;
  client = undefined;
  for (const off of unbind) off();
  unbind = [];
  statusListeners.clear();
  seqByTime.clear();
  await current?.disconnect();
}

/** Signs out of this connection (the user's other devices stay). */
export async function disconnect(): Promise<void> {
  const had = !!client;
  await disconnectClient();
  if (had) emit(Events.DISCONNECT, CoreConnectionStatus.DISCONNECTED);
}

export const getCurrentUserId = (): string => client?.userId ?? '';
export const getConnectionStatus = (): number => client?.status ?? CoreConnectionStatus.DISCONNECTED;

export function addEventListener(name: EventName, listener: Listener): void {
  if (typeof listener !== 'function') return;
  let set = listeners.get(name);
  if (!set) listeners.set(name, (set = new Set()));
  set.add(listener);
}

export function removeEventListener(name: EventName, listener: Listener): void {
  listeners.get(name)?.delete(listener);
}

export function clearEventListeners(name?: EventName): void {
  if (name) listeners.delete(name);
  else listeners.clear();
}

export interface ISendMessageOptions {
  /** Required by the seed for an @ message; mentions come from the content's `mentionedInfo` here. */
  isMentioned?: boolean;
  /** Called with the message about to be sent (for a list to show it at once). */
  onSendBefore?: (message: IAReceivedMessage) => void;
  /** The failed message's messageId, when sending it again: the server stores it once. */
  messageId?: string;
}

function sendOptionsOf(sendOptions: ISendMessageOptions | undefined, conversation: Conversation, content: MessageContent): SendOptions {
  const clientMsgId = sendOptions?.messageId || globalThis.crypto.randomUUID().replace(/-/g, '');
  if (sendOptions?.onSendBefore) {
    sendOptions.onSendBefore({
      conversationType: conversation.conversationType, targetId: conversation.targetId, senderUserId: client?.userId ?? '',
      content: content.toJSON(), messageType: content.objectName, messageUId: '', messageId: clientMsgId,
      ...messageTypeOptions(content.objectName), isMentioned: false, sentTime: Date.now(), receivedTime: 0,
      messageDirection: 1, isOffLineMessage: false, seq: 0,
    });
  }
  return { clientMsgId };
}

export function sendMessage(conversation: Conversation, message: MessageContent, sendOptions?: ISendMessageOptions): Promise<IAsyncRes<IAReceivedMessage>> {
  return settle(async () => {
    const current = requireClient();
    return toReceived(await current.sendMessage(conversation, message, sendOptionsOf(sendOptions, conversation, message)));
  });
}

type MediaSender = 'sendImageMessage' | 'sendFileMessage' | 'sendHQVoiceMessage' | 'sendSightMessage';
const sendMedia = (method: MediaSender) => (conversation: Conversation, body: MediaMessageBody, hooks?: UploadHooks,
  sendOptions?: { contentDisposition?: 'inline' | 'attachment'; messageId?: string }): Promise<IAsyncRes<IAReceivedMessage>> =>
  settle(async () => {
    const current = requireClient();
    const { messageId, ...rest } = sendOptions ?? {};
    return toReceived(await current[method](conversation, body, hooks, { ...rest, ...(messageId ? { clientMsgId: messageId } : {}) }));
  });

/** The seed's upload sugar: uploads `body.file`, then sends the message (`hooks.onProgress`, `hooks.onComplete`). */
export const sendImageMessage = sendMedia('sendImageMessage');
export const sendFileMessage = sendMedia('sendFileMessage');
export const sendHQVoiceMessage = sendMedia('sendHQVoiceMessage');
export const sendSightMessage = sendMedia('sendSightMessage');

/**
 * A page of a conversation's history: `timestamp` 0 (the newest) or a message's sentTime,
 * `order` 0 for the messages before it, 1 for those after it; ascending by time, as the seed.
 */
export function getHistoryMessages(conversation: Conversation, query: { timestamp?: number; count?: number; order?: 0 | 1 } = {}):
  Promise<IAsyncRes<{ list: IAReceivedMessage[]; hasMore: boolean }>> {
  return settle(async () => {
    const current = requireClient();
    const count = Math.min(Math.max(Math.trunc(query.count ?? 20), 1), 100);
    const timestamp = query.timestamp ?? 0;
    const order = query.order ?? 0;
    if (!timestamp) {
      const page = await current.getHistoryMessages(conversation, { count, ...(order === 1 ? { after: 0 } : {}) });
      return { list: page.messages.map((m) => toReceived(m)), hasMore: page.hasMore };
    }
    const seq = seqByTime.get(keyOf(conversation))?.get(timestamp) ?? await seqAt(current, conversation, timestamp, order);
    const page = await current.getHistoryMessages(conversation, order === 1 ? { count, after: seq } : { count, before: seq });
    return { list: page.messages.map((m) => toReceived(m)), hasMore: page.hasMore };
  });
}

/**
 * The seq to page from for a timestamp not given out by this facade: read back from the newest
 * (at most a few pages) to the first message older than it.
 */
async function seqAt(current: IMClient, conversation: Conversation, timestamp: number, order: 0 | 1): Promise<number> {
  let before = 0;
  for (let pages = 0; pages < 20; pages++) {
    const page = await current.getHistoryMessages(conversation, { count: 100, ...(before ? { before } : {}) });
    const older = [...page.messages].reverse().find((m) => (order === 1 ? m.sentTime <= timestamp : m.sentTime < timestamp));
    if (older) return order === 1 ? older.seq : older.seq + 1;
    if (!page.hasMore || !page.messages.length) return order === 1 ? 0 : page.messages[0]?.seq ?? 1;
    before = page.messages[0]!.seq;
  }
  throw new IMError(ErrorCode.PARAMETER_ERROR, 'timestamp is too far back: page with the sentTime of a message you have');
}

/** The conversation list, latest first: `count` (≤ 100) from `startTime` (0: the newest). */
export function getConversationList(query: { count?: number; startTime?: number } = {}): Promise<IAsyncRes<IAReceivedConversation[]>> {
  return settle(async () => {
    const current = requireClient();
    const count = Math.min(Math.max(Math.trunc(query.count ?? 30), 1), 100);
    const startTime = query.startTime ?? 0;
    const found: ConversationInfo[] = [];
    let before: number | undefined;
    // startTime pages by time: conversations updated after it are skipped.
    for (let pages = 0; pages < 20 && found.length < count; pages++) {
      const page = await current.getConversationPage({ count: 100, ...(before ? { before } : {}) });
      found.push(...page.conversations.filter((c) => !startTime || c.updatedTime < startTime));
      if (!page.hasMore || !page.conversations.length) break;
      before = page.conversations.at(-1)!.latestCursor;
    }
    return found.slice(0, count).map(toConversation);
  });
}

export function clearMessagesUnreadStatus(conversation: Conversation): Promise<IAsyncRes<undefined>> {
  return act((client) => client.clearUnreadCount(conversation));
}

export function removeConversation(conversation: Conversation): Promise<IAsyncRes<undefined>> {
  return act((client) => client.removeConversation(conversation));
}

/** Recalls one of this user's messages (`messageUId`, `sentTime` as given with it). */
export function recallMessage(conversation: Conversation, message: { messageUId: string; sentTime?: number }): Promise<IAsyncRes<IAReceivedMessage>> {
  return settle(async () => {
    const recalled = await requireClient().recallMessage(conversation, { messageUid: message.messageUId, ...(message.sentTime ? { sentTime: message.sentTime } : {}) });
    return toReceived(recalled);
  });
}

export function sendTypingStatusMessage(conversation: Conversation, typingContentType: string = MessageType.TEXT): Promise<IAsyncRes<undefined>> {
  return act((client) => client.sendTypingStatus(conversation, typingContentType));
}

/** Blocks a user: their private messages to this user are refused (REJECTED_BY_BLACKLIST 405). */
export function addToBlacklist(userId: string): Promise<IAsyncRes<undefined>> {
  return act((client) => client.addToBlacklist(userId));
}

export function removeFromBlacklist(userId: string): Promise<IAsyncRes<undefined>> {
  return act((client) => client.removeFromBlacklist(userId));
}

/** Every user this user blocked (read page by page). */
export function getBlacklist(): Promise<IAsyncRes<string[]>> {
  return settle(async () => {
    const current = requireClient();
    const userIds: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await current.getBlacklist(after ? { after } : {});
      userIds.push(...page.users.map((user) => user.userId));
      if (!page.hasMore || page.users.length === 0) return userIds;
      after = page.users.at(-1)!.userId;
    }
  });
}

/** The seed's `BlacklistStatus`. */
export const BlacklistStatus = { IN_BLACK_LIST: 0, NOT_IN_BLACK_LIST: 1 } as const;

/** Whether this user blocked `userId`, as a `BlacklistStatus`. */
export function getBlacklistStatus(userId: string): Promise<IAsyncRes<number>> {
  return settle(async () => ((await requireClient().getBlacklistStatus(userId)) ? BlacklistStatus.IN_BLACK_LIST : BlacklistStatus.NOT_IN_BLACK_LIST));
}

/** Pins a conversation to the top of the user's list, on all of their devices. */
export function setConversationToTop(conversation: Conversation, isTop = true): Promise<IAsyncRes<undefined>> {
  return act((client) => client.setConversationToTop(conversation, isTop));
}

/** `NotificationStatus.OPEN` turns do-not-disturb on for the conversation, `CLOSE` off; on all of the user's devices. */
export function setConversationNotificationStatus(conversation: Conversation, status: number): Promise<IAsyncRes<undefined>> {
  return act((client) => client.setConversationNotificationStatus(conversation,
    status === NotificationStatus.OPEN ? CoreNotificationStatus.DO_NOT_DISTURB : CoreNotificationStatus.NOTIFY));
}

export function getConversationNotificationStatus(conversation: Conversation): Promise<IAsyncRes<number>> {
  return settle(async () => ((await requireClient().getConversationNotificationStatus(conversation)) === CoreNotificationStatus.DO_NOT_DISTURB
    ? NotificationStatus.OPEN : NotificationStatus.CLOSE));
}

/** Every conversation's unread messages; `includeMuted` false leaves do-not-disturb ones out. */
export function getTotalUnreadCount(includeMuted = true): Promise<IAsyncRes<number>> {
  return settle(() => requireClient().getTotalUnreadCount({ excludeMuted: !includeMuted }));
}

/** Deletes messages for this user only (on all of their devices); the others keep theirs. */
export function deleteMessages(conversation: Conversation, messages: Array<{ messageUId: string; sentTime?: number }>): Promise<IAsyncRes<undefined>> {
  return act((client) => client.deleteRemoteMessages(conversation, messages));
}

/** Clears this user's history of the conversation up to `timestamp` (a message's sentTime). */
export function clearHistoryMessages(conversation: Conversation, timestamp: number): Promise<IAsyncRes<undefined>> {
  return act((client) => client.clearRemoteHistoryMessages(conversation, timestamp));
}

/** Conversations with messages containing `keyword` (the seed's 2.x name). */
export function searchConversationByContent(keyword: string, conversationTypes?: number[]):
  Promise<IAsyncRes<Array<{ conversationType: number; targetId: string; matchCount: number; latestMessage: IAReceivedMessage }>>> {
  return settle(async () => (await requireClient().searchConversationByContent(keyword, conversationTypes))
    .map((hit) => ({ conversationType: hit.conversationType, targetId: hit.targetId, matchCount: hit.matchCount, latestMessage: toReceived(hit.latestMessage) })));
}

/** A conversation's messages containing `keyword`, newest first, sent before `timestamp` (0: the newest). */
export function searchMessageByContent(conversation: Conversation, keyword: string, timestamp = 0, count = 20):
  Promise<IAsyncRes<{ list: IAReceivedMessage[]; hasMore: boolean }>> {
  return settle(async () => {
    const page = await requireClient().searchMessageByContent(conversation, keyword, timestamp, count);
    return { list: page.messages.map((m) => toReceived(m)), hasMore: page.hasMore };
  });
}

/** Joins a chatroom (leaving the one this user was in); `count` recent messages come as `MESSAGES` (-1: none). */
export function joinChatRoom(chatRoomId: string, options: { count?: number } = {}): Promise<IAsyncRes<undefined>> {
  return act((client) => client.joinChatRoom(chatRoomId, options.count ?? 10));
}

export function quitChatRoom(chatRoomId: string): Promise<IAsyncRes<undefined>> {
  return act((client) => client.quitChatRoom(chatRoomId));
}

/** The room's member count (`userCount`) and some members (`count`, `order` 1 oldest first, 2 newest first). */
export function getChatRoomInfo(chatRoomId: string, options: { count?: number; order?: number } = {}):
  Promise<IAsyncRes<{ userCount: number; userInfos: Array<{ id: string; time: number }> }>> {
  return settle(async () => {
    const info = await requireClient().getChatRoomInfo(chatRoomId, options.count ?? 0, options.order ?? 1);
    return { userCount: info.userTotalNums, userInfos: info.userInfos.map((member) => ({ id: member.userId, time: member.time })) };
  });
}

/** Recent messages of the room (kept in the server's memory): `order` 0 before `timestamp`, 1 after. */
export function getChatRoomHistoryMessages(chatRoomId: string, options: { timestamp?: number; count?: number; order?: number } = {}):
  Promise<IAsyncRes<{ list: IAReceivedMessage[]; hasMore: boolean }>> {
  return settle(async () => {
    const page = await requireClient().getChatRoomHistoryMessages(chatRoomId, options.count ?? 20, options.order ?? 0, options.timestamp ?? 0);
    return { list: page.messages.map((m) => toReceived(m)), hasMore: page.hasMore };
  });
}

interface ChatRoomEntry { key: string; value: string; isAutoDelete?: boolean; isSendNotification?: boolean; notificationExtra?: string }
const entryOf = (entry: ChatRoomEntry) => ({
  key: entry.key, value: entry.value, autoDelete: entry.isAutoDelete === true,
  ...(entry.isSendNotification === undefined ? {} : { isSendNotification: entry.isSendNotification }),
  ...(entry.notificationExtra === undefined ? {} : { notificationExtra: entry.notificationExtra }),
});

/** Sets a KV entry of the room (CHATROOM_KV_OVERWRITE_INVALID 23424 when another member's key exists). */
export function setChatRoomEntry(chatRoomId: string, entry: ChatRoomEntry): Promise<IAsyncRes<undefined>> {
  return act((client) => client.setChatroomEntry(chatRoomId, entryOf(entry)));
}

export function forceSetChatRoomEntry(chatRoomId: string, entry: ChatRoomEntry): Promise<IAsyncRes<undefined>> {
  return act((client) => client.forceSetChatroomEntry(chatRoomId, entryOf(entry)));
}

export function removeChatRoomEntry(chatRoomId: string, entry: { key: string; isSendNotification?: boolean; notificationExtra?: string }): Promise<IAsyncRes<undefined>> {
  return act((client) => client.removeChatroomEntry(chatRoomId, entry));
}

export function forceRemoveChatRoomEntry(chatRoomId: string, entry: { key: string; isSendNotification?: boolean; notificationExtra?: string }): Promise<IAsyncRes<undefined>> {
  return act((client) => client.forceRemoveChatroomEntry(chatRoomId, entry));
}

export function getChatRoomEntry(chatRoomId: string, key: string): Promise<IAsyncRes<string>> {
  return settle(() => requireClient().getChatroomEntry(chatRoomId, key));
}

export function getAllChatRoomEntries(chatRoomId: string): Promise<IAsyncRes<Record<string, string>>> {
  return settle(() => requireClient().getAllChatroomEntries(chatRoomId));
}

/**
 * A user's online status (`online`, the chosen `status` and its `text`, `platforms`), when this
 * user may see it (they share a conversation or group); else PARAMETER_ERROR -3 naming it denied.
 */
export function getUserStatus(userId: string): Promise<IAsyncRes<UserStatus>> {
  return settle(async () => {
    const answer = await requireClient().getUserStatus([userId]);
    const status = answer.statuses.find((one) => one.userId === userId);
    if (!status) throw new IMError(ErrorCode.PARAMETER_ERROR, `the status of ${userId} is not visible to this user`);
    return status;
  });
}

/** What this user shows while online: `online`, `away` or `busy`, with a short text. */
export function setUserStatus(status: ChosenUserStatus, text?: string): Promise<IAsyncRes<undefined>> {
  return act((client) => client.setUserStatus(status, text));
}

/** Subscribes to these users' status changes; `listener` hears each change (and is kept until `disconnect`). */
export function setUserStatusListener(config: { userIds: string[] }, listener: (status: UserStatus) => void): Promise<IAsyncRes<UserStatus[]>> {
  return settle(async () => {
    const answer = await requireClient().subscribeUserStatus(config.userIds);
    if (typeof listener === 'function') statusListeners.add(listener);
    return answer.statuses;
  });
}
