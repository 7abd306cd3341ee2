/**
 * The customer-service records both ends hold in the same shape: the server stores and answers
 * them (`cs.*` JSON bodies), the client returns them. Types only: nothing here runs.
 */

export type CustomerSessionStatus = 'robot' | 'queued' | 'open' | 'pending' | 'resolved';

/** A field of a skill group's pre-chat form. */
export interface CustomerPreChatField {
  /** The key in the form and in `visitorInfo`: 1–32 of a-z 0-9 _. */
  name: string;
  label: string;
  type: 'text' | 'email' | 'tel' | 'textarea' | 'select';
  required?: boolean;
  /** The choices of a select. */
  options?: string[];
}

/** A line of a session's transcript: messages as text (`[Image]`, `[File] name` for others), never notes. */
export interface CustomerTranscriptLine {
  seq: number;
  time: number;
  senderId: string;
  /** '' for the server's notices and for users without a name. */
  senderName: string;
  text: string;
}

/** A message a visitor left for a group (outside hours, say); agents of the group list and close it. */
export interface CustomerServiceTicket {
  ticketId: number;
  groupId: string;
  visitorId: string;
  name: string;
  email: string;
  message: string;
  /** The pre-chat form sent with it ({} when none). */
  form: Record<string, string>;
  status: 'open' | 'closed';
  createdAt: number;
  /** The agent who closed it ('' while open). */
  closedBy: string;
  /** 0 while open. */
  closedAt: number;
}
