import type { IMClient } from '../../core/client/client.js';
import type { CustomerCannedReply, CustomerServiceAgents, CustomerSession, CustomerSessionScope } from '../../core/client/customer-service.js';

/**
 * What the agent console asks of the server: the customer-service calls of the core's IMClient.
 * The console takes them from its session's client; a page (or a story) may hand it another
 * object of this shape, e.g. one that goes through the app's own backend.
 */
export type AgentService = Pick<IMClient,
  | 'userId' | 'on' | 'getCustomerSessionsPage' | 'takeCustomerSession' | 'transferCustomerSession' | 'resolveCustomerSession'
  | 'addCustomerSessionNote' | 'getCustomerSessionNotes' | 'getCustomerServiceAgents' | 'setCustomerServiceAgentAway' | 'getCannedReplies'>;

export type SessionScope = CustomerSessionScope;
/** A session as agents see it: the pre-chat form's answers (`visitorInfo`) and the visitor's name come with it. */
export type AgentSession = CustomerSession;
export type AgentDirectory = CustomerServiceAgents;
export type CannedReply = Pick<CustomerCannedReply, 'shortcut' | 'text'> & { groupId?: string };
export type TransferTarget = { toAgentId: string } | { toGroupId: string };

/** How many sessions a tab shows (the server's page limit): the oldest waiting and the newest others. */
const PAGE = 100;

/** One scope's sessions (its first page). */
export async function sessionsOf(service: AgentService, scope: SessionScope): Promise<AgentSession[]> {
  return (await service.getCustomerSessionsPage(scope, { limit: PAGE })).sessions;
}

/** Whether an object can serve the console (a tab-shared client forwards no customer-service calls). */
export const isAgentService = (value: unknown): value is AgentService =>
  typeof (value as AgentService | undefined)?.getCustomerSessionsPage === 'function'
  && typeof (value as AgentService).takeCustomerSession === 'function';
