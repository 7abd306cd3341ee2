import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { decodeFrame, encodeFrame, type DecodedFrame, type Frame } from '../../src/core/protocol/frames.js';

const OPCODE_BINARY = 0x2;
const OPCODE_CLOSE = 0x8;

export interface TcpWebSocketOptions {
  /** The local address to connect from (any 127.x.y.z on Linux), to appear as another client IP. */
  localAddress?: string;
  headers?: Record<string, string>;
}

/**
 * A WebSocket client written straight on a TCP socket, so that a test controls what `ws` does
 * not let it: it can stop reading (the server's writes then pile up), and send many frames in
 * one TCP write (they reach the server in one read). Binary frames only; frames from the server
 * are decoded as protocol frames while it reads.
 */
export class TcpWebSocket {
  readonly frames: DecodedFrame[] = [];
  /** Resolves when the TCP connection has ended (either side). */
  readonly closed: Promise<void>;
  private received: Buffer = Buffer.alloc(0);
  private readonly waiters = new Set<() => void>();
  private ended = false;

  private constructor(readonly socket: Socket, rest: Buffer) {
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.ended = true;
      this.notify();
      resolve();
    }));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => this.take(chunk));
    if (rest.length) this.take(rest);
  }

  /**
   * Sends the upgrade request for `url` and resolves with the HTTP status; with the socket when
   * the server switched protocols (101).
   */
  static async upgrade(url: string, options: TcpWebSocketOptions = {}): Promise<{ status: number; socket?: TcpWebSocket }> {
    const { hostname, port, pathname } = new URL(url);
    const socket = connect({ host: hostname, port: Number(port), localAddress: options.localAddress });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const extra = Object.entries(options.headers ?? {}).map(([name, value]) => `${name}: ${value}\r\n`).join('');
    socket.write(`GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`
      + `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`);
    const { head, rest } = await new Promise<{ head: string; rest: Buffer }>((resolve, reject) => {
      let buffer = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData).off('close', onClose);
        resolve({ head: buffer.subarray(0, end).toString('latin1'), rest: buffer.subarray(end + 4) });
      };
      const onClose = () => reject(new Error('connection closed before an HTTP answer'));
      socket.on('data', onData).once('close', onClose);
    });
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
    if (status !== 101) {
      socket.destroy();
      return { status };
    }
    return { status, socket: new TcpWebSocket(socket, rest) };
  }

  static async open(url: string, options: TcpWebSocketOptions = {}): Promise<TcpWebSocket> {
    const { status, socket } = await TcpWebSocket.upgrade(url, options);
    if (!socket) throw new Error(`upgrade answered ${status}`);
    return socket;
  }

  /** Sends protocol frames, all in one TCP write. */
  send(...frames: Array<Frame | Uint8Array>): void {
    this.socket.write(Buffer.concat(frames.map((frame) => mask(frame instanceof Uint8Array ? frame : encodeFrame(frame)))));
  }

  /** Stops reading: what the server sends stays in its buffers once the kernel's are full. */
  stopReading(): void {
    this.socket.pause();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Resolves with the frames of `type` once there are `count` of them (reading must be on). */
  collect(type: number, count: number, ms = 30_000): Promise<DecodedFrame[]> {
    return new Promise((resolve, reject) => {
      const matching = () => this.frames.filter((frame) => frame.type === type);
      const check = () => {
        if (matching().length >= count) {
          finish();
          resolve(matching().slice(0, count));
        } else if (this.ended) {
          finish();
          reject(new Error(`connection closed after ${matching().length} of ${count} frames of type ${type}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`only ${matching().length} of ${count} frames of type ${type} within ${ms} ms`));
      }, ms);
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  private take(chunk: Buffer): void {
    this.received = this.received.length ? Buffer.concat([this.received, chunk]) : chunk;
    for (;;) {
      const message = unframe(this.received);
      if (!message) break;
      this.received = this.received.subarray(message.size);
      if (message.opcode === OPCODE_BINARY) {
        const decoded = decodeFrame(new Uint8Array(message.payload));
        if (decoded.ok) this.frames.push(decoded.frame);
      } else if (message.opcode === OPCODE_CLOSE) {
        this.socket.end();
      }
    }
    this.notify();
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** A client's binary WebSocket frame: FIN, masked, as RFC 6455 requires of clients. */
function mask(payload: Uint8Array): Buffer {
  const length = payload.length;
  const header = length < 126 ? Buffer.from([0x80 | OPCODE_BINARY, 0x80 | length])
    : length < 65_536 ? Buffer.from([0x80 | OPCODE_BINARY, 0x80 | 126, length >> 8, length & 0xff])
      : Buffer.concat([Buffer.from([0x80 | OPCODE_BINARY, 0x80 | 127]), bigEndian64(length)]);
  const key = randomBytes(4);
  const masked = Buffer.alloc(length);
  for (let i = 0; i < length; i++) masked[i] = payload[i]! ^ key[i & 3]!;
  return Buffer.concat([header, key, masked]);
}

function bigEndian64(value: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(value));
  return bytes;
}

/** One whole unmasked server frame at the start of `buffer`, or undefined if not all here yet. */
function unframe(buffer: Buffer): { opcode: number; payload: Buffer; size: number } | undefined {
  if (buffer.length < 2) return undefined;
  let length = buffer[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return undefined;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return undefined;
    length = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }
  if (buffer.length < offset + length) return undefined;
  return { opcode: buffer[0]! & 0x0f, payload: buffer.subarray(offset, offset + length), size: offset + length };
}
