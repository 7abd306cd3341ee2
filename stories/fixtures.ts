/**
 * Fixture data for the stories: people, conversations and message windows in English and
 * Chinese, put into a real ChatSession's store through the store's own transitions
 * (`setStatus`, `setUser`, `receiveConversations`, `receiveHistory`, …), as the session does
 * with what the server sends.
 *
 * The client is never connected: constructing an IMClient opens no socket. What would need the
 * server fails as it does offline: a send ends as "not sent" (33001), opening a conversation
 * whose window is not loaded leaves it loading, loading older messages stops.
 *
 * Deterministic: the same options give the same data. Times are fixed offsets from 09:41 today
 * (local time), so the lists say "Today" and "Yesterday" as they would for a real user; pin the
 * clock if you take screenshots for a visual diff.
 */
import {
  ChatSession, ConnectionStatus, ConversationType, ErrorCode, IMClient, TextMessage,
  conversationKey, markRead, receiveConversations, receiveHistory, setActive, setConversationFlags, setDraft,
  setGroup, setLoadingOlder, setStatus, setTyping, setUser,
  type ChatState, type ConversationEntry, type ConversationRef, type MessageItem,
} from '../src/components/index.js';

export type Lang = 'en' | 'zh-CN';

/** The signed-in user in every fixture. */
export const ME = 'alice';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** 09:41 today, local time: the fixtures' "now". */
export function fixtureNow(): number {
  const now = new Date();
  now.setHours(9, 41, 0, 0);
  return now.getTime();
}

// ---- people ----

interface Person { en: string; zh: string; portrait?: string }

/** Portraits are files served by Storybook (`stories/assets`); everyone else gets initials. */
const PEOPLE: Record<string, Person> = {
  alice: { en: 'Alice Chen', zh: '陈晓丽' },
  bob: { en: 'Bob Miller', zh: '王建国', portrait: 'assets/avatar-bob.svg' },
  carol: { en: 'Carol Davis', zh: '李娜' },
  dave: { en: 'Dave Wilson', zh: '张伟' },
  erin: { en: 'Erin Garcia', zh: '刘洋' },
  frank: { en: 'Frank Moore', zh: '赵磊' },
  grace: { en: 'Grace Lee', zh: '杨静', portrait: 'assets/avatar-grace.svg' },
  henry: { en: 'Henry Zhou', zh: '周浩' },
};

/** Group names, as the server's profiles give them. */
const GROUPS: Record<string, { en: string; zh: string }> = {
  'design-team': { en: 'Design team', zh: '设计组' },
  'weekend-hike': { en: 'Weekend hiking', zh: '周末徒步' },
};

export const nameOf = (userId: string, lang: Lang): string => {
  const person = PEOPLE[userId];
  return person ? (lang === 'zh-CN' ? person.zh : person.en) : userId;
};

// ---- conversations ----

/** The conversations of the standard inbox, by a short name the stories use. */
export const CONVERSATIONS = {
  /** Private, pinned, 2 unread, a picture avatar. */
  bob: { conversationType: ConversationType.PRIVATE, targetId: 'bob' },
  /** Group with four senders (runs, names, avatars), 5 unread. */
  team: { conversationType: ConversationType.GROUP, targetId: 'design-team' },
  /** Private, 2,000 messages over almost four weeks (the virtualized list). */
  carol: { conversationType: ConversationType.PRIVATE, targetId: 'carol' },
  /** Private, muted, 3 unread (grey badge). */
  dave: { conversationType: ConversationType.PRIVATE, targetId: 'dave' },
  /** Private; ends with one of our messages that failed (30002) and one still sending. */
  erin: { conversationType: ConversationType.PRIVATE, targetId: 'erin' },
  /** Group we were removed from: our last message failed with 22406 (not in group). */
  hike: { conversationType: ConversationType.GROUP, targetId: 'weekend-hike' },
  /** Private, old, read. */
  frank: { conversationType: ConversationType.PRIVATE, targetId: 'frank' },
  /** Private, just created: no messages yet. */
  grace: { conversationType: ConversationType.PRIVATE, targetId: 'grace' },
} as const satisfies Record<string, ConversationRef>;

export type ConversationName = keyof typeof CONVERSATIONS;

export const keyOf = (name: ConversationName): string => conversationKey(CONVERSATIONS[name]);

/** One scripted message: sender, minutes before "now", English and Chinese text. */
type Line = [from: string, minutesAgo: number, en: string, zh: string];

const SCRIPTS: Partial<Record<ConversationName, Line[]>> = {
  bob: [
    ['bob', 26 * 60, 'Hi Alice! Are we still on for the demo this afternoon?', '晓丽你好！今天下午的演示还照常吗？'],
    [ME, 26 * 60 - 3, 'Yes — 3 pm in the big meeting room.', '照常，下午三点在大会议室。'],
    ['bob', 26 * 60 - 4, 'Great. Could you bring the tablet with the widget on it?', '好的。能把装了聊天组件的平板带上吗？'],
    [ME, 26 * 60 - 6, 'Sure, it’s charging now.', '没问题，正在充电。'],
    [ME, 26 * 60 - 6, 'I’ll show the dark theme too 🌙', '我顺便演示一下深色主题 🌙'],
    ['bob', 22 * 60, 'The demo went really well. They want a pilot next month!', '演示非常顺利，他们想下个月开始试点！'],
    [ME, 22 * 60 - 1, '🎉🎉🎉', '🎉🎉🎉'],
    ['bob', 40, 'Morning! The client asked to move the kick-off call to 11:00.', '早！客户想把启动会改到 11 点。'],
    ['bob', 38, 'Can you make it?', '你能参加吗？'],
  ],
  team: [
    ['carol', 3 * 60, 'I pushed the new conversation list mock-ups to the shared folder.', '新的会话列表设计稿已经放到共享文件夹了。'],
    ['carol', 3 * 60 - 1, 'Pinned rows get a small pin, muted ones a grey badge.', '置顶的会话有个小图钉，免打扰的未读数是灰色的。'],
    ['dave', 2 * 60 + 40, 'Looks good. Do we still truncate previews after one line?', '不错。预览还是只显示一行吗？'],
    ['carol', 2 * 60 + 38, 'Yes, with an ellipsis. Long Chinese names too.', '对，超出用省略号，长的中文名字也一样。'],
    [ME, 2 * 60 + 30, 'I’ll wire them into the widget this afternoon.', '我下午把它们接到组件里。'],
    ['grace', 50, 'Accessibility check: the badge needs a text alternative for screen readers.', '无障碍检查：未读角标需要给读屏软件的文字说明。'],
    ['grace', 49, 'Something like “3 unread”.', '比如“3 条未读”。'],
    ['dave', 20, 'Also: dark theme contrast on the timestamps is a bit low.', '另外，深色主题下时间戳的对比度有点低。'],
    ['dave', 19, 'Screenshot in the ticket.', '截图已经贴在工单里了。'],
    ['carol', 6, 'On it!', '我来处理！'],
    ['grace', 5, 'Thanks all 🙏 Review at 14:00?', '谢谢大家 🙏 下午两点评审？'],
  ],
  dave: [
    ['dave', 3 * 60, 'CI is red on main, looking into it.', 'main 分支的 CI 挂了，我在查。'],
    [ME, 3 * 60 - 5, 'Thanks, ping me if you need a hand.', '谢谢，需要帮忙就叫我。'],
    ['dave', 2 * 60, 'Found it: a flaky timer in the reconnect test.', '找到了：重连测试里有个不稳定的计时器。'],
    ['dave', 2 * 60 - 5, 'Fixed with fake timers.', '用假计时器修好了。'],
    ['dave', 110, 'Build is green again ✅', '构建又绿了 ✅'],
  ],
  erin: [
    ['erin', 60, 'Did you get the invoice I sent yesterday?', '昨天发你的发票收到了吗？'],
    ['erin', 59, 'Finance needs it approved by Friday.', '财务要求周五前审批。'],
    [ME, 15, 'Got it, approving now.', '收到，马上审批。'],
  ],
  hike: [
    ['henry', 2 * DAY / MINUTE, 'Saturday: meet at the trailhead at 7:30.', '周六早上 7:30 在登山口集合。'],
    ['frank', 2 * DAY / MINUTE - 10, 'I’ll bring snacks.', '我带零食。'],
    ['henry', 26 * 60, 'Group is moving to the new chat, see you there!', '群搬到新的聊天里了，那边见！'],
  ],
  frank: [
    ['frank', 5 * DAY / MINUTE, 'Here’s the link to the design review recording.', '这是设计评审的录像链接。'],
    [ME, 5 * DAY / MINUTE - 30, 'Thank you!', '谢谢！'],
    ['frank', 5 * DAY / MINUTE - 32, 'You’re welcome. Have a nice weekend!', '不客气，周末愉快！'],
  ],
};

/** Our own messages that did not (yet) reach the server, after the script. */
const LOCAL: Partial<Record<ConversationName, Array<{ minutesAgo: number; en: string; zh: string; status: 'failed' | 'sending'; errorCode?: number }>>> = {
  erin: [
    { minutesAgo: 12, en: 'Done. Anything else for this quarter?', zh: '好了。这个季度还有别的吗？', status: 'failed', errorCode: ErrorCode.RC_NET_UNAVAILABLE },
    { minutesAgo: 11, en: 'I’m offline for an hour after lunch.', zh: '午饭后我有一个小时不在线。', status: 'sending' },
  ],
  hike: [
    { minutesAgo: 25 * 60, en: 'Count me in for Saturday!', zh: '周六算我一个！', status: 'failed', errorCode: ErrorCode.NOT_IN_GROUP },
  ],
};

const UNREAD: Partial<Record<ConversationName, number>> = { bob: 2, team: 5, dave: 3 };
const PINNED: ConversationName[] = ['bob'];
const MUTED: ConversationName[] = ['dave', 'hike'];

/** A sent message as the session would store it (ids are stable: same fixture, same ids). */
export function sentItem(conversation: ConversationRef, seq: number, from: string, text: string, sentTime: number): MessageItem {
  const key = conversationKey(conversation);
  return {
    id: `${key}#${seq}`,
    conversationType: conversation.conversationType,
    targetId: conversation.targetId,
    senderUserId: from,
    objectName: TextMessage.objectName,
    content: new TextMessage({ content: text }),
    messageUid: `uid-${key}-${seq}`,
    seq,
    sentTime,
    direction: from === ME ? 1 : 2,
    status: 'sent',
  };
}

/** One of our messages that has no seq: failed (with the seed's code) or still sending. */
export function localItem(conversation: ConversationRef, id: string, text: string, sentTime: number,
  status: 'failed' | 'sending', errorCode?: number): MessageItem {
  return {
    id,
    conversationType: conversation.conversationType,
    targetId: conversation.targetId,
    senderUserId: ME,
    objectName: TextMessage.objectName,
    content: new TextMessage({ content: text }),
    sentTime,
    direction: 1,
    status,
    ...(errorCode !== undefined ? { errorCode } : {}),
  };
}

// ---- the long conversation ----

const LONG_LINES: Array<[en: string, zh: string]> = [
  ['Morning!', '早！'],
  ['Did you see the new build?', '新版本你看了吗？'],
  ['Yes, scrolling feels much smoother now.', '看了，滚动顺畅多了。'],
  ['Lunch at 12?', '12 点吃午饭？'],
  ['Sure 👍', '好 👍'],
  ['I’m stuck on the reconnect logic again.', '我又卡在重连逻辑上了。'],
  ['Backoff with jitter, capped at 30 seconds — that’s what the design doc says.', '带抖动的退避，最长 30 秒——设计文档是这么写的。'],
  ['Can you review my pull request when you have a minute?', '有空的时候帮我看一下合并请求？'],
  ['Done, left two small comments.', '看完了，留了两条小意见。'],
  ['Thanks!', '谢谢！'],
  ['The server keeps one copy per clientMsgId, so a resend after a timeout can’t duplicate the message. The ack comes back with the same messageUid and seq as the first time.',
    '服务器按 clientMsgId 只保留一份，所以超时后重发不会产生重复消息。确认里带回的 messageUid 和 seq 跟第一次完全一样。'],
  ['Meeting moved to 3 pm.', '会议改到下午三点。'],
  ['Running five minutes late, sorry!', '我晚到五分钟，抱歉！'],
  ['No worries.', '没关系。'],
  ['Shopping list:\n- milk\n- eggs\n- coffee beans', '购物清单：\n- 牛奶\n- 鸡蛋\n- 咖啡豆'],
  ['Haha 😂', '哈哈 😂'],
  ['What do you think about the dark theme colours?', '你觉得深色主题的配色怎么样？'],
  ['The badge red is a bit too bright on dark backgrounds.', '红色角标在深色背景上有点太亮了。'],
  ['Good point, I’ll try a softer one.', '有道理，我换个柔和点的。'],
  ['See you tomorrow!', '明天见！'],
  ['Good night 🌙', '晚安 🌙'],
  ['Weekend plans?', '周末有什么安排？'],
  ['Hiking if the weather holds.', '天气好的话去爬山。'],
  ['Sounds great.', '听起来不错。'],
  ['https://example.com/spec/v2#reconnect', 'https://example.com/spec/v2#reconnect'],
  ['ok', '好'],
];

/** A deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * `count` messages between us and `with`, newest `newestAgo` ms before now: runs of one to four
 * messages per sender, seconds apart within a run, minutes to hours between runs, a night now
 * and then. Seqs 1…count.
 */
export function longConversation(conversation: ConversationRef, withUser: string, count: number, lang: Lang,
  now = fixtureNow(), newestAgo = 20 * MINUTE): MessageItem[] {
  const next = random(20_260 + count);
  const items: MessageItem[] = new Array(count);
  let time = now - newestAgo;
  let runLeft = 0;
  let from = withUser;
  let line = 0;
  for (let seq = count; seq >= 1; seq--) {
    if (runLeft === 0) {
      from = from === ME ? withUser : ME;
      runLeft = 1 + Math.floor(next() * 4);
      const r = next();
      time -= r < 0.05 ? 8 * HOUR + r * 40 * HOUR : r < 0.6 ? MINUTE + r * 15 * MINUTE : 10 * MINUTE + r * 40 * MINUTE;
    } else {
      time -= 15_000 + Math.floor(next() * 90_000);
    }
    runLeft--;
    line = (line + 1 + Math.floor(next() * (LONG_LINES.length - 1))) % LONG_LINES.length; // never the same line twice in a row
    const [en, zh] = LONG_LINES[line]!;
    items[seq - 1] = sentItem(conversation, seq, from, lang === 'zh-CN' ? zh : en, Math.round(time));
  }
  return items;
}

// ---- the session ----

/** A session around a client that is never connected (constructing one opens no socket). */
export function offlineSession(): ChatSession {
  const client = new IMClient({ url: 'ws://127.0.0.1:9/im', token: 'story', reconnect: { enabled: false } });
  return new ChatSession(client);
}

export interface InboxOptions {
  lang?: Lang;
  /** A ConnectionStatus value; CONNECTED (the header shows no status) by default. */
  status?: number;
  /**
   * `loaded`: the standard inbox (default). `empty`: the list was fetched and is empty.
   * `loading`: the list was not fetched yet. `many`: 60 generated conversations, more on the server.
   */
  conversations?: 'loaded' | 'empty' | 'loading' | 'many';
  /** The conversation being read (the session's active one). */
  active?: ConversationName;
  /** Conversations whose newest page was not fetched yet: opening one shows it loading. */
  unloaded?: ConversationName[];
  /** Conversations whose window is fetching an older page right now (and has one). */
  loadingOlder?: ConversationName[];
  /** Unsent drafts, by conversation. */
  drafts?: Partial<Record<ConversationName, string>>;
  /** Messages in the long conversation with carol (2,000). */
  longCount?: number;
  /** Who is typing where (user ids): shown for as long as the story is open. */
  typing?: Partial<Record<ConversationName, string[]>>;
  /** Users' online status, by user id (`{ online, status, text }`). */
  presence?: Record<string, { online: boolean; status: string; text: string }>;
  /** Users this user blocked. */
  blocked?: string[];
}

/** Builds the windows of the standard inbox: items ascending by seq, local items last. */
function windowsFor(lang: Lang, now: number, longCount: number): Record<ConversationName, MessageItem[]> {
  const text = (en: string, zh: string) => (lang === 'zh-CN' ? zh : en);
  const windows = {} as Record<ConversationName, MessageItem[]>;
  for (const name of Object.keys(CONVERSATIONS) as ConversationName[]) {
    const conversation = CONVERSATIONS[name];
    const items = name === 'carol'
      ? longConversation(conversation, 'carol', longCount, lang, now)
      : (SCRIPTS[name] ?? []).map(([from, ago, en, zh], index) => sentItem(conversation, index + 1, from, text(en, zh), now - ago * MINUTE));
    for (const [index, local] of (LOCAL[name] ?? []).entries()) {
      items.push(localItem(conversation, `${keyOf(name)}~local-${index + 1}`, text(local.en, local.zh), now - local.minutesAgo * MINUTE,
        local.status, local.errorCode));
    }
    windows[name] = items;
  }
  return windows;
}

/** The server's view of a conversation: latest message, unread count, read position. */
function entryFor(conversation: ConversationRef, items: readonly MessageItem[], unread: number, createdAgo: number, now: number):
  Omit<ConversationEntry, 'key' | 'pinned' | 'muted'> {
  const latest = items.at(-1);
  const latestSeq = items.filter((item) => item.seq !== undefined).at(-1)?.seq ?? 0;
  return {
    ...conversation,
    unreadCount: unread,
    ...(latest ? { latestMessage: latest } : {}),
    readSeq: Math.max(0, latestSeq - unread),
    updatedTime: latest?.sentTime ?? now - createdAgo,
  };
}

const EN_FIRST = ['Olivia', 'Liam', 'Emma', 'Noah', 'Ava', 'Lucas', 'Mia', 'Ethan', 'Sofia', 'Mason', 'Isla', 'Leo'];
const EN_LAST = ['Smith', 'Brown', 'Taylor', 'Martin', 'Clark', 'Lewis', 'Walker', 'Young', 'King', 'Wright'];
const ZH_SURNAME = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙'];
const ZH_GIVEN = ['芳', '伟', '敏', '静', '磊', '洋', '艳', '勇', '军', '杰', '娟', '涛', '明', '超', '秀英'];

/** `count` private conversations with generated people, one message each, newest first. */
function manyConversations(state: ChatState, lang: Lang, now: number, count: number): ChatState {
  const next = random(60_000 + count);
  const unreadPattern = [0, 0, 3, 0, 1, 0, 0, 150, 0, 12, 0, 0];
  const entries: Array<Omit<ConversationEntry, 'key' | 'pinned' | 'muted'>> = [];
  let time = now - 2 * MINUTE;
  for (let i = 0; i < count; i++) {
    const userId = `user-${String(i + 1).padStart(3, '0')}`;
    const name = lang === 'zh-CN'
      ? ZH_SURNAME[i % ZH_SURNAME.length]! + ZH_GIVEN[(i * 7) % ZH_GIVEN.length]!
      : `${EN_FIRST[i % EN_FIRST.length]} ${EN_LAST[(i * 7) % EN_LAST.length]}`;
    state = setUser(state, userId, { name });
    const conversation = { conversationType: ConversationType.PRIVATE, targetId: userId };
    const [en, zh] = LONG_LINES[Math.floor(next() * LONG_LINES.length)]!;
    const item = sentItem(conversation, 1, next() < 0.3 ? ME : userId, lang === 'zh-CN' ? zh : en, time);
    const unread = item.direction === 2 ? unreadPattern[i % unreadPattern.length]! : 0;
    entries.push(entryFor(conversation, [item], unread, 0, now));
    time -= Math.floor(next() * 9 * HOUR);
  }
  state = receiveConversations(state, entries, { hasMore: true, replace: true });
  state = setConversationFlags(state, conversationKey({ conversationType: 1, targetId: 'user-004' }), { pinned: true });
  state = setConversationFlags(state, conversationKey({ conversationType: 1, targetId: 'user-008' }), { muted: true });
  return state;
}

/**
 * A session with the standard inbox in its store (see CONVERSATIONS), signed in as alice.
 * Everything goes through the store's own transitions, in the order the session applies them.
 */
export function inboxSession(options: InboxOptions = {}): ChatSession {
  const lang = options.lang ?? 'en';
  const now = fixtureNow();
  const session = offlineSession();
  session.store.update((initial) => {
    let state = setStatus(initial, options.status ?? ConnectionStatus.CONNECTED, ME);
    for (const userId of Object.keys(PEOPLE)) {
      const person = PEOPLE[userId]!;
      // Absolute, as an app server gives them: the widget shows no relative portrait.
      const portraitUri = person.portrait && new URL(person.portrait, globalThis.location?.href ?? 'http://localhost/').href;
      state = setUser(state, userId, { name: nameOf(userId, lang), ...(portraitUri ? { portraitUri } : {}) });
    }
    for (const [groupId, group] of Object.entries(GROUPS)) state = setGroup(state, groupId, { name: lang === 'zh-CN' ? group.zh : group.en });
    const mode = options.conversations ?? 'loaded';
    if (mode === 'loading') return state;
    if (mode === 'empty') return receiveConversations(state, [], { hasMore: false, replace: true });
    if (mode === 'many') return manyConversations(state, lang, now, 60);

    const windows = windowsFor(lang, now, options.longCount ?? 2000);
    const names = Object.keys(CONVERSATIONS) as ConversationName[];
    state = receiveConversations(state, names.map((name) =>
      entryFor(CONVERSATIONS[name], windows[name], UNREAD[name] ?? 0, name === 'grace' ? 3 * HOUR : 0, now)),
    { hasMore: false, replace: true });
    for (const name of PINNED) state = setConversationFlags(state, keyOf(name), { pinned: true });
    for (const name of MUTED) state = setConversationFlags(state, keyOf(name), { muted: true });
    const unloaded = new Set(options.unloaded ?? []);
    const loadingOlder = new Set(options.loadingOlder ?? []);
    for (const name of names) {
      if (unloaded.has(name)) continue;
      // An older page is being fetched: the window has older messages and shows the newest ones.
      const items = loadingOlder.has(name) ? windows[name].slice(-6) : windows[name];
      state = receiveHistory(state, keyOf(name), items, { hasOlder: loadingOlder.has(name), latest: true });
      if (loadingOlder.has(name)) state = setLoadingOlder(state, keyOf(name), true);
    }
    for (const [name, draft] of Object.entries(options.drafts ?? {}) as Array<[ConversationName, string]>) {
      state = setDraft(state, keyOf(name), draft);
    }
    for (const [name, userIds] of Object.entries(options.typing ?? {}) as Array<[ConversationName, string[]]>) {
      for (const userId of userIds) state = setTyping(state, keyOf(name), userId, Number.MAX_SAFE_INTEGER);
    }
    if (options.presence) state = { ...state, presence: options.presence };
    if (options.blocked) state = { ...state, blocked: Object.fromEntries(options.blocked.map((userId) => [userId, true])) };
    if (options.active) {
      // Opening a conversation reads it, as session.open() does.
      const entry = state.conversations.byKey[keyOf(options.active)];
      state = markRead(setActive(state, keyOf(options.active)), keyOf(options.active), entry?.latestMessage?.seq ?? 0);
    }
    return state;
  });
  return session;
}
