import { messageTypeOptions, type MessageContent } from '../messages/registry.js';

/**
 * The widget's state, as plain immutable data: every change makes new objects along the path
 * it touches, so `Object.is` on a slice tells whether that slice changed.
 */

export interface ConversationRef {
  conversationType: number;
  targetId: string;
}

export const conversationKey = (c: ConversationRef): string => `${c.conversationType}:${c.targetId}`;

export type SendStatus = 'sending' | 'sent' | 'failed';

export interface MessageItem extends ConversationRef {
  /** Stable identity from the first local echo on: the clientMsgId (or messageUid when none). */
  id: string;
  senderUserId: string;
  objectName: string;
  content: MessageContent;
  messageUid?: string;
  /** Absent while sending. */
  seq?: number;
  /** Server time once sent; the local time of the attempt before. */
  sentTime: number;
  /** 1: sent by the current user, 2: received. */
  direction: 1 | 2;
  status: SendStatus;
  /** The seed's code when `status` is 'failed'. */
  errorCode?: number;
}

export interface MessageWindow {
  /** Ascending by seq; messages still sending come last, in the order they were sent. */
  items: readonly MessageItem[];
  hasOlder: boolean;
  loadingOlder: boolean;
  /** The newest page was fetched at least once. */
  loaded: boolean;
  /** The items came from the offline cache: the newest page is fetched when the window is next shown. */
  stale?: boolean;
}

export interface ConversationEntry extends ConversationRef {
  key: string;
  unreadCount: number;
  latestMessage?: MessageItem;
  readSeq: number;
  updatedTime: number;
  pinned: boolean;
  muted: boolean;
  /**
   * Private chats: the other participant read up to this seq. The widget shows this user's
   * messages with seq ≤ peerReadSeq as read.
   */
  peerReadSeq?: number;
  /** Private chats: the other participant's devices received up to this seq (delivered ticks). */
  peerDeliveredSeq?: number;
  /** Groups: read positions of members, as pushed while this session ran (userId → seq). */
  memberReads?: Readonly<Record<string, number>>;
  /** Groups: how far each member's devices received, as pushed live (for an open readers list). */
  memberDeliveries?: Readonly<Record<string, number>>;
}

export interface UserInfo {
  name: string;
  portraitUri?: string;
}

export interface ChatState {
  /** A ConnectionStatus value. */
  status: number;
  userId?: string;
  conversations: {
    /** Display order: pinned first, then latest activity. */
    keys: readonly string[];
    byKey: Readonly<Record<string, ConversationEntry>>;
    loaded: boolean;
    hasMore: boolean;
  };
  windows: Readonly<Record<string, MessageWindow>>;
  drafts: Readonly<Record<string, string>>;
  users: Readonly<Record<string, UserInfo>>;
  groups: Readonly<Record<string, GroupInfo>>;
  activeKey?: string;
  /** Why the offline cache lives in memory only (IndexedDB missing, blocked or full), if it does. */
  storageFallback?: string;
  /** Why the session is not connected, while it is not: the elements show it instead of "Loading…". */
  connectionError?: ConnectionError;
  /** Fetchable (signed) URLs of this server's files, by the URL a message holds. */
  fileUrls: Readonly<Record<string, { href: string; expiresAt: number }>>;
  /** The message each conversation's composer is replying to (quote mode). */
  replies: Readonly<Record<string, MessageItem>>;
  /** Ids (and uids) of messages this user deleted for themself: history never brings them back. */
  deleted: Readonly<Record<string, true>>;
  /** Files on their way up, by conversation key, in the order they were picked. */
  uploads: Readonly<Record<string, readonly Upload[]>>;
  /** Who is typing where: conversation key → userId → when it stops showing (ms since the epoch). */
  typing: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Online status of the users the elements show (SocialSession.watch), by user id. */
  presence?: Readonly<Record<string, PresenceInfo>>;
  /** Users this user blocked (true) or not (false), as far as known, by user id. */
  blocked?: Readonly<Record<string, boolean>>;
  /** Chatrooms the session is in, by conversation key (`4:<roomId>`): how many members now. */
  rooms?: Readonly<Record<string, { memberCount: number }>>;
}

/** What the widget shows of a user's online status. */
export interface PresenceInfo {
  online: boolean;
  /** 'online', 'away', 'busy', or 'offline'. */
  status: string;
  text: string;
}

/** A failed connection, as the elements show it. */
export interface ConnectionError {
  /** The seed's ErrorCode (31004: the token was refused; 30010/30011: the server cannot be reached). */
  code: number;
  /** Nothing will be tried again without the app (a refused or expired token, a kick). */
  fatal: boolean;
  /** When the next attempt starts (ms since the epoch), while retrying. */
  retryAt?: number;
}

export interface Upload {
  id: string;
  name: string;
  /** 0–100. */
  progress: number;
  status: 'uploading' | 'failed';
  /** The seed's code when failed. */
  errorCode?: number;
}

export interface GroupInfo {
  name: string;
  /** Members' user ids, when the server told them (it tells members only). */
  memberIds?: readonly string[];
}

export const initialChatState = (status = 2): ChatState => ({
  status,
  conversations: { keys: [], byKey: {}, loaded: false, hasMore: false },
  windows: {},
  drafts: {},
  users: {},
  groups: {},
  fileUrls: {},
  replies: {},
  deleted: {},
  uploads: {},
  typing: {},
});

const emptyWindow: MessageWindow = { items: [], hasOlder: true, loadingOlder: false, loaded: false };

export const windowOf = (state: ChatState, key: string): MessageWindow => state.windows[key] ?? emptyWindow;

function sortKeys(byKey: Readonly<Record<string, ConversationEntry>>): string[] {
  return Object.values(byKey)
    .sort((a, b) => Number(b.pinned) - Number(a.pinned) || b.updatedTime - a.updatedTime || (a.key < b.key ? -1 : 1))
    .map((entry) => entry.key);
}

function withConversation(state: ChatState, entry: ConversationEntry): ChatState {
  const byKey = { ...state.conversations.byKey, [entry.key]: entry };
  return { ...state, conversations: { ...state.conversations, byKey, keys: sortKeys(byKey) } };
}

function withWindow(state: ChatState, key: string, window: MessageWindow): ChatState {
  return { ...state, windows: { ...state.windows, [key]: window } };
}

/** Index where an item with `seq` belongs among the sent items (binary search). */
function insertionIndex(items: readonly MessageItem[], seq: number): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    const other = items[mid]!.seq;
    if (other !== undefined && other < seq) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Puts one item in its place, replacing an earlier copy with the same id or uid. */
function placeItem(items: readonly MessageItem[], item: MessageItem): readonly MessageItem[] {
  const existing = items.findIndex((other) => other.id === item.id || (item.messageUid !== undefined && other.messageUid === item.messageUid));
  const rest = existing >= 0 ? [...items.slice(0, existing), ...items.slice(existing + 1)] : [...items];
  if (item.seq === undefined) return [...rest, item];
  rest.splice(insertionIndex(rest, item.seq), 0, item);
  return rest;
}

/** Same result as placing the page's items one by one (a later copy of an id or uid wins), in O(n + m log m). */
function mergePage(items: readonly MessageItem[], page: readonly MessageItem[]): readonly MessageItem[] {
  if (page.length <= 1) return page.length === 0 ? items : placeItem(items, page[0]!);
  const ids = new Set<string>();
  const uids = new Set<string>();
  const incoming: MessageItem[] = [];
  for (let i = page.length - 1; i >= 0; i--) {
    const item = page[i]!;
    if (ids.has(item.id) || (item.messageUid !== undefined && uids.has(item.messageUid))) continue;
    ids.add(item.id);
    if (item.messageUid !== undefined) uids.add(item.messageUid);
    incoming.push(item);
  }
  incoming.reverse();
  const kept = items.filter((item) => !ids.has(item.id) && !(item.messageUid !== undefined && uids.has(item.messageUid)));
  const sent = incoming.filter((item) => item.seq !== undefined).sort((a, b) => a.seq! - b.seq!);
  const merged: MessageItem[] = [];
  let k = 0;
  for (const item of sent) {
    while (k < kept.length && kept[k]!.seq !== undefined && kept[k]!.seq! < item.seq!) merged.push(kept[k++]!);
    merged.push(item);
  }
  while (k < kept.length) merged.push(kept[k++]!);
  for (const item of incoming) if (item.seq === undefined) merged.push(item);
  return merged;
}

export function setStatus(state: ChatState, status: number, userId?: string): ChatState {
  if (state.status === status && (userId === undefined || state.userId === userId)) return state;
  return { ...state, status, userId: userId ?? state.userId };
}

/**
 * Conversations from the server, merged over what is known. Pins and mutes are the server's
 * when an entry carries them (they are kept per user there), else the ones known.
 */
export function receiveConversations(state: ChatState,
  entries: readonly (Omit<ConversationEntry, 'key' | 'pinned' | 'muted'> & Partial<Pick<ConversationEntry, 'pinned' | 'muted'>>)[],
  page: { hasMore: boolean; replace: boolean }): ChatState {
  const byKey: Record<string, ConversationEntry> = page.replace ? {} : { ...state.conversations.byKey };
  for (const entry of entries) {
    const key = conversationKey(entry);
    const known = state.conversations.byKey[key];
    byKey[key] = {
      ...entry, key, pinned: entry.pinned ?? known?.pinned ?? false, muted: entry.muted ?? known?.muted ?? false,
      // A push may have moved a receipt past the list's answer while it was on its way.
      ...maxOf('peerReadSeq', entry.peerReadSeq, known?.peerReadSeq),
      ...maxOf('peerDeliveredSeq', entry.peerDeliveredSeq, known?.peerDeliveredSeq),
      ...(entry.memberReads ?? known?.memberReads ? { memberReads: { ...known?.memberReads, ...entry.memberReads } } : {}),
    };
  }
  return { ...state, conversations: { byKey, keys: sortKeys(byKey), loaded: true, hasMore: page.hasMore } };
}

/**
 * A message arrived or was sent. It lands in its conversation's window (when loaded), moves the
 * conversation up, and counts as unread unless it is ours or the conversation is the one being read.
 */
export function receiveMessage(state: ChatState, item: MessageItem, options: { counted: boolean; reading?: boolean }): ChatState {
  const key = conversationKey(item);
  const window = windowOf(state, key);
  if (isDeleted(state, item)) return state;
  // Already shown: a newest page read after it was stored came before its push. The window keeps
  // what it has, the conversation still moves to it (it was shown with the page, not counted unread).
  const alreadyThere = item.direction === 2 && item.messageUid !== undefined && window.items.some((other) => other.messageUid === item.messageUid);
  let next = state;
  // A window not loaded yet gets its messages when opened (the newest page), but a local
  // echo must be kept from the start: it exists nowhere else until the server has it.
  if (!alreadyThere && (window.loaded || item.status !== 'sent')) {
    next = withWindow(state, key, { ...window, items: placeItem(window.items, item) });
  }
  // `reading`: the conversation is open and seen (by default: open); unseen arrivals are unread.
  return noteArrival(next, key, item, options.counted && !alreadyThere, options.reading ?? next.activeKey === key);
}

/** What a message that arrived does to its conversation: the preview, the activity, the unread count. */
function noteArrival(state: ChatState, key: string, item: MessageItem, counted: boolean, reading: boolean): ChatState {
  const known = state.conversations.byKey[key];
  const unread = counted && item.direction === 2 && !reading && (item.seq ?? 0) > (known?.readSeq ?? 0);
  const newer = !known?.latestMessage || (item.seq ?? Infinity) >= (known.latestMessage.seq ?? 0);
  return withConversation(state, {
    conversationType: item.conversationType,
    targetId: item.targetId,
    key,
    unreadCount: (known?.unreadCount ?? 0) + (unread ? 1 : 0),
    latestMessage: newer ? item : known?.latestMessage,
    readSeq: known?.readSeq ?? 0,
    updatedTime: Math.max(known?.updatedTime ?? 0, item.sentTime),
    pinned: known?.pinned ?? false,
    muted: known?.muted ?? false,
    ...(known?.peerReadSeq !== undefined ? { peerReadSeq: known.peerReadSeq } : {}),
    ...(known?.peerDeliveredSeq !== undefined ? { peerDeliveredSeq: known.peerDeliveredSeq } : {}),
    ...(known?.memberReads ? { memberReads: known.memberReads } : {}),
  });
}

/**
 * A message that arrived while the conversation's newest page was on its way and is newer than
 * the page (stored after it was read): into the window, which the page has just loaded.
 */
export function placeArrivalAfterPage(state: ChatState, key: string, item: MessageItem): ChatState {
  if (isDeleted(state, item)) return state;
  const window = windowOf(state, key);
  return withWindow(state, key, { ...window, items: placeItem(window.items, item) });
}

/** A message that arrived while a page or the list about its conversation was on its way, and how it counted then. */
export interface Arrival {
  item: MessageItem;
  counted: boolean;
  reading: boolean;
}

/**
 * Notes again a message that arrived while a conversation list was on its way, when the list
 * shows its conversation older than it: the list was read before it was stored.
 */
export function noteArrivalAfterList(state: ChatState, { item, counted, reading }: Arrival): ChatState {
  const key = conversationKey(item);
  const listed = state.conversations.byKey[key]?.latestMessage;
  // A message still sending (no seq) is newer than anything listed.
  if (isDeleted(state, item) || (listed && (listed.seq ?? 0) >= (item.seq ?? Infinity))) return state;
  return noteArrival(state, key, item, counted, reading);
}

function maxOf<K extends string>(name: K, a: number | undefined, b: number | undefined): Partial<Record<K, number>> {
  if (a === undefined && b === undefined) return {};
  return { [name]: Math.max(a ?? 0, b ?? 0) } as Record<K, number>;
}

/** Replaces the item with `id` (a send that was acknowledged or failed). */
export function updateItem(state: ChatState, key: string, id: string, change: Partial<MessageItem>): ChatState {
  const window = state.windows[key];
  let next = state;
  if (window) {
    const index = window.items.findIndex((item) => item.id === id);
    if (index >= 0) next = withWindow(next, key, { ...window, items: placeItem(window.items, { ...window.items[index]!, ...change }) });
  }
  const entry = next.conversations.byKey[key];
  if (entry?.latestMessage?.id === id) {
    const latestMessage = { ...entry.latestMessage, ...change };
    next = withConversation(next, { ...entry, latestMessage, updatedTime: Math.max(entry.updatedTime, latestMessage.sentTime) });
  }
  return next;
}

const isDeleted = (state: ChatState, item: MessageItem): boolean =>
  Object.hasOwn(state.deleted, item.id) || (item.messageUid !== undefined && Object.hasOwn(state.deleted, item.messageUid));

/** Deletes a message for this user only: gone from the window, and kept out of later pages. */
export function deleteItem(state: ChatState, key: string, id: string): ChatState {
  const item = state.windows[key]?.items.find((candidate) => candidate.id === id);
  const deleted = { ...state.deleted, [id]: true as const, ...(item?.messageUid ? { [item.messageUid]: true as const } : {}) };
  return removeItem({ ...state, deleted }, key, id);
}

/**
 * Messages deleted for this user (on this device or another): gone from the window and kept out
 * of later pages; a preview that was one of them shows the newest message left in the window.
 * `clearedSeq`: every message up to that seq.
 */
export function deleteItems(state: ChatState, key: string, which: { messageUids?: readonly string[]; clearedSeq?: number }): ChatState {
  const uids = new Set(which.messageUids ?? []);
  const cleared = which.clearedSeq ?? 0;
  const gone = (item: MessageItem) => (item.messageUid !== undefined && uids.has(item.messageUid)) || (item.seq !== undefined && item.seq <= cleared);
  const deleted = { ...state.deleted };
  for (const uid of uids) deleted[uid] = true;
  let next: ChatState = { ...state, deleted };
  const window = state.windows[key];
  const items = window?.items.filter((item) => !gone(item));
  if (window && items!.length !== window.items.length) next = withWindow(next, key, { ...window, items: items! });
  const entry = next.conversations.byKey[key];
  if (entry?.latestMessage && gone(entry.latestMessage)) {
    const left = items?.filter((item) => item.seq !== undefined).at(-1);
    next = withConversation(next, { ...entry, latestMessage: left, unreadCount: left ? entry.unreadCount : 0 });
  }
  return next;
}

/**
 * A message was recalled: wherever it shows (its window, its conversation's preview) it becomes
 * `notification` (an RC:RcNtf) in place, keeping its id, seq and time; an unread one is no
 * longer unread. A message not loaded here is left to history, which has the replacement.
 */
export function recallItem(state: ChatState, key: string, messageUid: string, notification: MessageContent): ChatState {
  const recalled = (item: MessageItem): MessageItem => ({ ...item, objectName: notification.objectName, content: notification });
  const window = state.windows[key];
  const index = window ? window.items.findIndex((item) => item.messageUid === messageUid) : -1;
  let next = state;
  const entry = state.conversations.byKey[key];
  const original = window?.items[index] ?? (entry?.latestMessage?.messageUid === messageUid ? entry.latestMessage : undefined);
  if (window && index >= 0) {
    const items = [...window.items];
    items[index] = recalled(items[index]!);
    next = withWindow(next, key, { ...window, items });
  }
  if (entry && original) {
    const wasUnread = original.direction === 2 && original.objectName !== notification.objectName
      && messageTypeOptions(original.objectName).isCounted && (original.seq ?? 0) > entry.readSeq && entry.unreadCount > 0;
    const latestMessage = entry.latestMessage?.messageUid === messageUid ? recalled(entry.latestMessage) : entry.latestMessage;
    next = withConversation(next, { ...entry, latestMessage, unreadCount: entry.unreadCount - (wasUnread ? 1 : 0) });
  }
  return next;
}

export function removeItem(state: ChatState, key: string, id: string): ChatState {
  const window = state.windows[key];
  if (!window) return state;
  return withWindow(state, key, { ...window, items: window.items.filter((item) => item.id !== id) });
}

/**
 * A page of history: the newest page (`latest`) or an older one, merged without duplicates; a
 * newest page also drops what the window holds in its span that it lacks (deleted for the user). A
 * newest page that does not join up with what the window holds (the cache is older than the
 * last message before the page) replaces the window's sent items: a hole in the middle of a
 * conversation would read as if nothing had been said there.
 */
export function receiveHistory(state: ChatState, key: string, items: readonly MessageItem[],
  page: { hasOlder: boolean; latest: boolean }): ChatState {
  const window = windowOf(state, key);
  if (items.some((item) => isDeleted(state, item))) items = items.filter((item) => !isDeleted(state, item));
  let kept = window.items;
  let hasOlder = page.latest && window.loaded ? window.hasOlder : page.hasOlder;
  if (page.latest && page.hasOlder && items.length) {
    const oldestInPage = items.reduce((low, item) => Math.min(low, item.seq ?? Infinity), Infinity);
    const before = kept.filter((item) => item.seq !== undefined && item.seq < oldestInPage);
    const newestBefore = before.length ? before[before.length - 1]!.seq! : undefined;
    if (newestBefore !== undefined && newestBefore < oldestInPage - 1) {
      kept = kept.filter((item) => item.seq === undefined || item.seq >= oldestInPage);
      hasOlder = true;
    }
  }
  if (page.latest && items.length) {
    // What the window holds within the page's span and the page does not have was deleted for
    // this user (on another device, while this one was away): the server leaves it out now.
    const seqs = new Set(items.map((item) => item.seq));
    const inPage = items.map((item) => item.seq ?? 0).filter((seq) => seq > 0);
    const low = page.hasOlder ? Math.min(...inPage) : 1;
    const high = Math.max(...inPage);
    kept = kept.filter((item) => !item.seq || item.seq < low || item.seq > high || seqs.has(item.seq));
  }
  const merged = mergePage(kept, items);
  // A newest page (a refresh after a reconnect) may land while an older page is loading.
  return withWindow(state, key, {
    items: merged, hasOlder, loadingOlder: page.latest ? window.loadingOlder : false, loaded: true,
    ...(!page.latest && window.stale ? { stale: true } : {}),
  });
}

/**
 * What the offline cache held, shown before the server answers: conversations, the last
 * messages of each (marked stale, so the newest page is fetched when shown), drafts and names.
 * What the server or the user has already put in the store wins over the cache.
 */
export function restoreCache(state: ChatState, cache: {
  conversations: readonly ConversationEntry[];
  windows: Readonly<Record<string, readonly MessageItem[]>>;
  drafts: Readonly<Record<string, string>>;
  users: Readonly<Record<string, UserInfo>>;
  groups: Readonly<Record<string, GroupInfo>>;
  deleted?: Readonly<Record<string, true>>;
}): ChatState {
  let next = state;
  if (!state.conversations.loaded) {
    const byKey: Record<string, ConversationEntry> = {};
    for (const entry of cache.conversations) byKey[entry.key] = entry;
    Object.assign(byKey, state.conversations.byKey);
    next = { ...next, conversations: { ...next.conversations, byKey, keys: sortKeys(byKey) } };
  }
  const windows = { ...next.windows };
  for (const [key, items] of Object.entries(cache.windows)) {
    const window = windows[key];
    if (window?.loaded) continue;
    windows[key] = { items: mergePage(items, window?.items ?? []), hasOlder: true, loadingOlder: false, loaded: true, stale: true };
  }
  return {
    ...next,
    windows,
    drafts: { ...cache.drafts, ...next.drafts },
    users: { ...cache.users, ...next.users },
    groups: { ...cache.groups, ...next.groups },
    deleted: { ...cache.deleted, ...next.deleted },
  };
}

/**
 * Every window forgets the server's messages (only unsent ones stay) and is loaded again when
 * next shown: after the server's store went back to a backup, messages known here may be gone
 * and their seqs given to others. The conversation list is replaced by the next load. A
 * chatroom's messages are not in that store (kept in memory, or in Redis): its window stays.
 */
export function forgetHistory(state: ChatState): ChatState {
  const windows: Record<string, MessageWindow> = {};
  for (const [key, window] of Object.entries(state.windows)) {
    windows[key] = key.startsWith('4:') ? window
      : { items: window.items.filter((item) => item.seq === undefined), hasOlder: true, loadingOlder: false, loaded: false };
  }
  return { ...state, windows };
}

export function setFileUrls(state: ChatState, urls: Readonly<Record<string, { href: string; expiresAt: number }>>): ChatState {
  return Object.keys(urls).length === 0 ? state : { ...state, fileUrls: { ...state.fileUrls, ...urls } };
}

/** Starts (an item) or ends (undefined) replying to a message in a conversation's composer. */
export function setReply(state: ChatState, key: string, item: MessageItem | undefined): ChatState {
  if (state.replies[key] === item) return state;
  const replies = { ...state.replies };
  if (item) replies[key] = item;
  else delete replies[key];
  return { ...state, replies };
}

/** Adds or changes an upload of a conversation (`undefined` removes it). */
export function setUpload(state: ChatState, key: string, id: string, upload: Upload | undefined): ChatState {
  const list = state.uploads[key] ?? [];
  const index = list.findIndex((entry) => entry.id === id);
  const next = index < 0 ? (upload ? [...list, upload] : list)
    : upload ? [...list.slice(0, index), upload, ...list.slice(index + 1)] : [...list.slice(0, index), ...list.slice(index + 1)];
  if (next === list) return state;
  const uploads = { ...state.uploads };
  if (next.length) uploads[key] = next;
  else delete uploads[key];
  return { ...state, uploads };
}

export function setStorageFallback(state: ChatState, reason: string | undefined): ChatState {
  return state.storageFallback === reason ? state : { ...state, storageFallback: reason };
}

export function setConnectionError(state: ChatState, error: ConnectionError | undefined): ChatState {
  if (state.connectionError === error || (!state.connectionError && !error)) return state;
  return { ...state, connectionError: error };
}

export function setLoadingOlder(state: ChatState, key: string, loadingOlder: boolean): ChatState {
  const window = windowOf(state, key);
  if (window.loadingOlder === loadingOlder) return state;
  return withWindow(state, key, { ...window, loadingOlder });
}

/** The read position moved (here or on another device): unread counts follow. */
export function markRead(state: ChatState, key: string, readSeq: number): ChatState {
  const entry = state.conversations.byKey[key];
  if (!entry || (readSeq <= entry.readSeq && entry.unreadCount === 0)) return state;
  const latestSeq = entry.latestMessage?.seq ?? 0;
  const window = state.windows[key];
  const unreadCount = readSeq >= latestSeq ? 0
    : window?.loaded ? window.items.filter((item) => item.direction === 2 && (item.seq ?? 0) > readSeq).length
      : entry.unreadCount;
  return withConversation(state, { ...entry, readSeq: Math.max(readSeq, entry.readSeq), unreadCount });
}

export function removeConversation(state: ChatState, key: string): ChatState {
  if (!state.conversations.byKey[key]) return state;
  const byKey = { ...state.conversations.byKey };
  delete byKey[key];
  return { ...state, conversations: { ...state.conversations, byKey, keys: sortKeys(byKey) } };
}

export function setActive(state: ChatState, key: string | undefined): ChatState {
  return state.activeKey === key ? state : { ...state, activeKey: key };
}

export function setDraft(state: ChatState, key: string, text: string): ChatState {
  if ((state.drafts[key] ?? '') === text) return state;
  const drafts = { ...state.drafts };
  if (text) drafts[key] = text;
  else delete drafts[key];
  return { ...state, drafts };
}

/**
 * The entry of `id` in a users or groups map. Ids are data: `constructor` or `__proto__` must
 * never find Object's members.
 */
export function entryOf<T>(map: Readonly<Record<string, T>> | undefined, id: string): T | undefined {
  return map && Object.hasOwn(map, id) ? map[id] : undefined;
}

export function setUser(state: ChatState, userId: string, info: UserInfo): ChatState {
  const known = entryOf(state.users, userId);
  if (known && known.name === info.name && known.portraitUri === info.portraitUri) return state;
  return { ...state, users: { ...state.users, [userId]: info } };
}

export function setGroup(state: ChatState, groupId: string, info: GroupInfo): ChatState {
  const known = entryOf(state.groups, groupId);
  if (known && known.name === info.name && (known.memberIds ?? []).join('\n') === (info.memberIds ?? []).join('\n')) return state;
  return { ...state, groups: { ...state.groups, [groupId]: info } };
}

/** The name to show for a conversation: the user's or group's name when known, else its id. */
export function conversationName(state: Pick<ChatState, 'users' | 'groups'>, conversation: ConversationRef): string {
  const { conversationType, targetId } = conversation;
  // An agent's customer-service conversation is `<visitorId>@<groupId>`: it is named after the visitor.
  const at = conversationType === 5 ? targetId.lastIndexOf('@') : -1;
  if (at > 0) {
    const visitorId = targetId.slice(0, at);
    return entryOf(state.users, visitorId)?.name || visitorId;
  }
  const names = conversationType === 1 ? state.users : conversationType === 3 ? state.groups : undefined;
  return entryOf(names, targetId)?.name || targetId;
}

export function setConversationFlags(state: ChatState, key: string, flags: { pinned?: boolean; muted?: boolean }): ChatState {
  const entry = state.conversations.byKey[key];
  if (!entry) return state;
  return withConversation(state, { ...entry, ...flags });
}

/**
 * Receipts from the other side of a private chat. Positions only move forward: a late or
 * repeated push never takes a tick back.
 */
export function setPeerReceipts(state: ChatState, key: string, receipts: { peerReadSeq?: number; peerDeliveredSeq?: number }): ChatState {
  const entry = state.conversations.byKey[key];
  if (!entry) return state;
  const peerReadSeq = receipts.peerReadSeq !== undefined && receipts.peerReadSeq > (entry.peerReadSeq ?? 0) ? receipts.peerReadSeq : entry.peerReadSeq;
  const peerDeliveredSeq = receipts.peerDeliveredSeq !== undefined && receipts.peerDeliveredSeq > (entry.peerDeliveredSeq ?? 0)
    ? receipts.peerDeliveredSeq : entry.peerDeliveredSeq;
  if (peerReadSeq === entry.peerReadSeq && peerDeliveredSeq === entry.peerDeliveredSeq) return state;
  return withConversation(state, {
    ...entry, ...(peerReadSeq !== undefined ? { peerReadSeq } : {}), ...(peerDeliveredSeq !== undefined ? { peerDeliveredSeq } : {}),
  });
}

/** A group member's read position moved (for an open "read by" list to refresh); never back. */
export function noteMemberRead(state: ChatState, key: string, userId: string, seq: number, what: 'read' | 'delivered' = 'read'): ChatState {
  const entry = state.conversations.byKey[key];
  const field = what === 'read' ? 'memberReads' : 'memberDeliveries';
  if (!entry || entry.conversationType !== 3 || seq <= (entryOf(entry[field], userId) ?? 0)) return state;
  return withConversation(state, { ...entry, [field]: { ...entry[field], [userId]: seq } });
}

/** `userId` is typing in the conversation until `expiresAt` (ms); undefined: they stopped. */
export function setTyping(state: ChatState, key: string, userId: string, expiresAt: number | undefined): ChatState {
  const users = state.typing[key];
  const known = entryOf(users, userId);
  if (known === expiresAt) return state;
  if (expiresAt === undefined && known === undefined) return state;
  // A literal with a computed key defines the property: an id like `__proto__` stays data.
  const nextUsers: Record<string, number> = { ...users, [userId]: expiresAt ?? 0 };
  if (expiresAt === undefined) delete nextUsers[userId];
  const typing = { ...state.typing };
  if (Object.keys(nextUsers).length) typing[key] = nextUsers;
  else delete typing[key];
  return { ...state, typing };
}

// ---- selectors ----

/** Users still typing in the conversation at `now` (ms), in the order they started. */
export const selectTypingUsers = (state: Pick<ChatState, 'typing'>, key: string, now: number): string[] =>
  Object.entries(state.typing[key] ?? {}).filter(([, expiresAt]) => expiresAt > now).map(([userId]) => userId);


export const selectConversations = (state: ChatState): ConversationEntry[] =>
  state.conversations.keys.map((key) => state.conversations.byKey[key]!);

export const selectTotalUnread = (state: ChatState): number =>
  Object.values(state.conversations.byKey).reduce((sum, entry) => sum + (entry.muted ? 0 : entry.unreadCount), 0);

/**
 * Chatroom messages (conversation type 4) go to the room's window only: no conversation entry,
 * nothing unread. Their `seq` is the room's sentTime (strictly increasing per room), which orders them.
 */
export function receiveRoomMessages(state: ChatState, key: string, items: readonly MessageItem[]): ChatState {
  const window = windowOf(state, key);
  if (!items.length && window.loaded) return state;
  return withWindow(state, key, { ...window, items: mergePage(window.items, items), loaded: true, hasOlder: false });
}

export function setRoom(state: ChatState, key: string, room: { memberCount: number } | undefined): ChatState {
  const rooms = { ...state.rooms };
  if (room) rooms[key] = room;
  else delete rooms[key];
  return { ...state, rooms };
}
