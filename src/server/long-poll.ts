import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_FRAME_BYTES } from '../core/protocol/frames.js';
import { decodeLengthPrefixed, encodeLengthPrefixed, prefixedSize } from '../core/protocol/varint.js';
import { drainRequest, sendJson } from './app-api.js';
import { ErrorCode } from '../core/protocol/codes.js';
import type { PreAuthLimits, PreAuthTicket } from './pre-auth.js';
import type { Session, SessionLink } from './session.js';

/**
 * HTTP long-polling on /im/poll: the same frames and Session as the WebSocket on /im, carried
 * in HTTP bodies as varint-length-prefixed frames.
 *
 *   POST   /im/poll              body: 0+ frames → 201, header X-IM-Poll-Session: <sid>, empty body.
 *                                Creates a channel; frames in the body (if any) go to its session.
 *   POST   /im/poll?sid=S        body: 1+ frames, in order → 204. Frames reach Session.receive in
 *                                order, as WebSocket messages would.
 *   GET    /im/poll?sid=S&ack=N  the long poll. N = how many frames of this channel the client
 *                                has received so far (0 at first); frames before N are dropped,
 *                                frames from N on are (re)sent. Answers at once with 200 and the
 *                                queued frames (header X-IM-Poll-Offset: index of the first one,
 *                                = N), else holds up to the hold time and answers 204. A newer GET
 *                                answers a held one 204. After the session has ended and every
 *                                frame was acknowledged: 410 {code, errorMessage} and the channel
 *                                is gone.
 *   DELETE /im/poll?sid=S        ends the session → 204.
 *   OPTIONS                      CORS preflight → 204.
 * Errors are JSON {code, errorMessage}: 400 malformed (bad varint, bad ack, frame too big), 404
 * unknown sid, 405 method, 410 session ended, 413 body too large, 429 too many channels not yet
 * signed in from the client's IP, 503 too many signed-in channels.
 * Frames are dropped only once acknowledged, so a poll answer lost with its connection loses nothing.
 */
export const POLL_PATH = '/im/poll';
export const POLL_SESSION_HEADER = 'X-IM-Poll-Session';
export const POLL_OFFSET_HEADER = 'X-IM-Poll-Offset';
/** A body holds up to four maximal frames (the WebSocket gateway's payload cap). */
export const MAX_POLL_BODY_BYTES = 4 * prefixedSize(MAX_FRAME_BYTES);
const MAX_FRAMES_PER_BODY = 1024;
/** A poll answer carries up to this many bytes (at least one frame). */
const MAX_ANSWER_BYTES = 1024 * 1024;
export const DEFAULT_POLL_HOLD_MS = 25_000;
const DEFAULT_MAX_CHANNELS = 10_000;

export interface LongPollOptions {
  /** How long a GET is held when nothing is queued. */
  pollHoldMs: number;
  heartbeatSeconds: number;
  /** Creates the Session over a link (Gateway.createSession: fan-out and metrics). */
  createSession(link: SessionLink): Session;
  /** Signed-in channels at most; channels still waiting for CONNECT are bounded by `preAuth`. */
  maxChannels?: number;
  /** Bytes a channel may hold unacknowledged; past that its session is dropped as a slow reader. */
  maxQueuedBytes: number;
  preAuth: PreAuthLimits;
}

interface HeldPoll {
  response: ServerResponse;
  timer: NodeJS.Timeout;
}

interface Channel {
  id: string;
  session: Session;
  /** Outbound frames not yet acknowledged; pending[0] is frame number `base` of this channel. */
  pending: Uint8Array[];
  pendingBytes: number;
  base: number;
  /** Counted among the unauthenticated until CONNECT succeeds or the channel ends. */
  preAuth: PreAuthTicket;
  authenticated: boolean;
  ended: { code: number; reason: string } | undefined;
  poll: HeldPoll | undefined;
  flushScheduled: boolean;
  /** Ends the channel when no GET is held or arrives for a while. */
  pollIdle: NodeJS.Timeout | undefined;
  /** Ends the session when no frame arrives for 2.5 heartbeats (as the WebSocket gateway does). */
  silence: NodeJS.Timeout;
}

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
  'access-control-allow-headers': 'Content-Type',
  'access-control-expose-headers': `${POLL_SESSION_HEADER}, ${POLL_OFFSET_HEADER}`,
  'access-control-max-age': '600',
};

class PollHttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export class LongPollGateway {
  private readonly channels = new Map<string, Channel>();
  private authenticatedChannels = 0;
  private readonly pollIdleMs: number;
  private readonly silenceMs: number;
  private closing = false;

  constructor(private readonly options: LongPollOptions) {
    this.pollIdleMs = 2 * options.pollHoldMs + options.heartbeatSeconds * 1000;
    this.silenceMs = options.heartbeatSeconds * 2500;
  }

  get channelCount(): number {
    return this.channels.size;
  }

  /** Handles any request on POLL_PATH. */
  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(CORS_HEADERS)) response.setHeader(name, value);
    try {
      await this.route(request, response);
    } catch (error) {
      if (response.headersSent || response.destroyed) return;
      if (error instanceof PollHttpError) {
        sendJson(response, error.status, { code: error.status, errorMessage: error.message });
        // An oversize body: the client, still sending, hears the answer only if the rest is read.
        if (error.status === 413) drainRequest(request, 4 * MAX_POLL_BODY_BYTES);
        return;
      }
      if (request.destroyed || request.errored) return; // the client went away mid-body
      throw error;
    }
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const query = new URLSearchParams((request.url ?? '').split('?')[1] ?? '');
    const sid = query.get('sid');
    if (this.closing) throw new PollHttpError(503, 'server closing');
    switch (request.method) {
      case 'OPTIONS':
        response.writeHead(204, { 'content-length': 0 });
        response.end();
        return;
      case 'POST': {
        if (sid === null) {
          // Refused before the body is read: a flood costs as little as possible.
          const clientIp = this.options.preAuth.clientIp(request);
          this.checkRoom(clientIp);
          return this.create(await readFrames(request), clientIp, response);
        }
        const frames = await readFrames(request);
        const channel = this.channel(sid);
        if (channel.ended) throw new PollHttpError(410, 'session ended');
        if (frames.length === 0) throw new PollHttpError(400, 'no frames in the body');
        channel.silence.refresh();
        for (const frame of frames) channel.session.receive(frame);
        answerEmpty(response, 204);
        return;
      }
      case 'GET': {
        if (sid === null) throw new PollHttpError(400, 'sid is required');
        return this.poll(this.channel(sid), query.get('ack'), response);
      }
      case 'DELETE': {
        if (sid === null) throw new PollHttpError(400, 'sid is required');
        const channel = this.channel(sid);
        channel.session.close(0, 'closed by client');
        this.remove(channel);
        answerEmpty(response, 204);
        return;
      }
      default:
        response.setHeader('allow', 'GET, POST, DELETE, OPTIONS');
        throw new PollHttpError(405, `method ${request.method} not allowed`);
    }
  }

  private channel(sid: string): Channel {
    const channel = this.channels.get(sid);
    if (!channel) throw new PollHttpError(404, 'unknown or expired poll session');
    return channel;
  }

  /**
   * Only signed-in channels count against the global cap: channels that never send CONNECT
   * would otherwise lock real clients out. Those are bounded per client IP, and end at the
   * connect deadline.
   */
  private checkRoom(clientIp: string): void {
    if (this.authenticatedChannels >= (this.options.maxChannels ?? DEFAULT_MAX_CHANNELS)) {
      throw new PollHttpError(503, 'too many poll sessions');
    }
    if (!this.options.preAuth.hasRoom(clientIp)) {
      throw new PollHttpError(429, 'too many poll sessions not signed in from this address');
    }
  }

  private create(frames: Uint8Array[], clientIp: string, response: ServerResponse): void {
    this.checkRoom(clientIp); // again: others may have come in while the body was read
    const preAuth = this.options.preAuth.admit(clientIp, () => {
      channel.session.disconnect(ErrorCode.RC_CONN_ACK_TIMEOUT, 'no CONNECT in time');
      this.remove(channel);
    });
    if (!preAuth) throw new PollHttpError(429, 'too many poll sessions not signed in from this address');
    const id = randomBytes(24).toString('base64url');
    const channel: Channel = {
      id, pending: [], pendingBytes: 0, base: 0, ended: undefined, poll: undefined, flushScheduled: false,
      pollIdle: undefined, preAuth, authenticated: false,
      silence: setTimeout(() => channel.session.close(0, 'idle'), this.silenceMs),
      session: undefined as unknown as Session,
    };
    channel.session = this.options.createSession({
      send: (bytes) => {
        if (channel.ended) return;
        channel.pending.push(bytes);
        channel.pendingBytes += bytes.length;
        if (channel.pendingBytes > this.options.maxQueuedBytes) {
          channel.session.dropSlowReader(channel.pendingBytes);
          this.remove(channel);
          return;
        }
        this.scheduleFlush(channel);
      },
      queuedBytes: () => channel.pendingBytes,
      close: (code, reason) => {
        if (channel.ended) return;
        channel.ended = { code, reason };
        channel.preAuth.release();
        clearTimeout(channel.silence);
        this.scheduleFlush(channel);
      },
      authenticated: () => {
        channel.preAuth.release();
        channel.authenticated = true;
        this.authenticatedChannels++;
      },
    });
    this.channels.set(id, channel);
    this.armPollIdle(channel);
    response.writeHead(201, {
      [POLL_SESSION_HEADER]: id, 'content-length': 0, 'cache-control': 'no-store', 'content-type': 'application/octet-stream',
    });
    response.end();
    for (const frame of frames) channel.session.receive(frame);
  }

  private poll(channel: Channel, ackParam: string | null, response: ServerResponse): void {
    if (ackParam !== null) {
      const ack = /^\d{1,15}$/.test(ackParam) ? Number(ackParam) : NaN;
      if (!(ack >= channel.base && ack <= channel.base + channel.pending.length)) {
        throw new PollHttpError(400, `ack must be from ${channel.base} to ${channel.base + channel.pending.length}`);
      }
      for (const frame of channel.pending.splice(0, ack - channel.base)) channel.pendingBytes -= frame.length;
      channel.base = ack;
    }
    if (channel.poll) this.answer(channel, 204); // one held poll per channel: the newer wins
    clearTimeout(channel.pollIdle);
    channel.pollIdle = undefined;
    const timer = setTimeout(() => {
      if (channel.poll?.response === response) this.answer(channel, 204);
    }, this.options.pollHoldMs);
    channel.poll = { response, timer };
    // The client gave up on this poll (aborted, network gone): forget it, unacknowledged frames stay.
    response.once('close', () => {
      if (channel.poll?.response !== response) return;
      clearTimeout(timer);
      channel.poll = undefined;
      if (this.channels.get(channel.id) === channel) this.armPollIdle(channel);
    });
    this.flush(channel);
  }

  private scheduleFlush(channel: Channel): void {
    if (channel.flushScheduled) return;
    channel.flushScheduled = true;
    // Answer on the next turn so frames written together (CONNACK + pushes, a burst of PUBACKs) travel together.
    setImmediate(() => {
      channel.flushScheduled = false;
      this.flush(channel);
    });
  }

  /** Answers the held poll if there is something to say. */
  private flush(channel: Channel): void {
    if (!channel.poll) return;
    if (channel.pending.length > 0) this.answer(channel, 200);
    else if (channel.ended) this.answer(channel, 410);
  }

  private answer(channel: Channel, status: 200 | 204 | 410): void {
    const poll = channel.poll!;
    channel.poll = undefined;
    clearTimeout(poll.timer);
    const { response } = poll;
    if (status === 410) {
      this.remove(channel);
      sendJson(response, 410, { code: 410, errorMessage: `session ended: ${channel.ended?.reason ?? 'gone'}`, errorCode: channel.ended?.code ?? 0 });
      return;
    }
    this.armPollIdle(channel);
    if (status === 204) {
      answerEmpty(response, 204);
      return;
    }
    const frames: Uint8Array[] = [];
    let size = 0;
    for (const frame of channel.pending) {
      if (frames.length > 0 && size + prefixedSize(frame.length) > MAX_ANSWER_BYTES) break;
      frames.push(frame);
      size += prefixedSize(frame.length);
    }
    const body = encodeLengthPrefixed(frames);
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': body.length,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      [POLL_OFFSET_HEADER]: String(channel.base),
    });
    response.end(body);
  }

  private armPollIdle(channel: Channel): void {
    clearTimeout(channel.pollIdle);
    channel.pollIdle = setTimeout(() => {
      channel.session.close(0, 'poll timeout');
      this.remove(channel);
    }, this.pollIdleMs);
  }

  private remove(channel: Channel): void {
    if (this.channels.get(channel.id) !== channel) return;
    this.channels.delete(channel.id);
    if (channel.authenticated) this.authenticatedChannels--;
    channel.preAuth.release();
    // Whatever was not acknowledged goes: a client that comes back syncs from its cursor.
    channel.pending = [];
    channel.pendingBytes = 0;
    clearTimeout(channel.pollIdle);
    clearTimeout(channel.silence);
    if (channel.poll) {
      clearTimeout(channel.poll.timer);
      const { response } = channel.poll;
      channel.poll = undefined;
      if (!response.headersSent) {
        sendJson(response, 410, { code: 410, errorMessage: `session ended: ${channel.ended?.reason ?? 'gone'}`, errorCode: channel.ended?.code ?? 0 });
      }
    }
  }

  /** Ends every session; held polls are answered 410. */
  close(): void {
    this.closing = true;
    for (const channel of [...this.channels.values()]) {
      channel.session.close(0, 'server closing');
      this.remove(channel);
    }
  }
}

function answerEmpty(response: ServerResponse, status: number): void {
  response.writeHead(status, { 'content-length': 0, 'cache-control': 'no-store' });
  response.end();
}

async function readFrames(request: IncomingMessage): Promise<Uint8Array[]> {
  const declared = Number(request.headers['content-length']);
  if (declared > MAX_POLL_BODY_BYTES) throw new PollHttpError(413, `body exceeds ${MAX_POLL_BODY_BYTES} bytes`);
  const body = new Uint8Array(await readBounded(request, MAX_POLL_BODY_BYTES));
  const result = decodeLengthPrefixed(body, MAX_FRAME_BYTES, MAX_FRAMES_PER_BODY);
  if (!result.ok) throw new PollHttpError(400, `malformed body: ${result.error}`);
  return result.frames;
}

/**
 * The body, or a 413 as soon as it passes `max` bytes. The request is left readable (not
 * destroyed, as leaving a `for await` loop would) so that the 413 can still be heard.
 */
function readBounded(request: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) {
        chunks.push(chunk);
        return;
      }
      request.off('data', onData).off('end', onEnd);
      request.pause();
      reject(new PollHttpError(413, `body exceeds ${max} bytes`));
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    request.on('data', onData).on('end', onEnd).once('error', reject);
  });
}
