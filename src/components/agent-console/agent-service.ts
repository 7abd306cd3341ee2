import type { IMClient } from '../../core/client/client.js';
import type {
  CustomerCannedReply, CustomerServiceAgents, CustomerServiceTicket, CustomerSession, CustomerSessionPage, CustomerSessionScope,
} from '../../core/client/customer-service.js';

/**
 * What the agent console asks of the server: the customer-service calls of the core's IMClient.
 * The console takes them from its session's client; a page (or a story) may hand it another
 * object of this shape, e.g. one that goes through the app's own backend.
 */
export type AgentService = Pick<IMClient,
  | 'userId' | 'on' | 'getCustomerSessionsPage' | 'takeCustomerSession' | 'transferCustomerSession' | 'resolveCustomerSession'
  | 'addCustomerSessionNote' | 'getCustomerSessionNotes' | 'getCustomerServiceAgents' | 'setCustomerServiceAgentAway' | 'getCannedReplies'
  | 'getCustomerSessionTranscript' | 'getCustomerServiceTickets' | 'closeCustomerServiceTicket'>;

export type SessionScope = CustomerSessionScope;
/** A session as agents see it: the pre-chat form's answers (`visitorInfo`) and the visitor's name come with it. */
export type AgentSession = CustomerSession;
export type AgentDirectory = CustomerServiceAgents;
export type CannedReply = Pick<CustomerCannedReply, 'shortcut' | 'text'> & { groupId?: string };
export type TransferTarget = { toAgentId: string } | { toGroupId: string };
/** A message a visitor left for the agent's groups (outside hours, say). */
export type AgentTicket = CustomerServiceTicket;

/** How many sessions one page of a tab holds (the server's page limit); "Load more" adds the next. */
const PAGE = 100;

/**
 * One scope's sessions, newest first: the first page, and the pages after it until the session
 * `through` (a sessionId) is covered, so that a refresh keeps what "Load more" had added (each
 * session once, even when sessions came or went between the pages).
 */
export async function sessionsOf(service: AgentService, scope: SessionScope, through?: number): Promise<CustomerSessionPage> {
  const sessions: AgentSession[] = [];
  const seen = new Set<number>();
  let before: number | undefined;
  for (;;) {
    const page = await service.getCustomerSessionsPage(scope, before === undefined ? { limit: PAGE } : { before, limit: PAGE });
    for (const session of page.sessions) {
      if (seen.has(session.sessionId)) continue;
      seen.add(session.sessionId);
      sessions.push(session);
    }
    const last = page.sessions.at(-1)?.sessionId;
    // `before` only goes down, so the loop ends; a page that moved nowhere ends it too.
    if (!page.hasMore || last === undefined || through === undefined || last <= through || (before !== undefined && last >= before)) {
      return { sessions, hasMore: page.hasMore };
    }
    before = last;
  }
}

/** The page of a scope after the session `before` (a sessionId): what "Load more" adds. */
export function sessionsBefore(service: AgentService, scope: SessionScope, before: number): Promise<CustomerSessionPage> {
  return service.getCustomerSessionsPage(scope, { before, limit: PAGE });
}

/** Whether an object can serve the console: an IMClient, a TabSharedClient, or an app's own service of this shape. */
export const isAgentService = (value: unknown): value is AgentService =>
  typeof (value as AgentService | undefined)?.getCustomerSessionsPage === 'function'
  && typeof (value as AgentService).takeCustomerSession === 'function';
