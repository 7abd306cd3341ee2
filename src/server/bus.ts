import type { StoredMessage } from './storage/chat-store.js';
import type { im } from '../core/protocol/generated/im.js';
import type { ClusterPresence } from './cluster-bus.js';

/** What one server node tells the sessions of other users (on this or other nodes). */
export type BusEvent =
  /** `persisted: false`: a message that was not stored (no seq), for the sessions online now. */
  | { kind: 'message'; recipients: readonly string[]; message: StoredMessage; fromSessionId: string; persisted?: boolean;
    /** Chatroom messages: who a slow reader loses first (MessagePriority in chatroom.ts). */
    priority?: number }
  | { kind: 'conversation'; userId: string; update: im.IConversationUpdate; fromSessionId: string }
  /** Receipts about other users (a peer's read or delivered position, a group member's read), to every session of `recipients`. */
  | { kind: 'receipt'; recipients: readonly string[]; update: im.IConversationUpdate }
  /** The user's tokens issued before `validAfter` were revoked: their sessions end. */
  | { kind: 'revoke'; userId: string; validAfter: number }
  /** The user signed in on a single-login platform: their other sessions on it end, on every node. */
  | { kind: 'login'; userId: string; platform: string; sessionId: string };

/**
 * Fan-out between server nodes. The embedded server has one node, so LocalBus hands events
 * straight back; a Redis or NATS bus implements the same two methods.
 */
export interface FanoutBus {
  publish(event: BusEvent): void;
  subscribe(handler: (event: BusEvent) => void): () => void;
  close(): Promise<void>;
  /** A cluster's bus also tells which users have sessions on the other nodes. */
  readonly presence?: ClusterPresence;
}

export class LocalBus implements FanoutBus {
  private readonly handlers = new Set<(event: BusEvent) => void>();

  publish(event: BusEvent): void {
    for (const handler of this.handlers) handler(event);
  }

  subscribe(handler: (event: BusEvent) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}
