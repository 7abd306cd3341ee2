/** Every user-facing string of the widget, in English; zh-CN in the table below. */
const en = {
  conversations: 'Conversations',
  noConversations: 'No conversations yet',
  loading: 'Loading…',
  selectConversation: 'Choose a conversation',
  messagePlaceholder: 'Write a message',
  messageLabel: 'Message',
  send: 'Send',
  emoji: 'Emoji',
  retry: 'Retry',
  discard: 'Delete',
  sending: 'Sending',
  sent: 'Sent',
  failed: 'Not sent',
  newMessages: 'New messages',
  loadingOlder: 'Loading earlier messages…',
  noOlder: 'Beginning of the conversation',
  noMessages: 'No messages yet',
  back: 'Back',
  today: 'Today',
  yesterday: 'Yesterday',
  pinned: 'Pinned',
  muted: 'Muted',
  unread: (count: number) => `${count} unread`,
  incoming: (name: string, text: string) => `${name}: ${text}`,
  unsupported: 'Unsupported message',
  searchEmoji: 'Search emoji',
  recentEmoji: 'Recently used',
  builtinEmoji: 'Smileys',
  noEmojiFound: 'No emoji found',
  status: {
    0: 'Connected', 1: 'Connecting…', 2: 'Disconnected', 3: 'Network unavailable', 4: 'Connection closed',
    6: 'Signed in on another device', 7: 'WebSocket unavailable', 8: 'Connection error', 12: 'Domain not allowed',
  } as Record<number, string>,
  messages: 'Messages',
  minutesAgo: (n: number) => `${n} min ago`,
  justNow: 'now',
  kinds: { image: '[Image]', gif: '[GIF]', file: '[File]', voice: '[Voice]', video: '[Video]', location: '[Location]', link: '[Link]' },
  recalled: 'A message was recalled',
  youRecalled: 'You recalled a message',
  someoneRecalled: (name: string) => `${name} recalled a message`,
  image: 'Image',
  openImage: 'Open image',
  close: 'Close',
  download: 'Download',
  openMap: 'Open map',
  openLink: 'Open',
  quoting: (name: string) => `Reply to ${name}`,
  mentionAll: 'all',
  mentionMembers: 'Members to mention',
  typing: 'typing…',
  typingOne: (name: string) => `${name} is typing…`,
  typingTwo: (a: string, b: string) => `${a} and ${b} are typing…`,
  typingMany: (count: number) => `${count} people are typing…`,
  delivered: 'Delivered',
  read: 'Read',
  readBy: (count: number, of: number) => `Read by ${count} of ${of}`,
  readList: 'Read',
  readReceipts: 'Read receipts',
  unreadList: 'Not read yet',
  recordVoice: 'Record a voice message',
  stopRecording: (seconds: number) => `Stop and send the voice message (${seconds} s)`,
  seconds: (n: number) => `${n}″`,
  messageActions: 'Message actions',
  copy: 'Copy',
  reply: 'Reply',
  recall: 'Recall',
  deleteForMe: 'Delete for me',
  cancelReply: 'Cancel reply',
  attach: 'Attach a file',
  uploading: (name: string) => `Uploading ${name}`,
  cancelUpload: 'Cancel upload',
  uploadFailed: (name: string) => `Could not upload ${name}`,
};

export type Strings = typeof en;

const zhCN: Strings = {
  conversations: '会话',
  noConversations: '暂无会话',
  loading: '加载中…',
  selectConversation: '选择一个会话',
  messagePlaceholder: '输入消息',
  messageLabel: '消息',
  send: '发送',
  emoji: '表情',
  retry: '重发',
  discard: '删除',
  sending: '发送中',
  sent: '已发送',
  failed: '发送失败',
  newMessages: '新消息',
  loadingOlder: '正在加载更早的消息…',
  noOlder: '没有更早的消息了',
  noMessages: '暂无消息',
  back: '返回',
  today: '今天',
  yesterday: '昨天',
  pinned: '已置顶',
  muted: '免打扰',
  unread: (count: number) => `${count} 条未读`,
  incoming: (name: string, text: string) => `${name}:${text}`,
  unsupported: '暂不支持的消息',
  searchEmoji: '搜索表情',
  recentEmoji: '最近使用',
  builtinEmoji: '默认表情',
  noEmojiFound: '没有找到表情',
  status: {
    0: '已连接', 1: '连接中…', 2: '已断开', 3: '网络不可用', 4: '连接已关闭',
    6: '已在其他设备登录', 7: 'WebSocket 不可用', 8: '连接出错', 12: '域名错误',
  },
  messages: '消息',
  minutesAgo: (n: number) => `${n} 分钟前`,
  justNow: '刚刚',
  kinds: { image: '[图片]', gif: '[动图]', file: '[文件]', voice: '[语音]', video: '[视频]', location: '[位置]', link: '[链接]' },
  recalled: '一条消息已撤回',
  youRecalled: '你撤回了一条消息',
  someoneRecalled: (name: string) => `${name} 撤回了一条消息`,
  image: '图片',
  openImage: '查看大图',
  close: '关闭',
  download: '下载',
  openMap: '打开地图',
  openLink: '打开',
  quoting: (name: string) => `回复 ${name}`,
  mentionAll: '所有人',
  mentionMembers: '选择提醒的成员',
  typing: '对方正在输入…',
  typingOne: (name: string) => `${name} 正在输入…`,
  typingTwo: (a: string, b: string) => `${a} 和 ${b} 正在输入…`,
  typingMany: (count: number) => `${count} 人正在输入…`,
  delivered: '已送达',
  read: '已读',
  readBy: (count: number, of: number) => `${of} 人中 ${count} 人已读`,
  readList: '已读',
  readReceipts: '已读回执',
  unreadList: '未读',
  recordVoice: '录制语音消息',
  stopRecording: (seconds: number) => `停止并发送语音（${seconds} 秒）`,
  seconds: (n: number) => `${n}″`,
  messageActions: '消息操作',
  copy: '复制',
  reply: '回复',
  recall: '撤回',
  deleteForMe: '删除',
  cancelReply: '取消回复',
  attach: '发送文件',
  uploading: (name: string) => `正在上传 ${name}`,
  cancelUpload: '取消上传',
  uploadFailed: (name: string) => `${name} 上传失败`,
};

export type Lang = 'en' | 'zh-CN';

/** `zh`, `zh-CN`, `zh-Hans…` → zh-CN; everything else → en. */
export function normalizeLang(value: string | null | undefined): Lang {
  return value && /^zh\b/i.test(value) ? 'zh-CN' : 'en';
}

export function stringsFor(lang: Lang): Strings {
  return lang === 'zh-CN' ? zhCN : en;
}

/**
 * The language that applies to an element: its own `lang`, else the nearest ancestor's (across
 * shadow roots), else the page's, else the browser's.
 */
export function langOf(element: Element): Lang {
  let node: Element | null = element;
  while (node) {
    const lang = node.getAttribute('lang');
    if (lang) return normalizeLang(lang);
    node = node.parentElement ?? ((node.getRootNode() as ShadowRoot).host ?? null);
  }
  return normalizeLang(globalThis.navigator?.language);
}
