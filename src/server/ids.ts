import { randomFillSync } from 'node:crypto';
import { ConversationType } from '../core/protocol/codes.js';

/** User and group ids: the seed's character set, at most 64 characters. */
const ID_PATTERN = /^[A-Za-z0-9_=@.+\-]{1,64}$/;

export const isValidId = (value: unknown): value is string => typeof value === 'string' && ID_PATTERN.test(value);

/** Conversation types this server stores and routes. */
export const SUPPORTED_CONVERSATION_TYPES: ReadonlySet<number> = new Set([
  ConversationType.PRIVATE, ConversationType.GROUP, ConversationType.CUSTOMER_SERVICE,
]);

/** Skill group ids: short and without `@`, so that an agent's targetId `<visitorId>@<groupId>` splits at its last `@`. */
const SERVICE_GROUP_PATTERN = /^[A-Za-z0-9_\-]{1,16}$/;

export const isValidServiceGroupId = (value: unknown): value is string => typeof value === 'string' && SERVICE_GROUP_PATTERN.test(value);

/** The one conversation of a visitor with a skill group, across all their sessions. */
export const serviceConversationKey = (groupId: string, visitorId: string): string =>
  `${ConversationType.CUSTOMER_SERVICE}:${groupId}:${visitorId}`;

/** How an agent addresses a visitor's conversation with a group. */
export const agentTargetId = (groupId: string, visitorId: string): string => `${visitorId}@${groupId}`;

/** The visitor and group an agent's targetId names, or undefined when it names none. */
export function parseAgentTargetId(targetId: string): { visitorId: string; groupId: string } | undefined {
  const at = targetId.lastIndexOf('@');
  if (at <= 0) return undefined;
  const visitorId = targetId.slice(0, at);
  const groupId = targetId.slice(at + 1);
  return isValidId(visitorId) && isValidServiceGroupId(groupId) ? { visitorId, groupId } : undefined;
}

/**
 * The storage key of a conversation: one key for both sides of a private chat (`1:alice:bob`,
 * ids sorted), the group id for a group (`3:team`). Ids never contain ':'.
 */
export function conversationKey(conversationType: number, userId: string, targetId: string): string {
  if (conversationType === ConversationType.PRIVATE) {
    return userId < targetId ? `1:${userId}:${targetId}` : `1:${targetId}:${userId}`;
  }
  return `${conversationType}:${targetId}`;
}

/** The targetId of a conversation seen from one user: the other side of a private chat, else the group. */
export function targetIdFor(key: string, userId: string): string {
  // The common cases without splitting (this runs for every recipient of every message).
  const first = key.indexOf(':');
  const type = key.slice(0, first);
  if (first > 0 && type === String(ConversationType.PRIVATE)) {
    const second = key.indexOf(':', first + 1);
    const a = key.slice(first + 1, second);
    return a === userId ? key.slice(second + 1) : a;
  }
  if (first > 0 && type !== String(ConversationType.CUSTOMER_SERVICE)) return key.slice(first + 1);
  const parts = key.split(':');
  // Customer service `5:<groupId>:<visitorId>`: the visitor sees the group, an agent the pair.
  if (parts[0] === String(ConversationType.CUSTOMER_SERVICE)) return parts[2] === userId ? parts[1]! : agentTargetId(parts[1]!, parts[2]!);
  return parts.slice(1).join(':');
}

/** The private-chat participants, or undefined for another type. */
export function privateParticipants(key: string): [string, string] | undefined {
  const parts = key.split(':');
  return parts[0] === String(ConversationType.PRIVATE) ? [parts[1]!, parts[2]!] : undefined;
}

const UID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Random bytes for uids, drawn 4 KiB at a time: one call into the CSPRNG per 512 uids, not one per uid. */
const uidBytes = Buffer.alloc(4096);
let uidBytesUsed = uidBytes.length;

/**
 * A message uid in the seed's shape, `XXXX-XXXX-XXXX-XXXX`: the millisecond it was made, modulo
 * 2^40 (34 years), then 40 random bits, which make it unique (at any rate of messages, a clash is
 * as unlikely as with the second and 50 bits before: a millisecond's uids are 2^10 times fewer).
 * Uids made one after another sort one after another, so the stores' unique indexes take each new one
 * at the end, on the page the one before went to, rather than anywhere among the uids of the
 * same second: a page less written, and fsynced, per message (bench:store). The time it tells
 * is the message's sentTime.
 */
export function newMessageUid(): string {
  if (uidBytesUsed + 8 > uidBytes.length) {
    randomFillSync(uidBytes);
    uidBytesUsed = 0;
  }
  const at = uidBytesUsed;
  uidBytesUsed += 8;
  let uid = '';
  let ms = Date.now() % 2 ** 40;
  for (let i = 7; i >= 0; i--, ms = Math.floor(ms / 32)) uid = UID_ALPHABET[ms & 31] + uid;
  for (let i = 0; i < 8; i++) uid += UID_ALPHABET[uidBytes[at + i]! & 31];
  return `${uid.slice(0, 4)}-${uid.slice(4, 8)}-${uid.slice(8, 12)}-${uid.slice(12)}`;
}
