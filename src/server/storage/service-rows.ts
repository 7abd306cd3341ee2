import type { ServiceSessionRecord, ServiceSessionStatus, ServiceTicketRecord } from './chat-store.js';

/**
 * Customer-service rows as both stores keep them (the same columns in SQLite and PostgreSQL), and
 * the records they become.
 */
export interface ServiceTicketRow {
  ticket_id: number;
  group_id: string;
  visitor_id: string;
  name: string;
  email: string;
  message: string;
  form: string;
  status: 'open' | 'closed';
  created_at: number;
  closed_by: string;
  closed_at: number;
}

export const toServiceTicket = (row: ServiceTicketRow): ServiceTicketRecord => ({
  ticketId: row.ticket_id, groupId: row.group_id, visitorId: row.visitor_id, name: row.name, email: row.email, message: row.message,
  form: JSON.parse(row.form), status: row.status, createdAt: row.created_at, closedBy: row.closed_by, closedAt: row.closed_at,
});

export interface ServiceSessionRow {
  session_id: number;
  group_id: string;
  serving_group_id: string;
  visitor_id: string;
  status: ServiceSessionStatus;
  agent_id: string;
  created_at: number;
  queued_at: number;
  rating: number;
  comment: string;
  visitor_info: string;
  start_seq: number;
}

export const toServiceSession = (row: ServiceSessionRow): ServiceSessionRecord => ({
  sessionId: row.session_id, groupId: row.group_id, servingGroupId: row.serving_group_id, visitorId: row.visitor_id,
  status: row.status, agentId: row.agent_id, createdAt: row.created_at, queuedAt: row.queued_at, rating: row.rating, comment: row.comment,
  visitorInfo: JSON.parse(row.visitor_info), startSeq: row.start_seq,
});
