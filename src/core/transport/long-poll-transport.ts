import { MAX_FRAME_BYTES } from '../protocol/frames.js';
import { decodeLengthPrefixed, encodeLengthPrefixed, prefixedSize } from '../protocol/varint.js';
import type { FetchLike, LongPollTransportOptions, Transport, TransportHandlers } from './transport.js';

const SESSION_HEADER = 'X-IM-Poll-Session';
const OFFSET_HEADER = 'X-IM-Poll-Offset';
/** The server's body cap: four maximal frames. */
const MAX_BODY_BYTES = 4 * prefixedSize(MAX_FRAME_BYTES);
/** Slack on top of the server's hold before an unanswered request counts as a dead link. */
const REQUEST_SLACK_MS = 15_000;

/**
 * HTTP long-polling on `/im/poll` (see src/server/long-poll.ts for the protocol): the same
 * frames as WebSocketTransport, varint-length-prefixed in HTTP bodies.
 *
 * - Opens with `POST url` (empty body); `onOpen` fires when that answers 201 with a session id,
 *   so `opened: false` in `onClose` means the endpoint was never reached, as for a WebSocket.
 * - Then one GET is always outstanding (the long poll); its frames reach `onFrame` in order.
 * - `send` queues; one POST at a time carries the queue, in order. Sends before open are dropped
 *   (as WebSocketTransport drops them).
 * - Any failed request (network error, a status other than the expected one, a malformed body,
 *   410 when the server ended the session) closes the transport: `onClose` once, and the client
 *   reconnects on its own. `close()` stops polling, tells the server with a best-effort DELETE, and
 *   calls `onClose` once.
 */
export class LongPollTransport implements Transport {
  readonly name = 'polling';
  private readonly fetchImpl: FetchLike;
  private readonly requestTimeoutMs: number;
  private readonly inFlight = new Set<AbortController>();
  private readonly outbox: Uint8Array[] = [];
  private sid: string | undefined;
  private opened = false;
  private done = false;
  private posting = false;
  /** Frames received so far: the `ack` of the next poll. */
  private received = 0;

  constructor(private readonly url: string, private readonly handlers: TransportHandlers, options: LongPollTransportOptions = {}) {
    const injected = options.fetch;
    const global = (globalThis as { fetch?: FetchLike }).fetch;
    this.fetchImpl = injected ? (input, init) => injected(input, init) : global ? global.bind(globalThis) : unavailable;
    this.requestTimeoutMs = (options.holdMs ?? 25_000) + REQUEST_SLACK_MS;
    void this.open();
  }

  send(bytes: Uint8Array): void {
    if (this.done || !this.opened) return;
    this.outbox.push(bytes);
    void this.flush();
  }

  close(): void {
    if (this.done) return;
    const sid = this.sid;
    this.finish('closed by client');
    if (sid !== undefined) {
      // Best effort: the server also ends a session whose polls stop.
      this.fetchImpl(this.address(sid), { method: 'DELETE', keepalive: true }).catch(() => undefined);
    }
  }

  private address(sid: string, extra = ''): string {
    return `${this.url}${this.url.includes('?') ? '&' : '?'}sid=${encodeURIComponent(sid)}${extra}`;
  }

  private async open(): Promise<void> {
    await Promise.resolve(); // handlers run after the constructor returns, as with a WebSocket
    const response = await this.request(this.url, { method: 'POST' });
    if (!response) return;
    const sid = response.headers.get(SESSION_HEADER);
    if (response.status !== 201 || !sid) {
      this.finish(await describe(response, 'open'));
      return;
    }
    await response.arrayBuffer().catch(() => undefined);
    if (this.done) return;
    this.sid = sid;
    this.opened = true;
    this.handlers.onOpen();
    void this.pollLoop(sid);
  }

  private async pollLoop(sid: string): Promise<void> {
    while (!this.done) {
      const response = await this.request(this.address(sid, `&ack=${this.received}`), { method: 'GET' });
      if (!response) return;
      if (response.status === 204) {
        await response.arrayBuffer().catch(() => undefined);
        continue;
      }
      if (response.status !== 200) {
        this.finish(await describe(response, 'poll'));
        return;
      }
      const offset = Number(response.headers.get(OFFSET_HEADER) ?? this.received);
      let body: Uint8Array;
      try {
        body = new Uint8Array(await response.arrayBuffer());
      } catch (error) {
        this.finish(`poll failed: ${(error as Error)?.message ?? error}`);
        return;
      }
      if (this.done) return;
      // Frames of any size reach the client, as over a WebSocket: the client judges a frame too
      // large (an oversize answer to a query is asked again smaller, not a broken link).
      const decoded = decodeLengthPrefixed(body, body.length);
      if (!decoded.ok || offset !== this.received) {
        this.finish(decoded.ok ? `poll answered from frame ${offset}, expected ${this.received}` : `malformed poll answer: ${decoded.error}`);
        return;
      }
      for (const frame of decoded.frames) {
        if (this.done) return;
        this.received++;
        this.handlers.onFrame(frame);
      }
    }
  }

  /** Sends the queue, one POST at a time, in order. */
  private async flush(): Promise<void> {
    if (this.posting || this.done || this.sid === undefined) return;
    this.posting = true;
    while (!this.done && this.outbox.length > 0) {
      const batch: Uint8Array[] = [];
      let size = 0;
      while (this.outbox.length > 0) {
        const next = prefixedSize(this.outbox[0]!.length);
        if (batch.length > 0 && size + next > MAX_BODY_BYTES) break;
        batch.push(this.outbox.shift()!);
        size += next;
      }
      const response = await this.request(this.address(this.sid), { method: 'POST', body: encodeLengthPrefixed(batch) });
      if (!response) break;
      if (response.status !== 204) {
        this.finish(await describe(response, 'send'));
        break;
      }
      await response.arrayBuffer().catch(() => undefined);
    }
    this.posting = false;
  }

  /** One request with a timeout; undefined (and the transport closed) when it fails or the transport is done. */
  private async request(url: string, init: RequestInit): Promise<Response | undefined> {
    if (this.done) return undefined;
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(), this.requestTimeoutMs);
    try {
      const response = await this.fetchImpl(url, { ...init, cache: 'no-store', signal: controller.signal });
      if (this.done) {
        response.body?.cancel().catch(() => undefined);
        return undefined;
      }
      return response;
    } catch (error) {
      const timedOut = controller.signal.aborted && !this.done;
      this.finish(timedOut ? `${init.method} timed out` : `${init.method} failed: ${(error as Error)?.message ?? error}`);
      return undefined;
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }

  private finish(reason: string): void {
    if (this.done) return;
    this.done = true;
    this.outbox.length = 0;
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
    this.handlers.onClose({ opened: this.opened, reason });
  }
}

async function describe(response: Response, what: string): Promise<string> {
  let detail = '';
  try {
    const text = await response.text();
    detail = (JSON.parse(text) as { errorMessage?: string }).errorMessage ?? '';
  } catch {
    // not JSON, or the body failed: the status says enough
  }
  return `${what}: HTTP ${response.status}${detail ? ` (${detail})` : ''}`;
}

export { pollUrlFor } from './poll-url.js';

const unavailable: FetchLike = () => Promise.reject(new Error('fetch is not available'));
