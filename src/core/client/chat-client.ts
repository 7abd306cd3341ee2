import type { IMClient } from './client.js';

/**
 * What a ChatSession needs of a client: an `IMClient` of its own, or a `TabSharedClient` that
 * shares one connection between the tabs of a browser.
 */
export type ChatClient = Pick<IMClient,
  | 'status' | 'userId' | 'on' | 'off' | 'connect' | 'disconnect' | 'retry' | 'sendMessage' | 'getHistoryMessages'
  | 'getConversationPage' | 'getConversationList' | 'clearUnreadCount' | 'getProfiles' | 'removeConversation' | 'recallMessage'
  | 'getPendingMessages' | 'restorePending'> & {
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
  /** Recalls one of this user's messages for every member and device. */
  recallMessage?(conversation: { conversationType: number; targetId: string }, message: { messageUid: string; sentTime?: number }): Promise<unknown>;
};
