import WebSocket from 'ws';
import { decodeFrame, encodeFrame, PROTOCOL_VERSION, type DecodedFrame, type Frame } from '../../src/core/protocol/frames.js';
import { FrameType } from '../../src/core/protocol/codes.js';

/** A bare protocol peer: sends exactly the bytes a test gives and records every frame back. */
export class RawSocket {
  readonly frames: DecodedFrame[] = [];
  readonly closed: Promise<number>;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const decoded = decodeFrame(new Uint8Array(data));
      if (decoded.ok) this.frames.push(decoded.frame);
      this.notify();
    });
    this.closed = new Promise((resolve) => ws.once('close', (code) => {
      this.notify();
      resolve(code);
    }));
    ws.on('error', () => undefined);
  }

  static async open(url: string): Promise<RawSocket> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new RawSocket(ws);
  }

  /** Opens a socket and completes CONNECT with `token`. */
  static async connected(url: string, token: string): Promise<RawSocket> {
    const socket = await RawSocket.open(url);
    socket.send({ type: FrameType.CONNECT, body: { protocolVersion: PROTOCOL_VERSION, token, deviceId: 'raw', platform: 'test' } });
    const ack = await socket.next(FrameType.CONNACK);
    if ((ack.body as { code: number }).code !== 0) throw new Error(`CONNACK ${(ack.body as { code: number }).code}`);
    return socket;
  }

  send(frame: Frame | Uint8Array): void {
    this.ws.send(frame instanceof Uint8Array ? frame : encodeFrame(frame));
  }

  /** The first not yet taken frame of `type`. */
  next(type: number, ms = 5000): Promise<DecodedFrame> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const index = this.frames.findIndex((frame) => frame.type === type);
        if (index >= 0) {
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(this.frames.splice(index, 1)[0]!);
        } else if (this.ws.readyState === WebSocket.CLOSED) {
          this.waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`socket closed before a frame of type ${type}`));
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no frame of type ${type} within ${ms} ms`));
      }, ms);
      this.waiters.add(check);
      check();
    });
  }

  /** Resolves, in arrival order, with the frames of `types` once there are `count` of them. */
  collect(types: readonly number[], count: number, ms = 10_000): Promise<DecodedFrame[]> {
    return new Promise((resolve, reject) => {
      const matching = () => this.frames.filter((frame) => types.includes(frame.type));
      const check = () => {
        if (matching().length >= count) {
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(matching().slice(0, count));
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`only ${matching().length} of ${count} frames of types ${types} within ${ms} ms`));
      }, ms);
      this.waiters.add(check);
      check();
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  close(): void {
    this.ws.close();
  }
}
