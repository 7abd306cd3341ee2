/** What a transport tells the client. Callbacks of a transport the client has dropped are ignored. */
export interface TransportHandlers {
  onOpen(): void;
  onFrame(bytes: Uint8Array): void;
  /** The link is gone; `opened` says whether it ever opened. */
  onClose(info: { opened: boolean; reason: string }): void;
}

/** Moves frames, nothing else: no protocol knowledge lives here. */
export interface Transport {
  readonly name: string;
  send(bytes: Uint8Array): void;
  close(): void;
}

/** The part of the WebSocket API we use: the browser's, or `ws` in Node. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code?: number; reason?: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** The part of `fetch` the long-polling transport uses (the global one, or an injected one). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface LongPollTransportOptions {
  /** Defaults to the global `fetch` (browsers, workers, Node 18+). */
  fetch?: FetchLike;
  /**
   * The server's poll hold (default 25 s). A request unanswered for `holdMs` + 15 s counts as a
   * dead link and closes the transport.
   */
  holdMs?: number;
}
