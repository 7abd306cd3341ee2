import type { MessageItem } from '../../core/store/chat-state.js';
import { isServerSender } from '../../core/client/customer-service.js';
import type { Strings } from './strings.js';

/**
 * A group notice of the server's own (`RC:GrpNtf` from `im:group`) in the reader's language,
 * from its operation and data (the server's English `message` is for other clients); undefined
 * for any other message, or an operation this version does not know.
 */
export function groupNoticeText(item: Pick<MessageItem, 'objectName' | 'senderUserId'>, content: Record<string, unknown>, strings: Strings): string | undefined {
  if (item.objectName !== 'RC:GrpNtf' || item.senderUserId !== 'im:group') return undefined;
  const operation = content.operation as keyof Strings['groupNotice'];
  if (typeof operation !== 'string' || !Object.hasOwn(strings.groupNotice, operation)) return undefined;
  let data: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(typeof content.data === 'string' ? content.data : '{}');
    if (parsed && typeof parsed === 'object') data = parsed as Record<string, unknown>;
  } catch { /* no data: the names stay empty */ }
  const line = (value: unknown) => (typeof value === 'string' ? value.replace(/\s+/g, ' ').slice(0, 128) : '');
  const by = line(data.operatorNickname);
  const names = Array.isArray(data.targetUserDisplayNames) ? data.targetUserDisplayNames.map(line).filter(Boolean).slice(0, 20) : [];
  const group = line(data.targetGroupName);
  const tell = strings.groupNotice[operation] as (by: string, what: string) => string;
  return tell(by, operation === 'Create' || operation === 'Rename' ? group : names.join(', '));
}

/** A one-line preview of a message's content, as plain text (never parsed as HTML). */
export function previewText(item: MessageItem | undefined, strings: Strings, nameOf?: (userId: string) => string): string {
  if (!item) return '';
  const raw = item.content as unknown as { toJSON?: () => Record<string, unknown> };
  const content: Record<string, unknown> = (typeof raw?.toJSON === 'function' ? raw.toJSON() : (raw as Record<string, unknown>)) ?? {};
  const text = (value: unknown) => (typeof value === 'string' ? value.replace(/\s+/g, ' ').slice(0, 200) : '');
  switch (item.objectName) {
    case 'RC:TxtMsg':
    case 'RC:ReferenceMsg':
      return text(content.content) || strings.unsupported;
    case 'RC:ImgMsg': return strings.kinds.image;
    case 'RC:GIFMsg': return strings.kinds.gif;
    case 'RC:FileMsg': return `${strings.kinds.file} ${displayFileName(text(content.name))}`.trim();
    case 'RC:HQVCMsg': return strings.kinds.voice;
    case 'RC:SightMsg': return strings.kinds.video;
    case 'RC:LBSMsg': return `${strings.kinds.location} ${text(content.poi)}`.trim();
    case 'RC:ImgTextMsg': return `${strings.kinds.link} ${text(content.title)}`.trim();
    case 'RC:InfoNtf':
    case 'RC:GrpNtf': {
      const told = groupNoticeText(item, content, strings);
      if (told) return told;
      // Any member may send a notice: with its sender's name it cannot pass for the system's.
      const message = text(content.message) || strings.unsupported;
      return nameOf && !isServerSender(item.senderUserId) ? strings.noticeFrom(nameOf(item.senderUserId), message) : message;
    }
    case 'RC:RcNtf': return strings.recalled;
    default: return strings.unsupported;
  }
}

/** Time of a list row, relative when recent: "now", "5 min", the time today, else the date. */
export function shortTime(time: number, lang: string, strings: Pick<Strings, 'justNow' | 'minutesAgo'>, now = Date.now()): string {
  if (!time || !Number.isFinite(time)) return '';
  const minutes = Math.floor((now - time) / 60_000);
  if (minutes < 1 && minutes > -2) return strings.justNow;
  if (minutes >= 1 && minutes < 60) return strings.minutesAgo(minutes);
  const date = new Date(time);
  const sameDay = date.toDateString() === new Date(now).toDateString();
  return sameDay
    ? date.toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleDateString(lang, { month: 'short', day: 'numeric' });
}

/** Up to two initials for an avatar without a picture. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  const first = [...words[0]!];
  if (words.length === 1) return (first.length > 1 && /[A-Za-z]/.test(first[0]!) ? first.slice(0, 2) : first.slice(0, 1)).join('').toUpperCase();
  return ([...words[0]!][0]! + [...words[1]!][0]!).toUpperCase();
}

/**
 * URLs we put into src attributes: absolute http(s) only. Never javascript: or data: documents,
 * and never a relative URL: the widget runs on someone else's site, where a relative portrait
 * would be fetched from that site's own paths.
 */
export function safeImageUrl(url: string | undefined): string | undefined {
  if (!url || !/^https?:\/\//i.test(url.trim())) return undefined;
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.hostname ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Bidirectional controls (embeddings, overrides, isolates, marks): in a file name they make
 * `invoice\u202Efdp.exe` read as `invoiceexe.pdf`. A file name never needs them.
 */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** A file name as shown: without bidirectional controls. */
export function displayFileName(name: string): string {
  return name.replace(BIDI_CONTROLS, '');
}

/**
 * Who is typing, as the header and the list say it: "typing…" in a private chat; in a group
 * "Alice is typing…", "Alice and Bob are typing…", "3 people are typing…".
 */
export function typingLabel(names: readonly string[], group: boolean, strings: Strings): string {
  if (names.length === 0) return '';
  if (!group) return strings.typing;
  if (names.length === 1) return strings.typingOne(names[0]!);
  if (names.length === 2) return strings.typingTwo(names[0]!, names[1]!);
  return strings.typingMany(names.length);
}

/**
 * Avatar colours: a background per user (or group) id, the same on every device and visit, each
 * with white text at a contrast of at least 4.5:1.
 */
const AVATAR_COLORS = ['#1d4ed8', '#047857', '#b91c1c', '#7e22ce', '#c2410c', '#0e7490', '#be185d', '#4d7c0f', '#4338ca', '#a16207'];

/** The avatar colour of an id: a stable hash (FNV-1a) into AVATAR_COLORS. */
export function avatarColor(id: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return AVATAR_COLORS[(hash >>> 0) % AVATAR_COLORS.length]!;
}
