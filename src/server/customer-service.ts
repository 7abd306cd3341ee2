import { randomUUID } from 'node:crypto';
import { ConversationType, ErrorCode } from '../core/protocol/codes.js';
import type { CustomerTranscriptLine } from '../core/protocol/customer-service-records.js';
import type { FanoutBus } from './bus.js';
import { ServiceError } from './service-error.js';
import {
  takePage, type ChatStore, type PageBudget, type PreChatField, type ServiceAgentRecord, type ServiceGroupRecord, type ServiceSessionRecord, type ServiceTicketRecord,
  type ServiceSessionStatus, type StoredMessage,
} from './storage/chat-store.js';
import type { ErrorLogger } from './error-log.js';
import { MAX_QUERY_BODY_BYTES } from '../core/protocol/frames.js';
import { openingState } from './service-hours.js';
import {
  agentTargetId, isValidId, isValidServiceGroupId, newMessageUid, parseAgentTargetId, serviceConversationKey,
} from './ids.js';


/** Senders the server uses: a `:` is in no user id, so no user can pass for them. */
export const SERVER_SENDER = 'cs:server';
export const ROBOT_SENDER = 'cs:robot';
/** Live-only pushes (no seq): the visitor's place in the queue, and a rating for the agent. */
export const QUEUE_OBJECT_NAME = 'IM:CsQueue';
export const RATING_OBJECT_NAME = 'IM:CsRating';
/** Live-only, to a group's agents: how many visitors wait in its queue. */
export const WAITING_OBJECT_NAME = 'IM:CsWaiting';
export const TICKET_OBJECT_NAME = 'IM:CsTicket';

/** The group visitors reach when none is named; it works before any set-up, human first. */
export const DEFAULT_SERVICE_GROUP: ServiceGroupRecord = {
  groupId: 'service', name: 'Customer service', mode: 'human', welcome: '', faq: [], maxPerAgent: 5,
};

const MAX_COMMENT = 500;
const MAX_NOTE = 2000;
const ROBOT_FALLBACK = 'Sorry, I have no answer to that. You can ask for a human agent.';
const ACTIVE: ReadonlySet<ServiceSessionStatus> = new Set(['robot', 'queued', 'open', 'pending']);
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const MAX_SESSION_PAGE = 100;
const TRANSCRIPT_PAGE = 200;
/** What a page's list may take of an answer, the rest of the answer's object being small. */
const PAGE_BYTES = MAX_QUERY_BODY_BYTES - 256;
/** A session's JSON as it goes out (UTF-8 of non-ASCII up to 3 bytes per unit). */
const JSON_PAGE: PageBudget<unknown> = { maxBytes: PAGE_BYTES, sizeOf: (item) => Buffer.byteLength(JSON.stringify(item)) + 1 };
/**
 * A transcript line takes at most its message's content (the text comes out of it) plus its
 * ids, a name of up to 128 characters and the line's own keys: measured before the line exists.
 */
const TRANSCRIPT_BUDGET: PageBudget<StoredMessage> = {
  maxBytes: PAGE_BYTES, sizeOf: (message) => message.content.byteLength + 3 * (message.senderUserId.length + 128) + 120,
};

/** A message as a transcript line's text; undefined for those that are no line (commands). */
function transcriptText(message: StoredMessage): string | undefined {
  let content: Record<string, unknown> = {};
  try {
    content = JSON.parse(new TextDecoder().decode(message.content)) as Record<string, unknown>;
  } catch { /* validated on the way in; an odd one shows as its kind */ }
  const field = (name: string) => (typeof content[name] === 'string' ? content[name] as string : '');
  switch (message.objectName) {
    case 'RC:TxtMsg': case 'RC:ReferenceMsg': return field('content');
    case 'RC:InfoNtf': return field('message');
    case 'RC:ImgMsg': return '[Image]';
    case 'RC:GIFMsg': return '[GIF]';
    case 'RC:FileMsg': return `[File] ${field('name')}`.trimEnd();
    case 'RC:HQVCMsg': return '[Voice]';
    case 'RC:SightMsg': return '[Video]';
    case 'RC:LBSMsg': return `[Location] ${field('poi')}`.trimEnd();
    case 'RC:ImgTextMsg': return `[Link] ${field('title')}`.trimEnd();
    case 'RC:RcNtf': return '[Recalled]';
    case 'RC:RcCmd': case 'RC:CmdMsg': return undefined;
    default: return `[${message.objectName}]`;
  }
}

/**
 * Customer-service routing: a visitor's conversation with a skill group, its sessions, the queue
 * and least-load assignment, the robot, ratings and internal notes. Every change runs through
 * one chain, one at a time, so that two sessions never take one agent's last slot: the node's
 * own order, and the store's lock across the nodes of a cluster.
 */
export class CustomerService {
  private serial: Promise<unknown> = Promise.resolve();

  private isOnline: (userId: string) => boolean = () => true;

  constructor(private readonly store: ChatStore, private readonly bus: FanoutBus, private readonly logError: ErrorLogger) {}

  /** Who is connected now: automatic assignment skips the others. */
  usePresence(isOnline: (userId: string) => boolean): void {
    this.isOnline = isOnline;
  }

  /**
   * Runs `work` with the route of a message to store, in the chain of customer-service changes:
   * authorized against, and delivered to, the session as it is when the message's turn comes
   * (never to an agent a transfer just took it from).
   */
  serially<T>(userId: string, targetId: string, work: (route: { key: string; recipients: string[] }) => Promise<T>): Promise<T> {
    return this.exclusive(async () => work(await this.routeLocked(userId, targetId)));
  }

  /** `afterMessage` for a message already answered: a failure is logged, not thrown. */
  async afterMessageLogged(message: StoredMessage): Promise<void> {
    await this.afterMessage(message).catch((error) => this.logError('customer service', error));
  }

  /** A user connected: if an agent and not away, the queues of their groups may move. */
  userOnline(userId: string): void {
    // Looked up before joining the chain: most users who connect are no agents, and need not wait in it.
    this.store.serviceAgent(userId).then((agent) => {
      if (!agent || agent.away) return undefined;
      return this.exclusive(async () => {
        for (const groupId of (await this.store.serviceAgent(userId))?.groupIds ?? []) await this.assignLocked(groupId);
      });
    }).catch((error) => this.logError('customer service', error));
  }

  /**
   * An agent's set-up changed: their open sessions of groups they left go back to those queues
   * (oldest first by creation), then every queue they touched may move.
   */
  async agentChanged(agentId: string, removedGroupIds: readonly string[], groupIds: readonly string[]): Promise<void> {
    await this.exclusive(async () => {
      for (const session of await this.store.agentServiceSessions(agentId)) {
        if (!removedGroupIds.includes(session.servingGroupId)) continue;
        const queued = (await this.store.updateServiceSession(session.sessionId, {
          status: 'queued', agentId: '', queuedAt: session.createdAt,
        }))!;
        await this.notice(queued, 'Your agent is no longer available. Waiting for another agent…', [agentId]);
      }
      for (const groupId of groupIds) await this.assignLocked(groupId);
    });
  }

  /** `work` in the chain: one at a time on this node, and across the nodes of a cluster (the store's lock). */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.serial.then(() => (this.store.exclusively ? this.store.exclusively('customer-service', work) : work()));
    this.serial = result.catch(() => undefined);
    return result;
  }

  async group(groupId: string): Promise<ServiceGroupRecord> {
    const group = isValidServiceGroupId(groupId) ? await this.store.serviceGroup(groupId) : undefined;
    if (group) return group;
    if (groupId === DEFAULT_SERVICE_GROUP.groupId) return DEFAULT_SERVICE_GROUP;
    throw new ServiceError(ErrorCode.RC_DISCUSSION_GROUP_ID_INVALID, `no skill group ${JSON.stringify(groupId.slice(0, 64))}`);
  }

  /**
   * Where a message to (5, targetId) goes, after checking the sender may write: a visitor to their
   * conversation with the group (a session starts if none is active: after `resolved` a message
   * starts a new one), an agent only to the session assigned to them.
   */
  async route(userId: string, targetId: string, startSession: boolean): Promise<{ key: string; recipients: string[] }> {
    const agentSide = parseAgentTargetId(targetId);
    if (agentSide) return this.agentRoute(userId, agentSide);
    const session = await this.exclusive(() => this.activeOrStartLocked(userId, targetId, startSession));
    if (!session) return { key: await this.authorizeRead(userId, targetId), recipients: [userId] };
    return { key: serviceConversationKey(session.groupId, userId), recipients: participants(session) };
  }

  /** `route` of a message to store, inside the chain: a visitor's message starts a session when none is active. */
  private async routeLocked(userId: string, targetId: string): Promise<{ key: string; recipients: string[] }> {
    const agentSide = parseAgentTargetId(targetId);
    if (agentSide) return this.agentRoute(userId, agentSide);
    const session = (await this.activeOrStartLocked(userId, targetId, true))!;
    return { key: serviceConversationKey(session.groupId, userId), recipients: participants(session) };
  }

  /** An agent writes only to the session assigned to them, and only they and the visitor hear it. */
  private async agentRoute(agentId: string, { visitorId, groupId }: { visitorId: string; groupId: string }) {
    const session = await this.assignedTo(agentId, visitorId, groupId);
    return { key: serviceConversationKey(session.groupId, session.visitorId), recipients: [session.visitorId, agentId] };
  }

  /** The conversation key `userId` may read by (5, targetId). */
  async authorizeRead(userId: string, targetId: string): Promise<string> {
    const agentSide = parseAgentTargetId(targetId);
    if (agentSide) {
      const session = await this.assignedTo(userId, agentSide.visitorId, agentSide.groupId);
      return serviceConversationKey(session.groupId, session.visitorId);
    }
    await this.group(targetId);
    this.checkVisitorId(userId, targetId);
    return serviceConversationKey(targetId, userId);
  }

  /** A stored message of the conversation: moves open ⇄ pending, and lets the robot answer. */
  async afterMessage(message: StoredMessage): Promise<void> {
    const [, groupId, visitorId] = message.conversationKey.split(':') as [string, string, string];
    await this.exclusive(async () => {
      const session = await this.store.latestServiceSession(visitorId, groupId);
      if (!session || !ACTIVE.has(session.status) || message.senderUserId === SERVER_SENDER || message.senderUserId === ROBOT_SENDER) return;
      if (message.senderUserId === visitorId) {
        if (session.status === 'pending') await this.store.updateServiceSession(session.sessionId, { status: 'open' });
        if (session.status === 'robot' && message.objectName === 'RC:TxtMsg') await this.robotAnswer(session, message);
      } else if (message.senderUserId === session.agentId && session.status === 'open') {
        await this.store.updateServiceSession(session.sessionId, { status: 'pending' });
      }
    });
  }

  /** Answers a `cs.*` query with a JSON object. */
  async query(userId: string, topic: string, request: Record<string, unknown>): Promise<unknown> {
    switch (topic) {
      case 'cs.info':
        return this.info(userId, requestedGroup(request));
      case 'cs.start': {
        const groupId = requestedGroup(request);
        const form = request.form;
        if (form !== undefined && (!form || typeof form !== 'object' || Array.isArray(form))) {
          throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'form must be an object of field names to values');
        }
        return this.view((await this.exclusive(() => this.activeOrStartLocked(userId, groupId, true, (form ?? {}) as Record<string, unknown>)))!, userId);
      }
      case 'cs.stop':
        return this.view(await this.exclusive(async () => this.resolveLocked(await this.activeOfVisitor(userId, requestedGroup(request)), 'The conversation has ended.')), userId);
      case 'cs.human':
        return this.view(await this.exclusive(async () => {
          const session = await this.activeOfVisitor(userId, requestedGroup(request));
          if (session.status !== 'robot') return session;
          await this.checkOpen(await this.group(session.servingGroupId));
          return this.enqueueLocked(session, session.servingGroupId, 'Connecting you to an agent…');
        }), userId);
      case 'cs.evaluate':
        return this.evaluate(userId, request);
      case 'cs.sessions':
        return this.sessionsOf(userId, request);
      case 'cs.agents':
        return this.agentsOf(userId);
      case 'cs.agent.status':
        return this.setAway(userId, request);
      case 'cs.canned':
        return this.cannedOf(userId);
      case 'cs.transcript':
        return this.transcript(userId, request);
      case 'cs.ticket':
        return this.leaveTicket(userId, request);
      case 'cs.tickets':
        return this.ticketsOf(userId, request);
      case 'cs.ticket.close':
        return this.closeTicket(userId, request);
      case 'cs.take':
        return this.view(await this.exclusive(() => this.take(userId, requestedSession(request))), userId);
      case 'cs.transfer':
        return this.view(await this.exclusive(() => this.transfer(userId, requestedSession(request), request)), userId);
      case 'cs.resolve':
        return this.view(await this.exclusive(async () => {
          const session = await this.ownSession(userId, requestedSession(request));
          return this.resolveLocked(session, 'The agent has resolved this conversation.');
        }), userId);
      case 'cs.note': {
        const session = await this.sessionForAgent(userId, requestedSession(request));
        const text = request.text;
        if (typeof text !== 'string' || text.length === 0 || text.length > MAX_NOTE) {
          throw new ServiceError(ErrorCode.PARAMETER_ERROR, `text must be 1-${MAX_NOTE} characters`);
        }
        const note = { sessionId: session.sessionId, authorId: userId, text, time: Date.now() };
        await this.store.addServiceNote(note);
        return note;
      }
      case 'cs.notes': {
        const session = await this.sessionForAgent(userId, requestedSession(request));
        return { notes: await this.store.serviceNotes(session.sessionId) };
      }
      default:
        throw new ServiceError(ErrorCode.PARAMETER_ERROR, `unknown query topic ${JSON.stringify(topic.slice(0, 64))}`);
    }
  }

  /** Agents or caps changed: the queues of these groups may move. */
  async rebalance(groupIds: readonly string[]): Promise<void> {
    await this.exclusive(async () => {
      for (const groupId of groupIds) await this.assignLocked(groupId);
    });
  }

  // ---- sessions ----

  private checkVisitorId(visitorId: string, groupId: string): void {
    if (!isValidId(agentTargetId(groupId, visitorId))) {
      throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'the user id is too long for customer service with this group');
    }
  }

  /**
   * The visitor's active session with the group; else a new one when `start`. `form` is the
   * pre-chat form of `cs.start`, checked when a session starts; a session a message starts has none.
   */
  private async activeOrStartLocked(visitorId: string, groupId: string, start: boolean, form?: Record<string, unknown>):
    Promise<ServiceSessionRecord | undefined> {
    const latest = await this.store.latestServiceSession(visitorId, groupId);
    if (latest && ACTIVE.has(latest.status)) return latest;
    return start ? this.startLocked(visitorId, groupId, form, latest?.visitorInfo) : undefined;
  }

  /** Outside business hours no one would answer: refused rather than left waiting. */
  private async checkOpen(group: ServiceGroupRecord): Promise<void> {
    if (!openingState(group.hours).open) {
      throw new ServiceError(ErrorCode.CS_OUTSIDE_HOURS, `${group.groupId} is closed now: leave a message instead`);
    }
  }

  /**
   * A follow-up (a visitor writing again after a resolve) sends no form: it carries the answers
   * of the visitor's previous session, so that the agent has them without the visitor being
   * asked the same questions again. A form sent with it replaces them.
   */
  private async startLocked(visitorId: string, groupId: string, form?: Record<string, unknown>, previousInfo?: Record<string, string>):
    Promise<ServiceSessionRecord> {
    const group = await this.group(groupId);
    this.checkVisitorId(visitorId, groupId);
    const fields = group.preChatFields ?? [];
    // Only the answers to fields the form still has (it may have changed since).
    const carried = Object.fromEntries(Object.entries(previousInfo ?? {}).filter(([name]) => fields.some((field) => field.name === name)));
    const answered = form && Object.keys(form).length > 0;
    const visitorInfo = answered ? checkedForm(fields, form) : form ? checkedForm(fields, carried) : carried;
    if (group.mode !== 'robot') await this.checkOpen(group);
    const now = Date.now();
    const session = await this.store.createServiceSession({
      groupId, servingGroupId: groupId, visitorId, status: group.mode === 'robot' ? 'robot' : 'queued', agentId: '', createdAt: now, queuedAt: now,
      visitorInfo,
    });
    if (session.status === 'robot') {
      await this.notice(session, 'You are chatting with the robot assistant.', []);
      if (group.welcome) await this.post(session, ROBOT_SENDER, 'RC:TxtMsg', { content: group.welcome }, true, []);
      return session;
    }
    await this.notice(session, 'Waiting for an agent…', []);
    await this.assignLocked(groupId);
    return (await this.store.serviceSession(session.sessionId))!;
  }

  private async enqueueLocked(session: ServiceSessionRecord, servingGroupId: string, text: string, told: string[] = []) {
    const queued = (await this.store.updateServiceSession(session.sessionId, {
      status: 'queued', agentId: '', servingGroupId, queuedAt: Date.now(),
    }))!;
    await this.notice(queued, text, told);
    await this.assignLocked(servingGroupId);
    return (await this.store.serviceSession(session.sessionId))!;
  }

  private async resolveLocked(session: ServiceSessionRecord, text: string): Promise<ServiceSessionRecord> {
    const resolved = (await this.store.updateServiceSession(session.sessionId, { status: 'resolved' }))!;
    await this.notice(resolved, text, []);
    if (session.agentId) await this.freedSlotOf(session.agentId);
    else if (session.status === 'queued') await this.tellPositions(session.servingGroupId);
    return resolved;
  }

  private async take(agentId: string, sessionId: number): Promise<ServiceSessionRecord> {
    const session = await this.sessionForAgent(agentId, sessionId);
    if (session.status !== 'queued') throw new ServiceError(ErrorCode.CS_SESSION_NOT_FOUND, 'the session is not waiting in the queue');
    // A manual take may go above the automatic cap: the agent chose to.
    return this.assignTo(session, agentId);
  }

  private async transfer(agentId: string, sessionId: number, request: Record<string, unknown>): Promise<ServiceSessionRecord> {
    const session = await this.ownSession(agentId, sessionId);
    const { toAgentId, toGroupId } = request;
    if (typeof toGroupId === 'string') {
      await this.group(toGroupId);
      const moved = await this.enqueueLocked(session, toGroupId, 'You are being transferred to another team…', [agentId]);
      await this.freedSlotOf(agentId);
      return moved;
    }
    if (!isValidId(toAgentId) || toAgentId === agentId) throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'toAgentId or toGroupId is required');
    const target = await this.store.serviceAgent(toAgentId);
    if (!target?.groupIds.includes(session.servingGroupId)) {
      throw new ServiceError(ErrorCode.RC_MSG_UNAUTHORIZED, `${toAgentId} is no agent of ${session.servingGroupId}`);
    }
    if ((await this.store.agentServiceSessions(toAgentId)).length >= await this.capOf(toAgentId, session.servingGroupId)) {
      throw new ServiceError(ErrorCode.CS_AGENT_FULL, `${toAgentId} has no free slot`);
    }
    const moved = await this.assignTo(session, toAgentId, [agentId]);
    await this.freedSlotOf(agentId);
    return moved;
  }

  private async assignTo(session: ServiceSessionRecord, agentId: string, told: string[] = []): Promise<ServiceSessionRecord> {
    const wasQueued = session.status === 'queued';
    const assigned = (await this.store.updateServiceSession(session.sessionId, { status: 'open', agentId }))!;
    const name = (await this.store.getUser(agentId))?.name || agentId;
    await this.notice(assigned, `${name} is now serving you.`, told);
    if (wasQueued) await this.tellPositions(session.servingGroupId);
    return assigned;
  }

  private async capOf(agentId: string, groupId: string): Promise<number> {
    const [agent, group] = [await this.store.serviceAgent(agentId), await this.group(groupId)];
    return Math.min(agent?.cap ?? 0, group.maxPerAgent);
  }

  /** Oldest queued first, each to the least-loaded available agent under their cap (ties: the first set up). */
  private async assignLocked(groupId: string): Promise<void> {
    // Agents may be set up for a group before the group itself: nothing to serve yet.
    const group = await this.group(groupId).catch((error) => {
      if (error instanceof ServiceError) return undefined;
      throw error;
    });
    if (!group) return;
    // Only someone there to answer: connected now and not away.
    const agents = (await this.store.serviceAgentsOf(groupId)).filter((agent) => !agent.away && this.isOnline(agent.userId));
    const load = new Map<string, number>();
    for (const agent of agents) load.set(agent.userId, (await this.store.agentServiceSessions(agent.userId)).length);
    for (const session of await this.store.queuedServiceSessions(groupId)) {
      let best: string | undefined;
      for (const agent of agents) {
        const current = load.get(agent.userId)!;
        if (current < Math.min(agent.cap, group.maxPerAgent) && (best === undefined || current < load.get(best)!)) best = agent.userId;
      }
      if (best === undefined) break;
      load.set(best, load.get(best)! + 1);
      await this.store.updateServiceSession(session.sessionId, { status: 'open', agentId: best });
      const name = (await this.store.getUser(best))?.name || best;
      await this.notice({ ...session, status: 'open', agentId: best }, `${name} is now serving you.`, []);
    }
    // Positions move when someone left the queue, and a newcomer needs theirs.
    await this.tellPositions(groupId);
  }

  /** An agent has a slot free: the queues of all their groups may move. */
  private async freedSlotOf(agentId: string): Promise<void> {
    for (const groupId of (await this.store.serviceAgent(agentId))?.groupIds ?? []) await this.assignLocked(groupId);
  }

  /** Every queued visitor hears their place, and the group's agents how many wait (an agent console's badge). */
  private async tellPositions(groupId: string): Promise<void> {
    const queue = await this.store.queuedServiceSessions(groupId);
    queue.forEach((session, index) => {
      this.live(session.visitorId, session, QUEUE_OBJECT_NAME, { sessionId: session.sessionId, groupId: session.groupId, position: index + 1 });
    });
    // Keyed by the agent as the visitor part, so that its targetId is the group, as a visitor's.
    for (const agent of await this.store.serviceAgentsOf(groupId)) {
      this.liveTo([agent.userId], serviceConversationKey(groupId, agent.userId), WAITING_OBJECT_NAME, { groupId, waiting: queue.length });
    }
  }

  // ---- ratings, listings, authorization ----

  private async evaluate(visitorId: string, request: Record<string, unknown>): Promise<unknown> {
    const groupId = requestedGroup(request);
    const { score, comment = '' } = request;
    if (!Number.isInteger(score) || (score as number) < 1 || (score as number) > 5) {
      throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'score must be a whole number from 1 to 5');
    }
    if (typeof comment !== 'string' || comment.length > MAX_COMMENT) {
      throw new ServiceError(ErrorCode.PARAMETER_ERROR, `comment must be a string of at most ${MAX_COMMENT}`);
    }
    const session = await this.store.latestServiceSession(visitorId, groupId);
    if (!session) throw new ServiceError(ErrorCode.CS_SESSION_NOT_FOUND, 'no session to rate');
    if (!(await this.store.rateServiceSession(session.sessionId, score as number, comment))) {
      throw new ServiceError(ErrorCode.CS_ALREADY_EVALUATED, 'this session was rated already');
    }
    if (session.agentId) {
      this.live(session.agentId, session, RATING_OBJECT_NAME, { sessionId: session.sessionId, score, comment, robot: request.robot === true });
    }
    return { sessionId: session.sessionId, score, comment };
  }

  /** What a launcher shows before and during a chat: the group, its hours now, the caller's session and place. */
  private async info(userId: string, groupId: string): Promise<unknown> {
    const group = await this.group(groupId);
    const { open, nextOpening } = openingState(group.hours);
    const latest = isValidId(userId) ? await this.store.latestServiceSession(userId, groupId) : undefined;
    let position = 0;
    if (latest?.status === 'queued') {
      position = (await this.store.queuedServiceSessions(latest.servingGroupId)).findIndex((queued) => queued.sessionId === latest.sessionId) + 1;
    }
    return {
      groupId: group.groupId, name: group.name, mode: group.mode, open, nextOpening, timeZone: group.hours?.timeZone ?? '',
      offlineMessage: group.offlineMessage ?? '', welcome: group.welcome, preChatFields: group.preChatFields ?? [],
      session: latest ? await this.view(latest, userId) : null, position,
    };
  }

  /**
   * An agent's list. No scope: their own sessions, then their groups' queues oldest first (the
   * console's first view, as before). A scope: that list newest first, paged by `before`.
   */
  private async sessionsOf(agentId: string, request: Record<string, unknown>): Promise<unknown> {
    const agent = await this.agent(agentId);
    const { scope, before } = request;
    const limit = request.limit ?? MAX_SESSION_PAGE;
    if (!Number.isSafeInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_SESSION_PAGE) {
      throw new ServiceError(ErrorCode.PARAMETER_ERROR, `limit must be a whole number from 1 to ${MAX_SESSION_PAGE}`);
    }
    if (before !== undefined && (!Number.isSafeInteger(before) || (before as number) < 1)) {
      throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'before must be a sessionId');
    }
    let sessions: ServiceSessionRecord[];
    if (scope === undefined) {
      sessions = [...await this.store.agentServiceSessions(agentId)];
      for (const groupId of agent.groupIds) sessions.push(...await this.store.queuedServiceSessions(groupId));
    } else if (scope === 'mine' || scope === 'queued' || scope === 'all' || scope === 'resolved') {
      sessions = await this.store.serviceSessions({
        scope, agentId, groupIds: agent.groupIds, limit: (limit as number) + 1, ...(before === undefined ? {} : { before: before as number }),
      });
    } else {
      throw new ServiceError(ErrorCode.PARAMETER_ERROR, "scope must be 'mine', 'queued', 'all' or 'resolved'");
    }
    const views = [];
    for (const session of sessions) views.push(await this.view(session, agentId));
    const { items, hasMore } = takePage(views, limit as number, JSON_PAGE);
    return { sessions: items, hasMore };
  }

  /** A visitor leaves a message for the group's agents: a ticket, never part of the conversation. */
  private async leaveTicket(visitorId: string, request: Record<string, unknown>): Promise<unknown> {
    const group = await this.group(requestedGroup(request));
    const { email, name = '', message, form } = request;
    if (typeof email !== 'string' || email.length > MAX_EMAIL || !EMAIL_SHAPE.test(email.trim())) {
      throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'email must be an email address');
    }
    if (typeof name !== 'string' || name.length > 128) throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'name must be a string of at most 128');
    if (typeof message !== 'string' || !message.trim() || message.length > MAX_TICKET_MESSAGE) {
      throw new ServiceError(ErrorCode.PARAMETER_ERROR, `message must be 1-${MAX_TICKET_MESSAGE} characters`);
    }
    if (form !== undefined && (!form || typeof form !== 'object' || Array.isArray(form))) {
      throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'form must be an object of field names to values');
    }
    const checked = form ? checkedForm(group.preChatFields ?? [], form as Record<string, unknown>) : {};
    // One at a time, so that two tickets at once cannot both pass the count.
    return this.exclusive(async () => {
      const now = Date.now();
      if (await this.store.countServiceTickets(visitorId, now - TICKET_WINDOW_MS) >= TICKETS_PER_WINDOW) {
        throw new ServiceError(ErrorCode.SEND_FREQUENCY_TOO_FAST, `at most ${TICKETS_PER_WINDOW} messages an hour`);
      }
      const ticket = await this.store.addServiceTicket({
        groupId: group.groupId, visitorId, name: name.trim(), email: email.trim(), message, form: checked, createdAt: now,
      });
      await this.tellTicket(ticket);
      return { ticketId: ticket.ticketId, createdAt: ticket.createdAt };
    });
  }

  private async ticketsOf(agentId: string, request: Record<string, unknown>): Promise<unknown> {
    const agent = await this.agent(agentId);
    const { status } = request;
    if (status !== undefined && status !== 'open' && status !== 'closed') {
      throw new ServiceError(ErrorCode.PARAMETER_ERROR, "status must be 'open' or 'closed'");
    }
    const tickets = await this.store.serviceTickets({ groupIds: agent.groupIds, limit: MAX_TICKETS, ...(status ? { status } : {}) });
    return { tickets: takePage(tickets, MAX_TICKETS, JSON_PAGE).items };
  }

  private async closeTicket(agentId: string, request: Record<string, unknown>): Promise<unknown> {
    const agent = await this.agent(agentId);
    const { ticketId } = request;
    if (!Number.isSafeInteger(ticketId) || (ticketId as number) < 1) throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'ticketId is invalid');
    const ticket = await this.store.serviceTicket(ticketId as number);
    if (!ticket || !agent.groupIds.includes(ticket.groupId)) throw new ServiceError(ErrorCode.CS_TICKET_NOT_FOUND, 'no such ticket in your groups');
    const closed = await this.store.closeServiceTicket(ticket.ticketId, agentId, Date.now());
    if (closed) await this.tellTicket(closed);
    return closed;
  }

  /** The group's agents hear that a ticket came or was closed (their consoles' Messages tab and count), not what it says. */
  private async tellTicket(ticket: ServiceTicketRecord): Promise<void> {
    for (const agent of await this.store.serviceAgentsOf(ticket.groupId)) {
      this.liveTo([agent.userId], serviceConversationKey(ticket.groupId, agent.userId), TICKET_OBJECT_NAME,
        { groupId: ticket.groupId, ticketId: ticket.ticketId, status: ticket.status });
    }
  }

  /** The caller as an agent: every agent topic refuses anyone else. */
  private async agent(userId: string): Promise<ServiceAgentRecord> {
    const agent = await this.store.serviceAgent(userId);
    if (!agent) throw new ServiceError(ErrorCode.RC_MSG_UNAUTHORIZED, 'not an agent');
    return agent;
  }

  /** The agents of the caller's groups, for the transfer dialog: load, whether connected, whether away. */
  private async agentsOf(userId: string): Promise<unknown> {
    const me = await this.agent(userId);
    const groups = [];
    const agents = new Map<string, ServiceAgentRecord>();
    for (const groupId of me.groupIds) {
      groups.push({ groupId, name: (await this.store.serviceGroup(groupId))?.name ?? '' });
      for (const agent of await this.store.serviceAgentsOf(groupId)) agents.set(agent.userId, agent);
    }
    const list = [];
    for (const agent of agents.values()) {
      list.push({
        userId: agent.userId, name: (await this.store.getUser(agent.userId))?.name ?? '',
        groupIds: agent.groupIds.filter((groupId) => me.groupIds.includes(groupId)), cap: agent.cap,
        load: (await this.store.agentServiceSessions(agent.userId)).length, online: this.isOnline(agent.userId), away: agent.away,
      });
    }
    return { groups, agents: list };
  }

  private async setAway(userId: string, request: Record<string, unknown>): Promise<unknown> {
    const { away } = request;
    if (typeof away !== 'boolean') throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'away must be true or false');
    return this.exclusive(async () => {
      const agent = await this.agent(userId);
      await this.store.setServiceAgentAway(userId, away);
      // Back: the queues the agent serves may move now.
      if (!away && agent.away) for (const groupId of agent.groupIds) await this.assignLocked(groupId);
      return { away };
    });
  }

  private async cannedOf(userId: string): Promise<unknown> {
    const agent = await this.agent(userId);
    const replies = [];
    for (const groupId of agent.groupIds) {
      for (const reply of (await this.store.serviceGroup(groupId))?.cannedReplies ?? []) replies.push({ groupId, ...reply });
    }
    return { replies };
  }

  /**
   * One page of a session's transcript: its stretch of the conversation (from its first seq to
   * the next session's), as text lines. Notes are no messages, so never in it.
   */
  private async transcript(userId: string, request: Record<string, unknown>): Promise<unknown> {
    const sessionId = requestedSession(request);
    const after = request.after ?? 0;
    if (!Number.isSafeInteger(after) || (after as number) < 0) throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'after must be a seq');
    const found = await this.store.serviceSession(sessionId);
    const session = found?.visitorId === userId ? found : await this.sessionForAgent(userId, sessionId);
    const end = (await this.store.nextServiceSession(session))?.startSeq ?? Number.MAX_SAFE_INTEGER;
    const from = Math.max(after as number, session.startSeq - 1);
    const page = from + 1 >= end ? { messages: [], hasMore: false }
      : await this.store.history(serviceConversationKey(session.groupId, session.visitorId), { after: from, count: TRANSCRIPT_PAGE, budget: TRANSCRIPT_BUDGET });
    const inSession = page.messages.filter((message) => message.seq < end);
    const names = new Map<string, string>([[SERVER_SENDER, ''], [ROBOT_SENDER, 'Robot']]);
    const lines: CustomerTranscriptLine[] = [];
    for (const message of inSession) {
      const text = transcriptText(message);
      if (text === undefined) continue;
      if (!names.has(message.senderUserId)) names.set(message.senderUserId, (await this.store.getUser(message.senderUserId))?.name ?? '');
      lines.push({ seq: message.seq, time: message.sentTime, senderId: message.senderUserId, senderName: names.get(message.senderUserId)!, text });
    }
    const last = inSession.at(-1)?.seq ?? from;
    // `after`: where the next page starts, even when this page's messages all had no line.
    return { sessionId, lines, hasMore: page.hasMore && inSession.length === page.messages.length && last + 1 < end, after: last };
  }


  private async activeOfVisitor(visitorId: string, groupId: string): Promise<ServiceSessionRecord> {
    const session = await this.store.latestServiceSession(visitorId, groupId);
    if (!session || !ACTIVE.has(session.status)) throw new ServiceError(ErrorCode.CS_SESSION_NOT_FOUND, 'no active session with this group');
    return session;
  }

  /** The visitor's active session with the group, when it is assigned to `agentId`. */
  private async assignedTo(agentId: string, visitorId: string, groupId: string): Promise<ServiceSessionRecord> {
    const session = await this.store.latestServiceSession(visitorId, groupId);
    if (!session || session.agentId !== agentId || !ACTIVE.has(session.status)) {
      throw new ServiceError(ErrorCode.RC_MSG_UNAUTHORIZED, 'this session is not assigned to you');
    }
    return session;
  }

  private async ownSession(agentId: string, sessionId: number): Promise<ServiceSessionRecord> {
    const session = await this.store.serviceSession(sessionId);
    if (!session || !ACTIVE.has(session.status)) throw new ServiceError(ErrorCode.CS_SESSION_NOT_FOUND, 'no such active session');
    if (session.agentId !== agentId) throw new ServiceError(ErrorCode.RC_MSG_UNAUTHORIZED, 'this session is not assigned to you');
    return session;
  }

  /** A session the agent may see: assigned to them, or served by one of their groups. */
  private async sessionForAgent(agentId: string, sessionId: number): Promise<ServiceSessionRecord> {
    const session = await this.store.serviceSession(sessionId);
    if (!session) throw new ServiceError(ErrorCode.CS_SESSION_NOT_FOUND, 'no such session');
    const agent = await this.store.serviceAgent(agentId);
    if (session.agentId !== agentId && !agent?.groupIds.includes(session.servingGroupId)) {
      throw new ServiceError(ErrorCode.RC_MSG_UNAUTHORIZED, 'not an agent of this session\'s group');
    }
    return session;
  }

  /** A session as `viewerId` sees it: their targetId for the conversation; for agents, the visitor's name. */
  private async view(session: ServiceSessionRecord, viewerId: string) {
    const byVisitor = viewerId === session.visitorId;
    return {
      sessionId: session.sessionId, groupId: session.groupId, servingGroupId: session.servingGroupId, visitorId: session.visitorId,
      targetId: byVisitor ? session.groupId : agentTargetId(session.groupId, session.visitorId),
      status: session.status, agentId: session.agentId, createdAt: session.createdAt, rating: session.rating,
      visitorInfo: session.visitorInfo,
      ...(byVisitor ? {} : { visitorName: await this.visitorName(session) }),
    };
  }

  /** The profile's name (set by the app, so trusted first), else what the visitor typed in the form. */
  private async visitorName(session: ServiceSessionRecord): Promise<string> {
    return (await this.store.getUser(session.visitorId))?.name || session.visitorInfo.name || '';
  }

  // ---- what the server says in the conversation ----

  private robotAnswer(session: ServiceSessionRecord, message: StoredMessage): Promise<void> {
    return this.group(session.groupId).then((group) => {
      let text = '';
      try {
        text = String(JSON.parse(new TextDecoder().decode(message.content)).content ?? '').toLowerCase();
      } catch { /* validated on the way in; an odd one gets the fallback */ }
      const match = group.faq.find((entry) => entry.keywords.some((keyword) => keyword && text.includes(keyword.toLowerCase())));
      return this.post(session, ROBOT_SENDER, 'RC:TxtMsg', { content: match?.answer ?? ROBOT_FALLBACK }, true, []);
    });
  }

  /** A grey status notice in the conversation, with the status for clients in `extra`. */
  private notice(session: ServiceSessionRecord, text: string, alsoTell: string[]): Promise<void> {
    const extra = JSON.stringify({ sessionId: session.sessionId, status: session.status, agentId: session.agentId });
    return this.post(session, SERVER_SENDER, 'RC:InfoNtf', { message: text, extra }, false, alsoTell);
  }

  /** Stores a message from the server or its robot in the visitor's conversation and fans it out. */
  private async post(session: ServiceSessionRecord, sender: string, objectName: string, content: unknown, counted: boolean, alsoTell: string[]) {
    const recipients = [...new Set([...participants(session), ...alsoTell])];
    const { message } = await this.store.appendMessage({
      conversationKey: serviceConversationKey(session.groupId, session.visitorId), conversationType: ConversationType.CUSTOMER_SERVICE,
      senderUserId: sender, clientMsgId: `cs.${randomUUID()}`, objectName, content: json(content), counted, recipients,
    });
    this.bus.publish({ kind: 'message', recipients, message, fromSessionId: '' });
  }

  /** A push that is not stored: no seq, so nobody's gap-free sequence moves. */
  private live(userId: string, session: ServiceSessionRecord, objectName: string, content: unknown): void {
    this.liveTo([userId], serviceConversationKey(session.groupId, session.visitorId), objectName, content);
  }

  private liveTo(recipients: string[], conversationKey: string, objectName: string, content: unknown): void {
    const message: StoredMessage = {
      id: 0, conversationKey, conversationType: ConversationType.CUSTOMER_SERVICE,
      senderUserId: SERVER_SENDER, clientMsgId: `cs.${randomUUID()}`, messageUid: newMessageUid(), objectName, content: json(content),
      sentTime: Date.now(), seq: 0, counted: false,
    };
    this.bus.publish({ kind: 'message', recipients, message, fromSessionId: '', persisted: false });
  }
}

/** The visitor and, once assigned, the agent. */
const participants = (session: ServiceSessionRecord): string[] => (session.agentId ? [session.visitorId, session.agentId] : [session.visitorId]);

function requestedGroup(request: Record<string, unknown>): string {
  const groupId = request.groupId ?? DEFAULT_SERVICE_GROUP.groupId;
  if (!isValidServiceGroupId(groupId)) throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'groupId is invalid');
  return groupId;
}

const MAX_FORM_VALUE = 500;
const MAX_EMAIL = 254;
const MAX_TICKET_MESSAGE = 2000;
const MAX_TICKETS = 200;
const TICKETS_PER_WINDOW = 5;
const TICKET_WINDOW_MS = 3_600_000;
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** A phone number as people write it: an optional +, then digits with spaces, dots, dashes or brackets; 3–20 digits. */
const PHONE_SHAPE = /^\+?[\d\s().-]{3,40}$/;
const isPhone = (value: string): boolean => PHONE_SHAPE.test(value) && /^(?:\D*\d){3,20}\D*$/.test(value);

/** The pre-chat form checked against the group's fields: only known names, required ones filled, emails and choices as asked. */
function checkedForm(fields: readonly PreChatField[], form: Record<string, unknown>): Record<string, string> {
  const refuse = (reason: string): never => {
    throw new ServiceError(ErrorCode.PARAMETER_ERROR, reason);
  };
  const info: Record<string, string> = {};
  for (const [name, value] of Object.entries(form)) {
    if (!fields.some((field) => field.name === name)) refuse(`form has no field ${JSON.stringify(name.slice(0, 32))}`);
    if (typeof value !== 'string' || value.length > MAX_FORM_VALUE) refuse(`form.${name} must be a string of at most ${MAX_FORM_VALUE}`);
  }
  for (const field of fields) {
    const value = typeof form[field.name] === 'string' ? (form[field.name] as string).trim() : '';
    if (!value) {
      if (field.required) refuse(`form.${field.name} is required`);
      continue;
    }
    if (field.type === 'email' && !EMAIL_SHAPE.test(value)) refuse(`form.${field.name} must be an email address`);
    if (field.type === 'tel' && !isPhone(value)) refuse(`form.${field.name} must be a phone number`);
    if (field.type === 'select' && !field.options?.includes(value)) refuse(`form.${field.name} must be one of its options`);
    info[field.name] = value;
  }
  return info;
}

function requestedSession(request: Record<string, unknown>): number {
  const sessionId = request.sessionId;
  if (!Number.isSafeInteger(sessionId) || (sessionId as number) < 1) throw new ServiceError(ErrorCode.PARAMETER_ERROR, 'sessionId is invalid');
  return sessionId as number;
}
