import type { IncomingMessage } from 'node:http';

export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;
export const DEFAULT_MAX_UNAUTHENTICATED_PER_IP = 100;

export interface PreAuthOptions {
  /** How long a connection may stay without a successful CONNECT. */
  connectTimeoutMs: number;
  /** Unauthenticated WebSockets and poll channels one client IP may hold at once. */
  maxPerIp: number;
  /** Take the client IP from the first X-Forwarded-For entry (behind a reverse proxy). */
  trustProxy: boolean;
}

/** One connection's place among the unauthenticated; release it once it signs in or ends. */
export interface PreAuthTicket {
  /** Idempotent. */
  release(): void;
}

/**
 * What a connection costs before it proves who it is must stay small: a peer that never signs
 * in holds a socket, a Session and (over long-polling) a channel. Each such connection gets a
 * deadline for its CONNECT, and one client IP may hold only so many at once, so a flood from
 * one address neither grows the server nor crowds out clients that do sign in.
 */
export class PreAuthLimits {
  private readonly countByIp = new Map<string, number>();
  private total = 0;

  constructor(private readonly options: PreAuthOptions) {}

  /** Connections that have not signed in yet, over every IP. */
  get unauthenticatedCount(): number {
    return this.total;
  }

  clientIp(request: IncomingMessage): string {
    if (this.options.trustProxy) {
      const forwarded = request.headers['x-forwarded-for'];
      const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
      if (first) return first;
    }
    return request.socket.remoteAddress ?? '';
  }

  hasRoom(ip: string): boolean {
    return (this.countByIp.get(ip) ?? 0) < this.options.maxPerIp;
  }

  /**
   * Counts one unauthenticated connection from `ip` and calls `onDeadline` if it is still
   * unreleased after the connect timeout, to end it; undefined (nothing counted) when `ip` has
   * no room.
   */
  admit(ip: string, onDeadline: () => void): PreAuthTicket | undefined {
    if (!this.hasRoom(ip)) return undefined;
    this.countByIp.set(ip, (this.countByIp.get(ip) ?? 0) + 1);
    this.total++;
    let released = false;
    // The connection still counts until it is gone: `onDeadline` must end it (and release).
    const deadline = setTimeout(onDeadline, this.options.connectTimeoutMs);
    deadline.unref();
    const ticket: PreAuthTicket = {
      release: () => {
        if (released) return;
        released = true;
        clearTimeout(deadline);
        this.total--;
        const left = (this.countByIp.get(ip) ?? 1) - 1;
        if (left > 0) this.countByIp.set(ip, left);
        else this.countByIp.delete(ip);
      },
    };
    return ticket;
  }
}
