/**
 * The headless core: `dist/im-core.js`. No DOM access at import; runs in browsers, workers and
 * Node 20 (pass `WebSocket` from the `ws` package there).
 */
export { IMClient } from './client/client.js';
export type { IMClientOptions, IMClientEvents } from './client/client.js';
export { IMError } from './client/errors.js';
export { DEFAULT_CUSTOMER_SERVICE_GROUP } from './client/customer-service.js';
export type {
  CustomerSession, CustomerSessionStatus, CustomerQueueEvent, CustomerStatusEvent, CustomerRatingEvent, CustomerWaitingEvent, CustomerTicketEvent, CustomerSessionNote,
  CustomerServiceInfo, CustomerPreChatField, VisitorIdentity, CustomerSessionScope, CustomerSessionPage, CustomerServiceAgent,
  CustomerServiceAgents, CustomerCannedReply, CustomerTranscriptLine, CustomerServiceTicket,
} from './client/customer-service.js';
export type { UserStatus, ChosenUserStatus, UserStatusAnswer, BlacklistEntry, BlacklistPage, BlacklistChange } from './client/social.js';
export { requestVisitorIdentity } from './client/visitor-identity.js';
export { MessageDirection } from './client/types.js';
export type { Conversation, ConversationInfo, ConversationChange, IMMessage, MessageReaders, TypingEvent } from './client/types.js';
export { ConnectionStatus, ConversationType, ErrorCode, FrameType, NotificationStatus, QoS, errorCodeName } from './protocol/codes.js';
export type { ConversationSettings, ConversationSearchResult, MessageRef } from './client/conversation-tools.js';
export * from './messages/index.js';
export { ChatSession, toItem } from './client/chat-session.js';
export type { ChatSessionOptions } from './client/chat-session.js';
export type { ChatClient, CustomerServiceClient, CustomerServiceMethod } from './client/chat-client.js';
export { CUSTOMER_SERVICE_METHODS, CHATROOM_METHODS } from './client/chat-client.js';
export type { ChatroomClient, ChatroomMethod } from './client/chat-client.js';
export { MessagePriority } from './client/chatroom-names.js';
export type {
  ChatroomEntry, ChatroomMember, ChatroomJoinResult, ChatroomInfo, ChatroomEntryEvent, ChatroomMembersEvent, ChatroomStatusEvent,
  ChatroomEntryOptions, ChatroomRemoveOptions,
} from './client/chatroom.js';
export { TabSharedClient, canShareConnection } from './client/tab-shared-client.js';
export type { TabSharedClientOptions } from './client/tab-shared-client.js';
export type { SessionCacheOptions } from './client/session-cache.js';
export type { SendOptions } from './client/client.js';
export { Store, watch } from './store/store.js';
export type { ReadableStore } from './store/store.js';
export * from './store/chat-state.js';
export * from './storage/index.js';
export { httpBaseOf } from './client/upload.js';
export type { UploadOptions, UploadedFile, UploadSource } from './client/upload.js';
// Loaded with the rest of sending files on first use (send-files-lazy.ts): same signatures.
export { imageThumbnail, videoFirstFrame, THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_BASE64 } from './client/send-files-lazy.js';
export type { Thumbnail, VideoThumbnail } from './client/thumbnail.js';
