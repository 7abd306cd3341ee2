/**
 * Records of the `conv.*` and `search.*` JSON queries that both ends hold in the same shape: the
 * server answers them, the client reads them. Types only: nothing here runs.
 */

/** A message in a JSON answer: as on the wire, its content (UTF-8 JSON) as a string. */
export interface SearchedMessage {
  messageUid: string;
  clientMsgId: string;
  conversationType: number;
  targetId: string;
  senderUserId: string;
  objectName: string;
  content: string;
  sentTime: number;
  seq: number;
  cursor: number;
  counted: boolean;
}

/** A conversation with messages that matched a search: how many, and the newest of them. */
export interface ConversationSearchHit {
  conversationType: number;
  targetId: string;
  matchCount: number;
  latestMatch: SearchedMessage;
}
