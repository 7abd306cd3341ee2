import type { IMClient } from './client.js';

/**
 * What a ChatSession needs of a client: an `IMClient` of its own, or a `TabSharedClient` that
 * shares one connection between the tabs of a browser.
 */
export type ChatClient = Pick<IMClient,
  | 'status' | 'userId' | 'on' | 'off' | 'connect' | 'disconnect' | 'retry' | 'sendMessage' | 'getHistoryMessages'
  | 'getConversationPage' | 'getConversationList' | 'clearUnreadCount' | 'getProfiles' | 'removeConversation' | 'recallMessage'
  | 'getPendingMessages' | 'restorePending'> & Partial<import('./conversation-tools.js').ConversationTools> & {
  /**
   * Tells the other tabs of this user about a change that has no server round trip (a draft).
   * Only clients that share a connection have it; they emit `shared` in the other tabs.
   */
  share?(kind: string, data: unknown): void;
  onShared?(listener: (kind: string, data: unknown) => void): () => void;
  /** Uploads a file to the chat server (progress, cancel through `options`). */
  uploadFile?(file: Blob, options?: import('./upload.js').UploadOptions): Promise<import('./upload.js').UploadedFile>;
  /** Signed URLs for this server's file URLs the user may read (others are left out). */
  getFileUrls?(urls: string[]): Promise<Record<string, string>>;
  /** Tells the other members online that this user is typing (throttled; resolves false when dropped). */
  sendTypingStatus?(conversation: { conversationType: number; targetId: string }, typingContentType?: string): Promise<boolean>;
  /** Who of a group has read one of its messages. */
  getMessageReaders?(conversation: { conversationType: number; targetId: string }, seq: number): Promise<import('./types.js').MessageReaders>;
  /** Chatrooms (conversation type 4): a ChatSession joins the room it opens and quits it when closed. */
  joinChatRoom?(roomId: string, count?: number): Promise<import('./chatroom.js').ChatroomJoinResult>;
  quitChatRoom?(roomId: string): Promise<void>;
  /** Recalls one of this user's messages for every member and device. */
  recallMessage?(conversation: { conversationType: number; targetId: string }, message: { messageUid: string; sentTime?: number }): Promise<unknown>;
} & Partial<Pick<IMClient, import('./social.js').SocialMethod>>;

/**
 * The customer-service calls of `IMClient` (docs/customer-service.md), as a table: a
 * `TabSharedClient` forwards each of them to the leading tab with the same signature, result and
 * IMError code.
 */
export const CUSTOMER_SERVICE_METHODS = [
  'startCustomService', 'stopCustomService', 'getCustomerServiceInfo', 'switchToHumanMode', 'evaluateHumanCustomService',
  'evaluateRobotCustomService', 'getCustomerSessions', 'getCustomerSessionsPage', 'getCustomerServiceAgents', 'setCustomerServiceAgentAway',
  'getCannedReplies', 'getCustomerSessionTranscript', 'leaveCustomerServiceMessage', 'getCustomerServiceTickets', 'closeCustomerServiceTicket',
  'takeCustomerSession', 'transferCustomerSession', 'resolveCustomerSession', 'addCustomerSessionNote', 'getCustomerSessionNotes',
] as const satisfies ReadonlyArray<keyof IMClient>;

export type CustomerServiceMethod = (typeof CUSTOMER_SERVICE_METHODS)[number];

/**
 * Those of the customer-service calls that change something a second run would change again or
 * refuse (a second note or ticket; CS_SESSION_NOT_FOUND for a second take or stop;
 * CS_ALREADY_EVALUATED). A `TabSharedClient` never runs one of them twice: when the leading tab
 * goes after it took such a call and before it answered, the call rejects with
 * RC_SOCKET_DISCONNECTED 30011 (as an IMClient's does when its link drops before the answer),
 * since it may or may not have reached the server. The others are reads or leave the same state
 * when repeated, and are asked again of the next leader.
 */
export const CUSTOMER_SERVICE_CHANGES: ReadonlySet<CustomerServiceMethod> = new Set<CustomerServiceMethod>([
  'stopCustomService', 'evaluateHumanCustomService', 'evaluateRobotCustomService', 'leaveCustomerServiceMessage', 'closeCustomerServiceTicket',
  'takeCustomerSession', 'transferCustomerSession', 'resolveCustomerSession', 'addCustomerSessionNote',
]);

/** Every method of IMClient named for customer service is in the table (a compile error otherwise). */
type UnlistedCustomerServiceMethod = Exclude<Extract<keyof IMClient, `${string}Custom${string}` | `${string}Canned${string}`>, CustomerServiceMethod>;
const everyCustomerServiceMethodListed: [UnlistedCustomerServiceMethod] extends [never] ? true : UnlistedCustomerServiceMethod = true;
void everyCustomerServiceMethodListed;

/**
 * What a customer-service UI (the visitor's support panel, the agent console) needs of a client:
 * an `IMClient` of its own, or a `TabSharedClient`, whose follower tabs forward these calls to the
 * leading tab and hear its customer-service events (`customerServiceQueue`, `customerServiceStatus`,
 * `customerServiceRating`, `customerServiceWaiting`).
 */
export type CustomerServiceClient = Pick<IMClient, CustomerServiceMethod | 'on' | 'off' | 'userId'>;

/** The chatroom calls of `IMClient` (docs/chatroom.md): a `TabSharedClient` forwards them to the leading tab. */
export const CHATROOM_METHODS = [
  'joinChatRoom', 'quitChatRoom', 'getChatRoomInfo', 'getChatRoomHistoryMessages', 'setChatroomEntry', 'forceSetChatroomEntry',
  'getChatroomEntry', 'getAllChatroomEntries', 'removeChatroomEntry', 'forceRemoveChatroomEntry', 'setFilterMessages',
] as const satisfies ReadonlyArray<keyof IMClient>;

export type ChatroomMethod = (typeof CHATROOM_METHODS)[number];

/** What a chatroom UI needs of a client. */
export type ChatroomClient = Pick<IMClient, ChatroomMethod | 'on' | 'off' | 'userId' | 'sendMessage' | 'status'>;
