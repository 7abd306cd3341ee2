import type { IMClientEvents } from '../../core/client/client.js';
import type { CustomerSession, CustomerSessionNote } from '../../core/client/customer-service.js';

/**
 * What the agent console asks of the server, as calls of the core's IMClient. The console reads
 * them from its session's client; a page (or a story) may hand it another object of this shape.
 * The calls marked optional arrived with the second customer-service slice: the console works
 * without them, with less (no other agents' sessions, no agent list, no away status).
 */
export interface AgentService {
  readonly userId?: string;
  on<K extends keyof IMClientEvents>(event: K, listener: (...args: IMClientEvents[K]) => void): () => void;
  /**
   * Sessions of one scope. Servers of the first slice ignore the options and answer mine + queued
   * as an array; the console sorts those into scopes itself.
   */
  getCustomerSessions(options?: SessionQuery): Promise<AgentSession[] | SessionPage>;
  takeCustomerSession(sessionId: number): Promise<CustomerSession>;
  transferCustomerSession(sessionId: number, to: TransferTarget): Promise<CustomerSession>;
  resolveCustomerSession(sessionId: number): Promise<CustomerSession>;
  addCustomerSessionNote(sessionId: number, text: string): Promise<CustomerSessionNote>;
  getCustomerSessionNotes(sessionId: number): Promise<CustomerSessionNote[]>;
  getCustomerServiceAgents?(): Promise<AgentDirectory>;
  setCustomerServiceAgentAway?(away: boolean): Promise<{ away: boolean } | unknown>;
  getCannedReplies?(): Promise<CannedReply[] | { replies: CannedReply[] }>;
}

export type SessionScope = 'mine' | 'queued' | 'all' | 'resolved';
export interface SessionQuery { scope?: SessionScope; before?: number; limit?: number }
export interface SessionPage { sessions: AgentSession[]; hasMore: boolean }

/** A session as agents see it: the pre-chat form's answers and the visitor's name come with it. */
export type AgentSession = CustomerSession & { visitorInfo?: Record<string, string>; visitorName?: string };

export type TransferTarget = { toAgentId: string } | { toGroupId: string };

export interface AgentDirectory {
  groups: Array<{ groupId: string; name: string }>;
  agents: Array<{ userId: string; name: string; groupIds: string[]; cap: number; load: number; online: boolean; away: boolean }>;
}

export interface CannedReply { groupId?: string; shortcut: string; text: string }

const ACTIVE = new Set(['open', 'pending']);

/** Whether a session belongs in a scope (the server's scopes, applied again to first-slice answers). */
export function inScope(session: AgentSession, scope: SessionScope, me: string | undefined): boolean {
  if (scope === 'mine') return ACTIVE.has(session.status) && session.agentId === me;
  if (scope === 'queued') return session.status === 'queued';
  if (scope === 'all') return session.status !== 'resolved';
  return session.status === 'resolved';
}

/** One scope's sessions, whichever answer shape the server gives. */
export async function sessionsOf(service: AgentService, scope: SessionScope, me: string | undefined): Promise<AgentSession[]> {
  const answer = await service.getCustomerSessions({ scope, limit: 100 });
  const sessions = Array.isArray(answer) ? answer : answer.sessions;
  return sessions.filter((session) => inScope(session, scope, me));
}

/** Whether an object can serve the console (a tab-shared client forwards no customer-service calls). */
export const isAgentService = (value: unknown): value is AgentService =>
  typeof (value as AgentService | undefined)?.getCustomerSessions === 'function'
  && typeof (value as AgentService).takeCustomerSession === 'function';

/** Canned replies whatever the answer's shape. */
export async function cannedRepliesOf(service: AgentService): Promise<CannedReply[]> {
  if (!service.getCannedReplies) return [];
  const answer = await service.getCannedReplies();
  return Array.isArray(answer) ? answer : answer.replies;
}
