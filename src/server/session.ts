import { randomUUID } from 'node:crypto';
import { im } from '../core/protocol/generated/im.js';
import { ErrorCode, FrameType } from '../core/protocol/codes.js';
import { PROTOCOL_VERSION, decodeFrame, encodeFrame, type DecodedFrame, type Frame } from '../core/protocol/frames.js';
import { REVOKED_TOKEN, verifyToken } from './auth.js';
import { ChatService, ServiceError } from './chat-service.js';
import type { RateLimiter } from './rate-limit.js';
import { StoreUnavailable } from './storage/chat-store.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

/** How a session reaches its peer: one WebSocket now, a long-poll channel later. */
export interface SessionLink {
  send(bytes: Uint8Array): void;
  /** Closes the link after what was sent so far; `code` is an ErrorCode. */
  close(code: number, reason: string): void;
  /** Bytes sent and waiting for the peer to take them (chatroom priorities drop by it). */
  queuedBytes?(): number;
  /** Told once, when CONNECT succeeds. */
  authenticated?(): void;
}

export interface SessionContext {
  appKey: string;
  appSecret: string;
  heartbeatSeconds: number;
  service: ChatService;
  /** Queries a session may have waiting or running; more are refused at once. */
  maxQueriesInFlight: number;
  /** Queries per second per user, shared by all of the user's sessions. */
  queryLimiter: RateLimiter;
  register(session: Session): void;
  unregister(session: Session): void;
  log(message: string): void;
  /** Unexpected errors: once per kind, not a stack per request. */
  logError(where: string, error: unknown): void;
}

/**
 * One client connection: CONNECT first, then requests. Frames are handled strictly in arrival
 * order (a send's PUBACK never overtakes an earlier one). A frame that breaks the protocol ends
 * this session with a DISCONNECT carrying the reason's code; nothing else is affected.
 */
export class Session {
  readonly id = randomUUID();
  userId: string | undefined;
  deviceId = '';
  platform = '';
  /** When the session's token was issued: a revocation after it ends the session. */
  tokenIssuedAt = 0;
  private closed = false;
  private tokenExpiry: ReturnType<typeof setTimeout> | undefined;
  private queue: Promise<void> = Promise.resolve();
  private queriesInFlight = 0;

  constructor(private readonly link: SessionLink, private readonly context: SessionContext) {}

  get authenticated(): boolean {
    return this.userId !== undefined && !this.closed;
  }

  receive(bytes: Uint8Array): void {
    if (this.closed) return;
    const decoded = decodeFrame(bytes);
    if (!decoded.ok) {
      this.disconnect(decoded.error.code, decoded.error.message);
      return;
    }
    const frame = decoded.frame;
    // Pings skip the queue: a slow query must not make the client think the link is dead.
    if (frame.type === FrameType.PINGREQ && this.userId !== undefined) {
      this.write({ type: FrameType.PINGRESP, body: undefined });
      return;
    }
    // Queries run one at a time: without a cap, a client pipelining them faster than they are
    // answered would grow this queue without end. Counted from arrival, signed in or not.
    const isQuery = frame.type === FrameType.QUERY;
    if (isQuery) {
      if (this.queriesInFlight >= this.context.maxQueriesInFlight) {
        this.write({
          type: FrameType.QUERYACK,
          body: {
            requestId: (frame.body as im.Query).requestId, code: ErrorCode.SEND_FREQUENCY_TOO_FAST,
            reason: `more than ${this.context.maxQueriesInFlight} queries in flight`,
          },
        });
        return;
      }
      this.queriesInFlight++;
    }
    this.queue = this.queue.then(() => this.handle(frame)).finally(() => {
      if (isQuery) this.queriesInFlight--;
    }).catch((error) => {
      this.context.logError('session', error);
      this.disconnect(ErrorCode.RC_DISCONN_EXCEPTION, 'internal error');
    });
  }

  private async handle(frame: DecodedFrame): Promise<void> {
    if (this.closed) return;
    if (this.userId === undefined) {
      if (frame.type !== FrameType.CONNECT) {
        this.disconnect(ErrorCode.RC_MSG_UNAUTHORIZED, `frame type ${frame.type} before CONNECT`);
        return;
      }
      await this.connect(frame.body as im.Connect);
      return;
    }
    switch (frame.type) {
      case FrameType.PUBLISH:
        return this.publish(frame.body as im.Publish);
      case FrameType.QUERY:
        return this.query(frame.body as im.Query);
      case FrameType.QUERYCON:
        return;
      case FrameType.DISCONNECT:
        this.close(ErrorCode.SUCCESS, 'client disconnected');
        return;
      default:
        this.disconnect(ErrorCode.RC_MSG_DATA_INCOMPLETE, `unexpected frame type ${frame.type}`);
    }
  }

  private async connect(body: im.Connect): Promise<void> {
    const refuse = (code: number, reason: string) => {
      this.write({ type: FrameType.CONNACK, body: { code } });
      this.close(code, reason);
    };
    if (body.protocolVersion !== PROTOCOL_VERSION) {
      refuse(ErrorCode.RC_CONN_PROTO_VERSION_ERROR, `protocol version ${body.protocolVersion} is not supported`);
      return;
    }
    const check = verifyToken(body.token, this.context.appKey, this.context.appSecret);
    if (!check.ok) {
      refuse(check.code, check.reason);
      return;
    }
    if (check.claims.issuedAt < await this.context.service.tokensValidAfter(check.claims.userId)) {
      refuse(REVOKED_TOKEN.code, REVOKED_TOKEN.reason);
      return;
    }
    // Read before registering: a message stored after this is pushed, or synced after it.
    const latestCursor = await this.context.service.latestCursor(check.claims.userId);
    if (this.closed) return;
    this.userId = check.claims.userId;
    this.deviceId = body.deviceId.slice(0, 128);
    this.platform = body.platform.slice(0, 32);
    this.tokenIssuedAt = check.claims.issuedAt;
    this.context.register(this);
    this.link.authenticated?.();
    this.write({
      type: FrameType.CONNACK,
      body: {
        code: 0, userId: this.userId, sessionId: this.id, serverTime: Date.now(),
        heartbeatSeconds: this.context.heartbeatSeconds, tokenExpiresAt: check.claims.expiresAt, latestCursor,
      },
    });
    this.endAtTokenExpiry(check.claims.expiresAt);
  }

  /**
   * The token is the session's only proof of identity: a session that outlived it would make
   * short-lived tokens meaningless. Ending it with RC_CONN_TOKEN_EXPIRE (rather than a silent
   * drop) tells the client to reconnect with a fresh token from its provider; a client that
   * renewed ahead of time (CONNACK's tokenExpiresAt) is back at once.
   */
  private endAtTokenExpiry(expiresAt: number): void {
    const left = expiresAt - Date.now();
    if (left <= 0) {
      this.disconnect(ErrorCode.RC_CONN_TOKEN_EXPIRE, 'token expired');
      return;
    }
    // Timers cap at 2^31-1 ms (about 24.8 days); longer-lived tokens wait in steps.
    this.tokenExpiry = setTimeout(() => this.endAtTokenExpiry(expiresAt), Math.min(left, MAX_TIMER_MS));
    this.tokenExpiry.unref();
  }

  private async publish(body: im.Publish): Promise<void> {
    if (!body.outgoing) {
      this.disconnect(ErrorCode.RC_MSG_DATA_INCOMPLETE, 'PUBLISH from a client must carry an outgoing message');
      return;
    }
    const requestId = body.requestId;
    // Sends pipeline: the next frame is read while this one waits for its commit, and group
    // commit needs many in flight. The store resolves appends in arrival order, so PUBACKs
    // still go out in order.
    // requestId before the spread (ack has none): on Node 20, a property added after a spread costs ~1 µs.
    const acknowledge = (ack: im.IPubAck) => this.write({ type: FrameType.PUBACK, body: { requestId, ...ack } });
    this.context.service.send(this.userId!, this.id, body.outgoing, acknowledge).catch((error) => {
      if (error instanceof StoreUnavailable) {
        this.context.logError('session', error);
        this.disconnect(ErrorCode.RC_CONN_SERVER_UNAVAILABLE, 'storage unavailable');
        return;
      }
      this.write({
        type: FrameType.PUBACK,
        body: { requestId, code: this.codeOf(error), clientMsgId: body.outgoing?.clientMsgId ?? '', reason: reasonOf(error) },
      });
    });
  }

  private async query(body: im.Query): Promise<void> {
    const requestId = body.requestId;
    if (!this.context.queryLimiter.take(this.userId!)) {
      this.write({ type: FrameType.QUERYACK, body: { requestId, code: ErrorCode.SEND_FREQUENCY_TOO_FAST, reason: 'too many queries per second' } });
      return;
    }
    try {
      const result = await this.context.service.query(this.userId!, this.id, body.topic, body.body);
      this.write({ type: FrameType.QUERYACK, body: { requestId, code: result.code, body: result.body } });
    } catch (error) {
      this.write({ type: FrameType.QUERYACK, body: { requestId, code: this.codeOf(error), reason: reasonOf(error) } });
    }
  }

  private codeOf(error: unknown): number {
    if (error instanceof ServiceError) return error.code;
    this.context.logError('session', error);
    return ErrorCode.UNKNOWN;
  }

  /** Bytes waiting for the peer (0 where the link does not tell). */
  get queuedBytes(): number {
    return this.link.queuedBytes?.() ?? 0;
  }

  /** Pushes a frame to the client (fan-out from other sessions). */
  push(frame: Frame): void {
    if (!this.closed) this.write(frame);
  }

  /**
   * Pushes a frame encoded already (fan-out encodes a frame once for every session that gets the
   * same one: the bytes are shared, and nothing changes them once encoded).
   */
  pushEncoded(bytes: Uint8Array): void {
    if (!this.closed) this.link.send(bytes);
  }

  private write(frame: Frame): void {
    if (!this.closed) this.link.send(encodeFrame(frame));
  }

  /** Ends the session with a DISCONNECT frame telling why. */
  disconnect(code: number, reason: string): void {
    if (this.closed) return;
    this.write({ type: FrameType.DISCONNECT, body: { code, reason } });
    this.close(code, reason);
  }

  /**
   * Ends a session whose peer does not take what is sent to it as fast as it asks for it: the
   * bytes would pile up in this process. Nothing acknowledged is lost: it is stored, and the
   * client's sync after reconnecting fetches whatever it had not read.
   */
  dropSlowReader(queuedBytes: number): void {
    if (this.closed) return;
    this.context.log(`session ${this.id}${this.userId === undefined ? '' : ` of ${this.userId}`}: slow reader, `
      + `${queuedBytes} bytes queued; disconnected`);
    this.close(ErrorCode.RC_DISCONN_EXCEPTION, 'slow reader');
  }

  /** Ends the session without telling the peer (the link is gone or already told). */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.tokenExpiry);
    this.context.unregister(this);
    this.link.close(code, reason);
  }
}

/** A refusal's reason is safe to tell the client; an internal error's is not. */
const reasonOf = (error: unknown): string => (error instanceof ServiceError ? error.message : '');
