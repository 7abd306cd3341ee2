import { ConversationType } from '../protocol/codes.js';
import type { CustomerPreChatField, CustomerSessionStatus } from '../protocol/customer-service-records.js';

export type { CustomerPreChatField, CustomerServiceTicket, CustomerSessionStatus, CustomerTranscriptLine } from '../protocol/customer-service-records.js';

/**
 * Customer service (conversation type 5) as the client sees it: sessions, and the events the
 * server's frames carry. docs/customer-service.md has the design.
 */

/** The skill group a visitor reaches when none is named. */
export const DEFAULT_CUSTOMER_SERVICE_GROUP = 'service';

export interface CustomerSession {
  sessionId: number;
  /** The group the visitor addressed (the conversation). */
  groupId: string;
  /** The group serving it now (differs after a transfer to another group). */
  servingGroupId: string;
  visitorId: string;
  /** This user's targetId for the conversation: the group for the visitor, `<visitorId>@<groupId>` for an agent. */
  targetId: string;
  status: CustomerSessionStatus;
  /** '' while no agent serves it. */
  agentId: string;
  createdAt: number;
  /** 0 = not rated. */
  rating: number;
  /** The pre-chat form as the visitor filled it in ({} when none). */
  visitorInfo: Record<string, string>;
  /** For agents: the visitor's name (their profile's, else the form's `name`; '' when unknown). */
  visitorName?: string;
}

/** What a launcher shows for a skill group: its hours now, its form, and the caller's session. */
export interface CustomerServiceInfo {
  groupId: string;
  name: string;
  mode: 'robot' | 'human';
  /** Within business hours now (always true for a group without hours). */
  open: boolean;
  /** Epoch ms of the next opening; 0 while open, or when it never opens. */
  nextOpening: number;
  /** The IANA zone of the hours ('' when the group has none). */
  timeZone: string;
  /** Shown to visitors while the group is closed. */
  offlineMessage: string;
  welcome: string;
  preChatFields: CustomerPreChatField[];
  /** The caller's latest session with the group, resolved or not; null when none. */
  session: CustomerSession | null;
  /** The caller's place in the queue (1 = next); 0 unless queued. */
  position: number;
}

/** Which sessions an agent lists: their own open ones, their groups' queue, all unresolved of their groups (metadata only for others'), or those they resolved. */
export type CustomerSessionScope = 'mine' | 'queued' | 'all' | 'resolved';

export interface CustomerSessionPage {
  sessions: CustomerSession[];
  /** More sessions after these: ask again with `before` the last one's sessionId. */
  hasMore: boolean;
}

/** An agent of the caller's groups, as the transfer dialog shows them. */
export interface CustomerServiceAgent {
  userId: string;
  name: string;
  /** Which of the caller's groups they serve. */
  groupIds: string[];
  cap: number;
  /** Sessions open or pending with them now. */
  load: number;
  /** Connected now. */
  online: boolean;
  away: boolean;
}

export interface CustomerServiceAgents {
  /** The caller's groups. */
  groups: Array<{ groupId: string; name: string }>;
  agents: CustomerServiceAgent[];
}

export interface CustomerCannedReply {
  groupId: string;
  shortcut: string;
  text: string;
}

/** An anonymous visitor's identity from the server's POST /cs/visitor. */
export interface VisitorIdentity {
  userId: string;
  token: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** The visitor's place in the queue (1 = next); sent whenever it may have changed. */
export interface CustomerQueueEvent {
  sessionId: number;
  groupId: string;
  position: number;
}

/** A session's status changed; the same change arrives as a grey notice message. */
export interface CustomerStatusEvent {
  conversationType: typeof ConversationType.CUSTOMER_SERVICE;
  targetId: string;
  sessionId: number;
  status: CustomerSessionStatus;
  agentId: string;
  /** The notice's text. */
  message: string;
}

/** A visitor rated a session this agent served. */
export interface CustomerRatingEvent {
  sessionId: number;
  score: number;
  comment: string;
  robot: boolean;
}

/** Agent: how many visitors wait in the queue of one of their groups; sent whenever it may have changed. */
export interface CustomerWaitingEvent {
  groupId: string;
  waiting: number;
}

/** Agent: a visitor left a ticket in one of their groups, or an agent closed one (the ticket itself: `getCustomerServiceTickets`). */
export interface CustomerTicketEvent {
  groupId: string;
  ticketId: number;
  status: 'open' | 'closed';
}

export interface CustomerSessionNote {
  sessionId: number;
  authorId: string;
  text: string;
  time: number;
}

/** Who the server speaks as: no user id contains `:`, so no user can pass for it. */
const SERVER_SENDER = 'cs:server';

/** Whether a sender id is one the server speaks as (`cs:server`, `cs:robot`), never a user's. */
export const isServerSender = (senderUserId: string): boolean => senderUserId.includes(':');
const QUEUE_OBJECT_NAME = 'IM:CsQueue';
const RATING_OBJECT_NAME = 'IM:CsRating';
const WAITING_OBJECT_NAME = 'IM:CsWaiting';
const TICKET_OBJECT_NAME = 'IM:CsTicket';
const SIGNALS: ReadonlySet<string> = new Set([QUEUE_OBJECT_NAME, RATING_OBJECT_NAME, WAITING_OBJECT_NAME, TICKET_OBJECT_NAME]);

export type CustomerServiceEvent =
  | { kind: 'customerServiceQueue'; event: CustomerQueueEvent }
  | { kind: 'customerServiceStatus'; event: CustomerStatusEvent }
  | { kind: 'customerServiceRating'; event: CustomerRatingEvent }
  | { kind: 'customerServiceWaiting'; event: CustomerWaitingEvent }
  | { kind: 'customerServiceTicket'; event: CustomerTicketEvent };

const utf8 = new TextDecoder();

/**
 * The fields of a wire message these helpers read. Spelled out rather than taken from the generated
 * protobuf typings, which are not part of the published declarations.
 */
interface WireMessageFields {
  conversationType?: number | null;
  senderUserId?: string | null;
  targetId?: string | null;
  objectName?: string | null;
  content?: Uint8Array | null;
}

function parseObject(bytes: Uint8Array | string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(typeof bytes === 'string' ? bytes : utf8.decode(bytes));
    return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The customer-service event a message from the server carries, if any. */
export function customerServiceEventOf(wire: WireMessageFields): CustomerServiceEvent | undefined {
  if (wire.conversationType !== ConversationType.CUSTOMER_SERVICE || wire.senderUserId !== SERVER_SENDER || !wire.content) return undefined;
  const content = parseObject(wire.content);
  if (!content) return undefined;
  if (wire.objectName === QUEUE_OBJECT_NAME) {
    return { kind: 'customerServiceQueue', event: { sessionId: Number(content.sessionId), groupId: String(content.groupId), position: Number(content.position) } };
  }
  if (wire.objectName === WAITING_OBJECT_NAME) {
    return { kind: 'customerServiceWaiting', event: { groupId: String(content.groupId), waiting: Number(content.waiting) } };
  }
  if (wire.objectName === TICKET_OBJECT_NAME) {
    return {
      kind: 'customerServiceTicket',
      event: { groupId: String(content.groupId), ticketId: Number(content.ticketId), status: content.status === 'closed' ? 'closed' : 'open' },
    };
  }
  if (wire.objectName === RATING_OBJECT_NAME) {
    return {
      kind: 'customerServiceRating',
      event: { sessionId: Number(content.sessionId), score: Number(content.score), comment: String(content.comment ?? ''), robot: content.robot === true },
    };
  }
  if (wire.objectName === 'RC:InfoNtf' && typeof content.extra === 'string') {
    const extra = parseObject(content.extra);
    if (!extra) return undefined;
    return {
      kind: 'customerServiceStatus',
      event: {
        conversationType: ConversationType.CUSTOMER_SERVICE, targetId: wire.targetId ?? '', sessionId: Number(extra.sessionId),
        status: extra.status as CustomerSessionStatus, agentId: String(extra.agentId ?? ''), message: String(content.message ?? ''),
      },
    };
  }
  return undefined;
}

/** Whether a message is a live-only customer-service signal, to be emitted as its event and not as a message. */
export const isCustomerServiceSignal = (wire: WireMessageFields): boolean =>
  wire.conversationType === ConversationType.CUSTOMER_SERVICE && wire.senderUserId === SERVER_SENDER
  && SIGNALS.has(wire.objectName ?? '');
