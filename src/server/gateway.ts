import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { ConversationType, ErrorCode, FrameType } from '../core/protocol/codes.js';
import { MAX_FRAME_BYTES, encodeFrame } from '../core/protocol/frames.js';
import type { BusEvent, FanoutBus } from './bus.js';
import type { ClusterPresence } from './cluster-bus.js';
import { targetIdFor } from './ids.js';
import { toWireMessage } from './chat-service.js';
import type { PreAuthLimits } from './pre-auth.js';
import { REVOKED_TOKEN } from './auth.js';
import { Session, type SessionContext, type SessionLink } from './session.js';

/** WebSocket close codes we use: 1000 normal, 1008 protocol/policy violation. */
const CLOSE_NORMAL = 1000;
const CLOSE_POLICY = 1008;

export interface GatewayLimits {
  /** Bytes a socket may have waiting to be sent; past that its session is dropped as a slow reader. */
  maxQueuedBytes: number;
  preAuth: PreAuthLimits;
}

/**
 * Accepts WebSocket connections on /im, runs one Session per socket, drops sessions that stay
 * silent for longer than 2.5 heartbeats, and delivers fan-out events to the local sessions.
 */
export class Gateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4 * MAX_FRAME_BYTES, perMessageDeflate: false });
  private readonly sessionsByUser = new Map<string, Set<Session>>();
  private readonly sockets = new Set<WebSocket>();
  private readonly unsubscribe: () => void;
  private readonly idleMs: number;

  /**
   * `singleLogin`: platform tags (or `all`) on which a user keeps one session: a new login on
   * that tag signs the older sessions out with RC_DISCONN_KICK (the seed's 互踢).
   */
  constructor(private readonly context: Omit<SessionContext, 'register' | 'unregister'>, bus: FanoutBus,
    private readonly singleLogin: ReadonlySet<string> | 'all', private readonly limits: GatewayLimits) {
    this.idleMs = context.heartbeatSeconds * 2500;
    this.unsubscribe = bus.subscribe(this.deliver);
    this.bus = bus;
    this.presence = bus.presence;
    if (this.presence) {
      this.presence.onPresenceChange = (userId, remoteBefore) => {
        const local = this.localPlatformsOf(userId);
        this.onSessionsChanged(userId, [...new Set([...local, ...remoteBefore])].sort());
        // Gone from the last node that had them (or that node is gone): as if they left here.
        if (remoteBefore.length && !this.isOnline(userId)) this.onUserOffline(userId);
      };
    }
  }

  private readonly presence: ClusterPresence | undefined;
  private readonly bus: FanoutBus;

  /** Told when a user goes from no live session to one (customer service assigns to connected agents only). */
  onUserOnline: (userId: string) => void = () => {};

  /** Told after a user's sessions changed (`before`: their platforms until then); and when a session ended. */
  onSessionsChanged: (userId: string, before: string[]) => void = () => {};
  onSessionClosed: (sessionId: string) => void = () => {};

  /** The platforms of the user's live sessions (on every node of a cluster), sorted, each once. */
  platformsOf(userId: string): string[] {
    const local = this.localPlatformsOf(userId);
    return this.presence ? [...new Set([...local, ...this.presence.remotePlatforms(userId)])].sort() : local;
  }

  private localPlatformsOf(userId: string): string[] {
    return [...new Set([...this.sessionsByUser.get(userId) ?? []].map((session) => session.platform || 'web'))].sort();
  }

  /** Whether the user has a live session (on any node of a cluster). */
  isOnline(userId: string): boolean {
    return this.sessionsByUser.has(userId) || (this.presence?.remotePlatforms(userId).length ?? 0) > 0;
  }

  /** Ends these sessions of this node (with a DISCONNECT telling why): their clients connect again. */
  endSessions(sessionIds: readonly string[], code: number, reason: string): void {
    const ending = new Set(sessionIds);
    for (const sessions of [...this.sessionsByUser.values()]) {
      for (const session of [...sessions]) if (ending.has(session.id)) session.disconnect(code, reason);
    }
  }

  get connectionCount(): number {
    let count = 0;
    for (const sessions of this.sessionsByUser.values()) count += sessions.size;
    return count;
  }

  /** `clientIp`: the address the pre-auth limits count the connection under. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, clientIp: string): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, clientIp));
  }

  /**
   * A Session over another link (the long-poll endpoint): registered here once authenticated, so
   * it gets fan-out and counts in `connectionCount`, like a WebSocket session.
   */
  createSession(link: SessionLink): Session {
    return new Session(link, {
      ...this.context,
      register: (s) => this.register(s),
      unregister: (s) => this.unregister(s),
    });
  }

  private accept(ws: WebSocket, clientIp: string): void {
    const preAuth = this.limits.preAuth.admit(clientIp, () => {
      session.disconnect(ErrorCode.RC_CONN_ACK_TIMEOUT, 'no CONNECT in time');
      // Out of the cork before the socket is destroyed, or the DISCONNECT would go with it.
      if (corked) uncork();
      ws.terminate();
    });
    if (!preAuth) {
      // The upgrade was checked for room just before; only a race gets here.
      ws.terminate();
      return;
    }
    this.sockets.add(ws);
    // bufferedAmount is what the socket holds beyond what the kernel took: a peer that does not
    // read lets it grow by every answer and push.
    const checkQueue = () => {
      if (ws.readyState === ws.OPEN && ws.bufferedAmount > this.limits.maxQueuedBytes) {
        session.dropSlowReader(ws.bufferedAmount);
        ws.terminate();
      }
    };
    // Frames written to one socket in one tick (the acks and messages of a group commit, the
    // fan-out of several messages) leave in one write: the TCP socket is corked at the first
    // and uncorked once the tick's work (microtasks included) is done. The queue is checked
    // then, when the kernel has taken what it can.
    const tcp = (ws as unknown as { _socket?: Duplex })._socket;
    let corked = false;
    const uncork = () => {
      corked = false;
      tcp!.uncork();
      checkQueue();
    };
    const session = this.createSession({
      send: (bytes) => {
        if (ws.readyState !== ws.OPEN) return;
        if (tcp && !corked) {
          corked = true;
          tcp.cork();
          process.nextTick(uncork);
        }
        ws.send(bytes);
        if (!corked) checkQueue();
      },
      close: (code) => {
        preAuth.release();
        ws.close(code === 0 ? CLOSE_NORMAL : CLOSE_POLICY);
      },
      queuedBytes: () => ws.bufferedAmount,
      authenticated: () => preAuth.release(),
    });
    const idle = setTimeout(() => {
      session.close(0, 'idle');
      ws.terminate();
    }, this.idleMs);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      idle.refresh();
      if (!isBinary) {
        session.disconnect(ErrorCode.PARAMETER_ERROR, 'text frames are not part of the protocol');
        return;
      }
      session.receive(toBytes(data));
    });
    ws.on('close', () => {
      preAuth.release();
      clearTimeout(idle);
      this.sockets.delete(ws);
      session.close(0, 'socket closed');
    });
    // Errors (oversize payloads, resets) end the session at once ('close' follows); listening
    // also keeps them from crashing the process.
    ws.on('error', () => session.close(0, 'socket error'));
  }

  private register(session: Session): void {
    const userId = session.userId!;
    if (this.singleLogin === 'all' || this.singleLogin.has(session.platform)) {
      this.kickOthers(userId, session.platform, session.id);
      // The other nodes sign out theirs.
      if (this.presence) this.bus.publish({ kind: 'login', userId, platform: session.platform, sessionId: session.id });
    }
    // Looked up after the kicks: unregistering the last older session drops the user's set.
    let sessions = this.sessionsByUser.get(userId);
    const first = !sessions;
    if (!sessions) this.sessionsByUser.set(userId, (sessions = new Set()));
    const before = this.platformsOf(userId);
    sessions.add(session);
    this.presence?.announce(userId, this.localPlatformsOf(userId));
    if (first) this.onUserOnline(userId);
    this.onSessionsChanged(userId, before);
  }

  private kickOthers(userId: string, platform: string, sessionId: string): void {
    for (const older of [...(this.sessionsByUser.get(userId) ?? [])]) {
      if (older.platform === platform && older.id !== sessionId) older.disconnect(ErrorCode.RC_DISCONN_KICK, `signed in again on ${platform}`);
    }
  }

  private unregister(session: Session): void {
    const sessions = session.userId === undefined ? undefined : this.sessionsByUser.get(session.userId);
    if (!sessions) return;
    const before = this.platformsOf(session.userId!);
    sessions.delete(session);
    this.presence?.announce(session.userId!, this.localPlatformsOf(session.userId!));
    if (sessions.size === 0) {
      this.sessionsByUser.delete(session.userId!);
      this.onUserOffline(session.userId!);
    }
    this.onSessionClosed(session.id);
    this.onSessionsChanged(session.userId!, before);
  }

  /**
   * Told when a user's last live session on this node ends, and in a cluster when another node
   * tells that the user's last session anywhere ended (chatroom memberships start to lapse).
   */
  onUserOffline: (userId: string) => void = () => {};

  // An arrow function: the bus calls it without `this`.
  private readonly deliver = (event: BusEvent): void => {
    if (event.kind === 'message') {
      // What a recipient sees differs only by the conversation's targetId from their side (the
      // peer of a private chat; a group's id for all its members): one frame per targetId.
      const frames = new Map<string, Uint8Array>();
      const frameFor = (userId: string): Uint8Array => {
        const targetId = targetIdFor(event.message.conversationKey, userId);
        let bytes = frames.get(targetId);
        if (!bytes) {
          bytes = encodeFrame({ type: FrameType.PUBLISH, body: { message: toWireMessage(event.message, userId, event.persisted !== false) } });
          frames.set(targetId, bytes);
        }
        return bytes;
      };
      const chatroom = event.message.conversationType === ConversationType.CHATROOM;
      for (const userId of new Set(event.recipients)) {
        const sessions = this.sessionsByUser.get(userId);
        if (!sessions) continue;
        // What the user filters of rooms (setFilterMessages) is known to the node they told it to.
        if (chatroom && !this.context.service.chatrooms.wants(userId, event.message.objectName)) continue;
        let bytes: Uint8Array | undefined;
        for (const session of sessions) {
          if (session.id === event.fromSessionId) continue;
          // A chatroom message a slow reader cannot take now is dropped for it, lowest priority first.
          if (event.priority !== undefined && this.context.service.chatrooms.drops.drop(event.priority, session.queuedBytes, this.limits.maxQueuedBytes)) continue;
          bytes ??= frameFor(userId);
          session.pushEncoded(bytes);
        }
      }
      return;
    }
    if (event.kind === 'login') {
      this.kickOthers(event.userId, event.platform, event.sessionId);
      return;
    }
    if (event.kind === 'revoke') {
      for (const session of [...(this.sessionsByUser.get(event.userId) ?? [])]) {
        if (session.tokenIssuedAt < event.validAfter) session.disconnect(REVOKED_TOKEN.code, REVOKED_TOKEN.reason);
      }
      return;
    }
    // A conversation update is the same frame for everyone it goes to: encoded once, when first needed.
    let update: Uint8Array | undefined;
    const updateFrame = (): Uint8Array => update ??= encodeFrame({ type: FrameType.PUBLISH, body: { conversation: event.update } });
    if (event.kind === 'receipt') {
      for (const userId of new Set(event.recipients)) {
        for (const session of this.sessionsByUser.get(userId) ?? []) session.pushEncoded(updateFrame());
      }
      return;
    }
    for (const session of this.sessionsByUser.get(event.userId) ?? []) {
      if (session.id !== event.fromSessionId) session.pushEncoded(updateFrame());
    }
  };

  async close(): Promise<void> {
    this.unsubscribe();
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
