import type { Transport, TransportHandlers, WebSocketConstructor, WebSocketLike } from './transport.js';

const OPEN = 1;

/** One frame per binary WebSocket message. */
export class WebSocketTransport implements Transport {
  readonly name = 'websocket';
  private readonly socket: WebSocketLike;
  private opened = false;
  private done = false;

  constructor(url: string, WebSocketImpl: WebSocketConstructor, private readonly handlers: TransportHandlers) {
    this.socket = new WebSocketImpl(url);
    this.socket.binaryType = 'arraybuffer';
    this.socket.onopen = () => {
      this.opened = true;
      if (!this.done) handlers.onOpen();
    };
    this.socket.onmessage = (event) => {
      if (this.done) return;
      const data = event.data;
      if (data instanceof ArrayBuffer) handlers.onFrame(new Uint8Array(data));
      else if (ArrayBuffer.isView(data)) handlers.onFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      // Text messages are not part of the protocol; the server never sends them.
    };
    this.socket.onerror = () => undefined; // 'close' follows and reports
    this.socket.onclose = (event) => this.finish(`closed (${event?.code ?? 'no code'}${event?.reason ? `: ${event.reason}` : ''})`);
  }

  send(bytes: Uint8Array): void {
    if (!this.done && this.socket.readyState === OPEN) this.socket.send(bytes);
  }

  close(): void {
    if (this.done) return;
    try {
      this.socket.close(1000);
    } catch {
      // closing a socket that never opened can throw in some implementations
    }
    this.finish('closed by client');
  }

  private finish(reason: string): void {
    if (this.done) return;
    this.done = true;
    this.handlers.onClose({ opened: this.opened, reason });
  }
}
